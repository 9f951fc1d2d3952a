"""Printing an answer for a person at a terminal."""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING

from engine import Answer
from engine.answer import Message
from engine.errors import visible

if TYPE_CHECKING:
    from rich.console import Console


def escape(text: str) -> str:
    """Text with rich's markup escaped; rich loads only when text is printed for a person."""
    from rich.markup import escape as rich_escape  # noqa: PLC0415 - rich (30 ms to import) only for text at a terminal

    return rich_escape(text)


_BREAKS = re.compile(r"[\t\n\r\v\f]")

ACTION_STYLE = {
    "wait": "bold yellow",
    "follow_up_now": "bold green",
    "send_reminder": "bold green",
    "move_on": "bold magenta",
}


def print_answer(console: Console, answer: Answer, *, names: bool = False) -> None:
    """Headline, reasons, guidance and the drafted message, in words for the job seeker.

    Rule ids and the rule-base version are for whoever checks the reasoning: `names` adds them
    (as `--why` does).
    """
    style = ACTION_STYLE.get(answer.action, "bold")
    console.print(f"[{style}]{escape(_shown(answer.headline))}[/]")
    _section(console, "Why")
    for reason, rule_id in zip(answer.reasons, answer.fired_rules, strict=True):
        _bullet(console, f"{reason} ({rule_id})" if names else reason)
    _section(console, answer.guidance_title or "Guidance")
    for point in answer.guidance:
        _bullet(console, point)
    if answer.message is not None:
        _section(console, "Draft message")
        # Flush left and unwrapped, so it pastes into an email as it is.
        lines = draft_text(answer.message).split("\n")
        console.print(escape("\n".join(visible(line) for line in lines)), soft_wrap=True)
    if names:
        console.print()
        console.print(f"[dim]Rule base {answer.outcome.rule_base_version[:12]}[/]")


def draft_text(message: Message) -> str:
    """The drafted message as text to paste: the subject line, a blank line, the body."""
    return f"Subject: {message.subject}\n\n{message.body}"


def draft_email(message: Message) -> bytes:
    """The drafted message as an .eml file, which mail programs open as a draft to send."""
    from email.message import EmailMessage  # noqa: PLC0415 - 20 ms, only for a drafted message

    email = EmailMessage()
    email["Subject"] = message.subject
    email["X-Unsent"] = "1"  # Outlook and others open the file as a draft, not a sent mail
    email.set_content(message.body + "\n", cte="8bit")
    return email.as_bytes()


def _shown(text: str) -> str:
    # Facts (names, company, role) may hold escape codes: a terminal must show, not obey them.
    # Line breaks and tabs become spaces before wrapping; other control characters, escapes.
    return visible(_BREAKS.sub(" ", text))


def _section(console: Console, title: str) -> None:
    console.print()
    console.print(f"[bold]{title}[/]")


def _width(console: Console) -> int:
    return max(40, min(console.width, 100))


def _bullet(console: Console, text: str) -> None:
    wrapped = textwrap.fill(
        _shown(text), width=_width(console), initial_indent="  • ", subsequent_indent="    "
    )
    console.print(escape(wrapped), soft_wrap=True)


def print_lines(console: Console, title: str, lines: list[str]) -> None:
    """A titled section of numbered or plain lines, wrapped."""
    _section(console, title)
    for line in lines:
        wrapped = textwrap.fill(
            _shown(line), width=_width(console), initial_indent="  ", subsequent_indent="     "
        )
        console.print(escape(wrapped), soft_wrap=True)
