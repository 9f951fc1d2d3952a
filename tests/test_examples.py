"""The examples get the answers the README shows, and the README keeps its promises."""

from __future__ import annotations

import json
import re

import pytest

from .conftest import EXAMPLES, ROOT, TODAY, RunCli

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
