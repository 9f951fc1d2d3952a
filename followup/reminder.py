"""A calendar reminder of the advice: an RFC 5545 event on the follow-up day.

The event lasts the whole day, so it stays on that date in any time zone; its alarm goes off
nine hours after the day starts, at 9:00 local time. The icalendar package does all the
escaping and line folding.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import icalendar

from engine import Advisor, Answer, Case, RuleBase
from engine.templates import render

PRODUCT = "-//followup//follow-up reminder//EN"
ALARM_AFTER_START = datetime.timedelta(hours=9)


def reminder_event(advisor: Advisor, case: Case, answer: Answer) -> bytes | None:
    """The .ics text for the answer's follow-up day, or None when there is no such day."""
    rule_base = advisor.rule_base
    day = answer.follow_up_on
    if day is None:
        return None
    summary = render(rule_base.calendar.reminder_summary, _lookup(rule_base, answer))
    description = _description(_on_the_day(advisor, case, answer, day))
    event = icalendar.Event()
    event.add("uid", f"{uuid.uuid4()}@followup")
    event.add("dtstamp", datetime.datetime.now(datetime.timezone.utc))
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", ALARM_AFTER_START)
    event.add_component(alarm)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add_component(event)
    content: bytes = calendar.to_ical()
    return content


def no_reminder_reason(rule_base: RuleBase, answer: Answer) -> str:
    """Why no reminder was written (the rule base's words)."""
    return render(rule_base.calendar.no_reminder, _lookup(rule_base, answer))


def _on_the_day(advisor: Advisor, case: Case, answer: Answer, day: datetime.date) -> Answer:
    """The advice as it will read on the follow-up day, when its message is drafted."""
    if answer.message is not None or day == answer.today:
        return answer
    return advisor.advise(Case(values={**case.values, "today": day}, given=case.given))


def _description(answer: Answer) -> str:
    """The drafted message when one is due; otherwise why this day, and how to write."""
    if answer.message is not None:
        return f"{answer.message.subject}\n\n{answer.message.body}"
    return "\n\n".join([*answer.reasons, *answer.guidance])


def _lookup(rule_base: RuleBase, answer: Answer) -> Any:
    values = answer.outcome.values

    def lookup(name: str) -> Any:
        value = values.get(name)
        if value is None and name in rule_base.facts:
            return rule_base.facts[name].default
        return value

    return lookup
