"""Checks of a whole rule base beyond loading: cycles, dead rules, conflicts and gaps.

Dead rules, conflicts and gaps are found by exploring the rules over the facts' domains (the
decision tree), not by sampling; each conflict or gap comes with a concrete example case,
confirmed by running the engine on it.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from .adjusting import adjusted_day, as_written
from .advisor import Advisor
from .conditions import compare, compares, evaluate
from .dates import days_after
from .errors import EngineError, FactError, Location
from .facts import read_case
from .limits import MAX_EXAMPLE_TRIES, MAX_SEARCH_BRANCHES, MAX_SEARCH_STEPS
from .model import AllOf, Compare, CompareOp, Condition, DateExpr, FactRef, Not, Rule, RuleBase
from .proof import cached_proof
from .tree import (
    State,
    TreeAnalysis,
    analyse_tree,
    finite_domain,
    predicate_key,
    source_fact,
)

EXAMPLE_TODAY = datetime.date(2026, 11, 25)  # a Wednesday: weekends are near on both sides
DATE_OFFSETS = (-30, -15, -8, -7, -6, -2, -1, 0, 1, 7, 14)


@dataclass(frozen=True)
class Problem:
    """One finding, at a place in a rule file; conflicts and gaps carry an example case."""

    kind: str
    message: str
    location: Location
    rule_id: str | None = None
    suggestion: str | None = None
    example: Mapping[str, Any] | None = field(default=None)

    def lines(self) -> list[str]:
        hint = f" ({self.suggestion})" if self.suggestion else ""
        text = [f"{self.location}: {self.message}{hint}"]
        if self.example is not None:
            shown = ", ".join(f"{name}: {_show(value)}" for name, value in self.example.items())
            text.append(f"  for example: {shown}")
        return text


def analyse(rule_base: RuleBase, decides_at: Location) -> list[Problem]:
    """Every problem of the rules as a whole, in file order; empty when the rules are sound."""
    # The engine first: rules it cannot hold are refused before any exploring.
    advisor = Advisor(rule_base)
    problems = list(_cycles(rule_base))
    analysis = analyse_tree(rule_base)
    problems += _dead_rules(rule_base, analysis)
    problems += _unfounded(rule_base, analysis)
    problems += _conflicts(rule_base, analysis, advisor)
    problems += _gaps(rule_base, analysis, advisor, decides_at)
    if not problems:  # the evaluators are compared only on sound rules
        problems += _engines_disagree(rule_base, analysis, decides_at)
    return problems


def _engines_disagree(
    rule_base: RuleBase, analysis: TreeAnalysis, decides_at: Location
) -> list[Problem]:
    found = cached_proof(rule_base, analysis).disagreement
    if found is None:
        return []
    return [
        Problem(
            "engines",
            "the compiled evaluator and durable_rules disagree on a case: durable_rules gives "
            f"{found.durable}; the compiled evaluator gives {found.compiled}",
            decides_at,
            suggestion="advise uses durable_rules for these rules; please report this case",
            example=found.case,
        )
    ]


# -- circular derivations ---------------------------------------------------------------------


def _cycles(rule_base: RuleBase) -> Iterator[Problem]:
    needs: dict[str, set[str]] = {}
    makers: dict[tuple[str, str], list[Rule]] = {}
    for rule in rule_base.rules:
        inputs = rule.when.facts() | _sources(c.value for c in rule.then)
        derived = {name for name in inputs if rule_base.facts[name].derived}
        for conclusion in rule.then:
            needs.setdefault(conclusion.fact, set()).update(derived)
            for name in derived:
                makers.setdefault((conclusion.fact, name), []).append(rule)
    reported: set[frozenset[str]] = set()
    for start in needs:
        cycle = _find_cycle(start, needs)
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            rule = _closing_rule(cycle, makers)
            chain = " → ".join([*cycle, cycle[0]])
            yield Problem(
                "cycle",
                f"circular derivation: {chain} (each is worked out from the next)",
                rule.location,
                rule.id,
                "work one of them out from given facts instead",
            )


def _closing_rule(cycle: list[str], makers: Mapping[tuple[str, str], list[Rule]]) -> Rule:
    """The rule to blame for a circle: of those that make its links, the last in the file.

    The rules that made a sound chain were there first; the circle is most often closed by
    the rule just added, which a coach adds at the end or next to its kin.
    """
    links = zip(cycle, [*cycle[1:], cycle[0]], strict=True)
    rules = [rule for link in links for rule in makers.get(link, [])]
    return max(rules, key=lambda rule: (rule.location.line, rule.location.column))


def _find_cycle(start: str, needs: Mapping[str, set[str]]) -> list[str] | None:
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    while stack:
        fact, path = stack.pop()
        for needed in sorted(needs.get(fact, ())):
            if needed == start:
                return path
            if needed not in path:
                stack.append((needed, [*path, needed]))
    return None


def _sources(values: Iterable[Any]) -> set[str]:
    return {name for value in values if (name := source_fact(value)) is not None}


# -- rules that can never fire ----------------------------------------------------------------


def _dead_rules(rule_base: RuleBase, analysis: TreeAnalysis) -> Iterator[Problem]:
    fired = {rule_id for leaf, _state in analysis.leaves for rule_id in leaf.fired}
    # A written rule lives on in the rules combined from it (engine/adjusting.py): those that
    # cannot fire are mixes that cannot happen, or that a larger mix always covers.
    fired_as_written = set(as_written(fired))
    concluded = {c.fact for rule in rule_base.rules for c in rule.then}
    for rule in rule_base.rules:
        if rule.made_from or rule.id in fired_as_written:
            continue
        missing = sorted(
            name
            for name in rule.when.facts()
            if rule_base.facts[name].derived and name not in concluded
        )
        if missing:
            message = f"rule `{rule.id}` can never fire: no rule concludes `{missing[0]}`"
            suggestion = None
        elif not _satisfiable(rule_base, rule.when):
            message = f"rule `{rule.id}` can never fire: its conditions contradict each other"
            suggestion = "check the values it tests: no case meets all of them"
        elif (unreached := _never_concluded_here(rule, rule_base, analysis)) is not None:
            message = (
                f"rule `{rule.id}` can never fire: `{unreached}` is never concluded where its "
                "other conditions hold"
            )
            suggestion = f"check the rules that conclude `{unreached}`"
        else:
            message, suggestion = _preempted(rule, rule_base, analysis)
        yield Problem("dead", message, rule.location, rule.id, suggestion)
    for adjustment in rule_base.adjustments:
        if adjustment.id not in fired_as_written:
            day = adjusted_day(adjustment)
            yield Problem(
                "dead",
                f"rule `{adjustment.id}` never moves `{day}`: it never applies together with a "
                f"rule that works `{day}` out",
                adjustment.location,
                adjustment.id,
                "check its conditions against theirs",
            )


def _never_concluded_here(rule: Rule, rule_base: RuleBase, analysis: TreeAnalysis) -> str | None:
    tested = sorted(name for name in rule.when.facts() if rule_base.facts[name].derived)
    for name in tested:
        if not any(
            name in state.concluded and _possible(rule.when, state)
            for _leaf, state in analysis.leaves
        ):
            return name
    return None


def _preempted(rule: Rule, rule_base: RuleBase, analysis: TreeAnalysis) -> tuple[str, str]:
    """Why a rule that could apply never fires: the rule that decides before it, named."""
    priorities = {r.id: r.priority for r in rule_base.rules}
    blocker = _preempting_rule(rule, analysis, priorities)
    other = next((r for r in rule_base.rules if r.id == blocker), None)
    if other is not None and other.priority == rule.priority:
        return (
            f"rule `{rule.id}` can never fire: `{other.id}`, of equal priority and listed "
            "before it, always decides first",
            f"give `{rule.id}` a higher priority than {other.priority} to decide before it",
        )
    return (
        f"rule `{rule.id}` can never fire: rules of higher priority always decide first"
        + (f" (such as `{blocker}`)" if blocker else ""),
        "raise its priority, or narrow the rule that decides first",
    )


def _preempting_rule(
    rule: Rule, analysis: TreeAnalysis, priorities: Mapping[str, int]
) -> str | None:
    for leaf, _state in analysis.leaves:
        for preempted, by in leaf.preempted:
            if preempted == rule.id:
                return by
    # Of the rules that decide where this one could apply, the nearest in priority: the
    # rules far above it decide only other cases (an offer, several follow-ups).
    deciders = [
        (leaf.fired[-1], priorities[leaf.fired[-1]])
        for leaf, state in analysis.leaves
        if leaf.fired
        and priorities[leaf.fired[-1]] >= rule.priority  # a lower one decides after it
        and _possible(rule.when, state)
        and _settled_as_tested(rule.when, state)
    ]
    return min(deciders, key=lambda pair: pair[1])[0] if deciders else None


def _settled_as_tested(condition: Condition, state: State) -> bool:
    """Whether no test of the rule's own list came out the other way on this path."""
    items = condition.items if isinstance(condition, AllOf) else (condition,)
    for item in items:
        if isinstance(item, Compare):
            key, polarity = predicate_key(item)
            truth = state.settled.get(key)
            if truth is not None and truth != polarity:
                return False
    return True


