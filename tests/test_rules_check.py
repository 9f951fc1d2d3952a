"""`followup rules check`: each kind of problem, at its exact place, as docs/rules.md says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import ROOT, RunCli, edit
from .test_adjustments import ADJUSTMENT_MESSAGES
from .test_calendar_rules import BROKEN as CALENDAR_BROKEN
from .test_coach_edits import COACH_MESSAGES
from .test_compiled import DISAGREEMENT
from .test_rule_limits import LIMIT_MESSAGES

GUIDE = (ROOT / "docs" / "rules.md").read_text()
CATALOGUE = GUIDE.split("## What the checker says")[1]
DOCUMENTED = [m[1] for m in re.findall(r"^\| (`+) ?(.+?) ?\1 \|", CATALOGUE, re.MULTILINE)]
PLACEHOLDER = re.compile(r"\b(?:[A-Z]{2,}|N)\b")

# (documented message, file, text to replace, replacement, line to point at, column text)
# fmt: off
BROKEN: list[tuple[str, str, str, str, str, str]] = [
    ('not valid YAML or JSON: PROBLEM', 'advice.yaml', '    priority: 90', '    priority: [90', '    when:\n      - followups_sent:\n          at_least: 2', ':'),
    ('a tab is used for indenting; use spaces', 'advice.yaml', '    priority: 90', '\tpriority: 90', '\tpriority: 90', '\t'),
    ('a tab is used here; use spaces', 'advice.yaml', '    priority: 90', '    priority:\t 90', 'priority:\t 90', '\t'),
    ('`TEXT` needs a space after the colon', 'advice.yaml', '    priority: 90', '    priority:90', 'priority:90', 'priority'),
    ('`TEXT` needs a colon after `KEY`', 'advice.yaml', '    priority: 90', '    priority 90', 'priority 90', 'priority'),
    ('this line is indented more than the line above it', 'advice.yaml', '    priority: 90\n    when:', '    priority: 90\n      when:', '      when:', 'when'),
    ('a colon and a space inside a text: put the whole text in quotes', 'advice.yaml', 'too early for the reminder; give', 'too early for the reminder: give', 'reminder: give', ': give'),
    ('this line uses curly quotes “…”: use straight quotes', 'advice.yaml', 'reason: It is too early for the reminder; give them until {reminder_day}.', 'reason: “It is too early: give them until {reminder_day}.”', '“It is too early', '“'),
    ('a date needs `date:` and `plus_days:` (found `KEY`)', 'advice.yaml', '        date: last_followup_date\n        plus_days: 7', '        date: last_followup_date\n        plus_weeks: 1', 'plus_weeks: 1', 'plus_weeks'),
    ('a key must be a plain word', 'advice.yaml', '    priority: 90', '    [priority]: 90', '[priority]: 90', '['),
    ('`KEY` is given twice here', 'advice.yaml', '    priority: 90', '    priority: 90\n    priority: 91', 'priority: 91', 'priority'),
    ('unknown key `KEY` (expected one of: KEYS)', 'advice.yaml', '    reason: It is too early', '    reasn: It is too early', 'reasn:', 'reasn'),
    ('`KEY` is missing here', 'advice.yaml', '    source: The Art of the Follow-Up, paragraph 6\n\n  - id: reminder_a_week', '\n  - id: reminder_a_week', '  - id: move_on_after_several_attempts', 'id'),
    ('`VALUE` is not allowed here (one of: VALUES)', 'facts.yaml', '    type: yes_no\n    default: false\n    question: Did the', '    type: boolean\n    default: false\n    question: Did the', 'type: boolean', 'boolean'),
    ('expected TYPE here, not VALUE', 'advice.yaml', '    priority: 90', '    priority: high', 'priority: high', 'high'),
    ('this must not be empty', 'messages.yaml', '  move_on:\n    headline: Move on — no more follow-ups for this role', "  move_on:\n    headline: ''", "headline: ''", "''"),
    ('`NAME` is not a valid name: use lowercase words joined by _ (like first_day)', 'advice.yaml', '  - id: reminder_is_due', '  - id: Reminder-Is-Due', 'Reminder-Is-Due', 'Reminder'),
    ('`NAME` is a reserved word and cannot name a fact', 'facts.yaml', '  reminder_day:\n    type: date', '  reminder_day:\n    type: date\n  value:\n    type: date', '  value:', 'value'),
    ('the fact `NAME` is declared twice', 'facts.yaml', '  reminder_day:\n    type: date', '  reminder_day:\n    type: date\n  today:\n    type: date', '  today:\n    type: date\n    label: the day for a reminder', 'today'),
    ('`NAME` is a choice but lists no `values`', 'facts.yaml', '    values: [proactive, laid_back, unsure]\n', '', '    type: choice', 'type'),
    ('`plus_days` takes a whole number of days, not VALUE', 'advice.yaml', '        date: last_followup_date\n        plus_days: 7', '        date: last_followup_date\n        plus_days: seven', 'plus_days: seven', 'seven'),
    ('the default of `NAME` is below its minimum N', 'facts.yaml', '    minimum: 0\n    default: 0', '    minimum: 1\n    default: 0', '    default: 0', '0'),
    ('checks compare dates, but `NAME` is a TYPE', 'facts.yaml', '    minimum: 0\n    default: 0', '    minimum: 0\n    default: 0\n    checks:\n      - not_after: today', '      - not_after: today\n    question: How many', 'today'),
    ('`NAME` is not a given date fact', 'facts.yaml', '      - not_after: today\n\n  timeline_given', '      - not_after: todya\n\n  timeline_given', 'not_after: todya', 'todya'),
    ('unknown fact `NAME`', 'advice.yaml', '      - followups_sent: 0\n      - timeline_given: true', '      - followups_sent: 0\n      - timeline_givn: true', 'timeline_givn', 'timeline_givn'),
    ('unknown test `NAME`', 'advice.yaml', '      - culture: unsure', '      - culture:\n          oneof: [laid_back, unsure]', 'oneof', 'oneof'),
    ('a test of `NAME` takes exactly one of: TESTS', 'advice.yaml', '          at_least: 2', '          at_least: 2\n          at_most: 5', '          at_least: 2\n          at_most: 5', 'at_least'),
    ('an empty list of conditions', 'advice.yaml', '    when:\n      - followups_sent: 1\n    then:', '    when: []\n    then:', 'when: []', '['),
    ('a condition must be `fact: value`, or all/any/not with conditions under it', 'advice.yaml', '      - followups_sent: 1\n    then:', '      - followups_sent\n    then:', '      - followups_sent\n', 'followups_sent'),
    ('`KEY` needs a list of conditions', 'advice.yaml', '      - any:\n          - competing_offer: true\n          - has_update: true', '      - any: competing_offer', 'any: competing_offer', 'competing_offer'),
    ('`known` takes true or false', 'advice.yaml', '      - reminder_day:\n          after: today', '      - reminder_day:\n          known: today', 'known: today', 'today'),
    ('`one_of` takes a list of values', 'advice.yaml', '      - culture: unsure', '      - culture:\n          one_of: laid_back', 'one_of: laid_back', 'laid_back'),
    ('`VALUE` is not a value of `NAME` (one of: VALUES)', 'advice.yaml', '      - culture: proactive', '      - culture: pro_active', 'culture: pro_active', 'pro_active'),
    ('`VALUE` is not a TYPE value for `NAME`', 'advice.yaml', '      - timeline_given: false\n      - culture: proactive', '      - timeline_given: nope\n      - culture: proactive', 'timeline_given: nope', 'nope'),
    ('`VALUE` is not a date (write it as YYYY-MM-DD) nor a date fact', 'advice.yaml', '      - reminder_day:\n          after: today', '      - reminder_day:\n          after: tody', 'after: tody', 'tody'),
    ('`TEST` compares dates, but `NAME` is a TYPE', 'advice.yaml', '          at_least: 2', '          after: 2', 'after: 2', '2'),
    ('`TEST` compares numbers, but `NAME` is a TYPE', 'advice.yaml', '      - reminder_day:\n          after: today', '      - reminder_day:\n          at_least: today', 'at_least: today', 'today'),
    ('`NAME` is a TYPE but `OTHER` is a TYPE: they cannot be compared', 'advice.yaml', '      - reminder_day:\n          after: today', '      - reminder_day:\n          after: followups_sent', 'after: followups_sent', 'followups_sent'),
    ("a test of the concluded fact `NAME` must stand on its own in the rule's list of conditions, not inside all/any/not", 'advice.yaml', '      - reminder_day:\n          after: today', '      - any:\n          - reminder_day:\n              after: today', '              after: today', 'today'),
    ('two concluded facts cannot be compared with each other', 'advice.yaml', '      - reminder_day:\n          after: today', '      - reminder_day:\n          after: first_followup_day', 'after: first_followup_day', 'first_followup_day'),
    ('`not` cannot stand around a comparison of two facts', 'advice.yaml', '      - followups_sent: 1\n    then:', '      - followups_sent: 1\n      - not:\n          last_followup_date:\n            after: interview_date\n    then:', 'after: interview_date', 'interview_date'),
    ('the rule id `ID` is used twice (first at line N)', 'advice.yaml', '  - id: reminder_is_due', '  - id: reach_out_sooner  # again', 'reach_out_sooner  # again', 'reach_out_sooner'),
    ('a rule can only conclude derived facts: `NAME` is given by the job seeker', 'advice.yaml', '      follow_up_on: null', '      followups_sent: null', 'followups_sent: null', 'followups_sent'),
    ('a rule can only conclude derived facts: `NAME` is not a derived fact', 'advice.yaml', '      follow_up_on: null', '      follow_up_day: null', 'follow_up_day: null', 'follow_up_day'),
    ('no message template named `NAME` in messages.yaml', 'advice.yaml', '      message: gentle_reminder', '      message: gentle_remindr', 'message: gentle_remindr', 'gentle_remindr'),
    ('`NAME` is not a date, so it cannot be computed from one', 'advice.yaml', '      follow_up_on: null', '      follow_up_on: null\n      message:\n        date: today\n        plus_days: 1', '        date: today\n        plus_days: 1', 'date'),
    ('`NAME` is not a date fact', 'advice.yaml', '        date: last_followup_date', '        date: followups_sent', 'date: followups_sent', 'followups_sent'),
    ('`decides` must name a derived fact; `NAME` is not one', 'advice.yaml', 'decides: action', 'decides: acton', 'decides: acton', 'acton'),
    ('unknown fact `{NAME}` in this text', 'advice.yaml', '({reminder_day}) is fine', '({remind_day}) is fine', '({remind_day}) is fine', '{remind_day}'),
    ('`TEXT` cannot stand in braces: write a fact name like {company}, or double the brace to show it', 'messages.yaml', '    headline: Move on — no more follow-ups for this role', '    headline: Move on {now!}', 'headline: Move on {now!}', 'Move'),
    ('no headline for the action `ACTION`', 'messages.yaml', '  move_on:\n    headline: Move on — no more follow-ups for this role\n', '', 'actions:', 'actions'),
    ('circular derivation: CHAIN (each is worked out from the next)', 'advice.yaml', '      - followups_sent: 1\n    then:\n      reminder_day:', '      - followups_sent: 1\n      - reminder_day:\n          known: true\n    then:\n      reminder_day:', '  - id: reminder_a_week_after_last_followup', 'id'),
    ('rule `ID` can never fire: its conditions contradict each other', 'advice.yaml', '      - followups_sent:\n          at_least: 2\n', '      - followups_sent:\n          at_least: 2\n      - followups_sent: 0\n', '  - id: move_on_after_several_attempts', 'id'),
    ('rule `ID` can never fire: no rule concludes `NAME`', 'advice.yaml', '      reminder_day:\n        date: last_followup_date', '      first_followup_day:\n        date: last_followup_date', '  - id: reminder_is_due', 'id'),
    ('rule `ID` can never fire: `NAME` is never concluded where its other conditions hold', 'advice.yaml', '    when:\n      - followups_sent: 0\n      - timeline_given: true\n', '    when:\n      - followups_sent: 0\n      - timeline_given: true\n      - reminder_day:\n          known: true\n', '  - id: just_after_their_deadline', 'id'),
    ('rule `ID` can never fire: rules of higher priority always decide first (such as `OTHER`)', 'advice.yaml', '  - id: first_followup_not_yet_due\n', '  - id: always_wait\n    priority: 10\n    when:\n      - followups_sent:\n          at_least: 0\n    then:\n      action: wait\n    reason: Wait.\n    source: nowhere\n\n  - id: first_followup_not_yet_due\n', '  - id: always_wait', 'id'),
    ('rule `ID` counts from `NAME`, which no rule has concluded when it applies', 'advice.yaml', '        date: decision_date', '        date: reminder_day', '  - id: just_after_their_deadline', 'id'),
    ('rule `ID` counts from `NAME`, which may not be given when it applies', 'advice.yaml', '        date: interview_date\n        plus_days: 14', '        date: decision_date\n        plus_days: 14', '  - id: two_weeks_when_unsure', 'id'),
    ('rules `ID` and `OTHER` can both apply and conclude `NAME` differently, with nothing to order them (both priority N)', 'advice.yaml', '      - culture: proactive\n', '      - culture:\n          one_of: [proactive, unsure]\n', '  - id: two_weeks_when_unsure', 'id'),
    ('a gap: no rule decides the action for some cases', 'advice.yaml', '      - culture: proactive\n', '      - culture: laid_back\n', 'decides: action', 'action'),
]
# fmt: on


def _matches(template: str, line: str) -> bool:
    pattern = PLACEHOLDER.sub("\0", template)
    regex = ".+?".join(re.escape(part) for part in pattern.split("\0"))
    return re.search(regex, line) is not None


@pytest.mark.parametrize(
    ("template", "file", "old", "new", "line_text", "column_text"),
    BROKEN,
    ids=[case[0][:60] for case in BROKEN],
)
def test_each_problem_at_its_place(
    run_cli: RunCli,
    rules_copy: Path,
    template: str,
    file: str,
    old: str,
    new: str,
    line_text: str,
    column_text: str,
) -> None:
    assert template in DOCUMENTED, "every message the checker gives is in docs/rules.md"
    path = rules_copy / file
    edit(path, old, new)
    result = run_cli("rules", "check", str(rules_copy))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    matching = [line for line in lines if _matches(template, line)]
    assert matching, result.stdout
    text = path.read_text()
    start = text.index(line_text)
    line_number = text.count("\n", 0, start) + 1
    line = text.splitlines()[line_number - 1]
    column = line.index(column_text) + 1
    assert matching[0].startswith(f"{path}:{line_number}:{column}: "), (matching[0], line)
    assert lines[-1].endswith(f"in {rules_copy}")


def test_every_documented_message_is_tested() -> None:
    tested = (
        {case[0] for case in BROKEN}
        | {case[0] for case in CALENDAR_BROKEN}
        | set(SCENARIO_MESSAGES)
        | set(LIMIT_MESSAGES)
        | {DISAGREEMENT}
        | COACH_MESSAGES
        | ADJUSTMENT_MESSAGES
        | {
            "the rule base at DIR has no FILE",
            "`VALUE` is not a value of `action` (one of: VALUES)",
        }
    )
    assert sorted(set(DOCUMENTED) - tested) == []


def test_conflicts_and_gaps_come_with_an_example(run_cli: RunCli, rules_copy: Path) -> None:
    edit(rules_copy / "advice.yaml", "      - culture: proactive\n", "      - culture: laid_back\n")
    result = run_cli("rules", "check", str(rules_copy))
    lines = result.stdout.splitlines()
    gap = lines.index(next(line for line in lines if "a gap:" in line))
    assert lines[gap + 1] == (
        "  for example: timeline_given: no, competing_offer: no, has_update: no, "
        "culture: proactive, followups_sent: 0, interview_date: 2026-10-26, today: 2026-11-25"
    )
    example = dict(
        part.split(": ") for part in lines[gap + 1][len("  for example: ") :].split(", ")
    )
    today = example.pop("today")
    args = [item for name, value in example.items() for item in ("--set", f"{name}={value}")]
    advised = run_cli("advise", "--rules", str(rules_copy), "--today", today, "--no-audit", *args)
    assert advised.exit_code == 1
    assert "no rule decided the action" in advised.stderr
    conflict = next(line for line in lines if "can both apply" in line)
    assert lines[lines.index(conflict) + 1].startswith("  for example: ")


def test_missing_file(run_cli: RunCli, rules_copy: Path) -> None:
    (rules_copy / "messages.yaml").unlink()
    result = run_cli("rules", "check", str(rules_copy))
    assert result.exit_code == 1
    assert _matches("the rule base at DIR has no FILE", result.stdout)


def test_several_problems_are_all_reported(run_cli: RunCli, rules_copy: Path) -> None:
    edit(rules_copy / "advice.yaml", "      - culture: proactive", "      - cultur: proactive")
    edit(rules_copy / "advice.yaml", "      message: gentle_reminder", "      message: gentl")
    result = run_cli("rules", "check", str(rules_copy))
    assert "unknown fact `cultur`" in result.stdout
    assert "no message template named `gentl`" in result.stdout
    assert result.stdout.splitlines()[-1] == f"2 problems in {rules_copy}"


def test_shipped_rules_check_clean(run_cli: RunCli) -> None:
    result = run_cli("rules", "check")
    assert result.exit_code == 0
    assert result.stdout.startswith("ok: ")
    assert "13 rules, no gaps, no conflicts, every rule can fire" in result.stdout


SCENARIO_MESSAGES = {
    "today must be a date written YYYY-MM-DD, not VALUE",
    "action: expected ACTION, got OTHER",
    "follow_up_on: expected VALUE, got OTHER",
    "fired: expected RULES; got OTHER",
    "the advisor refused it: PROBLEM",
    "unknown rule `NAME` in fired",
}
