"""An answer's line of batch output, written straight from the answer.

The text is `json_line(answer.to_json())` byte for byte, without building the dictionaries
first: each string is escaped as `json.dumps` escapes it (and its raw controls as `json_text`
does), the separators are json's own. A batch writes one such line a case, and building then
walking the dictionaries cost more than the rest of the line.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping
from json.encoder import encode_basestring
from typing import Any

from engine import Answer
from engine.memo import WrittenOnce
from engine.trace import Firing

from .json_escape import escape_raw


def answer_line(answer: Answer) -> str:
    """The answer's JSON line, as `json_line(answer.to_json())` writes it."""
    message = answer.message
    outcome = answer.outcome
    # One join, not a chain of `+`: each `+` would copy the line written so far.
    return "".join(
        [
            _OPENING[answer.action],
            _value(answer.follow_up_on),
            ', "today": "',
            answer.today.isoformat(),
            '", "headline": ',
            _text(answer.headline),
            ', "reasons": [',
            ", ".join([_text(reason) for reason in answer.reasons]),
            '], "fired_rules": ',
            _RULE_LISTS[outcome.fired],
            ', "rule_base": {"version": ',
            _KNOWN[outcome.rule_base_version],
            '}, "message": ',
            "null"
            if message is None
            else '{"subject": ' + _text(message.subject) + ', "body": ' + _text(message.body) + "}",
            ', "guidance": ',
            _TEXT_LISTS[answer.guidance],
            ', "trace": [',
            ", ".join([_firing(firing) for firing in outcome.trace]),
            "]}\n",
        ]
    )


def _firing(firing: Firing) -> str:
    """`Firing.to_json` as JSON text."""
    parts = [
        _FIRING_OPENING[firing.rule_id, firing.status],
        _values(firing.matched),
        ', "concluded": ',
        _values(firing.concluded),
        ', "by": ',
        "null" if firing.by is None else _KNOWN[firing.by],
    ]
    if firing.moved:
        parts.append(', "moved": {')
        parts.append(
            ", ".join(
                [
                    _KNOWN[name]
                    + ': {"from": "'
                    + move.unmoved.isoformat()
                    + '", "holiday": '
                    + ("null" if move.holiday is None else _text(move.holiday))
                    + "}"
                    for name, move in firing.moved.items()
                ]
            )
        )
        parts.append("}")
    parts.append("}")
    return "".join(parts)


def _values(values: Mapping[str, Any]) -> str:
    keys = _KEYS
    return "{" + ", ".join([keys[name] + _value(value) for name, value in values.items()]) + "}"


def _value(value: Any) -> str:
    """A value as `json.dumps(jsonable(value))` writes it."""
    writer = _WRITERS.get(type(value))
    if writer is not None:
        return writer(value)
    # Anything else (never met in a case today) is written by json itself.
    if isinstance(value, datetime.date):
        value = value.isoformat()
    return escape_raw(json.dumps(value, ensure_ascii=False))


def _day(day: datetime.date) -> str:
    return '"' + day.isoformat() + '"'


def _items(items: list[Any] | tuple[Any, ...]) -> str:
    return "[" + ", ".join([_value(item) for item in items]) + "]"


def _text(text: str) -> str:
    """A string as JSON, its raw controls escaped."""
    encoded: str = encode_basestring(text)
    # Most texts are plain ASCII, which holds no such character but DEL.
    return encoded if encoded.isascii() and "\x7f" not in encoded else escape_raw(encoded)


def _text_list(texts: tuple[str, ...]) -> str:
    return "[" + ", ".join([_text(text) for text in texts]) + "]"


# Each type a case's values have, by its exact type (a bool is not written as an int).
_WRITERS: dict[type, Callable[[Any], str]] = {
    str: _text,
    type(None): lambda _none: "null",
    bool: lambda truth: "true" if truth else "false",
    int: int.__repr__,
    datetime.date: _day,
    list: _items,
    tuple: _items,
}
_KNOWN = WrittenOnce(_text)
_KEYS: WrittenOnce[str, str] = WrittenOnce(lambda name: _text(name) + ": ")
_OPENING: WrittenOnce[str, str] = WrittenOnce(
    lambda action: '{"action": ' + _text(action) + ', "follow_up_on": '
)
_TEXT_LISTS = WrittenOnce(_text_list)
_FIRING_OPENING: WrittenOnce[tuple[str, str], str] = WrittenOnce(
    lambda key: '{"rule": ' + _text(key[0]) + ', "status": ' + _text(key[1]) + ', "matched": '
)
_RULE_LISTS = _TEXT_LISTS
