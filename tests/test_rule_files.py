"""Mistakes in rule files: each names file, line and column, in plain words."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import RuleFileError, load_rule_base

from .conftest import RunCli, edit, line_of

BROKEN = [
    # (name, file, old text, new text, text on the line pointed at, message, suggestion)
    (
        "unknown fact in a condition",
        "advice.yaml",
        "      - followups_sent: 0\n      - timeline_given: true",
        "      - followups_sent: 0\n      - timeline_givn: true",
        "timeline_givn",
        "unknown fact `timeline_givn`",
        "did you mean `timeline_given`?",
    ),
    (
        "unknown key in a rule",
        "advice.yaml",
        "    reason: It is too early",
        "    reasn: It is too early",
        "reasn: It is too early",
        "unknown key `reasn`",
        "did you mean `reason`?",
    ),
    (
        "a date test on a number",
        "advice.yaml",
        "      - followups_sent:\n          at_least: 2",
        "      - followups_sent:\n          after: 2",
        "after: 2",
        "`after` compares dates, but `followups_sent` is a whole number",
        "use at_least / at_most for numbers",
    ),
    (
        "a number test on a date",
        "advice.yaml",
        "      - reminder_day:\n          after: today",
        "      - reminder_day:\n          at_least: today",
        "at_least: today",
        "`at_least` compares numbers, but `reminder_day` is a date",
        "use before / after / on_or_before / on_or_after for dates",
    ),
    (
        "unknown test",
        "advice.yaml",
        "      - culture: unsure",
        "      - culture:\n          oneof: [laid_back, unsure]",
        "oneof:",
        "unknown test `oneof`",
        "did you mean `one_of`?",
    ),
    (
        "a value outside the domain",
        "advice.yaml",
        "      - culture: proactive",
        "      - culture: pro_active",
        "culture: pro_active",
        "`pro_active` is not a value of `culture`",
        "did you mean",
    ),
    (
        "duplicate rule id",
        "advice.yaml",
        "  - id: reminder_is_due",
        "  - id: reach_out_sooner  # again",
        "reach_out_sooner  # again",
        "the rule id `reach_out_sooner` is used twice",
        None,
    ),
    (
        "unknown placeholder in a reason",
        "advice.yaml",
        "({reminder_day}) is fine",
        "({remind_day}) is fine",
        "({remind_day}) is fine",
        "unknown fact `{remind_day}` in this text",
        "did you mean `reminder_day`?",
    ),
    (
        "concluding a given fact",
        "advice.yaml",
        "      follow_up_on: null",
        "      followups_sent: null",
        "followups_sent: null",
        "a rule can only conclude derived facts",
        None,
    ),
    (
        "unknown message template",
        "advice.yaml",
        "      message: gentle_reminder",
        "      message: gentle_remindr",
        "message: gentle_remindr",
        "no message template named `gentle_remindr`",
        "did you mean `gentle_reminder`?",
    ),
    (
        "YAML syntax",
        "advice.yaml",
        "    priority: 90",
        "    priority: [90",
        "",
        "not valid YAML or JSON",
        None,
    ),
    (
        "wrong type of value",
        "advice.yaml",
        "    priority: 90",
        "    priority: high",
        "priority: high",
        "expected a whole number here, not `high`",
        None,
    ),
    (
        "unknown fact type",
        "facts.yaml",
        "    type: yes_no\n    default: false\n    question: Did the",
        "    type: boolean\n    default: false\n    question: Did the",
        "type: boolean",
        "`boolean` is not allowed here",
        None,
    ),
    (
        "check against an unknown fact",
        "facts.yaml",
        "      - not_after: today\n\n  timeline_given",
        "      - not_after: todya\n\n  timeline_given",
        "not_after: todya",
        "`todya` is not a given date fact",
        "did you mean `today`?",
    ),
    (
        "headline for an unknown action",
        "messages.yaml",
        "  move_on:\n    headline:",
        "  moveon:\n    headline:",
        "moveon:",
        "`moveon` is not a value of `action`",
        "did you mean `move_on`?",
    ),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "pointed", "message", "suggestion"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_broken_rule_file(
    rules_copy: Path,
    file: str,
    old: str,
    new: str,
    pointed: str,
    message: str,
    suggestion: str | None,
) -> None:
    path = rules_copy / file
    edit(path, old, new)
    with pytest.raises(RuleFileError) as caught:
        load_rule_base(rules_copy)
    error = caught.value
    assert error.location is not None
    assert error.location.file == str(path)
    if pointed:
        assert error.location.line == line_of(path, pointed)
        assert pointed.split(":")[0].strip("- ") in error.location.line_text
    assert message in error.message
    if suggestion:
        assert error.suggestion is not None and suggestion in error.suggestion


def test_column_points_at_the_offending_word(rules_copy: Path) -> None:
    path = rules_copy / "advice.yaml"
    edit(path, "      - culture: proactive", "      - culture: pro_active")
    with pytest.raises(RuleFileError) as caught:
        load_rule_base(rules_copy)
    location = caught.value.location
    assert location is not None
    assert (location.line, location.column) == (line_of(path, "pro_active"), 18)
    assert caught.value.detailed().endswith("      - culture: pro_active\n                   ^")


def test_cli_reports_a_broken_rule_base_with_its_line(run_cli: RunCli, rules_copy: Path) -> None:
    path = rules_copy / "advice.yaml"
    edit(path, "      - culture: proactive", "      - cultur: proactive")
    result = run_cli("advise", "--rules", str(rules_copy), "--set", "interview_date=2026-11-01")
    assert result.exit_code == 2
    line = line_of(path, "cultur: proactive")
    assert result.stderr == (
        f"error: {path}:{line}:9: unknown fact `cultur` (did you mean `culture`?)\n"
        "        - cultur: proactive\n"
        "          ^\n"
    )


def test_missing_rule_file(rules_copy: Path) -> None:
    (rules_copy / "messages.yaml").unlink()
    with pytest.raises(RuleFileError, match="has no messages.yaml"):
        load_rule_base(rules_copy)


def test_yes_and_no_stay_words_in_rule_files(rules_copy: Path) -> None:
    # YAML 1.1 would read `no` as false; here it is text, so `culture: no` is out of domain.
    edit(rules_copy / "advice.yaml", "      - culture: proactive", "      - culture: no")
    with pytest.raises(RuleFileError, match="`no` is not a value of `culture`"):
        load_rule_base(rules_copy)


def test_a_value_spanning_lines_is_quoted_on_one_line(run_cli: RunCli, rules_copy: Path) -> None:
    # The schema error quotes the value; a line break in it must not break the error's line.
    edit(rules_copy / "facts.yaml", "    type: date\n", '    type: "da\\nte"\n')
    result = run_cli("advise", "--rules", str(rules_copy), "--set", "interview_date=2026-11-20")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 3, lines  # the error, the offending line, the caret under it
    assert "`da\\x0ate` is not allowed here" in lines[0]


def test_a_control_character_quoted_in_an_error_is_shown_escaped(
    run_cli: RunCli, rules_copy: Path
) -> None:
    # A tab inside braces: the error quotes it, and must show it rather than send it raw.
    edit(
        rules_copy / "advice.yaml",
        "    reason: The week since your last follow-up has passed, so the reminder is due now.",
        '    reason: "The week has passed {plus\\tdays}."',
    )
    result = run_cli("rules", "check", str(rules_copy))
    problem = next(line for line in result.stdout.splitlines() if "cannot stand in braces" in line)
    assert "`plus\\x09days` cannot stand in braces" in problem
    assert "\t" not in result.stdout


def test_the_line_shown_under_an_error_shows_its_control_characters(
    run_cli: RunCli, rules_copy: Path
) -> None:
    # An unknown fact in braces with a tab after it: the excerpt under the error quotes the
    # whole line, and must show the tab as an escape, not send it raw.
    edit(
        rules_copy / "advice.yaml",
        "    reason: The week since your last follow-up has passed, so the reminder is due now.",
        '    reason: "The week has passed {reminder_dae\t} now."',  # a real tab in the file
    )
    result = run_cli("advise", "--rules", str(rules_copy), "--set", "interview_date=2026-11-20")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 3, lines
    assert "unknown fact `{reminder_dae}`" in lines[0]
    assert "{reminder_dae\\x09}" in lines[1] and "\t" not in result.stderr
