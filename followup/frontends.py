"""Two front ends for one consultation: a pleasant terminal prompt, and plain lines for pipes."""

from __future__ import annotations

from typing import TextIO

import questionary
from rich.console import Console
from rich.markup import escape

from .consultation import COMMANDS, Prompt, Quit

COMMAND_HINT = "why / back / help / quit"


class PlainFrontend:
    """Questions as plain lines on `output`, answers read line by line from `source`."""

    def __init__(self, source: TextIO, output: TextIO) -> None:
        self.source = source
        self.output = output

    def ask(self, prompt: Prompt) -> str:
        options = f" [{' / '.join(prompt.choices)}]" if prompt.choices else ""
        default = f" (default: {prompt.default})" if prompt.default is not None else ""
        self.output.write(f"\n{prompt.text}{options}{default}\n> ")
        self.output.flush()
        line = self.source.readline()
        if not line:
            raise EOFError
        if not self.source.isatty():
            # Show piped answers, so a scripted consultation reads as a transcript.
            self.output.write(line if line.endswith("\n") else line + "\n")
        return line.rstrip("\r\n")

    def say(self, text: str) -> None:
        self.output.write(text + "\n")
        self.output.flush()


class TerminalFrontend:
    """Arrow-key choices and editable defaults through questionary; words through rich."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def ask(self, prompt: Prompt) -> str:
        if prompt.choices:
            extra = [
                command
                for command in COMMANDS
                if prompt.offers_commands and (command != "back" or prompt.can_go_back)
            ]
            separator: list[questionary.Choice] = [questionary.Separator()] if extra else []
            choices: list[str | questionary.Choice] = [*prompt.choices, *separator, *extra]
            reply = questionary.select(
                prompt.text,
                choices=choices,
                default=prompt.default if prompt.default in prompt.choices else None,
                instruction="(arrow keys, then Enter)",
            ).ask()
        else:
            reply = questionary.text(
                prompt.text,
                default=prompt.default or "",
                instruction=f"({prompt.hint} Or: {COMMAND_HINT})"
                if prompt.offers_commands
                else None,
            ).ask()
        if reply is None:  # questionary's answer to Ctrl-C
            raise Quit
        return str(reply)

    def say(self, text: str) -> None:
        self.console.print(escape(text), highlight=False)
