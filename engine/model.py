"""The parsed rule base: what the YAML says, independent of any rule engine.

The compiler, the explainer, the checks and the question order all read this model.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from .errors import Location

FactType = Literal[
    "date", "yes_no", "whole_number", "choice", "text", "list_of_text", "message", "country"
]
CompareOp = Literal[
    "equals",
    "one_of",
    "at_least",
    "at_most",
    "before",
    "after",
    "on_or_before",
    "on_or_after",
    "known",
]
DATE_OPS: tuple[CompareOp, ...] = ("before", "after", "on_or_before", "on_or_after")


@dataclass(frozen=True)
class FactRef:
    """A reference to another fact's value, such as `today` on the right of a comparison."""

    name: str


@dataclass(frozen=True)
class Compare:
    """One test of one fact: `fact op value`."""

    fact: str
    op: CompareOp
    value: Any
    location: Location

    def facts(self) -> set[str]:
        refs = {self.fact}
        if isinstance(self.value, FactRef):
            refs.add(self.value.name)
        return refs


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]
    location: Location

    def facts(self) -> set[str]:
        return set().union(*(item.facts() for item in self.items))


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]
    location: Location

    def facts(self) -> set[str]:
        return set().union(*(item.facts() for item in self.items))


@dataclass(frozen=True)
class Not:
    item: Condition
    location: Location

    def facts(self) -> set[str]:
        return self.item.facts()


Condition = Compare | AllOf | AnyOf | Not


@dataclass(frozen=True)
class DateCheck:
    """A limit on a given date: it may not be before/after another date fact."""

    op: Literal["before", "after", "not_before", "not_after"]
    other: str
    location: Location
    hint: str | None = None


@dataclass(frozen=True)
class FactSpec:
    """One fact: its type, domain, default, when it is needed, and how it is asked."""

    name: str
    type: FactType
    location: Location
    derived: bool = False
    values: tuple[str, ...] = ()
    minimum: int | None = None
    default: Any = None
    has_default: bool = False
    optional: bool = False
    needed_when: Condition | None = None
    checks: tuple[DateCheck, ...] = ()
    question: str = ""
    help: str = ""
    why: str = ""
    for_message_only: bool = False
    never_asked: bool = False
    relative_to: str | None = None
    label: str = ""
    value_labels: tuple[tuple[str, str], ...] = ()
    # Revision 2: giving the fact named here implies this yes/no fact is yes.
    implied_by: str | None = None
    # Worked out from the calendar, never given: whether the date fact named here is a day off.
    day_off_of: str | None = None

    @property
    def words(self) -> str:
        """The fact as people name it: its label, else its name with spaces."""
        return self.label or self.name.replace("_", " ")

    def value_words(self, value: str) -> str:
        """A choice value as people read it: its label, else the value itself."""
        return dict(self.value_labels).get(value, value)

    @property
    def computed(self) -> bool:
        return self.day_off_of is not None


@dataclass(frozen=True)
class DateExpr:
    """A computed day: `date` plus a number of days, moved off a day off."""

    base: str
    plus_days: int
    location: Location


@dataclass(frozen=True)
class Conclusion:
    """One fact a rule concludes, and the value it gets: a literal, a FactRef or a DateExpr."""

    fact: str
    value: Any
    location: Location


@dataclass(frozen=True)
class Rule:
    """One piece of advice: when it applies, what it concludes, why, and its source."""

    id: str
    priority: int
    when: AllOf
    then: tuple[Conclusion, ...]
    reason: str
    source: str
    location: Location
    # False for a helper rule: it fires and is recorded, but its reason is not in the answer.
    shown: bool = True
    # Writing guidance this rule adds to the answer when it fires.
    guidance: tuple[str, ...] = ()
    # For a rule combined from a rule and the rules that move its day (engine/adjusting.py):
    # their ids, as written. Empty for a rule as written.
    made_from: tuple[str, ...] = ()

    def conditions(self) -> tuple[Condition, ...]:
        return self.when.items

    def concludes(self) -> set[str]:
        return {conclusion.fact for conclusion in self.then}


@dataclass(frozen=True)
class Paragraph:
    text: str
    when: Condition | None = None


@dataclass(frozen=True)
class MessageTemplate:
    id: str
    subject: str
    body: tuple[Paragraph, ...]
    location: Location


@dataclass(frozen=True)
class ActionSpec:
    id: str
    headline: str
    # Writing guidance of its own, in place of the general guidance (none: the general one).
    guidance: tuple[str, ...] = ()
    guidance_title: str = ""
    # How the answer's calendar strip names the advised day (none: the action's words).
    timeline_label: str = ""


@dataclass(frozen=True)
class TimelineSpec:
    """The words of the calendar strip shown with an answer: the date facts it names (with
    their words), today, a public holiday (a template with {holiday}) and the key under it."""

    days: tuple[tuple[str, str], ...] = ()
    today: str = "Today"
    holiday: str = "Public holiday ({holiday})"
    key: str = ""


@dataclass(frozen=True)
class CalendarSpec:
    """The rule base's calendar: days off, a default country, and its words for a moved day.

    `moved` is a template with {unmoved_day}, {day_off} and {working_day}; `day_off` is filled
    from `weekend_day`, or from `holiday` with {holiday} (the holiday's name).
    """

    weekend: frozenset[int] = frozenset()
    country: str | None = None
    holiday_names: str | None = None
    moved: str = ""
    weekend_day: str = ""
    holiday: str = ""
    reminder_summary: str = ""
    no_reminder: str = ""


@dataclass(frozen=True)
class RuleBase:
    """Everything the rule files say, plus the version of their content."""

    facts: Mapping[str, FactSpec]
    rules: tuple[Rule, ...]
    goal: str
    weekend: frozenset[int]
    actions: Mapping[str, ActionSpec]
    messages: Mapping[str, MessageTemplate]
    guidance: tuple[str, ...]
    guidance_source: str
    source_article: str
    version: str
    files: Mapping[str, str] = field(default_factory=dict)
    # The word before the last item of a list in a sentence ("A, B and C").
    list_and: str = "and"
    guidance_title: str = ""
    calendar: CalendarSpec = field(default_factory=CalendarSpec)
    # The rules that move a day another rule worked out, as written: the engines run them
    # combined into `rules`, so only the rule files and the pages showing them read these.
    adjustments: tuple[Rule, ...] = ()
    timeline: TimelineSpec = field(default_factory=TimelineSpec)

    def written_rules(self) -> list[Rule]:
        """The rules as the rule file lists them: combined rules out, adjustments in."""
        written = [rule for rule in self.rules if not rule.made_from] + list(self.adjustments)
        return sorted(written, key=lambda rule: (rule.location.line, rule.location.column))

    # Worked out once, not for every case: the rule base does not change once loaded.
    @cached_property
    def country_fact(self) -> str | None:
        """The given fact whose value names the country of the public holidays, if any."""
        return next((s.name for s in self.given_facts() if s.type == "country"), None)

    @cached_property
    def _given(self) -> tuple[FactSpec, ...]:
        return tuple(spec for spec in self.facts.values() if not spec.derived)

    @cached_property
    def _by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in reversed(self.rules)}

    def given_facts(self) -> Iterator[FactSpec]:
        return iter(self._given)

    def rule(self, rule_id: str) -> Rule:
        return self._by_id[rule_id]
