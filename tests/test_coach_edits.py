"""Edits a coach makes by hand: word-processor quotes, yes/no words, and readable errors."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, RULES, RunCli, edit, line_of

# Messages of docs/rules.md that the tests here give (the catalogue test counts them).
COACH_MESSAGES = {
    "rule `ID` can never fire: `OTHER`, of equal priority and listed before it, "
    "always decides first",
    "the reason says `TEXT`, but its rule counts N days",
    "`{NAME}` stands only in the reason of a rule that counts days",
    "asks: expected FACTS; got OTHER",
    "a `{` without its `}`: close it, as in {company}, or double it to show a brace",
    "says: `WORDS` is not in the answer or the draft",
}


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


SENIOR_WAIT = """
  - id: wait_longer_when_laid_back
    priority: 70
    when:
      - followups_sent: 0
      - culture: laid_back
      - first_followup_day:
          after: today
    then:
      action: wait
      follow_up_on: first_followup_day
    reason: Wait.
    source: nowhere
"""


def test_a_rule_shadowed_at_equal_priority_names_the_rule_before_it(
    run_cli: RunCli, rules_copy: Path
) -> None:
    path = rules_copy / "advice.yaml"
    path.write_text(path.read_text() + SENIOR_WAIT)
    result = run_cli("rules", "check", str(rules_copy))
    assert result.exit_code == 1
    assert (
        "rule `wait_longer_when_laid_back` can never fire: `first_followup_not_yet_due`, "
        "of equal priority and listed before it, always decides first"
    ) in result.stdout
    assert "rules of higher priority" not in result.stdout


SENIOR_ROLES = (
    "  - id: later_for_senior_roles\n    when:\n      - senior_role: true\n    then:\n"
    "      first_followup_day:\n        date: first_followup_day\n        plus_days: 7\n"
    "    reason: Senior roles take longer to fill, so add {plus_days_in_words}.\n"
    "    source: nowhere\n\n"
)
SENIOR_FACT = (
    "  senior_role:\n    type: yes_no\n    default: false\n    question: Is it senior?\n\n"
)


def test_a_rule_adding_a_week_to_another_rules_day_is_not_circular(
    run_cli: RunCli, rules_copy: Path, tmp_path: Path
) -> None:
    edit(rules_copy / "facts.yaml", "  followups_sent:\n", SENIOR_FACT + "  followups_sent:\n")
    edit(
        rules_copy / "advice.yaml",
        "  - id: first_followup_is_due\n",
        SENIOR_ROLES + "  - id: first_followup_is_due\n",
    )
    result = run_cli("rules", "check", str(rules_copy))
    assert result.exit_code == 0, result.stdout
    case = tmp_path / "case.yaml"
    case.write_text("interview_date: 2026-11-16\nsenior_role: yes\n")
    answer = run_cli(
        "advise", str(case), "--rules", str(rules_copy), "--today", "2026-11-26", "--no-audit"
    )
    # Two weeks when unsure, and one more for a senior role: 21 days after Monday 16 November.
    assert answer.stdout.startswith("Wait — follow up on Monday 7 December 2026, in 11 days")
    assert "a full two weeks after the interview" in answer.stdout
    assert "Senior roles take longer to fill, so add one week." in answer.stdout


def test_a_circular_rule_is_reported_at_the_rule_that_closes_the_circle(
    run_cli: RunCli, rules_copy: Path
) -> None:
    path = rules_copy / "advice.yaml"
    edit(
        path,
        "  - id: first_followup_is_due\n",
        "  - id: remind_after_the_first_day\n    priority: 75\n    when:\n"
        "      - followups_sent: 0\n    then:\n"
        "      reminder_day:\n        date: first_followup_day\n        plus_days: 7\n"
        "    reason: A week later.\n    source: nowhere\n\n"
        "  - id: first_day_before_the_reminder\n    priority: 75\n    when:\n"
        "      - followups_sent: 0\n    then:\n"
        "      first_followup_day:\n        date: reminder_day\n        plus_days: 1\n"
        "    reason: A day after.\n    source: nowhere\n\n"
        "  - id: first_followup_is_due\n",
    )
    result = run_cli("rules", "check", str(rules_copy))
    cycle = next(line for line in result.stdout.splitlines() if "circular derivation" in line)
    line = line_of(path, "id: first_day_before_the_reminder")
    assert cycle.startswith(f"{path}:{line}:5: "), cycle


def test_one_missing_rule_is_one_gap(run_cli: RunCli, rules_copy: Path) -> None:
    edit(
        rules_copy / "advice.yaml",
        "      - first_followup_day:\n          after: today\n",
        "      - first_followup_day:\n          after: today\n      - culture: proactive\n",
    )
    result = run_cli("rules", "check", str(rules_copy))
    gaps = [line for line in result.stdout.splitlines() if "a gap:" in line]
    assert len(gaps) == 1, result.stdout
    assert "3 kinds of case" in gaps[0]
    assert result.stdout.splitlines()[-1] == f"1 problem in {rules_copy}"


def test_a_brace_error_in_a_message_does_not_lose_the_message(
    run_cli: RunCli, rules_copy: Path
) -> None:
    edit(
        rules_copy / "messages.yaml",
        "message about the {role} role at",
        "message about the {role role at",
    )
    result = run_cli("rules", "check", str(rules_copy))
    assert result.exit_code == 1
    path = rules_copy / "messages.yaml"
    line = line_of(path, "{role role at")
    column = path.read_text().splitlines()[line - 1].index("{role role") + 1
    assert result.stdout.splitlines()[0] == (
        f"{path}:{line}:{column}: a `{{` without its `}}`: close it, as in {{company}}, "
        "or double it to show a brace"
    )
    assert "no message template named" not in result.stdout


def _reasons(run_cli: RunCli, rules: Path, *facts: str) -> list[str]:
    args = [item for fact in facts for item in ("--set", fact)]
    result = run_cli(
        "advise",
        "--rules",
        str(rules),
        "--today",
        "2026-11-26",
        "--no-audit",
        "--format",
        "json",
        *args,
    )
    assert result.exit_code == 0, result.stderr
    reasons: list[str] = json.loads(result.stdout)["reasons"]
    return reasons


UNSURE = ("interview_date=2026-11-20", "culture=unsure")


def test_a_reason_says_its_rules_number_so_a_new_number_changes_the_sentence(
    run_cli: RunCli, rules_copy: Path
) -> None:
    assert any(
        "a full two weeks after the interview" in r for r in _reasons(run_cli, rules_copy, *UNSURE)
    )
    edit(rules_copy / "advice.yaml", "        plus_days: 14", "        plus_days: 10")
    reasons = _reasons(run_cli, rules_copy, *UNSURE)
    assert any("a full ten days after the interview" in r for r in reasons), reasons
    assert not any("two weeks" in r for r in reasons)
    check = run_cli("rules", "check", str(rules_copy))
    assert check.exit_code == 0, check.stdout
    assert "warning" not in check.stdout


def test_plus_days_in_figures_in_a_reason(run_cli: RunCli, rules_copy: Path) -> None:
    edit(
        rules_copy / "advice.yaml",
        "take the\n      conservative end:",
        "take the\n      conservative end ({plus_days} days):",
    )
    reasons = _reasons(run_cli, rules_copy, *UNSURE)
    assert any("conservative end (14 days):" in r for r in reasons), reasons


def test_a_hand_written_duration_that_no_longer_matches_is_warned_about(
    run_cli: RunCli, rules_copy: Path
) -> None:
    path = rules_copy / "advice.yaml"
    edit(path, "({reminder_day}) is fine", "({reminder_day}), a week on, is fine")
    edit(path, "        plus_days: 7", "        plus_days: 5")
    result = run_cli("rules", "check", str(rules_copy))
    assert result.exit_code == 0, result.stdout
    warning = next(line for line in result.stdout.splitlines() if "warning:" in line)
    line = line_of(path, "a week on")
    column = path.read_text().splitlines()[line - 1].index("a week on") + 1
    assert warning == (
        f"{path}:{line}:{column}: warning: the reason says `a week`, but its rule counts 5 days"
        " (write {plus_days_in_words} to say the rule's own number)"
    )


def test_a_rule_number_in_the_reason_of_a_rule_that_counts_none(
    run_cli: RunCli, rules_copy: Path
) -> None:
    path = rules_copy / "advice.yaml"
    edit(path, "so the reminder is due now.", "so the reminder is due now ({plus_days}).")
    result = run_cli("rules", "check", str(rules_copy))
    assert result.exit_code == 1
    assert "`{plus_days}` stands only in the reason of a rule that counts days" in result.stdout


def test_diff_shows_a_reworded_reason_with_old_and_new_text(
    run_cli: RunCli, rules_copy: Path
) -> None:
    edit(
        rules_copy / "advice.yaml",
        "It is too early for the reminder; give them until {reminder_day}.",
        "Not yet; give them until {reminder_day}.",
    )
    result = run_cli("rules", "diff", str(RULES), str(rules_copy), "--cases", "/dev/null")
    assert (
        "rule changed: reminder_not_yet_due: reason 'It is too early for the reminder; give "
        "them until {reminder_day}.' → 'Not yet; give them until {reminder_day}.'"
    ) in result.stdout.splitlines()


def test_diff_shows_the_calendar_words_with_old_and_new_text(
    run_cli: RunCli, rules_copy: Path
) -> None:
    edit(rules_copy / "advice.yaml", "  weekend_day: a weekend day", "  weekend_day: the weekend")
    result = run_cli("rules", "diff", str(RULES), str(rules_copy), "--cases", "/dev/null")
    assert "calendar changed: weekend_day 'a weekend day' → 'the weekend'" in result.stdout


def test_diff_blames_only_a_rule_that_changed(
    run_cli: RunCli, rules_copy: Path, tmp_path: Path
) -> None:
    edit(rules_copy / "advice.yaml", "  weekend: [saturday, sunday]", "  weekend: [sunday]")
    cases = tmp_path / "cases.jsonl"
    # Fourteen days after Friday 13 November is Friday 27 November... plus 1 lands on Saturday.
    cases.write_text('{"interview_date": "2026-11-14", "today": "2026-11-26"}\n')
    result = run_cli("rules", "diff", str(RULES), str(rules_copy), "--cases", str(cases))
    assert result.exit_code == 0, result.stderr
    moved = [line for line in result.stdout.splitlines() if line.startswith("  line 1:")]
    assert moved, result.stdout
    assert "(rule " not in moved[0]


def test_diff_refuses_a_cases_file_that_is_not_json_lines(
    run_cli: RunCli, rules_copy: Path, tmp_path: Path
) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text('{"interview_date": "2026-11-14"}\ninterview_date: 2026-11-14\n')
    result = run_cli("rules", "diff", str(RULES), str(rules_copy), "--cases", str(cases))
    assert result.exit_code == 2
    assert f"{cases}: line 2: not valid JSON" in result.stderr
    assert "cases from" not in result.stdout


@pytest.mark.parametrize("command", ["check", "test", "tree"])
def test_every_rules_command_takes_the_folder_either_way(
    run_cli: RunCli, rules_copy: Path, command: str
) -> None:
    extra = ["--format", "dot"] if command == "tree" else []
    positional = run_cli("rules", command, str(rules_copy), *extra)
    option = run_cli("rules", command, "--rules", str(rules_copy), *extra)
    assert positional.exit_code == option.exit_code == 0, (positional.output, option.output)
    assert positional.stdout == option.stdout
    assert "--rules DIR" in run_cli("rules", command, "--help").stdout


# The conformance tests, and the machinery tests that a change of the shipped numbers used to
# fail (27 tests in 8 files, before they moved to tests/rulebase/). A full run takes minutes;
# the conftest fixture that points every other test at the frozen rule base is the same for all.
EDIT_SENSITIVE = [
    "tests/test_conformance.py",
    "tests/test_rule_edits.py",
    "tests/test_rules_authoring.py",
    "tests/test_advise_decisions.py",
]


def test_a_coach_changing_14_days_to_10_fails_only_the_conformance_tests(
    tmp_path: Path,
) -> None:
    shipped = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", shipped)
    text = (shipped / "advice.yaml").read_text()
    assert text.count("        plus_days: 14") == 2
    (shipped / "advice.yaml").write_text(text.replace("plus_days: 14", "plus_days: 10"))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf", *EDIT_SENSITIVE],
        cwd=ROOT,
        env={**os.environ, "FOLLOWUP_RULES": str(shipped)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    failed = re.findall(r"^FAILED (\S+)", run.stdout, re.MULTILINE)
    assert failed, run.stdout[-3000:]
    assert [test for test in failed if not test.startswith("tests/test_conformance.py")] == []
    # The failures say in words which scenarios now expect otherwise.
    assert "scenarios in" in run.stdout and "now expect otherwise" in run.stdout
    assert "FAIL no timeline and an unsure culture waits two full weeks" in run.stdout


ASKS_AND_SAYS = """
  - name: a proactive company, its questions and its words
    today: 2026-11-26
    facts:
      interview_date: 2026-11-20
      culture: proactive
    expect:
      action: wait
      asks: [interview_date, competing_offer, has_update, followups_sent, timeline_given, culture,
             country]
      says: ["one week after the interview", "Wait"]
