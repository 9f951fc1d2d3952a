"""Hostile facts: odd numbers, tags, deep nesting, huge files, pipes and escape codes.

Each is refused with one line on stderr and exit status 2 (no traceback), or, for text that
is merely odd, shown escaped on the terminal and kept intact in JSON.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from engine.limits import FACTS, LARGEST_WHOLE_NUMBER, NUMBER_DIGITS, RULES

from .conftest import ROOT, TODAY, RunCli

FOLLOWUP = [sys.executable, "-m", "followup"]
MEMORY_BYTES = 1024**3  # a command's whole address space, libraries included
# Raw terminal controls: ESC, the 8-bit CSI, a bell, and a right-to-left override.
CONTROLS = ("\x1b", "\x9b", "\x07", "\u202e")


def refused(result: object, *words: str) -> str:
    """The one stderr line of a refusal with exit status 2, checked to hold `words`."""
    exit_code = getattr(result, "exit_code", None)
    if exit_code is None:
        exit_code = getattr(result, "returncode", None)
    stdout, stderr = result.stdout, result.stderr  # type: ignore[attr-defined]
    assert exit_code == 2, (stdout, stderr)
    assert stdout == ""
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0], lines[0]
    return str(lines[0])


def _bounded_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def run_followup(
    args: list[str] | list[bytes], stdin: Any = subprocess.DEVNULL
) -> subprocess.CompletedProcess[str]:
    """`followup ARGS` in a process of its own, bounded in time (30 s) and memory (1 GiB)."""
    return subprocess.run(
        [*FOLLOWUP, *args] if isinstance(args[0], str) else [*map(os.fsencode, FOLLOWUP), *args],
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
        preexec_fn=_bounded_memory,
    )


def advise_file(run_cli: RunCli, tmp_path: Path, text: str, name: str = "facts.yaml") -> object:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return run_cli("advise", str(path), "--today", TODAY, "--no-audit")


ODD_COUNTS = [
    # (name, YAML text of followups_sent, words the refusal holds)
    ("two minus signs", '"--1"', "The number of follow-ups sent must be a whole number, not '--1'"),
    ("a superscript two", '"²"', "The number of follow-ups sent must be a whole number, not '²'"),
    (
        "5,000 digits",
        "9" * 5000,
        f"followups_sent is a number of 5,000 digits, over the limit of {NUMBER_DIGITS}",
    ),
    ("5,000 digits, quoted", '"' + "9" * 5000 + '"', "must be at most 1,000,000"),
    (
        "sexagesimal 1:00",
        "1:00",
        "The number of follow-ups sent must be a whole number, not '1:00'",
    ),
    ("a lone surrogate", '"\\ud800"', "followups_sent contains an invalid character (\\ud800)"),
    ("a Python tag", "!!python/name:os.system x", "tags such as !!python/name:os.system"),
    ("a custom tag", "!custom 1", "tags such as !custom are not allowed"),
    ("an int tag on a date", "!!int 2026-11-10", "tags such as !!int are not allowed"),
    (
        "too large",
        str(LARGEST_WHOLE_NUMBER + 1),
        "The number of follow-ups sent must be at most 1,000,000",
    ),
]


@pytest.mark.parametrize(
    ("value", "words"), [case[1:] for case in ODD_COUNTS], ids=[case[0] for case in ODD_COUNTS]
)
def test_odd_follow_up_counts_are_refused(
    run_cli: RunCli, tmp_path: Path, value: str, words: str
) -> None:
    result = advise_file(
        run_cli, tmp_path, f"interview_date: 2026-11-20\nfollowups_sent: {value}\n"
    )
    line = refused(result, words)
    assert line.startswith(f"error: {tmp_path / 'facts.yaml'}:2:")


def test_a_leading_zero_is_decimal(run_cli: RunCli, tmp_path: Path) -> None:
    # YAML 1.1 reads 010 as 8 (octal): a person means ten.
    result = advise_file(run_cli, tmp_path, "interview_date: 2026-11-20\nfollowups_sent: 010\n")
    refused(result, "needed because the number of follow-ups sent is 10")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("facts.yaml", "interview_date: 2026-11-20\nrole: " + "[" * 400 + "]" * 400 + "\n"),
        (
            "facts.yaml",
            "interview_date: 2026-11-20\nrole:\n"
            + "".join("  " * depth + "- \n" for depth in range(1, 400)),
        ),
        (
            "facts.json",
            '{"interview_date": "2026-11-20", "role": ' + "[" * 3000 + "]" * 3000 + "}",
        ),
    ],
    ids=["YAML flow, 400 deep", "YAML blocks, 400 deep", "JSON, 3000 deep"],
)
def test_deep_nesting_is_refused(run_cli: RunCli, tmp_path: Path, name: str, text: str) -> None:
    result = advise_file(run_cli, tmp_path, text, name)
    refused(result, f"nests lists or mappings more than {FACTS.depth} deep", "a facts file")


def test_a_date_past_the_calendar_names_its_fact(run_cli: RunCli) -> None:
    result = run_cli(
        "advise", "--set", "interview_date=9999-12-20", "--today", "9999-12-30", "--no-audit"
    )
    refused(
        result,
        "The interview date, Monday 20 December 9999, is too close to the end of the calendar",
        "past 31 December 9999",
    )


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(billion_laughs())
    result = run_followup(["advise", str(path), "--today", TODAY, "--no-audit"])
    refused(result, f"more than {FACTS.nodes:,} values (counting each use of an alias)")


def test_a_large_facts_file_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    text = "interview_date: 2026-11-20\n" + "# padding\n" * (FACTS.file_bytes // 10)
    result = advise_file(run_cli, tmp_path, text)
    refused(result, "is larger than 256 KiB, the limit for a facts file")


def test_a_long_text_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    result = advise_file(
        run_cli, tmp_path, "interview_date: 2026-11-20\nrole: " + "x" * 20_000 + "\n"
    )
    refused(result, "role is 20,000 characters long, over the limit of 10,000")


def test_a_device_is_refused() -> None:
    result = run_followup(["advise", "/dev/zero", "--today", TODAY, "--no-audit"])
    refused(result, "/dev/zero is not a regular file")


def test_a_named_pipe_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "facts.yaml"
    os.mkfifo(fifo)
    result = run_followup(["advise", str(fifo), "--today", TODAY, "--no-audit"])
    refused(result, "is not a regular file (it is a pipe or a device)")


def test_endless_standard_input_is_read_only_to_the_limit() -> None:
    # `yes` never ends: the advisor must stop reading at the limit, refuse, and exit.
    with subprocess.Popen(["yes"], stdout=subprocess.PIPE) as endless:
        try:
            result = run_followup(
                ["advise", "-", "--today", TODAY, "--no-audit"], stdin=endless.stdout
            )
        finally:
            endless.kill()
    refused(result, "standard input is larger than 256 KiB")


def test_standard_input_that_is_not_utf8(run_cli: RunCli) -> None:
    result = run_cli("advise", "-", "--today", TODAY, "--no-audit", input=b"role: \xff\xfe\n")
    refused(result, "standard input is not UTF-8 text")


def test_a_set_value_that_is_not_utf8() -> None:
    result = run_followup(
        [b"advise", b"--set", b"interview_date=2026-11-20", b"--set", b"company=\xff"]
    )
    refused(result, "company contains an invalid character")


HOSTILE_TEXT = {
    "candidate_name": "Sam\x1b[2J",
    "company": "Acme\x9b31m",
    "role": "analyst\x07\nBcc: everyone@example.com",
    "interviewer_name": "Ms \u202eRivera",
}


def hostile_facts(tmp_path: Path) -> Path:
    path = tmp_path / "facts.json"
    facts = {"interview_date": "2026-11-20", "competing_offer": True, **HOSTILE_TEXT}
    path.write_text(json.dumps(facts), encoding="utf-8")
    return path


def test_control_characters_are_shown_escaped_in_text(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("advise", str(hostile_facts(tmp_path)), "--today", TODAY, "--no-audit")
    assert result.exit_code == 0, result.stderr
    assert not any(control in result.stdout for control in CONTROLS)
    assert "Sam\\x1b[2J" in result.stdout
    assert "Acme\\x9b31m" in result.stdout
    lines = result.stdout.splitlines()
    start = next(index for index, line in enumerate(lines) if "Subject:" in line)
    assert "analyst\\x07 Bcc:" in lines[start]
    # The role's line break became a space: no line of the heading starts a header of its own.
    heading = lines[start : lines.index("", start)]
    assert not any(line.lstrip().startswith("Bcc:") for line in heading)


def test_control_characters_stay_intact_in_json(run_cli: RunCli, tmp_path: Path) -> None:
    path = hostile_facts(tmp_path)
    result = run_cli("advise", str(path), "--today", TODAY, "--no-audit", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert not any(control in result.stdout for control in CONTROLS)
    message = json.loads(result.stdout)["message"]
    assert "\n" not in message["subject"]  # one line, whatever the role holds
    assert "analyst\x07 Bcc: everyone@example.com" in message["subject"]
    assert "Sam\x1b[2J" in message["body"] and "Acme\x9b31m" in message["body"]


def test_an_escape_code_in_a_fact_name_is_not_echoed(run_cli: RunCli, tmp_path: Path) -> None:
    result = advise_file(run_cli, tmp_path, 'interview_date: 2026-11-20\n"x\\e[2J": 1\n')
    line = refused(result, "a key must be a plain word, not `x\\x1b[2J`")
    assert "\x1b" not in line
    result = run_cli("advise", "--set", "x\x1b[2J=1", "--set", "interview_date=2026-11-20")
    line = refused(result, "--set x\\x1b[2J: unknown fact")
    assert "\x1b" not in line


def test_a_long_fact_name_is_cut(run_cli: RunCli) -> None:
    result = run_cli("advise", "--set", "x" * 5000 + "=1", "--set", "interview_date=2026-11-20")
    line = refused(result, "unknown fact 'xxx", "at most 64 letters")
    assert len(line) < 300


def test_a_rule_file_alias_bomb_is_refused(run_cli: RunCli, rules_copy: Path) -> None:
    advice = rules_copy / "advice.yaml"
    advice.write_text(advice.read_text() + billion_laughs(levels=6))
    result = run_cli("advise", "--rules", str(rules_copy), "--set", "interview_date=2026-11-20")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) <= 3
    assert f"more than {RULES.nodes:,} values" in result.stderr


def test_a_huge_rule_file_is_refused(run_cli: RunCli, rules_copy: Path) -> None:
    advice = rules_copy / "advice.yaml"
    advice.write_text(advice.read_text() + "#" * RULES.file_bytes)
    result = run_cli("rules", "check", str(rules_copy))
    assert "is larger than 4 MiB, the limit for a rule file" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_cases_for_rules_diff_with_a_bad_today(
    run_cli: RunCli, rules_copy: Path, tmp_path: Path
) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"interview_date": "2026-11-20", "today": "soon"}\n')
    result = run_cli("rules", "diff", str(rules_copy), str(rules_copy), "--cases", str(cases))
    refused(result, "line 1: today must be a date written YYYY-MM-DD, not 'soon'")


def test_cases_for_rules_diff_that_are_not_utf8(
    run_cli: RunCli, rules_copy: Path, tmp_path: Path
) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_bytes(b'{"interview_date": "2026-11-20"}\n{"role": "\xff"}\n')
    result = run_cli("rules", "diff", str(rules_copy), str(rules_copy), "--cases", str(cases))
    refused(result, "line 2: not UTF-8 text (byte 0xff at column 11)")


def test_an_escaped_surrogate_pair_in_json_is_one_character(
    run_cli: RunCli, tmp_path: Path
) -> None:
    # json.dumps writes 🙂 as "\ud83d\ude42" by default: a pair is a character, not refused.
    facts = {"interview_date": "2026-11-20", "competing_offer": True, "role": "café 🙂"}
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts))
    result = run_cli("advise", str(path), "--today", TODAY, "--no-audit", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "café 🙂" in json.loads(result.stdout)["message"]["subject"]
