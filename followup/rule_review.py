"""What a change of the rule files would do, before it is saved: check, test and impact.

The same three looks a coach takes on the command line (`rules check`, `rules test`,
`rules diff --audit`), taken on the new texts of the files, for the editor in the browser and
for the command line alike.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from engine import Advisor, AdvisorError, EngineError, Location, RuleBase, RuleFileError
from engine.analysis import analyse
from engine.errors import visible
from engine.fields import Field, FieldPlace, field_at
from engine.loader import RULE_FILES, Inspection, inspect_rule_base
from engine.scenarios import Result, Scenario, read_scenarios, run_scenarios, scenario_files
from explain.diff import CaseChange, case_changes, rule_changes

from .audit import AuditError, AuditStore
from .consultation import Consultation, Prompt

# Past answers compared at most, newest first: enough to see the impact, quick enough to show.
MOST_CASES = 5000
# Changed answers shown as examples under the count.
EXAMPLES = 5


@dataclass(frozen=True)
class Finding:
    """One thing `rules check` says about the files: a problem, or a warning worth a look."""

    message: str
    location: Location | None = None
    suggestion: str | None = None
    example: Mapping[str, Any] | None = None
    warning: bool = False
    # The value in the files it concerns, when one can be named (for the editor's fields).
    field: Field | None = None

    def lines(self) -> list[str]:
        """As `followup rules check` prints it."""
        where = f"{self.location}: " if self.location else ""
        hint = f" ({self.suggestion})" if self.suggestion else ""
        if self.warning:
            first = f"{where}warning: {self.message}{hint}"
        elif self.location is None:
            first = f"error: {self.message}{hint}"
        else:
            first = f"{where}{self.message}{hint}"
        # A message may quote a value with control characters: shown, never sent to the terminal.
        if self.example is None:
            return [visible(first)]
        shown = ", ".join(f"{name}: {_show(value)}" for name, value in self.example.items())
        return [visible(first), f"  for example: {shown}"]

    @property
    def in_words(self) -> str:
        """The problem and its suggestion, without the file and line (shown at the field)."""
        hint = f" ({self.suggestion})" if self.suggestion else ""
        return visible(f"{self.message}{hint}")


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def check_findings(inspection: Inspection) -> list[Finding]:
    """Every problem `rules check` finds in an inspected rule base, then its warnings."""
    found = [_from_error(problem) for problem in inspection.problems]
    if inspection.rule_base is not None:
        decides_at = inspection.documents["advice"].where(("decides",))
        try:
            problems = analyse(inspection.rule_base, decides_at)
        except (RuleFileError, EngineError) as error:  # the engine cannot take these rules
            found.append(_from_error(error))
            problems = []
        found += [
            Finding(p.message, p.location, p.suggestion, p.example, field=_rule_field(p.rule_id))
            for p in problems
        ]
    found += [_from_error(warning, warning=True) for warning in inspection.warnings]
    return found


def _from_error(error: AdvisorError, warning: bool = False) -> Finding:
    return Finding(
        error.message,
        error.location,
        error.suggestion,
        warning=warning,
        field=_rule_field(error.rule_id),
    )


def _rule_field(rule_id: str | None) -> Field | None:
    return Field("rule", rule_id) if rule_id else None


def problem_count(findings: list[Finding]) -> int:
    return sum(1 for finding in findings if not finding.warning)


# -- the scenario tests ---------------------------------------------------------------------------


def scenario_questions(advisor: Advisor) -> Callable[[Scenario], list[str]]:
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


def scenario_results(folder: Path, advisor: Advisor) -> Iterator[Result]:
    """Every scenario of the folder's tests/*.yaml, run on `advisor`'s rules."""
    for path in scenario_files(folder):
        yield from run_scenarios(advisor, read_scenarios(path), scenario_questions(advisor))


def scenario_where(result: Result) -> str:
    """Where a scenario is written, from the rule folder: `tests/advice.yaml:10:5`."""
    place = result.scenario.location
    return f"tests/{Path(place.file).name}:{place.line}:{place.column}"


# -- the impact on recorded answers -------------------------------------------------------------


def cases_from_audit(
    store: AuditStore, most: int | None = None
) -> list[tuple[str, dict[str, Any], datetime.date]]:
    """The recorded cases (label, facts, day), oldest first; the newest `most` when given."""
    cases = [
        (f"record {record.id}", record.facts, datetime.date.fromisoformat(record.today))
        for record in store.records()
        if record.today is not None
    ]
    return cases[-most:] if most is not None else cases


@dataclass(frozen=True)
class Impact:
    """How many recorded answers the change would change, with a few of them."""

    compared: int
    changed: int
    examples: tuple[CaseChange, ...] = ()
    unreadable: str | None = None

    @property
    def in_words(self) -> str:
        if self.unreadable:
            return f"The past answers could not be read: {self.unreadable}"
        if not self.compared:
            return "No answers have been recorded yet, so none would change."
        answers = "past answer" if self.changed == 1 else "past answers"
        return f"{self.changed} {answers} would change (of {self.compared} compared)."


def impact(
    store: AuditStore | None, before: RuleBase, after: RuleBase, most: int = MOST_CASES
) -> Impact:
    if store is None:
        return Impact(0, 0)
    try:
        cases = cases_from_audit(store, most) if store.exists() else []
    except AuditError as error:
        return Impact(0, 0, unreadable=error.one_line())
    changed = list(case_changes(before, after, cases))
    return Impact(len(cases), len(changed), tuple(changed[:EXAMPLES]))


# -- all three on new texts -----------------------------------------------------------------------


@dataclass
class Review:
    """What the new texts would do: what changed in words, problems, scenarios, impact."""

    texts: dict[str, str]
    rule_base: RuleBase | None
    findings: list[Finding] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    failing: list[Result] = field(default_factory=list)
    scenario_problem: str | None = None
    impact: Impact | None = None

    @property
    def sound(self) -> bool:
        """The files load and `rules check` finds no problem: they may be saved."""
        return self.rule_base is not None and problem_count(self.findings) == 0


def inspect_texts(texts: Mapping[str, str]) -> Inspection:
    """The loader's reading of rule files given as texts (written to a temporary folder)."""
    with tempfile.TemporaryDirectory(prefix="followup-review-") as place:
        for name in RULE_FILES.values():
            (Path(place) / name).write_text(texts.get(name, ""), encoding="utf-8")
        return inspect_rule_base(place)


