"""Every bad input of ADVICE.md: one line on stderr, exit status 2, nothing on stdout."""

from __future__ import annotations

import json
from pathlib import Path
from unittest.mock import ANY

import pytest

from .conftest import TODAY, RunCli

BAD_FACTS = [
    # (name, file text, fact named, line the error points at, words in the message)
    (
        "interview after today",
        "interview_date: 2026-11-27\n",
        "interview_date",
        1,
        "The interview date, Friday 27 November 2026, is after today, Thursday 26 November 2026",
    ),
    (
        "decision before interview",
        "interview_date: 2026-11-20\ntimeline_given: yes\ndecision_date: 2026-11-19\n",
        "decision_date",
        3,
        "The day they said they would decide by, Thursday 19 November 2026, is before the "
        "interview date, Friday 20 November 2026",
    ),
    (
        "last follow-up before interview",
        "interview_date: 2026-11-20\nfollowups_sent: 1\nlast_followup_date: 2026-11-02\n",
        "last_followup_date",
        3,
        "is before the interview date, Friday 20 November 2026",
    ),
    (
        "last follow-up after today",
        "interview_date: 2026-11-20\nfollowups_sent: 1\nlast_followup_date: 2026-11-30\n",
        "last_followup_date",
        3,
        "is after today, Thursday 26 November 2026",
    ),
    (
        "negative follow-ups",
        "interview_date: 2026-11-20\nfollowups_sent: -1\n",
        "followups_sent",
        2,
        "The number of follow-ups sent must be at least 0, not -1",
    ),
    (
        "fractional follow-ups",
        "interview_date: 2026-11-20\nfollowups_sent: 1.5\n",
        "followups_sent",
        2,
        "The number of follow-ups sent must be a whole number, not 1.5",
    ),
    (
        "follow-ups in words",
        "interview_date: 2026-11-20\nfollowups_sent: two\n",
        "followups_sent",
        2,
        "The number of follow-ups sent must be a whole number, not 'two'",
    ),
    (
        "timeline without decision date",
        "interview_date: 2026-11-20\ntimeline_given: yes\n",
        "decision_date",
        2,
        "The day they said they would decide by is missing, and it is needed because you said "
        "yes to whether the interviewer named a decision day",
    ),
    (
        "follow-up sent without its date",
        "interview_date: 2026-11-20\nfollowups_sent: 1\n",
        "last_followup_date",
        2,
        "The date of your latest follow-up is missing, and it is needed because the number of "
        "follow-ups sent is 1",
    ),
    (
        "unknown fact name",
        "interview_date: 2026-11-20\ncompeting_ofer: yes\n",
        "competing_ofer",
        2,
        "unknown fact `competing_ofer` (did you mean `competing_offer`?)",
    ),
    (
        "wrong type: not a yes/no",
        "interview_date: 2026-11-20\ncompeting_offer: maybe\n",
        "competing_offer",
        2,
        "Whether you hold another job offer must be yes or no",
    ),
    (
        "wrong type: not a date",
        "interview_date: 20/11/2026\n",
        "interview_date",
        1,
        "The interview date must be a date written YYYY-MM-DD",
    ),
    (
        "wrong type: not a culture",
        "interview_date: 2026-11-20\nculture: laidback\n",
        "culture",
        2,
        "must be one of: proactive, laid-back, unsure, not 'laidback' (did you mean `laid_back`?)",
    ),
    (
        "missing interview date",
        "culture: proactive\n",
        "interview_date",
        1,
        "The interview date is missing",
    ),
    (
        "not valid YAML",
        "interview_date: [2026-11-20\nculture: unsure\n",
        None,
        2,
        "not valid YAML or JSON",
    ),
    (
        "a list, not a mapping",
        "- interview_date\n",
        None,
        1,
        "must be a mapping of fact names to values",
    ),
]


@pytest.mark.parametrize(
    ("text", "fact", "line", "words"),
    [case[1:] for case in BAD_FACTS],
    ids=[case[0] for case in BAD_FACTS],
)
def test_bad_facts_file(
    run_cli: RunCli, tmp_path: Path, text: str, fact: str | None, line: int, words: str
) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(text)
    result = run_cli("advise", str(path), "--today", TODAY)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {path}:{line}:")
    assert words in lines[0]
    # Words for people: the fact's name is left to --why and --format json.
    if fact is not None and fact != "competing_ofer":
        assert f"{fact} " not in lines[0] and not lines[0].endswith(fact)
        named = run_cli("advise", str(path), "--today", TODAY, "--why")
        assert named.stderr == f"{lines[0]} (fact: {fact})\n"
        as_json = run_cli("advise", str(path), "--today", TODAY, "--format", "json")
        assert as_json.exit_code == 2 and as_json.stdout == ""
        refusal = json.loads(as_json.stderr)
        assert refusal == {"error": lines[0].removeprefix("error: "), "fact": fact, "where": ANY}
        assert refusal["where"].startswith(f"{path}:{line}:")


def test_bad_json_file(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_text('{"interview_date": "2026-11-20",\n "culture": }\n')
    result = run_cli("advise", str(path), "--today", TODAY)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}:2:")
    assert "not valid JSON: Expecting value" in result.stderr


def test_bad_set_names_the_option(run_cli: RunCli) -> None:
    result = run_cli(
        "advise",
        "--set",
        "interview_date=2026-11-20",
        "--set",
        "followups_sent=-3",
        "--today",
        TODAY,
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --set followups_sent: The number of follow-ups sent must be at least 0, not '-3'\n"
    )


def test_bad_today(run_cli: RunCli) -> None:
    result = run_cli("advise", "--set", "interview_date=2026-11-20", "--today", "tomorrow")
    assert result.exit_code == 2
    assert result.stderr == "error: --today must be a date written YYYY-MM-DD, not 'tomorrow'\n"


def test_missing_file(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("advise", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert result.stderr == f"error: no such file: {tmp_path / 'nope.yaml'}\n"


def test_no_facts_at_all(run_cli: RunCli) -> None:
    result = run_cli("advise")
    assert result.exit_code == 2
    assert "give a facts FILE" in result.stderr


def test_derived_fact_cannot_be_given(run_cli: RunCli) -> None:
    result = run_cli("advise", "--set", "interview_date=2026-11-20", "--set", "action=wait")
    assert result.exit_code == 2
    assert "`action` is concluded by the rules and cannot be given" in result.stderr
