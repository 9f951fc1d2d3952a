"""Numbered schema migrations for the audit store; each runs in one transaction with its record."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

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


def migrate(db: sqlite3.Connection) -> int:
    """Bring the schema up to date; returns how many migrations ran."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )
    ran = 0
    for number, (name, function) in enumerate(MIGRATIONS, start=1):
        db.execute("BEGIN IMMEDIATE")
        try:
            done = db.execute("SELECT 1 FROM migrations WHERE number = ?", (number,)).fetchone()
            if done is None:
                function(db)
                db.execute("INSERT INTO migrations (number, name) VALUES (?, ?)", (number, name))
                ran += 1
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return ran
