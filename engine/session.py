"""Running cases through durable_rules, safely, and recording what each rule did.

Everything durable_rules-specific stays in this module and the compiler:
- its Host starts two background dispatcher threads that can run an action meant for the
  caller's own `assert_fact` (the answer is then lost) and crash batches; our Host never
  starts them, so every action runs in the calling thread, inside the call;
- each case runs in its own session id and its state is deleted afterwards (otherwise only
  about a thousand sessions fit before an empty MemoryError);
- exceptions raised inside actions are caught by the library and stored in the state: we
  keep our own record and raise it;
- a case no rule matches raises MessageNotHandledException and leaves a session that crashes
  the library when deleted: a catch-all rule of lowest priority matches every case;
- a comparison with another fact of a join can crash the library (SIGSEGV, depending on
  memory layout): the compiler makes every comparison within one fact instead;
- compile errors are bare numbers: they are wrapped with words;
- it has no calendar arithmetic (dates are day numbers, compared only): facts that depend on
  the calendar, such as whether today is a day off, are worked out before the case is
  asserted (engine/facts.py) and travel as plain yes/no attributes of the case.
- it compiles a ruleset into fixed tables: at most 512 different tests after one point of its
  network (a 513th makes `create_ruleset` loop for ever, in C, holding the GIL), 256 rules
  ending at one point (error 108), 128 rules through one `$or` there (error 107), 128 `$nex`
  tests, and 14 `$or` in one rule (error 113): the compiler refuses such rules first, naming
  the rule (engine/limits.py).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from durable import engine as durable

from .answer import Answer, compose_answer
from .compiler import CASE_RECEIVED, CompiledRules, case_fact, compile_rule_base
from .conditions import evaluate
from .dates import Move
from .errors import EngineError
from .facts import Case, add_computed, case_calendar
from .model import DateExpr, FactRef, Rule, RuleBase
from .trace import Firing, Outcome

DURABLE_ERRORS = {
    "101": "the engine ran out of memory",
    "202": "a rule uses an operator the engine does not know",
    "307": "the engine's message queue failed",
}


class _Host(durable.Host):  # type: ignore[misc]
    """A durable_rules Host that never starts the library's background dispatcher threads."""

    def _run(self) -> None:
        return None


@dataclass
class _Run:
    values: dict[str, Any]
    trace: list[Firing] = field(default_factory=list)
    concluded_by: dict[str, str] = field(default_factory=dict)
    failure: tuple[str, BaseException] | None = None


