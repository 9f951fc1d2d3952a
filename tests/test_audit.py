"""The audit trail on each store (SQLite and PostgreSQL): recording, commands, tamper evidence,
redaction, concurrency, crashes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from followup import chain
from followup.audit import AuditStore

from .conftest import EXAMPLES, TODAY, RunCli, Trail, edit


def advise(run_cli: RunCli, example: str, *extra: str) -> int:
    result = run_cli("advise", str(EXAMPLES / f"{example}.yaml"), "--today", TODAY, *extra)
    assert result.exit_code == 0, result.stderr
    return int(result.stderr.split("recorded as audit record ")[1].split()[0])


def test_advise_records_facts_rules_trace_and_answer(run_cli: RunCli, trail: Trail) -> None:
    record_id = advise(run_cli, "proactive")
    record = AuditStore(trail.place).get(record_id)
    assert record.source == "advise" and record.today == TODAY
    assert record.facts["culture"] == "proactive"
    assert record.facts["discussed_points"] == [
        "the onboarding redesign",
        "your design system roadmap",
    ]
    assert record.answer["action"] == "follow_up_now"
    assert [item["rule"] for item in record.trace] == record.answer["fired_rules"]
    assert AuditStore(trail.place).rule_files(str(record.rule_base_version))["advice.yaml"]


def test_no_audit_and_refused_input_record_nothing(
    run_cli: RunCli, trail: Trail, tmp_path: Path
) -> None:
    run_cli("advise", str(EXAMPLES / "timeline.yaml"), "--today", TODAY, "--no-audit")
    bad = tmp_path / "bad.yaml"
    bad.write_text("interview_date: 2026-12-30\n")
    assert run_cli("advise", str(bad), "--today", TODAY).exit_code == 2
    assert not AuditStore(trail.place).exists()


def test_batch_records_only_when_asked(run_cli: RunCli, trail: Trail) -> None:
    lines = '{"interview_date": "2026-11-20"}\n{"interview_date": "2026-11-02"}\nnot json\n'
    run_cli("advise", "--batch", "-", "--today", TODAY, input=lines)
    assert not AuditStore(trail.place).exists()
    result = run_cli("advise", "--batch", "-", "--today", TODAY, "--audit", input=lines)
    assert result.exit_code == 1
    records = list(AuditStore(trail.place).records())
    assert [r.source for r in records] == ["batch", "batch"]
    assert [r.answer["action"] for r in records] == ["wait", "follow_up_now"]


def test_ask_records_the_final_answer(run_cli: RunCli, trail: Trail) -> None:
    answers = "2026-11-16\nno\nno\n0\nno\nunsure\n\ndone\n"
    result = run_cli("ask", "--today", TODAY, input=answers)
    assert "(Recorded in the audit trail as record 1.)" in result.stdout
    assert AuditStore(trail.place).get(1).source == "ask"


def test_list_show_export(run_cli: RunCli, trail: Trail) -> None:
    for example in ("timeline", "one-followup", "several-followups"):
        advise(run_cli, example)
    table = run_cli("audit", "list")
    assert table.exit_code == 0
    assert "send_reminder" in table.stdout and "move_on" in table.stdout
    listed = json.loads(run_cli("audit", "list", "--action", "wait", "--format", "json").stdout)
    assert [record["id"] for record in listed] == [1]
    assert (
        json.loads(run_cli("audit", "list", "--since", "2999-01-01", "--format", "json").stdout)
        == []
    )
    shown = run_cli("audit", "show", "2").stdout
    assert "Advice: Send one gentle reminder — today, Thursday 26 November 2026" in shown
    assert "  followups_sent: 1" in shown
    assert "Fired rules: reminder_a_week_after_last_followup, reminder_is_due" in shown
    exported = [json.loads(line) for line in run_cli("audit", "export").stdout.splitlines()]
    assert [record["id"] for record in exported] == [1, 2, 3]
    missing = run_cli("audit", "show", "99")
    assert missing.exit_code == 2 and "no audit record 99" in missing.stderr


def test_explain_a_record_from_its_trace(run_cli: RunCli, tmp_path: Path) -> None:
    record_id = advise(run_cli, "timeline")
    text = run_cli("audit", "explain", str(record_id))
    assert text.stdout.startswith("Advice: Wait — follow up on Monday 7 December 2026")
    assert "✓ just_after_their_deadline — fired" in text.stdout
    out = tmp_path / "record.svg"
    assert run_cli("audit", "explain", str(record_id), "-o", str(out)).exit_code == 0
    assert "just_after_their_deadline" in out.read_text()


def test_replay_after_the_rules_changed(run_cli: RunCli, rules_copy: Path) -> None:
    record_id = advise(run_cli, "no-timeline", "--rules", str(rules_copy))
    edit(rules_copy / "advice.yaml", "        plus_days: 14", "        plus_days: 10")
    result = run_cli("audit", "replay", str(record_id), "--rules", str(rules_copy))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1] == "On the stored rules: same answer: wait on 2026-11-30"
    assert "it would differ: follow_up_now on 2026-11-26" in lines[2]
    assert lines[3] == "Rules changed since: two_weeks_when_unsure"


def test_replay_on_unchanged_rules(run_cli: RunCli) -> None:
    record_id = advise(run_cli, "update")
    result = run_cli("audit", "replay", str(record_id))
    assert "On the current rules" in result.stdout and "same answer" in result.stdout
    assert "Rules changed since" not in result.stdout


def _fill(run_cli: RunCli, count: int = 4) -> None:
    for example in ("timeline", "proactive", "one-followup", "competing-offer")[:count]:
        advise(run_cli, example)


def test_verify_passes_on_an_intact_chain(run_cli: RunCli, trail: Trail) -> None:
    _fill(run_cli)
    result = run_cli("audit", "verify")
    assert result.exit_code == 0
    assert result.stdout == "ok: 4 records, chain intact\n"


def test_verify_catches_an_edited_field(run_cli: RunCli, trail: Trail) -> None:
    _fill(run_cli)
    trail.sql("UPDATE records SET answer = replace(answer, 'wait', 'move_on') WHERE id = 1")
    result = run_cli("audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.startswith("TAMPERED: record 1 was edited")


def test_verify_catches_an_edited_fact(run_cli: RunCli, trail: Trail) -> None:
    _fill(run_cli)
    trail.sql("UPDATE records SET facts = replace(facts, 'proactive', 'unsure') WHERE id = 2")
    result = run_cli("audit", "verify")
    assert result.exit_code == 1
    assert "record 2 was edited" in result.stdout


def test_verify_catches_a_deleted_row(run_cli: RunCli, trail: Trail) -> None:
    _fill(run_cli)
    trail.sql("DELETE FROM records WHERE id = 2")
    result = run_cli("audit", "verify")
    assert result.exit_code == 1
    assert "record 3 does not follow the record before it" in result.stdout


def test_verify_catches_a_swapped_pair(run_cli: RunCli, trail: Trail) -> None:
    _fill(run_cli)
    trail.sql("UPDATE records SET seq = -2 WHERE id = 2")
    trail.sql("UPDATE records SET seq = 2 WHERE id = 3")
    trail.sql("UPDATE records SET seq = 3 WHERE id = 2")
    result = run_cli("audit", "verify")
    assert result.exit_code == 1
    assert "record 3 does not follow the record before it" in result.stdout


def test_redaction_blanks_personal_facts_and_still_verifies(run_cli: RunCli, trail: Trail) -> None:
    record_id = advise(run_cli, "competing-offer")
    advise(run_cli, "timeline")
    result = run_cli("audit", "redact", str(record_id))
    assert result.exit_code == 0
    assert "facts.candidate_name" in result.stdout and "answer.message" in result.stdout
    record = AuditStore(trail.place).get(record_id)
    assert record.facts["candidate_name"] == "[redacted]"
    assert record.facts["interview_date"] == "2026-11-20"
    assert "Sam Lee" not in json.dumps(record.to_json())
    assert record.answer["action"] == "follow_up_now"
    verified = run_cli("audit", "verify")
    assert verified.exit_code == 0, verified.stdout
    assert verified.stdout == "ok: 3 records, chain intact\n"
    last = AuditStore(trail.place).get(3)
    assert last.kind == "redaction" and last.answer["redacted_record"] == record_id
    # Any other edit of the redacted record still shows.
    trail.sql(
        "UPDATE records SET facts = replace(facts, '2026-11-20', '2026-11-21') WHERE id = ?",
        record_id,
    )
    assert run_cli("audit", "verify").exit_code == 1


def test_blanking_without_a_redaction_record_shows(run_cli: RunCli, trail: Trail) -> None:
    record_id = advise(run_cli, "competing-offer")
    store = AuditStore(trail.place)
    store.redact(record_id, ["facts.candidate_name"])
    trail.sql("DELETE FROM records WHERE kind = 'redaction'")
    result = run_cli("audit", "verify")
    assert result.exit_code == 1
    assert f"record {record_id} was blanked without a recorded redaction" in result.stdout


RECORDER = """
import datetime, sys
from engine import Advisor, load_rule_base, read_case
from followup.audit import AuditStore, Entry
store = AuditStore(sys.argv[1])
rule_base = load_rule_base()
advisor = Advisor(rule_base)
for number in range(int(sys.argv[2])):
    case = read_case({"interview_date": "2026-11-%02d" % (1 + number % 25)}, rule_base,
                     today=datetime.date(2026, 11, 26))
    store.record(Entry(advisor.advise(case), case, rule_base, "worker"))
