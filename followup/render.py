"""Printing an answer for a person at a terminal."""

from __future__ import annotations

import re
import textwrap

from rich.console import Console
from rich.markup import escape

from engine import Answer
from engine.limits import visible

_BREAKS = re.compile(r"[\t\n\r\v\f]")

ACTION_STYLE = {
    "wait": "bold yellow",
    "follow_up_now": "bold green",
    "send_reminder": "bold green",
    "move_on": "bold magenta",
}


def print_answer(console: Console, answer: Answer) -> None:
    """Headline, reasons, guidance and the drafted message."""
    style = ACTION_STYLE.get(answer.action, "bold")
    console.print(f"[{style}]{escape(_shown(answer.headline))}[/]")
    _section(console, "Why")
    for reason, rule_id in zip(answer.reasons, answer.fired_rules, strict=True):
        _bullet(console, f"{reason} ({rule_id})")
    _section(console, "How to write it")
    for point in answer.guidance:
        _bullet(console, point)
    if answer.message is not None:
        _section(console, "Draft message")
        _indented(console, f"Subject: {answer.message.subject}")
        console.print()
        for paragraph in answer.message.body.split("\n"):
            _indented(console, paragraph)
    console.print()
    console.print(f"[dim]Rule base {answer.outcome.rule_base_version[:12]}[/]")


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


def _indented(console: Console, text: str) -> None:
    wrapped = (
        textwrap.fill(
            _shown(text), width=_width(console), initial_indent="  ", subsequent_indent="  "
        )
        if text
        else ""
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
