"""Reading a case's facts: names, types, defaults, what is needed, and impossible dates.

Facts arrive as a mapping (from a YAML or JSON file, a JSON line, or `--set name=value`).
Every refusal names the fact and, where it came from a file, the file, line and column.
"""

from __future__ import annotations

import datetime
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .closures import holds
from .dates import Calendar, long_date, nearest_countries, normalise_country
from .errors import FactError, Location
from .limits import FACTS, LARGEST_WHOLE_NUMBER, NUMBER_DIGITS, value_problem
from .memo import PerRuleBase
from .model import DateCheck, FactSpec, RuleBase
from .source import Document
from .suggest import did_you_mean

TRUE_WORDS = frozenset({"true", "yes", "y"})
FALSE_WORDS = frozenset({"false", "no", "n"})
TODAY = "today"
# Plain decimal digits only: "²" passes str.isdigit() and "--1" passed a strip of "-".
WHOLE_NUMBER = re.compile(r"[-+]?[0-9]+")


@dataclass(frozen=True)
class Origin:
    """Where a case's facts came from, to point errors at it."""

    label: str
    document: Document | None = None
    overrides: frozenset[str] = frozenset()

    def where(self, fact: str, *, key: bool = False) -> Location | None:
        if fact in self.overrides:
            return Location(f"--set {fact}", 0, 0)
        if self.document is not None and isinstance(self.document.value, dict):
            if fact in self.document.value:
                return self.document.where((fact,), key=key)
            return self.document.where(())
        return None

    def name(self, fact: str) -> str:
        location = self.where(fact)
        return str(location) if location else self.label


# Facts from no file: one origin for every such case (it is immutable).
_THE_FACTS = Origin("the facts")


@dataclass(frozen=True)
class Case:
    """A case ready to evaluate: typed values with defaults applied, including `today`."""

    values: Mapping[str, Any]
    given: Mapping[str, Any] = field(default_factory=dict)

    @property
    def today(self) -> datetime.date:
        value = self.values[TODAY]
        assert isinstance(value, datetime.date)
        return value


def read_case(
    raw: Any,
    rule_base: RuleBase,
    *,
    today: datetime.date,
    origin: Origin | None = None,
) -> Case:
    """Check and type the facts in `raw`; `today` applies unless the facts give their own."""
    origin = origin or _THE_FACTS
    if not isinstance(raw, dict):
        raise FactError(
            "the facts must be a mapping of fact names to values, such as `interview_date: "
            "2026-11-20`",
            location=origin.where(""),
        )
    plan = _plan(rule_base)
    given: dict[str, Any] = {}
    for name, value in raw.items():
        spec = plan.givable.get(name) if type(name) is str else None
        if spec is None:
            spec = _spec(str(name), rule_base, origin)
        if value is None or value == "" or value == []:
            continue
        typed = _as_given(spec, value)
        given[spec.name] = parse_value(spec, value, origin) if typed is _CHECK else typed
    values = dict(given)
    values.setdefault(TODAY, today)
    for spec in plan.implied:
        _apply_implication(spec, values, origin, rule_base.facts)
    for spec in plan.defaulted:
        if spec.name not in values:
            values[spec.name] = spec.default
    for spec, needed, checks in plan.checked:
        if needed and spec.name not in values:  # the cheap test first: most are given
            _check_needed(spec, values, origin, rule_base.facts)
        for check, broken in checks:
            mine, other = values.get(spec.name), values.get(check.other)
            if mine is not None and other is not None and broken(mine, other):
                _check_date(spec, check, values, origin, rule_base.facts)
    _add_computed(rule_base, values, plan.computed)
    return Case(values=values, given=given)


@dataclass(frozen=True)
class _Plan:
    """The given facts each step of reading a case looks at, in order: worked out once a rule
    base, not for every case of a batch."""

    givable: Mapping[str, FactSpec]
    implied: tuple[FactSpec, ...]
    defaulted: tuple[FactSpec, ...]
    # Each fact to check, in order: whether it is needed, and its date checks, each with the
    # test of whether a date breaks it.
    checked: tuple[tuple[FactSpec, bool, tuple[tuple[DateCheck, Broken], ...]], ...]
    computed: tuple[FactSpec, ...]


def _make_plan(rule_base: RuleBase) -> _Plan:
    given = tuple(rule_base.given_facts())
    return _Plan(
        givable={spec.name: spec for spec in given if not spec.computed},
        implied=tuple(spec for spec in given if spec.implied_by is not None),
        defaulted=tuple(s for s in given if s.has_default and not s.for_message_only),
        checked=tuple(
            (
                spec,
                not (spec.optional or spec.for_message_only or spec.computed),
                tuple((check, _BROKEN[check.op]) for check in spec.checks),
            )
            for spec in given
            if spec.checks or not (spec.optional or spec.for_message_only or spec.computed)
        ),
        computed=tuple(spec for spec in given if spec.day_off_of is not None),
    )


_plan = PerRuleBase(_make_plan)


