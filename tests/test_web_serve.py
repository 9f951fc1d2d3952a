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
