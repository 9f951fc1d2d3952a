"""`POST /api/advice` under load: 16 clients at once on loopback, next to the CLI doing the same.

Starts `followup serve` in a process of its own, sends generated cases from 16 threads (one
kept-alive connection each) and reports requests per second and p50/p95 latency; then runs
`followup advise --format json` as 16 concurrent processes for comparison.

With --postgres: `followup serve --workers 4 --record-api` over a throwaway PostgreSQL server
(fsync on), 32 clients, 10,000 requests; then checks that the trail holds one record per
answer given and that `followup audit verify` passes.

Run: .venv/bin/python -m bench.serve [--postgres]
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

from bench.cases import generate_cases
from tests.pgserver import find_binaries, running_server

CLIENTS = 16
REQUESTS = 4_000
PG_WORKERS = 4
PG_CLIENTS = 32
PG_REQUESTS = 10_000
CLI_RUNS = 64
SEQUENTIAL_RUNS = 10
FOLLOWUP = str(Path(sys.executable).with_name("followup"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bodies(count: int) -> list[bytes]:
    """Generated cases as request bodies, each with its own `today`."""
    return [
        json.dumps({**facts, "today": today.isoformat()}, default=str).encode()
        for facts, today in generate_cases(count, seed=7)
    ]


def start_server(port: int, folder: Path, *options: str) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [FOLLOWUP, "serve", "--port", str(port), *(options or ("--no-audit",))],
        stdout=subprocess.DEVNULL,
        env={**os.environ, "FOLLOWUP_AUDIT_DB": str(folder / "audit.sqlite3")},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def load(
    port: int, work: list[bytes], clients: int = CLIENTS
) -> tuple[float, list[float], int, int]:
    """Seconds taken, each request's latency, how many were not 200 or 422, how many 200."""
    latencies: list[float] = []
    failures = answered = 0
    lock = threading.Lock()
    shares = [work[index::clients] for index in range(clients)]

    def client(share: list[bytes]) -> None:
        nonlocal failures, answered
        connection = http.client.HTTPConnection("127.0.0.1", port)
        headers = {"Content-Type": "application/json"}
        mine: list[float] = []
        bad = good = 0
        for body in share:
            start = time.perf_counter()
            connection.request("POST", "/api/advice", body, headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            bad += response.status not in (200, 422)
            good += response.status == 200
        connection.close()
        with lock:
            latencies.extend(mine)
            failures += bad
            answered += good

    seconds = _timed(lambda: _all(client, shares))
    return seconds, latencies, failures, answered


def _all(function: Callable[[list[bytes]], None], shares: list[list[bytes]]) -> None:
    with ThreadPoolExecutor(len(shares)) as pool:
        list(pool.map(function, shares))


def _timed(function: Callable[[], None]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def cli(work: list[bytes], clients: int = CLIENTS) -> tuple[float, list[float]]:
    """The same cases through `followup advise --format json`, `clients` processes at a time."""
    latencies: list[float] = []

    def one(body: bytes) -> None:
        start = time.perf_counter()
        subprocess.run(
            [FOLLOWUP, "advise", "-", "--format", "json", "--no-audit"],
            input=body,
            capture_output=True,
            check=False,
        )
        latencies.append(time.perf_counter() - start)

    def run() -> None:
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(one, work))

    return _timed(run), latencies


def report(name: str, seconds: float, latencies: list[float]) -> None:
    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"{name:<34} {len(latencies) / seconds:>9,.0f} requests/s   "
        f"p50 {cuts[49] * 1000:7.1f} ms   p95 {cuts[94] * 1000:7.1f} ms"
    )


def postgres() -> None:
    """Four workers recording into one PostgreSQL trail: throughput, then the trail checked."""
    binaries = find_binaries()
    if binaries is None:
        raise SystemExit(
            "--postgres needs PostgreSQL's initdb and pg_ctl (apt-get install postgresql)"
        )
    work = bodies(PG_REQUESTS)
    port = free_port()
    with (
        running_server(binaries, durable=True) as database,
        tempfile.TemporaryDirectory() as folder,
    ):
        url = database.url()
        server = start_server(
            port, Path(folder), "--workers", str(PG_WORKERS), "--record-api", "--audit-db", url
        )
        try:
            time.sleep(3)  # every worker up, not only the first
            *_, warm = load(port, work[:200], PG_CLIENTS)
            seconds, latencies, failures, answered = load(port, work, PG_CLIENTS)
        finally:
            server.terminate()
            server.wait()
        verify = subprocess.run(
            [FOLLOWUP, "audit", "verify", "--audit-db", url], capture_output=True, text=True
        )
        with psycopg.connect(url) as trail:
            found = trail.execute("SELECT count(*) FROM records").fetchone()
        records = found[0] if found else 0
    print(
        f"{PG_WORKERS} workers, {PG_CLIENTS} concurrent clients on loopback, "
        f"{os.cpu_count()} cores, PostgreSQL with fsync on"
    )
    report("POST /api/advice --record-api", seconds, latencies)
    if failures:
        print(f"  {failures} responses were neither 200 nor 422")
    given = warm + answered
    same = "equal" if given == records else "DIFFERENT"
    print(f"answers given {given:,}, records {records:,}: {same}")
    print(f"followup audit verify: exit {verify.returncode}: {verify.stdout.strip()}")


def main() -> None:
    if "--postgres" in sys.argv[1:]:
        postgres()
        return
    work = bodies(REQUESTS)
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(port, Path(folder))
        try:
            load(port, work[:200])  # warm up
            seconds, latencies, failures, _ = load(port, work)
        finally:
            server.terminate()
            server.wait()
    print(f"{CLIENTS} concurrent clients on loopback, {os.cpu_count()} cores")
    report("POST /api/advice (followup serve)", seconds, latencies)
    if failures:
        print(f"  {failures} responses were neither 200 nor 422")
    seconds, latencies = cli(work[:CLI_RUNS])
    report("followup advise --format json", seconds, latencies)
    seconds, latencies = cli(work[:SEQUENTIAL_RUNS], clients=1)
    report("  the same, one process at a time", seconds, latencies)


if __name__ == "__main__":
    main()
