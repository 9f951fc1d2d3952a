"""`followup rules ...`: check, test, diff and draw the rule base, for whoever edits it."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from engine import Advisor, RuleFileError, load_rule_base
from engine.adjusting import as_written
from engine.loader import default_rules_dir, inspect_rule_base
from engine.scenarios import read_scenarios, run_scenarios, scenario_files
from explain.diff import case_changes, rule_changes

from .audit import Place
from .audit_place import audit_db_option, open_store
from .errors import FAILED, cli_errors
from .inputs import parse_day, read_cases_file
from .output import emit, graph_output_options
from .rule_review import cases_from_audit, check_findings, problem_count, scenario_questions


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
    findings = check_findings(inspection)
    lines = [line for finding in findings for line in finding.lines()]
    count = problem_count(findings)
    for line in lines:
        click.echo(line)
    where = folder or default_rules_dir()
    if count:
        click.echo(f"{count} problem{'s' if count != 1 else ''} in {where}")
        sys.exit(FAILED)
    rule_base = inspection.rule_base
    assert rule_base is not None
    count = len(rule_base.written_rules())
    click.echo(f"ok: {where}: {count} rules, no gaps, no conflicts, every rule can fire")


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
            for result in run_scenarios(advisor, read_scenarios(path), scenario_questions(advisor)):
                fired.update(result.fired)
                if result.passed:
                    passed += 1
                    click.echo(f"PASS {result.scenario.name}")
                    continue
                failed += 1
                click.echo(f"FAIL {result.scenario.name} ({result.scenario.location})")
                for difference in result.differences:
                    click.echo(f"     {difference}")
    # A rule that moves another's day fires as part of a combined rule ("a+b").
    fired_as_written = set(as_written(fired))
    uncovered = [rule.id for rule in rule_base.written_rules() if rule.id not in fired_as_written]
    if uncovered:
        click.echo(f"not fired by any scenario: {', '.join(uncovered)}")
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(FAILED if failed else 0)


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
            cases = cases_from_audit(store) if store.exists() else []
            label = f"the audit trail ({store.location})"
        changes = rule_changes(before, after)
        click.echo("\n".join(changes) if changes else "no change in the rules")
        moved = list(case_changes(before, after, cases))
    click.echo(f"{len(moved)} of {len(cases)} cases from {label} would get other advice")
    for change in moved:
        because = f" (rule {change.responsible})" if change.responsible else ""
        click.echo(f"  {change.label}: {change.before} → {change.after}{because}")


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