def review(
    folder: Path, texts: Mapping[str, str], before: RuleBase | None, store: AuditStore | None
) -> Review:
    """Check, test and weigh `texts` as the rule files of `folder` (which is not written).

    `before` is the rule base the texts change, for the changes in words and the impact.
    """
    inspection = inspect_texts(texts)
    # ruamel.yaml loads only here: `followup advise` never needs it.
    from engine.editing import field_places  # noqa: PLC0415

    places = field_places(texts)
    findings = [_at_field(finding, places) for finding in check_findings(inspection)]
    result = Review(dict(texts), inspection.rule_base, findings)
    after = inspection.rule_base
    if after is None or problem_count(findings):
        return result
    if before is not None:
        result.changes = rule_changes(before, after)
        result.impact = impact(store, before, after)
    try:
        result.failing = [r for r in scenario_results(folder, Advisor(after)) if not r.passed]
    except AdvisorError as error:
        result.scenario_problem = error.one_line()
    return result


def _at_field(finding: Finding, places: list[FieldPlace]) -> Finding:
    """The finding with its place named by the file alone, and the field it concerns."""
    if finding.location is None:
        return finding
    name = Path(finding.location.file).name
    location = replace(finding.location, file=name)
    placed = field_at(places, name, finding.location.line) or finding.field
    return replace(finding, location=location, field=placed)
