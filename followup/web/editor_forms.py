"""The editor's cards and form: each rule, fact, message and headline with its changeable values.

A card's fields are read from the files as written (so a field names exactly the value it
shows), its sentences from the loaded rules. A posted form becomes edits: every field whose
value differs from the one it was shown with (sent back beside it), so a form made on an older
version never undoes what someone else saved since.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from engine import RuleBase
from engine.adjusting import adjusted_day
from engine.editing import Edit, RemoveRule, SetValue
from engine.fields import GENERAL, Field
from engine.loader import RULE_FILES
from engine.model import FactSpec
from engine.source import parse_document
from explain.words import OPERATOR_WORDS, conclusion_text, describe, plural

# "answer": one of a yes/no or choice fact's answers, chosen from a list.
FieldKind = Literal["number", "text", "long_text", "answer"]
# An answer a field offers: the text the form posts, the words shown, the value the files hold.
Option = tuple[str, str, Any]
WAS = "was:"  # the prefix of the hidden twin carrying the value a field was shown with
REMOVE = "remove"
MAX_VALUE = 10_000


@dataclass(frozen=True)
class FormField:
    """One changeable value on a card, as the form shows it."""

    field: Field
    label: str
    value: str
    kind: FieldKind = "text"
    shown: str = ""  # the value the page was made with (differs once the coach typed)
    options: tuple[Option, ...] = ()  # an answer field's answers

    @property
    def key(self) -> str:
        return self.field.key


@dataclass
class Card:
    """A rule, fact, message or headline in plain words, with its fields."""

    target: Field
    title: str
    words: list[tuple[str, str]]
    fields: list[FormField]
    removable: bool = False
    problems: list[str] = field(default_factory=list)


@dataclass
class Cards:
    rules: list[Card]
    facts: list[Card]
    texts: list[Card]

    def all(self) -> Iterator[Card]:
        yield from self.rules
        yield from self.facts
        yield from self.texts

    def fields(self) -> Iterator[FormField]:
        for card in self.all():
            yield from card.fields


def cards(texts: Mapping[str, str], rule_base: RuleBase) -> Cards:
    """The cards of the files `texts`, their sentences from `rule_base` (the same files)."""
    advice = parse_document(texts[RULE_FILES["advice"]], RULE_FILES["advice"]).value
    facts = parse_document(texts[RULE_FILES["facts"]], RULE_FILES["facts"]).value
    messages = parse_document(texts[RULE_FILES["messages"]], RULE_FILES["messages"]).value
    return Cards(
        [_rule_card(raw, rule_base) for raw in advice.get("rules", []) if isinstance(raw, dict)],
        [_fact_card(name, raw) for name, raw in facts.get("given", {}).items()],
        [
            *(_message_card(name, raw) for name, raw in messages.get("messages", {}).items()),
            *(_action_card(name, raw) for name, raw in messages.get("actions", {}).items()),
            _guidance_card(messages.get("guidance", {})),
        ],
    )


def _rule_card(raw: Mapping[str, Any], rule_base: RuleBase) -> Card:
    rule_id = str(raw.get("id", ""))
    rule = next((rule for rule in rule_base.written_rules() if rule.id == rule_id), None)
    words = []
    if rule is not None:
        words.append(("When", "; ".join(describe(c) for c in rule.conditions()) or "always"))
        words.append(
            ("Then", "; ".join(f"{c.fact} = {conclusion_text(c.value)}" for c in rule.then))
        )
        day = adjusted_day(rule)
        if day is not None:  # a day counted from itself moves the day other rules work out
            moved = next(c.value for c in rule.then if c.fact == day)
            later = plural(moved.plus_days, "day")
            words.append(
                ("Moves", f"{rule_base.facts[day].words} other rules work out, {later} later")
            )
    fields = [_number(rule_id, ("priority",), "Priority (the higher decides first)", raw)]
    fields += _condition_values(rule_id, raw.get("when"), rule_base)
    fields += _day_counts(rule_id, raw.get("then"), rule_base)
    fields += [
        _text(
            Field("rule", rule_id, ("reason",)), "Reason shown to the job seeker", raw, "long_text"
        ),
        _text(Field("rule", rule_id, ("source",)), "Source in the article", raw),
    ]
    return Card(Field("rule", rule_id), rule_id, words, fields, removable=True)


def _condition_values(rule_id: str, when: Any, rule_base: RuleBase) -> Iterator[FormField]:
    """A number a condition compares with (`followups_sent: {at_least: 2}`), or the answer it
    asks of a yes/no or choice fact (`culture: proactive`)."""
    for index, item in enumerate(when if isinstance(when, list) else []):
        if not isinstance(item, dict) or len(item) != 1:
            continue
        [(fact, test)] = item.items()
        spec = rule_base.facts.get(str(fact))
        named = spec.words if spec is not None else str(fact)
        options = _answers(spec) if spec is not None else ()
        if any(value == test and type(value) is type(test) for _, _, value in options):
            where = Field("rule", rule_id, ("when", index, fact))
            shown = next(posted for posted, _, value in options if value == test)
            # A yes/no fact's words are a question ("whether ..."), a choice's a thing.
            asked = spec is not None and spec.type == "yes_no"
            words = f"When the answer to “{named}” is" if asked else f"When {named} is"
            yield FormField(where, words, shown, "answer", options=options)
        elif _is_number(test):
            where = Field("rule", rule_id, ("when", index, fact))
            yield FormField(where, f"When {named} is", str(test), "number")
        elif isinstance(test, dict) and len(test) == 1:
            [(op, value)] = test.items()
            if _is_number(value) and op in OPERATOR_WORDS:
                where = Field("rule", rule_id, ("when", index, fact, op))
                words = f"When {named} {OPERATOR_WORDS[op]}"
                yield FormField(where, words, str(value), "number")


def _day_counts(rule_id: str, then: Any, rule_base: RuleBase) -> Iterator[FormField]:
    """A day a rule works out: the date it counts from, and how many days on."""
    for fact, value in then.items() if isinstance(then, dict) else []:
        spec = rule_base.facts.get(str(fact))
        day = (spec.words if spec is not None else str(fact)).capitalize()
        if isinstance(value, dict) and "date" in value:
            base = Field("rule", rule_id, ("then", fact, "date"))
            yield FormField(base, f"{day}: counted from the date", str(value["date"]))
            if "plus_days" in value:
                days = Field("rule", rule_id, ("then", fact, "plus_days"))
                label = f"{day}: days after it"
                yield FormField(days, label, str(value["plus_days"]), "number")


def _answers(spec: FactSpec) -> tuple[Option, ...]:
    """The answers a yes/no or choice fact takes, in the words the job seeker is shown."""
    if spec.type == "yes_no":
        return (("yes", "yes", True), ("no", "no", False))
    if spec.type == "choice":
        return tuple((value, spec.value_words(value), value) for value in spec.values)
    return ()


def _is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(rule_id: str, keys: tuple[str, ...], label: str, raw: Mapping[str, Any]) -> FormField:
    return FormField(Field("rule", rule_id, keys), label, str(raw.get(keys[0], "")), "number")


def _text(where: Field, label: str, raw: Mapping[str, Any], kind: FieldKind = "text") -> FormField:
    value = raw.get(str(where.keys[-1]), "")
    return FormField(where, label, "" if value is None else shown_text(str(value)), kind)


def _fact_card(name: str, raw: Any) -> Card:
    raw = raw if isinstance(raw, dict) else {}
    words = [("Type", str(raw.get("type", "")).replace("_", " "))]
    if raw.get("values"):
        words.append(("Answers", ", ".join(str(value) for value in raw["values"])))
    fields = [
        _text(Field("fact", name, ("question",)), "Question", raw, "long_text"),
        _text(Field("fact", name, ("label",)), "Label (how answers and errors name it)", raw),
        _text(Field("fact", name, ("help",)), "Help under the question", raw, "long_text"),
    ]
    return Card(Field("fact", name), name, words, fields)


def _message_card(name: str, raw: Any) -> Card:
    raw = raw if isinstance(raw, dict) else {}
    fields = [_text(Field("message", name, ("subject",)), "Subject", raw)]
    body = raw.get("body")
    for index, paragraph in enumerate(body if isinstance(body, list) else []):
        text = paragraph.get("text") if isinstance(paragraph, dict) else paragraph
        if isinstance(text, str):
            keys: tuple[str | int, ...] = ("body", index)
            if isinstance(paragraph, dict):
                keys = (*keys, "text")
            where = Field("message", name, keys)
            label = f"Paragraph {index + 1}"
            fields.append(FormField(where, label, shown_text(text), "long_text"))
    return Card(Field("message", name), f"Message template: {name}", [], fields)


def _action_card(name: str, raw: Any) -> Card:
    raw = raw if isinstance(raw, dict) else {}
    fields = [_text(Field("action", name, ("headline",)), "Headline", raw)]
    guidance = raw.get("guidance")
    for index, point in enumerate(guidance if isinstance(guidance, list) else []):
        where = Field("action", name, ("guidance", index))
        fields.append(FormField(where, f"Guidance {index + 1}", " ".join(str(point).split())))
    return Card(Field("action", name), f"Advice: {name}", [], fields)


def _guidance_card(raw: Any) -> Card:
    raw = raw if isinstance(raw, dict) else {}
    fields = [
        _text(Field("guidance", GENERAL, ("title",)), "Title", raw),
        _text(Field("guidance", GENERAL, ("source",)), "Source in the article", raw),
    ]
    points = raw.get("points")
    for index, point in enumerate(points if isinstance(points, list) else []):
        where = Field("guidance", GENERAL, ("points", index))
        fields.append(FormField(where, f"Point {index + 1}", shown_text(str(point))))
    return Card(Field("guidance", GENERAL), "How to write it (shown with every answer)", [], fields)


# -- the posted form ----------------------------------------------------------------------------


@dataclass
class Posted:
    """What a posted form asks: the edits, the values typed that differ from those shown, and
    those that cannot be taken (by field key)."""

    edits: list[Edit]
    changed: dict[str, str]
    refused: dict[str, str]


def read_form(form: Mapping[str, Any], shown: Cards, removed: list[str]) -> Posted:
    """The edits a posted editor form makes: each field changed from the value it was shown
    with (the hidden twin `was:KEY`), as the cards of the files now type it."""
    posted = Posted([], {}, {})
    for item in shown.fields():
        now, was = form.get(item.key), form.get(WAS + item.key)
        if not isinstance(now, str) or not isinstance(was, str):
            continue
        now = now[:MAX_VALUE]
        if " ".join(now.split()) == " ".join(was.split()):
            continue
        posted.changed[item.key] = now
        value = _taken(now, item)
        if value is None:
            posted.refused[item.key] = _REFUSED[item.kind]
        else:
            posted.edits.append(SetValue(item.field, value))
    rule_ids = {card.target.name for card in shown.rules}
    posted.edits += [RemoveRule(rule_id) for rule_id in removed if rule_id in rule_ids]
    return posted


def shown_text(text: str) -> str:
    """A text as a field shows it: on one line, unless its lines are meant (a signature)."""
    if "\n" in text.strip():
        return "\n".join(line.rstrip() for line in text.strip().splitlines())
    return " ".join(text.split())


# Why a posted value cannot be taken, by the kind of field (only these two can refuse one).
_REFUSED: dict[str, str] = {
    "number": "Write a whole number, such as 10.",
    "answer": "Choose one of the answers listed.",
}


def _taken(text: str, item: FormField) -> Any:
    """The value as the files hold it: a whole number for a number field, the answer's value
    for an answer field, else the text; None if it cannot be taken."""
    if item.kind == "answer":
        return next((value for posted, _, value in item.options if posted == text.strip()), None)
    if item.kind != "number":
        return shown_text(text)
    cleaned = text.strip()
    if cleaned.lstrip("-").isdigit() and len(cleaned) < 10:
        return int(cleaned)
    return None


def with_typed(found: Cards, typed: Mapping[str, str]) -> Cards:
    """The cards showing what the coach changed, each field remembering the value of the files
    (so the next post sees the change again, and nothing else)."""
    for card in found.all():
        card.fields = [
            replace(f, value=typed.get(f.key, f.value), shown=f.value) for f in card.fields
        ]
    return found
