"""The advisor: a rule base, the engine that evaluates it, and the answers it composes.

`durable` runs every case on durable_rules, which defines what the rules mean; `compiled`
runs the rule base compiled into Python closures, once shown to agree with durable_rules on
every distinct case (engine/proof.py); `auto` takes the compiled evaluator when that is shown,
else durable_rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from .answer import Answer, compose_answer
from .errors import EngineError
from .evaluator import CompiledEvaluator
from .facts import Case
from .model import RuleBase
from .proof_cache import Proof, known_proof
from .trace import Outcome

if TYPE_CHECKING:
    from .session import DurableEvaluator

EngineName = Literal["auto", "compiled", "durable"]
ENGINES: tuple[EngineName, ...] = ("auto", "compiled", "durable")


class Advisor:
    """Evaluates cases against one rule base and composes the answers a person reads."""

    def __init__(
        self, rule_base: RuleBase, engine: EngineName = "durable", *, prove: bool = True
    ) -> None:
        """With `prove` false, `auto` takes only a proof already kept: proving takes a
        second or two, more than one case is worth, not more than a batch is."""
        self.rule_base = rule_base
        # Why `auto` runs on durable_rules although a proof was looked for (None otherwise).
        self.fallback: str | None = None
        self._evaluator: CompiledEvaluator | DurableEvaluator
        if engine == "durable":
            self._evaluator = _durable(rule_base)
            return
        proof = known_proof(rule_base)
        if proof is None and (prove or engine == "compiled"):
            # Only now durable_rules and the enumeration of cases load: a kept proof needs neither.
            from .proof import cached_proof  # noqa: PLC0415

            proof = cached_proof(rule_base)
        if proof is None:
            self._evaluator = _durable(rule_base)
        else:
            if proof.proven:
                self._evaluator = CompiledEvaluator(rule_base)
            elif engine == "compiled":
                raise EngineError(_unproven(proof), suggestion="use --engine durable")
            else:
                self.fallback = _unproven(proof)
                self._evaluator = _durable(rule_base)

    @property
    def engine(self) -> Literal["compiled", "durable"]:
        """The engine that evaluates the cases."""
        return "compiled" if isinstance(self._evaluator, CompiledEvaluator) else "durable"

    @property
    def recovered(self) -> int:
        """Cases durable_rules failed once and decided on a fresh host."""
        return 0 if isinstance(self._evaluator, CompiledEvaluator) else self._evaluator.recovered

    def advise(self, case: Case) -> Answer:
        """Evaluate a checked case and compose the answer a person reads."""
        return compose_answer(self.rule_base, self._evaluator.evaluate(case.values))

    def evaluate(self, values: Mapping[str, Any]) -> Outcome:
        """Run one case (typed given values, defaults applied) and return its outcome."""
        return self._evaluator.evaluate(values)


def _durable(rule_base: RuleBase) -> DurableEvaluator:
    """durable_rules' evaluator, imported only when a case runs on it (a tenth of the start-up)."""
    from .session import DurableEvaluator  # noqa: PLC0415

    return DurableEvaluator(rule_base)


def _unproven(proof: Proof) -> str:
    if proof.disagreement is not None:
        return (
            "the compiled evaluator disagrees with durable_rules on this rule base "
            "(`followup rules check` shows the case)"
        )
    return (
        f"the compiled evaluator could not be checked on this rule base (more than "
        f"{proof.cases:,} distinct cases)"
    )
