"""Reading a case's facts from files, standard input and `--set` options.

Every read is bounded (engine/limits.py): a facts file or standard input is read up to its
limit and no further, a batch streams line by line and each line is bounded too, so no input
can make the advisor wait forever or fill the memory.
"""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from engine import Case, FactError, Origin, RuleBase, RuleFileError, parse_document, read_case
from engine.errors import visible
from engine.limits import (
    BATCH_LINE_BYTES,
    FACT_NAME_CHARS,
    FACTS,
    NUMBER_DIGITS,
    digits_problem,
    nesting_problem,
    size,
)
from engine.source import Document, bounded, open_regular, read_text

STDIN = "-"
BATCH_KIND = "a batch of cases"


def parse_day(text: str | None, option: str = "--today") -> datetime.date:
    """An ISO date given on the command line; the system date when none was given."""
    if text is None:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise FactError(f"{option} must be a date written YYYY-MM-DD, not {_shown(text)}") from None


def read_facts_file(path: str | None, overrides: Sequence[str]) -> tuple[dict[str, Any], Origin]:
    """The facts from a YAML/JSON file (or `-` for stdin), with `--set name=value` on top."""
    document = None
    facts: dict[str, Any] = {}
    label = "the command line"
    if path is not None:
        label = "standard input" if path == STDIN else visible(path)
        try:
            text = _stdin_text() if path == STDIN else read_text(Path(path), label, FACTS)
        except RuleFileError as error:
            raise FactError(error.message, location=error.location) from None
        facts, document = _facts_document(text, label)
    names = set()
    for item in overrides:
        name, separator, value = item.partition("=")
        if not separator or not name.strip():
            raise FactError(f"--set takes name=value, not {_shown(item)}")
        facts[name.strip()] = value
        names.add(name.strip())
    origin = Origin(label, document, frozenset(names))
    check_names(facts, origin)
    return facts, origin


def check_names(facts: dict[str, Any], origin: Origin) -> None:
    """Refuse a fact name that could not be a fact's: too long, or with control characters.

    The usual "unknown fact" message quotes the name whole; these are cut and escaped first.
    """
    for name in facts:
        text = str(name)
        if len(text) > FACT_NAME_CHARS or not text.isprintable():
            location = origin.where(text, key=True)
            raise FactError(
                f"unknown fact {_shown(text)} (a fact name is one word of at most "
                f"{FACT_NAME_CHARS} letters, digits and underscores)",
                location=replace(location, file=_cut(visible(location.file))) if location else None,
            )


def read_facts_text(text: str, label: str) -> tuple[dict[str, Any], Origin]:
    """The facts from YAML/JSON text that came from `label` (a request body, say)."""
    facts, document = _facts_document(text, label)
    origin = Origin(label, document)
    check_names(facts, origin)
    return facts, origin


def _facts_document(text: str, label: str) -> tuple[dict[str, Any], Document]:
    try:
        document = parse_document(text, label, FACTS)
    except RuleFileError as error:
        raise FactError(error.message, location=error.location) from None
    if document.value is None:
        raise FactError(f"{label} is empty: it should list facts such as interview_date")
    if not isinstance(document.value, dict):
        raise FactError(
            f"{label} must be a mapping of fact names to values, such as "
            "`interview_date: 2026-11-20`",
            location=document.where(()),
        )
    return dict(document.value), document


def _stdin_text() -> str:
    """Standard input, read up to the limit of a facts file (and one byte more, to tell)."""
    source = getattr(sys.stdin, "buffer", None)
    if source is None:  # a text stream without bytes underneath (tests may give one)
        data = sys.stdin.read(FACTS.file_bytes + 1).encode("utf-8", "surrogateescape")
    else:
        data = source.read(FACTS.file_bytes + 1)
    bounded(data, "standard input", FACTS.file_bytes, FACTS.kind)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FactError("standard input is not UTF-8 text") from None


@contextmanager
def open_batch(path: str) -> Iterator[BinaryIO]:
    """The bytes of a batch: standard input for `-`, else a regular file (never a pipe)."""
    if path == STDIN:
        yield sys.stdin.buffer
        return
    try:
        stream = open_regular(Path(path), visible(path), BATCH_KIND)
    except RuleFileError as error:
        raise FactError(error.message) from None
    with stream:
        yield stream


@dataclass(frozen=True)
class BatchLine:
    """One line of a batch: its number, and either a case or the reason it was refused."""

    number: int
    case: Case | None = None
    error: str | None = None
    # The fact a refusal is about, when it is about one.
    fact: str | None = None


