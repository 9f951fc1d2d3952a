"""`followup serve`: the advisor as a local web app (the web modules load only here)."""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path

import click

from engine import Advisor, load_rule_base
from engine.loader import default_rules_dir

from .audit import default_place
from .audit_place import audit_db_option
from .errors import cli_errors
from .inputs import parse_day

LOCAL = "127.0.0.1"


@click.command()
@click.option("--host", default=LOCAL, show_default=True, help="The address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--today", metavar="YYYY-MM-DD", help="The day the advice is for (default: today).")
@click.option(
    "--rules",
    "rules_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Use another rule base.",
)
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Log in to the audit pages with the password in FILE instead of a printed token.",
)
@click.option("--no-audit", is_flag=True, help="Do not record the advice in the audit trail.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes answering at once. Each records into the one trail: an SQLite file "
    "serves the workers of one machine; several machines need a postgresql:// URL.",
)
@click.option(
    "--record-api",
    is_flag=True,
    help="Record the answers of POST /api/advice too (their record id in the X-Followup-Record "
    "header; an answer that cannot be recorded is refused with 503).",
)
@audit_db_option
def serve(
    host: str,
    port: int,
    today: str | None,
    rules_dir: Path | None,
    password_file: Path | None,
    no_audit: bool,
    workers: int,
    record_api: bool,
    audit_db: Path | str | None,
) -> None:
    """Open the advisor in a web browser: the consultation, the answer, the audit trail and
    the rule editor.

    Listens on 127.0.0.1:8000 (this computer only) unless told otherwise. The audit pages and
    the rule editor (/rules/edit, which saves into the --rules folder) need the login address
    printed at start, or the password in --password-file.

    \b
    Examples:
        followup serve
        followup serve --port 8080 --password-file ~/.followup-password
        followup serve --workers 4 --audit-db postgresql://followup@db/followup
    """
    # Loaded here so that the other commands never pay for the web stack.
    import uvicorn  # noqa: PLC0415

    from .web import Gate, PasswordFileError, Settings, create_app  # noqa: PLC0415
    from .web.workers import ENVIRONMENT, FACTORY, to_environment  # noqa: PLC0415

    if record_api and no_audit:
        raise click.UsageError(
            "--record-api records into the audit trail, which --no-audit turns off"
        )
    with cli_errors():
        day: datetime.date | None = parse_day(today) if today else None
        advisor = Advisor(load_rule_base(rules_dir))
        place = None if no_audit else audit_db or default_place()
        try:
            gate = Gate.from_file(password_file) if password_file else Gate.with_token()
        except PasswordFileError as error:
            raise click.BadParameter(str(error), param_hint="--password-file") from None
    folder = rules_dir or default_rules_dir()
    settings = Settings(advisor, gate, place, day, record_api=record_api, rules_dir=folder)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/"
    click.echo(f"followup is open at {address}  (Ctrl-C stops it)")
    if gate.from_password_file:
        click.echo(f"Audit pages: {address}login (the password in {password_file})")
    else:
        click.echo(f"Audit pages: {address}login?token={gate.secret}")
    if host != LOCAL:
        click.echo(f"note: listening on {host}: other computers can reach it", err=True)
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
        return
    # Each worker builds its own app from these settings: one login secret, one trail, and one
    # file of ended sessions, so that a logout in one worker ends the session in all.
    with tempfile.TemporaryDirectory(prefix="followup-sessions-") as shared:
        gate.ended_file = Path(shared) / "ended"
        gate.ended_file.touch(mode=0o600)
        os.environ[ENVIRONMENT] = to_environment(folder, place, day, gate, record_api)
        uvicorn.run(
            FACTORY, factory=True, workers=workers, host=host, port=port, log_level="warning"
        )