def case_calendar(rule_base: RuleBase, values: Mapping[str, Any]) -> Calendar:
    """The days off of one case: the weekend, and its country's (or the default's) holidays."""
    fact = rule_base.country_fact
    country = values.get(fact) if fact is not None else None
    calendar = rule_base.calendar
    return _calendar(calendar.weekend, country or calendar.country, calendar.holiday_names)


@lru_cache(maxsize=256)
def _calendar(weekend: frozenset[int], country: str | None, language: str | None) -> Calendar:
    # One per country, not one per case: batch cases share a handful.
    return Calendar(weekend, country, language)


def add_computed(rule_base: RuleBase, values: dict[str, Any]) -> None:
    """Work out the facts the calendar decides (such as whether today is a day off)."""
    _add_computed(rule_base, values, _plan(rule_base).computed)


def _add_computed(
    rule_base: RuleBase, values: dict[str, Any], computed: tuple[FactSpec, ...]
) -> None:
    calendar = case_calendar(rule_base, values)
    for spec in computed:
        if spec.day_off_of is not None and values.get(spec.day_off_of) is not None:
            values[spec.name] = calendar.day_off(values[spec.day_off_of]) is not None


def _apply_implication(
    spec: FactSpec, values: dict[str, Any], origin: Origin, facts: Mapping[str, FactSpec]
) -> None:
    """A fact given implies a yes/no fact (a named decision date means a timeline was given)."""
    if spec.implied_by is None or values.get(spec.implied_by) is None:
        return
    if values.get(spec.name) is False:
        implied = _spec_of(spec.implied_by, facts)
        given = values[spec.implied_by]
        shown = long_date(given) if isinstance(given, datetime.date) else _shown(given)
        raise FactError(
            f"You answered no to {spec.words}, yet gave {implied.words} ({shown}), which means yes",
            fact=spec.name,
            location=origin.where(spec.name),
            suggestion=f"remove one of the two: {spec.name} or {spec.implied_by}",
        )
    values[spec.name] = True


def check_dates(
    spec: FactSpec,
    values: Mapping[str, Any],
    origin: Origin,
    facts: Mapping[str, FactSpec] | None = None,
) -> None:
    """Refuse a date that breaks one of its fact's checks (such as not after today).

    `facts` gives the other facts' labels, so the refusal names them in words.
    """
    for check in spec.checks:
        _check_date(spec, check, values, origin, facts or {})


def _spec(name: str, rule_base: RuleBase, origin: Origin) -> FactSpec:
    spec = rule_base.facts.get(name)
    if spec is not None and not spec.derived and not spec.computed:
        return spec
    given = [fact.name for fact in rule_base.given_facts() if not fact.computed]
    if spec is not None and spec.computed:
        message = f"`{name}` is worked out from the calendar and cannot be given"
    elif spec is not None:
        message = f"`{name}` is concluded by the rules and cannot be given"
    else:
        message = f"unknown fact `{name}`"
    raise FactError(
        message,
        fact=name,
        location=origin.where(name, key=True),
        suggestion=did_you_mean(name, given),
    )


def parse_value(spec: FactSpec, value: Any, origin: Origin) -> Any:
    """Turn one raw value into the fact's type, or refuse it with a clear message."""
    problem = value_problem(value, FACTS)
    if problem is not None:
        raise FactError(f"{spec.name} {problem}", fact=spec.name, location=origin.where(spec.name))
    parsed = _coerce(spec, value)
    if parsed is None:
        raise FactError(
            f"{_subject(spec)} must be {_expected(spec)}, not {_shown(value)}",
            fact=spec.name,
            location=origin.where(spec.name),
            suggestion=_suggest(spec, value),
        )
    if spec.minimum is not None and parsed < spec.minimum:
        raise FactError(
            f"{_subject(spec)} must be at least {spec.minimum}, not {_shown(value)}",
            fact=spec.name,
            location=origin.where(spec.name),
        )
    if spec.type == "whole_number" and parsed > LARGEST_WHOLE_NUMBER:
        raise FactError(
            f"{_subject(spec)} must be at most {LARGEST_WHOLE_NUMBER:,} (the largest number the "
            f"advisor takes), not {_shown(value)}",
            fact=spec.name,
            location=origin.where(spec.name),
        )
    return parsed


# What _as_given returns for a value that parse_value must read and check.
_CHECK = object()


def _as_given(spec: FactSpec, value: Any) -> Any:
    """The value as parse_value would type it, where that is plain from its type alone (an
    ISO date, a yes or no, a whole number in range, a choice's own value): most values of a
    batch are. Else _CHECK."""
    kind, fact_type = type(value), spec.type
    if fact_type == "date":
        if kind is datetime.date:
            return value
        if kind is str:
            try:
                # parse_value reads an ISO date the same way (it strips spaces first).
                return datetime.date.fromisoformat(value)
            except ValueError:
                return _CHECK
    elif fact_type == "yes_no":
        if kind is bool:
            return value
    elif fact_type == "whole_number":
        if kind is int and value <= LARGEST_WHOLE_NUMBER:
            if spec.minimum is None or value >= spec.minimum:
                return value
    elif fact_type == "choice" and kind is str and value in spec.values:
        return value
    return _CHECK


