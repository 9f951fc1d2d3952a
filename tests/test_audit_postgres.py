"""What only a PostgreSQL audit trail has: an address with a password, a server's files, a copy.

The chain, tamper, redaction, concurrency and crash tests run on both stores in
test_audit.py; these are about the server and the way there.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import psycopg
import pytest

from engine import Advisor, RuleBase, read_case
from followup import store_postgres
from followup.audit import AuditError, AuditStore, Entry

from .conftest import EXAMPLES, TODAY, RunCli, Trail
from .pgserver import Server
from .test_audit_security import AWKWARD_FACTS, PERSONAL_TOKENS, assert_one_line_error

SECRET = "s3cr3t-Pa55"


def advise(run_cli: RunCli, facts: str | Path, *extra: str) -> int:
    """Advise on an example (by name) or a facts file, and return the new record's id."""
    path = facts if isinstance(facts, Path) else EXAMPLES / f"{facts}.yaml"
    result = run_cli("advise", str(path), "--today", TODAY, *extra)
    assert result.exit_code == 0, result.stderr
    return int(result.stderr.split("recorded as audit record ")[1].split()[0])


@pytest.fixture
def pg_trail(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Trail:
    monkeypatch.setenv("FOLLOWUP_AUDIT_DB", pg_url)
    return Trail("postgresql", pg_url)


# -- the address --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "shown", "words"),
    [
        (
            f"postgresql://ann:{SECRET}@127.0.0.1:1/trail",
            "postgresql://ann@127.0.0.1:1/trail",
            "cannot reach the audit database",
        ),
        (
            f"postgresql://127.0.0.1:1/trail?password={SECRET}",
            "postgresql://127.0.0.1:1/trail",
            "cannot reach the audit database",
        ),
        (
            f"postgresql://ann:{SECRET}@[::1/trail",
            "postgresql://ann@[::1/trail",
            "is not valid",
        ),
        ("postgresql://db.example.org:five/trail", "db.example.org:five", "is not valid"),
        (
            f"postgresql://ann:{SECRET}/x@y@127.0.0.1:1/trail",
            "postgresql://ann@127.0.0.1:1/trail",
            "is not valid",
        ),
    ],
    ids=["unreachable", "password-parameter", "malformed", "bad-port", "slash-in-password"],
)
def test_a_bad_address_gets_one_line_that_never_shows_the_password(
    run_cli: RunCli, address: str, shown: str, words: str
) -> None:
    for args in (("audit", "list"), ("audit", "verify")):
        result = run_cli(*args, "--audit-db", address)
        assert result.exit_code == 2, result.stdout
        assert_one_line_error(result.stderr, words, shown)
        assert SECRET not in result.stderr + result.stdout


def test_advice_is_printed_when_the_server_cannot_be_reached(run_cli: RunCli) -> None:
    address = f"postgresql://ann:{SECRET}@127.0.0.1:1/trail"
    result = run_cli(
        "advise", str(EXAMPLES / "timeline.yaml"), "--today", TODAY, "--audit-db", address
    )
    assert result.exit_code == 1
    assert "Wait" in result.stdout
    assert_one_line_error(
        result.stderr, "could not be recorded", "postgresql://ann@127.0.0.1:1/trail"
    )
    assert SECRET not in result.stderr


def test_a_database_without_a_trail_is_refused_and_left_empty(
    run_cli: RunCli, pg_trail: Trail
) -> None:
    for args in (("list",), ("show", "1"), ("verify",), ("redact", "1")):
        result = run_cli("audit", *args)
        assert result.exit_code == 2, args
        assert_one_line_error(result.stderr, "no audit trail at postgresql://")
    with psycopg.connect(pg_trail.place) as db:
        tables = db.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
        assert tables.fetchone() == (0,)


# -- damage and versions -----------------------------------------------------------------------


