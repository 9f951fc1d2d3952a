"""Batch advice: JSON lines in, JSON lines out, in order, streaming."""

from __future__ import annotations

import datetime
import json
from contextlib import nullcontext
from typing import TextIO

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from engine import Advisor, EngineError

from .audit import AuditStore, Entry
from .inputs import read_batch

AUDIT_CHUNK = 200


def run_batch(
    stream: TextIO,
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

    # No progress bar at all without a terminal: even disabled, it costs per line.
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.completed} cases advised"),
        TimeElapsedColumn(),
        console=progress_console,
        transient=True,
    )
    with progress if progress_console is not None else nullcontext():
        task = progress.add_task("advise", total=None) if progress_console is not None else None
        for line in read_batch(stream, advisor.rule_base, today):
            entry = None
            if line.case is None:
                failures += 1
                record: dict[str, object] = {"error": line.error, "line": line.number}
            else:
                try:
                    answer = advisor.advise(line.case)
                    record = answer.to_json()
                    if store is not None:  # an entry only where something records it
                        entry = Entry(answer, line.case, advisor.rule_base, "batch")
                except EngineError as error:
                    failures += 1
                    record = {
                        "error": f"line {line.number}: {error.one_line()}",
                        "line": line.number,
                    }
            pending.append((json.dumps(record, ensure_ascii=False) + "\n", entry))
            if store is None or len(pending) >= AUDIT_CHUNK:
                flush()
            if task is not None:
                progress.advance(task)
        flush()
    return failures
