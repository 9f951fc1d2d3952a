"""What `followup ask` remembers between consultations (the country), in the user's config.

The file is YAML in the platform's user config folder, or wherever FOLLOWUP_CONFIG says.
A file that cannot be read is treated as empty: remembering is a convenience, not advice.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
import yaml

from .output import write_atomically

CONFIG_ENV = "FOLLOWUP_CONFIG"


def config_path() -> Path:
    """Where the remembered settings live."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override)
    return platformdirs.user_config_path("followup") / "config.yaml"


def remembered() -> dict[str, Any]:
    """The remembered settings; empty when there are none or the file is unreadable."""
    try:
        loaded = yaml.safe_load(config_path().read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def remember(name: str, value: Any) -> None:
    """Keep one setting for the next consultations."""
    path = config_path()
    settings = {**remembered(), name: value}
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(settings, sort_keys=True, allow_unicode=True)
    write_atomically(path, text.encode())
