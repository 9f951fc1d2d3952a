"""What one running web app works with: the rules, the audit store, the login gate, the day."""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.templating import Jinja2Templates

from engine import Advisor
from explain.words import short_value

from ..audit import AuditStore, Place
from .security import Gate

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
# Values as the CLI writes them: yes/no, ISO dates, "not known".
TEMPLATES.env.filters["plain"] = short_value
STATIC = HERE / "static"
HTMX = "htmx-2.0.11.min.js"


@dataclass
class Settings:
    advisor: Advisor
    gate: Gate
    audit_path: Place | None = None
    today: datetime.date | None = None
    # Whether POST /api/advice records its answers too (`serve --record-api`).
    record_api: bool = False
    _local: threading.local = field(default_factory=threading.local, repr=False)

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
