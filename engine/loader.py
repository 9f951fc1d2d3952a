"""Loading a rule base: read the YAML files, check them, and build the model."""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from . import cache, schema
from .adjusting import with_adjustments
from .conditions import ConditionParser, literal
from .dates import WEEKDAYS, nearest_countries, normalise_country
from .durations import (
    RULE_NUMBERS,
    fill_rule_numbers,
    fill_rule_references,
    rule_references,
    stated_durations,
)
from .errors import Location, RuleFileError
from .limits import RULES
from .model import (
    ActionSpec,
    AllOf,
    CalendarSpec,
    Conclusion,
    DateCheck,
    DateExpr,
    FactRef,
    FactSpec,
    FactType,
    MessageTemplate,
    Paragraph,
    Rule,
    RuleBase,
    TimelineSpec,
)
from .source import Document, PathKey, read_document, read_text
from .suggest import did_you_mean
from .templates import bad_placeholder, placeholders

RULE_FILES = {kind: f"{kind}.yaml" for kind in schema.FILE_KINDS}
RESERVED_NAMES = frozenset({"kind", "sid", "id", "name", "value"})
HEADLINE_EXTRAS = ("days_until",)
# The calendar's texts, and what its sentence about a moved day may name besides facts.
CALENDAR_TEXTS = ("moved", "weekend_day", "holiday", "reminder_summary", "no_reminder")
MOVED_EXTRAS = ("unmoved_day", "day_off", "working_day")
# The texts of a fact that may say a rule's number.
FACT_TEXTS = ("question", "help", "why", "label")
DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
RULES_ENV = "FOLLOWUP_RULES"


def default_rules_dir() -> Path:
    """The rule folder used when none is named: $FOLLOWUP_RULES, else the shipped rules."""
    named = os.environ.get(RULES_ENV)
    return Path(named) if named else DEFAULT_RULES_DIR


@dataclass
class Inspection:
    """A rule base as read: the model if it could be built, and every problem found."""

    folder: Path
    rule_base: RuleBase | None
    problems: list[RuleFileError] = field(default_factory=list)
    documents: dict[str, Document] = field(default_factory=dict)
    # Things worth a look that do not stop the rules from working (a stale "two weeks").
    warnings: list[RuleFileError] = field(default_factory=list)


def load_rule_base(directory: Path | str | None = None) -> RuleBase:
    """Read, check and build the rule base in `directory` (the shipped one by default).

    A rule base built before from the same files (their names and content, in the same
    folder, by the same code) is read back from the user's cache folder instead.
    """
    folder = Path(directory) if directory is not None else default_rules_dir()
    key = _cache_key(folder)
    kept = _kept_rule_base(key) if key is not None else None
    if kept is not None:
        return kept
    inspection = inspect_rule_base(folder)
    if inspection.rule_base is None:
        raise inspection.problems[0]
    if key is not None:
        _keep_rule_base(key, inspection.rule_base)
    return inspection.rule_base


# The cache's folder of rule bases built before; bump the format when RuleBase changes shape.
BUILT = "rulebases"
BUILT_FORMAT = 1


def _cache_key(folder: Path) -> str | None:
    """The sha256 naming a built rule base: folder, rule files' names and content, the code."""
    texts = {}
    for file_name in RULE_FILES.values():
        try:
            texts[file_name] = read_text(folder / file_name, file_name, RULES)
        except RuleFileError:
            return None  # the full read says what is wrong
    try:
        where = str(folder.resolve())
    except OSError:
        return None
    version = rule_base_version(texts)
    return cache.digest("rule base", str(BUILT_FORMAT), where, version, _code_version())


def _counted_days(then: tuple[Conclusion, ...]) -> int | None:
    """The days a rule counts (its first computed day), if it counts any."""
    return next((c.value.plus_days for c in then if isinstance(c.value, DateExpr)), None)


@functools.cache
def _code_version() -> str:
    """The sha256 of the engine's code and schemas: a change to either rebuilds every rule base."""
    package = Path(__file__).parent
    hashed = hashlib.sha256()
    for path in sorted([*package.glob("*.py"), *package.glob("schema/*.json")]):
        hashed.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return hashed.hexdigest()