"""


def _scenario(rules: Path, text: str) -> None:
    path = rules / "tests" / "advice.yaml"
    path.write_text(path.read_text() + text)


def test_a_scenario_checks_the_questions_asked_and_the_words_said(
    run_cli: RunCli, rules_copy: Path
) -> None:
    _scenario(rules_copy, ASKS_AND_SAYS)
    result = run_cli("rules", "test", str(rules_copy))
    assert "PASS a proactive company, its questions and its words" in result.stdout, result.stdout
    assert result.exit_code == 0


def test_a_scenario_says_which_questions_and_words_differ(
    run_cli: RunCli, rules_copy: Path
) -> None:
    _scenario(
        rules_copy,
        ASKS_AND_SAYS.replace("timeline_given, culture,", "culture,").replace(
            '"Wait"', '"two weeks"'
        ),
    )
    result = run_cli("rules", "test", str(rules_copy))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert (
        "     asks: expected interview_date, competing_offer, has_update, followups_sent, "
        "culture, country; got interview_date, competing_offer, has_update, followups_sent, "
        "timeline_given, culture, country"
    ) in lines
    assert "     says: `two weeks` is not in the answer or the draft" in lines


def test_a_helper_rule_can_be_kept_from_the_job_seeker(run_cli: RunCli, rules_copy: Path) -> None:
    edit(
        rules_copy / "advice.yaml",
        "  - id: reminder_a_week_after_last_followup\n    priority: 80\n",
        "  - id: reminder_a_week_after_last_followup\n    priority: 80\n    shown: false\n",
    )
    facts = ("interview_date=2026-11-01", "followups_sent=1", "last_followup_date=2026-11-20")
    reasons = _reasons(run_cli, rules_copy, *facts)
    assert reasons and not any("One follow-up went unanswered" in r for r in reasons)
    assert any("too early for the reminder" in r for r in reasons)
    result = run_cli(
        "advise",
        "--rules",
        str(rules_copy),
        "--today",
        "2026-11-26",
        "--no-audit",
        "--format",
        "json",
        *[item for fact in facts for item in ("--set", fact)],
    )
    assert "reminder_a_week_after_last_followup" in json.loads(result.stdout)["fired_rules"]
    diff = run_cli("rules", "diff", str(RULES), str(rules_copy), "--cases", "/dev/null")
    assert (
        "rule changed: reminder_a_week_after_last_followup: shown to the job seeker → not shown"
        in diff.stdout.splitlines()
    )


def test_a_rule_of_lower_priority_is_never_named_as_deciding_first(
    run_cli: RunCli, rules_copy: Path
) -> None:
    edit(
        rules_copy / "advice.yaml",
        "  - id: reminder_is_due\n",
        "  - id: move_on_after_one\n    priority: 80\n    when:\n      - followups_sent: 1\n"
        "    then:\n      action: move_on\n      follow_up_on: null\n    reason: Enough.\n"
        "    source: nowhere\n\n  - id: reminder_is_due\n",
    )
    result = run_cli("rules", "check", str(rules_copy))
    dead = [line for line in result.stdout.splitlines() if "can never fire" in line]
    assert dead, result.stdout
    for line in dead:
        assert "`move_on_after_one`, of equal priority and listed before it" in line, line
