"""Shared fixtures: the shipped rule base, a CLI runner, and copies of the rules to break."""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner, Result

from engine import Advisor, RuleBase, load_rule_base
from engine.loader import RULES_ENV
from followup.cli import main

from .pgserver import INSTALL_HINT, Server, find_binaries, running_server

ROOT = Path(__file__).resolve().parent.parent
# The machinery is tested on a frozen rule base of the tests' own, so that a coach's edit to
# rules/ fails only the conformance tests (tests/test_conformance.py), which say what changed.
RULES = ROOT / "tests" / "rulebase"
# A small made-up rule base (asking a library about a reserved book) for the engine's machinery.
TINY = ROOT / "tests" / "tiny"
# The advice as shipped, which the conformance tests hold to the spec, the README and the
# examples; $FOLLOWUP_RULES names another (an edited copy) for them.
SHIPPED = Path(os.environ.get(RULES_ENV) or ROOT / "rules")
EXAMPLES = ROOT / "examples"
TODAY = "2026-11-26"


@pytest.fixture(scope="session")
def rule_base() -> RuleBase:
    return load_rule_base(RULES)


@pytest.fixture(scope="session")
def advisor(rule_base: RuleBase) -> Advisor:
    return Advisor(rule_base)


@pytest.fixture(scope="session")
def tiny_rule_base() -> RuleBase:
    return load_rule_base(TINY)


@pytest.fixture
def tiny_copy(tmp_path: Path) -> Path:
    """A private copy of the made-up rule base, to edit or break."""
    target = tmp_path / "tiny"
    shutil.copytree(TINY, target)
    return target


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli() -> RunCli:
    """Run `followup ARGS...` in-process and return the result (stdout and stderr apart)."""

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)

    return run


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped rule base, to edit or break."""
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of a file's text (it must be there)."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, needle: str) -> int:
    """The 1-based number of the first line of `path` containing `needle`."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture(autouse=True)
def audit_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test records into its own audit database, never the user's."""
    path = tmp_path / "audit.sqlite3"
    monkeypatch.setenv("FOLLOWUP_AUDIT_DB", str(path))
    return path


@pytest.fixture(autouse=True)
def user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test keeps its remembered settings (the country) in its own file, never the user's."""
    path = tmp_path / "config" / "followup.yaml"
    monkeypatch.setenv("FOLLOWUP_CONFIG", str(path))
    return path


@pytest.fixture(autouse=True)
def proof_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test keeps its cache (the engines' proofs, rule bases built and checked) in its
    own folder, never the user's: beside tmp_path, so that tests listing tmp_path see no cache."""
    path = tmp_path_factory.mktemp("cache") / "cache"
    monkeypatch.setenv("FOLLOWUP_CACHE_DIR", str(path))
    return path


# -- the same audit tests on both stores ------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    """One throwaway PostgreSQL server for the whole run (skipped, saying what to install,
    where PostgreSQL is missing; CI installs it, so there a missing server fails)."""
    binaries = find_binaries()
    if binaries is None:
        if os.environ.get("CI"):
            pytest.fail(INSTALL_HINT.replace("skipped", "cannot run in CI"))
        pytest.skip(INSTALL_HINT)
    with running_server(binaries) as server:
        yield server


@pytest.fixture(scope="session")
def pg_database(pg_server: Server) -> str:
    """One database for all the trails: each test gets a schema of its own in it (a schema
    is made in a millisecond, a database in a tenth of a second or more)."""
    with psycopg.connect(pg_server.url(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE trails")
    return pg_server.url("trails")


@pytest.fixture
def pg_url(pg_database: str) -> Iterator[str]:
    """The address of a fresh, empty trail (a schema of its own), dropped afterwards."""
    name = f"trail_{next(_schemas)}"
    with psycopg.connect(pg_database, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {name}")
    yield f"{pg_database}?options=-csearch_path%3D{name}"
    with psycopg.connect(pg_database, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA {name} CASCADE")


_schemas = itertools.count(1)


@dataclass
class Trail:
    """An audit trail in one of the stores, and a way to edit it behind followup's back."""

    kind: str
    place: str

    def sql(self, statement: str, *parameters: object) -> None:
        if self.kind == "sqlite":
            with contextlib.closing(sqlite3.connect(self.place)) as db, db:
                db.execute(statement, parameters)
        else:
            with psycopg.connect(self.place, autocommit=True) as db:
                db.execute(statement.replace("?", "%s"), parameters)  # type: ignore[arg-type]

    def query(self, statement: str) -> list[tuple[object, ...]]:
        if self.kind == "sqlite":
            with contextlib.closing(sqlite3.connect(self.place)) as db:
                return db.execute(statement).fetchall()
        with psycopg.connect(self.place, autocommit=True) as pg:
            return pg.execute(statement).fetchall()  # type: ignore[arg-type]

    def count(self) -> int:
        """How many records the store holds, read directly (0 while it has none)."""
        try:
            if self.kind == "sqlite":
                # Read-only: polling must not create the file before followup does.
                read_only = sqlite3.connect(f"file:{self.place}?mode=ro", uri=True)
                with contextlib.closing(read_only) as db:
                    return int(db.execute("SELECT count(*) FROM records").fetchone()[0])
            with psycopg.connect(self.place, autocommit=True) as pg:
                found = pg.execute("SELECT count(*) FROM records").fetchone()
                return int(found[0]) if found else 0
        except (sqlite3.Error, psycopg.Error):
            return 0


@pytest.fixture(params=["sqlite", "postgresql"])
def trail(request: pytest.FixtureRequest, audit_db: Path, monkeypatch: pytest.MonkeyPatch) -> Trail:
    """The test's audit trail, in SQLite and then in PostgreSQL (FOLLOWUP_AUDIT_DB names it)."""
    place = str(audit_db) if request.param == "sqlite" else request.getfixturevalue("pg_url")
    monkeypatch.setenv("FOLLOWUP_AUDIT_DB", place)
    return Trail(request.param, place)


@pytest.fixture(autouse=True)
def default_rules(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The rules a command uses when none is named: the shipped ones for conformance tests,
    the frozen test rule base for every other test."""
    folder = SHIPPED if request.node.get_closest_marker("conformance") else RULES
    monkeypatch.setenv(RULES_ENV, str(folder))
    return folder
