"""Tamper evidence for the audit trail, apart from any database: records, commitments, chain.

Each record commits to its content field by field: a field's commitment is the sha256 of a
random nonce and the field's value. The record's content hash covers those commitments, and
its record hash covers the content hash and the previous record's hash. Redacting a personal
field blanks its value and nonce but keeps its commitment, so the chain still verifies, while
any other edit, a deleted row or a swapped pair does not.

A stored record is a plain mapping of column name to value (JSON columns as text), so any
backend that stores such rows can use these functions. Nothing a row holds is trusted: every
check here turns a malformed value into a reason, never an exception.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import add, itemgetter
from typing import Any

from engine import AdvisorError
from engine.loader import RULE_FILES, rule_base_version
from engine.memo import WrittenOnce

GENESIS = "0" * 64
REDACTED = "[redacted]"
JSON_COLUMNS = ("facts", "answer", "nonces", "redacted")
RULE_FILE_NAMES = frozenset(RULE_FILES.values())

Row = Mapping[str, Any]


class AuditError(AdvisorError):
    """The audit store cannot do what was asked (unknown record, unreadable database)."""


# json.dumps with these options builds a new encoder for every call: one, kept, writes the
# same text (a record makes some twenty of them).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
NONCE_BYTES = 16


def canonical(value: Any) -> str:
    # Most values committed to are single words and numbers: written here as json writes them.
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    if type(value) is str:
        return json_string(value)
    if type(value) is list and all(type(item) is str for item in value):
        return "[" + ",".join(map(json_string, value)) + "]"
    if type(value) is dict and all(
        type(key) is str and type(item) is str for key, item in value.items()
    ):
        # An answer's message and rule base: flat objects of texts, written member by member.
        return _canonical_object({key: json_string(item) for key, item in value.items()})
    return _CANONICAL.encode(value)


# What json writes a text as (with ensure_ascii off): the C function where there is one.
json_string = json.encoder.encode_basestring


def _canonical_object(texts: Mapping[str, str]) -> str:
    """canonical() of an object whose values are written already: `texts` holds each one's."""
    keys = KEYS
    return "{" + ",".join([keys[key] + text for key, text in sorted(texts.items())]) + "}"


# A key as an object's member starts, `"key":`, written once a key: records share their names.
KEYS: WrittenOnce[str, str] = WrittenOnce(lambda key: json_string(key) + ":")


def sha256(text: str) -> str:
    return _sha256(text.encode()).hexdigest()


_sha256 = hashlib.sha256


def commitment(nonce: str, value: Any) -> str:
    return sha256(nonce + canonical(value))


@dataclass(frozen=True)
class Verification:
    """The result of walking the chain."""

    checked: int
    problem: str | None = None
    record_id: int | None = None
    # The problem is the database itself (damaged file, dropped table), not one record.
    whole_database: bool = False

    @property
    def ok(self) -> bool:
        return self.problem is None


def new_row(
    *,
    record_id: int,
    prev_hash: str,
    kind: str,
    recorded_at: str,
    source: str,
    today: str | None,
    facts: dict[str, Any],
    rule_base_version: str | None,
    trace: list[Any],
    answer: dict[str, Any],
) -> dict[str, Any]:
    """The columns of a new record that follows the record whose hash is `prev_hash`, from
    its values (a record of advice writes their texts itself: see `written_row`)."""
    return written_row(
        record_id=record_id,
        prev_hash=prev_hash,
        kind=kind,
        recorded_at=recorded_at,
        source=source,
        today=today,
        rule_base_version=rule_base_version,
        trace_text=canonical(trace),
        facts_texts={name: canonical(value) for name, value in facts.items()},
        answer_texts={key: canonical(value) for key, value in answer.items()},
    )


