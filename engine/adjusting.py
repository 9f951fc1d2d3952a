"""Rules that move a day another rule worked out ("senior roles: one more week").

A coach writes such a rule as a day counted from itself:

    then:
      first_followup_day: {date: first_followup_day, plus_days: 7}

Read literally that is circular, and under "the first rule to conclude a fact wins" it could
never take effect. It is read instead as an adjustment of every rule that works the day out:
for each such rule, and each set of adjustments of that day, the loader adds a combined rule
that applies when the rule and the adjustments all apply, counts the days of all of them, and
gives both reasons. It stands just before the rule it combines, at the same priority, so it
decides first. Every engine, check and explanation then sees only ordinary rules.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from .conditions import compares
from .errors import RuleFileError
from .limits import MAX_ADJUSTMENTS_OF_ONE_DAY, MAX_PLUS_DAYS
from .model import AllOf, Compare, Conclusion, Condition, DateExpr, FactRef, Rule

# Joins the ids of the rules a combined rule is made from: it cannot stand in a written id.
JOIN = "+"


def as_written(rule_ids: Iterable[str]) -> list[str]:
    """Rule ids as the rule file writes them: a combined rule ("a+b") is each of its rules."""
    return [written for rule_id in rule_ids for written in str(rule_id).split(JOIN)]


def adjusted_day(rule: Rule) -> str | None:
    """The day this rule moves, if it is an adjustment (a day counted from itself)."""
    for conclusion in rule.then:
        value = conclusion.value
        if isinstance(value, DateExpr) and value.base == conclusion.fact:
            return conclusion.fact
    return None


def with_adjustments(rules: Sequence[Rule]) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    """The rules the engines run (adjustments combined into the rules they move), and the
    adjustments as written."""
    adjustments = [rule for rule in rules if adjusted_day(rule) is not None]
    if not adjustments:
        return tuple(rules), ()
    for adjustment in adjustments:
        _check_adjustment(adjustment, rules)
    combined: list[Rule] = []
    for rule in rules:
        if rule in adjustments:
            continue
        combined.extend(_combinations(rule, adjustments))
        combined.append(rule)
    return tuple(combined), tuple(adjustments)


def _check_adjustment(adjustment: Rule, rules: Sequence[Rule]) -> None:
    day = adjusted_day(adjustment)
    assert day is not None
    if len(adjustment.then) > 1:
        raise RuleFileError(
            f"a rule that moves `{day}` concludes nothing else",
            rule_id=adjustment.id,
            location=adjustment.location,
            suggestion="put its other conclusions in a rule of their own",
        )
    kept = [c for c in adjustment.conditions() if not _only_knows(c, day)]
    tested = [test for c in kept for test in compares(c) if day in test.facts()]
    if tested:
        raise RuleFileError(
            f"a rule that moves `{day}` applies whenever another rule works it out, so its "
            f"conditions cannot test `{day}` itself",
            rule_id=adjustment.id,
            fact=day,
            location=tested[0].location,
        )
    if not any(_makes(rule, day) for rule in rules):
        raise RuleFileError(
            f"no rule works out `{day}` for this rule to move",
            rule_id=adjustment.id,
            fact=day,
            location=adjustment.location,
            suggestion=f"count it from another date, such as {{date: interview_date, "
            f"plus_days: {_days(adjustment)}}}",
        )
    same_day = [rule for rule in rules if adjusted_day(rule) == day]
    if len(same_day) > MAX_ADJUSTMENTS_OF_ONE_DAY:
        raise RuleFileError(
            f"more than {MAX_ADJUSTMENTS_OF_ONE_DAY} rules move `{day}`; every mix of them "
            "becomes a rule of its own",
            rule_id=same_day[MAX_ADJUSTMENTS_OF_ONE_DAY].id,
            location=same_day[MAX_ADJUSTMENTS_OF_ONE_DAY].location,
            suggestion="merge some of them into one rule",
        )


def _combinations(rule: Rule, adjustments: Sequence[Rule]) -> Iterator[Rule]:
    """The rule combined with each set of the adjustments of a day it works out, the largest
    sets first (when two adjustments apply, both move the day)."""
    for day in sorted(rule.concludes()):
        if not _makes(rule, day):
            continue
        moving = [adjustment for adjustment in adjustments if adjusted_day(adjustment) == day]
        for size in range(len(moving), 0, -1):
            for chosen in itertools.combinations(moving, size):
                yield _combined(rule, day, chosen)


def _combined(rule: Rule, day: str, adjustments: Sequence[Rule]) -> Rule:
    last = adjustments[-1]
    extra = sum(_days(adjustment) for adjustment in adjustments)
    then = tuple(
        _moved(conclusion, extra, last) if conclusion.fact == day else conclusion
        for conclusion in rule.then
    )
    conditions: list[Condition] = [*rule.conditions()]
    for adjustment in adjustments:
        conditions += [c for c in adjustment.conditions() if not _only_knows(c, day)]
    return replace(
        rule,
        id=JOIN.join([rule.id, *(adjustment.id for adjustment in adjustments)]),
        when=AllOf(tuple(conditions), last.when.location),
        then=then,
        # A helper rule's reason stays unshown in the mix too.
        reason=" ".join(r.reason for r in (rule, *adjustments) if r.shown and r.reason),
        shown=any(r.shown for r in (rule, *adjustments)),
        source="; ".join(dict.fromkeys([rule.source, *(a.source for a in adjustments)])),
        location=last.location,
        guidance=tuple(
            dict.fromkeys([*rule.guidance, *(g for a in adjustments for g in a.guidance)])
        ),
        made_from=(rule.id, *(adjustment.id for adjustment in adjustments)),
    )


def _moved(conclusion: Conclusion, extra: int, adjustment: Rule) -> Conclusion:
    value = conclusion.value
    if isinstance(value, FactRef):
        base, days = value.name, 0
    else:
        assert isinstance(value, DateExpr)
        base, days = value.base, value.plus_days
    if days + extra > MAX_PLUS_DAYS:
        raise RuleFileError(
            f"moving `{conclusion.fact}` by {extra} more days counts {days + extra} days, over "
            f"the limit of {MAX_PLUS_DAYS}",
            rule_id=adjustment.id,
            location=adjustment.location,
        )
    return replace(conclusion, value=DateExpr(base, days + extra, conclusion.location))


def _makes(rule: Rule, day: str) -> bool:
    """Whether the rule works the day out (from a date, not as nothing)."""
    return adjusted_day(rule) is None and any(
        c.fact == day and isinstance(c.value, DateExpr | FactRef) for c in rule.then
    )


def _days(adjustment: Rule) -> int:
    day = adjusted_day(adjustment)
    value = next(c.value for c in adjustment.then if c.fact == day)
    assert isinstance(value, DateExpr)
    return value.plus_days


def _only_knows(condition: Condition, day: str) -> bool:
    """`day: {known: true}`: always true of a day another rule has just worked out."""
    return (
        isinstance(condition, Compare)
        and condition.fact == day
        and condition.op == "known"
        and condition.value is True
    )
