"""What one running web app works with: the rules, the audit store, the login gate, the day."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from fastapi.templating import Jinja2Templates

from engine import Advisor

from ..audit import AuditStore
from .security import Gate

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
STATIC = HERE / "static"
HTMX = "htmx-2.0.11.min.js"


@dataclass
class Settings:
    advisor: Advisor
    gate: Gate
    store: AuditStore | None = None
    today: datetime.date | None = None

    def day(self) -> datetime.date:
        """The day the advice is for: --today, else the system date at each request."""
        return self.today or datetime.date.today()
