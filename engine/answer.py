"""The advice as a person reads it: headline, reasons, guidance and the drafted message."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .closures import holds
from .dates import Move
from .memo import PerRuleBase, WrittenOnce
from .model import FactSpec, RuleBase
from .templates import compile_template, fill, format_value, join_items, render
from .trace import Outcome, jsonable

MESSAGE = "message"
FOLLOW_UP_ON = "follow_up_on"


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


@dataclass(frozen=True)
class Answer:
    """Everything the advisor says about one case, ready to print or serialise."""

    action: str
    follow_up_on: datetime.date | None
    today: datetime.date
    headline: str
    reasons: tuple[str, ...]
    guidance: tuple[str, ...]
    message: Message | None
    outcome: Outcome
    guidance_title: str = ""

    @property
    def fired_rules(self) -> list[str]:
        return self.outcome.fired_rules

    def to_json(self, *, trace: bool = True) -> dict[str, Any]:
        """The machine-readable answer of ADVICE.md (without its trace if `trace` is false)."""
        record = {
            "action": self.action,
            "follow_up_on": jsonable(self.follow_up_on),
            "today": self.today.isoformat(),
            "headline": self.headline,
            "reasons": list(self.reasons),
            "fired_rules": self.fired_rules,
            "rule_base": {"version": self.outcome.rule_base_version},
            "message": None
            if self.message is None
            else {"subject": self.message.subject, "body": self.message.body},
            "guidance": list(self.guidance),
        }
        if trace:
            record["trace"] = [firing.to_json() for firing in self.outcome.trace]
        return record


def compose_answer(rule_base: RuleBase, outcome: Outcome) -> Answer:
    """Render the outcome's headline, reasons and message from the rule base's templates."""
    values = outcome.values
    action = outcome.decision
    texts = _texts(rule_base)
    reasons: list[str] = []
    for firing in outcome.trace:
        if firing.status != "fired":
            continue
        rule = rule_base.rule(firing.rule_id)
        # A helper rule's reason is kept from the job seeker.
        parts = [texts[rule.reason](values)] if rule.shown else [""]
        for fact, move in firing.moved.items():
            parts.append(moved_sentence(rule_base, move, firing.concluded[fact]))
        reason = " ".join([part for part in parts if part])
        if reason:
            reasons.append(reason)
    return Answer(
        action=action,
        follow_up_on=values.get(FOLLOW_UP_ON),
        today=values["today"],
        headline=texts[rule_base.actions[action].headline](values),
        reasons=tuple(reasons),
        guidance=_guidance(rule_base, outcome),
        guidance_title=rule_base.actions[action].guidance_title or rule_base.guidance_title,
        message=_message(rule_base, values.get(MESSAGE), values, texts),
        outcome=outcome,
    )


def _guidance(rule_base: RuleBase, outcome: Outcome) -> tuple[str, ...]:
    """The fired rules' own tips first (the most particular), then the action's or the
    general ones; a tip said twice is said once."""
    return _guidance_of(rule_base)[outcome.decision, outcome.fired]


def _guidance_for(rule_base: RuleBase) -> WrittenOnce[tuple[str, tuple[str, ...]], tuple[str, ...]]:
    """The guidance of each action and fired rules met, worked out the first time."""

    def guidance(key: tuple[str, tuple[str, ...]]) -> tuple[str, ...]:
        action, fired = key
        own = (point for rule_id in fired for point in rule_base.rule(rule_id).guidance)
        general = rule_base.actions[action].guidance or rule_base.guidance
        return tuple(dict.fromkeys([*own, *general]))

    return WrittenOnce(guidance)


_guidance_of = PerRuleBase(_guidance_for)


def moved_sentence(rule_base: RuleBase, move: Move, working_day: datetime.date) -> str:
    """The calendar's sentence for a computed day that moved off a weekend day or holiday."""
    calendar = rule_base.calendar
    day_off = _day_off(calendar.weekend_day, calendar.holiday, move.holiday)
    extras = {"unmoved_day": move.unmoved, "day_off": day_off, "working_day": working_day}
    return render(calendar.moved, extras.get)


@lru_cache(maxsize=1024)
def _day_off(weekend_day: str, holiday_words: str, holiday: str | None) -> str:
    """The calendar's words for why a day is off: a few texts, written once each."""
    if holiday is None:
        return render(weekend_day, lambda name: None)
    return render(holiday_words, lambda name: holiday if name == "holiday" else None)


Values = Mapping[str, Any]
Filled = Callable[[Values], str]


def _message(
    rule_base: RuleBase, template_id: Any, values: Values, texts: Mapping[str, Filled]
) -> Message | None:
    if template_id is None:
        return None
    template = rule_base.messages[str(template_id)]
    paragraphs = [
        texts[paragraph.text](values)
        for paragraph in template.body
        if paragraph.when is None or holds(paragraph.when, values)
    ]
    # A subject is one line: a line break from a fact (a role "x\nBcc: ...") would start a
    # header line of its own wherever the draft is pasted.
    subject = " ".join(texts[template.subject](values).split())
    return Message(subject=subject, body="\n\n".join(paragraphs))


def _compiled_texts(rule_base: RuleBase) -> WrittenOnce[str, Filled]:
    """Each template of the rule base, cut into pieces the first time it is met, each
    placeholder bound to how its value reads (see `_value_text`)."""
    getters = {
        name: _value_text(name, spec, rule_base.list_and) for name, spec in rule_base.facts.items()
    }
    getters["days_until"] = lambda values: days_until(values["today"], values.get(FOLLOW_UP_ON))

    def getter(name: str) -> Filled:
        return getters.get(name) or (lambda values: format_value(values.get(name)))

    def compiled(template: str) -> Filled:
        pieces, tail = compile_template(template, getter)
        if not pieces:
            return lambda _values: tail
        return lambda values: fill(pieces, tail, values)

    return WrittenOnce(compiled)


_texts = PerRuleBase(_compiled_texts)


def _value_text(name: str, spec: FactSpec, list_and: str) -> Filled:
    """A fact's value as the job seeker reads it: its default, a value's label, a joined
    list, a date in words; its spec looked at once a rule base rather than once a value."""
    default, labels, choice = spec.default, dict(spec.value_labels), spec.type == "choice"

    def text(values: Values) -> str:
        value = values.get(name)
        if value is None:
            value = default
        if choice and isinstance(value, str):
            return format_value(labels.get(value, value))
        if isinstance(value, list):
            return join_items([str(item) for item in value], list_and)
        return format_value(value)

    return text


def days_until(today: datetime.date, day: datetime.date | None) -> str:
    """'today', 'tomorrow', 'in 11 days' (or 'N days ago')."""
    if day is None:
        return ""
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta > 1:
        return f"in {delta} days"
    return f"{-delta} days ago"
