"""The calendar's keys in the rule files: each mistake found at its place, as docs/rules.md says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import ROOT, RunCli, edit

CATALOGUE = (ROOT / "docs" / "rules.md").read_text().split("## What the checker says")[1]
DOCUMENTED = [m[1] for m in re.findall(r"^\| (`+) ?(.+?) ?\1 \|", CATALOGUE, re.MULTILINE)]
PLACEHOLDER = re.compile(r"\b(?:[A-Z]{2,}|N)\b")

# (documented message, file, text to replace, replacement, text on the line pointed at)
BROKEN = [
    (
        "`KEY` is for yes/no facts, but `NAME` is a TYPE",
        "facts.yaml",
        "    type: yes_no\n    day_off_of: today",
        "    type: whole_number\n    day_off_of: today",
        "day_off_of: today",
    ),
    (
        "`NAME` is not a given fact",
        "facts.yaml",
        "    implied_by: decision_date",
        "    implied_by: decision_day",
        "implied_by: decision_day",
    ),
    (
        "`NAME` is not a given date fact",
        "facts.yaml",
        "    day_off_of: today",
        "    day_off_of: followups_sent",
        "day_off_of: followups_sent",
    ),
    (
        "`CODE` is not a country code the holidays package knows",
        "advice.yaml",
        "  # country: US",
        "  country: XZ",
        "country: XZ",
    ),
]


def matches(template: str, line: str) -> bool:
    """Whether a printed line is the documented message, its capitals standing for names."""
    parts = PLACEHOLDER.sub("\0", template).split("\0")
    return re.search(".+?".join(re.escape(part) for part in parts), line) is not None


@pytest.mark.parametrize(("template", "file", "old", "new", "line_text"), BROKEN)
def test_each_calendar_mistake_at_its_place(
    run_cli: RunCli, rules_copy: Path, template: str, file: str, old: str, new: str, line_text: str
) -> None:
    assert template in DOCUMENTED, "every message the checker gives is in docs/rules.md"
    path = rules_copy / file
    edit(path, old, new)
    result = run_cli("rules", "check", str(rules_copy))
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert matches(template, first), first
    line = int(first.split(":")[1])
    text = path.read_text()
    assert line_text.split("\n")[-1] in text.splitlines()[line - 1]
