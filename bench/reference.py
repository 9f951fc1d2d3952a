"""Plain-Python reference implementation of the ADVICE.md decisions.

Independent of the rule engine and the YAML rule base: the real engine is checked
against this module, so the shipped defaults are restated here as constants.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

REMINDER_GAP_DAYS = 7
PROACTIVE_WAIT_DAYS = 7
DEFAULT_WAIT_DAYS = 14
AFTER_DECISION_DAYS = 1
MOVE_ON_AFTER = 2

_SATURDAY = 5


def business_day(d: datetime.date) -> datetime.date:
    """Return ``d``, or the following Monday if ``d`` falls on a weekend."""
    weekday = d.weekday()
    if weekday >= _SATURDAY:
        return d + datetime.timedelta(days=7 - weekday)
    return d


def _date(facts: Mapping[str, object], key: str) -> datetime.date:
    value = facts[key]
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def _after(start: datetime.date, days: int) -> datetime.date:
    return business_day(start + datetime.timedelta(days=days))


def reference_advice(
    facts: Mapping[str, object], today: datetime.date
) -> tuple[str, datetime.date | None]:
    """Return ``(action, follow_up_on)`` for valid ``facts`` as of ``today``."""
    if facts.get("competing_offer", False) or facts.get("has_update", False):
        return "follow_up_now", today

    sent = facts.get("followups_sent", 0)
    if not isinstance(sent, int):
        raise TypeError("followups_sent must be an int")
    if sent >= MOVE_ON_AFTER:
        return "move_on", None

    if sent == 1:
        reminder = _after(_date(facts, "last_followup_date"), REMINDER_GAP_DAYS)
        if today >= reminder:
            return _when_due("send_reminder", today)
        return "wait", reminder

    if facts.get("timeline_given", False) or "decision_date" in facts:
        first = _after(_date(facts, "decision_date"), AFTER_DECISION_DAYS)
    elif facts.get("culture", "unsure") == "proactive":
        first = _after(_date(facts, "interview_date"), PROACTIVE_WAIT_DAYS)
    else:
        first = _after(_date(facts, "interview_date"), DEFAULT_WAIT_DAYS)
    if today >= first:
        return _when_due("follow_up_now", today)
    return "wait", first


def _when_due(action: str, today: datetime.date) -> tuple[str, datetime.date]:
    """Revision 2: a message due on a day off waits for the next working day."""
    if business_day(today) != today:
        return "wait", business_day(today)
    return action, today
