"""The audit trail stored in SQLite: every answer recorded, chained by hashes so edits show.

The tamper evidence itself (commitments, chain, verify, redaction) lives in chain.py; this
module only stores and fetches its rows. The database is opened on first use: reading never
creates it, the first record does.
"""

from __future__ import annotations

import datetime
import json
import os
import sqlite3
import urllib.parse
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from engine import Answer, Case, RuleBase
from engine.trace import jsonable

from . import chain
from .chain import AuditError, Verification
from .migrations import NewerSchema, UnknownSchema, migrate

ENVIRONMENT_VARIABLE = "FOLLOWUP_AUDIT_DB"
# SQLite's integers are 64-bit: a larger id can name no record.
LARGEST_RECORD_ID = 2**63 - 1
# How long a redaction waits for other readers before leaving old pages in the -wal file.
CHECKPOINT_WAIT_MS = 5000
TABLES = ("records", "rule_bases")

__all__ = ["AuditError", "AuditRecord", "AuditStore", "Entry", "Redaction", "Verification"]


class AuditDamaged(AuditError):
    """The database file or its tables are damaged; `reason` says how."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"the audit database {path} {reason}", suggestion="see `followup audit verify`"
        )
        self.reason = reason


def default_path() -> Path:
    """FOLLOWUP_AUDIT_DB, else audit.sqlite3 in the platform's user data folder."""
    configured = os.environ.get(ENVIRONMENT_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    return platformdirs.user_data_path("followup") / "audit.sqlite3"


@dataclass(frozen=True)
class AuditRecord:
    """One stored record: an answer given (kind "advice") or a redaction done."""

    id: int
    kind: str
    recorded_at: str
    source: str
    today: str | None
    facts: dict[str, Any]
    rule_base_version: str | None
    trace: list[dict[str, Any]]
    answer: dict[str, Any]
    redacted: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "recorded_at": self.recorded_at,
            "source": self.source,
            "today": self.today,
            "facts": self.facts,
            "rule_base": {"version": self.rule_base_version},
            "answer": self.answer,
            "trace": self.trace,
            "redacted_fields": sorted(self.redacted),
        }


@dataclass(frozen=True)
class Entry:
    """What one answer contributes to the trail."""

    answer: Answer
    case: Case
    rule_base: RuleBase
    source: str


@dataclass(frozen=True)
class Redaction:
    """What a redaction blanked, and whether every old copy of it is gone from the files
    (False while another program's read keeps old pages alive)."""

    fields: list[str]
    log_cleared: bool


