"""Calendar arithmetic for computed days: N days after a date, moved off the weekend."""

from __future__ import annotations

import datetime
from collections.abc import Collection

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def next_business_day(day: datetime.date, weekend: Collection[int]) -> datetime.date:
    """`day` itself, or the first following day that is not in `weekend` (0 = Monday)."""
    if len(weekend) >= len(WEEKDAYS):
        raise ValueError("every day of the week is a weekend day")
    while day.weekday() in weekend:
        day += datetime.timedelta(days=1)
    return day


def days_after(base: datetime.date, days: int, weekend: Collection[int]) -> datetime.date:
    """`days` calendar days after `base`, moved to the next business day if needed."""
    return next_business_day(base + datetime.timedelta(days=days), weekend)


def long_date(day: datetime.date) -> str:
    """A date as people write it: 'Monday 7 December 2026'."""
    return f"{WEEKDAYS[day.weekday()].capitalize()} {day.day} {day:%B %Y}"