def _suggest(spec: FactSpec, value: Any) -> str | None:
    if spec.type == "choice":
        return did_you_mean(str(value), spec.values)
    if spec.type == "country":
        return nearest_countries(str(value))
    return None


def _coerce(spec: FactSpec, value: Any) -> Any:
    kind = spec.type
    if kind == "country":
        return normalise_country(value) if isinstance(value, str) else None
    if kind == "date":
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                return None
        return None
    if kind == "yes_no":
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower() if isinstance(value, str) else None
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None
    if kind == "whole_number":
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and WHOLE_NUMBER.fullmatch(value.strip()):
            # Past NUMBER_DIGITS digits the number is too large anyway; cutting it keeps int()
            # fast and within Python's own limit on digits.
            return int(value.strip()[: NUMBER_DIGITS + 1])
        return None
    if kind == "choice":
        return _choice(spec, value)
    if kind == "list_of_text":
        if isinstance(value, str):
            return [part.strip() for part in value.split(";") if part.strip()]
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return list(value)
        return None
    return value.strip() if isinstance(value, str) else None


def _choice(spec: FactSpec, value: Any) -> str | None:
    """The value itself, or the value whose label it is: people type what they were shown."""
    if not isinstance(value, str):
        return None
    if value in spec.values:
        return value
    by_words = {spec.value_words(choice): choice for choice in spec.values}
    return by_words.get(value)


def _expected(spec: FactSpec) -> str:
    return {
        "date": "a date written YYYY-MM-DD",
        "yes_no": "yes or no (true or false)",
        "whole_number": "a whole number",
        "choice": "one of: " + ", ".join(spec.value_words(value) for value in spec.values),
        "list_of_text": "a list of short texts",
        "country": "a country code, such as US, US-CA, GB-ENG or DE-BY",
    }.get(spec.type, "a text")


def _check_needed(
    spec: FactSpec, values: Mapping[str, Any], origin: Origin, facts: Mapping[str, FactSpec]
) -> None:
    if spec.name in values or spec.optional or spec.for_message_only or spec.computed:
        return
    if spec.needed_when is None:
        raise FactError(f"{_subject(spec)} is missing", fact=spec.name, location=origin.where(""))
    if holds(spec.needed_when, values):
        because = sorted(name for name in spec.needed_when.facts() if name in values)
        specs = [_spec_of(name, facts) for name in because]
        reason = " and ".join(_because(other, values[other.name]) for other in specs)
        raise FactError(
            f"{_subject(spec)} is missing, and it is needed because {reason}",
            fact=spec.name,
            location=origin.where(because[0]) if because else origin.where(""),
        )


def _check_date(
    spec: FactSpec,
    check: DateCheck,
    values: Mapping[str, Any],
    origin: Origin,
    facts: Mapping[str, FactSpec],
) -> None:
    mine, other = values.get(spec.name), values.get(check.other)
    if mine is None or other is None:
        return
    if _BROKEN[check.op](mine, other):
        relation = {
            "before": "is not before",
            "after": "is not after",
            "not_before": "is before",
            "not_after": "is after",
        }[check.op]
        other_words = _spec_of(check.other, facts).words
        raise FactError(
            f"{_subject(spec)}, {long_date(mine)}, {relation} {other_words}, {long_date(other)}",
            fact=spec.name,
            location=origin.where(spec.name),
            suggestion=check.hint,
        )


# When a date breaks its check, by the check's operator.
Broken = Callable[[Any, Any], bool]
_BROKEN: dict[str, Broken] = {
    "before": operator.ge,
    "after": operator.le,
    "not_before": operator.lt,
    "not_after": operator.gt,
}


def _spec_of(name: str, facts: Mapping[str, FactSpec]) -> FactSpec:
    """The fact's spec, or a bare one whose words are its name with spaces."""
    return facts.get(name) or FactSpec(name=name, type="text", location=Location("", 0, 0))


def _subject(spec: FactSpec) -> str:
    """The fact's label opening a sentence: 'The interview date'."""
    words = spec.words
    return words[:1].upper() + words[1:]


def _because(spec: FactSpec, value: Any) -> str:
    if isinstance(value, bool):
        return f"you said {'yes' if value else 'no'} to {spec.words}"
    if isinstance(value, str):
        value = spec.value_words(value)
    return f"{spec.words} is {value}"


def _shown(value: Any, width: int = 60) -> str:
    """A refused value as it was written: text in quotes (control characters escaped by repr),
    numbers as they are; a long value is cut so the message stays one line."""
    if isinstance(value, int) and value.bit_length() > 128:
        return "a number of more than 38 digits"  # str() of a huge number is slow, or refused
    text = repr(value.strip()) if isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"
