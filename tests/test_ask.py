"""`followup ask`: whole consultations scripted through stdin, and one in a real terminal."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pexpect
import pytest

from engine import RuleBase
from followup.audit import AuditStore

from .conftest import TODAY, RunCli

# (example, answers typed, facts that must be asked, facts that must not, expected headline)
CONSULTATIONS = [
    (
        "no timeline",
        ["2026-11-16", "no", "no", "0", "no", "unsure", ""],
        [
            "interview_date",
            "competing_offer",
            "has_update",
            "followups_sent",
            "timeline_given",
            "culture",
        ],
        ["decision_date", "last_followup_date", "offer_deadline"],
        "Wait — follow up on Monday 30 November 2026, in 4 days",
    ),
    (
        "a timeline, in words",
        ["6 days ago", "no", "no", "0", "yes", "end of next week", ""],
        ["decision_date"],
        ["culture", "last_followup_date"],
        "Wait — follow up on Monday 30 November 2026, in 4 days",
    ),
    (
        "a competing offer",
        ["2026-11-20", "yes", "no", "done"],
        ["interview_date", "competing_offer"],
        ["has_update", "followups_sent", "timeline_given", "culture", "decision_date"],
        "Follow up now — today, Thursday 26 November 2026",
    ),
    (
        "an update",
        ["last Monday", "no", "yes", "no", "done"],
        ["has_update"],
        ["followups_sent", "timeline_given", "culture"],
        "Follow up now — today, Thursday 26 November 2026",
    ),
    (
        "one unanswered follow-up",
        ["2026-11-02", "no", "no", "1", "2026-11-17", "", "no", "done"],
        ["followups_sent", "last_followup_date"],
        ["timeline_given", "culture", "decision_date"],
        "Send one gentle reminder — today, Thursday 26 November 2026",
    ),
    (
        "several follow-ups",
        ["2026-10-19", "no", "no", "2", "2026-11-16"],
        ["last_followup_date"],
        ["timeline_given", "culture"],
        "Move on — no more follow-ups for this role",
    ),
    (
        "a proactive culture",
        ["2026-11-18", "n", "n", "", "n", "1", "", "no", "done"],
        ["culture"],
        ["decision_date", "last_followup_date"],
        "Follow up now — today, Thursday 26 November 2026",
    ),
    (
        "a laid-back culture",
        ["2026-11-18", "no", "no", "0", "no", "laid", ""],
        ["culture"],
        ["decision_date"],
        "Wait — follow up on Wednesday 2 December 2026, in 6 days",
    ),
]


def consult(run_cli: RunCli, answers: list[str], *extra: str) -> tuple[int, str]:
    result = run_cli("ask", "--today", TODAY, *extra, input="\n".join(answers) + "\n")
    return result.exit_code, result.stdout


@pytest.mark.parametrize(
    ("answers", "asked", "not_asked", "headline"),
    [case[1:] for case in CONSULTATIONS],
    ids=[case[0] for case in CONSULTATIONS],
)
def test_consultation(
    run_cli: RunCli,
    rule_base: RuleBase,
    answers: list[str],
    asked: list[str],
    not_asked: list[str],
    headline: str,
) -> None:
    status, output = consult(run_cli, answers)
    assert status == 0, output
    assert headline in output.splitlines()
    for fact in asked:
        assert output.count(rule_base.facts[fact].question) == 1, fact
    for fact in not_asked:
        assert rule_base.facts[fact].question not in output, fact


def test_questions_come_in_the_tree_order(run_cli: RunCli, rule_base: RuleBase) -> None:
    _status, output = consult(run_cli, ["2026-11-16", "no", "no", "0", "no", "unsure"])
    order = [
        "interview_date",
        "competing_offer",
        "has_update",
        "followups_sent",
        "timeline_given",
        "culture",
    ]
    positions = [output.index(rule_base.facts[fact].question) for fact in order]
    assert positions == sorted(positions)


def test_why_names_the_rule_and_what_each_answer_leads_to(run_cli: RunCli) -> None:
    _status, output = consult(
        run_cli, ["2026-11-16", "why", "no", "no", "0", "no", "why", "unsure"]
    )
    assert (
        "The advice “reach out sooner” needs to know whether you hold another job offer "
        "(The Art of the Follow-Up, paragraph 4; FAQ 3)." in output
    )
    assert "If so: the advice is: follow up now." in output
    assert "If not: then it depends on whether you have news for them." in output
    assert (
        "If so: the first follow-up day is one week after the interview date, then it depends "
        "on whether the first follow-up day is on or before today." in output
    )
    assert (
        "The advice “one week for a proactive culture” needs to know whether the company's way "
        "of being contacted is proactive" in output
    )
    # Words for people: no rule ids or fact names.
    assert "first_followup_day" not in output and "one_week_for" not in output


def test_why_swaps_the_answers_of_a_test_for_no(run_cli: RunCli) -> None:
    _status, output = consult(run_cli, ["2026-11-16", "no", "no", "0", "why", "no", "unsure"])
    assert "needs to know whether the interviewer named a decision day" in output
    assert (
        "If so: the first follow-up day is one day after the day they said they would decide "
        "by, then" in output
    )
    assert "If not: then it depends on whether the company's way of being contacted is" in output


def test_why_for_a_date_that_sets_a_derived_day(run_cli: RunCli) -> None:
    _status, output = consult(
        run_cli, ["2026-11-02", "no", "no", "1", "why", "2026-11-17", "", "no", "done"]
    )
    assert (
        "It sets the day for a reminder, which the advice “reminder is due” needs: whether the "
        "day for a reminder is on or before today." in output
    )


def test_back_changes_the_previous_answer(run_cli: RunCli) -> None:
    status, output = consult(
        run_cli, ["2026-11-16", "yes", "back", "no", "no", "0", "no", "unsure", ""]
    )
    assert status == 0
    assert "Wait — follow up on Monday 30 November 2026, in 4 days" in output


def test_back_at_the_first_question(run_cli: RunCli) -> None:
    _status, output = consult(run_cli, ["back", "quit"])
    assert "This is the first question: there is nothing to go back to." in output


def test_help(run_cli: RunCli, rule_base: RuleBase) -> None:
    _status, output = consult(run_cli, ["help", "quit"])
    assert rule_base.facts["interview_date"].help in output
    assert "why (why this is asked), back" in output


def test_quit_leaves_cleanly(run_cli: RunCli, tmp_path: Path) -> None:
    status, output = consult(run_cli, ["2026-11-16", "quit"])
    assert status == 0
    assert output.rstrip().endswith("Stopped: nothing was saved.")


def test_end_of_input_before_the_advice(run_cli: RunCli) -> None:
    status, output = consult(run_cli, ["2026-11-16", "no"])
    assert status == 1
    assert "The input ended before the advice was settled. Stopped: nothing was saved." in output


@pytest.mark.parametrize(
    ("answers", "complaint"),
    [
        (
            ["tomorrow"],
            "Sorry: The interview date, Friday 27 November 2026, is after today, Thursday 26 "
            "November 2026.",
        ),
        (["someday"], "Sorry: cannot read 'someday' as a date"),
        (["2026-11-16", "maybe"], "Sorry: please answer yes or no."),
        (
            ["2026-11-16", "no", "no", "-1"],
            "Sorry: The number of follow-ups sent must be at least 0",
        ),
        (
            ["2026-11-16", "no", "no", "two"],
            "Sorry: The number of follow-ups sent must be a whole number",
        ),
        (["2026-11-16", "no", "no", "0", "no", "chill"], "Sorry: please answer one of: proactive"),
        (
            ["2026-11-16", "no", "no", "0", "yes", "2026-11-10"],
            "Sorry: The day they said they would decide by, Tuesday 10 November 2026, is before "
            "the interview date, Monday 16 November 2026.",
        ),
    ],
)
def test_invalid_answers_are_asked_again(
    run_cli: RunCli, rule_base: RuleBase, answers: list[str], complaint: str
) -> None:
    status, output = consult(run_cli, [*answers, "quit"])
    assert status == 0
    assert complaint in output
    last_fact = [
        "interview_date",
        "competing_offer",
        "has_update",
        "followups_sent",
        "timeline_given",
        "culture",
    ][min(len(answers), 6) - 1]
    if len(answers) == 6 and answers[4] == "yes":
        last_fact = "decision_date"
    assert output.count(rule_base.facts[last_fact].question) == 2


def test_message_details_fill_the_draft(run_cli: RunCli) -> None:
    answers = [
        "2026-11-20",
        "yes",
        "yes",
        "2026-12-02",
        "Sam Lee",
        "Ms Rivera",
        "Acme",
        "",
        "the data platform",
        "done",
    ]
    status, output = consult(run_cli, answers)
    assert status == 0
    words = " ".join(output.split())
    assert "which I need to answer by Wednesday 2 December 2026" in words
    assert "Dear Ms Rivera," in output and "Sam Lee" in output
    assert "[role]" in output  # skipped, so the placeholder stays


def test_save_writes_a_facts_file_advise_accepts(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    saved = tmp_path / "mine.yaml"
    status, output = consult(
        run_cli, ["2026-11-02", "no", "no", "1", "2026-11-17", "", "no", "save", str(saved), "done"]
    )
    assert status == 0
    assert f"Saved {saved}" in output
    again = run_cli("advise", str(saved), "--today", TODAY, "--format", "json")
    assert json.loads(again.stdout)["action"] == "send_reminder"


def test_explain_writes_the_graph(run_cli: RunCli, tmp_path: Path) -> None:
    picture = tmp_path / "why.svg"
    status, output = consult(
        run_cli,
        ["2026-11-16", "no", "no", "0", "no", "unsure", "", "how", "explain", str(picture), "done"],
    )
    assert status == 0
    assert "1. two_weeks_when_unsure applied because" in output
    assert picture.read_text().lstrip().startswith("<?xml")


def test_terminal_front_end() -> None:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "followup", "ask", "--today", TODAY],
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 120),
    )
    try:
        child.expect("When was your interview")
        child.sendline("10 days ago")
        for question in ["another job offer", "news that matters", "How many follow-ups"]:
            child.expect(question)
            child.send("\r")  # keep the default shown
        child.expect("when they would make a decision")
        child.send("\r")
        child.expect("How does the company")
        child.expect("unsure")
        child.send("\r")
        child.expect("In which country")
        child.send("\r")  # none: weekends only
        child.expect("Wait — follow up on Monday 30 November 2026, in 4 days")
        child.expect("What next")
        child.send("\r")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def _terminal(cwd: Path) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "followup", "ask", "--today", TODAY],
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 120),
        cwd=str(cwd),
    )


@pytest.mark.parametrize("key", ["\x03", "\x04"], ids=["ctrl-c", "ctrl-d"])
def test_ctrl_c_and_ctrl_d_in_the_terminal_end_with_130(
    tmp_path: Path, audit_db: Path, key: str
) -> None:
    child = _terminal(tmp_path)
    try:
        child.expect("When was your interview")
        child.send(key)
        child.expect("Stopped: nothing was saved.")
        child.expect(pexpect.EOF)
        after = child.before
    finally:
        child.close()
    assert child.exitstatus == 130
    assert after.strip() == ""  # the one line, and nothing after it
    assert [p for p in tmp_path.iterdir() if not p.name.startswith(audit_db.name)] == []
    assert list(AuditStore(audit_db).records()) == []


def test_y_and_n_answer_yes_no_in_the_terminal(tmp_path: Path) -> None:
    child = _terminal(tmp_path)
    try:
        child.expect("When was your interview")
        child.sendline("2026-11-20")
        child.expect("another job offer")
        child.send("y")  # one key, no Enter
        child.expect("Follow up now — today")
        child.expect("Fill in names")
        child.send("n")
        child.expect("What next")
        child.send("\r")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_number_fields_are_not_pre_filled_in_the_terminal(tmp_path: Path) -> None:
    child = _terminal(tmp_path)
    try:
        child.expect("When was your interview")
        child.sendline("2026-11-02")
        for question in ["another job offer", "news that matters"]:
            child.expect(question)
            child.send("n")
        child.expect("How many follow-ups")
        child.sendline("1")  # with 0 pre-filled this would read 01, or 10
        child.expect("When did you send your latest follow-up")
        typed = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.before)
        assert "01" not in typed and "10" not in typed
        assert "Enter keeps 0." in typed
        child.send("\x03")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 130


@pytest.mark.parametrize(
    ("typed", "read_as"),
    [
        ("2026/11/12", "Thursday 12 November 2026"),
        ("2026.11.20", "Friday 20 November 2026"),
        ("11/20/2026", "Friday 20 November 2026"),
        ("20/11/2026", "Friday 20 November 2026"),
        ("20.11.26", "Friday 20 November 2026"),
        ("11/20", "Friday 20 November 2026"),
        ("the day before yesterday", "Tuesday 24 November 2026"),
        ("Last week.", "Thursday 19 November 2026"),
        ("1 month ago", "Monday 26 October 2026"),
        ("two weeks ago", "Thursday 12 November 2026"),
        ("YESTERDAY!", "Wednesday 25 November 2026"),
        ("last Tuesday,", "Tuesday 24 November 2026"),
    ],
)
def test_a_date_is_read_as_people_mean_it_and_shown(
    run_cli: RunCli, typed: str, read_as: str
) -> None:
    status, output = consult(run_cli, [typed, "quit"])
    assert status == 0
    assert f"> {typed}\nRead as {read_as}.\n" in output


def test_a_date_after_today_in_year_first_form_is_refused(run_cli: RunCli) -> None:
    _status, output = consult(run_cli, ["2026/12/10", "quit"])
    assert "Sorry: The interview date, Thursday 10 December 2026, is after today" in output


@pytest.mark.parametrize(
    ("typed", "choice", "read_as"),
    [
        ("5/6/2026", "6 May", "Wednesday 6 May 2026"),
        ("5/6/2026", "1", "Friday 5 June 2026"),
        ("5/6", "2", "Wednesday 6 May 2026"),
    ],
)
def test_an_ambiguous_date_is_asked_back(
    run_cli: RunCli, typed: str, choice: str, read_as: str
) -> None:
    status, output = consult(run_cli, [typed, "someday", choice, "quit"])
    assert status == 0
    assert f"{typed}: 5 June 2026 or 6 May 2026? [5 June 2026 / 6 May 2026]" in output
    assert "Please answer 5 June 2026 or 6 May 2026." in output
    assert f"> {choice}\nRead as {read_as}.\n" in output


@pytest.mark.parametrize(
    ("typed", "read_as"),
    [
        ("tomorrow", "Saturday 21 November 2026"),
        ("in two weeks", "Friday 4 December 2026"),
        ("next week", "Friday 27 November 2026"),
        ("End of next week.", "Friday 27 November 2026"),
        ("next Tuesday", "Tuesday 24 November 2026"),
    ],
)
def test_decision_date_phrases_count_from_the_interview(
    run_cli: RunCli, rule_base: RuleBase, typed: str, read_as: str
) -> None:
    _status, output = consult(run_cli, ["2026-11-20", "no", "no", "0", "yes", typed, "quit"])
    assert "count from the interview day" in rule_base.facts["decision_date"].question
    assert (
        f"> {typed}\nRead as {read_as} (counted from the interview date, Friday 20 November "
        "2026).\n" in output
    )


def test_a_decision_date_in_numbers_is_not_counted_from_anything(run_cli: RunCli) -> None:
    _status, output = consult(run_cli, ["2026-11-20", "no", "no", "0", "yes", "4/12", "quit"])
    assert "4/12: 4 December 2026 or 12 April 2026?" in output
    _status, output = consult(run_cli, ["2026-11-20", "no", "no", "0", "yes", "2026/12/4", "quit"])
    assert "> 2026/12/4\nRead as Friday 4 December 2026.\n" in output


def test_the_answer_is_recorded_as_soon_as_it_is_shown(run_cli: RunCli, audit_db: Path) -> None:
    # The input ends at "Fill in names?": the advice shown must still be in the audit trail.
    status, output = consult(run_cli, ["2026-11-20", "yes", "no"])
    assert "Fill in names and details for the message?" in output
    assert status == 0
    records = list(AuditStore(audit_db).records())
    assert len(records) == 1
    assert "(Recorded in the audit trail as record 1.)" in output


def test_back_offers_the_earlier_answer(run_cli: RunCli) -> None:
    status, output = consult(run_cli, ["2026-11-16", "back", "", "quit"])
    assert status == 0
    assert "(default: 2026-11-16)\n> \nRead as Monday 16 November 2026." in output


def test_choices_show_their_labels(run_cli: RunCli) -> None:
    status, output = consult(run_cli, ["2026-11-18", "no", "no", "0", "no", "laid-back", ""])
    assert status == 0
    assert "[proactive / laid-back / unsure] (default: unsure)" in output
    assert "laid_back" not in output
    assert "Wait — follow up on Wednesday 2 December 2026, in 6 days" in output
