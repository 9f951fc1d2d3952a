"""The rule base compiled into Python closures: the same outcomes as durable_rules, faster.

durable_rules defines the semantics (engine/session.py); this evaluator reproduces them:
rules whose conditions hold wait on an agenda, the one of highest priority (then the first in
the file) runs next, a rule that would conclude something already concluded (or run once the
goal is decided) is pre-empted, and a concluded fact puts the rules that test it back in
question. It is used only for a rule base on which both engines were shown to agree on every
distinct case (engine/proof.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .closures import Count, compile_matches
from .dates import Move, long_date
from .errors import EngineError, FactError
from .facts import add_computed, case_calendar
from .model import Compare, DateExpr, FactRef, Rule, RuleBase
from .paths import Observation, Paths
from .trace import Firing, Outcome


@dataclass(frozen=True)
class _CompiledRule:
    rule: Rule
    rank: int  # its place in the firing order: priority, then the order in the file
    matches: Count
    matched: tuple[str, ...]
    concludes: tuple[str, ...]


class CompiledEvaluator:
    """Evaluates cases against one rule base without durable_rules (see the module's doc).

    A case runs on the agenda, recorded as a path (engine/paths.py); a later case that makes
    the same tests with the same results follows that path instead.
    """

    def __init__(self, rule_base: RuleBase) -> None:
        self.rule_base = rule_base
        self.goal = rule_base.goal
        self._paths: Paths[_CompiledRule] = Paths()
        # Facts of a few values: a path notes the value, which decides every test of it.
        self._few_values = {
            name for name, spec in rule_base.facts.items() if spec.type in ("yes_no", "choice")
        }
        order = sorted(
            range(len(rule_base.rules)), key=lambda index: -rule_base.rules[index].priority
        )
        self._rules = tuple(
            _CompiledRule(
                rule,
                rank,
                compile_matches(rule.when, self._observe),
                tuple(sorted(rule.when.facts())),
                # The order durable's session walks them in, so that the same rule is named.
                tuple(rule.concludes()),
            )
            for rank, rule in enumerate(rule_base.rules[index] for index in order)
        )
        derived = {name for name, spec in rule_base.facts.items() if spec.derived}
        watchers: dict[str, list[_CompiledRule]] = {}
        for compiled in self._rules:
            for name in compiled.matched:
                if name in derived:
                    watchers.setdefault(name, []).append(compiled)
        self._watchers = {name: tuple(rules) for name, rules in watchers.items()}

    @property
    def remembered_steps(self) -> int:
        """Steps of the paths remembered so far (engine/paths.py)."""
        return self._paths.size

    def _observe(self, test: Compare, kind: str, decide: Observation) -> Observation:
        """`decide` as the agenda calls it, its result (or the value it decides on) recorded."""
        fact = test.fact
        if fact in self._few_values and not isinstance(test.value, FactRef):
            value_of = self._paths.observed(("value", fact), lambda values: values.get(fact))
            return lambda values: decide({fact: value_of(values)})
        value = tuple(test.value) if isinstance(test.value, list) else test.value
        # Tests that always decide alike share a key; with the type, as True and 1 do not.
        key = (kind, fact, test.op, type(value).__name__, value)
        return self._paths.observed(key, decide)

    def evaluate(self, values: Mapping[str, Any]) -> Outcome:
        """Run one case (typed given values, defaults applied) and return its outcome."""
        known = dict(values)
        add_computed(self.rule_base, known)
        trace: list[Firing] = []
        concluded_by: dict[str, str] = {}

        def run(compiled: _CompiledRule, blocker: str | None) -> tuple[str, ...]:
            return self._apply(compiled, blocker, known, trace, concluded_by)

        try:
            followed = self._paths.follow(known, run)
        except TypeError:  # a value no path can be keyed by: the agenda decides (or refuses) it
            followed = False
        if not followed:
            known = dict(values)
            add_computed(self.rule_base, known)
            trace, concluded_by = [], {}
            with self._paths.recording():
                self._agenda(known, trace, concluded_by)
        if self.goal not in concluded_by:
            raise EngineError(
                f"no rule decided the {self.goal} for these facts",
                suggestion="the rule base has a gap here; `followup rules check` finds gaps",
            )
        return Outcome(
            values=known,
            trace=tuple(trace),
            goal=self.goal,
            rule_base_version=self.rule_base.version,
        )

    def _agenda(
        self, known: dict[str, Any], trace: list[Firing], concluded_by: dict[str, str]
    ) -> None:
        """Run the case as durable_rules does: the rules that match wait, the first in order
        runs, and what it concludes puts the rules that test it back in question."""
        # Each waiting rule, with how many times it matched.
        agenda: dict[int, tuple[_CompiledRule, int]] = {}
        for compiled in self._rules:
            if matches := compiled.matches(known):
                agenda[compiled.rank] = (compiled, matches)
        ran: set[int] = set()
        while agenda:
            compiled, matches = agenda.pop(min(agenda))
            ran.add(compiled.rank)
            concluded: tuple[str, ...] = ()
            for _match in range(matches):
                concluded += self._run(compiled, known, trace, concluded_by)
            for name in concluded:
                for watcher in self._watchers.get(name, ()):
                    if watcher.rank in ran:
                        continue
                    if matches := watcher.matches(known):
                        agenda[watcher.rank] = (watcher, matches)
                    else:
                        agenda.pop(watcher.rank, None)

    def _run(
        self,
        compiled: _CompiledRule,
        known: dict[str, Any],
        trace: list[Firing],
        concluded_by: dict[str, str],
    ) -> tuple[str, ...]:
        """Fire (or pre-empt) one rule from the agenda; the facts it concluded."""
        blocker = concluded_by.get(self.goal)
        if blocker is None:  # else the first fact it concludes that is concluded already
            for fact in compiled.concludes:
                if fact in concluded_by:
                    blocker = concluded_by[fact]
                    break
        concluded = self._apply(compiled, blocker, known, trace, concluded_by)
        self._paths.ran(compiled, blocker, concluded)
        return concluded

    def _apply(
        self,
        compiled: _CompiledRule,
        blocker: str | None,
        known: dict[str, Any],
        trace: list[Firing],
        concluded_by: dict[str, str],
    ) -> tuple[str, ...]:
        """Pre-empt the rule (by `blocker`) or fire it; the facts it concluded with a value."""
        rule = compiled.rule
        matched = {name: known.get(name) for name in compiled.matched}
        if blocker is not None:
            trace.append(Firing(rule.id, "pre-empted", matched, {}, by=blocker))
            return ()
        concluded: dict[str, Any] = {}
        moved: dict[str, Move] = {}
        try:
            for conclusion in rule.then:
                value, move = conclude_value(self.rule_base, conclusion.value, known)
                concluded[conclusion.fact] = value
                if move is not None:
                    moved[conclusion.fact] = move
        except FactError:
            raise  # a day the facts lead to is past the calendar: their fault, not the rule's
        except Exception as error:
            raise EngineError(f"rule `{rule.id}` failed: {error}", rule_id=rule.id) from error
        trace.append(Firing(rule.id, "fired", matched, concluded, moved=moved))
        for name, value in concluded.items():
            known[name] = value
            concluded_by[name] = rule.id
        # durable_rules is told only of known values: a rule waiting for a null never wakes.
        return tuple(name for name, value in concluded.items() if value is not None)


def conclude_value(
    rule_base: RuleBase, value: Any, values: Mapping[str, Any]
) -> tuple[Any, Move | None]:
    """A concluded value, and how a computed day moved off a day off (if it did)."""
    if isinstance(value, FactRef):
        return values.get(value.name), None
    if isinstance(value, DateExpr):
        base = values.get(value.base)
        if base is None:
            raise ValueError(f"it counts from `{value.base}`, which is not known here")
        try:
            return case_calendar(rule_base, values).days_after(base, value.plus_days)
        except OverflowError:
            # The facts' fault, not a rule's: a date so late that counting on passes the calendar.
            spec = rule_base.facts.get(value.base)
            words = spec.words if spec is not None else value.base
            raise FactError(
                f"{words[:1].upper()}{words[1:]}, {long_date(base)}, is too close to the end of "
                f"the calendar: {value.plus_days} days after it is past 31 December 9999",
                fact=value.base,
            ) from None
    return value, None
