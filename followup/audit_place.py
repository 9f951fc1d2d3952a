"""--audit-db, the option naming the audit database, and the store it opens.

Apart from the audit commands so that `advise` takes the option without importing them; the
store, and SQLite with it, loads only when something is recorded or read.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from .audit import AuditStore, Place


def audit_place(ctx: click.Context, param: click.Parameter, value: str | None) -> Place | None:
    """A postgresql:// URL stays text (as a path its // would fold); anything else is a file."""
    if value is None:
        return None
    from .backend import is_url  # noqa: PLC0415 - the audit trail's modules only when named

    if is_url(value):
        return value
    path: Path = click.Path(dir_okay=False, path_type=Path).convert(value, param, ctx)
    return path


audit_db_option = click.option(
    "--audit-db",
    callback=audit_place,
    envvar="FOLLOWUP_AUDIT_DB",
    metavar="PATH|URL",
    help="The audit database: an SQLite file, or a postgresql:// URL "
    "(default: FOLLOWUP_AUDIT_DB, else the user data folder).",
)


def open_store(place: Place | None) -> AuditStore:
    """The audit store at `place` (default: the user's); created by its first record."""
    from .audit import AuditStore, default_place  # noqa: PLC0415 - SQLite only to record or read

    return AuditStore(place or default_place())
