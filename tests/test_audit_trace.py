"""A trace's canonical text, written from its firings, is canonical() of its JSON byte for byte."""

from __future__ import annotations

import datetime
import json

import pytest

from bench.cases import generate_cases
from engine import Advisor, load_rule_base, read_case
from engine.trace import Firing
from followup.audit_trace import canonical_trace
from followup.chain import canonical

RULE_BASE = load_rule_base()


def written_from_json(trace: tuple[Firing, ...]) -> str:
    return canonical([firing.to_json() for firing in trace])


@pytest.mark.parametrize("engine", ["compiled", "durable"])
def test_generated_cases(engine: str) -> None:
    advisor = Advisor(RULE_BASE, engine)  # type: ignore[arg-type]
    for facts, today in generate_cases(2_000, seed=6):
        trace = advisor.advise(read_case(facts, RULE_BASE, today=today)).outcome.trace
        assert canonical_trace(trace) == written_from_json(trace)


def test_a_holiday_a_moved_day_and_awkward_values() -> None:
    advisor = Advisor(RULE_BASE, "compiled")
    facts = {"interview_date": "2026-12-11", "culture": "proactive", "country": "DE"}
    trace = advisor.advise(
        read_case(facts, RULE_BASE, today=datetime.date(2026, 12, 25))
    ).outcome.trace
    assert any(move.holiday for firing in trace for move in firing.moved.values())
    assert canonical_trace(trace) == written_from_json(trace)
    awkward = Firing(
        'rule "quoted"\u2028',
        "pre-empted",
        {"b": 'text "\\\x1b\x7f\u202e', "a": ["x", "y"], "c": 3, "d": None, "e": True},
        {"z": datetime.date(2026, 1, 2), "y": ("tuple", "items"), "x": 1.5},
        by="another",
    )
    assert canonical_trace((awkward,)) == written_from_json((awkward,))


@pytest.mark.parametrize(
    "value",
    [
        {},
        {"version": "abc"},
        {"subject": 'S "q"\u2028\x1b\x7f', "body": "line\nline é"},
        {"b": "1", "a": "2", "é": "3", "A": ""},
        {"b": "x", "a": None, "c": [1, "y"], "d": {"z": 1.5, "y": [True]}},
    ],
)
def test_canonical_writes_objects_as_json_does(value: dict[str, object]) -> None:
    written = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical(value) == written
