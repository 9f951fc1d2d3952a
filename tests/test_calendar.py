"""Revision 2 of the calendar: days off today, public holidays, moved days, and refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import RunCli


def advise(run_cli: RunCli, today: str, *facts: str) -> dict[str, Any]:
    args = ["advise", "--no-audit", "--today", today, "--format", "json"]
    for fact in facts:
        args += ["--set", fact]
    result = run_cli(*args)
    assert result.exit_code == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def refused(run_cli: RunCli, *args: str) -> str:
    result = run_cli("advise", "--today", "2026-11-26", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    return result.stderr


# -- a named decision date means a timeline ---------------------------------------------------


def test_a_decision_date_alone_means_a_timeline(run_cli: RunCli) -> None:
    answer = advise(run_cli, "2026-11-26", "interview_date=2026-11-20", "decision_date=2026-12-04")
    assert answer["fired_rules"][0] == "just_after_their_deadline"
    assert answer["follow_up_on"] == "2026-12-07"


def test_no_timeline_with_a_decision_date_is_refused_naming_both(run_cli: RunCli) -> None:
    error = refused(
        run_cli,
        "--set",
        "interview_date=2026-11-20",
        "--set",
        "timeline_given=no",
        "--set",
        "decision_date=2026-12-04",
    )
    assert "timeline_given" in error and "decision_date" in error


def test_a_passed_offer_deadline_is_refused(run_cli: RunCli, audit_db: Any) -> None:
    error = refused(
        run_cli,
        "--set",
        "interview_date=2026-11-20",
        "--set",
        "competing_offer=yes",
        "--set",
        "offer_deadline=2026-11-01",
    )
    assert "The deadline of the other offer, Sunday 1 November 2026, is before today" in error
    assert "give its new deadline" in error
    assert not audit_db.exists()


# -- a day off today --------------------------------------------------------------------------


def test_a_follow_up_due_on_a_saturday_waits_for_monday(run_cli: RunCli) -> None:
    answer = advise(run_cli, "2026-11-28", "interview_date=2026-11-18", "culture=proactive")
    assert answer["action"] == "wait"
    assert answer["follow_up_on"] == "2026-11-30"
    assert answer["fired_rules"][-1] == "first_followup_due_on_a_day_off"
    assert "today is not a working day" in answer["reasons"][-1]
    assert answer["message"] is None


def test_a_reminder_due_on_a_sunday_waits_for_monday(run_cli: RunCli) -> None:
    answer = advise(
        run_cli,
        "2026-11-29",
        "interview_date=2026-11-02",
        "followups_sent=1",
        "last_followup_date=2026-11-17",
    )
    assert (answer["action"], answer["follow_up_on"]) == ("wait", "2026-11-30")
    assert answer["fired_rules"][-1] == "reminder_due_on_a_day_off"


def test_a_follow_up_due_on_thanksgiving_waits_for_friday(run_cli: RunCli) -> None:
    answer = advise(
        run_cli, "2026-11-26", "interview_date=2026-11-18", "culture=proactive", "country=US"
    )
    assert (answer["action"], answer["follow_up_on"]) == ("wait", "2026-11-27")
    assert "Thanksgiving" in answer["reasons"][-1]


def test_without_a_country_a_holiday_is_a_working_day(run_cli: RunCli) -> None:
    answer = advise(run_cli, "2026-11-26", "interview_date=2026-11-18", "culture=proactive")
    assert (answer["action"], answer["follow_up_on"]) == ("follow_up_now", "2026-11-26")


def test_an_offer_does_not_wait_for_a_working_day(run_cli: RunCli) -> None:
    answer = advise(
        run_cli, "2026-11-28", "interview_date=2026-11-18", "competing_offer=yes", "country=US"
    )
    assert (answer["action"], answer["follow_up_on"]) == ("follow_up_now", "2026-11-28")


def test_the_today_day_off_fact_cannot_be_given(run_cli: RunCli) -> None:
    error = refused(run_cli, "--set", "interview_date=2026-11-20", "--set", "today_is_day_off=no")
    assert "today_is_day_off" in error and "calendar" in error


# -- public holidays and the country ----------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "follow_up_on"),
    [
        ("US", "2026-11-27"),
        ("US-CA", "2026-11-30"),
        ("us-ca", "2026-11-30"),
        ("DE-BY", "2026-11-26"),
    ],
)
def test_a_subdivision_has_its_own_holidays(
    run_cli: RunCli, country: str, follow_up_on: str
) -> None:
    answer = advise(run_cli, "2026-11-20", "interview_date=2026-11-12", f"country={country}")
    assert answer["follow_up_on"] == follow_up_on


def test_the_country_option_of_advise(run_cli: RunCli) -> None:
    result = run_cli(
        "advise", "--no-audit", "--today", "2026-11-20", "--format", "json",
        "--set", "interview_date=2026-11-12", "--country", "US",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["follow_up_on"] == "2026-11-27"


@pytest.mark.parametrize(("code", "nearest"), [("DE-BX", "`DE-BY`"), ("US-CAL", "`US-CA`")])
def test_an_unknown_country_is_refused_with_the_nearest_codes(
    run_cli: RunCli, code: str, nearest: str
) -> None:
    error = refused(run_cli, "--set", "interview_date=2026-11-20", "--set", f"country={code}")
    assert error.startswith(
        "error: --set country: The country of your public holidays must be a country code"
    )
    assert nearest in error


def test_the_calendar_can_name_a_default_country(run_cli: RunCli, rules_copy: Any) -> None:
    from .conftest import edit

    edit(rules_copy / "advice.yaml", "  # country: US\n", "  country: US\n")
    args = ["--rules", str(rules_copy), "--set", "interview_date=2026-11-12"]
    result = run_cli("advise", "--no-audit", "--today", "2026-11-20", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["follow_up_on"] == "2026-11-27"


def test_an_unknown_default_country_is_a_rule_file_error(run_cli: RunCli, rules_copy: Any) -> None:
    from .conftest import edit

    edit(rules_copy / "advice.yaml", "  # country: US\n", "  country: XZ\n")
    result = run_cli("rules", "check", str(rules_copy))
    assert result.exit_code == 1
    assert "`XZ` is not a country code the holidays package knows" in result.stdout


# -- a moved day is explained ----------------------------------------------------------------


def test_a_day_moved_off_the_weekend_says_so(run_cli: RunCli) -> None:
    answer = advise(run_cli, "2026-11-26", "interview_date=2026-11-21")
    assert answer["follow_up_on"] == "2026-12-07"
    assert answer["reasons"][0].endswith(
        "Saturday 5 December 2026 is a weekend day; the next working day is Monday 7 December 2026."
    )
    firing = answer["trace"][0]
    assert firing["moved"] == {"first_followup_day": {"from": "2026-12-05", "holiday": None}}


def test_a_day_moved_off_a_holiday_names_it(run_cli: RunCli) -> None:
    answer = advise(run_cli, "2026-11-20", "interview_date=2026-11-12", "country=US")
    assert (
        "Thursday 26 November 2026 is Thanksgiving Day, a public holiday; the next working day "
        "is Friday 27 November 2026." in answer["reasons"][0]
    )


def test_a_day_that_did_not_move_says_nothing_more(run_cli: RunCli) -> None:
    answer = advise(run_cli, "2026-11-26", "interview_date=2026-11-16")
    assert "working day" not in answer["reasons"][0]
    assert "moved" not in answer["trace"][0]


def test_a_recorded_moved_day_is_explained_again(run_cli: RunCli) -> None:
    recorded = run_cli("advise", "--today", "2026-11-26", "--set", "interview_date=2026-11-21")
    assert recorded.exit_code == 0, recorded.stderr
    shown = run_cli("audit", "show", "1")
    assert shown.exit_code == 0, shown.stderr
    assert "Saturday 5 December 2026 is a weekend day" in " ".join(shown.stdout.split())


def test_the_tree_says_a_day_off_waits_for_the_next_working_day(run_cli: RunCli) -> None:
    result = run_cli("rules", "tree", "--format", "text")
    assert result.exit_code == 0, result.stderr
    assert "today_is_day_off is no?" in result.stdout
    assert "wait · follow_up_on: today or the next working day" in result.stdout


def test_the_country_option_does_not_mix_with_batch(run_cli: RunCli) -> None:
    result = run_cli("advise", "--batch", "-", "--country", "US", input="{}\n")
    assert result.exit_code == 2
    assert "--country" in result.stderr and "country" in result.stderr


def test_rules_diff_names_a_calendar_change(run_cli: RunCli, rules_copy: Any) -> None:
    from .conftest import RULES, edit

    edit(rules_copy / "advice.yaml", "  # country: US\n", "  country: US\n")
    edit(rules_copy / "advice.yaml", "weekend: [saturday, sunday]", "weekend: [friday, saturday]")
    result = run_cli("rules", "diff", str(RULES), str(rules_copy))
    assert "calendar changed: country none → US" in result.stdout
    assert "calendar changed: weekend saturday, sunday → friday, saturday" in result.stdout


@pytest.mark.parametrize(("language", "name"), [("en_US", "Armistice Day"), ("fr", "Armistice")])
def test_holiday_names_in_the_calendar_language(
    run_cli: RunCli, rules_copy: Any, language: str, name: str
) -> None:
    from .conftest import edit

    edit(rules_copy / "advice.yaml", "holiday_names: en_US", f"holiday_names: {language}")
    facts = ["--set", "interview_date=2026-10-28", "--set", "country=FR"]
    result = run_cli(
        "advise", "--rules", str(rules_copy), "--no-audit", "--today", "2026-11-01",
        "--format", "json", *facts,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    reason = json.loads(result.stdout)["reasons"][0]
    assert f"Wednesday 11 November 2026 is {name}, a public holiday" in reason


def test_the_country_option_needs_a_country_fact(run_cli: RunCli, rules_copy: Any) -> None:
    from .conftest import edit

    edit(rules_copy / "facts.yaml", "    type: country\n", "    type: text\n")
    result = run_cli(
        "advise", "--rules", str(rules_copy), "--no-audit", "--today", "2026-11-20",
        "--set", "interview_date=2026-11-12", "--country", "US",
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --country: the rule base has no fact of type country in facts.yaml\n"
    )


def test_an_unknown_country_option_names_the_option(run_cli: RunCli) -> None:
    error = refused(run_cli, "--set", "interview_date=2026-11-20", "--country", "DE-BX")
    assert error.startswith(
        "error: --country: The country of your public holidays must be a country code"
    )
    assert "`DE-BY`" in error