def _possible(condition: Condition, state: State) -> bool:
    """Whether the condition's given-fact tests could hold on this path (derived ignored)."""
    for test in compares(condition):
        domain = state.domains.get(test.fact)
        if domain is not None and not isinstance(test.value, FactRef):
            if not any(compare(test, {test.fact: value}) for value in domain):
                return False
    return True


def _satisfiable(rule_base: RuleBase, condition: Condition) -> bool:
    """Whether some case meets the condition, each test of a date taken as free.

    A search that narrows the values of the finite facts and settles the other tests as it
    goes: a list of tests costs one pass (it branches only at `any`, or at a `not` of a list),
    rather than trying every combination of answers.
    """
    domains = {
        test.fact: frozenset(domain)
        for test in compares(condition)
        if not isinstance(test.value, FactRef)
        and (domain := finite_domain(rule_base, test.fact)) is not None
    }
    return _Search().holds([(condition, True)], domains, {})


_Goal = tuple[Condition, bool]


class _Search:
    """A depth-first search with a bounded number of steps.

    A list of tests is a loop, not a recursion; only `any` branches. A rule with many `any`
    in one list could still take exponential time, so past MAX_SEARCH_STEPS (or as deep as
    MAX_SEARCH_BRANCHES) the rule is taken as satisfiable: the checker then explains a rule
    that cannot fire by the rules that decide first, rather than by a contradiction.
    """

    def __init__(self) -> None:
        self.steps = 0

    def holds(
        self,
        goals: list[_Goal],
        domains: Mapping[str, frozenset[Any]],
        settled: Mapping[Any, bool],
        depth: int = 0,
    ) -> bool:
        stack = list(reversed(goals))
        choices: list[_Goal] = []  # branched on last, once the plain tests are settled
        while stack:
            self.steps += 1
            if self.steps > MAX_SEARCH_STEPS or depth > MAX_SEARCH_BRANCHES:
                return True
            condition, wanted = stack.pop()
            if isinstance(condition, Not):
                stack.append((condition.item, not wanted))
            elif isinstance(condition, Compare):
                narrowed = _narrow(condition, wanted, domains, settled)
                if narrowed is None:
                    return False
                domains, settled = narrowed
            elif isinstance(condition, AllOf) == wanted:
                # `all` wanted true, or `any` wanted false: every item must come out so.
                stack.extend((item, wanted) for item in reversed(condition.items))
            else:
                choices.append((condition, wanted))
        if not choices:
            return True
        (choice, wanted), rest = choices[0], choices[1:]
        assert not isinstance(choice, (Compare, Not))
        return any(
            self.holds([(item, wanted), *rest], domains, settled, depth + 1)
            for item in choice.items
        )


