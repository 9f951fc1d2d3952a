"""The small interface every audit store implements: rows in, rows out, one chain head.

A backend stores and fetches the plain rows chain.py makes and checks; it never computes a
hash. Each turns its driver's errors into AuditError (AuditDamaged for a damaged database)
inside `errors()`, so the audit trail speaks the same way whichever store holds it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

from .chain import AuditError
from .migrations import NewerSchema, UnknownSchema

# An --audit-db value starting so names a PostgreSQL database (store_postgres, loaded only then).
SCHEMES = ("postgresql://", "postgres://")


def is_url(place: str) -> bool:
    """Whether an --audit-db value names a PostgreSQL database rather than an SQLite file."""
    return place.startswith(SCHEMES)


Row = dict[str, Any]


class AuditDamaged(AuditError):
    """The database or its tables are damaged; `reason` says how."""

    def __init__(self, location: str, reason: str) -> None:
        super().__init__(
            f"the audit database {location} {reason}", suggestion="see `followup audit verify`"
        )
        self.reason = reason


def unusable(location: str, reason: str) -> AuditError:
    """A store that cannot be used as it is, in the same words on every store."""
    return AuditError(
        f"cannot use the audit database {location}: {reason}",
        suggestion="give another place with --audit-db, or use --no-audit",
    )


@contextmanager
def schema_errors(location: str) -> Iterator[None]:
    """The migrations' refusals, in the same words on every store."""
    try:
        yield
    except NewerSchema as error:
        raise AuditError(
            f"the audit database {location} was made by a newer followup "
            f"({error.message}): it is left as it is",
            suggestion="update followup, or give another place with --audit-db",
        ) from error
    except UnknownSchema as error:
        raise AuditDamaged(location, f"is damaged: {error.message}") from error


class Writer(Protocol):
    """One write transaction, holding the chain head: no other writer appends until it ends."""

    def head(self) -> tuple[int, str] | None:
        """The id and record hash of the last record, or None for an empty trail."""

    def add_rule_base(self, version: str, files: str, stored_at: str) -> None:
        """Store a rule base's files (as JSON text) unless that version is already stored."""

    def add_records(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Append record rows, in order (each with the same columns, those chain.new_row
        makes): in one statement, one round trip to a database server."""

    def replace_columns(self, record_id: int, columns: Mapping[str, str]) -> None:
        """Overwrite some JSON columns of one record (a redaction)."""

    def row(self, record_id: int) -> Row | None: ...


class Backend(Protocol):
    """Where an audit trail's rows live."""

    # The place as a person may see it: never a password.
    location: str
    # Where an old copy of redacted text may stay while another program reads.
    leftovers: str

    def exists(self) -> bool:
        """Whether a trail is there (reading never creates one; the first record does)."""

    def missing(self) -> AuditError:
        """The refusal for a trail that is not there."""

    def close(self) -> None: ...

    def errors(self) -> AbstractContextManager[None]:
        """Turn what the driver says into one line a person can act on."""

    def writing(self, *, create: bool, scrub: bool = False) -> AbstractContextManager[Writer]:
        """One write transaction with the chain head held; `scrub` zeroes freed space."""

    def rows(
        self,
        *,
        kind: str | None = None,
        since: datetime.date | None = None,
        before: int | None = None,
        newest_first: bool = False,
    ) -> Iterator[Row]:
        """Record rows in chain order (or newest first), optionally of one kind, from a day on,
        and with ids below `before`."""

    def row(self, record_id: int) -> Row | None: ...

    def rule_files(self, version: str) -> Any:
        """The stored files of a rule base as stored (JSON text, unchecked), or None."""

    def rule_bases(self) -> Iterator[tuple[str, str, str]]:
        """Every stored rule base: version, files (JSON text), stored_at."""

    def missing_tables(self) -> list[str]:
        """The audit tables the database lacks (it was damaged)."""

    def clear_old_copies(self) -> bool:
        """Remove old copies of rewritten rows from the files; False if a reader kept them."""
