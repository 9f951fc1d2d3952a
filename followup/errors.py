"""How the command line reports the core's errors: one line on stderr and an exit status."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from engine import AdvisorError, EngineError, RuleFileError

BAD_INPUT = 2
FAILED = 1


@contextmanager
def cli_errors(as_json: bool = False, name_facts: bool = False) -> Iterator[None]:
    """Bad input or rules: exit 2; the engine failing on good input: exit 1.

    Refusals speak in words ("The interview date, ..."); where a program or a checker reads
    them, the fact's name comes too: `as_json` prints one JSON object with `fact` on stderr
    (for --format json), `name_facts` appends "(fact: name)" (for --why and explain).
    """
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
        click.echo(_refusal(error, as_json, name_facts), err=True)
        sys.exit(BAD_INPUT)


def _refusal(error: AdvisorError, as_json: bool, name_facts: bool) -> str:
    if as_json:
        where = str(error.location) if error.location else None
        record = {"error": error.one_line(), "fact": error.fact, "where": where}
        return json.dumps(record, ensure_ascii=False)
    named = f" (fact: {error.fact})" if name_facts and error.fact else ""
    return f"error: {error.one_line()}{named}"
