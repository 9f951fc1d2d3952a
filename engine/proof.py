"""Showing that the compiled evaluator and durable_rules agree on a rule base.

The rule language has finitely many distinct cases: a case's outcome depends only on the
finite facts' values, on where each given date lies against today at the offsets the rules
count with (and whether that day, or today, is a day off: a weekend day or a holiday of the
case's country). For each path of the decision tree, every combination of the finite facts
the path allows is tried, with each date the path depends on taken once in each of its
classes, on every weekday and around public holidays, with and without a country. Both
engines run every case; the compiled evaluator is trusted only when all agree.

engine/proof_cache.py keeps the proof, by the rule base's sha256.
"""

from __future__ import annotations

import datetime
import itertools
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .conditions import evaluate
from .dates import WEEKEND, Calendar, public_holidays
from .errors import AdvisorError, FactError
from .evaluator import CompiledEvaluator
from .facts import Case, case_calendar, read_case
from .limits import MAX_PROOF_CASES
from .model import DateExpr, RuleBase
from .proof_cache import Disagreement, Proof, known_proof, remember
from .session import DurableEvaluator
from .trace import Outcome
from .tree import State, TreeAnalysis, analyse_tree, source_fact

# A Monday of a week without public holidays in the countries tried: every weekday as today.
_WEEK = datetime.date(2026, 11, 2)
_HOLIDAY_YEAR = 2026
# The country whose holidays stand for every country's, when the rule base names none.
_PROBE_COUNTRY = "US"
# Days a computed day is tried on either side of today; more than any run of days off.
_REACH = 6
# Days tried for a date no rule counts from or compares, until the case is valid.
_PLAIN_OFFSETS = (-60, -30, -1, 0, 1, 30)
_TRIES = 12


def cached_proof(rule_base: RuleBase, analysis: TreeAnalysis | None = None) -> Proof:
    """The proof for this rule base: from memory, the cache folder, or worked out now
    (on `analysis`, the rule base's explored tree, when the caller has it already)."""
    proof = known_proof(rule_base)
    if proof is None:
        proof = prove(rule_base, analysis)
        remember(rule_base, proof)
    return proof


def prove(rule_base: RuleBase, analysis: TreeAnalysis | None = None) -> Proof:
    """Run both engines on every distinct case of the rule base; stop at a disagreement."""
    durable, compiled = DurableEvaluator(rule_base), CompiledEvaluator(rule_base)
    count = 0
    try:
        explored = analysis or analyse_tree(rule_base)
        leaves = [state for _leaf, state in explored.leaves]
        # At least one case per leaf, combination of finite values and day: too many are
        # refused before any is run, not after minutes.
        at_least = len(_days(rule_base)) * sum(_combinations(rule_base, s) for s in leaves)
        if at_least > MAX_PROOF_CASES:
            return Proof(rule_base.version, at_least, complete=False)
        for raw, case in _cases(rule_base, leaves):
            count += 1
            if count > MAX_PROOF_CASES:
                return Proof(rule_base.version, count - 1, complete=False)
            expected = _result(durable.evaluate, case.values)
            actual = _result(compiled.evaluate, case.values)
            if expected != actual:
                shown = {**raw, "today": case.today.isoformat()}
                return Proof(
                    rule_base.version,
                    count,
                    complete=True,
                    disagreement=Disagreement(shown, _describe(expected), _describe(actual)),
                )
    except AdvisorError:
        # Rules too large to explore: the compiled evaluator is not used for them.
        return Proof(rule_base.version, count, complete=False)
    return Proof(rule_base.version, count, complete=True)


def distinct_cases(rule_base: RuleBase) -> Iterator[tuple[dict[str, Any], Case]]:
    """Valid cases (facts as given, and today), at least one in each distinct class."""
    return _cases(rule_base, [state for _leaf, state in analyse_tree(rule_base).leaves])


def _days(rule_base: RuleBase) -> list[tuple[str | None, datetime.date]]:
    """Each day tried as today, with the country of the case (None: no country)."""
    week = [_WEEK + datetime.timedelta(days=offset) for offset in range(7)]
    # Without a country, the days around holidays are ordinary days: the week stands for them.
    days: list[tuple[str | None, datetime.date]] = [(None, today) for today in week]
    if rule_base.country_fact is not None:
        # With a country, only the days near its holidays differ from the week without one.
        code = rule_base.calendar.country or _PROBE_COUNTRY
        days += [(code, today) for today in _holiday_days(code)]
    return days


def _combinations(rule_base: RuleBase, state: State) -> int:
    return math.prod(len(state.domains[name]) for name in _finite_names(rule_base, state))


def _cases(rule_base: RuleBase, leaves: Sequence[State]) -> Iterator[tuple[dict[str, Any], Case]]:
    seen: set[str] = set()
    days = _days(rule_base)
    for state in leaves:
        for finite in _finite_values(rule_base, state):
            varied, plain = _date_facts(rule_base, state, finite)
            for country, today in days:
                facts = dict(finite)
                if country is not None and rule_base.country_fact is not None:
                    facts[rule_base.country_fact] = country
                for raw, case in _dated(rule_base, facts, today, varied, plain):
                    key = json.dumps([raw, today.isoformat()], sort_keys=True, default=str)
                    if key not in seen:
                        seen.add(key)
                        yield raw, case


