"""`followup serve --workers 2`: a worker killed mid-load loses nothing committed (PostgreSQL),
and a logout reaches every worker.

The server runs for real on a free loopback port, recording the API's answers
(`--record-api`); a few threads send cases for a bounded time while one worker gets SIGKILL.
Every answer reported as recorded must be in the trail, the ids gap-free, and the chain intact.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

FOLLOWUP = str(Path(sys.executable).with_name("followup"))
BODY = json.dumps({"interview_date": "2026-11-20", "timeline_given": False}).encode()
HEADERS = {"Content-Type": "application/json"}
CLIENTS = 4


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def _workers(pid: int) -> list[int]:
    """The server's worker processes (not multiprocessing's resource tracker)."""
    return [
        child
        for child in _children(pid)
        if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def _post(port: int) -> str | None:
    """The record id of one recorded answer, or None when the request failed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", "/api/advice", BODY, HEADERS)
        response = connection.getresponse()
        response.read()
        return response.getheader("X-Followup-Record") if response.status == 200 else None
    except OSError:
        return None
    finally:
        connection.close()


def _stop(server: subprocess.Popen[bytes]) -> None:
    """End the server and its workers, at once if they do not stop within 10 seconds."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.communicate()


def _wait_until_answering(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        if _post(port):
            return
        time.sleep(0.2)
    raise AssertionError("the server did not answer within 30 seconds")


def test_a_killed_worker_loses_nothing_committed(pg_url: str) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [FOLLOWUP, "serve", "--workers", "2", "--port", str(port), "--record-api"]
        + ["--today", "2026-11-26", "--audit-db", pg_url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )
    recorded: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client() -> None:
        mine: list[int] = []
        deadline = time.monotonic() + 15
        while not stop.is_set() and time.monotonic() < deadline:
            record = _post(port)
            if record:
                mine.append(int(record))
        with lock:
            recorded.extend(mine)

    try:
        _wait_until_answering(port, server)
        workers = _workers(server.pid)
        assert len(workers) == 2, workers
        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        os.kill(workers[0], signal.SIGKILL)
        time.sleep(1.5)
        stop.set()
        for thread in threads:
            thread.join(timeout=20)
    finally:
        _stop(server)
    assert len(recorded) > 10, "too few answers were recorded to tell anything"
    with psycopg.connect(pg_url, autocommit=True) as db:
        ids = [row[0] for row in db.execute("SELECT id FROM records ORDER BY id").fetchall()]
    # The warm-up's answer is recorded too; every answer reported as recorded is there.
    assert set(recorded) <= set(ids)
    assert len(ids) >= len(recorded) + 1
    assert ids == list(range(1, len(ids) + 1))
    verify = subprocess.run(
        [FOLLOWUP, "audit", "verify", "--audit-db", pg_url], capture_output=True, text=True
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


def _get(port: int, path: str, cookies: dict[str, str]) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    connection.request("GET", path, headers={"Cookie": header} if header else {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            pair = value.split(";")[0]
            key, _, cookie = pair.partition("=")
            found[key] = cookie.strip('"')
    return found


def test_a_logout_ends_the_session_in_every_worker(audit_db: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [FOLLOWUP, "serve", "--workers", "2", "--port", str(port), "--today", "2026-11-26"]
        + ["--audit-db", str(audit_db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        server.stdout.readline()
        token = server.stdout.readline().decode().split("token=")[1].strip()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                cookies = _cookies(_get(port, "/", {}))
                break
            except OSError:
                time.sleep(0.2)
        cookies.update(_cookies(_get(port, f"/login?token={token}", cookies)))
        # Fresh connections reach either worker: each accepts the session.
        assert {_get(port, "/audit", cookies).status for _ in range(20)} == {200}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        header = "; ".join(f"{name}={value}" for name, value in cookies.items())
        connection.request(
            "POST",
            "/logout",
            body=f"csrf_token={cookies['followup_csrf']}",
            headers={"Cookie": header, "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert connection.getresponse().status == 303
        connection.close()
        # The same cookie, as a thief would send it, is refused by every worker.
        assert {_get(port, "/audit", cookies).status for _ in range(20)} == {303}
    finally:
        _stop(server)
