"""The durable_rules wrapper: correct answers at volume, no leaks, no swallowed errors.

On the made-up rule base of tests/tiny: the machinery, not the advice.
"""

from __future__ import annotations

import datetime
import threading
from pathlib import Path

import pytest

from engine import Advisor, EngineError, RuleBase, load_rule_base, read_case, session

from .conftest import edit

DAY = datetime.date(2026, 11, 26)
RESERVED = {"reserved_on": "2026-11-20"}


def test_no_background_threads(tiny_rule_base: RuleBase) -> None:
    before = threading.active_count()
    advisor = Advisor(tiny_rule_base)
    advisor.evaluate(read_case(RESERVED, tiny_rule_base, today=DAY).values)
    assert threading.active_count() == before


def test_state_is_freed_after_each_case(tiny_rule_base: RuleBase) -> None:
    # The library holds at most 1,024 live sessions: 3,000 cases pass only if each is freed.
    advisor = Advisor(tiny_rule_base)
    case = read_case(RESERVED, tiny_rule_base, today=DAY)
    actions = {advisor.evaluate(case.values).decision for _ in range(3_000)}
    assert actions == {"wait"}


def test_two_advisors_on_one_rule_base_are_independent(tiny_rule_base: RuleBase) -> None:
    first, second = Advisor(tiny_rule_base), Advisor(tiny_rule_base)
    case = read_case({"reserved_on": "2026-11-01"}, tiny_rule_base, today=DAY)
    assert (
        first.evaluate(case.values).decision == second.evaluate(case.values).decision == ("ask_now")
    )


def test_a_failing_action_is_raised_not_swallowed(tiny_copy: Path) -> None:
    edit(
        tiny_copy / "advice.yaml",
        "        date: reserved_on\n        plus_days: 7",
        "        date: follow_up_on\n        plus_days: 7",
    )
    rule_base = load_rule_base(tiny_copy)
    case = read_case(RESERVED, rule_base, today=DAY)
    with pytest.raises(EngineError) as caught:
        Advisor(rule_base).evaluate(case.values)
    assert caught.value.rule_id == "ask_after_a_week"
    assert "follow_up_on" in caught.value.message


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


def test_a_gap_in_the_rules_is_an_error(tiny_copy: Path) -> None:
    edit(tiny_copy / "advice.yaml", "      - popular: true\n", "      - popular: false\n")
    rule_base = load_rule_base(tiny_copy)
    advisor = Advisor(rule_base)
    case = read_case({**RESERVED, "popular": True}, rule_base, today=DAY)
    # Repeated well past the library's 1,024 live sessions: undecided cases are freed too.
    for _ in range(2_000):
        with pytest.raises(EngineError, match="no rule decided the action"):
            advisor.evaluate(case.values)


def test_trace_records_matches_conclusions_and_preemption(tiny_rule_base: RuleBase) -> None:
    facts = {**RESERVED, "lost": True}
    outcome = Advisor(tiny_rule_base).evaluate(read_case(facts, tiny_rule_base, today=DAY).values)
    first, *rest = outcome.trace
    assert first.rule_id == "ask_at_once_when_lost" and first.status == "fired"
    assert first.matched == {"lost": True}
    assert first.concluded == {
        "action": "ask_now",
        "follow_up_on": DAY,
        "message": "ask_about_the_book",
    }
    assert [(f.rule_id, f.status, f.by) for f in rest] == [
        ("ask_after_a_week", "pre-empted", "ask_at_once_when_lost")
    ]


def test_outcome_names_the_rule_base_version(tiny_rule_base: RuleBase) -> None:
    outcome = Advisor(tiny_rule_base).evaluate(
        read_case(RESERVED, tiny_rule_base, today=DAY).values
    )
    assert outcome.rule_base_version == tiny_rule_base.version
    assert outcome.concluded_by("ask_day") == "ask_after_a_week"
