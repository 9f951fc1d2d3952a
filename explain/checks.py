"""Why each rule did or did not fire for one case: every condition with the value it saw."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from engine.conditions import evaluate
from engine.model import Condition, Rule, RuleBase
from engine.trace import Outcome

ConditionStatus = Literal["true", "false", "not evaluated"]
RuleStatus = Literal["fired", "pre-empted", "blocked", "not reached"]


@dataclass(frozen=True)
class ConditionCheck:
    """One condition of a rule: whether it held, and the values of the facts it tests."""

    condition: Condition
    status: ConditionStatus
    seen: Mapping[str, Any]


@dataclass(frozen=True)
class RuleCheck:
    """One rule for one case: what happened to it, and why."""

    rule: Rule
    status: RuleStatus
    conditions: tuple[ConditionCheck, ...]
    by: str | None = None

    @property
    def blocking(self) -> ConditionCheck | None:
        """The condition that stopped the rule, if one did."""
        return next((check for check in self.conditions if check.status == "false"), None)


def check_rules(rule_base: RuleBase, outcome: Outcome) -> list[RuleCheck]:
    """Every rule, in the rule base's order, checked against the case's final values.

    Conditions are read in order; after the first that fails the rest are not evaluated,
    as a person reading the rule would stop there.
    """
    in_trace = {firing.rule_id: firing for firing in outcome.trace}
    return [_check(rule, outcome.values, in_trace.get(rule.id)) for rule in rule_base.rules]


def _check(rule: Rule, values: Mapping[str, Any], firing: Any) -> RuleCheck:
    checks: list[ConditionCheck] = []
    failed = False
    for condition in rule.conditions():
        seen = {name: values.get(name) for name in sorted(condition.facts())}
        if failed:
            checks.append(ConditionCheck(condition, "not evaluated", seen))
            continue
        held = evaluate(condition, values)
        failed = not held
        checks.append(ConditionCheck(condition, "true" if held else "false", seen))
    if firing is not None:
        return RuleCheck(rule, firing.status, tuple(checks), by=firing.by)
    return RuleCheck(rule, "blocked" if failed else "not reached", tuple(checks))
