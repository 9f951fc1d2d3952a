"""What recording advice costs: batch records per second, and one `advise` with and without.

Run: .venv/bin/python -m bench.audit
"""

from __future__ import annotations

import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.cases import generate_cases
from engine import Advisor, load_rule_base, read_case
from followup.audit import AuditStore, Entry

BATCH = 20_000
CHUNK = 200


def batch_rates(folder: Path) -> tuple[float, float]:
    """Cases per second advised without recording, and advised and recorded."""
    rule_base = load_rule_base()
    advisor = Advisor(rule_base)
    cases = [
        read_case(facts, rule_base, today=today) for facts, today in generate_cases(BATCH, seed=3)
    ]
    start = time.perf_counter()
    answers = [advisor.advise(case) for case in cases]
    advise_seconds = time.perf_counter() - start
    store = AuditStore(folder / "batch.sqlite3")
    start = time.perf_counter()
    for offset in range(0, BATCH, CHUNK):
        store.record_many(
            Entry(answer, case, rule_base, "bench")
            for answer, case in zip(
                answers[offset : offset + CHUNK], cases[offset : offset + CHUNK], strict=True
            )
        )
    record_seconds = time.perf_counter() - start
    assert store.verify().ok
    return BATCH / advise_seconds, BATCH / (advise_seconds + record_seconds)


def one_advise_in_process(folder: Path) -> tuple[float, float]:
    """Milliseconds for one advice alone, and with opening the store and recording it."""
    rule_base = load_rule_base()
    advisor = Advisor(rule_base)
    case = read_case({"interview_date": "2026-11-16"}, rule_base, today=datetime.date(2026, 11, 26))
    alone, recorded = [], []
    for _ in range(200):
        start = time.perf_counter()
        answer = advisor.advise(case)
        alone.append(time.perf_counter() - start)
        start = time.perf_counter()
        answer = advisor.advise(case)
        store = AuditStore(folder / "one.sqlite3")
        store.record(Entry(answer, case, rule_base, "bench"))
        store.close()
        recorded.append(time.perf_counter() - start)
    return statistics.median(alone) * 1000, statistics.median(recorded) * 1000


def one_advise_command(folder: Path) -> tuple[float, float]:
    """Milliseconds for the whole `followup advise` command, with --no-audit and recording."""
    env = {**os.environ, "FOLLOWUP_AUDIT_DB": str(folder / "command.sqlite3")}
    base = [
        sys.executable,
        "-m",
        "followup",
        "advise",
        "--set",
        "interview_date=2026-11-16",
        "--today",
        "2026-11-26",
    ]

    def timed(extra: list[str]) -> float:
        runs = []
        for _ in range(7):
            start = time.perf_counter()
            subprocess.run(base + extra, env=env, check=True, capture_output=True)
            runs.append(time.perf_counter() - start)
        return statistics.median(runs) * 1000

    return timed(["--no-audit"]), timed([])


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        plain_rate, recorded_rate = batch_rates(folder)
        print(f"batch, {BATCH:,} cases, advise only:        {plain_rate:>10,.0f} cases/s")
        print(
            f"batch, advise + record ({CHUNK} a commit): {recorded_rate:>10,.0f} cases/s"
            f"  ({plain_rate / recorded_rate:.1f}x slower)"
        )
        recording_only = 1 / (1 / recorded_rate - 1 / plain_rate)
        print(f"recording alone:                        {recording_only:>10,.0f} records/s")
        alone, recorded = one_advise_in_process(folder)
        print(f"one advice in process, no audit:        {alone:>10.3f} ms")
        print(
            f"one advice in process, open + record:   {recorded:>10.3f} ms"
            f"  ({recorded / alone:.1f}x)"
        )
        no_audit, audited = one_advise_command(folder)
        print(f"`followup advise` command, --no-audit:  {no_audit:>10.1f} ms")
        print(
            f"`followup advise` command, recorded:    {audited:>10.1f} ms"
            f"  ({audited / no_audit:.2f}x)"
        )


if __name__ == "__main__":
    main()
