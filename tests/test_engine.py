"""The durable_rules wrapper: correct answers at volume, no leaks, no swallowed errors."""

from __future__ import annotations

import datetime
import threading
from pathlib import Path

import pytest

from engine import Advisor, EngineError, RuleBase, load_rule_base, read_case, session

from .conftest import edit

DAY = datetime.date(2026, 11, 26)


def test_no_background_threads(rule_base: RuleBase) -> None:
    before = threading.active_count()
    advisor = Advisor(rule_base)
    advisor.evaluate(read_case({"interview_date": "2026-11-20"}, rule_base, today=DAY).values)
    assert threading.active_count() == before


def test_state_is_freed_after_each_case(rule_base: RuleBase) -> None:
    # The library holds at most 1,024 live sessions: 3,000 cases pass only if each is freed.
    advisor = Advisor(rule_base)
    case = read_case({"interview_date": "2026-11-20"}, rule_base, today=DAY)
    actions = {advisor.evaluate(case.values).decision for _ in range(3_000)}
    assert actions == {"wait"}


def test_two_advisors_on_one_rule_base_are_independent(rule_base: RuleBase) -> None:
    first, second = Advisor(rule_base), Advisor(rule_base)
    case = read_case({"interview_date": "2026-11-01"}, rule_base, today=DAY)
    assert first.evaluate(case.values).decision == second.evaluate(case.values).decision


def test_a_failing_action_is_raised_not_swallowed(rules_copy: Path) -> None:
    edit(
        rules_copy / "advice.yaml",
        "        date: interview_date\n        plus_days: 14",
        "        date: offer_deadline\n        plus_days: 14",
    )
    rule_base = load_rule_base(rules_copy)
    case = read_case({"interview_date": "2026-11-20"}, rule_base, today=DAY)
    with pytest.raises(EngineError) as caught:
        Advisor(rule_base).evaluate(case.values)
    assert caught.value.rule_id == "two_weeks_when_unsure"
    assert "offer_deadline" in caught.value.message


def test_engine_error_numbers_become_words() -> None:
    host = session._Host()
    with pytest.raises(Exception) as caught:  # the library raises a bare Exception
        host.register_rulesets(
            {"probe": {"r": {"all": [{"m": {"$ne": {"a": 1}}}], "run": lambda c: None}}}
        )
    message = session._durable_message("the rules could not be compiled", caught.value)
    assert message == (
        "the rules could not be compiled: a rule uses an operator the engine does not know "
        "(durable_rules error 202)"
    )


def test_a_gap_in_the_rules_is_an_error(rules_copy: Path) -> None:
    edit(rules_copy / "advice.yaml", "culture: proactive\n", "culture: laid_back\n")
    rule_base = load_rule_base(rules_copy)
    advisor = Advisor(rule_base)
    case = read_case({"interview_date": "2026-11-20", "culture": "proactive"}, rule_base, today=DAY)
    # Repeated well past the library's 1,024 live sessions: undecided cases are freed too.
    for _ in range(2_000):
        with pytest.raises(EngineError, match="no rule decided the action"):
            advisor.evaluate(case.values)


def test_trace_records_matches_conclusions_and_preemption(
    advisor: Advisor, rule_base: RuleBase
) -> None:
    facts = {"interview_date": "2026-11-20", "competing_offer": True}
    outcome = advisor.evaluate(read_case(facts, rule_base, today=DAY).values)
    first, *rest = outcome.trace
    assert first.rule_id == "reach_out_sooner" and first.status == "fired"
    assert first.matched == {"competing_offer": True, "has_update": False}
    assert first.concluded == {
        "action": "follow_up_now",
        "follow_up_on": DAY,
        "message": "reach_out_sooner",
    }
    assert [(f.rule_id, f.status, f.by) for f in rest] == [
        ("two_weeks_when_unsure", "pre-empted", "reach_out_sooner")
    ]


def test_outcome_names_the_rule_base_version(advisor: Advisor, rule_base: RuleBase) -> None:
    outcome = advisor.evaluate(
        read_case({"interview_date": "2026-11-20"}, rule_base, today=DAY).values
    )
    assert outcome.rule_base_version == rule_base.version
    assert outcome.concluded_by("first_followup_day") == "two_weeks_when_unsure"
