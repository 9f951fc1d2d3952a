"""The compiled evaluator's remembered paths (engine/paths.py): a case that follows one gets
the outcome the agenda gives it, on the tests' own rule base and on the shipped one."""

from __future__ import annotations

import threading
from collections.abc import Iterable

import pytest

from engine import RuleBase
from engine.evaluator import CompiledEvaluator
from engine.facts import Case
from engine.proof import distinct_cases
from engine.trace import Outcome


def _cases(rule_base: RuleBase) -> list[Case]:
    return [case for _facts, case in distinct_cases(rule_base)]


def _as_json(outcome: Outcome) -> object:
    return (
        {name: str(value) for name, value in outcome.values.items()},
        [firing.to_json() for firing in outcome.trace],
    )


def _on_the_agenda(rule_base: RuleBase, cases: Iterable[Case]) -> list[object]:
    """Each case on an evaluator of its own, which remembers nothing before it."""
    return [_as_json(CompiledEvaluator(rule_base).evaluate(case.values)) for case in cases]


@pytest.mark.parametrize("base", ["tiny_rule_base", "rule_base"])
def test_a_remembered_path_gives_the_outcome_of_the_agenda(
    base: str, request: pytest.FixtureRequest
) -> None:
    rule_base: RuleBase = request.getfixturevalue(base)
    cases = _cases(rule_base)
    expected = _on_the_agenda(rule_base, cases)
    evaluator = CompiledEvaluator(rule_base)
    first = [_as_json(evaluator.evaluate(case.values)) for case in cases]
    remembered = evaluator.remembered_steps
    # The second time every case follows a path remembered the first time: none is added.
    again = [_as_json(evaluator.evaluate(case.values)) for case in reversed(cases)]
    assert remembered > 0 and evaluator.remembered_steps == remembered
    assert first == expected
    assert again == expected[::-1]


def test_past_the_bound_cases_are_evaluated_unremembered(
    tiny_rule_base: RuleBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("engine.paths.MAX_REMEMBERED_STEPS", 8)
    cases = _cases(tiny_rule_base)
    evaluator = CompiledEvaluator(tiny_rule_base)
    outcomes = [_as_json(evaluator.evaluate(case.values)) for case in cases * 2]
    assert 0 < evaluator.remembered_steps <= 8
    assert outcomes == _on_the_agenda(tiny_rule_base, cases * 2)


def test_threads_sharing_an_evaluator_get_the_outcomes_of_the_agenda(
    rule_base: RuleBase,
) -> None:
    cases = _cases(rule_base)[:400]
    expected = _on_the_agenda(rule_base, cases)
    evaluator = CompiledEvaluator(rule_base)
    results: dict[int, list[object]] = {}

    def evaluate_all(number: int) -> None:
        order = cases if number % 2 else cases[::-1]
        outcomes = [_as_json(evaluator.evaluate(case.values)) for case in order]
        results[number] = outcomes if number % 2 else outcomes[::-1]

    threads = [threading.Thread(target=evaluate_all, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[number] == expected for number in range(4)] == [True] * 4


def test_a_value_no_path_can_be_keyed_by_is_decided_on_the_agenda(
    tiny_rule_base: RuleBase,
) -> None:
    cases = _cases(tiny_rule_base)
    evaluator = CompiledEvaluator(tiny_rule_base)
    for case in cases:  # every path remembered
        evaluator.evaluate(case.values)
    # A list where a yes or no is expected: no path is keyed by it, and it equals no answer.
    odd = {**cases[0].values, "popular": ["yes"]}
    remembered = evaluator.remembered_steps
    assert _as_json(evaluator.evaluate(odd)) == _on_the_agenda(tiny_rule_base, [Case(odd)])[0]
    assert evaluator.remembered_steps == remembered
