"""Reading a case's facts: names, types, defaults, what is needed, and impossible dates.

Facts arrive as a mapping (from a YAML or JSON file, a JSON line, or `--set name=value`).
Every refusal names the fact and, where it came from a file, the file, line and column.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .conditions import evaluate
from .errors import FactError, Location
from .limits import FACTS, LARGEST_WHOLE_NUMBER, NUMBER_DIGITS, value_problem
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
    origin = origin or Origin("the facts")
    if not isinstance(raw, dict):
        raise FactError(
            "the facts must be a mapping of fact names to values, such as `interview_date: "
            "2026-11-20`",
            location=origin.where(""),
        )
    given: dict[str, Any] = {}
    for name, value in raw.items():
        spec = _spec(str(name), rule_base, origin)
        if value is None or value == "" or value == []:
            continue
        given[spec.name] = parse_value(spec, value, origin)
    values = dict(given)
    values.setdefault(TODAY, today)
    for spec in rule_base.given_facts():
        if spec.name not in values and spec.has_default and not spec.for_message_only:
            values[spec.name] = spec.default
    for spec in rule_base.given_facts():
        _check_needed(spec, values, origin)
        check_dates(spec, values, origin)
    return Case(values=values, given=given)


def check_dates(spec: FactSpec, values: Mapping[str, Any], origin: Origin) -> None:
    """Refuse a date that breaks one of its fact's checks (such as not after today)."""
    for check in spec.checks:
        _check_date(spec, check, values, origin)


def _spec(name: str, rule_base: RuleBase, origin: Origin) -> FactSpec:
    spec = rule_base.facts.get(name)
    if spec is not None and not spec.derived:
        return spec
    given = [fact.name for fact in rule_base.given_facts()]
    if spec is not None:
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
            f"{spec.name} must be {_expected(spec)}, not {_shown(value)}",
            fact=spec.name,
            location=origin.where(spec.name),
            suggestion=did_you_mean(str(value), spec.values) if spec.type == "choice" else None,
        )
    if spec.minimum is not None and parsed < spec.minimum:
        raise FactError(
            f"{spec.name} must be at least {spec.minimum}, not {_shown(value)}",
            fact=spec.name,
            location=origin.where(spec.name),
        )
    if spec.type == "whole_number" and parsed > LARGEST_WHOLE_NUMBER:
        raise FactError(
            f"{spec.name} must be at most {LARGEST_WHOLE_NUMBER:,} (the largest number the "
            f"advisor takes), not {_shown(value)}",
            fact=spec.name,
            location=origin.where(spec.name),
        )
    return parsed


def _shown(value: Any, width: int = 60) -> str:
    # repr escapes control characters; a long value is cut so the message stays one line.
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _coerce(spec: FactSpec, value: Any) -> Any:
    kind = spec.type
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
        return value if isinstance(value, str) and value in spec.values else None
    if kind == "list_of_text":
        if isinstance(value, str):
            return [part.strip() for part in value.split(";") if part.strip()]
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return list(value)
        return None
    return value.strip() if isinstance(value, str) else None


def _expected(spec: FactSpec) -> str:
    return {
        "date": "a date written YYYY-MM-DD",
        "yes_no": "yes or no (true or false)",
        "whole_number": "a whole number",
        "choice": "one of: " + ", ".join(spec.values),
        "list_of_text": "a list of short texts",
    }.get(spec.type, "a text")


def _check_needed(spec: FactSpec, values: Mapping[str, Any], origin: Origin) -> None:
    if spec.name in values or spec.optional or spec.for_message_only:
        return
    if spec.needed_when is None:
        raise FactError(f"{spec.name} is missing", fact=spec.name, location=origin.where(""))
    if evaluate(spec.needed_when, values):
        because = sorted(name for name in spec.needed_when.facts() if name in values)
        reason = ", ".join(f"{name} is {_show(values[name])}" for name in because)
        raise FactError(
            f"{spec.name} is missing, and it is needed because {reason}",
            fact=spec.name,
            location=origin.where(because[0]) if because else origin.where(""),
        )


def _check_date(
    spec: FactSpec, check: DateCheck, values: Mapping[str, Any], origin: Origin
) -> None:
    mine, other = values.get(spec.name), values.get(check.other)
    if mine is None or other is None:
        return
    broken = {
        "before": mine >= other,
        "after": mine <= other,
        "not_before": mine < other,
        "not_after": mine > other,
    }[check.op]
    if broken:
        relation = {
            "before": "is not before",
            "after": "is not after",
            "not_before": "is before",
            "not_after": "is after",
        }[check.op]
        raise FactError(
            f"{spec.name} {mine.isoformat()} {relation} {check.other} {other.isoformat()}",
            fact=spec.name,
            location=origin.where(spec.name),
        )


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
