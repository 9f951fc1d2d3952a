"""The values of the rule files as the editor names them, and where each stands in its file.

A value is named by a `Field`: the kind of thing (a rule, a fact, a message, an action), its
name, and the keys down to the value, written `rule/two_weeks_when_unsure/priority`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .errors import RuleFileError
from .loader import RULE_FILES

Kind = Literal["rule", "fact", "message", "action", "guidance"]
KINDS: tuple[Kind, ...] = ("rule", "fact", "message", "action", "guidance")
KIND_FILES: dict[Kind, str] = {
    "rule": RULE_FILES["advice"],
    "fact": RULE_FILES["facts"],
    "message": RULE_FILES["messages"],
    "action": RULE_FILES["messages"],
    # The writing guidance shown with every answer: one, named `general`.
    "guidance": RULE_FILES["messages"],
}
GENERAL = "general"
# A field's name is short; a longer one is refused rather than looked up.
FIELD_CHARS = 300


class EditError(RuleFileError):
    """An edit that cannot be made: a field that does not exist, a rule id already taken."""

    def __init__(self, message: str, *, field_key: str | None = None) -> None:
        super().__init__(message)
        self.field_key = field_key


@dataclass(frozen=True)
class Field:
    """One value in the rule files: the kind of thing, its name, and the keys down to it."""

    kind: Kind
    name: str
    keys: tuple[str | int, ...] = ()

    @property
    def key(self) -> str:
        """The field as written in forms and the API: `rule/reach_out_sooner/priority`."""
        return "/".join([self.kind, self.name, *(str(key) for key in self.keys)])

    @property
    def file(self) -> str:
        return KIND_FILES[self.kind]

    @classmethod
    def parse(cls, text: str) -> Field:
        """A field from its written form; an EditError in plain words when it names none."""
        parts = text[:FIELD_CHARS].split("/")
        if len(parts) < 2 or parts[0] not in KINDS or not parts[1]:
            raise EditError(
                f"{text[:60]!r} names no field: write kind/name/key, such as "
                "rule/two_weeks_when_unsure/priority (kinds: rule, fact, message, action, "
                "guidance)",
                field_key=text[:FIELD_CHARS],
            )
        keys = tuple(int(part) if part.isdigit() else part for part in parts[2:])
        return cls(parts[0], parts[1], keys)


@dataclass(frozen=True)
class FieldPlace:
    """Where a field's value starts in its file (1-based line), to place problems at fields."""

    file: str
    line: int
    field: Field


def field_at(places: Sequence[FieldPlace], file_name: str, line: int) -> Field | None:
    """The deepest field whose value starts on or before `line` of `file_name`."""
    found: Field | None = None
    for place in places:
        if place.file != file_name:
            continue
        if place.line > line:
            break
        found = place.field
    return found
