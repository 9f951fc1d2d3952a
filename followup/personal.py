"""Which fields of a recorded answer hold personal facts, decided from the rules that made it.

A fact marked `used_for: message` is personal. A field is personal when it holds such a fact,
when a rule computed it from one, or when it was rendered from a template that names one,
whatever the text came out as (a date reads differently in a message than in the facts).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from engine import RuleBase
from engine.model import DateExpr, FactRef, MessageTemplate
from engine.templates import placeholders


def personal_fields(
    rule_base: RuleBase,
    facts: Mapping[str, Any],
    answer: Mapping[str, Any],
    trace: Iterable[Mapping[str, Any]],
    *,
    own_rules: bool = True,
) -> list[str]:
    """The record's fields to blank when its personal facts are redacted.

    Without the record's own rules (`own_rules` false: `rule_base` is another one), which
    templates it used is unknown, so every field rendered from a template is blanked.
    """
    held = {name for name in facts if _is_personal(rule_base, name)}
    if not held:
        return []
    tainted = _computed_from(rule_base, held)
    fields = {f"facts.{name}" for name in held}
    fields.update(f"answer.{key}" for key in answer if key in tainted)
    for key, texts in _templates_behind(rule_base, answer, list(trace)).items():
        if answer.get(key) is not None and (not own_rules or _names_in(texts) & tainted):
            fields.add(f"answer.{key}")
    return sorted(fields)


def _is_personal(rule_base: RuleBase, name: str) -> bool:
    spec = rule_base.facts.get(name)
    return spec is not None and spec.for_message_only


def _computed_from(rule_base: RuleBase, personal: set[str]) -> set[str]:
    """The personal facts and every fact a rule concludes from them, however indirectly."""
    tainted = set(personal)
    grew = True
    while grew:
        grew = False
        for rule in rule_base.rules:
            for conclusion in rule.then:
                if conclusion.fact not in tainted and _source_of(conclusion.value) in tainted:
                    tainted.add(conclusion.fact)
                    grew = True
    return tainted


def _source_of(value: Any) -> str | None:
    if isinstance(value, FactRef):
        return value.name
    if isinstance(value, DateExpr):
        return value.base
    return None


def _templates_behind(
    rule_base: RuleBase, answer: Mapping[str, Any], trace: list[Mapping[str, Any]]
) -> dict[str, list[str]]:
    """For each templated answer field, the templates it may have been rendered from."""
    action = answer.get("action")
    headlines = [
        spec.headline
        for spec in rule_base.actions.values()
        if action not in rule_base.actions or spec.id == action
    ]
    fired = answer.get("fired_rules")
    fired_ids = set(fired) if isinstance(fired, list) else None
    reasons = [rule.reason for rule in rule_base.rules if fired_ids is None or rule.id in fired_ids]
    messages = [_texts(template) for template in _message_templates(rule_base, trace)]
    return {
        "headline": headlines,
        "reasons": reasons,
        "message": [text for texts in messages for text in texts],
    }


def _message_templates(
    rule_base: RuleBase, trace: list[Mapping[str, Any]]
) -> list[MessageTemplate]:
    """The template the trace says was chosen, or every template when it does not say."""
    message_facts = {name for name, spec in rule_base.facts.items() if spec.type == "message"}
    for item in trace:
        if not isinstance(item, Mapping) or item.get("status") != "fired":
            continue
        concluded = item.get("concluded")
        if not isinstance(concluded, Mapping):
            continue
        for name, value in concluded.items():
            if name in message_facts and isinstance(value, str) and value in rule_base.messages:
                return [rule_base.messages[value]]
    return list(rule_base.messages.values())


def _texts(template: MessageTemplate) -> list[str]:
    return [template.subject, *(paragraph.text for paragraph in template.body)]


def _names_in(texts: Iterable[str]) -> set[str]:
    return {name for text in texts for name, _offset in placeholders(text)}
