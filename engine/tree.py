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

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .conditions import compare, compares
from .errors import RuleFileError
from .limits import MAX_TREE_PATHS
from .model import (
    AllOf,
    AnyOf,
    Compare,
    CompareOp,
    Condition,
    DateExpr,
    FactRef,
    FactSpec,
    Not,
    Rule,
    RuleBase,
)

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
class State:
    """What the symbolic run knows on one path: possible values, settled tests, conclusions."""

    domains: Mapping[str, frozenset[Any]]
    settled: Mapping[PredicateKey, bool]
    concluded: Mapping[str, Any]
    # The rules still to look at, in the engine's order: neither fired, nor preempted, nor
    # false for good on this path. Each step looks only at these, not at every rule again.
    pending: Mapping[str, Rule]
    fired: tuple[str, ...] = ()
    preempted: tuple[tuple[str, str], ...] = ()
    concluded_by: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Conflict:
    """Two rules of equal priority that can both apply and conclude a fact differently."""

    first: Rule
    second: Rule
    fact: str
    state: State


@dataclass(frozen=True)
class TreeAnalysis:
    """The tree explored for checking: every leaf with its final state, and the conflicts."""

    tree: DecisionTree
    leaves: tuple[tuple[Leaf, State], ...]
    conflicts: tuple[Conflict, ...]
    unfounded: tuple[tuple[Rule, str, State], ...] = ()


def analyse_tree(rule_base: RuleBase) -> TreeAnalysis:
    """Explore the rules as `build_tree` does, also branching wherever two equal-priority
    rules might both apply, and keep each leaf's state (for example cases)."""
    builder = _TreeBuilder(rule_base, analysis=True)
    root = builder.expand(builder.initial_state())
    tree = DecisionTree(root=root, goal=rule_base.goal, definitions=builder.definitions)
    return TreeAnalysis(
        tree, tuple(builder.leaf_states), tuple(builder.conflicts), tuple(builder.unfounded)
    )


