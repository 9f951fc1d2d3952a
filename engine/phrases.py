"""Dates in the words people use: "yesterday", "last Tuesday", "3 days ago", "end of next week".

Every phrase counts from one day, the anchor: `reference` when one is given (for a decision
date, the interview), else today. A bare weekday means the last one before today, or the first
one after the reference. Numbers with slashes or dots are read as people mean them: a year
first is always year, month, day; a day and a month that could be either order are refused
with both readings, so the front end can ask which was meant. This module sits below the front
ends so that the terminal, the web and the tests read a phrase the same way.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dateutil.relativedelta import relativedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
AMOUNT = r"(\d+|" + "|".join(NUMBERS) + r")"
UNIT = r"(days?|weeks?|months?)"
YEAR_FIRST = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
YEAR_LAST = re.compile(r"(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{4}|\d{2}))?")
FIXED = {
    "today": 0,
    "yesterday": -1,
    "the day before yesterday": -2,
    "day before yesterday": -2,
    "tomorrow": 1,
    "the day after tomorrow": 2,
    "day after tomorrow": 2,
    "next week": 7,
    "a week from now": 7,
    "last week": -7,
}
EXAMPLES = "'yesterday', 'last Tuesday', '3 days ago', 'in two weeks', 'end of next week'"


class PhraseError(ValueError):
    """The words could not be read as a date."""


class AmbiguousDate(PhraseError):
    """A numeric date whose day and month could be read either way: both readings."""

    def __init__(self, text: str, readings: tuple[datetime.date, datetime.date]) -> None:
        first, second = (short_date(day) for day in readings)
        super().__init__(f"{text} could be {first} or {second}")
        self.text = text
        self.readings = readings


def short_date(day: datetime.date) -> str:
    """'5 June 2026': enough to tell two readings apart."""
    return f"{day.day} {day:%B %Y}"


def normalise(text: str) -> str:
    """Lower case, single spaces, no trailing punctuation, no leading 'on'/'by'."""
    words = " ".join(text.lower().replace(",", " ").split()).rstrip(".!?;:")
    return re.sub(r"^(on|by|at) ", "", words).strip()


def parse_date(
    text: str, today: datetime.date, reference: datetime.date | None = None
) -> datetime.date:
    """Read a date written with numbers, as a usual date, or as a phrase."""
    words = normalise(text)
    anchor = reference or today
    if words in FIXED:
        return anchor + datetime.timedelta(days=FIXED[words])
    found = _numeric(words, today.year)
    if found is None:
        found = _relative(words, anchor, reference is not None)
    if found is not None:
        return found
    # dateutil takes 10 ms to import: only a date written as a phrase needs it.
    from dateutil import parser as dateutil_parser  # noqa: PLC0415 - only for phrases

    try:
        parsed = dateutil_parser.parse(
            words, default=datetime.datetime(today.year, today.month, today.day), dayfirst=True
        )
    except (ValueError, OverflowError):
        raise PhraseError(
            f"cannot read {text.strip()!r} as a date: write it as YYYY-MM-DD, or say e.g. "
            + EXAMPLES
        ) from None
    return parsed.date()


def _numeric(words: str, this_year: int) -> datetime.date | None:
    match = YEAR_FIRST.fullmatch(words)
    if match:
        return _date(int(match[1]), int(match[2]), int(match[3]), words)
    match = YEAR_LAST.fullmatch(words)
    if not match:
        return None
    first, second = int(match[1]), int(match[2])
    # No year means this year; two digits mean this century ("26" is 2026).
    year = this_year if match[3] is None else int(match[3])
    year += 2000 if year < 100 else 0
    day_first = _valid(year, second, first)
    month_first = _valid(year, first, second)
    if day_first and month_first and day_first != month_first:
        raise AmbiguousDate(words, (day_first, month_first))
    found = day_first or month_first
    if found is None:
        raise PhraseError(f"{words} is not a date in the calendar")
    return found


def _valid(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _date(year: int, month: int, day: int, words: str) -> datetime.date:
    found = _valid(year, month, day)
    if found is None:
        raise PhraseError(f"{words} is not a date in the calendar")
    return found


def _relative(words: str, anchor: datetime.date, forwards: bool) -> datetime.date | None:
    from dateutil.relativedelta import (  # noqa: PLC0415 - only for phrases
        FR,
        MO,
        SA,
        SU,
        TH,
        TU,
        WE,
        relativedelta,
    )

    match = re.fullmatch(AMOUNT + " " + UNIT + r" ago", words)
    if match:
        return anchor - _span(match[1], match[2])
    match = re.fullmatch(r"(?:in|after) " + AMOUNT + " " + UNIT + r"(?: time| later)?", words)
    if match:
        return anchor + _span(match[1], match[2])
    match = re.fullmatch(r"(?:(last|next|this) )?(" + "|".join(WEEKDAYS) + r")", words)
    if match:
        step = (MO, TU, WE, TH, FR, SA, SU)[WEEKDAYS.index(match[2])]
        if match[1] == "last" or (match[1] is None and not forwards):
            return anchor + relativedelta(days=-1, weekday=step(-1))
        return anchor + relativedelta(days=+1, weekday=step(+1))
    match = re.fullmatch(r"(?:the )?end of (?:the |this )?(next )?week", words)
    if match:
        # The end of a working week: its Friday (a weekend day counts as that week's end).
        friday = anchor + relativedelta(weekday=FR(+1 if anchor.weekday() <= 4 else -1))
        return friday + datetime.timedelta(days=7 if match[1] else 0)
    match = re.fullmatch(r"(?:the )?end of (?:the |this )?(next )?month", words)
    if match:
        return anchor + relativedelta(months=1 if match[1] else 0, day=31)
    return None


def _span(amount: str, unit: str) -> relativedelta:
    from dateutil.relativedelta import relativedelta  # noqa: PLC0415 - only for phrases

    count = int(amount) if amount.isdigit() else NUMBERS[amount]
    if unit.startswith("month"):
        return relativedelta(months=count)
    return relativedelta(days=count * (7 if unit.startswith("week") else 1))
