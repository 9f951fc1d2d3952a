"""Conditions and values in plain words, for graphs and explanations."""

from __future__ import annotations

from typing import Any

from engine.model import AllOf, AnyOf, Compare, Condition, DateExpr, FactRef, Not, Rule
from engine.templates import format_value

OPERATOR_WORDS = {
    "equals": "is",
    "one_of": "is one of",
    "at_least": "is at least",
    "at_most": "is at most",
    "before": "is before",
    "after": "is after",
    "on_or_before": "is on or before",
    "on_or_after": "is on or after",
}


def describe(condition: Condition) -> str:
    """A condition as a short phrase: 'followups_sent is at least 2'."""
    if isinstance(condition, Compare):
        return describe_compare(condition)
    if isinstance(condition, Not):
        return f"not ({describe(condition.item)})"
    joiner = " and " if isinstance(condition, AllOf) else " or "
    parts = [describe(item) for item in condition.items]
    text = joiner.join(parts)
    return f"({text})" if isinstance(condition, AnyOf) and len(parts) > 1 else text


def describe_compare(test: Compare) -> str:
    if test.op == "known":
        return f"{test.fact} is {'known' if test.value else 'not known'}"
    return f"{test.fact} {OPERATOR_WORDS[test.op]} {operand(test.value)}"


def operand(value: Any) -> str:
    if isinstance(value, FactRef):
        return value.name
    if isinstance(value, tuple):
        return ", ".join(operand(item) for item in value)
    if isinstance(value, DateExpr):
        return date_expr_text(value)
    return short_value(value)


def short_value(value: Any) -> str:
    """A value in few characters: ISO dates, yes/no, 'not known'."""
    if value is None:
        return "not known"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, list):
        return format_value(value)
    return str(value)


def plural(count: int, word: str) -> str:
    """'1 day', '14 days'."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def conclusion_text(value: Any) -> str:
    """What a rule concludes, as written in the rules: 'interview_date + 14 days', 'today'."""
    if value is None:
        return "none"
    if isinstance(value, FactRef):
        return value.name
    if isinstance(value, DateExpr):
        return date_expr_text(value)
    return short_value(value)


def date_expr_text(value: DateExpr) -> str:
    """'interview_date + 14 days'; with no days added, the day itself or the next working one."""
    if value.plus_days == 0:
        return f"{value.base} or the next working day"
    return f"{value.base} + {plural(value.plus_days, 'day')}"


def rule_signature(rule: Rule) -> str:
    """Everything a rule says, in words, independent of where in a file it stands."""
    conditions = "; ".join(describe(condition) for condition in rule.conditions())
    then = "; ".join(f"{c.fact} = {conclusion_text(c.value)}" for c in rule.then)
    return (
        f"priority {rule.priority} | when {conditions} | then {then} | "
        f"reason {rule.reason} | source {rule.source}"
    )
