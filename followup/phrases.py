"""Dates in the words people use: "yesterday", "last Tuesday", "3 days ago", "end of next week".

Words that count from a day ("in 2 weeks", "next Friday", "end of next week") count from
`reference` when one is given (for a decision date, the interview), else from today. A bare
weekday means the last one before today, or the first one after the reference. "today",
"yesterday" and "N days ago" always count from today. Anything else goes to dateutil
("20 Nov 2026", "2026-11-20").
"""

from __future__ import annotations

import datetime
import re

from dateutil import parser as dateutil_parser
from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_STEPS = (MO, TU, WE, TH, FR, SA, SU)
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7}
AMOUNT = r"(\d+|a|an|one|two|three|four|five|six)"


class PhraseError(ValueError):
    """The words could not be read as a date."""


def parse_date(
    text: str, today: datetime.date, reference: datetime.date | None = None
) -> datetime.date:
    """Read a date written as ISO, as a usual date, or as a phrase."""
    words = " ".join(text.lower().replace(",", " ").split())
    words = re.sub(r"^(on|by|at) ", "", words)
    fixed = {
        "today": today,
        "yesterday": today - datetime.timedelta(days=1),
        "tomorrow": today + datetime.timedelta(days=1),
    }
    if words in fixed:
        return fixed[words]
    found = _relative(words, today, reference)
    if found is not None:
        return found
    try:
        return datetime.date.fromisoformat(words)
    except ValueError:
        pass
    try:
        parsed = dateutil_parser.parse(
            text, default=datetime.datetime(today.year, today.month, today.day), dayfirst=True
        )
    except (ValueError, OverflowError):
        raise PhraseError(
            f"cannot read {text!r} as a date: write it as YYYY-MM-DD, or say e.g. "
            "'yesterday', 'last Tuesday', '3 days ago', 'end of next week'"
        ) from None
    return parsed.date()


def _relative(
    words: str, today: datetime.date, reference: datetime.date | None
) -> datetime.date | None:
    anchor = reference or today
    match = re.fullmatch(AMOUNT + r" (days?|weeks?) ago", words)
    if match:
        return today - datetime.timedelta(days=_count(match[1]) * UNITS[match[2]])
    match = re.fullmatch(r"(?:in|after) " + AMOUNT + r" (days?|weeks?)", words)
    if match:
        return anchor + datetime.timedelta(days=_count(match[1]) * UNITS[match[2]])
    match = re.fullmatch(r"(?:(last|next|this) )?(" + "|".join(WEEKDAYS) + r")", words)
    if match:
        step = WEEKDAY_STEPS[WEEKDAYS.index(match[2])]
        backwards = match[1] == "last" or (match[1] is None and reference is None)
        if backwards:
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


def _count(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[word]
