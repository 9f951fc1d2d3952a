"""Shared fixtures: the shipped rule base, a CLI runner, and copies of the rules to break."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from engine import Advisor, RuleBase, load_rule_base
from engine.loader import RULES_ENV
from followup.cli import main

ROOT = Path(__file__).resolve().parent.parent
# The machinery is tested on a frozen rule base of the tests' own, so that a coach's edit to
# rules/ fails only the conformance tests (tests/test_conformance.py), which say what changed.
RULES = ROOT / "tests" / "rulebase"
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
def default_rules(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The rules a command uses when none is named: the shipped ones for conformance tests,
    the frozen test rule base for every other test."""
    folder = SHIPPED if request.node.get_closest_marker("conformance") else RULES
    monkeypatch.setenv(RULES_ENV, str(folder))
    return folder
