"""Reading a case's facts from files, standard input and `--set` options."""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from engine import Case, FactError, Origin, RuleBase, RuleFileError, parse_document, read_case
from engine.source import Document


def parse_day(text: str | None, option: str = "--today") -> datetime.date:
    """An ISO date given on the command line; the system date when none was given."""
    if text is None:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise FactError(f"{option} must be a date written YYYY-MM-DD, not {text!r}") from None


def read_facts_file(path: str | None, overrides: Sequence[str]) -> tuple[dict[str, Any], Origin]:
    """The facts from a YAML/JSON file (or `-` for stdin), with `--set name=value` on top."""
    document = None
    facts: dict[str, Any] = {}
    label = "the command line"
    if path is not None:
        label = "standard input" if path == "-" else path
        text = sys.stdin.read() if path == "-" else _read_text(Path(path))
        facts, document = _facts_document(text, label)
    names = set()
    for item in overrides:
        name, separator, value = item.partition("=")
        if not separator or not name.strip():
            raise FactError(f"--set takes name=value, not {item!r}")
        facts[name.strip()] = value
        names.add(name.strip())
    return facts, Origin(label, document, frozenset(names))


def read_facts_text(text: str, label: str) -> tuple[dict[str, Any], Origin]:
    """The facts from YAML/JSON text that came from `label` (a request body, say)."""
    facts, document = _facts_document(text, label)
    return facts, Origin(label, document)


def _facts_document(text: str, label: str) -> tuple[dict[str, Any], Document]:
    try:
        document = parse_document(text, label)
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


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FactError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise FactError(f"{path} is a folder, not a facts file") from None
    except UnicodeDecodeError:
        raise FactError(f"{path} is not a UTF-8 text file") from None
    except OSError as error:
        raise FactError(f"cannot read {path}: {error.strerror}") from None


@dataclass(frozen=True)
class BatchLine:
    """One line of a batch: its number, and either a case or the reason it was refused."""

    number: int
    case: Case | None = None
    error: str | None = None


def read_batch(stream: TextIO, rule_base: RuleBase, today: datetime.date) -> Iterator[BatchLine]:
    """Cases from JSON lines, one per line; blank lines are skipped, bad lines reported."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            yield BatchLine(number, case=_batch_case(line, number, rule_base, today))
        except FactError as error:
            yield BatchLine(number, error=error.one_line())


def _batch_case(line: str, number: int, rule_base: RuleBase, today: datetime.date) -> Case:
    label = f"line {number}"
    try:
        facts = json.loads(line)
    except json.JSONDecodeError as error:
        raise FactError(f"{label}: not valid JSON: {error.msg} (column {error.colno})") from None
    if not isinstance(facts, dict):
        raise FactError(f"{label}: expected a JSON object of facts")
    try:
        return read_case(facts, rule_base, today=today, origin=Origin(label))
    except FactError as error:
        raise FactError(
            f"{label}: {error.message}", fact=error.fact, suggestion=error.suggestion
        ) from None
