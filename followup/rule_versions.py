"""The history of a rule folder's saved versions: who saved, when, what changed, the files.

Kept in one SQLite file inside the rule folder (`.versions.sqlite3`), so the history travels
with the rules it describes. Each version is named by the sha256 the audit trail stores for a
rule base, so a recorded answer and the version it came from can be matched.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from engine import AdvisorError
from engine.limits import RULES
from engine.loader import RULE_FILES, rule_base_version
from engine.source import read_text

HISTORY_FILE = ".versions.sqlite3"
# Waiting this long for another save to finish is better than refusing at once.
BUSY_SECONDS = 30
# The author of the files as they were found before the first save.
FOUND = "as found before the first save"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY,
    version TEXT NOT NULL,
    based_on TEXT,
    author TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    changes TEXT NOT NULL,
    files TEXT NOT NULL
)
"""


class HistoryError(AdvisorError):
    """The history of versions cannot be read or written."""


@dataclass(frozen=True)
class Version:
    """One saved version of the rule files."""

    id: int
    version: str
    based_on: str | None
    author: str
    saved_at: str
    changes: tuple[str, ...]
    files: Mapping[str, str]


def current_texts(folder: Path) -> dict[str, str]:
    """The rule files as they are on disk now (bounded as the loader bounds them)."""
    return {name: read_text(folder / name, name, RULES) for name in sorted(RULE_FILES.values())}


class History:
    """The versions saved in one rule folder, oldest first."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / HISTORY_FILE

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        except sqlite3.Error as error:
            raise HistoryError(f"the history at {self.path} cannot be opened: {error}") from None
        try:
            db.execute(_SCHEMA)
            yield db
        except sqlite3.Error as error:
            raise HistoryError(f"the history at {self.path} cannot be used: {error}") from None
        finally:
            db.close()

    @contextmanager
    def saving(self) -> Iterator[sqlite3.Connection]:
        """One save at a time, across processes: the files are read and written inside."""
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def add(
        self,
        db: sqlite3.Connection,
        texts: Mapping[str, str],
        author: str,
        based_on: str | None,
        changes: list[str],
    ) -> int:
        """Record `texts` as a version (inside `saving`); its id."""
        cursor = db.execute(
            "INSERT INTO versions (version, based_on, author, saved_at, changes, files) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                rule_base_version(texts),
                based_on,
                author,
                datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                json.dumps(changes),
                json.dumps(dict(texts)),
            ),
        )
        return int(cursor.lastrowid or 0)

    @staticmethod
    def is_empty(db: sqlite3.Connection) -> bool:
        return bool(db.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 0)

    def versions(self) -> list[Version]:
        """Every saved version, newest first."""
        if not self.path.exists():
            return []
        with self._db() as db:
            rows = db.execute("SELECT * FROM versions ORDER BY id DESC").fetchall()
        return [_version(row) for row in rows]

    def get(self, version_id: int) -> Version | None:
        if not self.path.exists() or not 0 < version_id < 2**63:
            return None
        with self._db() as db:
            row = db.execute("SELECT * FROM versions WHERE id = ?", (version_id,)).fetchone()
        return _version(row) if row else None

    def texts_of(self, version: str) -> dict[str, str] | None:
        """The files of a version by its sha256, when it was saved here."""
        if not self.path.exists():
            return None
        with self._db() as db:
            row = db.execute(
                "SELECT files FROM versions WHERE version = ? ORDER BY id DESC", (version,)
            ).fetchone()
        return dict(json.loads(row[0])) if row else None


def _version(row: tuple[object, ...]) -> Version:
    number, version, based_on, author, saved_at, changes, files = row
    return Version(
        int(str(number)),
        str(version),
        str(based_on) if based_on else None,
        str(author),
        str(saved_at),
        tuple(json.loads(str(changes))),
        dict(json.loads(str(files))),
    )