def written_row(
    *,
    record_id: int,
    prev_hash: str,
    kind: str,
    recorded_at: str,
    source: str,
    today: str | None,
    rule_base_version: str | None,
    trace_text: str,
    facts_texts: Mapping[str, str],
    answer_texts: Mapping[str, str],
) -> dict[str, Any]:
    """new_row, given the canonical text of the trace and of each fact's and answer's value.

    The texts' own order is the order their nonces are drawn in: the facts', then the answer's.
    """
    shape = _SHAPES[tuple(facts_texts), tuple(answer_texts)]
    texts = [*facts_texts.values(), *answer_texts.values()]
    # One read of the system's random source for all of a record's nonces, as secrets does.
    random = os.urandom(NONCE_BYTES * len(texts)).hex(" ", NONCE_BYTES).split()
    nonces = shape.fields(random)
    hashing = _sha256
    committed = map(str.encode, map(add, nonces, shape.fields(texts)))
    commitments = tuple([hashing(data).hexdigest() for data in committed])
    content_hash = _hashed_content(
        shape.fields_object % commitments,
        record_id,
        _KIND_MEMBERS[kind],
        recorded_at,
        _VERSION_AND_SOURCE_MEMBERS[rule_base_version, source],
        today,
        trace_text,
    )
    return {
        "id": record_id,
        "kind": kind,
        "recorded_at": recorded_at,
        "source": source,
        "today": today,
        "facts": shape.facts_object % shape.facts(texts),
        "rule_base_version": rule_base_version,
        "trace": trace_text,
        "answer": shape.answer_object % shape.answer(texts),
        "nonces": shape.fields_object % nonces,
        "redacted": "{}",
        "content_hash": content_hash,
        "prev_hash": prev_hash,
        "record_hash": sha256(prev_hash + content_hash),
    }


Pick = Callable[[Sequence[str]], tuple[str, ...]]


@dataclass(frozen=True)
class _Shape:
    """How a record's texts are laid out, for one set of fact and answer names: worked out
    once a set, as records come with the same few. The texts are numbered as their nonces
    are drawn (the facts', then the answer's); each object picks its members' texts in the
    sorted order of their names, and is written with a %-template of its keys."""

    # The nonces' and the commitments' object: a hexadecimal text for each field.
    fields: Pick
    fields_object: str
    facts: Pick
    facts_object: str
    answer: Pick
    answer_object: str


def _shape(names: tuple[tuple[str, ...], tuple[str, ...]]) -> _Shape:
    facts, answer = names
    numbered = {_FACT_FIELDS[name]: number for number, name in enumerate(facts)}
    numbered.update({_ANSWER_FIELDS[key]: len(facts) + n for n, key in enumerate(answer)})
    fields = sorted(numbered)
    fact_keys = sorted(facts)
    answer_keys = sorted(answer)
    return _Shape(
        fields=_picker([numbered[name] for name in fields]),
        fields_object=_template(fields, '"%s"'),
        facts=_picker([facts.index(name) for name in fact_keys]),
        facts_object=_template(fact_keys, "%s"),
        answer=_picker([len(facts) + answer.index(key) for key in answer_keys]),
        answer_object=_template(answer_keys, "%s"),
    )


def _picker(numbers: list[int]) -> Pick:
    """The texts of these numbers, in this order."""
    if len(numbers) >= 2:
        # itemgetter gives a tuple only for two items or more.
        pick: Pick = itemgetter(*numbers)
        return pick
    return lambda texts: tuple([texts[number] for number in numbers])


def _template(keys: list[str], value: str) -> str:
    """An object's canonical text with `value` for each member's: `%` fills in the texts."""
    members = [json_string(key).replace("%", "%%") + ":" + value for key in keys]
    return "{" + ",".join(members) + "}"


_SHAPES: WrittenOnce[tuple[tuple[str, ...], tuple[str, ...]], _Shape] = WrittenOnce(_shape)


