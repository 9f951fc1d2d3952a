"""The audit pages: behind the login, a record with its graph, replay, verify and redaction."""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.testclient import TestClient

from engine import Advisor, read_case
from followup.audit import AuditStore, Entry
from followup.web import Gate
from followup.web.audit_pages import AUDIT_PAGE

from .web_support import DAY, csrf, web_client

FACTS = {"interview_date": "2026-11-20", "competing_offer": True, "candidate_name": "<b>Ada</b>"}


def record_one(advisor: Advisor, audit_db: Path) -> int:
    case = read_case(dict(FACTS), advisor.rule_base, today=DAY)
    entry = Entry(advisor.advise(case), case, advisor.rule_base, "web")
    return AuditStore(audit_db).record(entry)


def logged_in(advisor: Advisor, audit_db: Path) -> TestClient:
    client = web_client(advisor, audit_db, Gate("secret-token"))
    response = client.get("/login?token=secret-token", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/audit"
    return client


def test_audit_pages_send_strangers_to_the_login(advisor: Advisor, audit_db: Path) -> None:
    client = web_client(advisor, audit_db, Gate("secret-token"))
    for path in ("/audit", "/audit/1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/login?token=wrong").status_code == 401


def test_the_list_filters_by_advice(advisor: Advisor, audit_db: Path) -> None:
    record_one(advisor, audit_db)
    client = logged_in(advisor, audit_db)
    assert 'href="/audit/1"' in client.get("/audit?action=follow_up_now").text
    assert 'href="/audit/1"' not in client.get("/audit?action=wait").text
    assert client.get("/audit?since=someday").status_code == 422


def test_the_list_comes_a_page_at_a_time_newest_first(advisor: Advisor, audit_db: Path) -> None:
    case = read_case(dict(FACTS), advisor.rule_base, today=DAY)
    entry = Entry(advisor.advise(case), case, advisor.rule_base, "web")
    AuditStore(audit_db).record_many([entry] * (AUDIT_PAGE + 10))
    client = logged_in(advisor, audit_db)
    first = client.get("/audit?action=follow_up_now").text
    ids = [int(found) for found in re.findall(r'href="/audit/(\d+)"', first)]
    assert ids == list(range(AUDIT_PAGE + 10, 10, -1))
    older = re.search(r'href="(/audit\?[^"]+)">Older records', first)
    assert older is not None and "action=follow_up_now" in html.unescape(older[1])
    second = client.get(html.unescape(older[1])).text
    assert [int(found) for found in re.findall(r'href="/audit/(\d+)"', second)] == list(
        range(10, 0, -1)
    )
    assert "Older records" not in second and 'href="/audit?action=follow_up_now">Newest' in second
    # A page address that is not an id shows the newest records.
    assert 'href="/audit/60"' in client.get("/audit?before=" + "9" * 30).text


def test_a_record_page_shows_graph_replay_and_verify(advisor: Advisor, audit_db: Path) -> None:
    record_one(advisor, audit_db)
    page = logged_in(advisor, audit_db).get("/audit/1").text
    assert "Chain intact: 1 records verified." in page
    assert "On the stored rules: same answer" in page
    assert "<svg" in page
    assert "<b>Ada</b>" not in page and html.escape("<b>Ada</b>") in page


def test_redacting_blanks_the_names_and_the_chain_still_verifies(
    advisor: Advisor, audit_db: Path
) -> None:
    record_one(advisor, audit_db)
    client = logged_in(advisor, audit_db)
    response = client.post("/audit/1/redact", data={"csrf_token": csrf(client)})
    assert response.status_code == 200
    assert "Redacted: answer.message, facts.candidate_name." in html.unescape(response.text)
    assert AuditStore(audit_db).verify().ok


def test_redacting_without_the_csrf_token_is_refused(advisor: Advisor, audit_db: Path) -> None:
    record_one(advisor, audit_db)
    client = logged_in(advisor, audit_db)
    assert client.post("/audit/1/redact", data={"csrf_token": "forged"}).status_code == 403
    assert AuditStore(audit_db).get(1).redacted == {}
