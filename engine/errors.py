"""The one root error of the advisor, and the places errors point at."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """A place in a file: 1-based line and column, and the text of that line."""

    file: str
    line: int
    column: int
    line_text: str = ""

    def __str__(self) -> str:
        # A place on the command line has no line and column.
        return f"{self.file}:{self.line}:{self.column}" if self.line > 0 else self.file

    def excerpt(self) -> str:
        """The offending line with a caret under the column (control characters shown)."""
        if not self.line_text:
            return ""
        before = visible(self.line_text[: self.column - 1])
        return f"  {visible(self.line_text)}\n  {' ' * len(before)}^"


# Characters a terminal may act on instead of showing: C0 and C1 controls, DEL, and the
# marks that reorder or break lines (bidirectional overrides, line and paragraph separators)
# and lone surrogates, which cannot even be written out.
_UNSHOWN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def visible(text: str) -> str:
    """`text` with every control character written as an escape (ESC as `\\x1b`)."""
    return _UNSHOWN.sub(escape_character, text)


def escape_character(match: re.Match[str]) -> str:
    """One matched character as an escape: `\\x09`, `\\u2028`."""
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class AdvisorError(Exception):
    """Root of every error the advisor raises on purpose.

    Each carries what a caller needs to act on it: the fact or rule concerned, where in which
    file it happened, and a suggestion when one exists.
    """

    def __init__(
        self,
        message: str,
        *,
        fact: str | None = None,
        rule_id: str | None = None,
        location: Location | None = None,
        suggestion: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fact = fact
        self.rule_id = rule_id
        self.location = location
        self.suggestion = suggestion

    def one_line(self) -> str:
        """The error as one line: where, what, and the suggestion."""
        where = f"{self.location}: " if self.location else ""
        hint = f" ({self.suggestion})" if self.suggestion else ""
        # A message may quote a value with line breaks or escape codes: it still prints as one
        # line, and shows them rather than sending them to the terminal.
        return visible(f"{where}{self.message}{hint}")

    def detailed(self) -> str:
        """The one line, followed by the offending line of the file with a caret."""
        excerpt = self.location.excerpt() if self.location else ""
        return f"{self.one_line()}\n{excerpt}" if excerpt else self.one_line()

    def __str__(self) -> str:
        return self.one_line()


class RuleFileError(AdvisorError):
    """A rule file is not valid YAML, breaks the schema, or says something meaningless."""


class FactError(AdvisorError):
    """The facts of a case are refused: unknown name, wrong type, impossible dates."""


class EngineError(AdvisorError):
    """The rule engine failed while evaluating a case, or the rules left the case undecided."""