def redacted_columns(row: Row, fields: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """The JSON columns of `row` with `fields` blanked (commitments kept), and what was blanked.

    Fields already blanked, or that the record does not hold, are left as they are.
    """
    columns = {name: _object(row[name]) for name in JSON_COLUMNS}
    if shape_problem(row) is not None:
        raise AuditError(
            f"record {row['id']} is damaged and cannot be redacted",
            suggestion="see `followup audit verify`",
        )
    facts, answer, nonces, redacted = (columns[name] or {} for name in JSON_COLUMNS)
    held = _fields(facts, answer)
    blanked = sorted({field for field in fields if field in nonces and field in held})
    for field in blanked:
        section, key = field.split(".", 1)
        target = facts if section == "facts" else answer
        redacted[field] = commitment(nonces.pop(field), target[key])
        target[key] = blank(target[key])
    updated = {"facts": facts, "answer": answer, "nonces": nonces, "redacted": redacted}
    return {name: canonical(value) for name, value in updated.items()}, blanked


def blank(value: Any) -> Any:
    """A value with its text replaced by [redacted], keeping its shape."""
    if isinstance(value, dict):
        return {key: blank(item) for key, item in value.items()}
    if isinstance(value, list):
        return [REDACTED for _item in value]
    return REDACTED


def rule_files_problem(version: str, files_json: Any) -> str | None:
    """Why stored rule files are not exactly the rule base `version`, or None.

    Only the rule base's own file names are accepted, so a stored name can never point
    outside the folder the files are written to.
    """
    files = _object(files_json)
    if files is None or not all(isinstance(text, str) for text in files.values()):
        return "its stored rule files are not readable"
    strange = sorted(set(files) - RULE_FILE_NAMES)
    if strange:
        return f"its stored rule files include `{strange[0]}`, which is not a rule file"
    if set(files) != RULE_FILE_NAMES:
        return "its stored rule files are incomplete"
    if rule_base_version(files) != version:
        return "its stored rule files were edited (they no longer match its version)"
    return None


def verify(rows: Iterable[Row], rule_base_problem: Callable[[str], str | None]) -> Verification:
    """Walk the chain; name the first record edited, deleted, reordered, or made by rules
    that are missing or altered (`rule_base_problem` says why a stored rule base is not sound).
    """
    walk = _Walk(rule_base_problem)
    for row in rows:
        problem = walk.step(row)
        if problem is not None:
            return Verification(walk.checked, problem, _int_or_none(row.get("id")))
    return walk.finish()


class _Walk:
    """The state of one walk along the chain."""

    def __init__(self, rule_base_problem: Callable[[str], str | None]) -> None:
        self.rule_base_problem = rule_base_problem
        self.previous = GENESIS
        self.checked = 0
        self.redactions: dict[int, set[str]] = {}
        self.redacted_records: dict[int, set[str]] = {}

    def step(self, row: Row) -> str | None:
        """Why this row breaks the chain, or None (and it is counted)."""
        record_id = row.get("id")
        problem = _row_problem(row)
        if problem is not None:
            return f"record {record_id} {problem}"
        if row["prev_hash"] != self.previous:
            return (
                f"record {record_id} does not follow the record before it: a record was "
                "deleted, inserted or reordered there"
            )
        version = row["rule_base_version"]
        if row["kind"] == "advice" and isinstance(version, str):
            rules_problem = self.rule_base_problem(version)
            if rules_problem is not None:
                return (
                    f"record {record_id} was made by rule base {version[:12]}, but {rules_problem}"
                )
        self.previous = row["record_hash"]
        self.checked += 1
        self._note_redactions(row)
        return None

    def _note_redactions(self, row: Row) -> None:
        answer, redacted = _object(row["answer"]) or {}, _object(row["redacted"]) or {}
        if row["kind"] == "redaction":
            target, fields = answer.get("redacted_record"), answer.get("fields")
            if isinstance(target, int) and isinstance(fields, list):
                # A record may be redacted more than once: each adds to what was blanked.
                self.redactions.setdefault(target, set()).update(str(field) for field in fields)
        elif redacted:
            self.redacted_records[row["id"]] = set(redacted)

    def finish(self) -> Verification:
        for record_id, fields in self.redacted_records.items():
            if self.redactions.get(record_id) != fields:
                return Verification(
                    self.checked,
                    f"record {record_id} was blanked without a recorded redaction",
                    record_id,
                )
        return Verification(self.checked)


def _row_problem(row: Row) -> str | None:
    """Why a row's content does not match its hashes, or None."""
    shape = shape_problem(row)
    if shape is not None:
        return shape
    facts, answer = _object(row["facts"]) or {}, _object(row["answer"]) or {}
    nonces, redacted = _object(row["nonces"]) or {}, _object(row["redacted"]) or {}
    fields = _fields(facts, answer)
    if set(fields) != set(nonces) | set(redacted) or set(nonces) & set(redacted):
        return "was edited (fields were added or removed)"
    commitments = {}
    for name, value in fields.items():
        if name in redacted:
            if value != blank(value):
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
        canonical(json.loads(row["trace"])),
        _canonical_object({name: canonical(value) for name, value in commitments.items()}),
    )
    if content_hash != row["content_hash"]:
        return "was edited (its content does not match its hash)"
    if sha256(row["prev_hash"] + content_hash) != row["record_hash"]:
        return "was edited (its chain hash does not match)"
    return None


