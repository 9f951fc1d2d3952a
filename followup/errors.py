"""How the command line reports the core's errors: one line on stderr and an exit status."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from engine import AdvisorError, EngineError, RuleFileError

BAD_INPUT = 2
FAILED = 1


@contextmanager
def cli_errors() -> Iterator[None]:
    """Bad input or rules: exit 2; the engine failing on good input: exit 1."""
    try:
        yield
    except EngineError as error:
        click.echo(f"error: {error.one_line()}", err=True)
        sys.exit(FAILED)
    except RuleFileError as error:
        # For whoever edits the rules: the offending line, with a caret under the spot.
        click.echo(f"error: {error.detailed()}", err=True)
        sys.exit(BAD_INPUT)
    except AdvisorError as error:
        click.echo(f"error: {error.one_line()}", err=True)
        sys.exit(BAD_INPUT)
