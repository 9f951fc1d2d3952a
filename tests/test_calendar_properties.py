"""Invariants of the calendar over generated cases: advice never lands on a day off."""

from __future__ import annotations

import datetime
from typing import Any

import holidays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import Advisor, RuleBase, read_case

COUNTRIES = {
    "US": ("US", None),
    "US-CA": ("US", "CA"),
    "GB-ENG": ("GB", "ENG"),
    "DE-BY": ("DE", "BY"),
}


def is_day_off(day: datetime.date, code: str) -> bool:
    country, subdivision = COUNTRIES[code]
    return day.weekday() >= 5 or day in holidays.country_holidays(country, subdiv=subdivision)


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[str, Any], datetime.date]:
    today = draw(st.dates(datetime.date(2025, 1, 1), datetime.date(2027, 12, 31)))
    interview = today - datetime.timedelta(days=draw(st.integers(0, 40)))
    facts: dict[str, Any] = {
        "interview_date": interview.isoformat(),
        "country": draw(st.sampled_from(sorted(COUNTRIES))),
        "culture": draw(st.sampled_from(["proactive", "laid_back", "unsure"])),
    }
    if draw(st.booleans()):
        facts["decision_date"] = (
            interview + datetime.timedelta(days=draw(st.integers(0, 30)))
        ).isoformat()
    if draw(st.booleans()):
        facts["followups_sent"] = 1
        span = (today - interview).days
        last = interview + datetime.timedelta(days=draw(st.integers(0, span)))
        facts["last_followup_date"] = last.isoformat()
    return facts, today


@given(cases())
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_no_follow_up_day_is_a_day_off(
    advisor: Advisor, rule_base: RuleBase, case: tuple[dict[str, Any], datetime.date]
) -> None:
    facts, today = case
    answer = advisor.advise(read_case(facts, rule_base, today=today))
    assert answer.follow_up_on is not None
    assert not is_day_off(answer.follow_up_on, facts["country"]), (facts, today, answer.action)
    if answer.action == "wait":
        assert answer.follow_up_on > today
