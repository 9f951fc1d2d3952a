"""The `followup` command line: parse the options, call the core, print the result."""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click
from rich.console import Console

from engine import (
    Advisor,
    AdvisorError,
    EngineError,
    RuleFileError,
    load_rule_base,
    read_case,
)

from .batch import run_batch
from .inputs import parse_day, read_facts_file
from .render import print_answer

BAD_INPUT = 2
FAILED = 1


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="followup-advisor", prog_name="followup")
def main() -> None:
    """When and how to follow up after a job interview, and exactly why.

    Start with `followup advise FACTS.yaml`, where FACTS.yaml says when the interview was
    (see examples/). Every answer names the rules that decided it and where in the source
    article each piece of advice comes from.
    """


@main.command()
@click.argument("facts_file", required=False, metavar="FILE")
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="Give or change one fact, e.g. --set followups_sent=1 (repeatable).",
)
@click.option("--today", metavar="YYYY-MM-DD", help="The day the advice is for (default: today).")
@click.option(
    "--rules",
    "rules_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Use another rule base (a folder with facts.yaml, advice.yaml, messages.yaml).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Words for a person, or the JSON object for programs.",
)
@click.option(
    "--batch",
    "batch_file",
    metavar="FILE.jsonl",
    help="Advise on many cases: one JSON object of facts per line (- for stdin); "
    "prints one JSON answer per line.",
)
@click.option("--no-audit", is_flag=True, help="Do not record this advice in the audit trail.")
def advise(
    facts_file: str | None,
    overrides: Sequence[str],
    today: str | None,
    rules_dir: Path | None,
    output_format: str,
    batch_file: str | None,
    no_audit: bool,
) -> None:
    """Advise on one case: when to follow up, why, and a drafted message.

    FILE is a YAML or JSON file of facts (- reads standard input), for example:

    \b
        interview_date: 2026-11-16
        timeline_given: no
        culture: unsure

    \b
    Examples:
        followup advise examples/no-timeline.yaml --today 2026-11-26
        followup advise --set interview_date=2026-11-16 --set competing_offer=yes
        followup advise examples/one-followup.yaml --format json
        followup advise --batch cases.jsonl > answers.jsonl
    """
    with _errors():
        day = parse_day(today, "--today") if today else datetime.date.today()
        rule_base = load_rule_base(rules_dir)
        advisor = Advisor(rule_base)
        if batch_file is not None:
            if facts_file is not None or overrides:
                raise click.UsageError("--batch reads its facts from FILE.jsonl; drop FILE/--set")
            with _open_text(batch_file) as stream:
                failures = run_batch(stream, advisor, day, sys.stdout, _progress_console())
            sys.exit(FAILED if failures else 0)
        if facts_file is None and not overrides:
            raise click.UsageError("give a facts FILE (or - for stdin), or facts with --set")
        raw, origin = read_facts_file(facts_file, overrides)
        case = read_case(raw, rule_base, today=day, origin=origin)
        answer = advisor.advise(case)
    if output_format == "json":
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
    else:
        print_answer(Console(highlight=False), answer)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn the core's errors into one line on stderr and the right exit status."""
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


@contextmanager
def _open_text(path: str) -> Iterator[TextIO]:
    if path == "-":
        yield sys.stdin
        return
    try:
        stream = open(path, encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as error:
        raise click.BadParameter(
            f"cannot read {path}: {error.strerror}", param_hint="--batch"
        ) from None
    with stream:
        yield stream


def _progress_console() -> Console | None:
    console = Console(stderr=True)
    return console if console.is_terminal else None
