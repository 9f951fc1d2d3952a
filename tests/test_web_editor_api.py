"""The rule editor's API: behind the login, previews, saves as versions, 409 on a stale save."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from engine import Advisor, load_rule_base, read_case
from followup.audit import AuditStore, Entry
from followup.web import Gate, Settings, create_app

from .web_support import DAY

BEARER = {"authorization": "Bearer secret-token"}
PLUS_DAYS = "rule/two_weeks_when_unsure/then/first_followup_day/plus_days"
UNSURE = {
    "interview_date": "2026-11-16",
    "timeline_given": False,
    "followups_sent": 0,
    "culture": "unsure",
}


def editor_client(folder: Path, audit_db: Path | None = None) -> TestClient:
    settings = Settings(
        Advisor(load_rule_base(folder)), Gate("secret-token"), audit_db, DAY, rules_dir=folder
    )
    return TestClient(create_app(settings))


def _version(client: TestClient) -> str:
    return str(client.get("/api/rules", headers=BEARER).json()["version"])


def _ten_days(based_on: str, **extra: Any) -> dict[str, Any]:
    return {"based_on": based_on, "changes": [{"field": PLUS_DAYS, "value": 10}], **extra}


def test_every_editor_endpoint_needs_the_login(rules_copy: Path) -> None:
    client = editor_client(rules_copy)
    assert client.get("/api/rules").status_code == 401
    assert client.get("/api/rules/history").status_code == 401
    assert client.post("/api/rules/preview", json={}).status_code == 401
    assert client.post("/api/rules/save", json=_ten_days("x")).status_code == 401
    restore = {"version_id": 1, "based_on": "x"}
    assert client.post("/api/rules/restore", json=restore).status_code == 401


def test_the_rule_files_in_structured_form(rules_copy: Path) -> None:
    body = editor_client(rules_copy).get("/api/rules", headers=BEARER).json()
    assert body["version"] == load_rule_base(rules_copy).version
    unsure = next(rule for rule in body["rules"] if rule["id"] == "two_weeks_when_unsure")
    assert unsure["then"]["first_followup_day"]["plus_days"] == 14
    assert body["facts"]["culture"]["type"] == "choice"
    assert "first_followup" in body["messages"]


def test_a_preview_shows_check_scenarios_and_impact(rules_copy: Path, audit_db: Path) -> None:
    client = editor_client(rules_copy, audit_db)
    headers = {**BEARER, "X-Followup-Record": "1"}
    client.post("/api/advice", json=UNSURE, headers=headers)

    advisor = Advisor(load_rule_base(rules_copy))
    case = read_case(UNSURE, advisor.rule_base, today=DAY)
    AuditStore(audit_db).record(Entry(advisor.advise(case), case, advisor.rule_base, "test"))
    body = client.post("/api/rules/preview", headers=BEARER, json=_ten_days("")).json()
    assert body["sound"] and body["problems"] == []
    assert any("+ 10 days" in change for change in body["changes"])
    assert body["scenarios"] and body["scenarios"][0]["where"].startswith("tests/")
    assert body["impact"]["changed"] == 1
    assert body["impact"]["in_words"] == "1 past answer would change (of 1 compared)."
    example = body["impact"]["examples"][0]
    assert example["before"].startswith("wait") and example["after"].startswith("follow_up_now")


def test_a_mistake_is_named_at_its_field(rules_copy: Path) -> None:
    client = editor_client(rules_copy)
    negative = {"changes": [{"field": PLUS_DAYS, "value": -3}]}
    body = client.post("/api/rules/preview", headers=BEARER, json=negative).json()
    assert not body["sound"]
    assert body["problems"][0]["field"] == PLUS_DAYS
    assert body["problems"][0]["message"] == "`plus_days` is at least 0, not -3"
    nowhere = {"changes": [{"field": "rule/no_such_rule/priority", "value": 1}]}
    refused = client.post("/api/rules/preview", headers=BEARER, json=nowhere)
    assert refused.status_code == 400
    assert "there is no rule 'no_such_rule'" in refused.json()["error"]


def test_a_misspelt_fact_in_a_new_rule_is_refused_at_its_condition(rules_copy: Path) -> None:
    client = editor_client(rules_copy)
    rule = {
        "id": "three_strikes",
        "priority": 95,
        "when": [{"fact": "folowups_sent", "op": "at_least", "value": 3}],
        "then": [{"fact": "action", "value": "move_on"}, {"fact": "follow_up_on"}],
        "reason": "Three is enough.",
        "source": "paragraph 6",
    }
    saved = client.post(
        "/api/rules/save", headers=BEARER, json={"based_on": _version(client), "add_rules": [rule]}
    )
    assert saved.status_code == 400
    [problem] = saved.json()["review"]["problems"]
    assert problem["field"].startswith("rule/three_strikes/when/0")
    assert "did you mean `followups_sent`?" in problem["message"]


def test_a_save_is_a_new_version_the_advice_uses(rules_copy: Path) -> None:
    client = editor_client(rules_copy)
    before = client.post("/api/advice", json=UNSURE).json()
    assert before["follow_up_on"] == "2026-11-30"
    saved = client.post(
        "/api/rules/save", headers=BEARER, json=_ten_days(_version(client), author="Dana")
    )
    assert saved.status_code == 200
    assert saved.json()["version"] == load_rule_base(rules_copy).version
    after = client.post("/api/advice", json=UNSURE).json()
    assert after["action"] == "follow_up_now"
    assert after["rule_base"]["version"] == saved.json()["version"]
    history = client.get("/api/rules/history", headers=BEARER).json()
    assert [entry["author"] for entry in history] == ["Dana", "as found before the first save"]


def test_a_stale_save_is_409_with_both_changes(rules_copy: Path) -> None:
    client = editor_client(rules_copy)
    first = _version(client)
    assert client.post("/api/rules/save", headers=BEARER, json=_ten_days(first)).status_code == 200
    other = {"based_on": first, "changes": [{"field": PLUS_DAYS, "value": 12}]}
    stale = client.post("/api/rules/save", headers=BEARER, json=other)
    assert stale.status_code == 409
    body = stale.json()
    assert any("+ 10 days" in line for line in body["theirs"])
    assert body["yours"] == [
        "rule two_weeks_when_unsure: then first followup day plus days set to 12"
    ]
    assert load_rule_base(rules_copy).rule("two_weeks_when_unsure").then[0].value.plus_days == 10


def test_restore_brings_the_old_advice_back(rules_copy: Path) -> None:
    client = editor_client(rules_copy)
    saved = client.post("/api/rules/save", headers=BEARER, json=_ten_days(_version(client)))
    found = client.get("/api/rules/history", headers=BEARER).json()[-1]
    restored = client.post(
        "/api/rules/restore",
        headers=BEARER,
        json={"version_id": found["id"], "based_on": saved.json()["version"]},
    )
    assert restored.status_code == 200
    assert restored.json()["version"] == found["version"]
    assert client.post("/api/advice", json=UNSURE).json()["follow_up_on"] == "2026-11-30"
    missing = {"version_id": 99, "based_on": found["version"]}
    assert client.post("/api/rules/restore", headers=BEARER, json=missing).status_code == 404


def test_a_server_without_a_rule_folder_edits_nothing(advisor: Advisor) -> None:
    client = TestClient(create_app(Settings(advisor, Gate("secret-token"), None, DAY)))
    assert client.get("/api/rules", headers=BEARER).status_code == 404


def test_text_a_rule_file_cannot_hold_is_refused_at_its_field(rules_copy: Path) -> None:
    client = editor_client(rules_copy)
    reason = "rule/reach_out_sooner/reason"
    body = {"changes": [{"field": reason, "value": "a\u0007b"}]}
    refused = client.post("/api/rules/preview", json=body, headers=BEARER)
    assert refused.status_code == 400
    assert refused.json()["where"] == reason
    assert "a control character (\\x07)" in refused.json()["error"]
    # Half a character cannot even be read: refused with the body's shape, never echoed.
    half = '{"changes": [{"field": "' + reason + '", "value": "a\\ud800b"}]}'
    headers = {**BEARER, "content-type": "application/json"}
    refused = client.post("/api/rules/preview", content=half, headers=headers)
    assert refused.status_code == 422
    assert "ud800" not in refused.text


def test_another_worker_answers_with_the_saved_rules(rules_copy: Path) -> None:
    # Two apps on one folder, as two `serve --workers` processes: a save in one reaches both.
    saving, other = editor_client(rules_copy), editor_client(rules_copy)
    assert other.post("/api/advice", json=UNSURE).json()["follow_up_on"] == "2026-11-30"
    saved = saving.post("/api/rules/save", headers=BEARER, json=_ten_days(_version(saving)))
    answer = other.post("/api/advice", json=UNSURE).json()
    assert answer["rule_base"]["version"] == saved.json()["version"]
    assert answer["action"] == "follow_up_now"