"""


def test_concurrent_recorders_lose_nothing(trail: Trail) -> None:
    workers = [
        subprocess.Popen([sys.executable, "-c", RECORDER, trail.place, "80"]) for _ in range(4)
    ]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0, 0, 0]
    store = AuditStore(trail.place)
    assert len(list(store.records())) == 320
    result = store.verify()
    assert result.ok and result.checked == 320
    ids = [record.id for record in store.all_records()]
    assert ids == list(range(1, 321))


def test_a_killed_batch_leaves_a_valid_chain(trail: Trail, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"interview_date": "2026-11-02"}\n' * 20_000)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "followup",
            "advise",
            "--batch",
            str(cases),
            "--audit",
            "--today",
            TODAY,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "FOLLOWUP_AUDIT_DB": trail.place},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and trail.count() < 400:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    store = AuditStore(trail.place)
    result = store.verify()
    assert result.ok, result.problem
    assert 400 <= result.checked < 20_000


@pytest.mark.parametrize(
    "command", ["list", "show", "explain", "replay", "verify", "export", "redact"]
)
def test_audit_commands_have_help(run_cli: RunCli, command: str) -> None:
    result = run_cli("audit", command, "--help")
    assert result.exit_code == 0 and "Example" in result.stdout


def test_records_newest_first_and_below_an_id(
    run_cli: RunCli, trail: Trail, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pages of 3 rows, so that PostgreSQL reads across pages both ways.
    monkeypatch.setattr("followup.store_postgres.PAGE", 3)
    lines = "\n".join(json.dumps({"interview_date": "2026-11-20"}) for _ in range(8))
    result = run_cli("advise", "--batch", "-", "--audit", "--today", TODAY, input=lines + "\n")
    assert result.exit_code == 0, result.stderr
    store = AuditStore(trail.place)
    assert [record.id for record in store.records()] == list(range(1, 9))
    assert [record.id for record in store.records(newest_first=True)] == list(range(8, 0, -1))
    assert [record.id for record in store.records(before=6, newest_first=True)] == [5, 4, 3, 2, 1]
    assert [record.id for record in store.records(before=4)] == [1, 2, 3]


VALUES = [None, True, False, 0, -5, 10**30, 1.5, float("nan"), "", 'é\u2028\x00"\\', [1, "x"]]


@pytest.mark.parametrize("value", [*VALUES, dict(zip("bac", VALUES, strict=False))])
def test_canonical_json_is_jsons_own(value: object) -> None:
    # Hashes are taken over this text: it must stay exactly what json.dumps writes.
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert chain.canonical(value) == expected
    facts = {"é": value, "a": value, "B": [value]}
    row = chain.new_row(
        record_id=1,
        prev_hash=chain.GENESIS,
        kind="advice",
        recorded_at="2026-11-26T00:00:00+00:00",
        source="test",
        today="2026-11-26",
        facts=facts,
        rule_base_version="v",
        trace=[],
        answer={"action": value},
    )
    assert row["facts"] == chain.canonical(facts)
    assert row["answer"] == chain.canonical({"action": value})
    assert chain.verify([row], lambda _version: None).ok