def read_batch(stream: BinaryIO, rule_base: RuleBase, today: datetime.date) -> Iterator[BatchLine]:
    """Cases from JSON lines, one per line; blank lines are skipped, bad lines reported.

    A bad line (bad JSON, not UTF-8, too long, a refused fact) costs only itself: every line
    is read and judged on its own.
    """
    for number, facts in read_json_lines(stream):
        if facts is None:
            continue
        try:
            if isinstance(facts, FactError):
                raise facts
            yield BatchLine(number, case=_batch_case(facts, number, rule_base, today))
        except FactError as error:
            yield BatchLine(number, error=error.one_line(), fact=error.fact)


def read_json_lines(stream: BinaryIO) -> Iterator[tuple[int, dict[str, Any] | FactError | None]]:
    """Each line's object of facts, or the error that refuses the line (None: blank line)."""
    for number, line in enumerate(_lines(stream), start=1):
        label = f"line {number}"
        if line is None:
            yield (
                number,
                FactError(f"{label}: longer than {size(BATCH_LINE_BYTES)}, the limit for one line"),
            )
            continue
        try:
            yield number, _json_object(line, label, first=number == 1)
        except FactError as error:
            yield number, error


def _lines(stream: BinaryIO) -> Iterator[bytes | None]:
    """The lines of `stream` without their line end (`\\n` or `\\r\\n`); None for one too long.

    A line over the limit is skipped in bounded pieces, never held whole.
    """
    while line := stream.readline(BATCH_LINE_BYTES + 1):
        if len(line) > BATCH_LINE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = stream.readline(BATCH_LINE_BYTES)
            yield None
            continue
        line = line[:-1] if line.endswith(b"\n") else line
        yield line[:-1] if line.endswith(b"\r") else line


def _json_object(line: bytes, label: str, *, first: bool) -> dict[str, Any] | None:
    try:
        # A byte-order mark may open a file saved by a Windows editor.
        text = line.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError as error:
        raise FactError(
            f"{label}: not UTF-8 text (byte 0x{line[error.start]:02x} at column {error.start + 1})"
        ) from None
    if not text.strip():
        return None
    try:
        facts = json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as error:
        raise FactError(f"{label}: not valid JSON: {error.msg} (column {error.colno})") from None
    except RecursionError:
        raise FactError(f"{label}: the line {nesting_problem(FACTS)}") from None
    except _LongNumber as error:
        raise FactError(f"{label}: a value {digits_problem(error.digits)}") from None
    if not isinstance(facts, dict):
        raise FactError(f"{label}: expected a JSON object of facts")
    return facts


def read_cases_file(
    path: Path, day: datetime.date
) -> Iterator[tuple[str, dict[str, Any], datetime.date]]:
    """The cases of `rules diff --cases`: (label, facts, today) for each line of JSON facts.

    A line that cannot be read refuses the file, naming the line: a comparison that silently
    left cases out would mislead.
    """
    name = visible(str(path))
    try:
        stream = open_regular(path, name, BATCH_KIND)
    except RuleFileError as error:
        raise FactError(error.message) from None
    with stream:
        for number, facts in read_json_lines(stream):
            if isinstance(facts, FactError):
                raise FactError(f"{name}: {facts.message}") from None
            if facts is not None:
                when = facts.pop("today", None)
                today = parse_day(str(when), f"{name}: line {number}: today") if when else day
                yield f"line {number}", facts, today


class _LongNumber(ValueError):
    """A number in JSON with more digits than NUMBER_DIGITS (int() would be slow or fail)."""

    def __init__(self, digits: int) -> None:
        super().__init__(f"{digits} digits")
        self.digits = digits


def _json_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > NUMBER_DIGITS:
        raise _LongNumber(digits)
    return int(text)


def _batch_case(
    facts: dict[str, Any], number: int, rule_base: RuleBase, today: datetime.date
) -> Case:
    label = f"line {number}"
    try:
        check_names(facts, Origin(label))
        return read_case(facts, rule_base, today=today, origin=Origin(label))
    except FactError as error:
        raise FactError(
            f"{label}: {error.message}", fact=error.fact, suggestion=error.suggestion
        ) from None


def _shown(value: object, width: int = 60) -> str:
    # repr escapes control characters; a long value is cut so the message stays short.
    return _cut(repr(value), width)


def _cut(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
