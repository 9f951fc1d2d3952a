"""The decision tree of a whole rule base, derived from the rules themselves.

Inner nodes are the questions the rules test (one predicate each, yes or no); leaves are the
outcomes, with the rules that fired on the way. The tree is built by running the rules
symbolically in the engine's order (highest priority first, conclusions unlocking the rules
that test them): whenever the next rule that could fire depends on something not yet settled,
the tree branches on that predicate.

Facts with few values (yes/no, choices, whole numbers) are tracked as sets of possible values,
so `followups_sent is 1` is settled once `followups_sent is at least 2` was answered yes. Other
tests (dates) are tracked as settled predicates, with `after` and `on or before` recognised as
one question asked two ways.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from engine.conditions import compare
from engine.model import AnyOf, Compare, CompareOp, Condition, FactRef, Not, Rule, RuleBase

FINITE_TYPES = ("yes_no", "choice", "whole_number")
_CANONICAL: dict[CompareOp, tuple[CompareOp, bool]] = {
    "after": ("after", True),
    "on_or_before": ("after", False),
    "on_or_after": ("on_or_after", True),
    "before": ("on_or_after", False),
}
PredicateKey = tuple[str, str, Any]


@dataclass(frozen=True)
class Leaf:
    """An outcome: what the rules conclude on this path, and which rules fired."""

    conclusions: Mapping[str, Any]
    fired: tuple[str, ...]
    preempted: tuple[tuple[str, str], ...] = ()

    def decision(self, goal: str) -> Any:
        return self.conclusions.get(goal)


@dataclass(frozen=True)
class Question:
    """A predicate the rules test; `asked_by` is the rule whose condition needs it."""

    test: Compare
    asked_by: str
    yes: Node
    no: Node
    fired_before: tuple[str, ...] = ()


Node = Question | Leaf


@dataclass(frozen=True)
class DecisionTree:
    """The whole rule base as questions and outcomes."""

    root: Node
    goal: str
    definitions: Mapping[str, Any] = field(default_factory=dict)

    def leaves(self) -> Iterator[tuple[tuple[tuple[Question, bool], ...], Leaf]]:
        """Every leaf with the path of (question, answer) that leads to it."""
        stack: list[tuple[Node, tuple[tuple[Question, bool], ...]]] = [(self.root, ())]
        while stack:
            node, path = stack.pop()
            if isinstance(node, Leaf):
                yield path, node
            else:
                stack.append((node.no, (*path, (node, False))))
                stack.append((node.yes, (*path, (node, True))))

    def path_for(self, values: Mapping[str, Any]) -> list[tuple[Node, bool | None]]:
        """The nodes a case with these (final) values passes through, with its answers."""
        node = self.root
        path: list[tuple[Node, bool | None]] = []
        while isinstance(node, Question):
            answer = compare(node.test, values)
            path.append((node, answer))
            node = node.yes if answer else node.no
        path.append((node, None))
        return path


def build_tree(rule_base: RuleBase) -> DecisionTree:
    """Derive the decision tree from the rules."""
    builder = _TreeBuilder(rule_base)
    root = builder.expand(builder.initial_state())
    return DecisionTree(root=root, goal=rule_base.goal, definitions=builder.definitions)


@dataclass(frozen=True)
class _State:
    domains: Mapping[str, frozenset[Any]]
    settled: Mapping[PredicateKey, bool]
    concluded: Mapping[str, Any]
    done: frozenset[str]
    fired: tuple[str, ...] = ()
    preempted: tuple[tuple[str, str], ...] = ()
    concluded_by: Mapping[str, str] = field(default_factory=dict)


class _TreeBuilder:
    def __init__(self, rule_base: RuleBase) -> None:
        self.rule_base = rule_base
        self.facts = rule_base.facts
        # The engine's firing order: higher priority first, then the order in the file.
        self.order = sorted(rule_base.rules, key=lambda rule: -rule.priority)
        self.definitions: dict[str, Any] = {}

    def initial_state(self) -> _State:
        domains = {
            name: frozenset(domain)
            for name in self.facts
            if (domain := finite_domain(self.rule_base, name)) is not None
        }
        return _State(domains=domains, settled={}, concluded={}, done=frozenset())

    # -- symbolic run ------------------------------------------------------------------------

    def expand(self, state: _State) -> Node:
        while True:
            if self.rule_base.goal in state.concluded:
                return Leaf(dict(state.concluded), state.fired, state.preempted)
            step = self._next_rule(state)
            if step is None:
                return Leaf(dict(state.concluded), state.fired, state.preempted)
            rule, truth = step
            if truth is None:
                test = self._first_unsettled(rule.when, state)
                assert test is not None
                return Question(
                    test=test,
                    asked_by=rule.id,
                    yes=self.expand(self._assume(state, test, True)),
                    no=self.expand(self._assume(state, test, False)),
                    fired_before=state.fired,
                )
            state = self._fire(rule, state)

    def _next_rule(self, state: _State) -> tuple[Rule, bool | None] | None:
        for rule in self.order:
            if rule.id in state.done:
                continue
            truth = self._truth(rule.when, state)
            if truth is not False:
                return rule, truth
        return None

    def _fire(self, rule: Rule, state: _State) -> _State:
        done = state.done | {rule.id}
        blocker = next(
            (state.concluded_by[f] for f in rule.concludes() if f in state.concluded), None
        )
        if blocker is not None:
            return replace(state, done=done, preempted=(*state.preempted, (rule.id, blocker)))
        concluded = dict(state.concluded)
        concluded_by = dict(state.concluded_by)
        for conclusion in rule.then:
            concluded[conclusion.fact] = conclusion.value
            concluded_by[conclusion.fact] = rule.id
            self.definitions.setdefault(conclusion.fact, {})[rule.id] = conclusion.value
        return replace(
            state,
            done=done,
            concluded=concluded,
            concluded_by=concluded_by,
            fired=(*state.fired, rule.id),
        )

    # -- three-valued evaluation -------------------------------------------------------------

    def _truth(self, condition: Condition, state: _State) -> bool | None:
        if isinstance(condition, Compare):
            return self._compare(condition, state)
        if isinstance(condition, Not):
            inner = self._truth(condition.item, state)
            return None if inner is None else not inner
        results = [self._truth(item, state) for item in condition.items]
        decisive = isinstance(condition, AnyOf)
        if decisive in results:
            return decisive
        return None if None in results else not decisive

    def _compare(self, test: Compare, state: _State) -> bool | None:
        involved = test.facts()
        for name in involved:
            if self.facts[name].derived and name not in state.concluded:
                # The engine sees an unconcluded fact as unknown: only `known: false` holds.
                return test.op == "known" and not test.value
        if test.op == "known" and self.facts[test.fact].derived:
            return bool(test.value)
        if test.fact in state.domains and not isinstance(test.value, FactRef):
            outcomes = {compare(test, {test.fact: value}) for value in state.domains[test.fact]}
            return outcomes.pop() if len(outcomes) == 1 else None
        key, polarity = predicate_key(test)
        if key in state.settled:
            return state.settled[key] == polarity
        return None

    def _first_unsettled(self, condition: Condition, state: _State) -> Compare | None:
        if isinstance(condition, Compare):
            return condition if self._compare(condition, state) is None else None
        items = (condition.item,) if isinstance(condition, Not) else condition.items
        for item in items:
            if self._truth(item, state) is None:
                return self._first_unsettled(item, state)
        return None

    def _assume(self, state: _State, test: Compare, answer: bool) -> _State:
        if test.fact in state.domains and not isinstance(test.value, FactRef):
            kept = frozenset(
                value
                for value in state.domains[test.fact]
                if compare(test, {test.fact: value}) == answer
            )
            return replace(state, domains={**state.domains, test.fact: kept})
        key, polarity = predicate_key(test)
        return replace(state, settled={**state.settled, key: answer == polarity})


def finite_domain(rule_base: RuleBase, name: str) -> list[Any] | None:
    """Values that stand for every case of a given yes/no, choice or number fact.

    For a number, the constants the rules compare it with and their neighbours: values in
    between (or beyond) behave like one of these. None for facts of other types.
    """
    spec = rule_base.facts[name]
    if spec.derived or spec.type not in FINITE_TYPES:
        return None
    if spec.type == "yes_no":
        values: list[Any] = [True, False]
    elif spec.type == "choice":
        values = list(spec.values)
    else:
        constants: set[int] = set()
        for rule in rule_base.rules:
            for test in _compares(rule.when):
                if test.fact == name and isinstance(test.value, int):
                    constants.update({test.value - 1, test.value, test.value + 1})
        floor = spec.minimum if spec.minimum is not None else min(constants, default=0)
        values = sorted({floor, *(c for c in constants if c >= floor)})
    if not spec.has_default and spec.needed_when is not None:
        values.append(None)
    return values


def predicate_key(test: Compare) -> tuple[PredicateKey, bool]:
    """A key shared by a test and its opposite (`after X` / `on or before X`), and its sense."""
    value = test.value.name if isinstance(test.value, FactRef) else test.value
    if test.op in _CANONICAL:
        op, polarity = _CANONICAL[test.op]
        return (test.fact, op, value), polarity
    return (test.fact, test.op, value), True


def _compares(condition: Condition) -> Iterator[Compare]:
    if isinstance(condition, Compare):
        yield condition
    elif isinstance(condition, Not):
        yield from _compares(condition.item)
    else:
        for item in condition.items:
            yield from _compares(item)
