"""The web app's defences: headers, escaping of what people type, the login, the body limit."""

from __future__ import annotations

import html
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engine import Advisor
from engine.limits import WEB_SESSION_HOURS
from followup.web import Gate
from followup.web.security import (
    CONTENT_SECURITY_POLICY,
    CSRF_FIELD,
    MAX_BODY_BYTES,
    SESSION_COOKIE,
)

from .web_support import csrf, reply, web_client

SCRIPT = "<script>alert(1)</script>"


def test_every_page_forbids_inline_scripts(advisor: Advisor) -> None:
    client = web_client(advisor)
    for path in ("/", "/answer?interview_date=2026-11-20&competing_offer=yes", "/openapi.json"):
        response = client.get(path)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "<script>" not in response.text.replace('<script src="/static/', "")


def test_a_name_like_a_script_shows_as_text(advisor: Advisor) -> None:
    client = web_client(advisor)
    query = {"interview_date": "2026-11-20", "competing_offer": "yes", "candidate_name": SCRIPT}
    page = client.get("/answer", params=query).text
    assert SCRIPT not in page
    assert html.escape(SCRIPT, quote=True) in page or "&lt;script&gt;alert(1)" in page


def test_a_refused_reply_is_shown_escaped(advisor: Advisor) -> None:
    client = web_client(advisor)
    status, _location, body = reply(client, client.get("/").text, SCRIPT)
    assert status == 422
    assert SCRIPT not in body and "&lt;script&gt;" in body


def test_the_audit_needs_the_login(advisor: Advisor) -> None:
    client = web_client(advisor)
    assert client.get("/api/audit/records").status_code == 401
    assert (
        client.get("/api/audit/records", headers={"authorization": "Bearer wrong"}).status_code
        == 401
    )


def test_a_large_form_is_refused_before_it_is_read(advisor: Advisor) -> None:
    client = web_client(advisor)
    data = {"fact": "interview_date", "reply": "x" * (MAX_BODY_BYTES + 1)}
    assert client.post("/", data=data).status_code == 413


def _logged_in_pair(
    advisor: Advisor, audit_db: Path, tmp_path: Path
) -> tuple[TestClient, TestClient]:
    """Two workers' apps with one secret and one file of ended sessions, and one browser's
    session cookie in both (a load balancer may send each request to either)."""
    ended = tmp_path / "ended"
    ended.touch()
    first = web_client(advisor, audit_db, Gate("secret-token", ended_file=ended))
    second = web_client(advisor, audit_db, Gate("secret-token", ended_file=ended))
    assert first.get("/login?token=secret-token", follow_redirects=False).status_code == 303
    second.cookies.set(SESSION_COOKIE, str(first.cookies.get(SESSION_COOKIE)))
    return first, second


def test_a_logout_in_one_worker_ends_the_session_in_all(
    advisor: Advisor, audit_db: Path, tmp_path: Path
) -> None:
    first, second = _logged_in_pair(advisor, audit_db, tmp_path)
    assert second.get("/audit", follow_redirects=False).status_code == 200
    first.post("/logout", data={CSRF_FIELD: csrf(first)}, follow_redirects=False)
    response = second.get("/audit", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert "secret-token" not in (tmp_path / "ended").read_text()


def test_a_session_ends_by_itself_after_a_working_day(
    advisor: Advisor, audit_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _second = _logged_in_pair(advisor, audit_db, tmp_path)
    assert first.get("/audit", follow_redirects=False).status_code == 200
    later = time.time() + WEB_SESSION_HOURS * 3600 + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert first.get("/audit", follow_redirects=False).status_code == 303


def test_a_forged_session_is_refused(advisor: Advisor, audit_db: Path, tmp_path: Path) -> None:
    first, _second = _logged_in_pair(advisor, audit_db, tmp_path)
    session = str(first.cookies.get(SESSION_COOKIE))
    nonce, began, signature = session.split(".")
    for forged in (f"{nonce}.{int(began) + 3600}.{signature}", f"{nonce}.{began}.0", "x" * 500):
        stranger = web_client(advisor, audit_db, Gate("secret-token"))
        stranger.cookies.set(SESSION_COOKIE, forged)
        assert stranger.get("/audit", follow_redirects=False).status_code == 303
    stranger = web_client(advisor, audit_db, Gate("secret-token"))
    stranger.cookies.set(SESSION_COOKIE, session)
    assert stranger.get("/audit", follow_redirects=False).status_code == 200
