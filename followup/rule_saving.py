"""Saving a change of the rule files as a new version, or restoring an old one.

A save names the version it was made on. When the files have been saved by someone else
since, the save is refused with both sets of changes in words, to merge by hand: nothing is
ever silently overwritten. A save whose files `rules check` finds fault with is refused too,
so the running advisor never meets rules it cannot use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engine.editing import AddRule, Edit, RemoveRule, SetValue, apply_edits
from engine.loader import rule_base_version
from explain.diff import rule_changes

from .audit import AuditStore
from .output import write_atomically
from .rule_review import Review, inspect_texts, review
from .rule_versions import FOUND, History, current_texts


@dataclass(frozen=True)
class Saved:
    """The new version: its number in the history, its sha256, and what changed in words."""

    id: int
    version: str
    changes: tuple[str, ...]


@dataclass(frozen=True)
class Stale:
    """Refused: the files were saved by someone else since the version the change was made on."""

    current: str
    theirs: tuple[str, ...] = ()
    yours: tuple[str, ...] = ()


@dataclass(frozen=True)
class Refused:
    """Refused: `rules check` finds problems in the files the change would write."""

    review: Review


Outcome = Saved | Stale | Refused


@dataclass
class Saving:
    """Where a save goes and who makes it."""

    folder: Path
    author: str
    store: AuditStore | None = None
    history: History = field(init=False)

    def __post_init__(self) -> None:
        self.history = History(self.folder)


def edits_in_words(edits: Sequence[Edit]) -> list[str]:
    """Each edit as a line a coach reads, for the history and a refused save."""
    lines = []
    for edit in edits:
        if isinstance(edit, SetValue):
            where = " ".join(str(key).replace("_", " ") for key in edit.field.keys)
            lines.append(f"{edit.field.kind} {edit.field.name}: {where} set to {edit.value!r}")
        elif isinstance(edit, AddRule):
            lines.append(f"rule added: {edit.rule.get('id')}")
        elif isinstance(edit, RemoveRule):
            lines.append(f"rule removed: {edit.rule_id}")
    return lines


def save_edits(saving: Saving, edits: Sequence[Edit], based_on: str) -> Outcome:
    """Apply `edits` to the files of version `based_on` and save them as a new version."""
    return _save(
        saving, lambda texts: apply_edits(texts, edits), based_on, tuple(edits_in_words(edits))
    )


def restore(saving: Saving, texts: Mapping[str, str], based_on: str) -> Outcome:
    """Save the files of an old version as a new version (the history keeps both)."""
    restored = rule_base_version(texts)[:12]
    return _save(saving, lambda _texts: dict(texts), based_on, (f"restored {restored}",))


def _save(
    saving: Saving,
    changed: Callable[[dict[str, str]], dict[str, str]],
    based_on: str,
    yours: tuple[str, ...],
) -> Outcome:
    history = saving.history
    with history.saving() as db:
        texts = current_texts(saving.folder)
        current = rule_base_version(texts)
        if current != based_on:
            return Stale(current, tuple(_changes_since(history, based_on, texts)), yours)
        before = inspect_texts(texts).rule_base
        new_texts = changed(texts)
        if before is None:
            # The files on disk were broken by hand: judge the new ones against themselves.
            before = inspect_texts(new_texts).rule_base
        if before is None:
            return Refused(review(saving.folder, new_texts, None, saving.store))
        outcome = review(saving.folder, new_texts, before, saving.store)
        if not outcome.sound:
            return Refused(outcome)
        if history.is_empty(db):
            history.add(db, texts, FOUND, None, [])
        for name, text in new_texts.items():
            if text != texts.get(name):
                write_atomically(saving.folder / name, text.encode("utf-8"))
        changes = outcome.changes or list(yours)
        number = history.add(db, new_texts, saving.author, based_on, changes)
    return Saved(number, rule_base_version(new_texts), tuple(changes))


def _changes_since(history: History, based_on: str, texts: Mapping[str, str]) -> list[str]:
    """What others saved since `based_on`, in words (when that version is in the history)."""
    old_texts = history.texts_of(based_on)
    if old_texts is None:
        return ["the files were changed outside the editor since you opened it"]
    old, new = inspect_texts(old_texts).rule_base, inspect_texts(texts).rule_base
    if old is None or new is None:
        return ["the files were changed since you opened the editor"]
    return rule_changes(old, new) or ["the files were reworded, with no change to the advice"]
