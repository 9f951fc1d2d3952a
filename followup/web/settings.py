"""What one running web app works with: the rules, the audit store, the login gate, the day."""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

from engine import Advisor, AdvisorError, load_rule_base
from engine.loader import RULE_FILES
from explain.words import short_value

from ..audit import AuditStore, Place
from .security import Gate

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
# Values as the CLI writes them: yes/no, ISO dates, "not known".
TEMPLATES.env.filters["plain"] = short_value
STATIC = HERE / "static"
HTMX = "htmx-2.0.11.min.js"


# A rule folder's files as last seen: name, inode, size and time of change of each (a save
# replaces a file, so its inode changes even when its size and the clock's tick do not).
Signature = tuple[tuple[str, int, int, int], ...]


@dataclass
class Settings:
    loaded: Advisor
    gate: Gate
    audit_path: Place | None = None
    today: datetime.date | None = None
    # Whether POST /api/advice records its answers too (`serve --record-api`).
    record_api: bool = False
    # The rule folder the advisor was loaded from: the editor writes it, and every request
    # answers with its rules as they are now (a save in any worker reaches all of them).
    rules_dir: Path | None = None
    _local: threading.local = field(default_factory=threading.local, repr=False)
    _signature: Signature = field(default=(), repr=False)
    _reloading: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.rules_dir is not None:
            self._signature = files_signature(self.rules_dir)

    @property
    def advisor(self) -> Advisor:
        """The advisor on the rule folder's files as they are now (reloaded once they change)."""
        if self.rules_dir is None:
            return self.loaded
        signature = files_signature(self.rules_dir)
        if signature != self._signature:
            with self._reloading:
                if signature != self._signature:
                    self._reload(self.rules_dir)
                    self._signature = signature
        return self.loaded

    def _reload(self, folder: Path) -> None:
        try:
            self.loaded = Advisor(load_rule_base(folder))
        except AdvisorError:
            # Files broken by hand (the editor never saves such files): the advice goes on
            # with the rules last loaded, and `followup rules check` says what is wrong.
            pass

    @property
    def store(self) -> AuditStore | None:
        """The audit store for this thread (None with --no-audit): a store keeps one
        connection (SQLite or PostgreSQL), which only the thread that opened it may use."""
        if self.audit_path is None:
            return None
        store: AuditStore | None = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = AuditStore(self.audit_path)
        return store

    def day(self) -> datetime.date:
        """The day the advice is for: --today, else the system date at each request."""
        return self.today or datetime.date.today()


def files_signature(folder: Path) -> Signature:
    """Cheap to take at every request: a stat of each rule file, no reading."""
    seen = []
    for name in sorted(RULE_FILES.values()):
        try:
            status = (folder / name).stat()
        except OSError:
            seen.append((name, -1, -1, -1))
            continue
        seen.append((name, status.st_ino, status.st_size, status.st_mtime_ns))
    return tuple(seen)


def settings_of(request: Request) -> Settings:
    """The settings of the app serving `request`."""
    settings: Settings = request.app.state.settings
    return settings
