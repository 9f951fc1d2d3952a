"""The audit trail's rows in one SQLite file (WAL): the embedded, single-machine store."""

from __future__ import annotations

import datetime
import sqlite3
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Any

from .backend import AuditDamaged, Row, schema_errors, unusable
from .chain import AuditError
from .migrations import migrate

# How long a redaction waits for other readers before leaving old pages in the -wal file.
CHECKPOINT_WAIT_MS = 5000
TABLES = ("records", "rule_bases")


class SqliteBackend:
    """A trail in an SQLite file, opened on first use with its schema brought up to date."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.location = str(path)
        self.leftovers = f"{path} or its -wal file"
        self._db: sqlite3.Connection | None = None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def exists(self) -> bool:
        return self._db is not None or self.path.exists()

    def missing(self) -> AuditError:
        return AuditError(
            f"no audit database at {self.path}: nothing has been recorded there yet",
            suggestion="give its place with --audit-db",
        )

    # -- opening ------------------------------------------------------------------------------

    def _connect(self, *, create: bool) -> sqlite3.Connection:
        if self._db is not None:
            return self._db
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.exists():
            raise self.missing()
        mode = "rwc" if create else "rw"
        uri = f"file:{urllib.parse.quote(str(self.path.resolve()))}?mode={mode}"
        db = sqlite3.connect(uri, uri=True, timeout=60, isolation_level=None)
        try:
            migrate(_Schema(db))
            if create:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            db.close()
            raise
        self._db = db
        return db

    @contextmanager
    def errors(self) -> Iterator[None]:
        try:
            with schema_errors(self.location):
                yield
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
            table = text.split(": ", 1)[1]
            return AuditDamaged(self.location, f"is damaged: it has no {table} table")
        if type(error) is sqlite3.DatabaseError or "malformed" in text:
            return AuditDamaged(self.location, f"is damaged: {text}")
        return unusable(self.location, text)

    # -- writing ------------------------------------------------------------------------------

    @contextmanager
    def writing(self, *, create: bool, scrub: bool = False) -> Iterator[_Writer]:
        db = self._connect(create=create)
        if scrub:
            # Freed space is zeroed, so no old copy of the blanked text stays in a page.
            db.execute("PRAGMA secure_delete = ON")
        # BEGIN IMMEDIATE takes SQLite's one write lock: the chain head cannot move under us.
        with _transaction(db):
            yield _Writer(db, self)

    def clear_old_copies(self) -> bool:
        """Copy the -wal file into the database and empty it; False if a reader kept it."""
        db = self._connect(create=False)
        db.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
        busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        return bool(busy == 0)

    # -- reading ------------------------------------------------------------------------------

    def rows(
        self,
        *,
        kind: str | None = None,
        since: datetime.date | None = None,
        before: int | None = None,
        newest_first: bool = False,
    ) -> Iterator[Row]:
        query = "SELECT * FROM records WHERE 1 = 1"
        parameters: list[object] = []
        if kind is not None:
            query += " AND kind = ?"
            parameters.append(kind)
        if since is not None:
            query += " AND recorded_at >= ?"
            parameters.append(since.isoformat())
        if before is not None:
            query += " AND id < ?"
            parameters.append(before)
        return self._select(
            query + (" ORDER BY seq DESC" if newest_first else " ORDER BY seq"), parameters
        )

    def row(self, record_id: int) -> Row | None:
        return next(self._select("SELECT * FROM records WHERE id = ?", [record_id]), None)

    def _select(self, query: str, parameters: list[Any]) -> Iterator[Row]:
        cursor = self._connect(create=False).cursor()
        cursor.row_factory = _as_dict
        yield from cursor.execute(query, parameters)

    def rule_files(self, version: str) -> Any:
        db = self._connect(create=False)
        row = db.execute("SELECT files FROM rule_bases WHERE version = ?", (version,)).fetchone()
        return None if row is None else row[0]

    def rule_bases(self) -> Iterator[tuple[str, str, str]]:
        db = self._connect(create=False)
        yield from db.execute("SELECT version, files, stored_at FROM rule_bases ORDER BY version")

    def missing_tables(self) -> list[str]:
        db = self._connect(create=False)
        return [table for table in TABLES if not _has_table(db, table)]


class _Writer:
    def __init__(self, db: sqlite3.Connection, backend: SqliteBackend) -> None:
        self.db = db
        self.backend = backend

    def head(self) -> tuple[int, str] | None:
        last = self.db.execute(
            "SELECT id, record_hash FROM records ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return None if last is None else (last[0], last[1])

    def add_rule_base(self, version: str, files: str, stored_at: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO rule_bases (version, files, stored_at) VALUES (?, ?, ?)",
            (version, files, stored_at),
        )

    def add_records(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        names = list(rows[0])
        # Values bound by position: binding by name looks each one up in its row by a name
        # made anew, a dozen times a record.
        values = map(itemgetter(*names), rows)
        self.db.executemany(
            f"INSERT INTO records ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            values,
        )

    def replace_columns(self, record_id: int, columns: Mapping[str, str]) -> None:
        assignments = ", ".join(f"{name} = :{name}" for name in columns)
        self.db.execute(
            f"UPDATE records SET {assignments} WHERE id = :id", {**columns, "id": record_id}
        )

    def row(self, record_id: int) -> Row | None:
        return self.backend.row(record_id)


class _Schema:
    """What the migrations need of an SQLite connection."""

    dialect = "sqlite"

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def version(self) -> int:
        if not _has_table(self.db, "migrations"):
            return 0
        number = self.db.execute("SELECT max(number) FROM migrations").fetchone()[0]
        return number if isinstance(number, int) else 0

    def has_tables(self) -> bool:
        return self.db.execute("SELECT 1 FROM sqlite_master").fetchone() is not None

    def migration_transaction(self) -> AbstractContextManager[None]:
        return _transaction(self.db)

    def run(self, statement: str) -> None:
        self.db.execute(statement)

    def mark(self, number: int, name: str) -> None:
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS migrations (number INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )
        self.db.execute("INSERT INTO migrations (number, name) VALUES (?, ?)", (number, name))


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


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return db.execute(query, (name,)).fetchone() is not None


def _as_dict(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}
