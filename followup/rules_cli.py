"""`followup rules ...`: check, test, diff and draw the rule base, for whoever edits it."""

from __future__ import annotations

import datetime
import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from engine import Advisor, AdvisorError, EngineError, RuleFileError, load_rule_base
from engine.analysis import analyse
from engine.loader import default_rules_dir, inspect_rule_base
from engine.scenarios import Scenario, read_scenarios, run_scenarios, scenario_files
from explain.diff import case_changes, rule_changes

from .audit import AuditStore, Place
from .audit_place import audit_db_option, open_store
from .consultation import Consultation, Prompt
from .errors import FAILED, cli_errors
from .inputs import parse_day, read_cases_file
from .output import emit, graph_output_options


@click.group()
def rules() -> None:
    """For whoever edits the advice: check, test, compare and draw the rule base.

    \b
    Examples:
        followup rules check
        followup rules test
        followup rules diff old-rules/ rules/
        followup rules tree -o tree.svg
    """


F = TypeVar("F", bound=Callable[..., Any])
_FOLDER = click.Path(file_okay=False, path_type=Path)


def _folder(command: F) -> F:
    """The rule folder, spelt either way: `rules check DIR` or `rules check --rules DIR`.

    `advise` takes `--rules DIR`; a coach who learnt that spelling may use it here too.
    """

    @functools.wraps(command)
    def with_folder(*args: Any, folder: Path | None, rules_dir: Path | None, **kwargs: Any) -> Any:
        if folder is not None and rules_dir is not None and folder != rules_dir:
            raise click.UsageError("name the rule folder once: DIR or --rules DIR")
        return command(*args, folder=folder or rules_dir, **kwargs)

    option = click.option(
        "--rules",
        "rules_dir",
        type=_FOLDER,
        metavar="DIR",
        help="The rule folder, as DIR may also name it (default: the shipped rules).",
    )
    argument = click.argument("folder", required=False, type=_FOLDER, metavar="[DIR]")
    return cast(F, argument(option(with_folder)))


@rules.command()
@_folder
def check(folder: Path | None) -> None:
    """Check the rule files: every problem as file:line:column, with a suggestion.

    Beyond YAML and the schema: unknown names, values outside a fact's domain, dates
    compared with numbers, duplicate ids, circular derivations, rules that can never fire,
    conflicts between rules, and gaps (cases no rule decides), each conflict and gap with an
    example case; and what a rule base may not ask for (the limits in docs/rules.md), such as
    a day counted more than a year on or rules the engine cannot hold. Exit status 1 when
    there is any problem. DIR (or --rules DIR) defaults to the shipped rules.

    \b
    Example:
        followup rules check my-rules/
    """
    inspection = inspect_rule_base(folder)
    lines = [
        problem.one_line() if problem.location else f"error: {problem.one_line()}"
        for problem in inspection.problems
    ]
    count = len(inspection.problems)
    if inspection.rule_base is not None:
        decides_at = inspection.documents["advice"].where(("decides",))
        try:
            found = analyse(inspection.rule_base, decides_at)
        except (RuleFileError, EngineError) as error:  # the engine cannot take these rules
            lines.append(error.one_line())
            count += 1
            found = []
        for problem in found:
            lines += problem.lines()
            count += 1
    lines += [_warning(warning) for warning in inspection.warnings]
    for line in lines:
        click.echo(line)
    where = folder or default_rules_dir()
    if count:
        click.echo(f"{count} problem{'s' if count != 1 else ''} in {where}")
        sys.exit(FAILED)
    rule_base = inspection.rule_base
    assert rule_base is not None
    click.echo(
        f"ok: {where}: {len(rule_base.rules)} rules, no gaps, no conflicts, every rule can fire"
    )


def _warning(warning: RuleFileError) -> str:
    """A finding that does not stop the rules working, marked so it reads as less than a fault."""
    where = f"{warning.location}: " if warning.location else ""
    hint = f" ({warning.suggestion})" if warning.suggestion else ""
    return f"{where}warning: {warning.message}{hint}"


