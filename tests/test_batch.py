"""Batch mode: JSON lines in, JSON lines out, in order; bad lines reported, the run goes on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pexpect

from .conftest import TODAY, RunCli


def test_batch_answers_each_line_in_order(run_cli: RunCli, tmp_path: Path) -> None:
    lines = [
        {"interview_date": "2026-11-20", "competing_offer": True},
        {"interview_date": "2026-10-01", "followups_sent": 2, "last_followup_date": "2026-11-01"},
        {"interview_date": "2026-11-20", "today": "2026-12-10"},
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = run_cli("advise", "--batch", str(path), "--today", TODAY, "--no-audit")
    assert result.exit_code == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["action"] for a in answers] == ["follow_up_now", "move_on", "follow_up_now"]
    assert answers[0]["follow_up_on"] == TODAY
    assert answers[2]["today"] == "2026-12-10"
    assert answers[2]["follow_up_on"] == "2026-12-10"


def test_bad_lines_are_reported_and_the_run_goes_on(run_cli: RunCli) -> None:
    stdin = "\n".join(
        [
            '{"interview_date": "2026-11-20"}',
            "not json",
            '{"interview_date": "2026-11-20", "followups_sent": -1}',
            "",
            '["a list"]',
            '{"interview_date": "2026-11-02", "culture": "proactive"}',
        ]
    )
    result = run_cli("advise", "--batch", "-", "--today", TODAY, input=stdin)
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 5
    assert records[0]["action"] == "wait"
    assert records[1]["line"] == 2 and records[1]["error"].startswith("line 2: not valid JSON")
    assert records[2] == {
        "error": "line 3: The number of follow-ups sent must be at least 0, not -1",
        "line": 3,
        "fact": "followups_sent",
    }
    assert records[3]["line"] == 5 and "expected a JSON object" in records[3]["error"]
    assert records[4]["action"] == "follow_up_now"


def test_batch_refuses_a_facts_file_too(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("advise", "x.yaml", "--batch", "-", input="")
    assert result.exit_code == 2
    assert "--batch reads its facts from FILE.jsonl" in result.stderr


def test_batch_line_matches_single_advice(run_cli: RunCli, tmp_path: Path) -> None:
    facts = {"interview_date": "2026-11-20", "timeline_given": True, "decision_date": "2026-12-04"}
    path = tmp_path / "one.json"
    path.write_text(json.dumps(facts))
    single = json.loads(run_cli("advise", str(path), "--today", TODAY, "--format", "json").stdout)
    batch = json.loads(
        run_cli("advise", "--batch", "-", "--today", TODAY, input=json.dumps(facts)).stdout
    )
    assert single == batch


def test_progress_on_a_terminal_only(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"interview_date": "2026-11-20"}\n' * 15_000)
    command = f"{sys.executable} -m followup advise --batch {cases} --today {TODAY} --no-audit"
    child = pexpect.spawn(
        "/bin/sh", ["-c", f"{command} > {tmp_path / 'out.jsonl'}"], encoding="utf-8", timeout=120
    )
    child.expect("cases advised")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 15_000
    piped = subprocess.run(command.split(), capture_output=True, text=True, check=True)
    assert piped.stderr == ""


def test_a_bad_byte_costs_only_its_line(run_cli: RunCli) -> None:
    stdin = (
        b'{"interview_date": "2026-11-20"}\n'
        b'{"interview_date": "2026-11-20", "role": "\xff"}\n'
        b'{"interview_date": "2026-11-02", "culture": "proactive"}\n'
    )
    result = run_cli("advise", "--batch", "-", "--today", TODAY, "--no-audit", input=stdin)
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [record.get("action") for record in records] == ["wait", None, "follow_up_now"]
    assert records[1] == {"error": "line 2: not UTF-8 text (byte 0xff at column 43)", "line": 2}


def test_bad_values_cost_only_their_line(run_cli: RunCli) -> None:
    lines = [
        '{"interview_date": "2026-11-20", "followups_sent": "²"}',
        '{"interview_date": "2026-11-20", "followups_sent": "--1"}',
        '{"interview_date": "2026-11-20", "followups_sent": ' + "9" * 5000 + "}",
        '{"interview_date": "2026-11-20", "role": "\\ud800"}',
        '{"interview_date": "2026-11-20", "role": ' + "[" * 3000 + "]" * 3000 + "}",
        '{"interview_date": "9999-12-29", "today": "9999-12-30"}',
        '{"interview_date": "2026-11-20"}',
    ]
    result = run_cli(
        "advise", "--batch", "-", "--today", TODAY, "--no-audit", input="\n".join(lines)
    )
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [record["line"] for record in records[:-1]] == [1, 2, 3, 4, 5, 6]
    errors = [record["error"] for record in records[:-1]]
    assert errors[0] == "line 1: The number of follow-ups sent must be a whole number, not '²'"
    assert errors[1] == "line 2: The number of follow-ups sent must be a whole number, not '--1'"
    assert errors[2] == "line 3: a value is a number of 5,000 digits, over the limit of 30"
    assert errors[3] == "line 4: role contains an invalid character (\\ud800)"
    assert "line 5: the line nests lists or mappings more than 16 deep" in errors[4]
    assert errors[5].startswith(
        "line 6: The interview date, Wednesday 29 December 9999, is too close to the end"
    )
    assert records[-1]["action"] == "wait"


def test_crlf_line_ends_are_one_line_end(run_cli: RunCli) -> None:
    stdin = '{"interview_date": "2026-11-20"}\r\n\r\n{"interview_date": "2026-11-02"}\r\n'
    result = run_cli("advise", "--batch", "-", "--today", TODAY, "--no-audit", input=stdin.encode())
    assert result.exit_code == 0, result.stdout
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [record["action"] for record in records] == ["wait", "follow_up_now"]


def test_a_line_over_the_limit_is_reported_and_skipped(run_cli: RunCli) -> None:
    long_line = '{"interview_date": "2026-11-20", "role": "' + "x" * 300_000 + '"}'
    stdin = f'{long_line}\n{{"interview_date": "2026-11-20"}}\n'
    result = run_cli("advise", "--batch", "-", "--today", TODAY, "--no-audit", input=stdin)
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0] == {"error": "line 1: longer than 256 KiB, the limit for one line", "line": 1}
    assert records[1]["action"] == "wait"


def test_control_characters_are_escaped_in_batch_output(run_cli: RunCli) -> None:
    facts = {"interview_date": "2026-11-20", "competing_offer": True, "company": "Acme\x9b2J"}
    result = run_cli(
        "advise", "--batch", "-", "--today", TODAY, "--no-audit", input=json.dumps(facts)
    )
    assert result.exit_code == 0
    assert "\x9b" not in result.stdout and "\x1b" not in result.stdout
    assert "Acme\x9b2J" in json.loads(result.stdout)["message"]["body"]


def test_a_batch_from_a_named_pipe_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    fifo = tmp_path / "cases.jsonl"
    os.mkfifo(fifo)
    result = run_cli("advise", "--batch", str(fifo), "--today", TODAY, "--no-audit")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {fifo} is not a regular file (it is a pipe or a device), not a batch of cases\n"
    )
