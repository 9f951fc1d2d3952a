"""The rule editor's pages: behind the login, checks at the field, saves, stale saves, restore."""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.testclient import TestClient

from engine import Advisor, load_rule_base
from followup.web import Gate, Settings, create_app

from .web_support import DAY, NO_TIMELINE, NO_TIMELINE_HEADLINE, csrf, reply

PLUS_DAYS = "rule/two_weeks_when_unsure/then/first_followup_day/plus_days"
DATE_BASE = "rule/two_weeks_when_unsure/then/first_followup_day/date"
_INPUT = re.compile(r'<input type="(?:text|hidden)"[^>]*? name="([^"]+)" value="([^"]*)"')
_TEXTAREA = re.compile(r'<textarea [^>]*?name="([^"]+)"[^>]*>(.*?)</textarea>', re.S)


def logged_in(folder: Path, audit_db: Path | None = None) -> TestClient:
    settings = Settings(
        Advisor(load_rule_base(folder)), Gate("secret-token"), audit_db, DAY, rules_dir=folder
    )
    client = TestClient(create_app(settings))
    client.get("/login?token=secret-token")
    return client


def form_of(page: str) -> dict[str, str]:
    """What the editor's form posts as it stands (no rule ticked for removal)."""
    fields = {name: html.unescape(value) for name, value in _INPUT.findall(page)}
    fields.update({name: html.unescape(text) for name, text in _TEXTAREA.findall(page)})
    return fields


def post(client: TestClient, page: str, action: str, **values: str) -> tuple[int, str, str]:
    data = {**form_of(page), **values, "action": action, "csrf_token": csrf(client)}
    response = client.post("/rules/edit", data=data, follow_redirects=False)
    return response.status_code, response.headers.get("location", ""), response.text


def error_at(page: str, key: str) -> str:
    found = re.search(rf'<p class="error" role="alert" id="e-{re.escape(key)}">(.*?)</p>', page)
    assert found, f"no error at {key}"
    return html.unescape(found[1])


def test_the_editor_needs_the_login(rules_copy: Path) -> None:
    client = TestClient(
        create_app(Settings(Advisor(load_rule_base(rules_copy)), Gate("x"), None, DAY))
    )
    to_login = client.get("/rules/edit", follow_redirects=False).headers["location"]
    assert to_login == "/login?next=/rules/edit"
    assert client.get("/rules/history", follow_redirects=False).status_code == 303
    login = client.get(to_login).text
    assert '<input type="hidden" name="next" value="/rules/edit">' in login
    data = {"secret": "x", "next": "/rules/edit", "csrf_token": csrf(client)}
    assert client.post("/login", data=data, follow_redirects=False).headers["location"] == (
        "/rules/edit"
    )
    elsewhere = {**data, "next": "https://example.org/"}
    assert client.post("/login", data=elsewhere, follow_redirects=False).headers["location"] == (
        "/audit"
    )


def test_every_rule_is_a_card_with_its_values(rules_copy: Path) -> None:
    page = logged_in(rules_copy).get("/rules/edit").text
    fields = form_of(page)
    assert fields[PLUS_DAYS] == "14" and fields[f"was:{PLUS_DAYS}"] == "14"
    assert fields["rule/reach_out_sooner/priority"] == "100"
    assert fields["rule/move_on_after_several_attempts/when/0/followups_sent/at_least"] == "2"
    assert fields["fact/interview_date/question"].startswith("When was your interview")
    assert "message/first_followup/subject" in fields
    assert "<dt>When</dt><dd>(competing_offer is yes or has_update is yes)</dd>" in page


def test_a_rule_moving_another_rules_day_says_so_on_its_card(tiny_copy: Path) -> None:
    page = logged_in(tiny_copy).get("/rules/edit").text
    assert "<dt>Moves</dt><dd>ask day other rules work out, 3 days later</dd>" in page
    fields = form_of(page)
    assert fields["rule/rare_editions_take_longer/then/ask_day/plus_days"] == "3"


def test_a_negative_number_is_refused_at_its_field(rules_copy: Path) -> None:
    client = logged_in(rules_copy)
    page = client.get("/rules/edit").text
    status, _, shown = post(client, page, "check", **{PLUS_DAYS: "-3"})
    assert status == 422
    assert error_at(shown, PLUS_DAYS) == "“days after it” is at least 0, not -3"
    assert form_of(shown)[PLUS_DAYS] == "-3"  # what was typed stays, to be corrected
    status, _, shown = post(client, page, "check", **{PLUS_DAYS: "ten"})
    assert status == 422
    assert error_at(shown, PLUS_DAYS) == "Write a whole number, such as 10."


def test_a_misspelt_fact_is_refused_at_its_field(rules_copy: Path) -> None:
    client = logged_in(rules_copy)
    page = client.get("/rules/edit").text
    status, _, shown = post(client, page, "save", **{DATE_BASE: "interveiw_date"})
    assert status == 422
    assert "did you mean “interview_date”?" in error_at(shown, DATE_BASE)
    assert load_rule_base(rules_copy).version == form_of(page)["based_on"]


