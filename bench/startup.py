"""Start-up: a fresh `followup advise FILE --format json --no-audit` against `python -c pass`
of the same virtual environment, the median wall time of N runs of each, taken in turns.

The first advise runs on an empty cache folder (it checks the rule files against their
schemas, and runs the case on durable_rules: no proof is kept yet); `followup rules check` then
proves the engines equal, as it (or a batch) does once for each version of the rules. The N
timed runs find both in the cache and run the compiled evaluator. The project's modules are
compiled to bytecode first, as an installed package's are (PYTHONDONTWRITEBYTECODE would
otherwise have every run compile them from source again, 40 ms of each).

Run: make bench  (or: .venv/bin/python -m bench.startup [--runs N])
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLLOWUP = Path(sys.executable).parent / "followup"
ADVISE = [str(FOLLOWUP), "advise", str(ROOT / "examples" / "timeline.yaml")]
ADVISE += ["--today", "2026-11-26", "--format", "json", "--no-audit"]
PASS = [sys.executable, "-c", "pass"]
# The target of the issue "Speed": advise starts within five times a bare interpreter.
TARGET = 5.0


def wall(command: list[str], environment: dict[str, str]) -> float:
    """Seconds from starting `command` to its end; it must succeed."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=environment)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    packages = [str(ROOT / name) for name in ("engine", "explain", "followup")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], check=True)
    with tempfile.TemporaryDirectory() as cache:
        environment = {**os.environ, "FOLLOWUP_CACHE_DIR": cache}
        first = wall(ADVISE, environment)
        wall([str(FOLLOWUP), "rules", "check"], environment)
        advise, bare = [], []
        for _ in range(runs):
            advise.append(wall(ADVISE, environment))
            bare.append(wall(PASS, environment))
    advise_ms, bare_ms = statistics.median(advise) * 1000, statistics.median(bare) * 1000
    ratio = advise_ms / bare_ms
    print(f"start-up, median of {runs} runs each ({sys.executable}):")
    print(f"  python -c pass                        {bare_ms:7.1f} ms")
    print(f"  followup advise --format json (cold)  {advise_ms:7.1f} ms")
    print(f"  the same, first run on an empty cache {first * 1000:7.1f} ms (durable_rules)")
    verdict = "within" if ratio <= TARGET else "over"
    print(f"  ratio {ratio:.1f}x ({verdict} the target of {TARGET:.0f}x)")


if __name__ == "__main__":
    main()
