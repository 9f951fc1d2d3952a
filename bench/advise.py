"""Batch throughput of the advisor on each engine against a plain-Python reference, the two
engines' answers compared, and the advisor's peak memory.

Run: make bench  (or: .venv/bin/python -m bench.advise [--cases N] [--equal N] [--large N])
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
from engine import Advisor, EngineName, load_rule_base, read_case
from followup.answer_line import answer_line

Cases = Iterable[tuple[dict[str, object], object]]


def engine_batch(cases: Cases, engine: EngineName) -> tuple[float, int]:
    """CPU seconds to advise on every case as batch mode does (check, evaluate, compose, JSON
    line)."""
    rule_base = load_rule_base()
    advisor = Advisor(rule_base, engine)  # proved (or the proof read) before the clock starts
    start = time.process_time()
    written = 0
    for facts, today in cases:
        case = read_case(facts, rule_base, today=today)  # type: ignore[arg-type]
        written += len(answer_line(advisor.advise(case)))
    return time.process_time() - start, advisor.recovered


def reference_batch(cases: Cases) -> float:
    start = time.process_time()
    for facts, today in cases:
        action, day = reference_advice(facts, today)  # type: ignore[arg-type]
        json.dumps({"action": action, "follow_up_on": day.isoformat() if day else None})
    return time.process_time() - start


def the_two_ends(cases: Cases) -> float:
    """CPU seconds to read the facts of every case (checked and typed, as a batch must) and
    to write each finished answer with the standard library's JSON writer, and nothing else:
    no deciding, no composing. A floor under any batch that writes full answers."""
    rule_base = load_rule_base()
    advisor = Advisor(rule_base, "auto")
    records = [
        advisor.advise(read_case(facts, rule_base, today=today)).to_json()  # type: ignore[arg-type]
        for facts, today in cases
    ]
    start = time.process_time()
    for facts, today in cases:
        read_case(facts, rule_base, today=today)  # type: ignore[arg-type]
    for record in records:
        json.dumps(record, ensure_ascii=False)
    return time.process_time() - start


def differences(count: int) -> int:
    """Cases whose full JSON answer differs between the compiled evaluator and durable_rules."""
    rule_base = load_rule_base()
    durable, compiled = Advisor(rule_base, "durable"), Advisor(rule_base, "compiled")
    different = 0
    for facts, today in generate_cases(count, seed=11):
        case = read_case(facts, rule_base, today=today)  # type: ignore[arg-type]
        different += durable.advise(case).to_json() != compiled.advise(case).to_json()
    return different


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
    engine_batch(generate_cases(count, seed=1), "auto")
    # VmHWM, not ru_maxrss: the latter carries the parent's peak over fork and exec.
    status = Path("/proc/self/status").read_text()
    peak_kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
    print(int(peak_kib) / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--equal", type=int, default=100_000, help="cases to compare engines on")
    parser.add_argument("--large", type=int, default=1_000_000, help="cases for peak memory")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    cases = list(generate_cases(args.cases, seed=1))
    # Paired rounds: the reference is measured next to each engine, in the same process.
    print(f"cases: {args.cases:,} (CPU time)")
    for engine in ("durable", "compiled"):
        seconds, recovered = engine_batch(cases, engine)
        reference = reference_batch(cases)
        rate, reference_rate = args.cases / seconds, args.cases / reference
        print(
            f"advisor on {engine:<8} (full answer): {rate:>10,.0f} cases/s, "
            f"reference {reference_rate:>9,.0f} cases/s: {rate / reference_rate:.3f}x"
            + (f" ({recovered} recovered)" if recovered else "")
        )
    seconds, reference = the_two_ends(cases), reference_batch(cases)
    print(
        f"reading + json.dumps alone (a floor): {args.cases / seconds:>10,.0f} cases/s, "
        f"reference {args.cases / reference:>9,.0f} cases/s: {reference / seconds:.3f}x"
    )
    started = time.perf_counter()
    different = differences(args.equal)
    print(
        f"answers that differ between the engines: {different} of {args.equal:,} "
        f"({time.perf_counter() - started:.0f} s)"
    )
    small, large = peak_memory_mib(10_000), peak_memory_mib(args.large)
    print(f"peak memory, 10,000 cases:            {small:>10.1f} MiB")
    print(
        f"peak memory, {args.large:,} cases:{'':<{14 - len(f'{args.large:,}')}}{large:>10.1f} MiB"
    )
    growth = (large - small) * 1024 / max(args.large - 10_000, 1)
    print(f"growth per extra case:                {growth:>10.4f} KiB")


if __name__ == "__main__":
    main()
