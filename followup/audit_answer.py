"""The canonical text of each value an advice record commits to, written straight from the
answer and the case.

`answer_texts(answer)` is `{key: chain.canonical(value) for key, value in
answer.to_json(trace=False).items()}` byte for byte, keys in the same order (the order the
nonces are drawn in); `fact_texts(given)` is the same for the facts given, as
`jsonable` shows them. Every record writes some twenty such texts, and many of them (the
guidance, the fired rules, the rule base) are the same record after record: those are
written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine import Answer
from engine.memo import WrittenOnce

from .audit_trace import DAYS, value_text
from .chain import canonical
from .chain import json_string as _string


def answer_texts(answer: Answer) -> dict[str, str]:
    """Each member of the answer's JSON (without its trace) as canonical text, in to_json's
    order."""
    message = answer.message
    outcome = answer.outcome
    return {
        "action": _TEXTS[answer.action],
        "follow_up_on": value_text(answer.follow_up_on),
        "today": DAYS[answer.today],
        "headline": _string(answer.headline),
        "reasons": "[" + ",".join(map(_string, answer.reasons)) + "]",
        "fired_rules": _TEXT_LISTS[outcome.fired],
        "rule_base": _RULE_BASES[outcome.rule_base_version],
        "message": "null"
        if message is None
        else '{"body":' + _string(message.body) + ',"subject":' + _string(message.subject) + "}",
        "guidance": _TEXT_LISTS[answer.guidance],
    }


def fact_texts(given: Mapping[str, Any]) -> dict[str, str]:
    """Each fact given as canonical text, in the case's order."""
    write = value_text
    return {name: write(value) for name, value in given.items()}


def _text_list(texts: tuple[str, ...]) -> str:
    return canonical(list(texts))


_TEXTS: WrittenOnce[str, str] = WrittenOnce(_string)
_TEXT_LISTS: WrittenOnce[tuple[str, ...], str] = WrittenOnce(_text_list)
_RULE_BASES: WrittenOnce[str, str] = WrittenOnce(lambda version: canonical({"version": version}))
