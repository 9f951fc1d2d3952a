"""Every bound the advisor puts on its input, in one place (docs/security.md explains each).

A facts file or a batch line describes one interview: a few dozen values, each a few words.
A rule file is larger and written by people who edit the advice, so its bounds are wider.
The bounds keep each read bounded in time and memory and keep Python's own limits (recursion,
integer size) from surfacing as a traceback; every refusal names the bound it hit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class Limits:
    """The bounds for one kind of input file."""

    kind: str
    file_bytes: int
    nodes: int
    depth: int
    text_chars: int
    # Facts keep control characters (escaped on screen, intact in JSON); rules never need one.
    controls: bool


FACTS = Limits(
    kind="a facts file",
    file_bytes=256 * KIB,
    nodes=10_000,
    depth=16,
    text_chars=10_000,
    controls=True,
)
RULES = Limits(
    kind="a rule file",
    file_bytes=4 * MIB,
    nodes=250_000,
    depth=64,
    text_chars=100_000,
    controls=False,
)

# One batch line (or a line of `rules diff --cases`) holds one case: as much as a facts file.
BATCH_LINE_BYTES = FACTS.file_bytes
# A number in a file is at most this many digits (Python refuses past 4,300 with a traceback).
NUMBER_DIGITS = 30
# Fact names are single words; a longer "name" is shown cut, never whole.
FACT_NAME_CHARS = 64
# No count of follow-ups comes near this; a larger one is a typing mistake.
LARGEST_WHOLE_NUMBER = 1_000_000


def size(count: int) -> str:
    """A byte count as people read it: '256 KiB', '4 MiB'."""
    if count >= MIB and count % MIB == 0:
        return f"{count // MIB} MiB"
    if count >= KIB and count % KIB == 0:
        return f"{count // KIB} KiB"
    return f"{count:,} bytes"


# Characters a terminal may act on instead of showing: C0 and C1 controls, DEL, and the
# marks that reorder or break lines (bidirectional overrides, line and paragraph separators)
# and lone surrogates, which cannot even be written out.
_UNSHOWN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
# What a rule file cannot hold: the characters above, but line breaks and tabs.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def visible(text: str) -> str:
    """`text` with every control character written as an escape (ESC as `\\x1b`)."""
    return _UNSHOWN.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def text_problem(text: str, limits: Limits) -> str | None:
    """Why a piece of text cannot be taken (too long, not Unicode), or None.

    The answer is a predicate, to follow what it is about: "company" + " is 20,000 ...".
    """
    if len(text) > limits.text_chars:
        return (
            f"is {len(text):,} characters long, over the limit of {limits.text_chars:,} "
            f"for {limits.kind}"
        )
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:
        # A lone surrogate (an escape such as \ud800, or a byte that is not UTF-8 in an
        # argument) cannot be printed or stored.
        return f"contains an invalid character ({_escape(surrogate)})"
    control = None if limits.controls else _CONTROL.search(text)
    if control is not None:
        return f"contains a control character ({_escape(control)}), which {limits.kind} cannot hold"
    return None


def value_problem(value: Any, limits: Limits, depth: int = 1) -> str | None:
    """The first reason a parsed value breaks `limits` (nesting, text), or None, as a predicate.

    The walk never goes deeper than the limit, so it is bounded by the limit and the value.
    """
    if depth > limits.depth:
        return nesting_problem(limits)
    if isinstance(value, str):
        return text_problem(value, limits)
    if isinstance(value, dict):
        items: list[Any] = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    else:
        return None
    for item in items:
        problem = value_problem(item, limits, depth + 1)
        if problem is not None:
            return problem
    return None


def nesting_problem(limits: Limits) -> str:
    """The words for nesting past the limit (a predicate, like the others)."""
    return f"nests lists or mappings more than {limits.depth} deep, the limit for {limits.kind}"


def digits_problem(digits: int) -> str:
    """The words for a number with too many digits (a predicate)."""
    return f"is a number of {digits:,} digits, over the limit of {NUMBER_DIGITS}"
