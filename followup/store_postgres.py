"""The audit trail's rows in a shared PostgreSQL database (psycopg 3), for many machines.

Appends from any number of processes keep one chain: each write transaction first takes a
transaction-level advisory lock, so the chain head (the last record) cannot move between
reading it and appending after it, and ids stay gap-free (they follow the head, never a
sequence). A unique predecessor column refuses a fork even from a writer that skipped it.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
import urllib.parse
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from .backend import AuditDamaged, Row, schema_errors, unusable
from .chain import AuditError
from .migrations import migrate

try:
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict
    from psycopg.rows import dict_row
except ImportError:  # pragma: no cover - psycopg is a dependency; an odd install may lack it
    psycopg = None  # type: ignore[assignment]

TABLES = ("records", "rule_bases")
# One key for the chain head of every trail in a database: writers queue on it, readers never.
CHAIN_LOCK = int.from_bytes(
    hashlib.sha256(b"followup audit chain").digest()[:8], "big", signed=True
)
# A reader slower than this keeps old row versions (a redaction's) in the table files for now.
VACUUM_WAIT = "5s"
WRITE_WAIT = "60s"
DEAD_WRITER = "30s"
PAGE = 500
FIX = "check the address and that the server is running, or use --no-audit"


def _split(url: str) -> tuple[str, str, str, str, str]:
    """Scheme, user part, host part, path and query, read by hand: a malformed address must
    still be shown, without its password, in the message that refuses it."""
    scheme, _, rest = url.partition("://")
    rest, _, query = rest.partition("?")
    # The last @ ends the user part, so a password holding / or @ is still all in it.
    user, _, rest = rest.rpartition("@")
    host, slash, path = rest.partition("/")
    return scheme, user, host, slash + path, query


def shown(url: str) -> str:
    """The address without its password (in the user part or a password= parameter)."""
    scheme, user, host, path, query = _split(url)
    login = user.split(":", 1)[0]
    kept = [item for item in query.split("&") if item and not item.startswith("password=")]
    return f"{scheme}://{login + '@' if login else ''}{host}{path}" + (
        f"?{'&'.join(kept)}" if kept else ""
    )


def _secrets(url: str) -> list[str]:
    """Every password the address holds, so no message can repeat one."""
    _scheme, user, _host, _path, query = _split(url)
    found = [user.split(":", 1)[1]] if ":" in user else []
    found += [item.split("=", 1)[1] for item in query.split("&") if item.startswith("password=")]
    found += [urllib.parse.unquote(secret) for secret in found]
    # A password holding / or @ unencoded is cut up by libpq, which may echo a piece.
    found += [piece for secret in found for piece in re.split(r"[/@:?&=]", secret)]
    # Longest first, so a piece never leaves the rest of a whole password behind.
    return sorted({secret for secret in found if len(secret) >= 3}, key=len, reverse=True)


class PostgresBackend:
    """A trail in a PostgreSQL database: its tables made by the first record."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url
        self.location = shown(url)
        self.leftovers = f"the server's table files for {self.location}"
        self._secrets = _secrets(url)
        self._db: Any = None
        self._migrated = False
        if psycopg is None:
            raise AuditError(
                "a PostgreSQL audit database needs the psycopg package, which is not installed",
                suggestion="pip install 'psycopg[binary]>=3.1', or give a file with --audit-db",
            )
        self._check_address()

    def _check_address(self) -> None:
        try:
            options = conninfo_to_dict(self.url)
        except psycopg.Error as error:
            raise self._invalid(str(error)) from error
        port = str(options.get("port", "5432"))
        if not all(part.isdigit() for part in port.split(",")):
            # Not echoed: in a URL whose password holds a /, libpq reads the password as the port.
            raise self._invalid("its port is not a number")

    def _invalid(self, why: str) -> AuditError:
        return AuditError(
            f"the audit database address {self.location} is not valid: {self._clean(why)}",
            suggestion="write it as postgresql://USER@HOST:PORT/DATABASE, with any / @ or : "
            "in a password written %2F %40 %3A",
        )

    def _clean(self, text: str) -> str:
        """A driver message on one line, with no password in it."""
        text = text.replace(self.url, self.location)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return " ".join(line.strip() for line in text.splitlines() if line.strip())

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- opening ------------------------------------------------------------------------------

    def _connection(self) -> Any:
        # A connection the server dropped (a restart) is replaced: a web worker lives on.
        if self._db is None or self._db.closed:
            self._db = psycopg.connect(
                self.url, autocommit=True, connect_timeout=10, application_name="followup"
            )
            # Closed with the store, as an SQLite connection is: callers that keep a store
            # for one command need not close it.
            weakref.finalize(self, self._db.close)
            self._db.execute(f"SET lock_timeout = '{WRITE_WAIT}'")
            # A machine that dies inside an append (no socket closed) would hold the chain
            # head until the server noticed; this bounds that, as no append idles that long.
            self._db.execute(f"SET idle_in_transaction_session_timeout = '{DEAD_WRITER}'")
        return self._db

    def exists(self) -> bool:
        with self.errors():
            return bool(_tables(self._connection()) & {"migrations", *TABLES})

    def missing(self) -> AuditError:
        return AuditError(
            f"no audit trail at {self.location}: nothing has been recorded there yet",
            suggestion="give its place with --audit-db",
        )

    def _open(self, *, create: bool) -> Any:
        db = self._connection()
        if not self._migrated:
            if not create and not self.exists():
                raise self.missing()
            migrate(_Schema(db))
            self._migrated = True
        return db

    @contextmanager
    def errors(self) -> Iterator[None]:
        try:
            with schema_errors(self.location):
                yield
        except psycopg.errors.UndefinedTable as error:
            table = re.search(r'"([^"]+)"', str(error))
            named = table.group(1) if table else "audit"
            raise AuditDamaged(self.location, f"is damaged: it has no {named} table") from error
        except psycopg.OperationalError as error:
            if self._db is None or self._db.closed:
                # The driver's first line says why; its hints repeat what FIX says.
                reason = str(error).splitlines()[0].removeprefix("connection failed: ")
                raise AuditError(
                    f"cannot reach the audit database {self.location}: {self._clean(reason)}",
                    suggestion=FIX,
                ) from error
            raise self._problem(error) from error
        except psycopg.Error as error:
            raise self._problem(error) from error

    def _problem(self, error: Exception) -> AuditError:
        return unusable(self.location, self._clean(str(error)))

    # -- writing ------------------------------------------------------------------------------

    @contextmanager
    def writing(self, *, create: bool, scrub: bool = False) -> Iterator[_Writer]:
        # `scrub` needs nothing here: clear_old_copies rewrites the table after a redaction.
        db = self._open(create=create)
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (CHAIN_LOCK,))
            yield _Writer(db, self)

    def clear_old_copies(self) -> bool:
        """Rewrite the records table so no old row version stays in its files.

        Plain VACUUM only marks the space free; VACUUM FULL writes new files and drops the
        old ones. It needs the table to itself: a reader slower than VACUUM_WAIT keeps it.
        """
        db = self._open(create=False)
        try:
            db.execute(f"SET lock_timeout = '{VACUUM_WAIT}'")
            db.execute("VACUUM FULL records")
        except psycopg.errors.LockNotAvailable:
            return False
        finally:
            db.execute(f"SET lock_timeout = '{WRITE_WAIT}'")
        return True

    # -- reading ------------------------------------------------------------------------------

    def rows(
        self,
        *,
        kind: str | None = None,
        since: datetime.date | None = None,
        before: int | None = None,
        newest_first: bool = False,
    ) -> Iterator[Row]:
        """Page by page along seq, so no transaction stays open while a caller reads."""
        # The next page starts past the last row seen, in the direction of reading.
        filters = [sql.SQL("seq < %(past)s" if newest_first else "seq > %(past)s")]
        parameters: dict[str, Any] = {"past": 2**63 - 1 if newest_first else -(2**63), "page": PAGE}
        if kind is not None:
            filters.append(sql.SQL("kind = %(kind)s"))
            parameters["kind"] = kind
        if since is not None:
            filters.append(sql.SQL("recorded_at >= %(since)s"))
            parameters["since"] = since.isoformat()
        if before is not None:
            filters.append(sql.SQL("id < %(before)s"))
            parameters["before"] = before
        order = sql.SQL("DESC" if newest_first else "ASC")
        query = sql.SQL("SELECT * FROM records WHERE {} ORDER BY seq {} LIMIT %(page)s").format(
            sql.SQL(" AND ").join(filters), order
        )
        db = self._open(create=False)
        while True:
            page = db.cursor(row_factory=dict_row).execute(query, parameters).fetchall()
            yield from page
            if len(page) < PAGE:
                return
            parameters["past"] = page[-1]["seq"]

    def row(self, record_id: int) -> Row | None:
        cursor = self._open(create=False).cursor(row_factory=dict_row)
        found: Row | None = cursor.execute(
            "SELECT * FROM records WHERE id = %s", (record_id,)
        ).fetchone()
        return found

    def rule_files(self, version: str) -> Any:
        found = (
            self._open(create=False)
            .execute("SELECT files FROM rule_bases WHERE version = %s", (version,))
            .fetchone()
        )
        return None if found is None else found[0]

    def rule_bases(self) -> Iterator[tuple[str, str, str]]:
        db = self._open(create=False)
        yield from db.execute("SELECT version, files, stored_at FROM rule_bases ORDER BY version")

    def missing_tables(self) -> list[str]:
        held = _tables(self._connection())
        return [table for table in TABLES if table not in held]


