"""Conditions and values in plain words, for graphs and explanations."""

from __future__ import annotations

import datetime
from typing import Any

from engine.adjusting import JOIN
from engine.dates import long_date
from engine.durations import days_in_words
from engine.model import AllOf, AnyOf, Compare, Condition, DateExpr, FactRef, Not, Rule, RuleBase
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


# -- for the job seeker: labels in place of names ---------------------------------------------


def say_compare(rule_base: RuleBase, test: Compare) -> str:
    """A test as a job seeker reads it: 'the company's way of being contacted is proactive'."""
    spec = rule_base.facts.get(test.fact)
    subject = spec.words if spec is not None else test.fact
    if test.op == "known":
        return f"{subject} is {'known' if test.value else 'not known'}"
    return f"{subject} {OPERATOR_WORDS[test.op]} {say_value(rule_base, test.fact, test.value)}"


def say_question(rule_base: RuleBase, test: Compare) -> tuple[str, bool]:
    """A test as the question it asks ('whether you hold another job offer'), and whether the
    question is its opposite (a yes/no test for no), so that "if so" and "if not" swap."""
    spec = rule_base.facts.get(test.fact)
    if spec is not None and spec.type == "yes_no" and test.op == "equals":
        if spec.words.startswith("whether "):
            return spec.words, test.value is False
        return f"whether {spec.words} is yes", test.value is False
    return f"whether {say_compare(rule_base, test)}", False


def say_value(rule_base: RuleBase, fact: str, value: Any) -> str:
    """A value in a test or a conclusion, in words: labels, yes/no, long dates, fact labels."""
    spec = rule_base.facts.get(fact)
    if isinstance(value, FactRef):
        other = rule_base.facts.get(value.name)
        return other.words if other is not None else value.name
    if isinstance(value, tuple):
        return " or ".join(say_value(rule_base, fact, item) for item in value)
    if isinstance(value, DateExpr):
        return say_date_expr(rule_base, value)
    if spec is not None and spec.type == "choice" and isinstance(value, str):
        return spec.value_words(value)
    if isinstance(value, datetime.date):
        return long_date(value)
    return short_value(value)


def say_date_expr(rule_base: RuleBase, value: DateExpr) -> str:
    """'two weeks after the interview date'; with no days added, 'today or the next working
    day'."""
    base = rule_base.facts.get(value.base)
    words = base.words if base is not None else value.base
    if value.plus_days == 0:
        return f"{words} or the next working day"
    return f"{days_in_words(value.plus_days)} after {words}"


def say_rule(rule_id: str) -> str:
    """A rule's id as words, in quotes: “one week for a proactive culture”."""
    return "“" + rule_id.replace(JOIN, ", then ").replace("_", " ") + "”"