@pytest.mark.parametrize("table", ["records", "rule_bases", "migrations"])
def test_a_dropped_table_is_reported_not_crashed_on(
    run_cli: RunCli, pg_trail: Trail, table: str
) -> None:
    advise(run_cli, "timeline")
    pg_trail.sql(f"DROP TABLE {table}")
    recorded = run_cli("advise", str(EXAMPLES / "proactive.yaml"), "--today", TODAY)
    assert recorded.exit_code == 1
    assert_one_line_error(recorded.stderr, "could not be recorded", "damaged")
    result = run_cli("audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"TAMPERED: the audit database is damaged: it has no {table}")
    if table != "rule_bases":  # without its rule files, a trail can still be listed
        listed = run_cli("audit", "list")
        assert listed.exit_code == 2
        assert_one_line_error(listed.stderr, "audit database", "damaged")


def test_a_trail_from_a_newer_followup_is_not_written(run_cli: RunCli, pg_trail: Trail) -> None:
    advise(run_cli, "timeline")
    pg_trail.sql("INSERT INTO migrations (number, name) VALUES (2, 'from the future')")
    result = run_cli("advise", str(EXAMPLES / "proactive.yaml"), "--today", TODAY)
    assert result.exit_code == 1
    assert "Follow up now" in result.stdout
    assert_one_line_error(result.stderr, "schema version 2", "knows up to version 1")
    assert pg_trail.count() == 1


def test_the_database_refuses_a_second_record_after_the_same_one(
    run_cli: RunCli, pg_trail: Trail
) -> None:
    # Even a writer that skipped the chain-head lock cannot fork the chain.
    advise(run_cli, "timeline")
    with pytest.raises(psycopg.errors.UniqueViolation):
        pg_trail.sql(
            "INSERT INTO records (id, kind, recorded_at, source, facts, trace, answer, nonces,"
            " redacted, content_hash, prev_hash, record_hash)"
            " SELECT 2, kind, recorded_at, source, facts, trace, answer, nonces, redacted,"
            " content_hash, prev_hash, 'x' FROM records WHERE id = 1"
        )


# -- redaction reaches the server's files --------------------------------------------------------


def database_files(server: Server, url: str) -> bytes:
    """Every table file of the trail's database, written out to disk first."""
    with psycopg.connect(server.url(), autocommit=True) as admin:
        admin.execute("CHECKPOINT")
        name = url.rsplit("/", 1)[1].split("?")[0]
        found = admin.execute("SELECT oid FROM pg_database WHERE datname = %s", (name,))
        row = found.fetchone()
    assert row is not None
    folder = server.data / "base" / str(row[0])
    return b"".join(path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file())


def test_redaction_leaves_no_personal_text_in_the_servers_table_files(
    run_cli: RunCli, pg_trail: Trail, pg_server: Server, tmp_path: Path
) -> None:
    facts = tmp_path / "awkward.yaml"
    facts.write_text(AWKWARD_FACTS)
    advise(run_cli, "timeline")
    record_id = advise(run_cli, facts)
    advise(run_cli, "proactive")
    before = database_files(pg_server, pg_trail.place)
    assert all(token.encode() in before for token in PERSONAL_TOKENS)
    result = run_cli("audit", "redact", str(record_id))
    assert result.exit_code == 0, result.stderr
    assert "facts.company" in result.stdout and result.stderr == ""
    after = database_files(pg_server, pg_trail.place)
    assert [token for token in PERSONAL_TOKENS if token.encode() in after] == []
    verified = run_cli("audit", "verify")
    assert verified.stdout == "ok: 4 records, chain intact\n"


# -- copy ----------------------------------------------------------------------------------------


def test_copy_moves_a_sqlite_trail_into_postgresql_unchanged(
    run_cli: RunCli, audit_db: Path, pg_url: str
) -> None:
    for name in ("timeline", "competing-offer", "one-followup"):
        advise(run_cli, name)
    assert run_cli("audit", "redact", "2").exit_code == 0
    result = run_cli("audit", "copy", "--to", pg_url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"copied 4 records from {audit_db} to {pg_url}\n"
    assert run_cli("audit", "verify", "--audit-db", pg_url).stdout == (
        "ok: 4 records, chain intact\n"
    )
    original = run_cli("audit", "export").stdout
    assert run_cli("audit", "export", "--audit-db", pg_url).stdout == original
    # The copy goes on where the original stopped.
    assert advise(run_cli, "proactive", "--audit-db", pg_url) == 5
    assert run_cli("audit", "verify", "--audit-db", pg_url).exit_code == 0
    replayed = run_cli("audit", "replay", "1", "--audit-db", pg_url)
    assert "On the stored rules: same answer" in replayed.stdout


def test_copy_goes_only_into_an_empty_trail(run_cli: RunCli, audit_db: Path, pg_url: str) -> None:
    advise(run_cli, "timeline")
    advise(run_cli, "proactive", "--audit-db", pg_url)
    result = run_cli("audit", "copy", "--to", pg_url)
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "already holds records")
    exported = [
        json.loads(line)
        for line in run_cli("audit", "export", "--audit-db", pg_url).stdout.splitlines()
    ]
    assert [record["facts"].get("culture") for record in exported] == ["proactive"]


def test_a_trail_that_does_not_verify_is_not_copied(
    run_cli: RunCli, audit_db: Path, pg_url: str
) -> None:
    advise(run_cli, "timeline")
    advise(run_cli, "proactive")
    Trail("sqlite", str(audit_db)).sql("DELETE FROM records WHERE id = 1")
    result = run_cli("audit", "copy", "--to", pg_url)
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "does not verify", "not copied")
    assert Trail("postgresql", pg_url).count() == 0


