"""`followup ask` and the calendar: the country, asked once and remembered; a reminder."""

from __future__ import annotations

from pathlib import Path

import icalendar
import yaml

from engine import RuleBase

from .conftest import TODAY, RunCli

# No timeline, unsure culture: the first follow-up is a computed day, which a holiday can move.
NO_TIMELINE = ["2026-11-12", "no", "no", "0", "no", "unsure"]


def consult(run_cli: RunCli, answers: list[str], *extra: str) -> tuple[int, str]:
    result = run_cli("ask", "--today", "2026-11-20", *extra, input="\n".join(answers) + "\n")
    return result.exit_code, result.stdout


def test_the_country_is_asked_when_a_holiday_could_move_the_day(
    run_cli: RunCli, rule_base: RuleBase, user_config: Path
) -> None:
    status, output = consult(run_cli, [*NO_TIMELINE, "US", "done"])
    assert status == 0, output
    assert output.count(rule_base.facts["country"].question) == 1
    assert "Wait — follow up on Friday 27 November 2026, in 7 days" in output
    assert "Thanksgiving Day, a public holiday" in " ".join(output.split())
    assert yaml.safe_load(user_config.read_text()) == {"country": "US"}


def test_a_remembered_country_is_not_asked_again(run_cli: RunCli, rule_base: RuleBase) -> None:
    consult(run_cli, [*NO_TIMELINE, "us", "done"])
    status, output = consult(run_cli, [*NO_TIMELINE, "done"])
    assert status == 0, output
    assert rule_base.facts["country"].question not in output
    assert "Wait — follow up on Friday 27 November 2026, in 7 days" in output


def test_skipping_the_country_counts_weekends_only_and_is_remembered(
    run_cli: RunCli, rule_base: RuleBase
) -> None:
    status, output = consult(run_cli, [*NO_TIMELINE, "", "done"])
    assert status == 0, output
    assert "Wait — follow up on Thursday 26 November 2026, in 6 days" in output
    _status, again = consult(run_cli, [*NO_TIMELINE, "done"])
    assert rule_base.facts["country"].question not in again


def test_the_country_is_not_asked_when_nothing_can_move(
    run_cli: RunCli, rule_base: RuleBase, user_config: Path
) -> None:
    status, output = consult(run_cli, ["2026-11-12", "yes", "no", "done"])
    assert status == 0, output
    assert rule_base.facts["country"].question not in output
    assert not user_config.exists()


def test_an_unknown_country_is_asked_again_with_the_nearest(run_cli: RunCli) -> None:
    _status, output = consult(run_cli, [*NO_TIMELINE, "DE-BX", "DE-BY", "done"])
    assert "Sorry: The country of your public holidays must be a country code" in output
    assert "`DE-BY`" in output


def test_the_country_option_of_ask(run_cli: RunCli, rule_base: RuleBase, user_config: Path) -> None:
    status, output = consult(run_cli, [*NO_TIMELINE, "done"], "--country", "US")
    assert status == 0, output
    assert rule_base.facts["country"].question not in output
    assert "Wait — follow up on Friday 27 November 2026, in 7 days" in output


def test_an_unknown_country_option_of_ask_is_refused(run_cli: RunCli) -> None:
    result = run_cli("ask", "--today", TODAY, "--country", "XZ", input="")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: --country: The country of your public holidays must be a country code"
    )


def test_save_a_reminder(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "followup.ics"
    status, output = consult(run_cli, [*NO_TIMELINE, "", "reminder", str(path), "done"])
    assert status == 0, output
    assert f"Wrote {path}" in output
    event = next(iter(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")))
    assert str(event["SUMMARY"]) == "Follow up: [role] at [company]"


def test_no_reminder_when_moving_on(run_cli: RunCli, tmp_path: Path) -> None:
    answers = ["2026-10-19", "no", "no", "2", "2026-11-16", "reminder", "done"]
    status, output = consult(run_cli, answers)
    assert status == 0, output
    assert "No reminder was written: the advice is to move on" in output


def test_why_at_the_country_question(run_cli: RunCli, rule_base: RuleBase) -> None:
    _status, output = consult(run_cli, [*NO_TIMELINE, "why", "", "done"])
    assert rule_base.facts["country"].why in output
    assert "country is needed for any advice" not in output