def shape_problem(row: Row) -> str | None:
    """Why a row cannot even be checked (a column of the wrong kind), or None."""
    texts = ("kind", "recorded_at", "source", "content_hash", "prev_hash", "record_hash")
    if not isinstance(row.get("id"), int) or not all(isinstance(row.get(c), str) for c in texts):
        return "was edited (a column holds a value of the wrong kind)"
    if not all(isinstance(row.get(c), (str, type(None))) for c in ("today", "rule_base_version")):
        return "was edited (a column holds a value of the wrong kind)"
    if any(_object(row.get(column)) is None for column in JSON_COLUMNS):
        return "was edited (a field no longer holds a JSON object)"
    if not isinstance(_json(row.get("trace")), list):
        return "was edited (its trace no longer holds a JSON list)"
    nonces, redacted = _object(row["nonces"]) or {}, _object(row["redacted"]) or {}
    if not all(isinstance(value, str) for value in [*nonces.values(), *redacted.values()]):
        return "was edited (a commitment is not text)"
    return None


def _json(text: Any) -> Any:
    """The JSON value of a column, or None when it is not JSON text."""
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _object(text: Any) -> dict[str, Any] | None:
    value = _json(text)
    return value if isinstance(value, dict) else None


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) else None


# A section's field names (`facts.name`), written once a name.
_FACT_FIELDS: WrittenOnce[str, str] = WrittenOnce(lambda key: "facts." + key)
_ANSWER_FIELDS: WrittenOnce[str, str] = WrittenOnce(lambda key: "answer." + key)


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
    trace_text: str,
    commitments: str,
) -> str:
    """The hash of a record's content; its trace and its commitments (an object, name to
    commitment) are given as canonical JSON text."""
    # Written in full, not kept: a row being checked may hold anything, of any size.
    return _hashed_content(
        commitments,
        record_id,
        _kind_members(kind),
        recorded_at,
        _version_and_source_members((rule_base_version, source)),
        today,
        trace_text,
    )


def _hashed_content(
    commitments: str,
    record_id: int,
    kind_members: str,
    recorded_at: str,
    version_and_source_members: str,
    today: str | None,
    trace_text: str,
) -> str:
    """sha256 of canonical() of the content as an object, its members in their sorted order."""
    return sha256(
        '{"commitments":'
        + commitments
        + ',"id":'
        + canonical(record_id)
        + kind_members
        + canonical(recorded_at)
        + version_and_source_members
        + canonical(today)
        + ',"trace":"'
        + sha256(trace_text)
        + '"}'
    )


def _kind_members(kind: str) -> str:
    """The content's members from its kind up to its time."""
    return ',"kind":' + canonical(kind) + ',"recorded_at":'


def _version_and_source_members(key: tuple[str | None, str]) -> str:
    """The content's members from its rule base up to its day."""
    return (
        ',"rule_base_version":' + canonical(key[0]) + ',"source":' + canonical(key[1]) + ',"today":'
    )


# A new record's kind, rule base and source are those of the records before it.
_KIND_MEMBERS = WrittenOnce(_kind_members)
_VERSION_AND_SOURCE_MEMBERS = WrittenOnce(_version_and_source_members)
