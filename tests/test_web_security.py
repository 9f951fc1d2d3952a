"""The web app's defences: headers, escaping of what people type, the login, the body limit."""

from __future__ import annotations

import html

from engine import Advisor
from followup.web.security import CONTENT_SECURITY_POLICY, MAX_BODY_BYTES

from .web_support import reply, web_client

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
