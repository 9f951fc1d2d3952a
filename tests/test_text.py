"""Templates and calendar arithmetic."""

from __future__ import annotations

import datetime

import pytest

from engine.answer import days_until
from engine.dates import days_after, long_date, next_business_day
from engine.templates import bad_placeholder, render_with

WEEKEND = frozenset({5, 6})


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-11-27", "2026-11-27"),  # Friday stays
        ("2026-11-28", "2026-11-30"),  # Saturday → Monday
        ("2026-11-29", "2026-11-30"),  # Sunday → Monday
        ("2026-11-30", "2026-11-30"),  # Monday stays
    ],
)
def test_next_business_day(day: str, expected: str) -> None:
    moved = next_business_day(datetime.date.fromisoformat(day), WEEKEND)
    assert moved.isoformat() == expected


def test_days_after_crosses_months_and_weekends() -> None:
    assert days_after(datetime.date(2026, 12, 19), 14, WEEKEND) == datetime.date(2027, 1, 4)


def test_long_date() -> None:
    assert long_date(datetime.date(2026, 12, 7)) == "Monday 7 December 2026"


def test_days_until() -> None:
    today = datetime.date(2026, 11, 26)
    assert days_until(today, today) == "today"
    assert days_until(today, datetime.date(2026, 11, 27)) == "tomorrow"
    assert days_until(today, datetime.date(2026, 12, 7)) == "in 11 days"


def test_render_fills_names_and_formats_values() -> None:
    text = render_with(
        "{who} on {day}: {points}; {missing}{{literal}}",
        {
            "who": "Sam",
            "day": datetime.date(2026, 11, 30),
            "points": ["a", "b", "c"],
        },
    )
    assert text == "Sam on Monday 30 November 2026: a, b and c; {literal}"


@pytest.mark.parametrize(
    ("template", "bad"),
    [("{a.__class__}", "a.__class__"), ("{x[0]}", "x[0]"), ("a } b", "}"), ("{ok}", None)],
)
def test_only_plain_names_may_stand_in_braces(template: str, bad: str | None) -> None:
    found = bad_placeholder(template)
    assert (found[0] if found else None) == bad