def test_without_psycopg_a_postgresql_address_gets_one_line(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_postgres, "psycopg", None)
    result = run_cli("audit", "list", "--audit-db", f"postgresql://ann:{SECRET}@db/trail")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "needs the psycopg package", "pip install")
    assert SECRET not in result.stderr


def test_a_long_lived_store_reconnects_after_the_server_drops_it(
    pg_trail: Trail, pg_server: Server, rule_base: RuleBase, advisor: Advisor
) -> None:
    case = read_case({"interview_date": "2026-11-16"}, rule_base, today=datetime.date(2026, 11, 26))
    entry = Entry(advisor.advise(case), case, rule_base, "worker")
    store = AuditStore(pg_trail.place)
    assert store.record(entry) == 1
    with psycopg.connect(pg_server.url(), autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'followup'"
        )
    with pytest.raises(AuditError, match="audit database postgresql://"):
        store.record(entry)
    assert store.record(entry) == 2
    assert store.verify().ok
    store.close()


def test_a_failed_append_leaves_no_gap_in_the_ids(run_cli: RunCli, pg_trail: Trail) -> None:
    advise(run_cli, "timeline")
    pg_trail.sql(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql"
        " AS $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$"
    )
    pg_trail.sql(
        "CREATE TRIGGER refuse BEFORE INSERT ON records FOR EACH ROW EXECUTE FUNCTION refuse()"
    )
    failed = run_cli("advise", str(EXAMPLES / "proactive.yaml"), "--today", TODAY)
    assert failed.exit_code == 1
    assert_one_line_error(failed.stderr, "could not be recorded", "refused for the test")
    pg_trail.sql("DROP TRIGGER refuse ON records")
    # The failed append used a number of the table's own sequence, but never an id.
    assert advise(run_cli, "proactive") == 2
    assert pg_trail.query("SELECT id, seq FROM records ORDER BY seq") == [(1, 1), (2, 3)]
    assert run_cli("audit", "verify").stdout == "ok: 2 records, chain intact\n"


def test_copy_goes_back_from_postgresql_to_sqlite(
    run_cli: RunCli, pg_trail: Trail, tmp_path: Path
) -> None:
    for name in ("timeline", "competing-offer"):
        advise(run_cli, name)
    target = tmp_path / "back.sqlite3"
    result = run_cli("audit", "copy", "--to", str(target))
    assert result.exit_code == 0, result.stderr
    assert run_cli("audit", "verify", "--audit-db", str(target)).stdout == (
        "ok: 2 records, chain intact\n"
    )
    exported = run_cli("audit", "export", "--audit-db", str(target)).stdout
    assert exported == run_cli("audit", "export").stdout