def _narrow(
    test: Compare, wanted: bool, domains: Mapping[str, frozenset[Any]], settled: Mapping[Any, bool]
) -> tuple[Mapping[str, frozenset[Any]], Mapping[Any, bool]] | None:
    """The values and settled tests left once `test` comes out as `wanted`; None if none."""
    if test.fact in domains and not isinstance(test.value, FactRef):
        kept = frozenset(
            value for value in domains[test.fact] if compare(test, {test.fact: value}) == wanted
        )
        return ({**domains, test.fact: kept}, settled) if kept else None
    key, polarity = predicate_key(test)
    truth = wanted == polarity
    if settled.get(key, truth) != truth:
        return None
    return domains, {**settled, key: truth}


def _unfounded(rule_base: RuleBase, analysis: TreeAnalysis) -> Iterator[Problem]:
    seen: set[tuple[str, str]] = set()
    for rule, source, _state in analysis.unfounded:
        if (rule.id, source) in seen:
            continue
        seen.add((rule.id, source))
        if rule_base.facts[source].derived:
            problem = "which no rule has concluded when it applies"
            suggestion = f"add a condition that `{source}` is known, or count from a given fact"
        else:
            problem = "which may not be given when it applies"
            suggestion = f"add `{source}: {{known: true}}` to its conditions"
        yield Problem(
            "unfounded",
            f"rule `{rule.id}` counts from `{source}`, {problem}",
            rule.location,
            rule.id,
            suggestion,
        )


# -- conflicts and gaps -------------------------------------------------------------------------


def _conflicts(rule_base: RuleBase, analysis: TreeAnalysis, advisor: Advisor) -> Iterator[Problem]:
    for conflict in analysis.conflicts:
        if _one_adjusts_the_other(conflict.first, conflict.second):
            continue
        example = example_case(rule_base, conflict.state, advisor, expect_gap=False)
        yield Problem(
            "conflict",
            f"rules `{conflict.first.id}` and `{conflict.second.id}` can both apply and "
            f"conclude `{conflict.fact}` differently, with nothing to order them (both "
            f"priority {conflict.first.priority})",
            conflict.second.location,
            conflict.second.id,
            "give one a higher priority, or make their conditions exclude each other",
            example,
        )


def _one_adjusts_the_other(first: Rule, second: Rule) -> bool:
    """A rule combined with the rules that move its day stands before it on purpose: when both
    apply, the day moves (engine/adjusting.py)."""
    base = {first.made_from[:1] or (first.id,), second.made_from[:1] or (second.id,)}
    return len(base) == 1 and bool(first.made_from or second.made_from)


