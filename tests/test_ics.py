"""`advise --ics FILE`: a calendar reminder on the follow-up day, read back with icalendar."""

from __future__ import annotations

import datetime
from pathlib import Path

import icalendar

from .conftest import EXAMPLES, TODAY, RunCli


def write_reminder(run_cli: RunCli, tmp_path: Path, example: str, today: str = TODAY) -> Path:
    path = tmp_path / "reminder.ics"
    result = run_cli(
        "advise", str(EXAMPLES / example), "--today", today, "--no-audit", "--ics", str(path)
    )
    assert result.exit_code == 0, result.stderr
    return path


def only_event(path: Path) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event: icalendar.Event = events[0]
    return event


def test_a_reminder_on_the_follow_up_day(run_cli: RunCli, tmp_path: Path) -> None:
    event = only_event(write_reminder(run_cli, tmp_path, "timeline.yaml"))
    assert str(event["SUMMARY"]) == "Follow up: Data Analyst at Northwind Analytics"
    assert event.decoded("DTSTART") == datetime.date(2026, 12, 7)
    alarms = list(event.walk("VALARM"))
    assert len(alarms) == 1
    # An all-day event starts at local midnight: nine hours later is 9:00 local time.
    assert alarms[0].decoded("TRIGGER") == datetime.timedelta(hours=9)
    assert str(alarms[0]["ACTION"]) == "DISPLAY"


def test_a_reminder_to_wait_for_holds_the_message_of_that_day(
    run_cli: RunCli, tmp_path: Path
) -> None:
    description = str(only_event(write_reminder(run_cli, tmp_path, "timeline.yaml"))["DESCRIPTION"])
    assert description.startswith("Following up on my interview for the Data Analyst role\n\n")
    assert "Thank you again for taking the time to meet me" in description


def test_a_due_message_is_in_the_description(run_cli: RunCli, tmp_path: Path) -> None:
    event = only_event(write_reminder(run_cli, tmp_path, "competing-offer.yaml"))
    description = str(event["DESCRIPTION"])
    assert event.decoded("DTSTART") == datetime.date(2026, 11, 26)
    assert "Northwind Analytics" in description
    assert "Ms Rivera" in description and "Sam Lee" in description


def test_text_with_commas_and_semicolons_reads_back_unchanged(
    run_cli: RunCli, tmp_path: Path
) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        "interview_date: 2026-11-16\nrole: 'Analyst, Data; Risk'\ncompany: 'A\\B, Inc.'\n"
    )
    path = tmp_path / "reminder.ics"
    result = run_cli("advise", str(facts), "--today", TODAY, "--no-audit", "--ics", str(path))
    assert result.exit_code == 0, result.stderr
    assert str(only_event(path)["SUMMARY"]) == "Follow up: Analyst, Data; Risk at A\\B, Inc."


def test_moving_on_writes_no_reminder_and_says_why(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "reminder.ics"
    result = run_cli(
        "advise",
        str(EXAMPLES / "several-followups.yaml"),
        "--today",
        TODAY,
        "--no-audit",
        "--ics",
        str(path),
    )
    assert result.exit_code == 0, result.stderr
    assert not path.exists()
    assert "No reminder was written: the advice is to move on" in result.stderr


def test_an_unwritable_reminder_is_one_line_and_nothing_recorded(
    run_cli: RunCli, tmp_path: Path, audit_db: Path
) -> None:
    path = tmp_path / "missing" / "reminder.ics"
    result = run_cli(
        "advise", str(EXAMPLES / "timeline.yaml"), "--today", TODAY, "--ics", str(path)
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"error: --ics: the folder {path.parent} does not exist")
    assert not audit_db.exists()