def _holiday_days(country: str) -> list[datetime.date]:
    """Public holidays (one on each weekday they fall on), and the day before each."""
    days: list[datetime.date] = []
    holidays = public_holidays(country)
    start = datetime.date(_HOLIDAY_YEAR, 1, 1)
    weekdays: set[int] = set()
    for offset in range(366):
        day = start + datetime.timedelta(days=offset)
        if holidays.get(day) is not None and day.weekday() not in weekdays:
            weekdays.add(day.weekday())
            days += [day - datetime.timedelta(days=1), day]
    return sorted(set(days))


def _finite_values(rule_base: RuleBase, state: State) -> Iterator[dict[str, Any]]:
    """Every combination of the given finite facts' values the path allows (None: not given)."""
    names = _finite_names(rule_base, state)
    for values in itertools.product(*(sorted(state.domains[n], key=repr) for n in names)):
        yield {name: value for name, value in zip(names, values, strict=True) if value is not None}


def _finite_names(rule_base: RuleBase, state: State) -> list[str]:
    return sorted(
        name
        for name in state.domains
        if not (spec := rule_base.facts[name]).computed
        and not spec.never_asked
        and not spec.for_message_only
    )


def _date_facts(
    rule_base: RuleBase, state: State, finite: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """The given dates the path depends on (varied), and the other ones a case needs (plain)."""
    depends = {fact for fact, _op, _operand in state.settled}
    depends |= {operand for _fact, _op, operand in state.settled if isinstance(operand, str)}
    depends |= {name for value in state.concluded.values() if (name := source_fact(value))}
    varied, plain = [], []
    for spec in rule_base.given_facts():
        if spec.type != "date" or spec.never_asked or spec.for_message_only or spec.computed:
            continue
        if spec.name in depends:
            varied.append(spec.name)
        elif not spec.optional and (spec.needed_when is None or evaluate(spec.needed_when, finite)):
            plain.append(spec.name)
    return varied, plain


def _dated(
    rule_base: RuleBase,
    facts: Mapping[str, Any],
    today: datetime.date,
    varied: Sequence[str],
    plain: Sequence[str],
) -> Iterator[tuple[dict[str, Any], Case]]:
    """One valid case for each combination of classes of the varied dates, if one exists."""
    calendar = case_calendar(rule_base, {**facts, "today": today})
    classes = [_classes(rule_base, name, today, calendar) for name in varied]
    for choice in itertools.product(*classes):
        candidates = itertools.product(*choice, *([_PLAIN_OFFSETS] * len(plain)))
        # Most classes hold a valid case among their first days; some can hold none (a
        # decision before the interview): a bounded search keeps those from costing much.
        for offsets in itertools.islice(candidates, _TRIES):
            raw = dict(facts)
            for name, offset in zip([*varied, *plain], offsets, strict=True):
                raw[name] = (today + datetime.timedelta(days=offset)).isoformat()
            try:
                case = read_case(raw, rule_base, today=today)
            except FactError:
                continue
            yield raw, case
            break


def _classes(
    rule_base: RuleBase, name: str, today: datetime.date, calendar: Calendar
) -> list[list[int]]:
    """Offsets from today for a date fact, grouped by how the rules can see them."""
    counts = {0} | {
        conclusion.value.plus_days
        for rule in rule_base.rules
        for conclusion in rule.then
        if isinstance(conclusion.value, DateExpr) and conclusion.value.base == name
    }
    offsets = sorted({-count + shift for count in counts for shift in range(-_REACH, _REACH + 1)})
    grouped: dict[tuple[Any, ...], list[int]] = {}
    for offset in offsets:
        day = today + datetime.timedelta(days=offset)
        signature: list[Any] = [_sign(offset)]
        for count in sorted(counts):
            computed, move = calendar.days_after(day, count)
            kind = None if move is None else (WEEKEND if move.holiday is None else "holiday")
            signature += [_sign((computed - today).days), kind]
        grouped.setdefault(tuple(signature), []).append(offset)
    return list(grouped.values())


def _sign(number: int) -> int:
    return (number > 0) - (number < 0)


def _result(evaluate: Any, values: Mapping[str, Any]) -> tuple[Any, ...]:
    try:
        outcome: Outcome = evaluate(values)
    except AdvisorError as error:
        return ("refused", error.message, error.rule_id)
    return ("decided", dict(outcome.values), outcome.trace)


def _describe(result: tuple[Any, ...]) -> str:
    if result[0] == "refused":
        return f"refused: {result[1]}"
    values, trace = result[1], result[2]
    steps = ", ".join(f"{firing.rule_id} {firing.status}" for firing in trace)
    shown = {name: str(value) for name, value in values.items() if name not in ("today",)}
    return f"{steps}; {shown}"
