"""Text templates: `{fact}` placeholders filled in from values, and nothing else.

No expressions, attributes or calls: a template can only name a value.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, TypeVar

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
    pieces, tail = _looked_up(template)
    return fill(pieces, tail, lookup) if pieces else tail  # plain text: nothing to fill in


S = TypeVar("S")
# A piece of a template filled in from a source: the text before a placeholder, whether it
# starts with a full stop, and how to get the placeholder's text from the source.
Piece = tuple[str, bool, Callable[[S], str]]


def fill(pieces: Sequence[Piece[S]], tail: str, source: S) -> str:
    """A template's pieces filled in from `source`, and its tail (see `render`)."""
    parts: list[str] = []
    for text, dotted, get in pieces:
        # The cheap test first: most texts do not start with a full stop.
        if dotted and parts and parts[-1][-1:] in SENTENCE_ENDS:
            text = text[1:]
        parts.append(text)
        parts.append(get(source))
    if tail[:1] == "." and parts[-1][-1:] in SENTENCE_ENDS:
        tail = tail[1:]
    return "".join(parts) + tail


def compile_template(
    template: str, getter: Callable[[str], Callable[[S], str]]
) -> tuple[tuple[Piece[S], ...], str]:
    """A template cut once into pieces, each placeholder's text got by `getter(name)`."""
    pieces: list[Piece[S]] = []
    position = 0
    for match in PLACEHOLDER.finditer(template):
        name = match.group(1)
        text = template[position : match.start()]
        get = _brace(match.group(0)[0]) if name is None else getter(name.strip())
        pieces.append((text, text[:1] == ".", get))
        position = match.end()
    return tuple(pieces), template[position:]


def _brace(brace: str) -> Callable[[Any], str]:
    """An escaped brace (`{{` or `}}`) stands for the brace itself."""
    return lambda _source: brace


def _by_lookup(name: str) -> Callable[[Callable[[str], Any]], str]:
    return lambda lookup: format_value(lookup(name))


@lru_cache(maxsize=4096)
def _looked_up(template: str) -> tuple[tuple[Piece[Callable[[str], Any]], ...], str]:
    """`compile_template` for `render`: each placeholder looked up by its name."""
    return compile_template(template, _by_lookup)


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
