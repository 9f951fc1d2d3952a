"""Numbered schema migrations for the audit store; each runs in one transaction with its record."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from engine import AdvisorError

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(name: str) -> Callable[[Migration], Migration]:
    """Register a migration; they run in the order they are registered."""

    def register(function: Migration) -> Migration:
        MIGRATIONS.append((name, function))
        return function

    return register


@migration("records and rule bases")
def _initial(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE rule_bases (
            version TEXT PRIMARY KEY,
            files TEXT NOT NULL,
            stored_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE records (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id INTEGER NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            source TEXT NOT NULL,
            today TEXT,
            facts TEXT NOT NULL,
            rule_base_version TEXT,
            trace TEXT NOT NULL,
            answer TEXT NOT NULL,
            nonces TEXT NOT NULL,
            redacted TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            record_hash TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX records_recorded_at ON records (recorded_at)")


class NewerSchema(AdvisorError):
    """The database was made by a newer version of followup: this one must not write to it."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(f"schema version {found}; this followup knows up to version {known}")
        self.found = found
        self.known = known


class UnknownSchema(AdvisorError):
    """The database holds tables, but not as any version of followup left them."""


def schema_version(db: sqlite3.Connection) -> int:
    """The number of the last migration applied to `db` (0 for a new, empty database)."""
    table = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'"
    ).fetchone()
    if table is None:
        return 0
    number = db.execute("SELECT max(number) FROM migrations").fetchone()[0]
    return number if isinstance(number, int) else 0


def migrate(db: sqlite3.Connection) -> int:
    """Bring the schema up to date; returns how many migrations ran.

    Writes nothing when the schema is current, so reading a database never changes it, and
    refuses (NewerSchema) a database from a newer version rather than write to it.
    """
    found = schema_version(db)
    if found > len(MIGRATIONS):
        raise NewerSchema(found, len(MIGRATIONS))
    ran = 0
    for number, (name, function) in enumerate(MIGRATIONS[found:], start=found + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            if _needs(db, number):
                function(db)
                db.execute("INSERT INTO migrations (number, name) VALUES (?, ?)", (number, name))
                ran += 1
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return ran


def _needs(db: sqlite3.Connection, number: int) -> bool:
    """Whether migration `number` is still to run (asked inside its transaction, because
    another process may have run it since); creates the migrations table on a new database."""
    current = schema_version(db)
    if current >= number:
        return False
    if current == 0:
        if db.execute("SELECT 1 FROM sqlite_master").fetchone() is not None:
            # Tables but no record of migrations: not as any version of followup left it.
            raise UnknownSchema("it has no migrations table")
        db.execute(
            "CREATE TABLE migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )
    return True
