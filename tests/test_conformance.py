"""Conformance: the shipped advice against the spec's reference, its own scenarios, the README
and the examples.

These are the only tests a coach's edit to rules/ can fail (the others run on the frozen rule
base under tests/rulebase/), and each failure says in words what now differs. They read the
shipped rules, or the folder $FOLLOWUP_RULES names.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from engine.analysis import analyse
from engine.loader import inspect_rule_base

from .conftest import EXAMPLES, ROOT, SHIPPED, TODAY, RunCli

pytestmark = pytest.mark.conformance

README = (ROOT / "README.md").read_text()
VERSION_LINE = re.compile(r"^Rule base [0-9a-f]{12}$", re.MULTILINE)


def same_text(shown: str, printed: str) -> bool:
    """Equal but for the rule-base version line, which changes with every rule edit."""
    return VERSION_LINE.sub("Rule base …", shown) == VERSION_LINE.sub("Rule base …", printed)


TABLE_ROW = re.compile(r"^\| `(examples/[\w-]+\.yaml)` \| (.+?) \|$", re.MULTILINE)
SHOWN = dict(TABLE_ROW.findall(README))


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()[1:] if line]
    assert commands == ["make run", "make test"]


def test_every_example_is_in_the_readme() -> None:
    files = {f"examples/{path.name}" for path in EXAMPLES.glob("*.yaml")}
    assert len(files) >= 8
    assert set(SHOWN) == files


@pytest.mark.parametrize("example", sorted(SHOWN))
def test_example_answer_matches_the_readme(run_cli: RunCli, example: str) -> None:
    result = run_cli("advise", str(ROOT / example), "--today", TODAY, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["headline"] == SHOWN[example]


def test_readme_transcript_is_real_output(run_cli: RunCli) -> None:
    command = "$ followup advise examples/timeline.yaml --today 2026-11-26\n"
    shown = README.split(command)[1].split("```")[0]
    result = run_cli("advise", str(EXAMPLES / "timeline.yaml"), "--today", TODAY)
    assert same_text(shown, result.stdout[: len(shown)])


def test_readme_consultation_transcript_is_real(run_cli: RunCli) -> None:
    command = (
        "$ printf '10 days ago\\nno\\nno\\n0\\nno\\nwhy\\nunsure\\nUS\\ndone\\n' | followup ask"
    )
    shown = README.split(command + " --today 2026-11-26\n")[1].split("```")[0]
    answers = "10 days ago\nno\nno\n0\nno\nwhy\nunsure\nUS\ndone\n"
    result = run_cli("ask", "--today", TODAY, input=answers)
    assert same_text(shown.rstrip(), result.stdout.rstrip())


# The spec's decisions (../shared/spec/ADVICE.md), one case each, on Thursday 26 November 2026.
# (facts, action, follow_up_on)
REFERENCE: list[tuple[dict[str, object], str, str | None]] = [
    ({"interview_date": "2026-11-20", "competing_offer": True}, "follow_up_now", "2026-11-26"),
    ({"interview_date": "2026-11-20", "has_update": True}, "follow_up_now", "2026-11-26"),
    (
        {"interview_date": "2026-10-01", "followups_sent": 2, "last_followup_date": "2026-11-01"},
        "move_on",
        None,
    ),
    (
        {"interview_date": "2026-11-01", "followups_sent": 1, "last_followup_date": "2026-11-20"},
        "wait",
        "2026-11-27",
    ),
    (
        {"interview_date": "2026-11-01", "followups_sent": 1, "last_followup_date": "2026-11-16"},
        "send_reminder",
        "2026-11-26",
    ),
    (
        {"interview_date": "2026-11-20", "timeline_given": True, "decision_date": "2026-11-30"},
        "wait",
        "2026-12-01",
    ),
    ({"interview_date": "2026-11-20", "culture": "proactive"}, "wait", "2026-11-27"),
    ({"interview_date": "2026-11-20", "culture": "unsure"}, "wait", "2026-12-04"),
    ({"interview_date": "2026-11-20", "culture": "laid_back"}, "wait", "2026-12-04"),
    ({"interview_date": "2026-11-12", "culture": "unsure"}, "follow_up_now", "2026-11-26"),
]


@pytest.mark.parametrize(("facts", "action", "day"), REFERENCE, ids=[str(c[0]) for c in REFERENCE])
def test_shipped_rules_decide_as_the_spec_says(
    run_cli: RunCli, tmp_path: Path, facts: dict[str, object], action: str, day: str | None
) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps(facts))
    result = run_cli("advise", str(case), "--today", TODAY, "--format", "json", "--no-audit")
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert (answer["action"], answer["follow_up_on"]) == (action, day), (
        f"the spec decides {action} on {day} for {facts}; the rules in {SHIPPED} give "
        f"{answer['action']} on {answer['follow_up_on']}"
    )


def test_shipped_scenarios_pass(run_cli: RunCli) -> None:
    result = run_cli("rules", "test", str(SHIPPED))
    failures = "\n".join(line for line in result.stdout.splitlines() if not line.startswith("PASS"))
    assert result.exit_code == 0, (
        f"scenarios in {SHIPPED / 'tests'} now expect otherwise:\n{failures}"
    )


def test_shipped_rules_check_clean(run_cli: RunCli) -> None:
    result = run_cli("rules", "check", str(SHIPPED))
    assert result.exit_code == 0, result.stdout
    assert "no gaps, no conflicts, every rule can fire" in result.stdout
    assert "warning" not in result.stdout


def test_the_checker_takes_under_a_second_on_the_shipped_rules() -> None:
    start = time.perf_counter()
    inspection = inspect_rule_base(SHIPPED)
    assert inspection.rule_base is not None
    assert analyse(inspection.rule_base, inspection.documents["advice"].where(("decides",))) == []
    assert time.perf_counter() - start < 1