class _TreeBuilder:
    def __init__(self, rule_base: RuleBase, analysis: bool = False) -> None:
        self.rule_base = rule_base
        self.facts = rule_base.facts
        # The engine's firing order: higher priority first, then the order in the file.
        self.order = sorted(rule_base.rules, key=lambda rule: -rule.priority)
        self.definitions: dict[str, Any] = {}
        self.analysis = analysis
        self.leaf_states: list[tuple[Leaf, State]] = []
        self.conflicts: list[Conflict] = []
        self.unfounded: list[tuple[Rule, str, State]] = []
        self.paths = 0
        self.rivals: dict[str, tuple[tuple[Rule, tuple[str, ...]], ...]] = {}
        # Each rule's place in the firing order; the rules of each priority concluding each
        # fact (a rule's rivals are among these), grouped by the given values they require.
        self.rank = {rule.id: place for place, rule in enumerate(self.order)}
        self.concluders: dict[tuple[int, str], _Concluders] = {}
        # The rules requiring each value of a given fact.
        self.requiring: dict[tuple[str, Any], list[str]] = {}
        self.required = {rule.id: _required(rule.when, self.facts) for rule in self.order}
        for rule in self.order:
            required = self.required[rule.id]
            for pair in required:
                self.requiring.setdefault(pair, []).append(rule.id)
            for fact in dict.fromkeys(c.fact for c in rule.then):
                self.concluders.setdefault((rule.priority, fact), _Concluders()).add(rule, required)
        self.given_only = frozenset(
            rule.id
            for rule in rule_base.rules
            if not any(self.facts[name].derived for name in rule.when.facts())
        )
        # A test of a finite fact against a set of its possible values: what it can come to.
        self.outcomes: dict[tuple[int, frozenset[Any]], bool | None] = {}

    def initial_state(self) -> State:
        domains = {
            name: frozenset(domain)
            for name in self.facts
            if (domain := finite_domain(self.rule_base, name)) is not None
        }
        pending = {rule.id: rule for rule in self.order}
        return State(domains=domains, settled={}, concluded={}, pending=pending)

    # -- symbolic run ------------------------------------------------------------------------

    def expand(self, state: State) -> Node:
        while True:
            step = None
            if self.rule_base.goal not in state.concluded:
                step, never = self._next_rule(state)
                if never:
                    state = replace(state, pending=_without(state.pending, never))
            if step is None:
                self._count_path(state)
                leaf = Leaf(dict(state.concluded), state.fired, state.preempted)
                if self.analysis:
                    self.leaf_states.append((leaf, state))
                return leaf
            rule, truth = step
            if truth and self.analysis:
                rival = self._rival(rule, state)
                if rival is not None:
                    rule, truth = rival
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

    def _count_path(self, state: State) -> None:
        # Rules that each may or may not apply, independently, multiply the paths: refuse
        # before the exploring takes hours, naming the last rule on the path that crossed.
        self.paths += 1
        if self.paths > MAX_TREE_PATHS:
            last = self.rule_base.rule(state.fired[-1]) if state.fired else self.order[0]
            raise RuleFileError(
                f"too many different paths through the rules to check: more than {MAX_TREE_PATHS}",
                rule_id=last.id,
                location=last.location,
                suggestion="let more rules decide the action, or test fewer independent dates",
            )

    def _rival(self, rule: Rule, state: State) -> tuple[Rule, bool | None] | None:
        """An equal-priority rule that may also apply and would conclude a fact differently.

        One that surely applies is a conflict (noted); one that might is returned, so the
        tree first settles whether it applies.
        """
        for other, facts in self._rivals_of(rule):
            if other.id not in state.pending:
                continue
            clash = next((fact for fact in facts if fact not in state.concluded), None)
            if clash is None:
                continue
            truth = self._truth(other.when, state)
            if truth is None:
                return other, None
            if truth:
                first, second = sorted((rule, other), key=self.rule_base.rules.index)
                if not any(c.first is first and c.second is second for c in self.conflicts):
                    self.conflicts.append(Conflict(first, second, clash, state))
        return None

    def _rivals_of(self, rule: Rule) -> tuple[tuple[Rule, tuple[str, ...]], ...]:
        """The other rules of its priority, each with the facts they conclude differently."""
        if rule.id not in self.rivals:
            mine = {c.fact: c.value for c in rule.then}
            # Only the rules of its priority concluding one of its facts, and of those only the
            # ones that can apply together with it: one requiring `track: a` never applies
            # where another requiring `track: b` does.
            required = self.required[rule.id]
            candidates = {
                self.rank[other.id]: other
                for fact in mine
                for other in self.concluders[rule.priority, fact].compatible(required)
            }
            found = []
            for _place, other in sorted(candidates.items()):
                facts = tuple(
                    c.fact for c in other.then if c.fact in mine and mine[c.fact] != c.value
                )
                if other is not rule and facts:
                    found.append((other, facts))
            self.rivals[rule.id] = tuple(found)
        return self.rivals[rule.id]

    def _next_rule(self, state: State) -> tuple[tuple[Rule, bool | None] | None, list[str]]:
        """The next rule that may apply, and the rules passed over that never can on this path.

        A rule false whatever the facts not yet concluded turn out to be stays false below
        (what is known of given facts only narrows, and a conclusion is never changed):
        dropping it spares every later step a look at it.
        """
        never: list[str] = []
        for rule in state.pending.values():
            truth = self._truth(rule.when, state)
            if truth is not False:
                return (rule, truth), never
            if rule.id in self.given_only or self._truth(rule.when, state, lasting=True) is False:
                never.append(rule.id)
        return None, never

    def _fire(self, rule: Rule, state: State) -> State:
        pending = _without(state.pending, [rule.id])
        blocker = next(
            (state.concluded_by[f] for f in rule.concludes() if f in state.concluded), None
        )
        if blocker is not None:
            return replace(state, pending=pending, preempted=(*state.preempted, (rule.id, blocker)))
        concluded = dict(state.concluded)
        concluded_by = dict(state.concluded_by)
        for conclusion in rule.then:
            source = source_fact(conclusion.value)
            if self.analysis and source is not None and not self._founded(conclusion.value, state):
                self.unfounded.append((rule, source, state))
            concluded[conclusion.fact] = conclusion.value
            concluded_by[conclusion.fact] = rule.id
            self.definitions.setdefault(conclusion.fact, {})[rule.id] = conclusion.value
        return replace(
            state,
            pending=pending,
            concluded=concluded,
            concluded_by=concluded_by,
            fired=(*state.fired, rule.id),
        )

    def _founded(self, value: Any, state: State) -> bool:
        """Whether the fact a value is taken or counted from is surely known on this path.

        Counting days from an unknown date fails the case; copying an unknown value does not.
        """
        name = source_fact(value)
        assert name is not None
        spec = self.facts[name]
        if spec.derived:
            return name in state.concluded
        if not isinstance(value, DateExpr) or spec.never_asked or spec.has_default:
            return True
        if state.settled.get((name, "known", True)) is True:
            return True
        if spec.optional:
            return False
        return spec.needed_when is None or self._truth(spec.needed_when, state) is True

    # -- three-valued evaluation -------------------------------------------------------------

    def _truth(self, condition: Condition, state: State, *, lasting: bool = False) -> bool | None:
        """True, false or not settled (None) on this path; with `lasting`, a test of a fact
        not yet concluded is not settled (rather than false, as the engine sees it now)."""
        if isinstance(condition, Compare):
            return self._compare(condition, state, lasting=lasting)
        if isinstance(condition, Not):
            inner = self._truth(condition.item, state, lasting=lasting)
            return None if inner is None else not inner
        # An `all` is settled by its first false item, an `any` by its first true one.
        decisive = isinstance(condition, AnyOf)
        unsettled = False
        for item in condition.items:
            result = self._truth(item, state, lasting=lasting)
            if result is decisive:
                return decisive
            unsettled = unsettled or result is None
        return None if unsettled else not decisive

    def _compare(self, test: Compare, state: State, *, lasting: bool = False) -> bool | None:
        involved = test.facts()
        for name in involved:
            if self.facts[name].derived and name not in state.concluded:
                if lasting:
                    return None  # a later conclusion may make it true
                # The engine sees an unconcluded fact as unknown: only `known: false` holds.
                return test.op == "known" and not test.value
        if test.op == "known" and self.facts[test.fact].derived:
            return bool(test.value)
        if test.fact in state.domains and not isinstance(test.value, FactRef):
            return self._over_domain(test, state.domains[test.fact])
        key, polarity = predicate_key(test)
        if key in state.settled:
            return state.settled[key] == polarity
        return None

    def _over_domain(self, test: Compare, domain: frozenset[Any]) -> bool | None:
        """The test's truth for every value a finite fact may still have: one, or None."""
        key = (id(test), domain)  # tests live as long as the rule base: their ids are stable
        if key not in self.outcomes:
            outcomes = {compare(test, {test.fact: value}) for value in domain}
            self.outcomes[key] = outcomes.pop() if len(outcomes) == 1 else None
        return self.outcomes[key]

    def _first_unsettled(self, condition: Condition, state: State) -> Compare | None:
        if isinstance(condition, Compare):
            return condition if self._compare(condition, state) is None else None
        items = (condition.item,) if isinstance(condition, Not) else condition.items
        for item in items:
            if self._truth(item, state) is None:
                return self._first_unsettled(item, state)
        return None

    def _assume(self, state: State, test: Compare, answer: bool) -> State:
        if test.fact in state.domains and not isinstance(test.value, FactRef):
            domain = state.domains[test.fact]
            kept = frozenset(v for v in domain if compare(test, {test.fact: v}) == answer)
            # The rules requiring a value the fact can no longer have are false for good.
            gone = {
                rule_id
                for value in domain - kept
                for rule_id in self.requiring.get((test.fact, value), ())
                if rule_id in state.pending
            }
            pending = _without(state.pending, gone) if gone else state.pending
            return replace(state, domains={**state.domains, test.fact: kept}, pending=pending)
        key, polarity = predicate_key(test)
        return replace(state, settled={**state.settled, key: answer == polarity})


