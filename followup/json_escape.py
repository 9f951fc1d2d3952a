"""Characters JSON may carry raw that a reader could obey or misshow, escaped."""

from __future__ import annotations

import re

# Characters JSON may carry raw that a terminal could obey (C1 controls such as CSI), that
# reorder the text shown (bidirectional overrides) or break lines in some readers (U+2028,
# U+2029): written as \u escapes, the value unchanged. JSON escapes the C0 controls itself.
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape_raw(text: str) -> str:
    """JSON text with those characters written as \\u escapes."""
    return _RAW_IN_JSON.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"