@rules.command("test")
@_folder
def test_rules(folder: Path | None) -> None:
    """Run the scenario tests in DIR/tests/*.yaml and show each difference.

    Each scenario gives facts and a day, and the advice expected (action, and optionally
    follow_up_on and the rules that fire). Exit status 1 when any scenario fails.

    \b
    Example:
        followup rules test my-rules/
    """
    with cli_errors():
        rule_base = load_rule_base(folder)
        advisor = Advisor(rule_base)
        files = scenario_files(folder or default_rules_dir())
        if not files:
            raise RuleFileError(
                f"no scenario files in {(folder or default_rules_dir()) / 'tests'}",
                suggestion="add tests/*.yaml; see docs/rules.md",
            )
        passed = failed = 0
        fired: set[str] = set()
        for path in files:
            for result in run_scenarios(advisor, read_scenarios(path), _questions(advisor)):
                fired.update(result.fired)
                if result.passed:
                    passed += 1
                    click.echo(f"PASS {result.scenario.name}")
                    continue
                failed += 1
                click.echo(f"FAIL {result.scenario.name} ({result.scenario.location})")
                for difference in result.differences:
                    click.echo(f"     {difference}")
    uncovered = [rule.id for rule in rule_base.rules if rule.id not in fired]
    if uncovered:
        click.echo(f"not fired by any scenario: {', '.join(uncovered)}")
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(FAILED if failed else 0)


def _questions(advisor: Advisor) -> Callable[[Scenario], list[str]]:
    """The facts `followup ask` asks for a scenario, its questions answered from its facts."""

    def asked(scenario: Scenario) -> list[str]:
        def reply(prompt: Prompt) -> str:
            value = scenario.facts.get(prompt.fact)
            return "" if value is None else _typed(value)

        consultation = Consultation(advisor, scenario.today, reply, lambda _text: None)
        try:
            consultation.run()
        except AdvisorError:
            pass  # the answers are refused: the scenario's own check says so
        return list(consultation.order)

    return asked


def _typed(value: Any) -> str:
    """A fact's value as a person types it at a question."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


@rules.command()
@click.argument("old", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.argument("new", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option(
    "--cases",
    "cases_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    metavar="FILE.jsonl",
    help="Cases to compare (one JSON object of facts per line, with its today).",
)
@click.option(
    "--audit",
    "from_audit",
    is_flag=True,
    help="Compare the cases recorded in the audit trail (the default).",
)
@audit_db_option
@click.option("--today", metavar="YYYY-MM-DD", help="The day for cases that carry none.")
def diff(
    old: Path,
    new: Path,
    cases_file: Path | None,
    from_audit: bool,
    audit_db: Place | None,
    today: str | None,
) -> None:
    """Compare two rule bases: what changed, in words, and which cases' advice changes.

    \b
    Examples:
        followup rules diff old-rules/ rules/
        followup rules diff old-rules/ rules/ --cases cases.jsonl
    """
    with cli_errors():
        before, after = load_rule_base(old), load_rule_base(new)
        day = parse_day(today)
        if cases_file is not None and not from_audit:
            cases = list(read_cases_file(cases_file, day))
            label = str(cases_file)
        else:
            store = open_store(audit_db)
            cases = list(_cases_from_audit(store)) if store.exists() else []
            label = f"the audit trail ({store.location})"
        changes = rule_changes(before, after)
        click.echo("\n".join(changes) if changes else "no change in the rules")
        moved = list(case_changes(before, after, cases))
    click.echo(f"{len(moved)} of {len(cases)} cases from {label} would get other advice")
    for change in moved:
        because = f" (rule {change.responsible})" if change.responsible else ""
        click.echo(f"  {change.label}: {change.before} → {change.after}{because}")


def _cases_from_audit(
    store: AuditStore,
) -> Iterator[tuple[str, dict[str, Any], datetime.date]]:
    for record in store.records():
        if record.today is not None:
            yield f"record {record.id}", record.facts, datetime.date.fromisoformat(record.today)


@rules.command("tree")
@_folder
@graph_output_options
def rules_tree(
    folder: Path | None, output_format: str | None, out: Path | None, dpi: int | None
) -> None:
    """Draw the whole rule base as a decision tree: questions inside, advice at the leaves.

    The tree is derived from the rules (in priority order), not drawn by hand.

    \b
    Examples:
        followup rules tree
        followup rules tree -o tree.png
        followup rules tree my-rules/ --format dot
    """
    with cli_errors():
        rule_base = load_rule_base(folder)
        from . import pictures  # noqa: PLC0415 - networkx and Graphviz load only for graphs

        fmt = pictures.graph_format(output_format, out)
        emit(pictures.rendered(pictures.tree(rule_base), fmt, dpi), fmt, out)