# The given facts a rule's condition requires to equal one value each, as (fact, value) pairs.
Requirement = frozenset[tuple[str, Any]]


class _Concluders:
    """The rules of one priority concluding one fact, grouped by the given values they require."""

    def __init__(self) -> None:
        self.groups: dict[Requirement, list[Rule]] = {}
        # The groups requiring some value of a fact, and those requiring one value of it.
        self.naming: dict[str, set[Requirement]] = {}
        self.requiring: dict[tuple[str, Any], set[Requirement]] = {}

    def add(self, rule: Rule, required: Requirement) -> None:
        self.groups.setdefault(required, []).append(rule)
        for name, value in required:
            self.naming.setdefault(name, set()).add(required)
            self.requiring.setdefault((name, value), set()).add(required)

    def compatible(self, required: Requirement) -> Iterator[Rule]:
        """The rules that can apply together with one requiring `required`: not those
        requiring another value of a fact it requires."""
        excluded: set[Requirement] = set()
        for name, value in required:
            excluded |= self.naming.get(name, set()) - self.requiring.get((name, value), set())
        for theirs, rules in self.groups.items():
            if theirs not in excluded:
                yield from rules


def _required(condition: Condition, facts: Mapping[str, FactSpec]) -> Requirement:
    """The `fact: value` tests on given facts that every case the condition holds for passes."""
    items = condition.items if isinstance(condition, AllOf) else (condition,)
    return frozenset(
        (item.fact, item.value)
        for item in items
        if isinstance(item, Compare)
        and item.op == "equals"
        and isinstance(item.value, str | int | bool)
        and not facts[item.fact].derived
    )


def _without(pending: Mapping[str, Rule], dropped: Collection[str]) -> dict[str, Rule]:
    if len(dropped) > len(pending) // 2:
        gone = set(dropped)
        return {rule_id: rule for rule_id, rule in pending.items() if rule_id not in gone}
    kept = dict(pending)  # a copy in one step, then only the dropped rules touched
    for rule_id in dropped:
        del kept[rule_id]
    return kept


def date_definition(rule_base: RuleBase, question: Question) -> DateExpr | None:
    """How the date a question tests was worked out on its path, if it is a computed day."""
    for rule_id in reversed(question.fired_before):
        for conclusion in rule_base.rule(rule_id).then:
            if conclusion.fact == question.test.fact and isinstance(conclusion.value, DateExpr):
                return conclusion.value
    return None


def source_fact(value: Any) -> str | None:
    """The fact a concluded value is taken or counted from, if any."""
    if isinstance(value, FactRef):
        return value.name
    if isinstance(value, DateExpr):
        return value.base
    return None


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
            for test in compares(rule.when):
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
