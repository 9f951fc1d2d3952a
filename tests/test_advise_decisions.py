"""Every decision of ADVICE.md, through the CLI's JSON answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from .conftest import TODAY, RunCli

DECISIONS = [
    # (name, facts, expected action, expected follow_up_on, expected fired rules)
    (
        "offer overrides several unanswered follow-ups",
        {
            "interview_date": "2026-10-01",
            "competing_offer": True,
            "followups_sent": 3,
            "last_followup_date": "2026-11-01",
        },
        "follow_up_now",
        TODAY,
        ["reach_out_sooner"],
    ),
    (
        "update overrides a named timeline",
        {
            "interview_date": "2026-11-20",
            "has_update": "yes",
            "timeline_given": True,
            "decision_date": "2026-12-10",
        },
        "follow_up_now",
        TODAY,
        ["reach_out_sooner"],
    ),
    (
        "two unanswered follow-ups: move on",
        {"interview_date": "2026-10-01", "followups_sent": 2, "last_followup_date": "2026-11-20"},
        "move_on",
        None,
        ["move_on_after_several_attempts"],
    ),
    (
        "one follow-up a week ago: reminder due",
        {"interview_date": "2026-11-01", "followups_sent": 1, "last_followup_date": "2026-11-19"},
        "send_reminder",
        TODAY,
        ["reminder_a_week_after_last_followup", "reminder_is_due"],
    ),
    (
        "one follow-up six days ago: wait for the reminder day",
        {"interview_date": "2026-11-01", "followups_sent": 1, "last_followup_date": "2026-11-20"},
        "wait",
        "2026-11-27",
        ["reminder_a_week_after_last_followup", "reminder_not_yet_due"],
    ),
    (
        "reminder day on a Saturday moves to Monday",
        {"interview_date": "2026-11-01", "followups_sent": 1, "last_followup_date": "2026-11-21"},
        "wait",
        "2026-11-30",
        ["reminder_a_week_after_last_followup", "reminder_not_yet_due"],
    ),
    (
        "timeline: the day after their deadline (Saturday, so Monday)",
        {"interview_date": "2026-11-20", "timeline_given": True, "decision_date": "2026-12-04"},
        "wait",
        "2026-12-07",
        ["just_after_their_deadline", "first_followup_not_yet_due"],
    ),
    (
        "timeline passed: follow up now",
        {"interview_date": "2026-11-10", "timeline_given": True, "decision_date": "2026-11-20"},
        "follow_up_now",
        TODAY,
        ["just_after_their_deadline", "first_followup_is_due"],
    ),
    (
        "proactive: one week, already passed",
        {"interview_date": "2026-11-18", "culture": "proactive"},
        "follow_up_now",
        TODAY,
        ["one_week_for_a_proactive_culture", "first_followup_is_due"],
    ),
    (
        "proactive: one week, not yet",
        {"interview_date": "2026-11-23", "culture": "proactive"},
        "wait",
        "2026-11-30",
        ["one_week_for_a_proactive_culture", "first_followup_not_yet_due"],
    ),
    (
        "laid back: two weeks",
        {"interview_date": "2026-11-18", "culture": "laid_back"},
        "wait",
        "2026-12-02",
        ["two_weeks_for_a_laid_back_culture", "first_followup_not_yet_due"],
    ),
    (
        "culture unknown defaults to unsure: two weeks, Saturday moves to Monday",
        {"interview_date": "2026-11-14"},
        "wait",
        "2026-11-30",
        ["two_weeks_when_unsure", "first_followup_not_yet_due"],
    ),
    (
        "the first follow-up day is today: follow up now",
        {"interview_date": "2026-11-12", "culture": "unsure"},
        "follow_up_now",
        TODAY,
        ["two_weeks_when_unsure", "first_followup_is_due"],
    ),
]


def write_facts(tmp_path: Path, facts: dict[str, object], suffix: str = ".yaml") -> Path:
    path = tmp_path / f"facts{suffix}"
    text = json.dumps(facts) if suffix == ".json" else yaml.safe_dump(facts)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("facts", "action", "follow_up_on", "fired"),
    [case[1:] for case in DECISIONS],
    ids=[case[0] for case in DECISIONS],
)
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_decision(
    run_cli: RunCli,
    tmp_path: Path,
    facts: dict[str, object],
    action: str,
    follow_up_on: str | None,
    fired: list[str],
    suffix: str,
) -> None:
    path = write_facts(tmp_path, facts, suffix)
    result = run_cli("advise", str(path), "--today", TODAY, "--format", "json")
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["action"] == action
    assert answer["follow_up_on"] == follow_up_on
    assert answer["fired_rules"] == fired
    assert len(answer["reasons"]) == len(fired)
    assert len(answer["rule_base"]["version"]) == 64
    assert answer["guidance"]
    if action in ("wait", "move_on"):
        assert answer["message"] is None
    else:
        assert answer["message"]["subject"] and answer["message"]["body"]


def test_override_message_mentions_offer_and_deadline(run_cli: RunCli) -> None:
    result = run_cli(
        "advise",
        "--set",
        "interview_date=2026-11-20",
        "--set",
        "competing_offer=yes",
        "--set",
        "offer_deadline=2026-12-02",
        "--set",
        "company=Acme",
        "--today",
        TODAY,
        "--format",
        "json",
    )
    body = json.loads(result.stdout)["message"]["body"]
    assert "another job offer" in body
    assert "Wednesday 2 December 2026" in body
    assert "Acme" in body


def test_update_message_passes_the_news_on(run_cli: RunCli) -> None:
    result = run_cli(
        "advise",
        "--set",
        "interview_date=2026-11-20",
        "--set",
        "has_update=true",
        "--set",
        "update_text=I am now available from January.",
        "--today",
        TODAY,
        "--format",
        "json",
    )
    body = json.loads(result.stdout)["message"]["body"]
    assert "I am now available from January." in body
    assert "another job offer" not in body


def test_missing_message_facts_leave_placeholders(run_cli: RunCli) -> None:
    result = run_cli(
        "advise", "--set", "interview_date=2026-11-01", "--today", TODAY, "--format", "json"
    )
    message = json.loads(result.stdout)["message"]
    assert "[role]" in message["subject"]
    assert "[interviewer's name]" in message["body"]


def test_text_answer_has_headline_reasons_guidance(run_cli: RunCli, tmp_path: Path) -> None:
    path = write_facts(
        tmp_path,
        {"interview_date": "2026-11-20", "timeline_given": True, "decision_date": "2026-12-04"},
    )
    result = run_cli("advise", str(path), "--today", TODAY)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Wait — follow up on Monday 7 December 2026, in 11 days"
    assert "Why" in lines and "How to write it" in lines
    assert "They said they would decide by Friday 4 December 2026" in result.stdout
    # Rule ids and the rule-base version are for --why, explain and JSON, not the job seeker.
    assert "just_after_their_deadline" not in result.stdout
    assert "Rule base" not in result.stdout
    assert "Draft message" not in result.stdout
    with_why = run_cli("advise", str(path), "--today", TODAY, "--why")
    assert "(just_after_their_deadline)" in with_why.stdout
    assert "Rule base " in with_why.stdout


def test_facts_from_stdin(run_cli: RunCli) -> None:
    result = run_cli(
        "advise",
        "-",
        "--today",
        TODAY,
        "--format",
        "json",
        input="interview_date: 2026-10-01\nfollowups_sent: 4\nlast_followup_date: 2026-11-01\n",
    )
    assert json.loads(result.stdout)["action"] == "move_on"


def test_set_overrides_the_file(run_cli: RunCli, tmp_path: Path) -> None:
    path = write_facts(tmp_path, {"interview_date": "2026-11-23", "culture": "proactive"})
    result = run_cli(
        "advise", str(path), "--set", "culture=laid_back", "--today", TODAY, "--format", "json"
    )
    assert json.loads(result.stdout)["follow_up_on"] == "2026-12-07"
