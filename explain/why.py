"""Explanations in words: HOW the advice was reached, and WHY NOT another action."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from engine import Advisor, Answer, Case, FactError, read_case
from engine.model import FactSpec, RuleBase
from engine.templates import format_value
from engine.tree import finite_domain

from .checks import RuleCheck, check_rules
from .words import describe, short_value

MAX_CHANGED_FACTS = 3


def how(rule_base: RuleBase, answer: Answer) -> list[str]:
    """The chain of reasoning, one sentence per rule that ran, in order."""
    lines = []
    for step, firing in enumerate(answer.outcome.trace, start=1):
        rule = rule_base.rule(firing.rule_id)
        because = "; ".join(describe(condition) for condition in rule.conditions())
        seen = ", ".join(f"{k} = {short_value(v)}" for k, v in firing.matched.items())
        if firing.status == "fired":
            concluded = ", ".join(
                f"{name} = {format_value(value) if value is not None else 'none'}"
                for name, value in firing.concluded.items()
            )
            lines.append(
                f"{step}. {rule.id} applied because {because} ({seen}); "
                f"it concluded {concluded}. [{rule.source}]"
            )
        else:
            lines.append(
                f"{step}. {rule.id} also applied ({seen}) but was pre-empted: {firing.by} had "
                f"already decided."
            )
    return lines


Verdict = Literal["already", "reachable", "unreachable"]


@dataclass(frozen=True)
class Change:
    """One fact changed: from what, to what, and whether the person gave the old value."""

    old: Any
    new: Any
    given: bool

    def words(self, name: str) -> str:
        source = "you said" if self.given else "by default"
        return f"{name} were {short_value(self.new)} ({source} {short_value(self.old)})"


@dataclass(frozen=True)
class WhyNot:
    """Why the advice is not `action`, and the smallest change of facts that would make it so."""

    action: str
    verdict: Verdict
    obstacles: tuple[str, ...] = ()
    changes: Mapping[str, Change] = field(default_factory=dict)
    answer: Answer | None = None

    def lines(self) -> list[str]:
        if self.verdict == "already":
            return [f"{self.action} is already the advice."]
        text = [f"Why not {self.action}?"]
        text += [f"  • {obstacle}" for obstacle in self.obstacles]
        if self.verdict == "unreachable" or self.answer is None:
            text.append(f"No change of the facts you gave can lead to {self.action}.")
            return text
        change = " and ".join(change.words(name) for name, change in self.changes.items())
        text.append(f"If {change}, the advice would be: {self.answer.headline}")
        return text


def why_not(advisor: Advisor, case: Case, action: str) -> WhyNot:
    """Which conditions stand in the way of `action`, and the smallest change that leads there."""
    rule_base = advisor.rule_base
    answer = advisor.advise(case)
    if answer.action == action:
        return WhyNot(action, "already", answer=answer)
    obstacles = tuple(_obstacles(rule_base, check_rules(rule_base, answer.outcome), action))
    for changes in _changes(rule_base, case):
        raw = {**case.given, **{name: change.new for name, change in changes.items()}}
        try:
            changed_case = read_case(raw, rule_base, today=case.today)
        except FactError:
            continue  # the change needs facts that were not given
        changed = advisor.advise(changed_case)
        if changed.action == action:
            return WhyNot(action, "reachable", obstacles, changes, changed)
    return WhyNot(action, "unreachable", obstacles)


def _obstacles(rule_base: RuleBase, checks: list[RuleCheck], action: str) -> Iterator[str]:
    for check in checks:
        decides = any(c.fact == rule_base.goal and c.value == action for c in check.rule.then)
        if not decides:
            continue
        blocking = check.blocking
        if check.status == "pre-empted":
            yield f"{check.rule.id} was pre-empted by {check.by}, which has higher priority"
        elif blocking is not None:
            seen = ", ".join(f"{k} = {short_value(v)}" for k, v in blocking.seen.items())
            yield (f"{check.rule.id} needs {describe(blocking.condition)}, but {seen}")


def _changes(rule_base: RuleBase, case: Case) -> Iterator[dict[str, Change]]:
    """Changes of the yes/no, choice and number facts, fewest facts first."""
    options: list[tuple[FactSpec, list[Any]]] = []
    for spec in rule_base.given_facts():
        domain = finite_domain(rule_base, spec.name)
        if domain is None or spec.for_message_only:
            continue
        current = case.values.get(spec.name)
        alternatives = [value for value in domain if value != current and value is not None]
        if alternatives:
            options.append((spec, alternatives))
    for size in range(1, MAX_CHANGED_FACTS + 1):
        for chosen in itertools.combinations(options, size):
            for values in itertools.product(*(alternatives for _spec, alternatives in chosen)):
                yield {
                    spec.name: Change(
                        case.values.get(spec.name), value, given=spec.name in case.given
                    )
                    for (spec, _alternatives), value in zip(chosen, values, strict=True)
                }
