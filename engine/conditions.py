"""The condition language: parse it from YAML, and evaluate it on known facts.

A fact that is not known makes every comparison on it false; only `known: false` holds.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from typing import Any, cast

from .errors import RuleFileError
from .limits import MAX_CONDITION_DEPTH
from .model import (
    DATE_OPS,
    AllOf,
    AnyOf,
    Compare,
    CompareOp,
    Condition,
    FactRef,
    FactSpec,
    Not,
)
from .source import Document, PathKey
from .suggest import did_you_mean

COMBINATORS = ("all", "any", "not")
OPERATORS: tuple[CompareOp, ...] = (
    "equals",
    "one_of",
    "at_least",
    "at_most",
    "before",
    "after",
    "on_or_before",
    "on_or_after",
    "known",
)


class ConditionParser:
    """Turns the YAML form of a condition into the model, checking names and types."""

    def __init__(self, document: Document, facts: Mapping[str, FactSpec]) -> None:
        self.document = document
        self.facts = facts

    def parse(self, raw: Any, path: PathKey, depth: int = 0) -> Condition:
        where = self.document.where(path)
        if depth > MAX_CONDITION_DEPTH:
            raise RuleFileError(
                f"conditions nested too deeply: at most {MAX_CONDITION_DEPTH} levels of "
                "all/any/not",
                location=where,
                suggestion="write the conditions as one plain list where you can",
            )
        if isinstance(raw, list):
            if not raw:
                raise RuleFileError("an empty list of conditions", location=where)
            items = tuple(
                self.parse(item, (*path, index), depth + 1) for index, item in enumerate(raw)
            )
            return AllOf(items, where)
        if not isinstance(raw, dict) or not raw:
            raise RuleFileError(
                "a condition must be `fact: value`, or all/any/not with conditions under it",
                location=where,
            )
        parts = [self._parse_entry(key, value, (*path, key), depth) for key, value in raw.items()]
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts), where)

    def _parse_entry(self, key: str, value: Any, path: PathKey, depth: int) -> Condition:
        where = self.document.where(path)
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise RuleFileError(f"`{key}` needs a list of conditions", location=where)
            items = tuple(
                self.parse(item, (*path, index), depth + 1) for index, item in enumerate(value)
            )
            return AllOf(items, where) if key == "all" else AnyOf(items, where)
        if key == "not":
            return Not(self.parse(value, path, depth + 1), where)
        return self._parse_compare(key, value, path)

    def _parse_compare(self, fact: str, raw: Any, path: PathKey) -> Compare:
        spec = self._fact(fact, path)
        where = self.document.where(path)
        if isinstance(raw, dict):
            if len(raw) != 1:
                raise RuleFileError(
                    f"a test of `{fact}` takes exactly one of: {', '.join(OPERATORS)}",
                    fact=fact,
                    location=where,
                )
            op_name, operand = next(iter(raw.items()))
            if op_name not in OPERATORS:
                raise RuleFileError(
                    f"unknown test `{op_name}`",
                    fact=fact,
                    location=self.document.where((*path, op_name), key=True),
                    suggestion=did_you_mean(op_name, OPERATORS + COMBINATORS),
                )
            op = cast(CompareOp, op_name)
            path = (*path, op_name)
        else:
            op, operand = "equals", raw
        value = self._operand(spec, op, operand, path)
        return Compare(fact, op, value, self.document.where(path))

    def _fact(self, name: str, path: PathKey) -> FactSpec:
        spec = self.facts.get(name)
        if spec is None:
            raise RuleFileError(
                f"unknown fact `{name}`",
                fact=name,
                location=self.document.where(path, key=True),
                suggestion=did_you_mean(name, list(self.facts) + list(COMBINATORS)),
            )
        return spec

    def _operand(self, spec: FactSpec, op: CompareOp, operand: Any, path: PathKey) -> Any:
        where = self.document.where(path)
        if op == "known":
            if not isinstance(operand, bool):
                raise RuleFileError("`known` takes true or false", fact=spec.name, location=where)
            return operand
        if op == "one_of":
            if not isinstance(operand, list) or not operand:
                raise RuleFileError(
                    "`one_of` takes a list of values", fact=spec.name, location=where
                )
            return tuple(
                self._value(spec, op, item, (*path, index)) for index, item in enumerate(operand)
            )
        return self._value(spec, op, operand, path)

    def _value(self, spec: FactSpec, op: CompareOp, raw: Any, path: PathKey) -> Any:
        where = self.document.where(path)
        if op in DATE_OPS and spec.type != "date":
            raise RuleFileError(
                f"`{op}` compares dates, but `{spec.name}` is a {spec.type.replace('_', ' ')}",
                fact=spec.name,
                location=where,
                suggestion="use at_least / at_most for numbers"
                if spec.type == "whole_number"
                else None,
            )
        if op in ("at_least", "at_most") and spec.type != "whole_number":
            raise RuleFileError(
                f"`{op}` compares numbers, but `{spec.name}` is a {spec.type.replace('_', ' ')}",
                fact=spec.name,
                location=where,
                suggestion="use before / after / on_or_before / on_or_after for dates"
                if spec.type == "date"
                else None,
            )
        if isinstance(raw, str) and raw in self.facts and spec.type in ("date", "whole_number"):
            other = self.facts[raw]
            if other.type != spec.type:
                raise RuleFileError(
                    f"`{spec.name}` is a {spec.type.replace('_', ' ')} but `{raw}` is a "
                    f"{other.type.replace('_', ' ')}: they cannot be compared",
                    fact=spec.name,
                    location=where,
                )
            return FactRef(raw)
        if spec.type == "date" and isinstance(raw, str) and not _is_iso_date(raw):
            date_facts = [name for name, fact in self.facts.items() if fact.type == "date"]
            raise RuleFileError(
                f"`{raw}` is not a date (write it as YYYY-MM-DD) nor a date fact",
                fact=spec.name,
                location=where,
                suggestion=did_you_mean(raw, date_facts),
            )
        return literal(
            spec,
            raw,
            lambda message, hint=None: RuleFileError(
                message, fact=spec.name, location=where, suggestion=hint
            ),
        )


YES_NO_WORDS = {"yes": True, "y": True, "no": False, "n": False}


def literal(spec: FactSpec, raw: Any, fail: Any) -> Any:
    """Check that `raw` is a value of the fact's type; `fail(message, hint)` builds the error."""
    kind = spec.type
    if kind == "yes_no" and isinstance(raw, bool):
        return raw
    if kind == "yes_no" and isinstance(raw, str) and raw.strip().lower() in YES_NO_WORDS:
        # Facts files take yes/no for these; a coach writes the rules the same way.
        return YES_NO_WORDS[raw.strip().lower()]
    if kind == "whole_number" and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if kind in ("choice", "message", "text") and isinstance(raw, str):
        if kind == "choice" and raw not in spec.values:
            raise fail(
                f"`{raw}` is not a value of `{spec.name}` (one of: {', '.join(spec.values)})",
                did_you_mean(raw, spec.values),
            )
        return raw
    if kind == "date" and isinstance(raw, str):
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            pass
        raise fail(f"`{raw}` is not a date (write it as YYYY-MM-DD) nor a date fact", None)
    raise fail(f"`{raw}` is not a {kind.replace('_', ' ')} value for `{spec.name}`", None)


