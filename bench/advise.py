"""Batch throughput of the advisor against a plain-Python reference, and its peak memory.

Run: make bench  (or: .venv/bin/python -m bench.advise [--cases N])
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from bench.cases import generate_cases
from bench.reference import reference_advice
from engine import Advisor, load_rule_base, read_case


def engine_batch(cases: Iterable[tuple[dict[str, object], object]]) -> tuple[float, int]:
    """Seconds to advise on every case as batch mode does (check, evaluate, compose, JSON)."""
    rule_base = load_rule_base()
    advisor = Advisor(rule_base)
    start = time.perf_counter()
    written = 0
    for facts, today in cases:
        case = read_case(facts, rule_base, today=today)  # type: ignore[arg-type]
        written += len(json.dumps(advisor.advise(case).to_json()))
    return time.perf_counter() - start, written


def reference_batch(cases: list[tuple[dict[str, object], object]]) -> float:
    start = time.perf_counter()
    for facts, today in cases:
        action, day = reference_advice(facts, today)  # type: ignore[arg-type]
        json.dumps({"action": action, "follow_up_on": day.isoformat() if day else None})
    return time.perf_counter() - start


def peak_memory_mib(count: int) -> float:
    """Peak resident memory of a fresh process that advises on `count` cases."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.advise", "--child", str(count)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(output.strip())


def child(count: int) -> None:
    # Cases are generated as they are advised on, as a streaming batch reads them.
    engine_batch(generate_cases(count, seed=1))
    # VmHWM, not ru_maxrss: the latter carries the parent's peak over fork and exec.
    status = Path("/proc/self/status").read_text()
    peak_kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
    print(int(peak_kib) / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    cases = list(generate_cases(args.cases, seed=1))
    engine_seconds, _ = engine_batch(cases)
    reference_seconds = reference_batch(cases)
    engine_rate = args.cases / engine_seconds
    reference_rate = args.cases / reference_seconds
    print(f"cases: {args.cases:,}")
    print(f"advisor (durable_rules, full answer): {engine_rate:>10,.0f} cases/s")
    print(f"plain-Python reference (decision):    {reference_rate:>10,.0f} cases/s")
    print(f"ratio reference/advisor:              {reference_rate / engine_rate:>10.1f}x")
    small, large = peak_memory_mib(10_000), peak_memory_mib(100_000)
    print(f"peak memory, 10,000 cases:            {small:>10.1f} MiB")
    print(f"peak memory, 100,000 cases:           {large:>10.1f} MiB")
    print(f"growth per extra case:                {(large - small) * 1024 / 90_000:>10.3f} KiB")


if __name__ == "__main__":
    main()
