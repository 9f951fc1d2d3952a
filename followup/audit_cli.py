"""`followup audit ...`: list, show, explain, replay, verify, export and redact records."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from engine import load_rule_base

from .audit import AuditError, AuditStore, Place
from .audit_place import audit_db_option, audit_place, open_store
from .errors import cli_errors
from .inputs import parse_day
from .output import emit, graph_output_options
from .replay import fields_to_redact, replay, stored_answer, stored_rule_base


def existing_store(place: Place | None) -> AuditStore:
    """The audit store at `place` for reading: refused if it is not there, never created."""
    store = open_store(place)
    store.require()
    return store


@click.group()
def audit() -> None:
    """The audit trail: every answer given, verifiable, explainable and replayable.

    \b
    Examples:
        followup audit list --since 2026-11-01
        followup audit show 12
        followup audit verify
        followup audit replay 12
    """


@audit.command("list")
@audit_db_option
@click.option("--since", metavar="YYYY-MM-DD", help="Only records made on or after this day.")
@click.option("--action", metavar="ACTION", help="Only records with this advice.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
def list_records(
    audit_db: Place | None, since: str | None, action: str | None, output_format: str
) -> None:
    """List recorded advice, oldest first.

    \b
    Example:
        followup audit list --action send_reminder --format json
    """
    with cli_errors():
        day = parse_day(since, "--since") if since else None
        records = list(existing_store(audit_db).records(day, action))
    if output_format == "json":
        click.echo(
            json.dumps([record.to_json() for record in records], ensure_ascii=False, indent=2)
        )
        return
    from rich import box  # noqa: PLC0415 - rich (30 ms to import) only for text at a terminal
    from rich.console import Console  # noqa: PLC0415 - rich (30 ms to import) only for text at a terminal
    from rich.table import Table  # noqa: PLC0415 - rich (30 ms to import) only for text at a terminal

    table = Table(box=box.SIMPLE_HEAD)
    for title in ("id", "recorded (UTC)", "by", "today", "action", "follow up on"):
        table.add_column(title, no_wrap=True)
    for record in records:
        table.add_row(
            str(record.id),
            record.recorded_at[:16].replace("T", " "),
            record.source,
            record.today or "",
            str(record.answer.get("action")),
            str(record.answer.get("follow_up_on") or "—"),
        )
    Console(highlight=False).print(table)


@audit.command()
@audit_db_option
@click.argument("record_id", type=int, metavar="ID")
def show(audit_db: Place | None, record_id: int) -> None:
    """Show one record: facts, answer, reasons and rule version.

    \b
    Example:
        followup audit show 12
    """
    with cli_errors():
        record = existing_store(audit_db).get(record_id)
    lines = [
        f"Record {record.id} ({record.kind}), recorded {record.recorded_at} by {record.source}"
    ]
    if record.kind == "advice":
        lines += [f"Today: {record.today}", f"Rule base: {record.rule_base_version}", "Facts:"]
        lines += [f"  {name}: {value}" for name, value in record.facts.items()]
        lines += [f"Advice: {record.answer.get('headline')}", "Reasons:"]
        lines += [f"  • {reason}" for reason in _texts(record.answer.get("reasons"))]
        lines += [f"Fired rules: {', '.join(_texts(record.answer.get('fired_rules')))}"]
        if record.redacted:
            lines.append(f"Redacted: {', '.join(sorted(record.redacted))}")
    else:
        lines.append(json.dumps(record.answer, ensure_ascii=False))
    click.echo("\n".join(lines))


def _texts(value: object) -> list[str]:
    """A stored list of text as lines, whatever an edited record holds instead."""
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


@audit.command("explain")
@audit_db_option
@click.argument("record_id", type=int, metavar="ID")
@graph_output_options
def explain_record(
    audit_db: Place | None,
    record_id: int,
    output_format: str | None,
    out: Path | None,
    dpi: int | None,
) -> None:
    """Draw the reasoning of a recorded answer, from its stored trace and rules.

    \b
    Example:
        followup audit explain 12 -o record-12.svg
    """
    from . import pictures  # noqa: PLC0415 - networkx and Graphviz load only for graphs

    with cli_errors():
        store = existing_store(audit_db)
        record = store.get(record_id)
        answer = stored_answer(store, record)
        rule_base = stored_rule_base(store, str(record.rule_base_version))
        fmt = pictures.graph_format(output_format, out)
        emit(pictures.rendered(pictures.reasoning(rule_base, answer), fmt, dpi), fmt, out)


@audit.command("replay")
@audit_db_option
@click.argument("record_id", type=int, metavar="ID")
@click.option(
    "--rules",
    "rules_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="The current rule base to compare with (default: shipped).",
)
def replay_record(audit_db: Place | None, record_id: int, rules_dir: Path | None) -> None:
    """Re-run a record on the rules that made it, and on the current rules.

    Exit status 1 when the stored rules no longer give the recorded answer.

    \b
    Example:
        followup audit replay 12
    """
    with cli_errors():
        store = existing_store(audit_db)
        result = replay(store, store.get(record_id), load_rule_base(rules_dir))
    recorded = result.recorded
    click.echo(
        f"Recorded: {recorded['action']} on {recorded['follow_up_on'] or '—'} "
        f"(rules {result.record.rule_base_version[:12] if result.record.rule_base_version else ''})"
    )
    verdict = "same answer" if result.same_on_stored_rules else "DIFFERENT answer"
    click.echo(
        f"On the stored rules: {verdict}: {result.stored_rules['action']} on "
        f"{result.stored_rules['follow_up_on'] or '—'}"
    )
    if result.current_rules is None:
        click.echo(
            f"On the current rules ({result.current_version[:12]}): {result.current_problem}"
        )
    elif result.differs_now:
        click.echo(
            f"On the current rules ({result.current_version[:12]}): it would differ: "
            f"{result.current_rules['action']} on "
            f"{result.current_rules['follow_up_on'] or '—'} "
            f"(fired: {', '.join(result.current_rules['fired_rules'])})"
        )
    else:
        click.echo(f"On the current rules ({result.current_version[:12]}): same answer")
    if result.changed_rules:
        click.echo(f"Rules changed since: {', '.join(result.changed_rules)}")
    sys.exit(0 if result.same_on_stored_rules else 1)


@audit.command()
@audit_db_option
def verify(audit_db: Place | None) -> None:
    """Walk the hash chain; name the first record edited, deleted or reordered (exit 1).

    \b
    Example:
        followup audit verify
    """
    with cli_errors():
        result = existing_store(audit_db).verify()
    if result.ok:
        click.echo(f"ok: {result.checked} records, chain intact")
        return
    if result.whole_database:
        click.echo(f"TAMPERED: {result.problem}")
    else:
        click.echo(f"TAMPERED: {result.problem} ({result.checked} records before it are intact)")
    sys.exit(1)


@audit.command()
@audit_db_option
@click.option(
    "--format", "output_format", type=click.Choice(["jsonl"]), default="jsonl", show_default=True
)
def export(audit_db: Place | None, output_format: str) -> None:
    """Write every record, redactions included, one JSON object per line.

    \b
    Example:
        followup audit export > audit.jsonl
    """
    with cli_errors():
        for record in existing_store(audit_db).all_records():
            click.echo(json.dumps(record.to_json(), ensure_ascii=False))


@audit.command()
@audit_db_option
@click.argument("record_id", type=int, metavar="ID")
def redact(audit_db: Place | None, record_id: int) -> None:
    """Blank the personal facts of a record (names, company, role, points, news).

    The redaction is itself recorded, and `verify` still passes for the record.

    \b
    Example:
        followup audit redact 12
    """
    with cli_errors():
        store = existing_store(audit_db)
        record = store.get(record_id)
        if record.kind != "advice" or record.rule_base_version is None:
            raise AuditError(f"record {record_id} is not advice and holds nothing personal")
        fields, note = fields_to_redact(store, record)
        if note is not None:
            click.echo(f"note: {note}", err=True)
        done = store.redact(record_id, fields)
    summary = ", ".join(done.fields) or ("already redacted" if fields else "nothing personal held")
    click.echo(f"redacted record {record_id}: {summary}")
    if not done.log_cleared:
        click.echo(
            "note: another program is reading the audit database, so an old copy of the "
            f"blanked text stays in {store.backend.leftovers} until that program is done: "
            "run this command again then",
            err=True,
        )


@audit.command()
@audit_db_option
@click.option(
    "--to",
    "target",
    required=True,
    callback=audit_place,
    metavar="URL|PATH",
    help="The empty audit database to copy into (a postgresql:// URL, or an SQLite file).",
)
def copy(audit_db: Place | None, target: Place) -> None:
    """Copy the whole trail, unchanged, into an empty database (say, SQLite to PostgreSQL).

    The trail is verified first, and the copy is made in one transaction; `verify` passes on
    it, and the original is left as it was.

    \b
    Example:
        followup audit copy --to postgresql://followup@db.example.org/followup
    """
    with cli_errors():
        source = existing_store(audit_db)
        destination = open_store(target)
        count = source.copy_to(destination)
    click.echo(f"copied {count} records from {source.location} to {destination.location}")
