"""An answer's and a case's texts, written straight from them, are canonical() of their JSON
byte for byte, in the same order (the order a record's nonces are drawn in)."""

from __future__ import annotations

import datetime

import pytest

from bench.cases import generate_cases
from engine import Advisor, Case, load_rule_base, read_case
from engine.trace import jsonable
from followup.audit_answer import answer_texts, fact_texts
from followup.chain import canonical

RULE_BASE = load_rule_base()


def check(case: Case, advisor: Advisor) -> None:
    answer = advisor.advise(case)
    expected = {key: canonical(value) for key, value in answer.to_json(trace=False).items()}
    assert list(answer_texts(answer).items()) == list(expected.items())
    facts = {name: canonical(jsonable(value)) for name, value in case.given.items()}
    assert list(fact_texts(case.given).items()) == list(facts.items())


@pytest.mark.parametrize("engine", ["compiled", "durable"])
def test_generated_cases(engine: str) -> None:
    advisor = Advisor(RULE_BASE, engine)  # type: ignore[arg-type]
    for facts, today in generate_cases(1_000, seed=8):
        check(read_case(facts, RULE_BASE, today=today), advisor)


def test_awkward_texts_and_a_holiday() -> None:
    advisor = Advisor(RULE_BASE, "compiled")
    facts = {
        "interview_date": "2026-12-11",
        "culture": "proactive",
        "country": "DE",
        "candidate_name": 'Zoë "Q" \\ O\'Neil',
        "company": "Ünïcode\x1b GmbH",
        "discussed_points": ["a\nb", "€ pricing"],
        "has_update": True,
        "update_text": "I passed the ✓ exam",
    }
    check(read_case(facts, RULE_BASE, today=datetime.date(2026, 12, 25)), advisor)


def test_other_values_are_written_as_json_writes_them() -> None:
    given = {"b": 10**30, "a": -3, "c": 1.5, "d": ("x", "y"), "e": None, "f": [1, "z"]}
    expected = {name: canonical(jsonable(value)) for name, value in given.items()}
    assert fact_texts(given) == expected
