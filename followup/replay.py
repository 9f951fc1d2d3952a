"""Re-running recorded advice: on the exact rules that gave it, and on today's rules."""

from __future__ import annotations

import datetime
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import Advisor, Answer, FactError, RuleBase, compose_answer, load_rule_base, read_case
from engine.dates import Move
from engine.trace import Firing, Outcome
from explain.words import rule_signature

from .audit import AuditError, AuditRecord, AuditStore
from .personal import personal_fields

COMPARED = ("action", "follow_up_on", "fired_rules")


def stored_rule_base(store: AuditStore, version: str) -> RuleBase:
    """The rule base exactly as it was when a record was made.

    The stored files are checked first (only the rule base's own names, content matching
    its version), then written into a fresh private folder that is removed afterwards.
    """
    files = store.rule_files(version)
    with tempfile.TemporaryDirectory(prefix="followup-rules-") as folder:
        for name, text in files.items():
            _write_new_file(Path(folder), name, text)
        rule_base = load_rule_base(folder)
    if rule_base.version != version:
        raise AuditError(f"the stored rule base {version[:12]} does not match its version")
    return rule_base


def _write_new_file(folder: Path, name: str, text: str) -> None:
    # rule_files() admits only plain rule-file names; refuse anything else here as well, and
    # never write through a file that is already there.
    if Path(name).name != name or name in ("", ".", ".."):
        raise AuditError(f"the stored rule file name `{name}` is not a plain file name")
    with open(folder / name, "x", encoding="utf-8") as stream:
        stream.write(text)


def stored_answer(store: AuditStore, record: AuditRecord) -> Answer:
    """The recorded answer rebuilt from its stored facts and trace (not re-run)."""
    if record.rule_base_version is None or record.today is None:
        raise AuditError(f"record {record.id} is not advice")
    rule_base = stored_rule_base(store, record.rule_base_version)
    case = read_case(_unredacted_facts(record), rule_base, today=_day(record.today))
    values = dict(case.values)
    try:
        firings = [_firing(rule_base, item) for item in record.trace]
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise AuditError(
            f"record {record.id} has a damaged trace", suggestion="see `followup audit verify`"
        ) from error
    for firing in firings:
        if firing.status == "fired":
            values.update(firing.concluded)
    outcome = Outcome(values, tuple(firings), rule_base.goal, rule_base.version)
    return compose_answer(rule_base, outcome)


@dataclass(frozen=True)
class Replay:
    """A recorded answer against the stored rules and against the current ones."""

    record: AuditRecord
    stored_rules: dict[str, Any]
    same_on_stored_rules: bool
    current_rules: dict[str, Any] | None
    current_version: str
    changed_rules: tuple[str, ...]
    current_problem: str | None = None

    @property
    def differs_now(self) -> bool:
        return self.current_rules is not None and self.current_rules != self.recorded

    @property
    def recorded(self) -> dict[str, Any]:
        return {key: self.record.answer.get(key) for key in COMPARED}


def replay(store: AuditStore, record: AuditRecord, current: RuleBase) -> Replay:
    """Re-run a record's facts on its own rules and on `current`, and say what changed."""
    if record.rule_base_version is None or record.today is None:
        raise AuditError(f"record {record.id} is not advice")
    old_rules = stored_rule_base(store, record.rule_base_version)
    today = _day(record.today)
    facts = _unredacted_facts(record)
    on_stored = _summary(Advisor(old_rules).advise(read_case(facts, old_rules, today=today)))
    recorded = {key: record.answer.get(key) for key in COMPARED}
    try:
        on_current: dict[str, Any] | None = _summary(
            Advisor(current).advise(read_case(facts, current, today=today))
        )
        problem = None
    except FactError as error:
        on_current, problem = None, f"the current rules refuse these facts: {error.one_line()}"
    return Replay(
        record=record,
        stored_rules=on_stored,
        same_on_stored_rules=on_stored == recorded,
        current_rules=on_current,
        current_version=current.version,
        changed_rules=changed_rules(old_rules, current),
        current_problem=problem,
    )


def changed_rules(old: RuleBase, new: RuleBase) -> tuple[str, ...]:
    """Ids of rules added, removed or changed between two rule bases, as written."""
    before = {rule.id: rule_signature(rule) for rule in old.written_rules()}
    after = {rule.id: rule_signature(rule) for rule in new.written_rules()}
    return tuple(
        sorted(
            rule_id
            for rule_id in before.keys() | after.keys()
            if before.get(rule_id) != after.get(rule_id)
        )
    )


def _summary(answer: Answer) -> dict[str, Any]:
    data = answer.to_json()
    return {key: data[key] for key in COMPARED}


def _unredacted_facts(record: AuditRecord) -> dict[str, Any]:
    """The facts still held: redacted ones are personal, used only for the message, so the
    decision is re-run without them."""
    return {
        name: value
        for name, value in record.facts.items()
        if f"facts.{name}" not in record.redacted
    }


def _firing(rule_base: RuleBase, item: dict[str, Any]) -> Firing:
    concluded = {name: _typed(rule_base, name, value) for name, value in item["concluded"].items()}
    matched = {name: _typed(rule_base, name, value) for name, value in item["matched"].items()}
    moved = {
        name: Move(_day(move["from"]), move["holiday"])
        for name, move in item.get("moved", {}).items()
    }
    return Firing(item["rule"], item["status"], matched, concluded, item["by"], moved=moved)


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise AuditError(
            f"a record's day {text!r} is damaged", suggestion="see `followup audit verify`"
        ) from error


def _typed(rule_base: RuleBase, name: str, value: Any) -> Any:
    spec = rule_base.facts.get(name)
    if spec is not None and spec.type == "date" and isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value


def fields_to_redact(store: AuditStore, record: AuditRecord) -> tuple[list[str], str | None]:
    """The record's personal fields, and a note when they could not be decided by its own rules.

    Decided from the record's own rules; if those are gone or altered, personal data must
    still go: the shipped rules say which facts are personal, and all templated text goes.
    """
    try:
        rule_base = stored_rule_base(store, str(record.rule_base_version))
    except AuditError as error:
        note = (
            f"the rules that made record {record.id} cannot be used ({error.message}): "
            "going by the shipped rules, every field drawn from a template is blanked"
        )
        fallback = load_rule_base()
        fields = personal_fields(
            fallback, record.facts, record.answer, record.trace, own_rules=False
        )
        return fields, note
    return personal_fields(rule_base, record.facts, record.answer, record.trace), None
