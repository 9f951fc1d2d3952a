"""Start-up: `advise` loads no library it does not use, and skips a schema check done before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from engine import load_rule_base
from engine.cache import cache_root
from engine.loader import inspect_rule_base
from engine.proof import cached_proof
from engine.proof_cache import remember
from engine.schema import VALIDATED

from .conftest import EXAMPLES, edit

# Libraries other commands, options and text output need, never `advise ... --format json`.
HEAVY = (
    "questionary",
    "prompt_toolkit",
    "fastapi",
    "uvicorn",
    "starlette",
    "psycopg",
    "holidays",
    "icalendar",
    "dateutil",
    "networkx",
    "pygraphviz",
    "playwright",
    "rich",
)

WRAPPER = """
import atexit, json, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
from followup.cli import main
main()
"""


def _advise_modules(tmp_path: Path, *args: str) -> set[str]:
    """The top-level packages `advise` loads."""
    return {name.split(".")[0] for name in _loaded(tmp_path, *args)}


def _loaded(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> set[str]:
    """Every module `advise` loads, by its full name."""
    out = tmp_path / "modules.json"
    command = [sys.executable, "-c", WRAPPER, str(out), "advise"]
    command += [str(EXAMPLES / "timeline.yaml"), "--today", "2026-11-26", "--format", "json"]
    result = subprocess.run(
        [*command, "--no-audit", *args], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["action"]
    return set(json.loads(out.read_text()))


def test_advise_loads_no_heavy_library(tmp_path: Path) -> None:
    first = _advise_modules(tmp_path)
    assert not first & set(HEAVY)
    # The first run checked the rule files against their schemas; the next needs no jsonschema.
    assert "jsonschema" in first
    second = _advise_modules(tmp_path)
    assert not second & {*HEAVY, "jsonschema"}


def test_advise_without_an_audit_database_named_loads_no_audit_trail(tmp_path: Path) -> None:
    environment = dict(os.environ)
    environment.pop("FOLLOWUP_AUDIT_DB", None)
    loaded = _loaded(tmp_path, env=environment)
    assert not {"followup.backend", "followup.chain", "followup.audit", "sqlite3"} & loaded


def test_kept_proof_loads_no_durable_rules(tmp_path: Path) -> None:
    # Without a kept proof, `auto` runs the case on durable_rules, which must load then.
    assert {"durable", "durable_rules_engine"} <= _advise_modules(tmp_path)
    rule_base = load_rule_base()
    proof = cached_proof(rule_base)
    assert proof.proven
    remember(rule_base, proof)  # in this test's cache folder, even if known in memory before
    # With the proof kept (as `rules check` or a batch leaves it), neither durable_rules nor
    # the enumeration of cases that proves the engines equal is imported.
    modules = _loaded(tmp_path)
    packages = {name.split(".")[0] for name in modules}
    assert not packages & {*HEAVY, "durable", "durable_rules_engine"}
    assert not modules & {"engine.proof", "engine.session", "engine.tree"}


def test_edited_rule_file_is_checked_again(rules_copy: Path) -> None:
    load_rule_base(rules_copy)
    noted = set((cache_root() / VALIDATED).iterdir())
    assert len(noted) == 3
    load_rule_base(rules_copy)
    assert set((cache_root() / VALIDATED).iterdir()) == noted
    # Any edit is a new sha256: the schema check runs again and finds what is wrong.
    edit(rules_copy / "advice.yaml", "rules:", "rulez:")
    problems = inspect_rule_base(rules_copy).problems
    assert problems, "an edited rule file must be checked again"


def test_unusable_cache_is_no_error(rules_copy: Path) -> None:
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    # A file where the folder of checks should be: nothing can be noted, nothing fails.
    (root / VALIDATED).write_text("damaged")
    assert load_rule_base(rules_copy).version
    assert load_rule_base(rules_copy).version
