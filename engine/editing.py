"""Changing the rule files' text: set one value, add a rule, remove one, keeping the rest.

The files are read and written with ruamel.yaml in round-trip mode, so comments, key order,
quoting and layout stay as the coach wrote them and a change shows in the file's diff as the
lines it touched, nothing more. Nothing here judges the result: the normal loader does that
on the new texts (see `followup.rule_review`).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from .fields import GENERAL, KIND_FILES, KINDS, EditError, Field, FieldPlace, Kind
from .limits import RULES, size, value_problem
from .loader import RULE_FILES

# The width the shipped files are wrapped at: a reworded folded text is wrapped the same way.
WRAP_AT = 96


@dataclass(frozen=True)
class SetValue:
    """Give one field a new value (a field not yet written, such as a fact's help, is added)."""

    field: Field
    value: Any


@dataclass(frozen=True)
class AddRule:
    """A new rule, as the mapping it is written as (id, priority, when, then, reason, source).

    It goes before the first rule of lower priority, so the file stays in priority order.
    """

    rule: Mapping[str, Any]


@dataclass(frozen=True)
class RemoveRule:
    rule_id: str


Edit = SetValue | AddRule | RemoveRule


def _yaml() -> YAML:
    """A round-trip reader and writer set to the layout of the shipped rule files."""
    yaml = YAML(typ="rt")  # round-trip mode builds plain data, never Python objects
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # long lines stay as written: only edited folded text is rewrapped
    yaml.representer.add_representer(type(None), _null)
    return yaml


def _null(representer: Any, _data: None) -> Any:
    # `follow_up_on: null` reads better than an empty value, and is how the files write it.
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def apply_edits(texts: Mapping[str, str], edits: Sequence[Edit]) -> dict[str, str]:
    """The rule files' texts after the edits; files no edit touches are returned unchanged."""
    for edit in edits:
        _check_values(edit)
    documents: dict[str, Any] = {}
    for edit in edits:
        file_name = RULE_FILES["advice"] if not isinstance(edit, SetValue) else edit.field.file
        if file_name not in documents:
            documents[file_name] = _load(texts, file_name)
        _apply(documents[file_name], edit)
    changed = dict(texts)
    for file_name, document in documents.items():
        changed[file_name] = _dump(document)
    return changed


def _load(texts: Mapping[str, str], file_name: str) -> Any:
    text = texts.get(file_name)
    if text is None:
        raise EditError(f"the rule base has no {file_name}")
    if len(text.encode("utf-8")) > RULES.file_bytes:
        raise EditError(f"{file_name} is larger than {size(RULES.file_bytes)}, too large to edit")
    try:
        return _yaml().load(text)
    except YAMLError as error:
        raise EditError(f"{file_name} cannot be read as YAML: {error}") from None
    except RecursionError:
        # Nesting deeper than any rule file needs (the loader refuses it in words too).
        raise EditError(f"{file_name} is nested too deeply to edit") from None


def _dump(document: Any) -> str:
    out = io.StringIO()
    try:
        _yaml().dump(document, out)
    except (YAMLError, IndexError, ValueError) as error:
        raise EditError(f"the change cannot be written as YAML: {error}") from None
    return out.getvalue()


def _check_values(edit: Edit) -> None:
    """Refuse text a rule file cannot hold (control characters, broken characters, too long)
    before it is written, naming the field it was meant for."""
    if isinstance(edit, SetValue):
        value, where = edit.value, edit.field.key
    elif isinstance(edit, AddRule):
        value, where = edit.rule, f"rule/{edit.rule.get('id', '')}"
    else:
        value, where = edit.rule_id, f"rule/{edit.rule_id[:64]}"
    problem = value_problem(value, RULES)
    if problem is not None:
        raise EditError(f"the new value {problem}", field_key=where)


def _apply(document: Any, edit: Edit) -> None:
    if isinstance(edit, SetValue):
        _set(document, edit.field, edit.value)
    elif isinstance(edit, AddRule):
        _add_rule(document, edit.rule)
    else:
        rules = _rules(document)
        rules.pop(_rule_index(rules, edit.rule_id))


def _set(document: Any, target: Field, value: Any) -> None:
    container: Any = _item(document, target)
    if not target.keys:
        raise EditError(f"{target.key} names a whole {target.kind}: name one of its values")
    for key in target.keys[:-1]:
        container = _step(container, key, target)
    last = target.keys[-1]
    if isinstance(container, CommentedMap) and isinstance(last, str):
        old = container.get(last)
        container[last] = _styled(value, old, _indent(container))
    elif isinstance(container, CommentedSeq) and isinstance(last, int) and last < len(container):
        container[last] = _styled(value, container[last], _indent(container))
    else:
        raise EditError(f"there is no {target.key} to change", field_key=target.key)


def _step(container: Any, key: str | int, target: Field) -> Any:
    try:
        if isinstance(container, CommentedMap) and isinstance(key, str) and key in container:
            return container[key]
        if isinstance(container, CommentedSeq) and isinstance(key, int):
            return container[key]
    except IndexError:
        pass
    raise EditError(f"there is no {target.key} to change", field_key=target.key)


def _item(document: Any, target: Field) -> Any:
    """The rule, fact, message or action a field belongs to."""
    if target.kind == "rule":
        rules = _rules(document)
        return rules[_rule_index(rules, target.name)]
    if target.kind == "guidance":
        guidance = document.get("guidance") if isinstance(document, CommentedMap) else None
        if target.name == GENERAL and isinstance(guidance, CommentedMap):
            return guidance
        raise EditError(f"there is no guidance {target.name!r}", field_key=target.key)
    sections = {"fact": ("given", "derived"), "message": ("messages",), "action": ("actions",)}
    for section in sections[target.kind]:
        items = document.get(section) if isinstance(document, CommentedMap) else None
        if isinstance(items, CommentedMap) and target.name in items:
            return items[target.name]
    raise EditError(f"there is no {target.kind} {target.name!r}", field_key=target.key)


def _rules(document: Any) -> CommentedSeq:
    rules = document.get("rules") if isinstance(document, CommentedMap) else None
    if not isinstance(rules, CommentedSeq):
        raise EditError("advice.yaml has no list of rules")
    return rules


def _rule_index(rules: CommentedSeq, rule_id: str) -> int:
    for index, rule in enumerate(rules):
        if isinstance(rule, CommentedMap) and rule.get("id") == rule_id:
            return index
    raise EditError(f"there is no rule {rule_id!r}", field_key=f"rule/{rule_id}")


def _indent(container: Any) -> int:
    """The column the keys of `container` start at (0-based), for wrapping its texts."""
    place = getattr(container, "lc", None)
    return int(place.col) if place is not None and place.col is not None else 0


def _styled(value: Any, old: Any, indent: int) -> Any:
    """The new value written as the old one was: a folded text stays folded, and so on."""
    if isinstance(value, str) and isinstance(old, FoldedScalarString):
        return folded(value, indent + 2)
    if isinstance(value, str) and isinstance(old, LiteralScalarString):
        return LiteralScalarString(value)
    if isinstance(value, str) and "\n" not in value and len(value) + indent > WRAP_AT:
        return folded(value, indent + 2)
    return value


def folded(text: str, indent: int) -> Any:
    """A text written `>-` and wrapped at WRAP_AT, as the shipped files write long reasons."""
    one_line = " ".join(text.split())
    written = FoldedScalarString(one_line)
    lines = textwrap.wrap(one_line, WRAP_AT - indent, break_long_words=False)
    positions, offset = [], 0
    for line in lines[:-1]:
        offset += len(line)
        positions.append(offset)  # the space after this line is where it folds
        offset += 1
    written.fold_pos = positions
    return written


def _add_rule(document: Any, rule: Mapping[str, Any]) -> None:
    rules = _rules(document)
    rule_id = str(rule.get("id", ""))
    if any(isinstance(item, CommentedMap) and item.get("id") == rule_id for item in rules):
        raise EditError(
            f"there is already a rule {rule_id!r}: choose another id", field_key=f"rule/{rule_id}"
        )
    written = _commented(rule, 4)
    priority = rule.get("priority")
    place = len(rules)
    if isinstance(priority, int):
        place = next(
            (
                index
                for index, item in enumerate(rules)
                if isinstance(item, CommentedMap)
                and isinstance(item.get("priority"), int)
                and item["priority"] < priority
            ),
            len(rules),
        )
    rules.insert(place, written)
    _separate(rules, place)


def _commented(value: Any, indent: int) -> Any:
    """Plain data as round-trip data, long texts folded."""
    if isinstance(value, Mapping):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[str(key)] = _commented(item, indent + 2)
        return mapping
    if isinstance(value, list | tuple):
        sequence = CommentedSeq(_commented(item, indent + 2) for item in value)
        if all(not isinstance(item, Mapping | list | tuple) for item in value):
            sequence.fa.set_flow_style()  # [a, b], as the files write lists of values
        return sequence
    if isinstance(value, str) and len(value) + indent > WRAP_AT:
        return folded(value, indent + 2)
    return value


def _separate(rules: CommentedSeq, index: int) -> None:
    """A blank line between the new rule and its neighbours, as between the others."""
    if index < len(rules) - 1:
        _blank_after(rules[index])
    elif index > 0:
        _blank_after(rules[index - 1])


def _blank_after(item: CommentedMap) -> None:
    """A blank line after the item's last value, kept as ruamel keeps it: a comment token."""
    from ruamel.yaml.error import CommentMark  # noqa: PLC0415 - only when a rule is added
    from ruamel.yaml.tokens import CommentToken  # noqa: PLC0415

    keys = list(item)
    if not keys:
        return
    comment = item.ca.items.setdefault(keys[-1], [None, None, None, None])
    if comment[2] is None:
        comment[2] = CommentToken("\n\n", CommentMark(0), None)


# -- where each field stands, to place problems at the field they concern -----------------------


def field_places(texts: Mapping[str, str]) -> list[FieldPlace]:
    """Every field of every rule, fact, message and action, with the line its value starts."""
    places: list[FieldPlace] = []
    for kind in KINDS:
        file_name = KIND_FILES[kind]
        try:
            document = _load(texts, file_name)
        except EditError:
            continue  # the loader's own error says what is wrong with the file
        for name, item, line in _items(document, kind):
            places.append(FieldPlace(file_name, line, Field(kind, name)))
            places.extend(
                FieldPlace(file_name, key_line, Field(kind, name, keys))
                for keys, key_line in _keys(item, ())
            )
    return sorted(places, key=lambda place: (place.file, place.line, len(place.field.keys)))


def _items(document: Any, kind: Kind) -> Iterator[tuple[str, Any, int]]:
    if not isinstance(document, CommentedMap):
        return
    if kind == "rule":
        rules = document.get("rules")
        for index, rule in enumerate(rules if isinstance(rules, CommentedSeq) else []):
            if isinstance(rule, CommentedMap) and isinstance(rule.get("id"), str):
                yield rule["id"], rule, rules.lc.item(index)[0] + 1
        return
    if kind == "guidance":
        guidance = document.get("guidance")
        if isinstance(guidance, CommentedMap):
            yield GENERAL, guidance, document.lc.key("guidance")[0] + 1
        return
    sections = {"fact": ("given", "derived"), "message": ("messages",), "action": ("actions",)}
    for section in sections[kind]:
        items = document.get(section)
        if isinstance(items, CommentedMap):
            for name, item in items.items():
                yield str(name), item, items.lc.key(name)[0] + 1


def _keys(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], int]]:
    if len(path) > 12:
        return  # deeper than any field the editor shows
    if isinstance(value, CommentedMap):
        for key, item in value.items():
            yield (*path, str(key)), value.lc.key(key)[0] + 1
            yield from _keys(item, (*path, str(key)))
    elif isinstance(value, CommentedSeq):
        for index, item in enumerate(value):
            yield (*path, index), value.lc.item(index)[0] + 1
            yield from _keys(item, (*path, index))


@dataclass
class RuleDraft:
    """A new rule as the condition builder makes it, before it is written as YAML."""

    id: str
    priority: int
    when: list[tuple[str, str, Any]] = field(default_factory=list)
    then: list[tuple[str, Any]] = field(default_factory=list)
    reason: str = ""
    source: str = ""

    def written(self) -> dict[str, Any]:
        """The rule as advice.yaml writes it: conditions `fact: value` or `fact: {op: value}`."""
        return {
            "id": self.id,
            "priority": self.priority,
            "when": [_condition(fact, op, value) for fact, op, value in self.when],
            "then": dict(self.then),
            "reason": self.reason,
            "source": self.source,
        }


def _condition(fact: str, op: str, value: Any) -> dict[str, Any]:
    return {fact: value} if op == "equals" else {fact: {op: value}}
