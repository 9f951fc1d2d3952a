"""The audit trail: every answer recorded in SQLite, chained by hashes so edits show.

Each record commits to its content field by field: a field's commitment is the sha256 of a
random nonce and the field's value. The record's content hash covers those commitments, and
its record hash covers the content hash and the previous record's hash. Redacting a personal
field blanks its value and nonce but keeps its commitment, so the chain still verifies, while
any other edit, a deleted row or a swapped pair does not.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import secrets
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from engine import AdvisorError, Answer, Case, RuleBase
from engine.trace import jsonable

from .migrations import migrate

GENESIS = "0" * 64
REDACTED = "[redacted]"
ENVIRONMENT_VARIABLE = "FOLLOWUP_AUDIT_DB"


class AuditError(AdvisorError):
    """The audit store cannot do what was asked (unknown record, unreadable database)."""


def default_path() -> Path:
    """FOLLOWUP_AUDIT_DB, else audit.sqlite3 in the platform's user data folder."""
    configured = os.environ.get(ENVIRONMENT_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    return platformdirs.user_data_path("followup") / "audit.sqlite3"


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def commitment(nonce: str, value: Any) -> str:
    return sha256(nonce + canonical(value))


@dataclass(frozen=True)
class AuditRecord:
    """One stored record: an answer given (kind "advice") or a redaction done."""

    id: int
    kind: str
    recorded_at: str
    source: str
    today: str | None
    facts: dict[str, Any]
    rule_base_version: str | None
    trace: list[dict[str, Any]]
    answer: dict[str, Any]
    redacted: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "recorded_at": self.recorded_at,
            "source": self.source,
            "today": self.today,
            "facts": self.facts,
            "rule_base": {"version": self.rule_base_version},
            "answer": self.answer,
            "trace": self.trace,
            "redacted_fields": sorted(self.redacted),
        }


@dataclass(frozen=True)
class Verification:
    """The result of walking the chain."""

    checked: int
    problem: str | None = None
    record_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class Entry:
    """What one answer contributes to the trail."""

    answer: Answer
    case: Case
    rule_base: RuleBase
    source: str


