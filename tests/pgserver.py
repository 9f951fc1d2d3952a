"""A throwaway PostgreSQL server for the tests: initdb and pg_ctl into a temporary folder.

The server listens on a free port on 127.0.0.1 (its socket in the folder too), trusts local
connections, and is stopped and removed afterwards. initdb refuses to run as root, so under
root (as in CI) the server runs as the unprivileged `nobody`, owning only its folder.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = (
    "PostgreSQL server tests skipped: initdb and pg_ctl were not found; "
    "install PostgreSQL (Debian: apt-get install postgresql) to run them"
)
SUPERUSER = "followup_admin"


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, else Debian's versioned folder."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(versions[0]).parent if versions else None


@dataclass(frozen=True)
class Server:
    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_server_user() -> dict[str, int]:
    """subprocess arguments that drop root to `nobody` (nothing when not root)."""
    if os.geteuid() != 0:
        return {}
    nobody = pwd.getpwnam("nobody")
    return {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}


@contextmanager
def running_server(binaries: Path, *, durable: bool = False) -> Iterator[Server]:
    """A server for the duration; `durable` keeps fsync on (for measuring, not testing)."""
    drop = _as_server_user()
    # Under root, TMPDIR may lie inside a folder `nobody` cannot enter; /tmp it can.
    base = "/tmp" if drop and os.path.isdir("/tmp") else None
    folder = Path(tempfile.mkdtemp(prefix="followup-pg-", dir=base))
    if drop:
        os.chown(folder, drop["user"], drop["group"])
    server = Server(folder, _free_port())
    env = {**os.environ, "LC_ALL": "C", "TZ": "UTC"}

    def run(*args: str) -> None:
        done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=folder, **drop)
        if done.returncode != 0:
            log = folder / "server.log"
            said = done.stderr + (log.read_text() if log.exists() else "")
            raise RuntimeError(f"{Path(args[0]).name} failed for the test server:\n{said}")

    try:
        run(
            str(binaries / "initdb"),
            "-D",
            str(server.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = f"-c listen_addresses=127.0.0.1 -p {server.port} -k {folder}"
        if not durable:
            # A test server's data is thrown away: no need to wait for the disk.
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        run(
            str(binaries / "pg_ctl"),
            "-D",
            str(server.data),
            "-o",
            options,
            "-l",
            str(folder / "server.log"),
            "-w",
            "-t",
            "30",
            "start",
        )
        yield server
    finally:
        if (server.data / "postmaster.pid").exists():
            run(str(binaries / "pg_ctl"), "-D", str(server.data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)
