"""The `followup` command line: parse the options, call the core, print the result."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from engine import (
    ENGINES,
    Advisor,
    Answer,
    Case,
    EngineName,
    RuleBase,
    load_rule_base,
    read_case,
)

from .audit_place import audit_db_option, open_store
from .batch import json_text, run_batch
from .errors import FAILED, cli_errors
from .inputs import open_batch, parse_day, read_facts_file
from .output import OutputError, emit, graph_output_options, write_atomically

if TYPE_CHECKING:
    from rich.console import Console

    from .ask import Frontend
    from .audit import AuditError, Place

# The command groups and the modules defining them, imported only when one is called (or
# --help lists them): `advise` needs none of what they import.
_GROUPS = {
    "audit": "followup.audit_cli",
    "rules": "followup.rules_cli",
    "serve": "followup.serve_cli",
}


class _LazyGroup(click.Group):
    """A group whose commands named in `lazy` are imported from their module when needed."""

    def __init__(self, *args: Any, lazy: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._lazy and cmd_name not in self.commands:
            command = getattr(importlib.import_module(self._lazy[cmd_name]), cmd_name)
            self.add_command(command)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, lazy=_GROUPS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="followup-advisor", prog_name="followup")
def main() -> None:
    """When and how to follow up after a job interview, and exactly why.

    Start with `followup serve` (the advisor in a web browser) or `followup ask` (the same
    questions at this terminal). `followup advise FACTS.yaml` answers for a file of facts
    (see examples/); with --why, every answer names the rules that decided it and where in
    the source article each piece of advice comes from.

    \b
    Examples:
        followup serve
        followup ask
        followup advise examples/timeline.yaml
        followup explain examples/timeline.yaml --why-not follow_up_now
        followup rules tree -o tree.svg
    """


_rules_option = click.option(
    "--rules",
    "rules_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Use another rule base (a folder with facts.yaml, advice.yaml, messages.yaml).",
)


_country_option = click.option(
    "--country",
    metavar="CODE",
    help="Whose public holidays are days off: US, US-CA, GB-ENG, DE-BY ...",
)


def _with_country(
    rule_base: RuleBase, overrides: Sequence[str], country: str | None
) -> Sequence[str]:
    """--country is the rule base's country fact given with --set (checked as --country)."""
    if country is None:
        return overrides
    from .ask import country_option  # noqa: PLC0415 - the consultation loads only for --country

    fact, code = country_option(rule_base, country)
    return [*overrides, f"{fact}={code}"]