def _kept_rule_base(key: str) -> RuleBase | None:
    """The rule base kept under `key`, when its file is whole; else None (and it is rebuilt).

    The file, in the user's own cache folder, starts with the sha256 of the rest: a damaged
    or cut file is never unpickled.
    """
    try:
        data = (cache.cache_root() / BUILT / f"{key}.pickle").read_bytes()
    except OSError:
        return None
    check, payload = data[:32], data[32:]
    if hashlib.sha256(payload).digest() != check:
        return None
    try:
        kept = pickle.loads(payload)  # noqa: S301 - our own file, checked by its sha256 above
    except Exception:  # noqa: BLE001 - any unreadable cache file is only a cache miss
        return None
    return kept if isinstance(kept, RuleBase) else None


def _keep_rule_base(key: str, rule_base: RuleBase) -> None:
    """Keep a built rule base for the next run; a cache that cannot be written is passed over."""
    try:
        payload = pickle.dumps(rule_base, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - a rule base that cannot be pickled is simply not kept
        return
    place = cache.cache_root() / BUILT
    try:
        place.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=place, suffix=".tmp", delete=False) as handle:
            handle.write(hashlib.sha256(payload).digest() + payload)
        os.replace(handle.name, place / f"{key}.pickle")
    except OSError:
        pass


def inspect_rule_base(directory: Path | str | None = None) -> Inspection:
    """Read and check a rule base, collecting every problem rather than stopping at the first."""
    folder = Path(directory) if directory is not None else default_rules_dir()
    inspection = Inspection(folder, None)
    if not folder.is_dir():
        inspection.problems.append(RuleFileError(f"no rule base at {folder}: it is not a folder"))
        return inspection
    for kind, file_name in RULE_FILES.items():
        try:
            inspection.documents[kind] = _read(folder, file_name)
        except RuleFileError as error:
            inspection.problems.append(error)
    for kind, document in inspection.documents.items():
        inspection.problems.extend(schema.problems(document, kind))
    if inspection.problems:
        return inspection
    builder = _Builder(inspection.documents)
    inspection.rule_base = builder.build()
    inspection.problems.extend(builder.problems)
    inspection.warnings.extend(builder.warnings)
    return inspection


def rule_base_version(texts: Mapping[str, str]) -> str:
    """The sha256 of the rule files' names and content, in a fixed order."""
    digest = hashlib.sha256()
    for name in sorted(texts):
        digest.update(name.encode() + b"\0" + texts[name].encode() + b"\0")
    return digest.hexdigest()


def _read(folder: Path, file_name: str) -> Document:
    path = folder / file_name
    if not path.is_file():
        raise RuleFileError(
            f"the rule base at {folder} has no {file_name}",
            suggestion=f"every rule base holds {', '.join(RULE_FILES.values())}",
        )
    return read_document(path, str(path))


