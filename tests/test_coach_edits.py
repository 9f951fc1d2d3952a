"""Edits a coach makes by hand: word-processor quotes, yes/no words, and readable errors."""

from __future__ import annotations

from pathlib import Path

from .conftest import RunCli, edit


def test_curly_quotes_around_a_value_read_as_plain_quotes(
    run_cli: RunCli, rules_copy: Path
) -> None:
    edit(rules_copy / "advice.yaml", "      - culture: proactive", "      - culture: “proactive”")
    result = run_cli("rules", "check", str(rules_copy))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("ok: ")


def test_a_misspelt_value_in_curly_quotes_is_named_without_them(
    run_cli: RunCli, rules_copy: Path
) -> None:
    edit(rules_copy / "advice.yaml", "      - culture: proactive", "      - culture: ‘formal’")
    result = run_cli("rules", "check", str(rules_copy))
    assert result.exit_code == 1
    assert "`formal` is not a value of `culture`" in result.stdout
    assert "‘" not in result.stdout


def test_yes_and_no_in_a_rule_condition_mean_true_and_false(
    run_cli: RunCli, rules_copy: Path
) -> None:
    edit(
        rules_copy / "advice.yaml",
        "          - competing_offer: true",
        "          - competing_offer: yes",
    )
    edit(
        rules_copy / "advice.yaml",
        "      - timeline_given: false\n      - culture: proactive",
        "      - timeline_given: No\n      - culture: proactive",
    )
    result = run_cli("rules", "check", str(rules_copy))
    assert result.exit_code == 0, result.stdout
    advised = run_cli(
        "advise",
        "--rules",
        str(rules_copy),
        "--today",
        "2026-11-26",
        "--no-audit",
        "--set",
        "interview_date=2026-11-20",
        "--set",
        "competing_offer=yes",
    )
    assert advised.exit_code == 0, advised.stderr
    assert "follow_up_now" in advised.stdout or "Follow up now" in advised.stdout


def test_a_schema_error_never_shows_a_python_structure(run_cli: RunCli, rules_copy: Path) -> None:
    edit(rules_copy / "advice.yaml", "        plus_days: 7", "        plus_days: seven")
    result = run_cli("rules", "check", str(rules_copy))
    assert result.exit_code == 1
    assert "{'" not in result.stdout
    assert "is not valid under any of the given schemas" not in result.stdout
    assert "`plus_days` takes a whole number of days, not `seven`" in result.stdout
