"""A web app on the shipped rules and a fixed day, and a client that keeps its cookies."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from fastapi.testclient import TestClient

from engine import Advisor
from followup.web import Gate, Settings, create_app
from followup.web.security import CSRF_COOKIE

DAY = datetime.date(2026, 11, 26)
# A whole consultation as a person answers it, with the headline it leads to.
NO_TIMELINE = ["10 days ago", "no", "no", "0", "no", "unsure", ""]  # no country given
NO_TIMELINE_HEADLINE = "Wait — follow up on Monday 30 November 2026, in 4 days"


def web_client(
    advisor: Advisor, audit_db: Path | None = None, gate: Gate | None = None
) -> TestClient:
    settings = Settings(advisor, gate or Gate("secret-token"), audit_db, DAY)
    client = TestClient(create_app(settings))
    client.get("/")  # a first visit sets the CSRF cookie, as a browser's would
    return client


def csrf(client: TestClient) -> str:
    return str(client.cookies.get(CSRF_COOKIE))


def reply(client: TestClient, page: str, text: str) -> tuple[int, str, str]:
    """Answer the question on `page` (its HTML) as its form would; status, location, body."""
    fact = re.search(r'name="fact" value="([^"]+)"', page)
    assert fact, page
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
    hidden.pop("csrf_token", None)
    hidden.pop("fact", None)
    data = {**hidden, "fact": fact[1], "reply": text, "csrf_token": csrf(client)}
    response = client.post("/", data=data, follow_redirects=False)
    return response.status_code, response.headers.get("location", ""), response.text
