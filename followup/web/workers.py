"""Several uvicorn workers: each process builds its own app from settings the parent sets.

uvicorn starts each worker from an import string, so the parent passes what it read (the
rules folder, the audit place, the day, the login secret) in one environment variable; every
worker then has the same login secret and records into the same trail.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

from fastapi import FastAPI

from engine import Advisor, load_rule_base
from engine.loader import default_rules_dir

from ..audit import Place
from ..backend import is_url
from .app import create_app
from .security import Gate
from .settings import Settings

ENVIRONMENT = "FOLLOWUP_SERVE_SETTINGS"
FACTORY = "followup.web.workers:app_from_environment"


def to_environment(
    rules_dir: Path | None,
    place: Place | None,
    today: datetime.date | None,
    gate: Gate,
    record_api: bool,
) -> str:
    """The settings as the text of ENVIRONMENT, for the workers to read."""
    return json.dumps(
        {
            "rules": str(rules_dir) if rules_dir else None,
            "audit": str(place) if place is not None else None,
            "today": today.isoformat() if today else None,
            "secret": gate.secret,
            "password_file": gate.from_password_file,
            "ended_sessions": str(gate.ended_file) if gate.ended_file else None,
            "record_api": record_api,
        }
    )


def app_from_environment() -> FastAPI:
    """One worker's app, from the settings its parent put in ENVIRONMENT."""
    given = json.loads(os.environ[ENVIRONMENT])
    rules = Path(given["rules"]) if given["rules"] else None
    audit = given["audit"]
    place: Place | None = None if audit is None else audit if is_url(audit) else Path(audit)
    today = datetime.date.fromisoformat(given["today"]) if given["today"] else None
    ended = given.get("ended_sessions")
    gate = Gate(
        given["secret"],
        from_password_file=given["password_file"],
        ended_file=Path(ended) if ended else None,
    )
    advisor = Advisor(load_rule_base(rules))
    folder = rules or default_rules_dir()
    settings = Settings(
        advisor, gate, place, today, record_api=given["record_api"], rules_dir=folder
    )
    return create_app(settings)