def test_check_then_save_changes_the_advice(rules_copy: Path, audit_db: Path) -> None:
    client = logged_in(rules_copy, audit_db)
    step = client.get("/").text
    for text in NO_TIMELINE:
        _, location, step = reply(client, step, text)
        if location.startswith("/answer"):
            break
        step = client.get(location).text
    assert NO_TIMELINE_HEADLINE in client.get(location).text
    page = client.get("/rules/edit").text
    status, _, shown = post(client, page, "check", **{PLUS_DAYS: "10"})
    assert status == 200
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(shown)))
    assert "The check finds no problem" in words
    assert "2 scenarios now expect otherwise" in words
    assert "1 past answer would change (of 1 compared)." in words
    status, location, _ = post(client, shown, "save", author="Dana", **{PLUS_DAYS: "10"})
    assert (status, location.split("?")[0]) == (303, "/rules/edit")
    assert "Saved as version" in client.get(location).text
    answer = client.get("/answer?" + location_query(client))
    assert "Follow up now" in answer.text


def location_query(client: TestClient) -> str:
    """The answers of the no-timeline consultation, as the address carries them."""
    step = client.get("/").text
    for text in NO_TIMELINE:
        _, location, step = reply(client, step, text)
        if location.startswith("/answer"):
            return location.split("?", 1)[1]
        step = client.get(location).text
    raise AssertionError("the consultation never ended")


def test_a_save_on_an_old_version_is_refused_with_both_changes(rules_copy: Path) -> None:
    client = logged_in(rules_copy)
    page = client.get("/rules/edit").text
    assert post(client, page, "save", **{PLUS_DAYS: "10"})[0] == 303
    priority = "rule/reach_out_sooner/priority"
    status, _, shown = post(client, page, "save", **{priority: "101"})
    assert status == 409
    words = html.unescape(shown)
    assert "someone else saved the rules" in words
    assert "interview_date + 10 days" in words
    merged = form_of(shown)
    assert merged[priority] == "101" and merged[f"was:{priority}"] == "100"
    assert merged[PLUS_DAYS] == "10"  # their change is in the form now, not undone
    assert post(client, shown, "save")[0] == 303
    rule_base = load_rule_base(rules_copy)
    assert rule_base.rule("reach_out_sooner").priority == 101
    assert rule_base.rule("two_weeks_when_unsure").then[0].value.plus_days == 10


def test_a_form_from_elsewhere_is_refused(rules_copy: Path) -> None:
    client = logged_in(rules_copy)
    page = client.get("/rules/edit").text
    data = {**form_of(page), PLUS_DAYS: "10", "action": "save", "csrf_token": "forged"}
    assert client.post("/rules/edit", data=data).status_code == 403
    assert load_rule_base(rules_copy).rule("two_weeks_when_unsure").then[0].value.plus_days == 14


def test_restore_the_previous_version_from_the_history(rules_copy: Path) -> None:
    client = logged_in(rules_copy)
    before = load_rule_base(rules_copy).version
    page = client.get("/rules/edit").text
    post(client, page, "save", author="Dana", **{PLUS_DAYS: "10"})
    history = client.get("/rules/history").text
    assert "Saved by</dt><dd>Dana" in history
    [(number, based_on)] = re.findall(
        r'name="version_id" value="(\d+)">\s*<input type="hidden" name="based_on" value="(\w+)"',
        history,
    )
    data = {"version_id": number, "based_on": based_on, "csrf_token": csrf(client)}
    restored = client.post("/rules/history", data=data, follow_redirects=False)
    assert restored.status_code == 303
    assert load_rule_base(rules_copy).version == before
    assert "Restored" in client.get(restored.headers["location"]).text


def test_removing_a_rule_that_leaves_a_gap_is_refused(rules_copy: Path) -> None:
    client = logged_in(rules_copy)
    page = client.get("/rules/edit").text
    data = {**form_of(page), "remove": "two_weeks_when_unsure", "action": "check"}
    shown = client.post("/rules/edit", data={**data, "csrf_token": csrf(client)})
    assert shown.status_code == 422
    assert "a gap: no rule decides the action" in html.unescape(shown.text)