class AuditStore:
    """The SQLite audit store (WAL), opened on first use with its schema brought up to date."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- opening ------------------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether the database is there (reading never creates it; the first record does)."""
        return self._db is not None or self.path.exists()

    def require(self) -> None:
        """Refuse, in words, a database that is not there: a mistyped place reads as empty."""
        if not self.exists():
            raise AuditError(
                f"no audit database at {self.path}: nothing has been recorded there yet",
                suggestion="give its place with --audit-db",
            )

    def _connect(self, *, create: bool) -> sqlite3.Connection:
        if self._db is not None:
            return self._db
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        else:
            self.require()
        mode = "rwc" if create else "rw"
        uri = f"file:{urllib.parse.quote(str(self.path.resolve()))}?mode={mode}"
        db = sqlite3.connect(uri, uri=True, timeout=60, isolation_level=None)
        try:
            migrate(db)
            if create:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            db.close()
            raise
        self._db = db
        return db

    @contextmanager
    def _database_errors(self) -> Iterator[None]:
        """Turn what SQLite or the file system says into one line a person can act on."""
        try:
            yield
        except NewerSchema as error:
            raise AuditError(
                f"the audit database {self.path} was made by a newer followup "
                f"({error.message}): it is left as it is",
                suggestion="update followup, or give another place with --audit-db",
            ) from error
        except UnknownSchema as error:
            raise AuditDamaged(self.path, f"is damaged: {error.message}") from error
        except sqlite3.Error as error:
            raise self._problem(error) from error
        except OSError as error:
            raise AuditError(
                f"cannot open the audit database {self.path}: {error.strerror or error}",
                suggestion="give another place with --audit-db, or use --no-audit",
            ) from error

    def _problem(self, error: sqlite3.Error) -> AuditError:
        text = str(error)
        if text.startswith("no such table: "):
            return AuditDamaged(self.path, f"is damaged: it has no {text.split(': ', 1)[1]} table")
        if type(error) is sqlite3.DatabaseError or "malformed" in text:
            return AuditDamaged(self.path, f"is damaged: {text}")
        return AuditError(
            f"cannot use the audit database {self.path}: {text}",
            suggestion="give another place with --audit-db, or use --no-audit",
        )

    # -- writing ------------------------------------------------------------------------------

    def record(self, entry: Entry) -> int:
        """Record one answer; returns its id."""
        return self.record_many([entry])[0]

    def record_many(self, entries: Iterable[Entry]) -> list[int]:
        """Record several answers in one transaction; returns their ids in order."""
        with self._database_errors():
            db = self._connect(create=True)
            with _transaction(db):
                return [self._record_one(db, entry) for entry in entries]

    def _record_one(self, db: sqlite3.Connection, entry: Entry) -> int:
        db.execute(
            "INSERT OR IGNORE INTO rule_bases (version, files, stored_at) VALUES (?, ?, ?)",
            (entry.rule_base.version, chain.canonical(dict(entry.rule_base.files)), _now()),
        )
        answer = entry.answer.to_json()
        trace = answer.pop("trace")
        return self._append(
            db,
            kind="advice",
            source=entry.source,
            today=entry.case.today.isoformat(),
            facts={name: jsonable(value) for name, value in entry.case.given.items()},
            rule_base_version=entry.rule_base.version,
            trace=trace,
            answer=answer,
        )

    def _append(self, db: sqlite3.Connection, **content: Any) -> int:
        last = db.execute(
            "SELECT id, record_hash FROM records ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        row = chain.new_row(
            record_id=(last[0] + 1) if last else 1,
            prev_hash=last[1] if last else chain.GENESIS,
            recorded_at=_now(),
            **content,
        )
        columns = ", ".join(row)
        db.execute(
            f"INSERT INTO records ({columns}) VALUES ({', '.join(':' + name for name in row)})",
            row,
        )
        record_id: int = row["id"]
        return record_id

    def redact(self, record_id: int, fields: Iterable[str]) -> Redaction:
        """Blank these fields of a record, record that, and leave no old copy in the files."""
        with self._database_errors():
            db = self._connect(create=False)
            # Freed space is zeroed, so no old copy of the blanked text stays in a page.
            db.execute("PRAGMA secure_delete = ON")
            with _transaction(db):
                row = self._row(record_id)
                if row["kind"] != "advice":
                    raise AuditError(f"record {record_id} is not advice and holds nothing personal")
                columns, blanked = chain.redacted_columns(row, fields)
                if blanked:
                    db.execute(
                        "UPDATE records SET facts = :facts, answer = :answer, nonces = :nonces,"
                        " redacted = :redacted WHERE id = :id",
                        {**columns, "id": record_id},
                    )
                    self._append(
                        db,
                        kind="redaction",
                        source="audit redact",
                        today=None,
                        facts={},
                        rule_base_version=None,
                        trace=[],
                        answer={"redacted_record": record_id, "fields": blanked},
                    )
            return Redaction(blanked, self._clear_write_ahead_log(db))

    def _clear_write_ahead_log(self, db: sqlite3.Connection) -> bool:
        """Copy the -wal file into the database and empty it; False if a reader kept it."""
        db.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
        busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        return bool(busy == 0)

    # -- reading ------------------------------------------------------------------------------

    def get(self, record_id: int) -> AuditRecord:
        with self._database_errors():
            self._connect(create=False)
            return _record(self._row(record_id))

    def records(
        self, since: datetime.date | None = None, action: str | None = None
    ) -> Iterator[AuditRecord]:
        """Advice records in order, optionally from a day on and of one action."""
        query = "SELECT * FROM records WHERE kind = 'advice'"
        parameters: list[Any] = []
        if since is not None:
            query += " AND recorded_at >= ?"
            parameters.append(since.isoformat())
        query += " ORDER BY seq"
        for row in self._rows(query, parameters):
            record = _record(row)
            if action is None or record.answer.get("action") == action:
                yield record

    def all_records(self) -> Iterator[AuditRecord]:
        for row in self._rows("SELECT * FROM records ORDER BY seq", []):
            yield _record(row)

    def rule_files(self, version: str) -> dict[str, str]:
        """The files of a stored rule base, only once they are checked to be exactly it."""
        found = self._rule_files_json(version)
        if found is None:
            raise AuditError(
                f"the rule base {version[:12]} is not in the audit database",
                suggestion="see `followup audit verify`",
            )
        problem = chain.rule_files_problem(version, found)
        if problem is not None:
            raise AuditError(
                f"rule base {version[:12]} in the audit database cannot be used: {problem}",
                suggestion="see `followup audit verify`",
            )
        files: dict[str, str] = json.loads(found)
        return files

    def _rule_files_json(self, version: str) -> Any:
        with self._database_errors():
            db = self._connect(create=False)
            found = db.execute("SELECT files FROM rule_bases WHERE version = ?", (version,))
            row = found.fetchone()
        return None if row is None else row[0]

    def _rows(self, query: str, parameters: list[Any]) -> Iterator[dict[str, Any]]:
        if not self.exists():
            return
        # The errors of a lazy read surface while it is iterated, so they are turned there.
        with self._database_errors():
            cursor = self._connect(create=False).cursor()
            cursor.row_factory = _as_dict
            yield from cursor.execute(query, parameters)

    def _row(self, record_id: int) -> dict[str, Any]:
        if not 0 < record_id <= LARGEST_RECORD_ID:
            raise _no_record(record_id)
        for row in self._rows("SELECT * FROM records WHERE id = ?", [record_id]):
            return row
        raise _no_record(record_id)

    # -- checking -----------------------------------------------------------------------------

    def verify(self) -> Verification:
        """Walk the chain; name the first record edited, deleted or reordered, or the damage."""
        self.require()
        try:
            missing = [table for table in TABLES if not self._has_table(table)]
            if missing:
                return Verification(
                    0,
                    f"the audit database is damaged: it has no {missing[0]} table",
                    whole_database=True,
                )
            problems: dict[str, str | None] = {}

            def rule_base_problem(version: str) -> str | None:
                if version not in problems:
                    found = self._rule_files_json(version)
                    problems[version] = (
                        "it is missing from the audit database"
                        if found is None
                        else chain.rule_files_problem(version, found)
                    )
                return problems[version]

            rows = self._rows("SELECT * FROM records ORDER BY seq", [])
            return chain.verify(rows, rule_base_problem)
        except AuditDamaged as error:
            return Verification(0, f"the audit database {error.reason}", whole_database=True)

    def _has_table(self, name: str) -> bool:
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return any(True for _row in self._rows(query, [name]))


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, rolled back on any error."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        # SQLite may already have rolled back (a full disk does): do not hide the first error.
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _as_dict(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


def _no_record(record_id: int) -> AuditError:
    return AuditError(f"no audit record {record_id}", suggestion="see `followup audit list`")


def _record(row: dict[str, Any]) -> AuditRecord:
    if chain.shape_problem(row) is not None:
        raise AuditError(
            f"record {row.get('id')} in the audit database is damaged",
            suggestion="see `followup audit verify`",
        )
    return AuditRecord(
        id=row["id"],
        kind=row["kind"],
        recorded_at=row["recorded_at"],
        source=row["source"],
        today=row["today"],
        facts=json.loads(row["facts"]),
        rule_base_version=row["rule_base_version"],
        trace=json.loads(row["trace"]),
        answer=json.loads(row["answer"]),
        redacted=json.loads(row["redacted"]),
    )


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds")
