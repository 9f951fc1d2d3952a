"""The JSON API: the CLI's own JSON and refusals, batches, audit records, and its schema."""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from engine import Advisor, load_rule_base
from followup.web import Gate, Settings, create_app

from .conftest import RULES, TODAY, RunCli
from .web_support import DAY, web_client

FACTS = {"interview_date": "2026-11-16", "followups_sent": 1}


def test_advice_is_what_advise_format_json_prints(advisor: Advisor, run_cli: RunCli) -> None:
    facts = {"interview_date": "2026-11-20", "timeline_given": True, "decision_date": "2026-12-04"}
    response = web_client(advisor).post("/api/advice", json=facts)
    printed = run_cli(
        "advise",
        "--no-audit",
        "--format",
        "json",
        "--today",
        TODAY,
        *(f"--set={name}={str(value).lower()}" for name, value in facts.items()),
    )
    assert response.status_code == 200
    assert response.json() == json.loads(printed.stdout)


def test_a_refusal_is_422_naming_the_fact_in_the_clis_words(
    advisor: Advisor, run_cli: RunCli, tmp_path: Path
) -> None:
    response = web_client(advisor).post("/api/advice", json=FACTS)
    facts_file = tmp_path / "facts.json"
    facts_file.write_text(json.dumps(FACTS))
    refused = run_cli("advise", str(facts_file), "--format", "json", "--today", TODAY)
    cli = json.loads(refused.stderr)
    assert response.status_code == 422
    body = response.json()
    assert body["fact"] == cli["fact"] == "last_followup_date"
    assert body["error"].split(": ", 1)[1] == cli["error"].split(": ", 1)[1]


@pytest.mark.parametrize(
    ("content", "kind", "status"),
    [
        ("not json at all {", "application/json", 422),
        ("{}", "text/plain", 415),
        ("[1]", "application/json", 422),
    ],
)
def test_bad_bodies_are_refused_in_words(
    advisor: Advisor, content: str, kind: str, status: int
) -> None:
    response = web_client(advisor).post(
        "/api/advice", content=content, headers={"content-type": kind}
    )
    assert response.status_code == status
    assert response.json()["error"]


def test_a_body_over_the_limit_is_refused_unread(advisor: Advisor) -> None:
    body = json.dumps({"interview_date": "2026-11-16", "role": "x" * 2_000_000})
    response = web_client(advisor).post(
        "/api/advice", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_batch_answers_each_line_in_order(advisor: Advisor) -> None:
    lines = [json.dumps({"interview_date": "2026-11-16"}), "{broken", json.dumps(FACTS)]
    response = web_client(advisor).post(
        "/api/batch", content="\n".join(lines), headers={"content-type": "application/x-ndjson"}
    )
    answers = [json.loads(line) for line in response.text.splitlines()]
    assert answers[0]["action"] == "wait"
    assert answers[1]["line"] == 2 and "not valid JSON" in answers[1]["error"]
    assert answers[2]["line"] == 3


def test_audit_records_need_the_token(advisor: Advisor, audit_db: Path) -> None:
    client = web_client(advisor, audit_db, Gate("secret-token"))
    assert client.get("/api/audit/records").status_code == 401
    bearer = {"authorization": "Bearer secret-token"}
    assert client.get("/api/audit/records", headers=bearer).json() == []
    assert client.get("/api/audit/records/1", headers=bearer).status_code == 404


@schemathesis.serializer("application/x-ndjson")
def _json_lines(_context: object, value: object) -> bytes:
    """Whatever schemathesis makes for a JSON-lines body, sent as text."""
    if isinstance(value, bytes):
        return value
    return (value if isinstance(value, str) else json.dumps(value)).encode("utf-8", "replace")


# The editor's endpoints write their rule folder: a copy, removed when the tests end.
EDITED = Path(tempfile.mkdtemp(prefix="followup-schema-")) / "rules"
shutil.copytree(RULES, EDITED)
atexit.register(shutil.rmtree, EDITED.parent, ignore_errors=True)
APP = create_app(
    Settings(Advisor(load_rule_base(EDITED)), Gate("secret-token"), None, DAY, rules_dir=EDITED)
)
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)


@SCHEMA.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_schema(case: schemathesis.Case) -> None:
    # No 500s; every status, content type and body as the schema says.
    # Logged in, so that the audit records and the rule editor answer past the login too.
    case.call_and_validate(
        headers={"authorization": "Bearer secret-token"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
        excluded_checks=None,
    )
