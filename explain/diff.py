"""What changed between two rule bases, in words, and which cases it changes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from engine import Advisor, AdvisorError, RuleBase, read_case
from engine.adjusting import as_written
from engine.dates import WEEKDAYS
from engine.model import FactSpec, Rule

from .words import conclusion_text, describe, short_value


def rule_changes(old: RuleBase, new: RuleBase) -> list[str]:
    """Rules, facts and messages added, removed or changed, one sentence each."""
    lines = []
    before = {rule.id: rule for rule in old.written_rules()}
    after = {rule.id: rule for rule in new.written_rules()}
    for rule_id in after.keys() - before.keys():
        lines.append(f"rule added: {rule_id} — {_rule_words(after[rule_id])}")
    for rule_id in before.keys() - after.keys():
        lines.append(f"rule removed: {rule_id}")
    for rule_id in sorted(before.keys() & after.keys()):
        for change in _rule_differences(before[rule_id], after[rule_id]):
            lines.append(f"rule changed: {rule_id}: {change}")
    lines += _fact_changes(old, new)
    lines += _text_changes(old, new)
    lines += _calendar_changes(old, new)
    return sorted(lines, key=lambda line: (not line.startswith("rule"), line))


def changed_rule_ids(old: RuleBase, new: RuleBase) -> set[str]:
    """Ids of rules added, removed or changed, as written."""
    before = {rule.id: rule for rule in old.written_rules()}
    after = {rule.id: rule for rule in new.written_rules()}
    return {
        rule_id
        for rule_id in before.keys() | after.keys()
        if rule_id not in before
        or rule_id not in after
        or list(_rule_differences(before[rule_id], after[rule_id]))
    }


def _calendar_changes(old: RuleBase, new: RuleBase) -> Iterator[str]:
    """Days off change advice without any rule changing: say so."""
    before, after = old.calendar, new.calendar
    if before.weekend != after.weekend:
        yield f"calendar changed: weekend {_days(before.weekend)} → {_days(after.weekend)}"
    if before.country != after.country:
        yield f"calendar changed: country {before.country or 'none'} → {after.country or 'none'}"
    for name in _CALENDAR_WORDS:
        was, now = getattr(old.calendar, name), getattr(new.calendar, name)
        if was != now:
            yield f"calendar changed: {name} '{was}' → '{now}'"


# The calendar's texts, by their key in advice.yaml.
_CALENDAR_WORDS = (
    "holiday_names",
    "moved",
    "weekend_day",
    "holiday",
    "reminder_summary",
    "no_reminder",
)


def _days(weekend: frozenset[int]) -> str:
    return ", ".join(WEEKDAYS[day] for day in sorted(weekend)) or "none"


def _rule_words(rule: Rule) -> str:
    conditions = "; ".join(describe(condition) for condition in rule.conditions())
    then = ", ".join(f"{c.fact} = {conclusion_text(c.value)}" for c in rule.then)
    return f"when {conditions}: {then} (priority {rule.priority})"


def _rule_differences(old: Rule, new: Rule) -> Iterator[str]:
    if old.priority != new.priority:
        yield f"priority {old.priority} → {new.priority}"
    old_when = [describe(c) for c in old.conditions()]
    new_when = [describe(c) for c in new.conditions()]
    if old_when != new_when:
        yield f"conditions '{'; '.join(old_when)}' → '{'; '.join(new_when)}'"
    old_then = {c.fact: conclusion_text(c.value) for c in old.then}
    new_then = {c.fact: conclusion_text(c.value) for c in new.then}
    for fact in sorted(old_then.keys() | new_then.keys()):
        if old_then.get(fact) != new_then.get(fact):
            yield f"{fact} = {old_then.get(fact, '(nothing)')} → {new_then.get(fact, '(nothing)')}"
    if old.reason != new.reason:
        yield f"reason '{old.reason}' → '{new.reason}'"
    if old.shown != new.shown:
        yield " → ".join("shown to the job seeker" if r.shown else "not shown" for r in (old, new))
    if old.source != new.source:
        yield f"source '{old.source}' → '{new.source}'"


def _fact_changes(old: RuleBase, new: RuleBase) -> Iterator[str]:
    for name in new.facts.keys() - old.facts.keys():
        yield f"fact added: {name} ({new.facts[name].type.replace('_', ' ')})"
    for name in old.facts.keys() - new.facts.keys():
        yield f"fact removed: {name}"
    for name in sorted(old.facts.keys() & new.facts.keys()):
        yield from _fact_differences(old.facts[name], new.facts[name])


def _fact_differences(old: FactSpec, new: FactSpec) -> Iterator[str]:
    if old.type != new.type:
        yield f"fact changed: {old.name}: type {old.type} → {new.type}"
    added = [value for value in new.values if value not in old.values]
    removed = [value for value in old.values if value not in new.values]
    if added:
        yield f"fact changed: {old.name}: new values {', '.join(added)}"
    if removed:
        yield f"fact changed: {old.name}: values removed {', '.join(removed)}"
    if (old.has_default, old.default) != (new.has_default, new.default):
        yield (
            f"fact changed: {old.name}: default {short_value(old.default)} → "
            f"{short_value(new.default)}"
        )
    if old.question != new.question:
        yield f"fact changed: {old.name}: question '{old.question}' → '{new.question}'"


def _text_changes(old: RuleBase, new: RuleBase) -> Iterator[str]:
    for name in sorted(old.messages.keys() | new.messages.keys()):
        if name not in new.messages:
            yield f"message removed: {name}"
        elif name not in old.messages:
            yield f"message added: {name}"
        else:
            yield from _message_changes(name, old, new)
    for action in sorted(old.actions.keys() & new.actions.keys()):
        was, now = old.actions[action].headline, new.actions[action].headline
        if was != now:
            yield f"headline reworded: {action}: '{was}' → '{now}'"
        if old.actions[action].guidance != new.actions[action].guidance:
            yield f"guidance reworded: {action}"
    if old.guidance != new.guidance:
        yield "guidance reworded"


def _message_changes(name: str, old: RuleBase, new: RuleBase) -> Iterator[str]:
    """A reworded message, part by part, with its old and new text."""
    was, now = old.messages[name], new.messages[name]
    if was.subject != now.subject:
        yield f"message reworded: {name}: subject '{was.subject}' → '{now.subject}'"
    before = [p.text for p in was.body]
    after = [p.text for p in now.body]
    for index in range(max(len(before), len(after))):
        old_text = before[index] if index < len(before) else "(nothing)"
        new_text = after[index] if index < len(after) else "(nothing)"
        if old_text != new_text:
            yield (f"message reworded: {name}: paragraph {index + 1} '{old_text}' → '{new_text}'")


@dataclass(frozen=True)
class CaseChange:
    """One case whose advice differs between the two rule bases."""

    label: str
    before: str
    after: str
    responsible: str | None


def case_changes(
    old: RuleBase, new: RuleBase, cases: Iterable[tuple[str, dict[str, Any], datetime.date]]
) -> Iterator[CaseChange]:
    """The cases (label, facts, today) whose advice the change of rules would change."""
    old_advisor, new_advisor = Advisor(old), Advisor(new)
    changed = changed_rule_ids(old, new)
    for label, facts, today in cases:
        before = _advice(old_advisor, facts, today)
        after = _advice(new_advisor, facts, today)
        if before[0] != after[0]:
            yield CaseChange(label, before[0], after[0], _responsible(before[1], after[1], changed))


def _advice(advisor: Advisor, facts: dict[str, Any], today: datetime.date) -> tuple[str, list[str]]:
    try:
        answer = advisor.advise(read_case(facts, advisor.rule_base, today=today))
    except AdvisorError as error:
        return f"refused ({error.message})", []
    day = answer.follow_up_on.isoformat() if answer.follow_up_on else "—"
    return f"{answer.action} on {day}", answer.fired_rules


def _responsible(before: list[str], after: list[str], changed: set[str]) -> str | None:
    """The changed rule behind a changed answer; none when only facts or days off changed."""
    # A rule that moved another's day fired combined with it ("a+b").
    return next((rule_id for rule_id in as_written(after + before) if rule_id in changed), None)
