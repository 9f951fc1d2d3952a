"""A batch's answer lines, written directly, are json_line(answer.to_json()) byte for byte."""

from __future__ import annotations

import datetime

import pytest

from bench.cases import generate_cases
from engine import Advisor, load_rule_base, read_case
from followup.answer_line import answer_line
from followup.batch import json_line

RULE_BASE = load_rule_base()
TODAY = datetime.date(2026, 11, 26)
# Texts with every kind of character the JSON of an answer escapes, or keeps raw.
AWKWARD = [
    'a "quoted" \\ back\\slash',
    "tab\tnew\nline\rcarriage\x00nul\x1besc",
    "del\x7f c1\x85\x9b bidi\u202e\u2066\u061c\u200f lines\u2028\u2029",
    "accents é ü — 日本語 😀",
]


@pytest.mark.parametrize("engine", ["compiled", "durable"])
def test_generated_cases_are_written_as_json_line_writes_them(engine: str) -> None:
    advisor = Advisor(RULE_BASE, engine)  # type: ignore[arg-type]
    for facts, today in generate_cases(2_000, seed=5):
        answer = advisor.advise(read_case(facts, RULE_BASE, today=today))
        assert answer_line(answer) == json_line(answer.to_json())


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_texts_are_escaped_as_json_line_escapes_them(text: str) -> None:
    advisor = Advisor(RULE_BASE, "compiled")
    facts = {
        "interview_date": "2026-11-02",
        "has_update": True,
        "update_text": text,
        "role": text,
        "company": text,
        "interviewer_name": text,
        "candidate_name": text,
        "discussed_points": [text, "plain"],
        "country": "DE",
    }
    answer = advisor.advise(read_case(facts, RULE_BASE, today=TODAY))
    assert answer.message is not None
    assert answer_line(answer) == json_line(answer.to_json())


def test_a_holiday_name_and_a_moved_day_are_written_as_json_line_writes_them() -> None:
    advisor = Advisor(RULE_BASE, "compiled")
    facts = {"interview_date": "2026-12-11", "culture": "proactive", "country": "DE"}
    answer = advisor.advise(read_case(facts, RULE_BASE, today=datetime.date(2026, 12, 25)))
    moves = [move for firing in answer.outcome.trace for move in firing.moved.values()]
    assert any(move.holiday for move in moves)
    assert answer_line(answer) == json_line(answer.to_json())