class _Builder:
    def __init__(self, documents: Mapping[str, Document]) -> None:
        self.documents = documents
        self.facts: dict[str, FactSpec] = {}
        self.problems: list[RuleFileError] = []
        self.warnings: list[RuleFileError] = []

    @contextmanager
    def _each(self) -> Iterator[None]:
        """Note a problem with one item and go on with the next."""
        try:
            yield
        except RuleFileError as error:
            self.problems.append(error)

    def build(self) -> RuleBase | None:
        facts_doc = self.documents["facts"]
        self._declare_facts(facts_doc)
        self._finish_facts(facts_doc)
        advice = self.documents["advice"]
        messages_doc = self.documents["messages"]
        templates = self._messages(messages_doc)
        goal = ""
        with self._each():
            goal = self._goal(advice)
        # A template with a fault of its own is still there: a rule naming it is not at fault.
        written = self._rules(advice, set(templates) | set(messages_doc.value["messages"]))
        self._fill_rule_numbers(facts_doc, written)
        rules: tuple[Rule, ...] = written
        adjustments: tuple[Rule, ...] = ()
        with self._each():
            rules, adjustments = with_adjustments(written)
        actions = self._actions(messages_doc, goal) if goal else {}
        calendar = self._calendar(advice)
        timeline = self._timeline(messages_doc)
        if self.problems:
            return None
        guidance = messages_doc.value["guidance"]
        texts = {Path(doc.file).name: doc.text for doc in self.documents.values()}
        return RuleBase(
            facts=self.facts,
            rules=rules,
            goal=goal,
            weekend=calendar.weekend,
            calendar=calendar,
            actions=actions,
            messages=templates,
            guidance=tuple(guidance["points"]),
            guidance_source=guidance.get("source", ""),
            source_article=advice.value.get("source_article", ""),
            version=rule_base_version(texts),
            files=texts,
            list_and=messages_doc.value.get("lists", {}).get("and", "and"),
            guidance_title=guidance.get("title", ""),
            adjustments=adjustments,
            timeline=timeline,
        )

    # -- facts ------------------------------------------------------------------------------

    def _declare_facts(self, doc: Document) -> None:
        for section in ("given", "derived"):
            for name, raw in doc.value[section].items():
                with self._each():
                    self._declare_fact(doc, section, name, raw)

    def _declare_fact(self, doc: Document, section: str, name: str, raw: Any) -> None:
        path: PathKey = (section, name)
        if name in RESERVED_NAMES:
            raise RuleFileError(
                f"`{name}` is a reserved word and cannot name a fact",
                fact=name,
                location=doc.where(path, key=True),
            )
        if name in self.facts:
            raise RuleFileError(
                f"the fact `{name}` is declared twice",
                fact=name,
                location=doc.where(path, key=True),
            )
        kind = cast(FactType, raw["type"])
        values = tuple(raw.get("values", ()))
        if kind == "choice" and not values:
            raise RuleFileError(
                f"`{name}` is a choice but lists no `values`",
                fact=name,
                location=doc.where(path),
            )
        self.facts[name] = FactSpec(
            name=name,
            type=kind,
            location=doc.where(path, key=True),
            derived=section == "derived",
            values=values,
            minimum=raw.get("minimum"),
            optional=raw.get("optional", False),
            question=raw.get("question", ""),
            help=raw.get("help", ""),
            why=raw.get("why", ""),
            for_message_only=raw.get("used_for") == "message",
            never_asked=raw.get("never_asked", False) or "day_off_of" in raw,
            relative_to=raw.get("relative_to"),
            label=raw.get("label", ""),
            value_labels=self._value_labels(doc, path, name, values, raw.get("labels", {})),
            implied_by=raw.get("implied_by"),
            day_off_of=raw.get("day_off_of"),
        )

    def _value_labels(
        self, doc: Document, path: PathKey, name: str, values: tuple[str, ...], raw: Any
    ) -> tuple[tuple[str, str], ...]:
        for value in raw:
            if value not in values:
                raise RuleFileError(
                    f"`{value}` is not a value of `{name}` (one of: {', '.join(values)})",
                    fact=name,
                    location=doc.where((*path, "labels", value), key=True),
                    suggestion=did_you_mean(str(value), values),
                )
        return tuple((str(value), str(label)) for value, label in raw.items())

    def _finish_facts(self, doc: Document) -> None:
        parser = ConditionParser(doc, self.facts)
        for name, raw in doc.value["given"].items():
            if name in self.facts:
                with self._each():
                    self._finish_fact(doc, parser, name, raw)

    def _finish_fact(
        self, doc: Document, parser: ConditionParser, name: str, raw: dict[str, Any]
    ) -> None:
        path: PathKey = ("given", name)
        spec = self.facts[name]
        changes: dict[str, Any] = {}
        if "default" in raw:
            changes["has_default"] = True
            changes["default"] = self._default(spec, raw["default"], doc, (*path, "default"))
        if "relative_to" in raw:
            self._date_fact(raw["relative_to"], doc, (*path, "relative_to"), spec.name)
        if "day_off_of" in raw:
            self._yes_no(spec, doc, (*path, "day_off_of"))
            self._date_fact(raw["day_off_of"], doc, (*path, "day_off_of"), spec.name)
        if "implied_by" in raw:
            self._yes_no(spec, doc, (*path, "implied_by"))
            self._given_fact(raw["implied_by"], doc, (*path, "implied_by"), spec.name)
        if "needed_when" in raw:
            changes["needed_when"] = parser.parse(raw["needed_when"], (*path, "needed_when"))
        changes["checks"] = tuple(
            self._check(spec, check, doc, (*path, "checks", index))
            for index, check in enumerate(raw.get("checks", []))
        )
        self.facts[name] = replace(spec, **changes)

    def _default(self, spec: FactSpec, raw: Any, doc: Document, path: PathKey) -> Any:
        where = doc.where(path)
        value = (
            literal(
                spec,
                raw,
                lambda message, hint=None: RuleFileError(
                    message, fact=spec.name, location=where, suggestion=hint
                ),
            )
            if spec.type != "list_of_text"
            else raw
        )
        if spec.minimum is not None and isinstance(value, int) and value < spec.minimum:
            raise RuleFileError(
                f"the default of `{spec.name}` is below its minimum {spec.minimum}",
                fact=spec.name,
                location=where,
            )
        return value

    def _yes_no(self, spec: FactSpec, doc: Document, path: PathKey) -> None:
        if spec.type != "yes_no":
            raise RuleFileError(
                f"`{path[-1]}` is for yes/no facts, but `{spec.name}` is a "
                f"{spec.type.replace('_', ' ')}",
                fact=spec.name,
                location=doc.where(path, key=True),
            )

    def _given_fact(self, name: str, doc: Document, path: PathKey, fact: str) -> None:
        other = self.facts.get(name)
        if other is None or other.derived:
            given = [n for n, f in self.facts.items() if not f.derived]
            raise RuleFileError(
                f"`{name}` is not a given fact",
                fact=fact,
                location=doc.where(path),
                suggestion=did_you_mean(name, given),
            )

    def _check(
        self, spec: FactSpec, raw: dict[str, str], doc: Document, path: PathKey
    ) -> DateCheck:
        op, other = next((key, value) for key, value in raw.items() if key != "hint")
        where = doc.where((*path, op))
        if spec.type != "date":
            raise RuleFileError(
                f"checks compare dates, but `{spec.name}` is a {spec.type.replace('_', ' ')}",
                fact=spec.name,
                location=where,
            )
        self._date_fact(other, doc, (*path, op), spec.name)
        return DateCheck(op=cast(Any, op), other=other, location=where, hint=raw.get("hint"))

    def _date_fact(self, name: str, doc: Document, path: PathKey, fact: str) -> None:
        other = self.facts.get(name)
        if other is None or other.type != "date" or other.derived:
            date_facts = [n for n, f in self.facts.items() if f.type == "date" and not f.derived]
            raise RuleFileError(
                f"`{name}` is not a given date fact",
                fact=fact,
                location=doc.where(path),
                suggestion=did_you_mean(name, date_facts),
            )

    def _fill_rule_numbers(self, doc: Document, rules: tuple[Rule, ...]) -> None:
        """Say the rules' numbers in the facts' texts (`{rule_id.plus_days_in_words}`), so
        that a question or its `why` follows a changed number too."""
        days_of = {
            rule.id: days for rule in rules if (days := _counted_days(rule.then)) is not None
        }
        for name, spec in list(self.facts.items()):
            section = "derived" if spec.derived else "given"
            texts = {key: getattr(spec, key) for key in FACT_TEXTS}
            with self._each():
                for key, text in texts.items():
                    self._check_rule_references(text, days_of, rules, doc, (section, name, key))
                said = {key: fill_rule_references(text, days_of) for key, text in texts.items()}
                self.facts[name] = replace(
                    spec,
                    question=said["question"],
                    help=said["help"],
                    why=said["why"],
                    label=said["label"],
                )

    def _check_rule_references(
        self,
        text: str,
        days_of: Mapping[str, int],
        rules: tuple[Rule, ...],
        doc: Document,
        path: PathKey,
    ) -> None:
        for written, rule_id, number in rule_references(text):
            where = doc.find_after(doc.where(path), written)
            if number not in RULE_NUMBERS:
                raise RuleFileError(
                    f"`{written}`: a rule's number is `plus_days` or `plus_days_in_words`",
                    location=where,
                    suggestion=did_you_mean(number, RULE_NUMBERS),
                )
            if rule_id not in days_of:
                known = any(rule.id == rule_id for rule in rules)
                raise RuleFileError(
                    f"`{written}`: rule `{rule_id}` counts no days"
                    if known
                    else f"`{written}`: there is no rule `{rule_id}`",
                    location=where,
                    suggestion=None if known else did_you_mean(rule_id, list(days_of)),
                )

    # -- the calendar -----------------------------------------------------------------------

    def _calendar(self, doc: Document) -> CalendarSpec:
        raw = doc.value.get("calendar", {})
        path: PathKey = ("calendar",)
        country = raw.get("country")
        if country is not None and normalise_country(str(country)) is None:
            self.problems.append(
                RuleFileError(
                    f"`{country}` is not a country code the holidays package knows",
                    location=doc.where((*path, "country")),
                    suggestion=nearest_countries(str(country)),
                )
            )
        texts = {key: raw.get(key, "") for key in CALENDAR_TEXTS}
        with self._each():
            self._check_template(texts["moved"], doc, (*path, "moved"), MOVED_EXTRAS)
            self._check_template(texts["holiday"], doc, (*path, "holiday"), ("holiday",))
            for key in ("weekend_day", "reminder_summary", "no_reminder"):
                self._check_template(texts[key], doc, (*path, key))
        return CalendarSpec(
            weekend=frozenset(WEEKDAYS.index(day) for day in raw.get("weekend", [])),
            country=normalise_country(str(country)) if country is not None else None,
            holiday_names=raw.get("holiday_names"),
            **texts,
        )

    # -- rules ------------------------------------------------------------------------------

    def _goal(self, doc: Document) -> str:
        goal = str(doc.value["decides"])
        spec = self.facts.get(goal)
        if spec is None or not spec.derived:
            derived = [name for name, fact in self.facts.items() if fact.derived]
            raise RuleFileError(
                f"`decides` must name a derived fact; `{goal}` is not one",
                location=doc.where(("decides",)),
                suggestion=did_you_mean(goal, derived),
            )
        if spec.type != "choice":
            raise RuleFileError(
                f"the fact the rules decide, `{goal}`, must be a choice",
                location=doc.where(("decides",)),
            )
        return goal

    def _rules(self, doc: Document, templates: Collection[str]) -> tuple[Rule, ...]:
        parser = ConditionParser(doc, self.facts)
        seen: dict[str, Location] = {}
        rules = []
        for index, raw in enumerate(doc.value["rules"]):
            with self._each():
                rules.append(self._rule(doc, parser, index, raw, seen, templates))
        return tuple(rules)

    def _rule(
        self,
        doc: Document,
        parser: ConditionParser,
        index: int,
        raw: dict[str, Any],
        seen: dict[str, Location],
        templates: Collection[str],
    ) -> Rule:
        path: PathKey = ("rules", index)
        rule_id = raw["id"]
        if rule_id in seen:
            raise RuleFileError(
                f"the rule id `{rule_id}` is used twice (first at line {seen[rule_id].line})",
                rule_id=rule_id,
                location=doc.where((*path, "id")),
                suggestion="give each rule its own id",
            )
        seen[rule_id] = doc.where((*path, "id"))
        when = parser.parse(raw["when"], (*path, "when"))
        then = tuple(
            self._conclusion(rule_id, fact, value, doc, (*path, "then", fact), templates)
            for fact, value in raw["then"].items()
        )
        reason = self._reason(raw["reason"], then, doc, (*path, "reason"), rule_id)
        return Rule(
            id=rule_id,
            priority=raw.get("priority", 0),
            when=when if isinstance(when, AllOf) else AllOf((when,), when.location),
            then=then,
            reason=reason,
            source=raw["source"],
            location=doc.where(path),
            shown=raw.get("shown", True),
            guidance=tuple(raw.get("guidance", ())),
        )

    def _reason(
        self, text: str, then: tuple[Conclusion, ...], doc: Document, path: PathKey, rule_id: str
    ) -> str:
        """The reason with the rule's own number said, so a new number changes the sentence."""
        self._check_template(text, doc, path, RULE_NUMBERS, rule_id=rule_id)
        counted = _counted_days(then)
        if counted is None:
            used = [name for name, _ in placeholders(text) if name in RULE_NUMBERS]
            if used:
                raise RuleFileError(
                    f"`{{{used[0]}}}` stands only in the reason of a rule that counts days",
                    rule_id=rule_id,
                    location=doc.find_after(doc.where(path), "{" + used[0]),
                    suggestion="write the number out, or count days in `then`",
                )
            return text
        for stated, days in stated_durations(text):
            if days != counted:
                self.warnings.append(
                    RuleFileError(
                        f"the reason says `{stated}`, but its rule counts {counted} days",
                        rule_id=rule_id,
                        location=doc.find_after(doc.where(path), stated),
                        suggestion="write {plus_days_in_words} to say the rule's own number",
                    )
                )
        return fill_rule_numbers(text, counted)

    def _conclusion(
        self,
        rule_id: str,
        fact: str,
        raw: Any,
        doc: Document,
        path: PathKey,
        templates: Collection[str],
    ) -> Conclusion:
        where = doc.where(path)
        spec = self.facts.get(fact)
        if spec is None or not spec.derived:
            derived = [name for name, known in self.facts.items() if known.derived]
            problem = "is given by the job seeker" if spec else "is not a derived fact"
            raise RuleFileError(
                f"a rule can only conclude derived facts: `{fact}` {problem}",
                fact=fact,
                rule_id=rule_id,
                location=doc.where(path, key=True),
                suggestion=did_you_mean(fact, derived),
            )
        if raw is None:
            return Conclusion(fact, None, where)
        if isinstance(raw, dict):
            return Conclusion(fact, self._date_expr(rule_id, spec, raw, doc, path), where)
        if isinstance(raw, str) and raw in self.facts:
            other = self.facts[raw]
            if other.type != spec.type:
                raise RuleFileError(
                    f"`{fact}` is a {spec.type.replace('_', ' ')} but `{raw}` is a "
                    f"{other.type.replace('_', ' ')}",
                    fact=fact,
                    rule_id=rule_id,
                    location=where,
                )
            return Conclusion(fact, FactRef(raw), where)
        if spec.type == "message":
            if raw not in templates:
                raise RuleFileError(
                    f"no message template named `{raw}` in messages.yaml",
                    fact=fact,
                    rule_id=rule_id,
                    location=where,
                    suggestion=did_you_mean(str(raw), sorted(templates)),
                )
            return Conclusion(fact, raw, where)
        value = literal(
            spec,
            raw,
            lambda message, hint=None: RuleFileError(
                message, fact=fact, rule_id=rule_id, location=where, suggestion=hint
            ),
        )
        return Conclusion(fact, value, where)

    def _date_expr(
        self, rule_id: str, spec: FactSpec, raw: dict[str, Any], doc: Document, path: PathKey
    ) -> DateExpr:
        if spec.type != "date":
            raise RuleFileError(
                f"`{spec.name}` is not a date, so it cannot be computed from one",
                fact=spec.name,
                rule_id=rule_id,
                location=doc.where(path),
            )
        base = raw["date"]
        base_spec = self.facts.get(base)
        if base_spec is None or base_spec.type != "date":
            date_facts = [name for name, fact in self.facts.items() if fact.type == "date"]
            raise RuleFileError(
                f"`{base}` is not a date fact",
                fact=spec.name,
                rule_id=rule_id,
                location=doc.where((*path, "date")),
                suggestion=did_you_mean(str(base), date_facts),
            )
        return DateExpr(base, raw["plus_days"], doc.where(path))

    # -- messages ---------------------------------------------------------------------------

    def _messages(self, doc: Document) -> dict[str, MessageTemplate]:
        parser = ConditionParser(doc, self.facts)
        templates = {}
        for template_id, raw in doc.value["messages"].items():
            with self._each():
                templates[template_id] = self._message(doc, parser, template_id, raw)
        return templates

    def _message(
        self, doc: Document, parser: ConditionParser, template_id: str, raw: dict[str, Any]
    ) -> MessageTemplate:
        path: PathKey = ("messages", template_id)
        self._check_template(raw["subject"], doc, (*path, "subject"))
        body = []
        for index, paragraph in enumerate(raw["body"]):
            paragraph_path = (*path, "body", index)
            self._check_template(paragraph["text"], doc, (*paragraph_path, "text"))
            when = paragraph.get("when")
            body.append(
                Paragraph(
                    text=paragraph["text"],
                    when=parser.parse(when, (*paragraph_path, "when")) if when else None,
                )
            )
        return MessageTemplate(template_id, raw["subject"], tuple(body), doc.where(path, key=True))

    def _timeline(self, doc: Document) -> TimelineSpec:
        raw = doc.value.get("timeline", {})
        path: PathKey = ("timeline",)
        days = raw.get("days", {})
        for name in days:
            with self._each():
                self._date_fact(name, doc, (*path, "days", name), name)
        with self._each():
            self._check_template(raw.get("holiday", ""), doc, (*path, "holiday"), ("holiday",))
        defaults = TimelineSpec()
        return TimelineSpec(
            days=tuple((str(name), str(words)) for name, words in days.items()),
            today=raw.get("today", defaults.today),
            holiday=raw.get("holiday", defaults.holiday),
            key=raw.get("key", defaults.key),
        )

    def _actions(self, doc: Document, goal: str) -> dict[str, ActionSpec]:
        values = self.facts[goal].values
        actions = {}
        for action, raw in doc.value["actions"].items():
            with self._each():
                path: PathKey = ("actions", action)
                if action not in values:
                    raise RuleFileError(
                        f"`{action}` is not a value of `{goal}` (one of: {', '.join(values)})",
                        location=doc.where(path, key=True),
                        suggestion=did_you_mean(action, values),
                    )
                self._check_template(raw["headline"], doc, (*path, "headline"), HEADLINE_EXTRAS)
                actions[action] = ActionSpec(
                    action,
                    raw["headline"],
                    tuple(raw.get("guidance", ())),
                    raw.get("guidance_title", ""),
                    raw.get("timeline_label", ""),
                )
        missing = [value for value in values if value not in doc.value["actions"]]
        if missing:
            self.problems.append(
                RuleFileError(
                    f"no headline for the action `{missing[0]}`",
                    location=doc.where(("actions",), key=True),
                    suggestion=f"add `{missing[0]}:` with a `headline:` under `actions:`",
                )
            )
        return actions

    def _check_template(
        self,
        text: str,
        doc: Document,
        path: PathKey,
        extras: tuple[str, ...] = (),
        rule_id: str | None = None,
    ) -> None:
        where = doc.where(path)
        bad = bad_placeholder(text)
        if bad is not None and bad[0] == "{":
            # An unclosed brace: point at it, not at the start of a text that may span lines.
            opened = text[bad[1] :].split()[0]
            raise RuleFileError(
                "a `{` without its `}`: close it, as in {company}, or double it to show a brace",
                rule_id=rule_id,
                location=doc.find_after(where, opened),
            )
        if bad is not None:
            raise RuleFileError(
                f"`{bad[0]}` cannot stand in braces: write a fact name like {{company}}, "
                "or double the brace to show it",
                rule_id=rule_id,
                location=where,
            )
        known = list(self.facts) + list(extras)
        for name, _offset in placeholders(text):
            if name not in known:
                raise RuleFileError(
                    f"unknown fact `{{{name}}}` in this text",
                    fact=name,
                    rule_id=rule_id,
                    location=doc.find_after(where, "{" + name),
                    suggestion=did_you_mean(name, known),
                )
