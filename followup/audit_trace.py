"""A trace's canonical JSON text, written straight from its firings.

The text is `chain.canonical([firing.to_json() for firing in trace])` byte for byte (keys
sorted, no spaces), without building the dictionaries first: every record of the audit trail
stores one and hashes it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from engine.memo import WrittenOnce
from engine.trace import Firing, jsonable

from .chain import KEYS as _KEYS
from .chain import canonical
from .chain import json_string as _string


def canonical_trace(trace: Iterable[Firing]) -> str:
    """The canonical text of the trace's JSON."""
    return "[" + ",".join([_firing(firing) for firing in trace]) + "]"


def _firing(firing: Firing) -> str:
    # Firing.to_json's keys in sorted order: by, concluded, matched, moved, rule, status.
    text = (
        '{"by":'
        + ("null" if firing.by is None else canonical(firing.by))
        + ',"concluded":'
        + _values(firing.concluded)
        + ',"matched":'
        + _values(firing.matched)
    )
    if firing.moved:
        text += (
            ',"moved":{'
            + ",".join(
                [
                    _KEYS[name]
                    + '{"from":"'
                    + move.unmoved.isoformat()
                    + '","holiday":'
                    + canonical(move.holiday)
                    + "}"
                    for name, move in sorted(firing.moved.items())
                ]
            )
            + "}"
        )
    return text + _ENDINGS[firing.rule_id, firing.status]


def _ending(key: tuple[str, str]) -> str:
    """A firing's last members, its rule and status."""
    return ',"rule":' + canonical(key[0]) + ',"status":' + canonical(key[1]) + "}"


_ENDINGS = WrittenOnce(_ending)


def _values(values: Mapping[str, Any]) -> str:
    keys = _KEYS
    write = value_text
    return (
        "{" + ",".join([keys[name] + write(value) for name, value in sorted(values.items())]) + "}"
    )


def value_text(value: Any) -> str:
    """canonical(jsonable(value)): a fact's or a conclusion's value as the trail writes it."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is datetime.date:
        return DAYS[value]
    if kind is int:
        return int.__repr__(value)
    return canonical(jsonable(value))


def _day(day: datetime.date) -> str:
    return '"' + day.isoformat() + '"'


# A day's text, written once a day: a trail's records name the same few days again and again.
DAYS: WrittenOnce[datetime.date, str] = WrittenOnce(_day)
