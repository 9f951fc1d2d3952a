"""Scenario tests that rule authors write in YAML: facts and a day in, the expected advice out."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import schema
from .adjusting import as_written
from .advisor import Advisor
from .errors import AdvisorError, Location, RuleFileError
from .facts import Origin, read_case
from .source import Document, read_document
from .suggest import did_you_mean


@dataclass(frozen=True)
class Scenario:
    name: str
    today: datetime.date
    facts: dict[str, Any]
    expect: dict[str, Any]
    location: Location
    document: Document
    index: int


@dataclass(frozen=True)
class Result:
    """One scenario run: passed, or the differences between expected and got."""

    scenario: Scenario
    differences: tuple[str, ...] = ()
    fired: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return not self.differences


def scenario_files(folder: Path) -> list[Path]:
    """The scenario files of a rule base: tests/*.yaml beside the rules."""
    return sorted((folder / "tests").glob("*.yaml"))


def read_scenarios(path: Path) -> list[Scenario]:
    """Parse and check one scenario file."""
    document = read_document(path, str(path))
    schema.validate(document, "scenarios")
    scenarios = []
    for index, raw in enumerate(document.value["scenarios"]):
        where = document.where(("scenarios", index))
        try:
            today = datetime.date.fromisoformat(str(raw["today"]))
        except ValueError:
            raise RuleFileError(
                f"today must be a date written YYYY-MM-DD, not {raw['today']!r}",
                location=document.where(("scenarios", index, "today")),
            ) from None
        scenarios.append(
            Scenario(
                raw["name"], today, dict(raw["facts"]), dict(raw["expect"]), where, document, index
            )
        )
    return scenarios


# The facts a front end asks for, in order, when its questions are answered from a scenario.
Questions = Callable[[Scenario], list[str]]


def run_scenarios(
    advisor: Advisor, scenarios: list[Scenario], questions: Questions | None = None
) -> Iterator[Result]:
    """Run each scenario and compare with what it expects.

    `questions` is how the interactive front end would question the job seeker: the engine
    does not ask, so `asks:` is checked only when a front end lends it.
    """
    for scenario in scenarios:
        result = _run(advisor, scenario)
        if questions is not None and "asks" in scenario.expect and not _refused(result):
            asked = questions(scenario)
            expected = [str(name) for name in scenario.expect["asks"]]
            if asked != expected:
                difference = f"asks: expected {', '.join(expected)}; got {', '.join(asked)}"
                result = Result(scenario, (*result.differences, difference), result.fired)
        yield result


def _refused(result: Result) -> bool:
    return any(difference.startswith("the advisor refused") for difference in result.differences)


def _run(advisor: Advisor, scenario: Scenario) -> Result:
    known = [rule.id for rule in advisor.rule_base.written_rules()]
    expected_fired = as_written(scenario.expect.get("fired", []))
    unknown = [name for name in expected_fired if name not in known]
    if unknown:
        hint = did_you_mean(unknown[0], known)
        return Result(
            scenario, (f"unknown rule `{unknown[0]}` in fired" + (f" ({hint})" if hint else ""),)
        )
    origin = Origin(scenario.name, _FactsDocument(scenario))
    try:
        case = read_case(scenario.facts, advisor.rule_base, today=scenario.today, origin=origin)
        answer = advisor.advise(case)
    except AdvisorError as error:
        return Result(scenario, (f"the advisor refused it: {error.one_line()}",))
    got = answer.to_json()
    differences = []
    expected_action = scenario.expect["action"]
    if got["action"] != expected_action:
        differences.append(f"action: expected {expected_action}, got {got['action']}")
    if "follow_up_on" in scenario.expect:
        expected_day = scenario.expect["follow_up_on"]
        expected_day = str(expected_day) if expected_day is not None else None
        if got["follow_up_on"] != expected_day:
            differences.append(
                f"follow_up_on: expected {expected_day or 'none'}, "
                f"got {got['follow_up_on'] or 'none'}"
            )
    fired = as_written(got["fired_rules"])
    if "fired" in scenario.expect and expected_fired != fired:
        differences.append(f"fired: expected {', '.join(expected_fired)}; got {', '.join(fired)}")
    said = " ".join(_texts(got))
    for words in scenario.expect.get("says", []):
        if str(words) not in said:
            differences.append(f"says: `{words}` is not in the answer or the draft")
    return Result(scenario, tuple(differences), tuple(got["fired_rules"]))


def _texts(value: Any) -> Iterator[str]:
    """Every text of the answer: headline, reasons, guidance, the drafted message."""
    if isinstance(value, str):
        yield " ".join(value.split())
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


class _FactsDocument(Document):
    """The `facts:` mapping of a scenario, so fact errors point into the scenario file."""

    def __init__(self, scenario: Scenario) -> None:
        prefix = ("scenarios", scenario.index, "facts")
        super().__init__(
            file=scenario.document.file,
            text=scenario.document.text,
            value=scenario.facts,
            marks={
                path[len(prefix) :]: mark
                for path, mark in scenario.document.marks.items()
                if path[: len(prefix)] == prefix
            },
            key_marks={
                path[len(prefix) :]: mark
                for path, mark in scenario.document.key_marks.items()
                if path[: len(prefix)] == prefix
            },
        )