class AuditStore:
    """The SQLite audit store (WAL), with its schema brought up to date on opening."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=60, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            migrate(self.db)
        except (sqlite3.Error, OSError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise AuditError(
                f"cannot open the audit database {path}: {reason}",
                suggestion="give another place with --audit-db, or use --no-audit",
            ) from error

    def close(self) -> None:
        self.db.close()

    # -- writing ------------------------------------------------------------------------------

    def record(self, entry: Entry) -> int:
        """Record one answer; returns its id."""
        return self.record_many([entry])[0]

    def record_many(self, entries: Iterable[Entry]) -> list[int]:
        """Record several answers in one transaction; returns their ids in order."""
        ids = []
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for entry in entries:
                self._store_rule_base(entry.rule_base)
                answer = entry.answer.to_json()
                trace = answer.pop("trace")
                facts = {name: jsonable(value) for name, value in entry.case.given.items()}
                ids.append(
                    self._append(
                        kind="advice",
                        source=entry.source,
                        today=entry.case.today.isoformat(),
                        facts=facts,
                        rule_base_version=entry.rule_base.version,
                        trace=trace,
                        answer=answer,
                    )
                )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return ids

    def _store_rule_base(self, rule_base: RuleBase) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO rule_bases (version, files, stored_at) VALUES (?, ?, ?)",
            (rule_base.version, canonical(dict(rule_base.files)), _now()),
        )

    def _append(
        self,
        *,
        kind: str,
        source: str,
        today: str | None,
        facts: dict[str, Any],
        rule_base_version: str | None,
        trace: list[Any],
        answer: dict[str, Any],
    ) -> int:
        last = self.db.execute(
            "SELECT id, record_hash FROM records ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        record_id = (last[0] + 1) if last else 1
        prev_hash = last[1] if last else GENESIS
        fields = _fields(facts, answer)
        nonces = {name: secrets.token_hex(16) for name in fields}
        commitments = {name: commitment(nonces[name], value) for name, value in fields.items()}
        recorded_at = _now()
        content_hash = _content_hash(
            record_id, kind, recorded_at, source, today, rule_base_version, trace, commitments
        )
        self.db.execute(
            "INSERT INTO records (id, kind, recorded_at, source, today, facts, rule_base_version,"
            " trace, answer, nonces, redacted, content_hash, prev_hash, record_hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record_id,
                kind,
                recorded_at,
                source,
                today,
                canonical(facts),
                rule_base_version,
                canonical(trace),
                canonical(answer),
                canonical(nonces),
                canonical({}),
                content_hash,
                prev_hash,
                sha256(prev_hash + content_hash),
            ),
        )
        return record_id

    def redact(self, record_id: int, personal_facts: Iterable[str]) -> list[str]:
        """Blank the personal facts of a record (and answer text quoting them); record that."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            row = self._row(record_id)
            if row["kind"] != "advice":
                raise AuditError(f"record {record_id} is not advice and holds nothing personal")
            facts, answer = json.loads(row["facts"]), json.loads(row["answer"])
            nonces, redacted = json.loads(row["nonces"]), json.loads(row["redacted"])
            personal_texts = [
                text
                for name in personal_facts
                if name in facts and f"facts.{name}" in nonces
                for text in (facts[name] if isinstance(facts[name], list) else [facts[name]])
            ]
            blanked = [f"facts.{name}" for name in personal_facts if f"facts.{name}" in nonces]
            blanked += [
                f"answer.{key}"
                for key, value in answer.items()
                if f"answer.{key}" in nonces
                and any(text and str(text) in canonical(value) for text in personal_texts)
            ]
            for field in blanked:
                section, key = field.split(".", 1)
                target = facts if section == "facts" else answer
                value = target[key]
                redacted[field] = commitment(nonces.pop(field), value)
                target[key] = _blank(value)
            self.db.execute(
                "UPDATE records SET facts = ?, answer = ?, nonces = ?, redacted = ? WHERE id = ?",
                (
                    canonical(facts),
                    canonical(answer),
                    canonical(nonces),
                    canonical(redacted),
                    record_id,
                ),
            )
            self._append(
                kind="redaction",
                source="audit redact",
                today=None,
                facts={},
                rule_base_version=None,
                trace=[],
                answer={"redacted_record": record_id, "fields": sorted(blanked)},
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return sorted(blanked)

    # -- reading ------------------------------------------------------------------------------

    def get(self, record_id: int) -> AuditRecord:
        return _record(self._row(record_id))

    def records(
        self, since: datetime.date | None = None, action: str | None = None
    ) -> Iterator[AuditRecord]:
        """Advice records in order, optionally from a day on and of one action."""
        query = "SELECT * FROM records WHERE kind = 'advice'"
        parameters: list[Any] = []
        if since is not None:
            query += " AND recorded_at >= ?"
            parameters.append(since.isoformat())
        query += " ORDER BY seq"
        for row in self._rows(query, parameters):
            record = _record(row)
            if action is None or record.answer.get("action") == action:
                yield record

    def all_records(self) -> Iterator[AuditRecord]:
        for row in self._rows("SELECT * FROM records ORDER BY seq", []):
            yield _record(row)

    def rule_files(self, version: str) -> dict[str, str]:
        row = self.db.execute("SELECT files FROM rule_bases WHERE version = ?", (version,))
        found = row.fetchone()
        if found is None:
            raise AuditError(f"the rule base {version[:12]} is not in the audit store")
        files: dict[str, str] = json.loads(found[0])
        return files

    def _rows(self, query: str, parameters: list[Any]) -> Iterator[sqlite3.Row]:
        cursor = self.db.cursor()
        cursor.row_factory = sqlite3.Row
        yield from cursor.execute(query, parameters)

    def _row(self, record_id: int) -> sqlite3.Row:
        cursor = self.db.cursor()
        cursor.row_factory = sqlite3.Row
        row = cursor.execute("SELECT * FROM records WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise AuditError(f"no audit record {record_id}", suggestion="see `followup audit list`")
        result: sqlite3.Row = row
        return result

    # -- checking -----------------------------------------------------------------------------

    def verify(self) -> Verification:
        """Walk the chain; name the first record that was edited, deleted or reordered."""
        previous = GENESIS
        checked = 0
        redactions: dict[int, set[str]] = {}
        redacted_records: dict[int, set[str]] = {}
        for row in self._rows("SELECT * FROM records ORDER BY seq", []):
            record_id = row["id"]
            problem = _check_row(row)
            if problem is not None:
                return Verification(checked, f"record {record_id} {problem}", record_id)
            if row["prev_hash"] != previous:
                return Verification(
                    checked,
                    f"record {record_id} does not follow the record before it: a record was "
                    "deleted, inserted or reordered there",
                    record_id,
                )
            previous = row["record_hash"]
            checked += 1
            answer = json.loads(row["answer"])
            if row["kind"] == "redaction":
                redactions[answer["redacted_record"]] = set(answer["fields"])
            elif json.loads(row["redacted"]):
                redacted_records[record_id] = set(json.loads(row["redacted"]))
        for record_id, fields in redacted_records.items():
            if redactions.get(record_id) != fields:
                return Verification(
                    checked,
                    f"record {record_id} was blanked without a recorded redaction",
                    record_id,
                )
        return Verification(checked)


def _fields(facts: Mapping[str, Any], answer: Mapping[str, Any]) -> dict[str, Any]:
    fields = {f"facts.{name}": value for name, value in facts.items()}
    fields.update({f"answer.{key}": value for key, value in answer.items()})
    return fields


def _content_hash(
    record_id: int,
    kind: str,
    recorded_at: str,
    source: str,
    today: str | None,
    rule_base_version: str | None,
    trace: list[Any],
    commitments: Mapping[str, str],
) -> str:
    return sha256(
        canonical(
            {
                "id": record_id,
                "kind": kind,
                "recorded_at": recorded_at,
                "source": source,
                "today": today,
                "rule_base_version": rule_base_version,
                "trace": sha256(canonical(trace)),
                "commitments": dict(commitments),
            }
        )
    )


def _check_row(row: sqlite3.Row) -> str | None:
    """Why a row's content does not match its hashes, or None."""
    try:
        fields = _fields(json.loads(row["facts"]), json.loads(row["answer"]))
        nonces, redacted = json.loads(row["nonces"]), json.loads(row["redacted"])
        trace = json.loads(row["trace"])
    except (json.JSONDecodeError, TypeError):
        return "was edited (its content is no longer valid JSON)"
    if set(fields) != set(nonces) | set(redacted) or set(nonces) & set(redacted):
        return "was edited (fields were added or removed)"
    commitments = {}
    for name, value in fields.items():
        if name in redacted:
            if value != _blank(value):
                return "was edited (a redacted field holds a value again)"
            commitments[name] = redacted[name]
        else:
            commitments[name] = commitment(nonces[name], value)
    content_hash = _content_hash(
        row["id"],
        row["kind"],
        row["recorded_at"],
        row["source"],
        row["today"],
        row["rule_base_version"],
        trace,
        commitments,
    )
    if content_hash != row["content_hash"]:
        return "was edited (its content does not match its hash)"
    if sha256(row["prev_hash"] + content_hash) != row["record_hash"]:
        return "was edited (its chain hash does not match)"
    return None


def _blank(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _blank(item) for key, item in value.items()}
    if isinstance(value, list):
        return [REDACTED for _item in value]
    return REDACTED


def _record(row: sqlite3.Row) -> AuditRecord:
    return AuditRecord(
        id=row["id"],
        kind=row["kind"],
        recorded_at=row["recorded_at"],
        source=row["source"],
        today=row["today"],
        facts=json.loads(row["facts"]),
        rule_base_version=row["rule_base_version"],
        trace=json.loads(row["trace"]),
        answer=json.loads(row["answer"]),
        redacted=json.loads(row["redacted"]),
    )


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds")
