"""Batch advice: JSON lines in, JSON lines out, in order, streaming."""

from __future__ import annotations

import datetime
import json
from typing import TextIO

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from engine import Advisor, EngineError

from .inputs import read_batch


def run_batch(
    stream: TextIO,
    advisor: Advisor,
    today: datetime.date,
    output: TextIO,
    progress_console: Console | None = None,
) -> int:
    """Answer each line of `stream` on `output`; return how many lines failed."""
    failures = 0
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.completed} cases advised"),
        TimeElapsedColumn(),
        console=progress_console,
        disable=progress_console is None,
        transient=True,
    )
    with progress:
        task = progress.add_task("advise", total=None)
        for line in read_batch(stream, advisor.rule_base, today):
            if line.case is None:
                failures += 1
                record: dict[str, object] = {"error": line.error, "line": line.number}
            else:
                try:
                    record = advisor.advise(line.case).to_json()
                except EngineError as error:
                    failures += 1
                    record = {
                        "error": f"line {line.number}: {error.one_line()}",
                        "line": line.number,
                    }
            output.write(json.dumps(record, ensure_ascii=False) + "\n")
            output.flush()
            progress.advance(task)
    return failures
