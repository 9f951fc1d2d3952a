"""The timeline for the person who asked: on the answer page and from `explain --timeline`."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from engine import Advisor, read_case
from explain.timeline import marks

from .conftest import EXAMPLES, TODAY, RunCli
from .web_support import web_client


def test_marks_name_each_day_in_order(advisor: Advisor) -> None:
    facts = {"interview_date": "2026-11-20", "timeline_given": True, "decision_date": "2026-12-04"}
    answer = advisor.advise(read_case(facts, advisor.rule_base, today=datetime.date(2026, 11, 26)))
    assert [(mark.day.isoformat(), mark.words) for mark in marks(advisor.rule_base, answer)] == [
        ("2026-11-20", "Your interview"),
        ("2026-11-26", "Today"),
        ("2026-12-04", "They decide by"),
        ("2026-12-07", "Follow up on"),
    ]


@pytest.mark.parametrize("suffix", ["svg", "png"])
def test_explain_draws_the_timeline(run_cli: RunCli, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"timeline.{suffix}"
    result = run_cli(
        "explain", str(EXAMPLES / "timeline.yaml"), "--today", TODAY, "--timeline", "-o", str(out)
    )
    assert result.exit_code == 0, result.stderr
    if suffix == "svg":
        assert "Follow up on: Monday 7 December" in out.read_text()
    else:
        assert out.read_bytes().startswith(b"\x89PNG")


def test_explain_refuses_a_timeline_as_text(run_cli: RunCli) -> None:
    result = run_cli("explain", str(EXAMPLES / "timeline.yaml"), "--timeline")
    assert result.exit_code == 2
    assert "--timeline draws a picture" in result.stderr


def test_the_answer_page_shows_the_timeline(advisor: Advisor) -> None:
    page = web_client(advisor).get("/answer?interview_date=2026-11-16&competing_offer=yes").text
    assert "Your interview: Monday 16 November" in page


def test_the_answer_page_offers_a_calendar_reminder(advisor: Advisor) -> None:
    client = web_client(advisor)
    query = (
        "interview_date=2026-11-20&timeline_given=yes&decision_date=2026-12-04"
        "&competing_offer=no&has_update=no&followups_sent=0&country="
    )
    assert "/answer.ics?" in client.get(f"/answer?{query}").text
    response = client.get(f"/answer.ics?{query}")
    assert response.headers["content-type"].startswith("text/calendar")
    assert b"DTSTART;VALUE=DATE:20261207" in response.content


def test_the_timeline_names_public_holidays(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "timeline.svg"
    example = str(EXAMPLES / "thanksgiving.yaml")
    run_cli("explain", example, "--today", "2026-11-20", "--timeline", "-o", str(out))
    text = out.read_text()
    assert "Public holiday (Thanksgiving Day): Thursday 26 November" in text
    assert "Follow up on: Friday 27 November" in text