def _is_iso_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def compares(condition: Condition) -> Iterator[Compare]:
    """Every single-fact test inside a condition, in order."""
    if isinstance(condition, Compare):
        yield condition
    elif isinstance(condition, Not):
        yield from compares(condition.item)
    else:
        for item in condition.items:
            yield from compares(item)


def evaluate(condition: Condition, values: Mapping[str, Any]) -> bool:
    """Whether `condition` holds for the known `values` (unknown facts fail comparisons)."""
    if isinstance(condition, AllOf):
        return all(evaluate(item, values) for item in condition.items)
    if isinstance(condition, AnyOf):
        return any(evaluate(item, values) for item in condition.items)
    if isinstance(condition, Not):
        return not evaluate(condition.item, values)
    return compare(condition, values)


def compare(test: Compare, values: Mapping[str, Any]) -> bool:
    """Evaluate one comparison on the known `values`."""
    actual = values.get(test.fact)
    if test.op == "known":
        return (actual is not None) is bool(test.value)
    if actual is None:
        return False
    expected = test.value
    if isinstance(expected, FactRef):
        expected = values.get(expected.name)
        if expected is None:
            return False
    if test.op == "equals":
        return bool(actual == expected)
    if test.op == "one_of":
        return bool(actual in expected)
    if test.op in ("at_least", "on_or_after"):
        return bool(actual >= expected)
    if test.op in ("at_most", "on_or_before"):
        return bool(actual <= expected)
    if test.op == "before":
        return bool(actual < expected)
    return bool(actual > expected)
