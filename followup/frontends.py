"""Two front ends for one consultation: a pleasant terminal prompt, and plain lines for pipes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import questionary
    from prompt_toolkit.key_binding import KeyPressEvent
    from rich.console import Console

from .consultation import COMMANDS, Interrupted, Prompt
from .render import escape

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
            # Ctrl-D at a terminal is a person stopping; the end of piped input is not.
            raise Interrupted if self.source.isatty() else EOFError
        if not self.source.isatty():
            # Show piped answers, so a scripted consultation reads as a transcript.
            self.output.write(line if line.endswith("\n") else line + "\n")
        return line.rstrip("\r\n")

    def say(self, text: str) -> None:
        self.output.write(text + "\n")
        self.output.flush()


class TerminalFrontend:
    """Arrow-key choices (y and n pick yes and no) and plain text answers through questionary."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def ask(self, prompt: Prompt) -> str:
        question = self._select(prompt) if prompt.choices else self._text(prompt)
        try:
            reply = question.unsafe_ask()
        except (KeyboardInterrupt, EOFError):
            raise Interrupted from None
        if reply is None:
            raise Interrupted
        return str(reply)

    def _select(self, prompt: Prompt) -> questionary.Question:
        # questionary and prompt_toolkit take 80 ms to import: only `ask` on a terminal needs them.
        import questionary  # noqa: PLC0415 - only a terminal's `ask` loads it
        from prompt_toolkit.key_binding import (  # noqa: PLC0415 - only a terminal's `ask`
            KeyBindings,
            merge_key_bindings,
        )

        extra = [
            command
            for command in COMMANDS
            if prompt.offers_commands and (command != "back" or prompt.can_go_back)
        ]
        separator: list[questionary.Choice] = [questionary.Separator()] if extra else []
        choices: list[str | questionary.Choice] = [*prompt.choices, *separator, *extra]
        question = questionary.select(
            prompt.text,
            choices=choices,
            default=prompt.default if prompt.default in prompt.choices else None,
            instruction="(arrow keys, then Enter)",
        )
        bindings = KeyBindings()
        bindings.add("c-d")(_end_of_input)
        if set(prompt.choices) == {"yes", "no"}:
            # A single key answers a yes/no question, as people expect from a terminal.
            for answer in prompt.choices:
                bindings.add(answer[0])(_picks(answer))
        application = question.application
        application.key_bindings = merge_key_bindings(
            [application.key_bindings or KeyBindings(), bindings]
        )
        return question

    def _text(self, prompt: Prompt) -> questionary.Question:
        # The default is shown, never typed in: typing 1 over a pre-filled 0 would give 01.
        parts = [prompt.hint] if prompt.offers_commands and prompt.hint else []
        if prompt.default:
            parts.append(f"Enter keeps {prompt.default}.")
        if prompt.offers_commands:
            parts.append(f"Or: {COMMAND_HINT}")
        instruction = f"({' '.join(parts)})" if parts else None
        import questionary  # noqa: PLC0415 - only a terminal's `ask` loads it

        return questionary.text(prompt.text, instruction=instruction)

    def say(self, text: str) -> None:
        self.console.print(escape(text), highlight=False)


def _picks(answer: str) -> Callable[[KeyPressEvent], None]:
    def pick(event: KeyPressEvent) -> None:
        event.app.exit(result=answer)

    return pick


def _end_of_input(event: KeyPressEvent) -> None:
    event.app.exit(exception=EOFError())
