"""Calendar arithmetic for computed days: N days after a date, moved to a working day.

Days off are the rule base's weekend days and, when a country is known, its public holidays
as the `holidays` package lists them (never a table of our own).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import holidays

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKEND = "weekend"


def next_business_day(day: datetime.date, weekend: Collection[int]) -> datetime.date:
    """`day` itself, or the first following day that is not in `weekend` (0 = Monday)."""
    return Calendar(frozenset(weekend)).next_working_day(day)


def days_after(base: datetime.date, days: int, weekend: Collection[int]) -> datetime.date:
    """`days` calendar days after `base`, moved to the next business day if needed."""
    return next_business_day(base + datetime.timedelta(days=days), weekend)


@lru_cache(maxsize=8192)
def long_date(day: datetime.date) -> str:
    """A date as people write it: 'Monday 7 December 2026'."""
    return f"{WEEKDAYS[day.weekday()].capitalize()} {day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Move:
    """A computed day that fell on a day off: the day it would have been, and why it moved.

    `holiday` names the public holiday, or is None for a weekend day.
    """

    unmoved: datetime.date
    holiday: str | None


@dataclass(frozen=True)
class Calendar:
    """Which days are off: weekend days (0 = Monday) and one country's public holidays."""

    weekend: frozenset[int]
    country: str | None = None
    language: str | None = None  # of the holidays' names; None: the package's default

    def day_off(self, day: datetime.date) -> str | None:
        """Why `day` is off: the holiday's name, WEEKEND, or None for a working day."""
        if self.country is not None:
            name = public_holidays(self.country, self.language).get(day)
            if name is not None:
                return str(name)
        return WEEKEND if day.weekday() in self.weekend else None

    def next_working_day(self, day: datetime.date) -> datetime.date:
        """`day` itself, or the first following day that is not off."""
        if len(self.weekend) >= len(WEEKDAYS):
            raise ValueError("every day of the week is a weekend day")
        while self.day_off(day) is not None:
            day += datetime.timedelta(days=1)
        return day

    def days_after(self, base: datetime.date, days: int) -> tuple[datetime.date, Move | None]:
        """`days` after `base`, moved to a working day; the move, if it had to move."""
        day = base + datetime.timedelta(days=days)
        why = self.day_off(day)
        if why is None:
            return day, None
        return self.next_working_day(day), Move(day, None if why == WEEKEND else why)


def supported_countries() -> Mapping[str, list[str]]:
    """Country codes the `holidays` package knows, each with its subdivision codes."""
    import holidays  # noqa: PLC0415 - loads only when a country is named (a tenth of a second)

    known: Mapping[str, list[str]] = holidays.list_supported_countries()
    return known


def country_codes() -> list[str]:
    """Every code a `country` fact accepts: `US`, and `US-CA` for each subdivision."""
    return [
        code
        for country, subdivisions in supported_countries().items()
        for code in (country, *(f"{country}-{sub}" for sub in subdivisions))
    ]


def normalise_country(text: str) -> str | None:
    """The code as the `holidays` package spells it (`us-ca` -> `US-CA`), or None if unknown."""
    country, _, subdivision = text.strip().partition("-")
    known = supported_countries()
    country = country.upper()
    if country not in known:
        return None
    if not subdivision:
        return country
    by_upper = {sub.upper(): sub for sub in known[country]}
    match = by_upper.get(subdivision.upper())
    return f"{country}-{match}" if match is not None else None


def nearest_countries(text: str) -> str | None:
    """'did you mean `DE-BY`, `DE-BW` or `DE-HB`?': up to three codes near an unknown one."""
    import difflib  # noqa: PLC0415 - only for a country code not found

    matches = difflib.get_close_matches(text.strip().upper(), country_codes(), n=3, cutoff=0.6)
    if not matches:
        return None
    shown = [f"`{code}`" for code in matches]
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
    return f"did you mean {listed}?"


@cache
def public_holidays(code: str, language: str | None = None) -> holidays.HolidayBase:
    """The public holidays of a normalised code such as `US` or `DE-BY` (years load lazily).

    Names come in `language` where the country offers it, else in the package's default.
    """
    import holidays  # noqa: PLC0415 - loads only when a country is named

    country, _, subdivision = code.partition("-")
    return holidays.country_holidays(country, subdiv=subdivision or None, language=language)