class _Writer:
    def __init__(self, db: Any, backend: PostgresBackend) -> None:
        self.db = db
        self.backend = backend

    def head(self) -> tuple[int, str] | None:
        last = self.db.execute(
            "SELECT id, record_hash FROM records ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return None if last is None else (last[0], last[1])

    def add_rule_base(self, version: str, files: str, stored_at: str) -> None:
        self.db.execute(
            "INSERT INTO rule_bases (version, files, stored_at) VALUES (%s, %s, %s)"
            " ON CONFLICT (version) DO NOTHING",
            (version, files, stored_at),
        )

    def add_records(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        with self.db.cursor() as cursor:
            cursor.executemany(_insert(tuple(rows[0])), rows)

    def replace_columns(self, record_id: int, columns: Mapping[str, str]) -> None:
        query = sql.SQL("UPDATE records SET {} WHERE id = %(id)s").format(
            sql.SQL(", ").join(
                sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name))
                for name in columns
            )
        )
        self.db.execute(query, {**columns, "id": record_id})

    def row(self, record_id: int) -> Row | None:
        return self.backend.row(record_id)


class _Schema:
    """What the migrations need of a PostgreSQL connection."""

    dialect = "postgresql"

    def __init__(self, db: Any) -> None:
        self.db = db

    def version(self) -> int:
        if "migrations" not in _tables(self.db):
            return 0
        number = self.db.execute("SELECT max(number) FROM migrations").fetchone()[0]
        return number if isinstance(number, int) else 0

    def has_tables(self) -> bool:
        return bool(_tables(self.db))

    def migration_transaction(self) -> AbstractContextManager[None]:
        return self._locked()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # The chain lock: two processes opening a new database migrate one after the other.
        with self.db.transaction():
            self.db.execute("SELECT pg_advisory_xact_lock(%s)", (CHAIN_LOCK,))
            yield

    def run(self, statement: str) -> None:
        self.db.execute(statement)

    def mark(self, number: int, name: str) -> None:
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS migrations (number INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        self.db.execute("INSERT INTO migrations (number, name) VALUES (%s, %s)", (number, name))


@functools.lru_cache(maxsize=4)
def _insert(columns: tuple[str, ...]) -> Any:
    """The INSERT for these columns, composed once (every record has the same ones)."""
    return sql.SQL("INSERT INTO records ({}) VALUES ({})").format(
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(", ").join(map(sql.Placeholder, columns)),
    )


def _tables(db: Any) -> set[str]:
    """The tables of the current schema, read afresh: a lookup by name (to_regclass) may use a
    cache that does not yet see tables another process created while this one waited."""
    found = db.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return {row[0] for row in found.fetchall()}
