"""Text templates: `{fact}` placeholders filled in from values, and nothing else.

No expressions, attributes or calls: a template can only name a value.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from .dates import long_date

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
SENTENCE_ENDS = (".", "!", "?")


def placeholders(template: str) -> list[tuple[str, int]]:
    """The names a template uses, each with its offset in the text."""
    return [
        (match.group(1).strip(), match.start())
        for match in PLACEHOLDER.finditer(template)
        if match.group(1) is not None
    ]


def bad_placeholder(template: str) -> tuple[str, int] | None:
    """The first placeholder that is not a plain name, or a stray brace, if any."""
    for name, offset in placeholders(template):
        if not NAME.match(name):
            return name, offset
    stripped = PLACEHOLDER.sub("", template)
    for brace in "{}":
        if brace in stripped:
            return brace, template.index(brace)
    return None


def render(template: str, lookup: Callable[[str], Any]) -> str:
    """Fill in each `{name}` with `lookup(name)`, formatted for people to read.

    A value that ends a sentence itself ("I passed the exam.") absorbs the template's full
    stop right after it, so people may type their text with or without one.
    """
    pieces, tail = _parsed(template)
    if not pieces:
        return tail  # plain text: nothing to fill in
    parts: list[str] = []
    for text, name, dotted, brace in pieces:
        # The cheap test first: most texts do not start with a full stop.
        if dotted and parts and parts[-1][-1:] in SENTENCE_ENDS:
            text = text[1:]
        parts.append(text)
        parts.append(brace if brace else format_value(lookup(name)))
    if tail[:1] == "." and parts[-1][-1:] in SENTENCE_ENDS:
        tail = tail[1:]
    return "".join(parts) + tail


# A piece of a template: the text before a placeholder, the placeholder's name, whether the
# text starts with a full stop, and the brace an escaped brace stands for ("" for a name).
Piece = tuple[str, str, bool, str]


@lru_cache(maxsize=4096)
def _parsed(template: str) -> tuple[tuple[Piece, ...], str]:
    """A template cut once into pieces (see `Piece`) and the text after the last."""
    pieces: list[Piece] = []
    position = 0
    for match in PLACEHOLDER.finditer(template):
        name = match.group(1)
        text = template[position : match.start()]
        if name is None:
            pieces.append((text, "", text[:1] == ".", match.group(0)[0]))
        else:
            pieces.append((text, name.strip(), text[:1] == ".", ""))
        position = match.end()
    return tuple(pieces), template[position:]


def render_with(template: str, values: Mapping[str, Any]) -> str:
    """Render with a plain mapping; a missing name renders empty."""
    return render(template, lambda name: values.get(name))


def format_value(value: Any) -> str:
    """How a value reads inside a sentence."""
    if type(value) is str:  # the most common, first
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return long_date(value)
    if isinstance(value, (list, tuple)):
        return join_items([str(item) for item in value])
    return str(value)


def join_items(items: list[str], and_word: str = "and") -> str:
    """A list as people write it: 'A', 'A and B', 'A, B and C'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {and_word} " + items[-1]
