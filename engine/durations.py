"""A rule's counted days in words ("two weeks", "ten days"), and the durations a text states.

A reason may say its rule's number through `{plus_days}` and `{plus_days_in_words}`, so that a
changed number changes the sentence too; a duration written out by hand that no longer matches
the number is what `rules check` warns about. A fact's question, help or `why` text names the
rule too: `{two_weeks_when_unsure.plus_days_in_words}`.
"""

from __future__ import annotations

import re

from .templates import PLACEHOLDER

NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()
RULE_NUMBERS = ("plus_days", "plus_days_in_words")
# `{rule_id.plus_days}` in a text that belongs to no one rule.
RULE_REFERENCE = re.compile(r"\{\s*([a-z][a-z0-9_]*)\.([a-z_]+)\s*\}")
_STATED = re.compile(
    r"\b(an?|\d+|" + "|".join(NUMBER_WORDS) + r")[\s-]+(days?|weeks?)\b", re.IGNORECASE
)


def days_in_words(days: int) -> str:
    """How a person says a number of days: whole weeks in weeks, small numbers in words."""
    if days and days % 7 == 0:
        return _counted(days // 7, "week")
    return _counted(days, "day")


def _counted(count: int, unit: str) -> str:
    word = NUMBER_WORDS[count] if count < len(NUMBER_WORDS) else str(count)
    return f"{word} {unit}" if count == 1 else f"{word} {unit}s"


def stated_durations(text: str) -> list[tuple[str, int]]:
    """Each duration a text spells out ("a full two weeks", "10 days"), with its days."""
    plain = PLACEHOLDER.sub(" ", text)
    found = []
    for match in _STATED.finditer(plain):
        amount, unit = match[1].lower(), match[2].lower()
        count = 1 if amount in ("a", "an") else int(amount) if amount.isdigit() else None
        if count is None:
            count = NUMBER_WORDS.index(amount)
        found.append((match[0], count * (7 if unit.startswith("week") else 1)))
    return found


def fill_rule_numbers(text: str, days: int) -> str:
    """The text with `{plus_days}` and `{plus_days_in_words}` said; other braces kept."""
    spoken = {"plus_days": str(days), "plus_days_in_words": days_in_words(days)}

    def said(match: re.Match[str]) -> str:
        name = (match[1] or "").strip()
        return spoken[name] if name in spoken else match[0]

    return PLACEHOLDER.sub(said, text)


def rule_references(text: str) -> list[tuple[str, str, str]]:
    """Each `{rule_id.number}` of a text: (the placeholder as written, rule id, number)."""
    return [(match[0], match[1], match[2]) for match in RULE_REFERENCE.finditer(text)]


def fill_rule_references(text: str, days_of: dict[str, int]) -> str:
    """The text with each `{rule_id.plus_days}` / `{rule_id.plus_days_in_words}` said."""

    def said(match: re.Match[str]) -> str:
        days = days_of[match[1]]
        return str(days) if match[2] == "plus_days" else days_in_words(days)

    return RULE_REFERENCE.sub(said, text)
