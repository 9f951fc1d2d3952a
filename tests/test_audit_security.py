"""The audit trail against a database someone else can edit, and against leaks of personal data."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest

from .conftest import EXAMPLES, TODAY, RunCli, Trail, edit

PERSONAL_TOKENS = ("Xylophant", "Quorrick", "Brindlemere", "Vantablue")


def advise(run_cli: RunCli, facts_file: Path, *extra: str) -> int:
    result = run_cli("advise", str(facts_file), "--today", TODAY, *extra)
    assert result.exit_code == 0, result.stderr
    return int(result.stderr.split("recorded as audit record ")[1].split()[0])


def example(name: str) -> Path:
    return EXAMPLES / f"{name}.yaml"


def sql(path: Path, statement: str, *parameters: object) -> None:
    with sqlite3.connect(path) as db:
        db.execute(statement, parameters)
    db.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_one_line_error(stderr: str, *words: str) -> None:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    for word in words:
        assert word in lines[0], lines[0]


# -- stored rule files are never written outside a fresh folder -------------------------------


def plant_rule_file(trail: Trail, name: str) -> None:
    """Add a file called `name` to every stored rule base, as someone editing the database could."""
    for version, files in trail.query("SELECT version, files FROM rule_bases"):
        planted = {**json.loads(str(files)), name: "planted: true\n"}
        trail.sql("UPDATE rule_bases SET files = ? WHERE version = ?", json.dumps(planted), version)


@pytest.mark.parametrize("command", ["replay", "explain", "redact"])
@pytest.mark.parametrize("where", ["absolute", "parent", "nested"])
def test_stored_rule_file_names_cannot_write_outside_a_fresh_folder(
    run_cli: RunCli, audit_db: Path, tmp_path: Path, command: str, where: str
) -> None:
    # The names are checked above any store (chain.py): one store is enough here.
    trail = Trail("sqlite", str(audit_db))
    record_id = advise(run_cli, example("competing-offer"))
    target = tmp_path / "outside" / "planted.yaml"
    target.parent.mkdir()
    names = {
        "absolute": str(target),
        "parent": "../" * 12 + str(target).lstrip("/"),
        "nested": "sub/planted.yaml",
    }
    plant_rule_file(trail, names[where])
    result = run_cli("audit", command, str(record_id))
    if command == "redact":
        # Personal data must go even so: decided by the shipped rules instead.
        assert result.exit_code == 0
        assert_one_line_error(result.stderr, "cannot be used", "not a rule file")
    else:
        assert result.exit_code == 2
        assert_one_line_error(result.stderr, "rule base", "audit database", "not a rule file")
    assert not target.exists()
    assert list(tmp_path.rglob("planted.yaml")) == []
    verified = run_cli("audit", "verify")
    assert verified.exit_code == 1
    assert verified.stdout.startswith(f"TAMPERED: record {record_id}")


def test_verify_checks_stored_rule_files_against_their_version(
    run_cli: RunCli, trail: Trail
) -> None:
    advise(run_cli, example("timeline"))
    advise(run_cli, example("proactive"))
    trail.sql("UPDATE rule_bases SET files = replace(files, 'plus_days: 14', 'plus_days: 10')")
    result = run_cli("audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.startswith("TAMPERED: record 1 was made by rule base ")
    assert "but its stored rule files were edited" in result.stdout


def test_verify_reports_a_missing_rule_base(run_cli: RunCli, trail: Trail) -> None:
    advise(run_cli, example("timeline"))
    trail.sql("DELETE FROM rule_bases")
    result = run_cli("audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.startswith("TAMPERED: record 1 was made by rule base ")
    assert "but it is missing from the audit database" in result.stdout


# -- verify reports damage instead of crashing -----------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("facts", "[]"),
        ("facts", "5"),
        ("answer", '"text"'),
        ("answer", "null"),
        ("nonces", "[1, 2]"),
        ("redacted", "true"),
        ("trace", "{}"),
        ("nonces", '{"facts.culture": 7}'),
        ("prev_hash", 5),
        ("id", "one"),
    ],
)
def test_verify_reports_fields_of_the_wrong_shape_as_tampering(
    run_cli: RunCli, audit_db: Path, column: str, value: str | None
) -> None:
    advise(run_cli, example("timeline"))
    advise(run_cli, example("proactive"))
    sql(audit_db, f"UPDATE records SET {column} = ? WHERE seq = 2", value)
    result = run_cli("audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.startswith("TAMPERED: record ")
    assert "(1 records before it are intact)" in result.stdout


def test_verify_reports_a_corrupted_page(run_cli: RunCli, audit_db: Path) -> None:
    for name in ("timeline", "proactive", "one-followup"):
        advise(run_cli, example(name))
    data = bytearray(audit_db.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size:] = b"\xa5" * (len(data) - page_size)
    audit_db.write_bytes(bytes(data))
    result = run_cli("audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.startswith("TAMPERED: the audit database is damaged")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("table", ["records", "rule_bases", "migrations"])
def test_verify_reports_a_dropped_table(run_cli: RunCli, audit_db: Path, table: str) -> None:
    advise(run_cli, example("timeline"))
    sql(audit_db, f"DROP TABLE {table}")
    before = digest(audit_db)
    assert run_cli("advise", str(example("proactive")), "--today", TODAY).exit_code == 1
    assert digest(audit_db) == before
    result = run_cli("audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"TAMPERED: the audit database is damaged: it has no {table}")


def test_other_commands_on_a_damaged_database_give_one_line(
    run_cli: RunCli, audit_db: Path
) -> None:
    advise(run_cli, example("timeline"))
    sql(audit_db, "DROP TABLE records")
    for args in (("list",), ("show", "1"), ("export",), ("redact", "1")):
        result = run_cli("audit", *args)
        assert result.exit_code == 2, args
        assert_one_line_error(result.stderr, "audit database", "damaged")


@pytest.mark.parametrize("record_id", ["99999999999999999999", "0"])
def test_show_an_id_out_of_range(run_cli: RunCli, record_id: str) -> None:
    advise(run_cli, example("timeline"))
    result = run_cli("audit", "show", record_id)
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, f"no audit record {record_id}")


# -- recording problems after the advice is computed -----------------------------------------


def refuse_writes(audit_db: Path) -> None:
    """Make every new record fail, as a read-only database does (even for root)."""
    sql(
        audit_db,
        "CREATE TRIGGER refuse_records BEFORE INSERT ON records"
        " BEGIN SELECT RAISE(ABORT, 'attempt to write a readonly database'); END",
    )


def test_advise_prints_the_advice_when_it_cannot_be_recorded(
    run_cli: RunCli, audit_db: Path
) -> None:
    advise(run_cli, example("timeline"))
    refuse_writes(audit_db)
    before = digest(audit_db)
    result = run_cli("advise", str(example("proactive")), "--today", TODAY)
    assert result.exit_code == 1
    assert "Follow up now" in result.stdout
    assert_one_line_error(result.stderr, "could not be recorded in the audit trail", "readonly")
    assert digest(audit_db) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only files")
def test_advise_on_a_read_only_database_file(run_cli: RunCli, audit_db: Path) -> None:
    advise(run_cli, example("timeline"))
    audit_db.chmod(0o444)
    result = run_cli("advise", str(example("proactive")), "--today", TODAY, "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["action"] == "follow_up_now"
    assert_one_line_error(result.stderr, "could not be recorded in the audit trail")


def make_newer_schema(audit_db: Path) -> None:
    sql(audit_db, "INSERT INTO migrations (number, name) VALUES (2, 'from the future')")


def test_a_database_from_a_newer_version_is_not_written(run_cli: RunCli, audit_db: Path) -> None:
    advise(run_cli, example("timeline"))
    make_newer_schema(audit_db)
    before = digest(audit_db)
    result = run_cli("advise", str(example("proactive")), "--today", TODAY)
    assert result.exit_code == 1
    assert "Follow up now" in result.stdout
    assert_one_line_error(result.stderr, "schema version 2", "knows up to version 1")
    listed = run_cli("audit", "list")
    assert listed.exit_code == 2
    assert_one_line_error(listed.stderr, "schema version 2", "knows up to version 1")
    assert digest(audit_db) == before


READ_COMMANDS = [
    ("audit", "list"),
    ("audit", "show", "1"),
    ("audit", "explain", "1"),
    ("audit", "replay", "1"),
    ("audit", "verify"),
    ("audit", "export"),
    ("audit", "redact", "1"),
]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda args: args[1])
def test_read_commands_do_not_create_the_database(
    run_cli: RunCli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    missing = tmp_path / "not-yet" / "audit.sqlite3"
    result = run_cli(*args, "--audit-db", str(missing))
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, f"no audit database at {missing}")
    assert not missing.parent.exists()


def test_ask_creates_the_database_only_when_it_records(run_cli: RunCli, audit_db: Path) -> None:
    result = run_cli("ask", "--today", TODAY, input="quit\n")
    assert result.exit_code == 0
    assert not audit_db.exists()


# -- redaction leaves nothing personal in the database files ---------------------------------


AWKWARD_FACTS = """\
interview_date: 2026-11-20
competing_offer: yes
offer_deadline: 2026-12-02
company: "Xylophant \\"Labs\\" Ltd"
role: "Data\\\\Quorrick Analyst"
interviewer_name: "Ms\\tBrindlemere"
candidate_name: "Sam\\nVantablue"
discussed_points: ["the Vantablue migration"]
"""


def raw_bytes(audit_db: Path) -> bytes:
    wal = audit_db.with_name(audit_db.name + "-wal")
    return audit_db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


@pytest.mark.parametrize("other_connection", [False, True], ids=["alone", "shared"])
def test_redaction_leaves_no_personal_text_in_the_database_files(
    run_cli: RunCli, audit_db: Path, tmp_path: Path, other_connection: bool
) -> None:
    facts = tmp_path / "awkward.yaml"
    facts.write_text(AWKWARD_FACTS)
    record_id = advise(run_cli, facts)
    advise(run_cli, example("timeline"))
    assert all(token.encode() in raw_bytes(audit_db) for token in PERSONAL_TOKENS)
    other = sqlite3.connect(audit_db)
    try:
        if other_connection:
            assert other.execute("SELECT count(*) FROM records").fetchone() == (2,)
        else:
            other.close()
        result = run_cli("audit", "redact", str(record_id))
        assert result.exit_code == 0, result.stderr
        assert "answer.message" in result.stdout
        leaked = [token for token in PERSONAL_TOKENS if token.encode() in raw_bytes(audit_db)]
        assert leaked == []
    finally:
        other.close()
    assert run_cli("audit", "verify").exit_code == 0


def test_redaction_blanks_text_built_from_a_personal_fact_whatever_its_form(
    run_cli: RunCli, audit_db: Path, tmp_path: Path
) -> None:
    # The deadline is stored as 2026-12-02 but the message says "Wednesday 2 December 2026":
    # no search for the stored text would find it there.
    facts = tmp_path / "deadline.yaml"
    facts.write_text(
        "interview_date: 2026-11-20\ncompeting_offer: yes\noffer_deadline: 2026-12-02\n"
    )
    record_id = advise(run_cli, facts)
    result = run_cli("audit", "redact", str(record_id))
    assert result.exit_code == 0
    assert result.stdout == (f"redacted record {record_id}: answer.message, facts.offer_deadline\n")
    exported = run_cli("audit", "export").stdout
    assert "December 2026" not in exported and "2026-12-02" not in exported
    assert b"2 December 2026" not in raw_bytes(audit_db)


def test_a_redacted_record_can_still_be_replayed_and_explained(
    run_cli: RunCli, trail: Trail
) -> None:
    record_id = advise(run_cli, example("competing-offer"))
    assert run_cli("audit", "redact", str(record_id)).exit_code == 0
    replayed = run_cli("audit", "replay", str(record_id))
    assert replayed.exit_code == 0, replayed.stderr
    assert "On the stored rules: same answer: follow_up_now on 2026-11-26" in replayed.stdout
    explained = run_cli("audit", "explain", str(record_id))
    assert explained.exit_code == 0, explained.stderr
    assert "✓ reach_out_sooner — fired" in explained.stdout
    assert "Sam Lee" not in explained.stdout + replayed.stdout


def test_a_reason_a_coach_wrote_with_a_personal_fact_is_blanked(
    run_cli: RunCli, rules_copy: Path, tmp_path: Path
) -> None:
    edit(
        rules_copy / "advice.yaml",
        "as long as you say it respectfully.",
        "as long as you say it respectfully, before {offer_deadline}.",
    )
    facts = tmp_path / "deadline.yaml"
    facts.write_text(
        "interview_date: 2026-11-20\ncompeting_offer: yes\noffer_deadline: 2026-12-02\n"
    )
    record_id = advise(run_cli, facts, "--rules", str(rules_copy))
    result = run_cli("audit", "redact", str(record_id))
    assert result.exit_code == 0
    assert "answer.reasons" in result.stdout and "answer.headline" not in result.stdout
    record = json.loads(run_cli("audit", "export").stdout.splitlines()[0])
    assert record["answer"]["reasons"] == ["[redacted]"]
    assert record["answer"]["headline"].startswith("Follow up now")


def test_redaction_still_works_when_the_records_rules_are_gone(
    run_cli: RunCli, trail: Trail
) -> None:
    record_id = advise(run_cli, example("competing-offer"))
    trail.sql("DELETE FROM rule_bases")
    result = run_cli("audit", "redact", str(record_id))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"redacted record {record_id}: answer.headline, answer.message, answer.reasons, "
        "facts.candidate_name, facts.company, facts.interviewer_name, facts.offer_deadline, "
        "facts.role\n"
    )
    assert "the rules that made record" in result.stderr
    assert "Sam Lee" not in run_cli("audit", "export").stdout
    if trail.kind == "sqlite":  # the server's files: test_audit_postgres.py
        assert b"Sam Lee" not in raw_bytes(Path(trail.place))
