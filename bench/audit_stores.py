"""Recording on each store: records per second in batches, one at a time, and from 4 processes.

PostgreSQL runs on a throwaway local server (as in the tests), so the numbers leave out a
network: on a real deployment add the round trips to the database machine.

Run: .venv/bin/python -m bench.audit_stores
"""

from __future__ import annotations

import datetime
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from engine import Advisor, load_rule_base, read_case
from followup.audit import AuditStore, Entry
from tests.pgserver import find_binaries, running_server

BATCH = 5_000
CHUNK = 200
SINGLE = 500
WORKERS = 4
PER_WORKER = 250

WORKER = """
import datetime, sys
from engine import Advisor, load_rule_base, read_case
from followup.audit import AuditStore, Entry
store, rule_base = AuditStore(sys.argv[1]), load_rule_base()
case = read_case({"interview_date": "2026-11-16"}, rule_base, today=datetime.date(2026, 11, 26))
entry = Entry(Advisor(rule_base).advise(case), case, rule_base, "bench")
sys.stdout.write("ready\\n"); sys.stdout.flush(); sys.stdin.readline()
for _ in range(int(sys.argv[2])):
    store.record(entry)
"""


def entries(count: int) -> list[Entry]:
    rule_base = load_rule_base()
    advisor = Advisor(rule_base)
    today = datetime.date(2026, 11, 26)
    result = []
    for number in range(count):
        facts = {"interview_date": (today - datetime.timedelta(days=1 + number % 40)).isoformat()}
        case = read_case(facts, rule_base, today=today)
        result.append(Entry(advisor.advise(case), case, rule_base, "bench"))
    return result


def rates(place: str) -> tuple[float, float, float, float]:
    """Records/s in batches, one a transaction, from WORKERS processes; and verify records/s."""
    batch = entries(BATCH)
    store = AuditStore(place)
    start = time.perf_counter()
    for offset in range(0, BATCH, CHUNK):
        store.record_many(batch[offset : offset + CHUNK])
    batched = BATCH / (time.perf_counter() - start)
    start = time.perf_counter()
    for entry in batch[:SINGLE]:
        store.record(entry)
    single = SINGLE / (time.perf_counter() - start)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, place, str(PER_WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    for worker in workers:
        assert worker.stdout is not None and worker.stdout.readline() == "ready\n"
    start = time.perf_counter()
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    assert [worker.wait() for worker in workers] == [0] * WORKERS
    concurrent = WORKERS * PER_WORKER / (time.perf_counter() - start)
    start = time.perf_counter()
    checked = store.verify()
    verified = checked.checked / (time.perf_counter() - start)
    assert checked.ok and checked.checked == BATCH + SINGLE + WORKERS * PER_WORKER
    store.close()
    return batched, single, concurrent, verified


def main() -> None:
    print(f"{'store':<12}{'batch/s':>10}{'single/s':>10}{f'{WORKERS} procs/s':>12}{'verify/s':>10}")
    with tempfile.TemporaryDirectory() as folder:
        results = {"sqlite": rates(str(Path(folder) / "bench.sqlite3"))}
    binaries = find_binaries()
    if binaries is not None:
        with running_server(binaries, durable=True) as server:
            with psycopg.connect(server.url(), autocommit=True) as admin:
                admin.execute("CREATE DATABASE bench")
            results["postgresql"] = rates(server.url("bench"))
    for name, (batched, single, concurrent, verified) in results.items():
        print(f"{name:<12}{batched:>10,.0f}{single:>10,.0f}{concurrent:>12,.0f}{verified:>10,.0f}")


if __name__ == "__main__":
    main()
