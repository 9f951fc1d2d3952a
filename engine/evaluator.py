"""The rule base compiled into Python closures: the same outcomes as durable_rules, faster.

durable_rules defines the semantics (engine/session.py); this evaluator reproduces them:
rules whose conditions hold wait on an agenda, the one of highest priority (then the first in
the file) runs next, a rule that would conclude something already concluded (or run once the
goal is decided) is pre-empted, and a concluded fact puts the rules that test it back in
question. It is used only for a rule base on which both engines were shown to agree on every
distinct case (engine/proof.py).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .dates import Move
from .errors import EngineError
from .facts import add_computed, case_calendar
from .model import AllOf, AnyOf, Compare, Condition, DateExpr, FactRef, Not, Rule, RuleBase
from .trace import Firing, Outcome

Test = Callable[[Mapping[str, Any]], bool]

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "at_least": operator.ge,
    "on_or_after": operator.ge,
    "at_most": operator.le,
    "on_or_before": operator.le,
    "before": operator.lt,
    "after": operator.gt,
    "equals": operator.eq,
}


Count = Callable[[Mapping[str, Any]], int]


def compile_matches(condition: Condition, negate: bool = False) -> Count:
    """How many times durable_rules matches the condition (0: it does not hold).

    The compiler turns `any` (and a `not` around `all`) into alternatives, and durable_rules
    matches a case once through each alternative that holds: a rule whose two alternatives
    both hold runs twice, the second time pre-empted by itself. Alternatives made for one
    negated test or one `one_of` exclude each other.
    """
    if isinstance(condition, Not):
        return compile_matches(condition.item, not negate)
    if isinstance(condition, Compare):
        return _compile_compare_matches(condition, negate)
    items = tuple(compile_matches(item, negate) for item in condition.items)
    if len(items) == 1:
        return items[0]
    if isinstance(condition, AllOf) != negate:

        def product(values: Mapping[str, Any]) -> int:
            total = 1
            for item in items:
                total *= item(values)
                if not total:
                    return 0
            return total

        return product
    return lambda values: sum(item(values) for item in items)


def _compile_compare_matches(test: Compare, negate: bool) -> Count:
    holds = _compile_compare(test)
    if test.op == "one_of" and not negate:
        fact, options = test.fact, tuple(test.value)
        return lambda values: sum(1 for option in options if values.get(fact) == option)
    if negate:
        return lambda values: 0 if holds(values) else 1
    return lambda values: 1 if holds(values) else 0


def compile_condition(condition: Condition) -> Test:
    """A closure with the meaning of `conditions.evaluate` for this one condition."""
    if isinstance(condition, Compare):
        return _compile_compare(condition)
    if isinstance(condition, Not):
        inner = compile_condition(condition.item)
        return lambda values: not inner(values)
    items = tuple(compile_condition(item) for item in condition.items)
    if len(items) == 1:
        return items[0]
    if isinstance(condition, AnyOf):
        return lambda values: any(item(values) for item in items)
    return lambda values: all(item(values) for item in items)


def _compile_compare(test: Compare) -> Test:
    fact, expected = test.fact, test.value
    if test.op == "known":
        wanted = bool(expected)
        return lambda values: (values.get(fact) is not None) is wanted
    if test.op == "one_of":
        options = tuple(expected)
        return lambda values: (actual := values.get(fact)) is not None and actual in options
    relation = _ORDER[test.op]
    if isinstance(expected, FactRef):
        other = expected.name

        def against_fact(values: Mapping[str, Any]) -> bool:
            actual, value = values.get(fact), values.get(other)
            return actual is not None and value is not None and bool(relation(actual, value))

        return against_fact
    return lambda values: (
        (actual := values.get(fact)) is not None and bool(relation(actual, expected))
    )


@dataclass(frozen=True)
class _CompiledRule:
    rule: Rule
    rank: int  # its place in the firing order: priority, then the order in the file
    matches: Count
    matched: tuple[str, ...]
    concludes: tuple[str, ...]


class CompiledEvaluator:
    """Evaluates cases against one rule base without durable_rules (see the module's doc)."""

    def __init__(self, rule_base: RuleBase) -> None:
        self.rule_base = rule_base
        self.goal = rule_base.goal
        order = sorted(
            range(len(rule_base.rules)), key=lambda index: -rule_base.rules[index].priority
        )
        self._rules = tuple(
            _CompiledRule(
                rule,
                rank,
                compile_matches(rule.when),
                tuple(sorted(rule.when.facts())),
                # The order durable's session walks them in, so that the same rule is named.
                tuple(rule.concludes()),
            )
            for rank, rule in enumerate(rule_base.rules[index] for index in order)
        )
        derived = {name for name, spec in rule_base.facts.items() if spec.derived}
        watchers: dict[str, list[_CompiledRule]] = {}
        for compiled in self._rules:
            for name in compiled.matched:
                if name in derived:
                    watchers.setdefault(name, []).append(compiled)
        self._watchers = {name: tuple(rules) for name, rules in watchers.items()}

    def evaluate(self, values: Mapping[str, Any]) -> Outcome:
        """Run one case (typed given values, defaults applied) and return its outcome."""
        known = dict(values)
        add_computed(self.rule_base, known)
        # Each waiting rule, with how many times it matched.
        agenda: dict[int, tuple[_CompiledRule, int]] = {}
        for compiled in self._rules:
            if matches := compiled.matches(known):
                agenda[compiled.rank] = (compiled, matches)
        ran: set[int] = set()
        trace: list[Firing] = []
        concluded_by: dict[str, str] = {}
        while agenda:
            compiled, matches = agenda.pop(min(agenda))
            ran.add(compiled.rank)
            concluded: tuple[str, ...] = ()
            for _match in range(matches):
                concluded += self._run(compiled, known, trace, concluded_by)
            for name in concluded:
                for watcher in self._watchers.get(name, ()):
                    if watcher.rank in ran:
                        continue
                    if matches := watcher.matches(known):
                        agenda[watcher.rank] = (watcher, matches)
                    else:
                        agenda.pop(watcher.rank, None)
        if self.goal not in concluded_by:
            raise EngineError(
                f"no rule decided the {self.goal} for these facts",
                suggestion="the rule base has a gap here; `followup rules check` finds gaps",
            )
        return Outcome(
            values=known,
            trace=tuple(trace),
            goal=self.goal,
            rule_base_version=self.rule_base.version,
        )

    def _run(
        self,
        compiled: _CompiledRule,
        known: dict[str, Any],
        trace: list[Firing],
        concluded_by: dict[str, str],
    ) -> tuple[str, ...]:
        """Fire (or pre-empt) one rule; the facts it concluded."""
        rule = compiled.rule
        matched = {name: known.get(name) for name in compiled.matched}
        blocker = concluded_by.get(self.goal) or next(
            (concluded_by[fact] for fact in compiled.concludes if fact in concluded_by), None
        )
        if blocker is not None:
            trace.append(Firing(rule.id, "pre-empted", matched, {}, by=blocker))
            return ()
        concluded: dict[str, Any] = {}
        moved: dict[str, Move] = {}
        try:
            for conclusion in rule.then:
                value, move = conclude_value(self.rule_base, conclusion.value, known)
                concluded[conclusion.fact] = value
                if move is not None:
                    moved[conclusion.fact] = move
        except Exception as error:
            raise EngineError(f"rule `{rule.id}` failed: {error}", rule_id=rule.id) from error
        trace.append(Firing(rule.id, "fired", matched, concluded, moved=moved))
        for name, value in concluded.items():
            known[name] = value
            concluded_by[name] = rule.id
        # durable_rules is told only of known values: a rule waiting for a null never wakes.
        return tuple(name for name, value in concluded.items() if value is not None)


def conclude_value(
    rule_base: RuleBase, value: Any, values: Mapping[str, Any]
) -> tuple[Any, Move | None]:
    """A concluded value, and how a computed day moved off a day off (if it did)."""
    if isinstance(value, FactRef):
        return values.get(value.name), None
    if isinstance(value, DateExpr):
        base = values.get(value.base)
        if base is None:
            raise ValueError(f"it counts from `{value.base}`, which is not known here")
        return case_calendar(rule_base, values).days_after(base, value.plus_days)
    return value, None
