"""Conditions compiled into Python closures, built once per rule base: the same decisions as
`conditions.evaluate` and `conditions.compare`, without walking the condition each time
(tests/test_compiled.py holds the two side by side)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from .memo import MOST_KEPT_TEXTS
from .model import AllOf, Compare, Condition, FactRef, Not

Count = Callable[[Mapping[str, Any]], int]
Holds = Callable[[Mapping[str, Any]], bool]
Decide = Callable[[Mapping[str, Any]], Any]
# What the evaluator makes of each test: `observe(test, kind, decide)` gives the function to
# call in place of `decide` ("holds" says whether the test holds, "count" how many of a
# one_of's options match). The evaluator records them (engine/paths.py).
Observe = Callable[[Compare, str, Decide], Decide]


def _as_it_is(_test: Compare, _kind: str, decide: Decide) -> Decide:
    return decide


def compile_matches(condition: Condition, observe: Observe = _as_it_is) -> Count:
    """How many times durable_rules matches the condition (0: it does not hold).

    The compiler turns `any` (and a `not` around `all`) into alternatives, and durable_rules
    matches a case once through each alternative that holds: a rule whose two alternatives
    both hold runs twice, the second time pre-empted by itself. Alternatives made for one
    negated test exclude each other; a `one_of` matches once for each option equal to the value.

    The condition becomes a tree of closures, built once per rule base; each test is decided
    as `conditions.compare` decides it (tests/test_compiled.py holds the two side by side).
    Each test of a value goes through `observe`.
    """
    return _count(condition, False, observe)


def _count(condition: Condition, negate: bool, observe: Observe) -> Count:
    if _single(condition, negate):
        if isinstance(condition, AllOf) and not negate:
            return _count_every(tuple(_holds(item, negate, observe) for item in condition.items))
        holds = _holds(condition, negate, observe)
        return lambda values: 1 if holds(values) else 0
    if isinstance(condition, Not):
        return _count(condition.item, not negate, observe)
    if isinstance(condition, Compare):  # a one_of: once for each option equal to the value
        fact, options = condition.fact, tuple(condition.value)

        def each_option(values: Mapping[str, Any]) -> int:
            value = values.get(fact)
            return options.count(value) if value is not None else 0

        return observe(condition, "count", each_option)
    parts = tuple(_count(item, negate, observe) for item in condition.items)
    if isinstance(condition, AllOf) != negate:

        def product(values: Mapping[str, Any]) -> int:
            total = 1
            for part in parts:
                total *= part(values)
                if not total:
                    return 0  # the rest cannot change it
            return total

        return product
    return lambda values: sum([part(values) for part in parts])


def _count_every(parts: tuple[Holds, ...]) -> Count:
    """A conjunction that matches at most once, counted without a call around its test (most
    rules are one)."""

    def every(values: Mapping[str, Any]) -> int:
        for part in parts:
            if not part(values):
                return 0
        return 1

    return every


def _single(condition: Condition, negate: bool) -> bool:
    """Whether the condition matches at most once."""
    if isinstance(condition, Not):
        return _single(condition.item, not negate)
    if isinstance(condition, Compare):
        return (
            negate or condition.op != "one_of" or len(set(condition.value)) == len(condition.value)
        )
    conjunctive = isinstance(condition, AllOf) != negate
    if not conjunctive and len(condition.items) > 1:
        return False
    return all(_single(item, negate) for item in condition.items)


def _holds(condition: Condition, negate: bool, observe: Observe) -> Holds:
    if isinstance(condition, Not):
        return _holds(condition.item, not negate, observe)
    if isinstance(condition, Compare):
        test = observe(condition, "holds", compile_test(condition))
        if negate:
            return lambda values: not test(values)
        return test
    parts = tuple(_holds(item, negate, observe) for item in condition.items)
    if isinstance(condition, AllOf) != negate:

        def every(values: Mapping[str, Any]) -> bool:
            for part in parts:  # a loop, not all() over a generator: half the time
                if not part(values):
                    return False
            return True

        return every

    def some(values: Mapping[str, Any]) -> bool:
        for part in parts:
            if part(values):
                return True
        return False

    return some


# The comparison each operator makes of a known value with the test's (conditions.compare).
_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "equals": operator.eq,
    "one_of": lambda actual, options: actual in options,
    "at_least": operator.ge,
    "on_or_after": operator.ge,
    "at_most": operator.le,
    "on_or_before": operator.le,
    "before": operator.lt,
    "after": operator.gt,
}


def compile_test(test: Compare) -> Holds:
    """`conditions.compare` for this one test, with its operator and value looked up once."""
    fact, expected = test.fact, test.value
    if test.op == "known":
        want = bool(expected)
        return lambda values: (values.get(fact) is not None) is want
    compared = _OPERATORS[test.op]
    if isinstance(expected, FactRef):
        other = expected.name

        def holds_against(values: Mapping[str, Any]) -> bool:
            actual, against = values.get(fact), values.get(other)
            return actual is not None and against is not None and bool(compared(actual, against))

        return holds_against

    def holds(values: Mapping[str, Any]) -> bool:
        actual = values.get(fact)
        return actual is not None and bool(compared(actual, expected))

    return holds


def compile_condition(condition: Condition) -> Holds:
    """Whether the condition holds, as `conditions.evaluate` decides it."""
    return _holds(condition, False, _as_it_is)


# Conditions met case after case (a message's paragraphs, what makes a fact needed), each
# compiled the first time, kept with the condition so that a reused id finds no other's.
_COMPILED: dict[int, tuple[Condition, Holds]] = {}


def holds(condition: Condition, values: Mapping[str, Any]) -> bool:
    """`conditions.evaluate(condition, values)`, compiled once for each condition met."""
    kept = _COMPILED.get(id(condition))
    if kept is None or kept[0] is not condition:
        if len(_COMPILED) >= MOST_KEPT_TEXTS:
            _COMPILED.clear()
        kept = _COMPILED[id(condition)] = (condition, compile_condition(condition))
    return kept[1](values)
