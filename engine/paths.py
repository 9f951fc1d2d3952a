"""The compiled evaluator's runs remembered as paths: the tests a case made, in order, with
their results, and the rules that ran between them.

The agenda (which rule runs next, which is pre-empted) depends on nothing but the results of
the tests and on which concluded values were null. A later case that makes the same tests with
the same results runs the same rules, in the same order, with the same pre-emptions: it can
follow the remembered path, making only the tests on it (each once, not once for every rule
that shares it) and running the rules it names, with no agenda to keep. Its concluded values
are worked out for it, by the same code.

Every path was first walked by the evaluator itself; a case whose path is not remembered is
run by the evaluator, which remembers it. Paths are bounded (`MAX_REMEMBERED_STEPS`): past
the bound, cases are still evaluated, just not remembered.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from .limits import MAX_REMEMBERED_STEPS

Observation = Callable[[Mapping[str, Any]], Any]
R = TypeVar("R")


class Step(Generic[R]):
    """One step of remembered paths: a test to make (`observe`), a rule to run (`rule`, with
    the rule that pre-empts it, if any), or the end (neither). `next` is keyed by the test's
    result, or by the facts the rule concluded with a value."""

    __slots__ = ("blocker", "next", "observe", "rule")

    def __init__(
        self, observe: Observation | None, rule: R | None = None, blocker: str | None = None
    ) -> None:
        self.observe = observe
        self.rule = rule
        self.blocker = blocker
        self.next: dict[Hashable, Step[R]] = {}


class Recording(Generic[R]):
    """What one evaluation did, as it does it."""

    def __init__(self) -> None:
        self.steps: list[tuple[Step[R], Hashable]] = []
        # Tests made since the last rule fired: their results cannot change before the next
        # one fires, so each is made (and remembered) once.
        self.made: dict[Hashable, Any] = {}


class Paths(Generic[R]):
    """Remembered paths through one compiled rule base (see the module's doc)."""

    def __init__(self) -> None:
        self.root: Step[R] | None = None
        self.size = 0
        self._recording: Recording[R] | None = None
        # One evaluation records at a time: a server may evaluate on several threads. Walking
        # the remembered paths takes no lock; a step is added whole, after its path is known.
        self._lock = threading.Lock()

    def observed(self, key: Hashable, observe: Observation) -> Observation:
        """`observe` as the evaluator calls it: each result recorded under `key` (tests that
        are the same test share a key)."""

        def recorded(values: Mapping[str, Any]) -> Any:
            result = observe(values)
            recording = self._recording
            if recording is not None and key not in recording.made:
                recording.made[key] = result
                recording.steps.append((Step(observe), result))
            return result

        return recorded

    def ran(self, rule: R, blocker: str | None, concluded: tuple[str, ...]) -> None:
        """The evaluator ran `rule` (pre-empted by `blocker`), concluding `concluded`."""
        recording = self._recording
        if recording is not None:
            recording.steps.append((Step(None, rule, blocker), concluded))
            if blocker is None:
                recording.made.clear()

    @contextmanager
    def recording(self) -> Iterator[None]:
        """Record the evaluation run inside; remember its path if it ends without an error."""
        with self._lock:
            self._recording = recording = Recording[R]()
            try:
                yield
            finally:
                self._recording = None
            try:
                self._remember(recording.steps)
            except TypeError:
                pass  # a result no path can be keyed by (a list where a choice was expected)

    def follow(self, known: Mapping[str, Any], run: Callable[[R, str | None], Hashable]) -> bool:
        """Walk the remembered path of the case `known`, running each rule on it with
        `run(rule, blocker)` (which says what it concluded); False where the case leaves the
        paths remembered (what was run so far is then to be thrown away)."""
        node = self.root
        while node is not None:
            observe = node.observe
            if observe is not None:
                node = node.next.get(observe(known))
            elif node.rule is not None:
                node = node.next.get(run(node.rule, node.blocker))
            else:
                return True
        return False

    def _remember(self, steps: list[tuple[Step[R], Hashable]]) -> None:
        if not steps or self.size + len(steps) + 1 > MAX_REMEMBERED_STEPS:
            return
        if self.root is None:
            # Every path starts with the same step: the evaluator's first move is the same.
            self.root = steps[0][0]
            self.size += 1
        node = self.root
        following = [step for step, _result in steps[1:]] + [Step[R](None)]
        for (_step, result), step in zip(steps, following, strict=True):
            existing = node.next.get(result)
            if existing is None:
                node.next[result] = existing = step
                self.size += 1
            node = existing