def _case_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """FILE, --set, --today and --rules: which case, on which day, under which rules."""
    decorators = [
        click.argument("facts_file", required=False, metavar="FILE"),
        click.option(
            "--set",
            "overrides",
            multiple=True,
            metavar="NAME=VALUE",
            help="Give or change one fact, e.g. --set followups_sent=1 (repeatable).",
        ),
        click.option(
            "--today", metavar="YYYY-MM-DD", help="The day the advice is for (default: today)."
        ),
        _rules_option,
        _country_option,
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


@dataclass(frozen=True)
class _Request:
    advisor: Advisor
    case: Case


def _request(
    facts_file: str | None,
    overrides: Sequence[str],
    today: str | None,
    rules_dir: Path | None,
    country: str | None = None,
    engine: EngineName = "durable",
) -> _Request:
    day = parse_day(today)
    rule_base = load_rule_base(rules_dir)
    if facts_file is None and not overrides:
        raise click.UsageError("give a facts FILE (or - for stdin), or facts with --set")
    raw, origin = read_facts_file(facts_file, _with_country(rule_base, overrides, country))
    advisor = _advisor(rule_base, engine, prove=False)
    return _Request(advisor, read_case(raw, rule_base, today=day, origin=origin))


def _advisor(rule_base: RuleBase, engine: EngineName, *, prove: bool = True) -> Advisor:
    """The advisor on the engine asked for; says so when `auto` falls back to durable_rules."""
    advisor = Advisor(rule_base, engine, prove=prove)
    if advisor.fallback is not None:
        click.echo(f"note: {advisor.fallback}; using durable_rules", err=True)
    return advisor


@main.command()
@_case_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Words for a person, or the JSON object for programs.",
)
@click.option("--why", is_flag=True, help="Add the chain of reasoning, rule by rule (HOW).")
@click.option(
    "--batch",
    "batch_file",
    metavar="FILE.jsonl",
    help="Advise on many cases: one JSON object of facts per line (- for stdin); "
    "prints one JSON answer per line.",
)
@click.option(
    "--draft",
    "draft_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.eml",
    help="Also write the drafted message to FILE.eml, for a mail program to open.",
)
@click.option(
    "--ics",
    "ics_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.ics",
    help="Also write a calendar reminder on the follow-up day (with an alarm at 9:00).",
)
@click.option("--no-audit", is_flag=True, help="Do not record this advice in the audit trail.")
@click.option("--audit", "audit_batch", is_flag=True, help="With --batch: record every answer too.")
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="auto",
    show_default=True,
    help="durable: durable_rules, which defines what the rules mean; compiled: the rules "
    "compiled to Python, once shown to agree with durable_rules on every distinct case (kept "
    "in the user cache folder); auto: compiled when shown (by `rules check` or a --batch "
    "run), else durable.",
)
@audit_db_option
def advise(
    facts_file: str | None,
    overrides: Sequence[str],
    today: str | None,
    rules_dir: Path | None,
    country: str | None,
    output_format: str,
    why: bool,
    batch_file: str | None,
    draft_file: Path | None,
    ics_file: Path | None,
    no_audit: bool,
    audit_batch: bool,
    engine: EngineName,
    audit_db: Place | None,
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
        followup advise examples/one-followup.yaml --format json --why
        followup advise --batch cases.jsonl > answers.jsonl
        followup advise examples/update.yaml --draft message.eml
    """
    with cli_errors(as_json=output_format == "json", name_facts=why):
        if batch_file is not None:
            if facts_file is not None or overrides or draft_file or ics_file:
                raise click.UsageError(
                    "--batch reads its facts from FILE.jsonl; drop FILE/--set/--draft/--ics"
                )
            if country is not None:
                raise click.UsageError("with --batch, give `country` in each line, not --country")
            day = parse_day(today)
            advisor = _advisor(load_rule_base(rules_dir), engine)
            store = open_store(audit_db) if audit_batch and not no_audit else None
            with open_batch(batch_file) as stream:
                failures = run_batch(stream, advisor, day, sys.stdout, _progress_console(), store)
            sys.exit(FAILED if failures else 0)
        for option, path in (("--draft", draft_file), ("--ics", ics_file)):
            if path is not None and not path.parent.exists():
                raise OutputError(f"{option}: the folder {path.parent} does not exist")
        request = _request(facts_file, overrides, today, rules_dir, country, engine)
        rule_base = request.advisor.rule_base
        answer = request.advisor.advise(request.case)
        chain = _how(rule_base, answer) if why else []
        # Before recording: a file that cannot be written refuses the run, unrecorded.
        if draft_file is not None:
            _write_draft(answer, draft_file)
        if ics_file is not None:
            _write_reminder(request.advisor, request.case, answer, ics_file)
        recorded = None if no_audit else _try_to_record(audit_db, answer, request.case, rule_base)
    if output_format == "json":
        record = answer.to_json()
        if why:
            record["how"] = chain
        click.echo(json_text(record, indent=2))
    else:
        from rich.console import Console  # noqa: PLC0415 - rich (30 ms to import) only for text at a terminal

        console = Console(highlight=False)
        from .render import print_answer, print_lines  # noqa: PLC0415 - for text output only

        print_answer(console, answer, names=why)
        if why:
            print_lines(console, "How this advice was reached", chain)
    if recorded is not None:
        _say_whether_recorded(recorded)


def _how(rule_base: RuleBase, answer: Answer) -> list[str]:
    from explain.why import how  # noqa: PLC0415 - the explanations load only for --why

    return how(rule_base, answer)


def _try_to_record(
    audit_db: Place | None, answer: Answer, case: Case, rule_base: RuleBase
) -> int | AuditError:
    """The new record's id, or why it could not be made (said after the advice is shown)."""
    from .audit import AuditError, Entry  # noqa: PLC0415 - the audit trail loads only to record

    store = open_store(audit_db)
    try:
        return store.record(Entry(answer, case, rule_base, "advise"))
    except AuditError as error:
        return error
    finally:
        store.close()


def _say_whether_recorded(recorded: int | AuditError) -> None:
    if isinstance(recorded, int):
        click.echo(f"recorded as audit record {recorded}", err=True)
        return
    click.echo(
        f"error: the advice above could not be recorded in the audit trail: {recorded.one_line()}",
        err=True,
    )
    sys.exit(FAILED)


@main.command()
@click.option("--today", metavar="YYYY-MM-DD", help="The day the advice is for (default: today).")
@_rules_option
@_country_option
@click.option("--no-audit", is_flag=True, help="Do not record the advice in the audit trail.")
@audit_db_option
def ask(
    today: str | None,
    rules_dir: Path | None,
    country: str | None,
    no_audit: bool,
    audit_db: Place | None,
) -> None:
    """Answer a few questions and get advice: the main way to use followup.

    Only the questions that can change the advice are asked, one at a time. At any question
    type why (which rule needs the answer), back (change the previous answer), help or quit.
    Dates may be written 2026-11-20 or as words: yesterday, last Tuesday, 3 days ago, end of
    next week. At the end: how (the reasoning), explain (draw it), save (keep your answers as
    a facts file for `followup advise`).

    \b
    Examples:
        followup ask
        followup ask --today 2026-11-26
        printf '2026-11-16\\nno\\nno\\n0\\nno\\nunsure\\n' | followup ask
    """
    with cli_errors():
        day = parse_day(today)
        advisor = Advisor(load_rule_base(rules_dir))
        store = None if no_audit else open_store(audit_db)
    from rich.console import Console  # noqa: PLC0415 - rich (30 ms to import) only for text at a terminal

    from .ask import consult  # noqa: PLC0415 - the consultation loads only for `ask`
    from .frontends import PlainFrontend, TerminalFrontend  # noqa: PLC0415

    console = Console(highlight=False)
    if sys.stdin.isatty() and sys.stdout.isatty():
        frontend: Frontend = TerminalFrontend(console)
    else:
        frontend = PlainFrontend(sys.stdin, sys.stdout)
    with cli_errors():
        sys.exit(consult(advisor, day, frontend, console, store, country))


@main.command()
@_case_options
@graph_output_options
@click.option(
    "--why-not",
    "why_not_action",
    metavar="ACTION",
    help="Say what stands in the way of ACTION, and the smallest change of facts leading to it.",
)
@click.option("--tree", is_flag=True, help="Draw the decision tree with this case's path marked.")
@click.option(
    "--timeline",
    is_flag=True,
    help="Draw a calendar from the interview to the day to follow up (-o FILE.svg|png|pdf).",
)
def explain(
    facts_file: str | None,
    overrides: Sequence[str],
    today: str | None,
    rules_dir: Path | None,
    country: str | None,
    output_format: str | None,
    out: Path | None,
    dpi: int | None,
    why_not_action: str | None,
    tree: bool,
    timeline: bool,
) -> None:
    """Show why this advice was given: every rule, fired or not, and the conditions it checked.

    By default prints the reasoning as text with ✓/✗ marks; --format svg|png|pdf draws it
    with Graphviz, dot prints the Graphviz source, json the node-link graph.

    \b
    Examples:
        followup explain examples/timeline.yaml
        followup explain examples/timeline.yaml -o reasoning.svg
        followup explain examples/timeline.yaml --tree -o path.png
        followup explain examples/no-timeline.yaml --why-not follow_up_now
        followup explain examples/timeline.yaml --timeline -o timeline.png
    """
    with cli_errors(name_facts=True):
        request = _request(facts_file, overrides, today, rules_dir, country)
        rule_base = request.advisor.rule_base
        if why_not_action is not None:
            actions = rule_base.facts[rule_base.goal].values
            if why_not_action not in actions:
                raise click.BadParameter(
                    f"{why_not_action!r} is not an action (one of: {', '.join(actions)})",
                    param_hint="--why-not",
                )
            from explain.why import why_not  # noqa: PLC0415 - the explanations load only here

            result = why_not(request.advisor, request.case, why_not_action)
            click.echo("\n".join(result.lines()))
            return
        answer = request.advisor.advise(request.case)
        from . import pictures  # noqa: PLC0415 - networkx and Graphviz load only for graphs

        fmt = pictures.graph_format(output_format, out)
        if timeline:
            emit(pictures.timeline(rule_base, answer, fmt, dpi), fmt, out)
            return
        if tree:
            drawn = pictures.tree(rule_base, answer.outcome.values)
        else:
            drawn = pictures.reasoning(rule_base, answer)
        emit(pictures.rendered(drawn, fmt, dpi), fmt, out)


def _write_draft(answer: Answer, path: Path) -> None:
    if answer.message is None:
        click.echo(f"no message is due ({answer.headline}), so {path} was not written", err=True)
        return
    try:
        from .render import draft_email  # noqa: PLC0415 - for --draft only

        write_atomically(path, draft_email(answer.message))
    except OSError as error:
        raise OutputError(f"--draft: cannot write {path}: {error.strerror}") from None
    click.echo(f"wrote the draft message to {path}", err=True)


def _write_reminder(advisor: Advisor, case: Case, answer: Answer, path: Path) -> None:
    """--ics: the reminder event, or one line on stderr saying why there is none."""
    from .reminder import no_reminder_reason, reminder_event  # noqa: PLC0415 - icalendar loads only for --ics

    content = reminder_event(advisor, case, answer)
    if content is None:
        click.echo(no_reminder_reason(advisor.rule_base, answer), err=True)
        return
    try:
        write_atomically(path, content)
    except OSError as error:
        raise OutputError(f"--ics: cannot write {path}: {error.strerror}") from None
    click.echo(f"reminder written to {path}", err=True)


def _progress_console() -> Console | None:
    """The terminal to show a batch's progress on; None (rich not even imported) without one."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console  # noqa: PLC0415 - rich (30 ms to import) only for text at a terminal

    console = Console(stderr=True)
    return console if console.is_terminal else None
