"""Nearest-name suggestions for misspelt facts, rules and keys."""

from __future__ import annotations

from collections.abc import Iterable


def nearest(name: str, known: Iterable[str]) -> str | None:
    """The known name closest to `name`, if any is close enough to be a likely typo."""
    import difflib  # noqa: PLC0415 - only for a name not found

    matches = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(name: str, known: Iterable[str]) -> str | None:
    """A 'did you mean' hint for `name`, or None."""
    match = nearest(name, known)
    return f"did you mean `{match}`?" if match else None