class Advisor:
    """Evaluates cases against one rule base, on a durable_rules host of its own."""

    _names = itertools.count()

    def __init__(self, rule_base: RuleBase) -> None:
        self.rule_base = rule_base
        self.compiled: CompiledRules = compile_rule_base(rule_base)
        # A ruleset name can be registered only once per host; each Advisor has its own host,
        # and the counter keeps names distinct should the library ever share state.
        self._ruleset = f"followup_{rule_base.version[:12]}_{next(self._names)}"
        self._host = _Host()
        self._runs: dict[str, _Run] = {}
        self._session_ids = itertools.count()
        self._lock = threading.Lock()
        definitions = {
            rule.id: {**self.compiled.definitions[rule.id], "run": self._action(rule)}
            for rule in rule_base.rules
        }
        definitions[CASE_RECEIVED] = {
            **self.compiled.definitions[CASE_RECEIVED],
            "run": _case_received,
        }
        try:
            self._host.register_rulesets({self._ruleset: definitions})
        except Exception as error:  # the library raises bare Exception with a number
            raise EngineError(_durable_message("the rules could not be compiled", error)) from error

    def advise(self, case: Case) -> Answer:
        """Evaluate a checked case and compose the answer a person reads."""
        return compose_answer(self.rule_base, self.evaluate(case.values))

    def evaluate(self, values: Mapping[str, Any]) -> Outcome:
        """Run one case (typed given values, defaults applied) and return its outcome."""
        with self._lock:
            return self._evaluate(values)

    def _evaluate(self, values: Mapping[str, Any]) -> Outcome:
        sid = str(next(self._session_ids))
        run = _Run(values=dict(values))
        add_computed(self.rule_base, run.values)
        self._runs[sid] = run
        fact = case_fact(run.values, self.compiled.given_facts)
        fact["sid"] = sid
        try:
            state = self._host.assert_fact(self._ruleset, fact)
        except Exception as error:
            raise EngineError(_durable_message("the engine failed on this case", error)) from error
        finally:
            del self._runs[sid]
            self._delete_state(sid)
        if run.failure is not None:
            rule_id, failure = run.failure
            raise EngineError(f"rule `{rule_id}` failed: {failure}", rule_id=rule_id) from failure
        if isinstance(state, dict) and "exception" in state:
            raise EngineError(f"the engine failed on this case: {state['exception']}")
        if self.rule_base.goal not in run.concluded_by:
            raise EngineError(
                f"no rule decided the {self.rule_base.goal} for these facts",
                suggestion="the rule base has a gap here; `followup rules check` finds gaps",
            )
        return Outcome(
            values=run.values,
            trace=tuple(run.trace),
            goal=self.rule_base.goal,
            rule_base_version=self.rule_base.version,
        )

    def _delete_state(self, sid: str) -> None:
        self._host.delete_state(self._ruleset, sid)

    def _action(self, rule: Rule) -> Any:
        # One parameter only: durable_rules takes a two-parameter action as asynchronous.
        def action(closure: Any) -> None:
            run = self._runs.get(closure.s["sid"])
            if run is None or run.failure is not None:
                return
            try:
                self._fire(rule, run, closure)
            except BaseException as error:  # noqa: BLE001 - re-raised by evaluate()
                run.failure = (rule.id, error)

        return action

    def _fire(self, rule: Rule, run: _Run, closure: Any) -> None:
        matched = {name: run.values.get(name) for name in sorted(rule.when.facts())}
        goal_by = run.concluded_by.get(self.rule_base.goal)
        blocker = goal_by or next(
            (run.concluded_by[fact] for fact in rule.concludes() if fact in run.concluded_by),
            None,
        )
        if blocker is not None:
            run.trace.append(Firing(rule.id, "pre-empted", matched, {}, by=blocker))
            return
        if not evaluate(rule.when, run.values):
            raise RuntimeError("the engine matched a rule whose conditions do not hold")
        concluded: dict[str, Any] = {}
        moved: dict[str, Move] = {}
        for conclusion in rule.then:
            value, move = self._value(conclusion.value, run.values)
            concluded[conclusion.fact] = value
            if move is not None:
                moved[conclusion.fact] = move
        run.trace.append(Firing(rule.id, "fired", matched, concluded, moved=moved))
        for name, value in concluded.items():
            run.values[name] = value
            run.concluded_by[name] = rule.id
        for name, value in concluded.items():
            if name in self.compiled.derived_facts and value is not None:
                try:
                    closure.assert_fact(self.compiled.derived_fact(name, value, run.values))
                except durable.MessageNotHandledException:
                    pass  # no rule waits for this value in this case

    def _value(self, value: Any, values: Mapping[str, Any]) -> tuple[Any, Move | None]:
        """A concluded value, and how a computed day moved off a day off (if it did)."""
        if isinstance(value, FactRef):
            return values.get(value.name), None
        if isinstance(value, DateExpr):
            base = values.get(value.base)
            if base is None:
                raise ValueError(f"it counts from `{value.base}`, which is not known here")
            return case_calendar(self.rule_base, values).days_after(base, value.plus_days)
        return value, None


def _case_received(closure: Any) -> None:
    """The action of the catch-all rule: nothing to do."""


def _durable_message(prefix: str, error: BaseException) -> str:
    text = str(error) or type(error).__name__
    code = text.rsplit(" ", 1)[-1] if text else ""
    meaning = DURABLE_ERRORS.get(code)
    return f"{prefix}: {meaning} (durable_rules error {code})" if meaning else f"{prefix}: {text}"
