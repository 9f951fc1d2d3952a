"""Work kept so that it is done once: small texts met case after case, and what is worked out
from a rule base. Both are bounded: a long-running server sees new texts and reloaded rules."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from .model import RuleBase

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Far more than a rule base has names, rules or texts: a bound, not a policy.
MOST_KEPT_TEXTS = 4096
# Rule bases in use at once (a server reloads its rules after an edit; tests load a few).
MOST_KEPT_RULE_BASES = 8


class WrittenOnce(dict[K, V]):
    """`make(key)` for each key, made the first time the key is met and then looked up."""

    def __init__(self, make: Callable[[K], V]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: K) -> V:
        if len(self) >= MOST_KEPT_TEXTS:
            self.clear()
        value = self[key] = self._make(key)
        return value


class PerRuleBase(Generic[V]):
    """`build(rule_base)`, worked out once for each rule base in use rather than once a case.

    Kept by the rule base's identity (with the rule base itself, so that an id reused after a
    rule base is gone never finds another's work).
    """

    def __init__(self, build: Callable[[RuleBase], V]) -> None:
        self._build = build
        self._kept: dict[int, tuple[RuleBase, V]] = {}

    def __call__(self, rule_base: RuleBase) -> V:
        kept = self._kept.get(id(rule_base))
        if kept is not None and kept[0] is rule_base:
            return kept[1]
        built = self._build(rule_base)
        if len(self._kept) >= MOST_KEPT_RULE_BASES:
            self._kept.pop(next(iter(self._kept)))
        self._kept[id(rule_base)] = (rule_base, built)
        return built
