"""`followup serve`: the address and the login printed at start, and a bad password file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn

from .conftest import RunCli


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """uvicorn.run replaced: what it was asked to serve, without serving."""
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(app=app, **options))
    return seen


def test_serve_prints_the_address_and_the_login(run_cli: RunCli, started: dict[str, Any]) -> None:
    result = run_cli("serve")
    assert result.exit_code == 0
    assert "followup is open at http://127.0.0.1:8000/" in result.stdout
    assert "Audit pages: http://127.0.0.1:8000/login?token=" in result.stdout
    assert started["host"] == "127.0.0.1" and started["port"] == 8000


def test_serve_with_a_password_file_prints_no_token(
    run_cli: RunCli, started: dict[str, Any], tmp_path: Path
) -> None:
    password = tmp_path / "password"
    password.write_text("correct horse\n")
    result = run_cli("serve", "--port", "8123", "--password-file", str(password))
    assert "token=" not in result.stdout
    assert f"(the password in {password})" in result.stdout
    assert started["app"].state.settings.gate.matches("correct horse")


def test_an_empty_password_file_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    password = tmp_path / "password"
    password.write_text("\n")
    result = run_cli("serve", "--password-file", str(password))
    assert result.exit_code == 2
    assert "the password file" in result.stderr and "is empty" in result.stderr


def test_several_workers_share_one_login_and_one_trail(
    run_cli: RunCli, started: dict[str, Any], monkeypatch: pytest.MonkeyPatch, audit_db: Path
) -> None:
    from followup.web.workers import ENVIRONMENT, FACTORY, app_from_environment

    monkeypatch.delenv(ENVIRONMENT, raising=False)
    result = run_cli("serve", "--workers", "3", "--record-api", "--today", "2026-11-26")
    assert result.exit_code == 0
    assert started["app"] == FACTORY and started["workers"] == 3 and started["factory"]
    app = app_from_environment()
    settings = app.state.settings
    assert f"login?token={settings.gate.secret}" in result.stdout
    assert settings.audit_path == audit_db and settings.record_api
    assert str(settings.today) == "2026-11-26"
    monkeypatch.delenv(ENVIRONMENT)


def test_record_api_records_each_answer(trail: Any) -> None:
    from fastapi.testclient import TestClient

    from engine import Advisor, load_rule_base
    from followup.web import Gate, Settings, create_app

    settings = Settings(Advisor(load_rule_base()), Gate.with_token(), trail.place, record_api=True)
    client = TestClient(create_app(settings))
    facts = {"interview_date": "2026-11-20", "timeline_given": False, "today": "2026-11-26"}
    first = client.post("/api/advice", json=facts)
    second = client.post("/api/advice", json=facts)
    assert first.status_code == 200 and first.headers["X-Followup-Record"] == "1"
    assert second.headers["X-Followup-Record"] == "2"
    assert trail.count() == 2


def test_a_login_holds_in_every_worker_and_a_forged_session_does_not() -> None:
    from starlette.requests import Request

    from followup.web.security import SESSION_COOKIE, Gate

    def with_cookie(value: str) -> Request:
        cookie = f"{SESSION_COOKIE}={value}".encode()
        return Request({"type": "http", "headers": [(b"cookie", cookie)]})

    here, there = Gate("shared secret"), Gate("shared secret")
    session = here.open_session()
    assert there.allows(with_cookie(session))
    assert not there.allows(with_cookie(session.split(".")[0] + ".0" * 32))
    assert not Gate("another secret").allows(with_cookie(session))
    here.close_session(with_cookie(session))
    assert not here.allows(with_cookie(session))


def test_record_api_without_an_audit_trail_is_refused(run_cli: RunCli) -> None:
    result = run_cli("serve", "--record-api", "--no-audit")
    assert result.exit_code == 2 and "--no-audit" in result.stderr
