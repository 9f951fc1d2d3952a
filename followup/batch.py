"""Batch advice: JSON lines in, JSON lines out, in order, streaming."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, BinaryIO, TextIO

from engine import Advisor, AdvisorError, Answer, Case, RuleBase

from .answer_line import answer_line
from .inputs import read_batch
from .json_escape import escape_raw

if TYPE_CHECKING:
    from rich.console import Console

    from .audit import AuditStore, Entry

AUDIT_CHUNK = 200


def json_text(record: dict[str, object], indent: int | None = None) -> str:
    """An answer as JSON: readable text kept as it is, control characters escaped."""
    return escape_raw(json.dumps(record, ensure_ascii=False, indent=indent))


def json_line(record: dict[str, object]) -> str:
    """One answer as one line of JSON (for a batch)."""
    return json_text(record) + "\n"


def run_batch(
    stream: BinaryIO,
    advisor: Advisor,
    today: datetime.date,
    output: TextIO,
    progress_console: Console | None = None,
    store: AuditStore | None = None,
) -> int:
    """Answer each line of `stream` on `output`; return how many lines failed.

    With a `store`, answers are recorded in chunks, each committed before its lines are
    written: an answer that was printed was recorded, even if the run is killed.
    """
    failures = 0
    pending: list[tuple[str, Entry | None]] = []

    def flush() -> None:
        if store is not None:
            store.record_many(entry for _line, entry in pending if entry is not None)
        output.writelines(line for line, _entry in pending)
        output.flush()
        pending.clear()

    with _progress(progress_console) as advance:
        for line in read_batch(stream, advisor.rule_base, today):
            entry = None
            if line.case is None:
                failures += 1
                text = json_line(_refusal(line.error or "", line.number, line.fact))
            else:
                try:
                    answer = advisor.advise(line.case)
                    text = answer_line(answer)  # json_line(answer.to_json()), written directly
                    if store is not None:  # an entry only where something records it
                        entry = _entry(answer, line.case, advisor.rule_base)
                except AdvisorError as error:  # the engine failed, or a computed date is impossible
                    failures += 1
                    text = json_line(
                        _refusal(f"line {line.number}: {error.one_line()}", line.number, error.fact)
                    )
            pending.append((text, entry))
            if store is None or len(pending) >= AUDIT_CHUNK:
                flush()
            advance()
        flush()
    return failures


def _refusal(error: str, number: int, fact: str | None) -> dict[str, object]:
    """The record of a line without advice: why, which line, and the fact it is about."""
    record: dict[str, object] = {"error": error, "line": number}
    if fact is not None:
        record["fact"] = fact
    return record


def _entry(answer: Answer, case: Case, rule_base: RuleBase) -> Entry:
    from .audit import Entry  # noqa: PLC0415 - the audit trail loads only when a batch records

    return Entry(answer, case, rule_base, "batch")


@contextmanager
def _progress(console: Console | None) -> Iterator[Callable[[], None]]:
    """A count of the cases advised, shown on `console`; without one (no terminal), no
    progress bar at all: even disabled, it costs per line, and rich takes 30 ms to import."""
    if console is None:
        yield _nothing
        return
    from rich.progress import (  # noqa: PLC0415 - rich only for text at a terminal
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.completed} cases advised"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    with progress:
        task = progress.add_task("advise", total=None)
        yield lambda: progress.advance(task)


def _nothing() -> None:
    pass
