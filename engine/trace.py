"""What happened while a case was evaluated: each rule that ran, in order."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from .dates import Move

FiringStatus = Literal["fired", "pre-empted"]


@dataclass(frozen=True)
class Firing:
    """One rule the engine ran: the facts it matched, and what it concluded.

    A rule is pre-empted when what it would conclude was already concluded by an earlier,
    higher-priority rule (`by` names it); it then concludes nothing.
    """

    rule_id: str
    status: FiringStatus
    matched: Mapping[str, Any]
    concluded: Mapping[str, Any]
    by: str | None = None
    # Concluded days that fell on a day off: the day each would have been, and why it moved.
    moved: Mapping[str, Move] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        record = {
            "rule": self.rule_id,
            "status": self.status,
            "matched": {name: jsonable(value) for name, value in self.matched.items()},
            "concluded": {name: jsonable(value) for name, value in self.concluded.items()},
            "by": self.by,
        }
        if self.moved:
            record["moved"] = {
                name: {"from": move.unmoved.isoformat(), "holiday": move.holiday}
                for name, move in self.moved.items()
            }
        return record


@dataclass(frozen=True)
class Outcome:
    """The result of evaluating one case: all known values, and the trace that led there."""

    values: Mapping[str, Any]
    trace: tuple[Firing, ...]
    goal: str
    rule_base_version: str

    @property
    def decision(self) -> str:
        return str(self.values[self.goal])

    @property
    def fired_rules(self) -> list[str]:
        return list(self.fired)

    @cached_property
    def fired(self) -> tuple[str, ...]:
        """The rules that fired, in order (worked out once: the answer, its line and its
        record each need them)."""
        return tuple([firing.rule_id for firing in self.trace if firing.status == "fired"])

    def concluded_by(self, fact: str) -> str | None:
        """The rule that concluded `fact`, if any did."""
        for firing in self.trace:
            if firing.status == "fired" and fact in firing.concluded:
                return firing.rule_id
        return None


def jsonable(value: Any) -> Any:
    """A value as JSON shows it: dates in ISO form."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value
