"""The advice lives in YAML: edits there change the answers with no Python change."""

from __future__ import annotations

import json
from pathlib import Path

from engine import load_rule_base

from .conftest import RULES, TODAY, RunCli, edit


def advise_json(run_cli: RunCli, rules: Path, *sets: str) -> dict[str, object]:
    args = ["advise", "--rules", str(rules), "--today", TODAY, "--format", "json"]
    for item in sets:
        args += ["--set", item]
    result = run_cli(*args)
    assert result.exit_code == 0, result.stderr
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def test_two_weeks_becomes_ten_days(run_cli: RunCli, rules_copy: Path) -> None:
    facts = ("interview_date=2026-11-16",)
    before = advise_json(run_cli, RULES, *facts)
    assert (before["action"], before["follow_up_on"]) == ("wait", "2026-11-30")
    edit(rules_copy / "advice.yaml", "        plus_days: 14", "        plus_days: 10")
    after = advise_json(run_cli, rules_copy, *facts)
    assert (after["action"], after["follow_up_on"]) == ("follow_up_now", TODAY)
    assert after["rule_base"] != before["rule_base"]


def test_reworded_reason_and_headline(run_cli: RunCli, rules_copy: Path) -> None:
    edit(
        rules_copy / "messages.yaml",
        "headline: Move on — no more follow-ups for this role",
        "headline: Let this one go, {candidate_name}",
    )
    edit(
        rules_copy / "advice.yaml",
        "You have followed up {followups_sent} times without a reply",
        "{followups_sent} messages and no answer",
    )
    answer = advise_json(
        run_cli,
        rules_copy,
        "interview_date=2026-10-01",
        "followups_sent=3",
        "last_followup_date=2026-11-01",
        "candidate_name=Sam",
    )
    assert answer["headline"] == "Let this one go, Sam"
    reasons = answer["reasons"]
    assert isinstance(reasons, list) and reasons[0].startswith("3 messages and no answer")


def test_weekend_days_come_from_the_calendar(run_cli: RunCli, rules_copy: Path) -> None:
    # Interview Monday 16 November: two weeks later is Monday 30 November.
    edit(rules_copy / "advice.yaml", "weekend: [saturday, sunday]", "weekend: [monday]")
    answer = advise_json(run_cli, rules_copy, "interview_date=2026-11-16")
    assert answer["follow_up_on"] == "2026-12-01"


def test_version_is_the_content_hash(rules_copy: Path) -> None:
    original = load_rule_base(rules_copy).version
    assert load_rule_base(RULES).version == original
    edit(rules_copy / "messages.yaml", "Keep it short", "Keep it brief")
    assert load_rule_base(rules_copy).version != original