def _gaps(
    rule_base: RuleBase, analysis: TreeAnalysis, advisor: Advisor, decides_at: Location
) -> Iterator[Problem]:
    # One missing rule leaves several paths undecided: one finding, with one example.
    undecided = [state for leaf, state in analysis.leaves if leaf.decision(rule_base.goal) is None]
    if not undecided:
        return
    example = None
    for state in undecided:
        example = example_case(rule_base, state, advisor, expect_gap=True)
        if example is not None:
            break
    kinds = len(undecided)
    yield Problem(
        "gap",
        f"a gap: no rule decides the {rule_base.goal} for some cases",
        decides_at,
        suggestion="add a rule for them"
        + (f"; {kinds} kinds of case, such as this one" if kinds > 1 else ""),
        example=example,
    )


def example_case(
    rule_base: RuleBase, state: State, advisor: Advisor, expect_gap: bool
) -> dict[str, Any] | None:
    """Facts (and today) that take the engine down this path, or None if none are found."""
    base: dict[str, Any] = {}
    for name, domain in state.domains.items():
        spec = rule_base.facts[name]
        if spec.for_message_only or spec.never_asked:
            continue
        choices = [value for value in domain if value is not None]
        if spec.has_default and spec.default in choices:
            base[name] = spec.default
        elif choices:
            base[name] = choices[0]
    date_facts = _dates_needed(rule_base, state, base)
    choices = [_date_choices(name, state) for name in date_facts]
    # Every combination of days would cost exponential time in the number of date facts:
    # try a bounded number, the days near today first; a problem may come without example.
    for days in itertools.islice(itertools.product(*choices), MAX_EXAMPLE_TRIES):
        facts = dict(base)
        for name, day in zip(date_facts, days, strict=True):
            facts[name] = day.isoformat()
        if not _follows(rule_base, state, facts):
            continue
        try:
            case = read_case(facts, rule_base, today=EXAMPLE_TODAY)
        except FactError:
            continue
        try:
            advisor.evaluate(case.values)
        except EngineError:
            if expect_gap:
                return {**facts, "today": EXAMPLE_TODAY.isoformat()}
            continue
        if not expect_gap:
            return {**facts, "today": EXAMPLE_TODAY.isoformat()}
    return None


def _date_choices(name: str, state: State) -> list[datetime.date]:
    """Days to try for a date fact: around today, then around each day the path compares it with."""
    near = [EXAMPLE_TODAY + datetime.timedelta(days=offset) for offset in DATE_OFFSETS]
    compared = sorted(
        datetime.date.fromordinal(day)
        for fact, _op, operand in state.settled
        if fact == name and isinstance(operand, datetime.date)
        for shift in (-1, 0, 1)
        # The first and last days of the calendar have no day before or after them.
        if 1 <= (day := operand.toordinal() + shift) <= datetime.date.max.toordinal()
    )
    return list(dict.fromkeys(near + compared))


def _dates_needed(rule_base: RuleBase, state: State, finite: Mapping[str, Any]) -> list[str]:
    """The given dates an example must hold: required ones, and those the path tests."""
    tested = {fact for fact, _op, _operand in state.settled}
    tested |= {operand for _fact, _op, operand in state.settled if isinstance(operand, str)}
    tested |= _sources(state.concluded.values())
    needed = []
    for spec in rule_base.given_facts():
        if spec.type != "date" or spec.never_asked or spec.for_message_only:
            continue
        required = not spec.optional and (
            (spec.needed_when is None and not spec.has_default)
            or (spec.needed_when is not None and evaluate(spec.needed_when, finite))
        )
        if required or spec.name in tested:
            needed.append(spec.name)
    return needed


def _follows(rule_base: RuleBase, state: State, facts: Mapping[str, Any]) -> bool:
    """Whether the dates make every settled test on the path come out as settled."""
    values: dict[str, Any] = {
        name: datetime.date.fromisoformat(value)
        if isinstance(value, str) and rule_base.facts[name].type == "date"
        else value
        for name, value in facts.items()
    }
    values["today"] = EXAMPLE_TODAY
    for name, value in state.concluded.items():
        if isinstance(value, DateExpr) and value.base in values:
            values[name] = days_after(values[value.base], value.plus_days, rule_base.weekend)
        elif isinstance(value, FactRef) and value.name in values:
            values[name] = values[value.name]
    for (fact, op, operand), truth in state.settled.items():
        test = Compare(
            fact,
            cast(CompareOp, op),
            FactRef(operand) if operand in rule_base.facts else operand,
            Location("", 0, 0),
        )
        if fact not in values or compare(test, values) != truth:
            return False
    return True


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
