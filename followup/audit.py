"""The audit trail: every answer recorded, chained by hashes so edits show.

The tamper evidence itself (commitments, chain, verify, redaction) lives in chain.py; the
rows live in a backend: an SQLite file (the embedded default) or a PostgreSQL database shared
by many machines, chosen by the place given (a path, or a postgresql:// URL). The store is
opened on first use: reading never creates it, the first record does.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from engine import Answer, Case, RuleBase

from . import chain
from .audit_answer import answer_texts, fact_texts
from .audit_trace import canonical_trace
from .backend import AuditDamaged, Backend, Row, Writer, is_url
from .chain import AuditError, Verification
from .store_sqlite import SqliteBackend

ENVIRONMENT_VARIABLE = "FOLLOWUP_AUDIT_DB"
# Both stores' integers are 64-bit: a larger id can name no record.
LARGEST_RECORD_ID = 2**63 - 1

__all__ = [
    "AuditDamaged",
    "AuditError",
    "AuditRecord",
    "AuditStore",
    "Entry",
    "Redaction",
    "Verification",
]


Place = Path | str


def default_place() -> Place:
    """FOLLOWUP_AUDIT_DB (a path or a postgresql:// URL), else audit.sqlite3 in the platform's
    user data folder."""
    configured = os.environ.get(ENVIRONMENT_VARIABLE)
    if configured:
        return configured if is_url(configured) else Path(configured).expanduser()
    return platformdirs.user_data_path("followup") / "audit.sqlite3"


def backend_for(place: Place) -> Backend:
    """A postgresql:// URL means PostgreSQL; anything else is an SQLite file."""
    if isinstance(place, str) and is_url(place):
        # psycopg takes a tenth of a second to import: only a postgresql:// address needs it.
        from .store_postgres import PostgresBackend  # noqa: PLC0415 - psycopg only for PostgreSQL

        return PostgresBackend(place)
    return SqliteBackend(Path(place))


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
    """An audit trail in its backend, opened on first use with its schema brought up to date."""

    def __init__(self, place: Place) -> None:
        self.backend = backend_for(place)
        # Where it is, as a person may read it (a URL without its password).
        self.location = self.backend.location
        # The SQLite file, for callers that need the file itself; None for a database server.
        self.path = self.backend.path if isinstance(self.backend, SqliteBackend) else None

    def close(self) -> None:
        self.backend.close()

    def exists(self) -> bool:
        """Whether the trail is there (reading never creates it; the first record does)."""
        return self.backend.exists()

    def require(self) -> None:
        """Refuse, in words, a trail that is not there: a mistyped place reads as empty."""
        if not self.exists():
            raise self.backend.missing()

    # -- writing ------------------------------------------------------------------------------

    def record(self, entry: Entry) -> int:
        """Record one answer; returns its id."""
        return self.record_many([entry])[0]

    def record_many(self, entries: Iterable[Entry]) -> list[int]:
        """Record several answers in one transaction; returns their ids in order."""
        with self.backend.errors(), self.backend.writing(create=True) as writer:
            appender = _Appender(writer)
            ids = [appender.advice(entry) for entry in entries]
            appender.write()
            return ids

    def redact(self, record_id: int, fields: Iterable[str]) -> Redaction:
        """Blank these fields of a record, record that, and leave no old copy in the files."""
        with self.backend.errors():
            with self.backend.writing(create=False, scrub=True) as writer:
                row = writer.row(record_id) if _checked_id(record_id) else None
                if row is None:
                    raise _no_record(record_id)
                if row["kind"] != "advice":
                    raise AuditError(f"record {record_id} is not advice and holds nothing personal")
                columns, blanked = chain.redacted_columns(row, fields)
                if blanked:
                    writer.replace_columns(record_id, columns)
                    appender = _Appender(writer)
                    appender.append(
                        kind="redaction",
                        source="audit redact",
                        today=None,
                        facts={},
                        rule_base_version=None,
                        trace=[],
                        answer={"redacted_record": record_id, "fields": blanked},
                    )
                    appender.write()
            return Redaction(blanked, self.backend.clear_old_copies())

    def copy_to(self, target: AuditStore) -> int:
        """Copy every record and rule base, unchanged, into an empty trail; returns how many
        records. The copy is one transaction: it is whole or not there."""
        self.require()
        checked = self.verify()
        if not checked.ok:
            raise AuditError(
                f"the audit trail at {self.location} does not verify ({checked.problem}): "
                "it is not copied",
                suggestion="see `followup audit verify`",
            )
        with self.backend.errors(), target.backend.errors():
            with target.backend.writing(create=True) as writer:
                if writer.head() is not None:
                    raise AuditError(
                        f"the audit trail at {target.location} already holds records: "
                        "a copy goes only into an empty one",
                        suggestion="give an empty database with --to",
                    )
                for version, files, stored_at in self.backend.rule_bases():
                    writer.add_rule_base(version, files, stored_at)
                count = 0
                for row in self.backend.rows():
                    writer.add_records([{name: v for name, v in row.items() if name != "seq"}])
                    count += 1
        return count

    # -- reading ------------------------------------------------------------------------------

    def get(self, record_id: int) -> AuditRecord:
        self.require()
        with self.backend.errors():
            row = self.backend.row(record_id) if _checked_id(record_id) else None
        if row is None:
            raise _no_record(record_id)
        return _record(row)

    def records(
        self,
        since: datetime.date | None = None,
        action: str | None = None,
        *,
        before: int | None = None,
        newest_first: bool = False,
    ) -> Iterator[AuditRecord]:
        """Advice records in order (or newest first), optionally from a day on, of one action,
        and with ids below `before` (the next page of a list)."""
        rows = self._rows(kind="advice", since=since, before=before, newest_first=newest_first)
        for row in rows:
            record = _record(row)
            if action is None or record.answer.get("action") == action:
                yield record

    def all_records(self) -> Iterator[AuditRecord]:
        for row in self._rows():
            yield _record(row)

    def rule_files(self, version: str) -> dict[str, str]:
        """The files of a stored rule base, only once they are checked to be exactly it."""
        with self.backend.errors():
            found = self.backend.rule_files(version)
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

    def _rows(self, **filters: Any) -> Generator[Row, None, None]:
        if not self.exists():
            return
        # The errors of a lazy read surface while it is iterated, so they are turned there.
        with self.backend.errors():
            yield from self.backend.rows(**filters)

    # -- checking -----------------------------------------------------------------------------

    def verify(self) -> Verification:
        """Walk the chain; name the first record edited, deleted or reordered, or the damage."""
        self.require()
        try:
            with self.backend.errors():
                missing = self.backend.missing_tables()
            if missing:
                return Verification(
                    0,
                    f"the audit database is damaged: it has no {missing[0]} table",
                    whole_database=True,
                )
            problems: dict[str, str | None] = {}

            def rule_base_problem(version: str) -> str | None:
                if version not in problems:
                    with self.backend.errors():
                        found = self.backend.rule_files(version)
                    problems[version] = (
                        "it is missing from the audit database"
                        if found is None
                        else chain.rule_files_problem(version, found)
                    )
                return problems[version]

            rows = self._rows()
            try:
                return chain.verify(rows, rule_base_problem)
            finally:
                rows.close()
        except AuditDamaged as error:
            return Verification(0, f"the audit database {error.reason}", whole_database=True)


class _Appender:
    """Appends inside one write transaction. The writer holds the chain head, so it is read
    once and then followed here, each rule base is stored once, and the new records are
    written together by `write`: a batch costs a few round trips, not one a record, which
    matters when the database is on another machine."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.head = writer.head()
        self.stored: set[str] = set()
        self.rows: list[dict[str, Any]] = []

    def advice(self, entry: Entry) -> int:
        version = entry.rule_base.version
        if version not in self.stored:
            self.writer.add_rule_base(version, _files_text(entry.rule_base), _now())
            self.stored.add(version)
        answer = entry.answer
        # The values' canonical texts, written from the answer and the case themselves: the
        # texts canonical() writes of their JSON, without building it first.
        return self._add(
            chain.written_row(
                **self._next(),
                kind="advice",
                source=entry.source,
                today=entry.case.today.isoformat(),
                rule_base_version=version,
                trace_text=canonical_trace(answer.outcome.trace),
                facts_texts=fact_texts(entry.case.given),
                answer_texts=answer_texts(answer),
            )
        )

    def append(self, **content: Any) -> int:
        """Append a record of this content (as chain.new_row takes it) after the chain head."""
        return self._add(chain.new_row(**self._next(), **content))

    def _next(self) -> dict[str, Any]:
        """Where the next record goes: its id follows the chain head's, gap-free."""
        head = self.head
        return {
            "record_id": head[0] + 1 if head else 1,
            "prev_hash": head[1] if head else chain.GENESIS,
            "recorded_at": _now(),
        }

    def _add(self, row: dict[str, Any]) -> int:
        self.rows.append(row)
        self.head = (row["id"], row["record_hash"])
        return self.head[0]

    def write(self) -> None:
        """Write the records appended, before the transaction commits."""
        self.writer.add_records(self.rows)
        self.rows.clear()


# Each rule base's files as stored, written out once a process: they are tens of kilobytes,
# and every transaction stores them (the store ignores a version it holds already).
_FILES_TEXT: dict[str, str] = {}


def _files_text(rule_base: RuleBase) -> str:
    if rule_base.version not in _FILES_TEXT:
        _FILES_TEXT[rule_base.version] = chain.canonical(dict(rule_base.files))
    return _FILES_TEXT[rule_base.version]


def _checked_id(record_id: int) -> bool:
    """Whether an id can name a record at all (both stores hold 64-bit integers)."""
    return 0 < record_id <= LARGEST_RECORD_ID


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
