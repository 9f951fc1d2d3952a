"""The user's cache folder, where proofs and schema checks already done are kept.

FOLLOWUP_CACHE_DIR overrides the platform's user cache folder. Everything kept here is named
by a sha256 of what it stands for, so a change of any rule file misses the cache, and a file
that cannot be read or written is passed over: the cache only ever saves time.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import platformdirs

CACHE_ENV = "FOLLOWUP_CACHE_DIR"


def cache_root() -> Path:
    """FOLLOWUP_CACHE_DIR, else the platform's user cache folder for followup."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    return platformdirs.user_cache_path("followup")


def digest(*parts: str) -> str:
    """The sha256 of these strings, each followed by a zero byte so that no two lists agree."""
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(part.encode() + b"\0")
    return hashed.hexdigest()


def seen(folder: str, key: str) -> bool:
    """Whether `key` was noted in `folder` of the cache; an unreadable cache is an empty one."""
    try:
        return (cache_root() / folder / key).is_file()
    except OSError:
        return False


def note(folder: str, key: str) -> None:
    """Note `key` in `folder` of the cache (an empty file by that name); failures are ignored."""
    try:
        place = cache_root() / folder
        place.mkdir(parents=True, exist_ok=True)
        (place / key).touch()
    except OSError:
        pass