def test_a_rule_is_built_from_the_facts_domains_and_added(rules_copy: Path) -> None:
    client = logged_in(rules_copy)
    picked = client.get("/rules/new?step=when&fact=culture").text
    values = picked.split('name="value"')[1].split("</select>")[0]
    offered = re.findall(r'<option value="(\w+)">', values)
    assert sorted(offered) == ["laid_back", "proactive", "unsure"]  # the fact's own answers
    steps = [
        "add=when&fact=followups_sent&op=at_least&value=3",
        "add=then&fact=action&value=move_on",
        "add=then&fact=follow_up_on&base=",
    ]
    address = "/rules/new"
    for step in steps:
        joined = "&" if "?" in address else "?"
        moved = client.get(f"{address}{joined}{step}", follow_redirects=False)
        assert moved.status_code == 303
        address = moved.headers["location"]
    page = client.get(address).text
    assert "the number of follow-ups sent is at least 3" in page
    data = {
        **form_of(page.split('action="/rules/new" class="builder"')[1]),
        "id": "three_strikes",
        "priority": "95",
        "reason": "Three messages without a reply are enough.",
        "source": "The Art of the Follow-Up, paragraph 6",
        "when": "followups_sent|at_least|3",
        "then": ["action|move_on", "follow_up_on|"],
        "action": "save",
        "csrf_token": csrf(client),
    }
    saved = client.post("/rules/new", data=data, follow_redirects=False)
    assert saved.status_code == 303
    rule = load_rule_base(rules_copy).rule("three_strikes")
    assert rule.priority == 95 and rule.conditions()[0].op == "at_least"


def test_a_value_outside_the_domain_is_refused_in_words(rules_copy: Path) -> None:
    client = logged_in(rules_copy)
    page = client.get("/rules/new?add=when&fact=followups_sent&op=at_least&value=many").text
    assert "Write a whole number, such as 2." in page
    assert client.get("/rules/new?add=when&fact=culture&op=equals&value=rude").status_code == 422
    data = {
        "id": "broken",
        "priority": "95",
        "reason": "Enough.",
        "source": "paragraph 6",
        "when": "folowups_sent|at_least|3",
        "then": "action|move_on",
        "action": "check",
        "csrf_token": csrf(client),
    }
    shown = client.post("/rules/new", data=data)
    assert shown.status_code == 422
    assert "unknown fact `folowups_sent` (did you mean `followups_sent`?)" in html.unescape(
        shown.text
    )


def test_a_signature_keeps_its_lines_and_a_headline_its_words(rules_copy: Path) -> None:
    client = logged_in(rules_copy)
    page = client.get("/rules/edit").text
    signature = "message/first_followup/body/4/text"
    assert form_of(page)[signature] == "Kind regards,\n{candidate_name}"
    changed = {signature: "With thanks,\r\n{candidate_name}", "action/wait/headline": "Wait"}
    assert post(client, page, "save", **changed)[0] == 303
    written = (rules_copy / "messages.yaml").read_text()
    assert "      - text: |-\n          With thanks,\n          {candidate_name}\n" in written
    assert "    headline: Wait\n" in written


def test_files_broken_by_hand_are_said_and_a_version_restores_them(rules_copy: Path) -> None:
    client = logged_in(rules_copy)
    page = client.get("/rules/edit").text
    assert post(client, page, "save", **{PLUS_DAYS: "10"})[0] == 303
    advice = rules_copy / "advice.yaml"
    advice.write_text(advice.read_text().replace("rules:\n", "rules\n", 1))
    broken = client.get("/rules/edit")
    assert broken.status_code == 503
    assert "The rule files cannot be read" in broken.text and 'href="/rules/history"' in broken.text
    history = client.get("/rules/history").text
    number = re.findall(r'name="version_id" value="(\d+)"', history)[0]
    based_on = re.findall(r'name="based_on" value="(\w+)"', history)[0]
    data = {"version_id": number, "based_on": based_on, "csrf_token": csrf(client)}
    assert client.post("/rules/history", data=data, follow_redirects=False).status_code == 303
    assert client.get("/rules/edit").status_code == 200


LOST = "rule/ask_at_once_when_lost/when/0/lost"


def test_the_answer_a_condition_asks_for_is_chosen_from_the_facts_answers(
    tiny_copy: Path,
) -> None:
    client = logged_in(tiny_copy)
    page = client.get("/rules/edit").text
    select = re.search(
        rf'<select id="f-{re.escape(LOST)}" name="{re.escape(LOST)}">(.*?)</select>', page, re.S
    )
    assert select is not None
    assert re.findall(r'<option value="(\w+)"( selected)?>', select[1]) == [
        ("yes", " selected"),
        ("no", ""),
    ]
    status, _, shown = post(client, page, "check", **{LOST: "maybe"})
    assert status == 422
    assert error_at(shown, LOST) == "Choose one of the answers listed."
    status, _, shown = post(client, page, "check", **{LOST: "no"})
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(shown)))
    assert status == 200
    assert "ask_at_once_when_lost: conditions 'lost is yes' → 'lost is no'" in words
    status, _, _ = post(client, page, "save", author="Dana", **{LOST: "no"})
    assert status == 303
    assert "      - lost: false\n" in (tiny_copy / "advice.yaml").read_text()
    rule = load_rule_base(tiny_copy).rule("ask_at_once_when_lost")
    assert [(test.fact, test.value) for test in rule.conditions()] == [("lost", False)]
