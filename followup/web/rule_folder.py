"""The rule folder the editor changes: where it is, previews on it, and saves to it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from engine.editing import Edit, apply_edits

from ..rule_review import Review, review
from ..rule_saving import Saving
from ..rule_versions import current_texts
from .settings import Settings

# Who saved, when the form names no one: the holder of the login.
UNNAMED = "a coach (no name given)"


def editor_folder(settings: Settings) -> Path | None:
    """The folder the advisor was loaded from, if the server knows it."""
    return settings.rules_dir


def saving_for(settings: Settings, author: str) -> Saving:
    folder = editor_folder(settings)
    assert folder is not None
    name = " ".join(author.split())[:100] or UNNAMED
    return Saving(folder, name, settings.store)


def preview(settings: Settings, edits: Sequence[Edit]) -> Review:
    """What the edits would do to the files as they are now: nothing is written."""
    folder = editor_folder(settings)
    assert folder is not None
    texts = current_texts(folder)
    return review(folder, apply_edits(texts, edits), settings.advisor.rule_base, settings.store)
