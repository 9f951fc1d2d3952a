"""Invariants over generated valid cases (hypothesis)."""

from __future__ import annotations

import datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import Advisor, RuleBase, read_case

ACTIONS = {"wait", "follow_up_now", "send_reminder", "move_on"}


@st.composite
def valid_cases(draw: st.DrawFn) -> tuple[dict[str, Any], datetime.date]:
    today = draw(st.dates(datetime.date(2024, 1, 1), datetime.date(2028, 12, 31)))
    interview = today - datetime.timedelta(days=draw(st.integers(0, 90)))
    facts: dict[str, Any] = {"interview_date": interview.isoformat()}
    if draw(st.booleans()):
        facts["timeline_given"] = draw(st.booleans())
        if facts["timeline_given"]:
            decision = interview + datetime.timedelta(days=draw(st.integers(0, 45)))
            facts["decision_date"] = decision.isoformat()
    for flag in ("competing_offer", "has_update"):
        if draw(st.booleans()):
            facts[flag] = draw(st.sampled_from([True, False, "yes", "no", "YES", "False"]))
    if draw(st.booleans()):
        facts["culture"] = draw(st.sampled_from(["proactive", "laid_back", "unsure"]))
    sent = draw(st.integers(0, 6))
    if sent or draw(st.booleans()):
        facts["followups_sent"] = sent
    if sent:
        span = (today - interview).days
        last = interview + datetime.timedelta(days=draw(st.integers(0, span)))
        facts["last_followup_date"] = last.isoformat()
    return facts, today


def _is_yes(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "yes")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_cases())
def test_invariants(advisor: Advisor, rule_base: RuleBase, case: Any) -> None:
    facts, today = case
    answer = advisor.advise(read_case(facts, rule_base, today=today))
    assert answer.action in ACTIONS
    if answer.action == "wait":
        assert answer.follow_up_on is not None
        assert answer.follow_up_on > today
        assert answer.follow_up_on.weekday() < 5
    if answer.action in ("follow_up_now", "send_reminder"):
        assert answer.follow_up_on == today
        assert answer.message is not None
    if answer.action == "move_on":
        assert answer.follow_up_on is None and answer.message is None
    if any(_is_yes(facts.get(flag)) for flag in ("competing_offer", "has_update")):
        assert answer.action == "follow_up_now"
        assert answer.fired_rules == ["reach_out_sooner"]
    assert len(answer.reasons) == len(answer.fired_rules) >= 1
