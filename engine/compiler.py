"""Compiling the rule model into durable_rules' JSON rulesets.

Each case is one fact of kind "case" whose attributes are the given facts; each concluded
fact is asserted as a fact of kind "derived" with a name and a value. A rule becomes a join
of the case with the derived facts it tests. Dates travel as day numbers (proleptic ordinals)
so the engine can compare them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from .conditions import compares
from .errors import RuleFileError
from .limits import check_engine_capacity
from .model import AllOf, AnyOf, Compare, CompareOp, Condition, FactRef, Not, Rule, RuleBase

CASE_ALIAS = "c"
KIND = "kind"
# Matches every case, after all rules: a case no rule matches would otherwise raise
# MessageNotHandledException and leave a session whose deletion crashes the library.
CASE_RECEIVED = "__case_received"

_OPERATOR = {
    "at_least": "$gte",
    "on_or_after": "$gte",
    "at_most": "$lte",
    "on_or_before": "$lte",
    "before": "$lt",
    "after": "$gt",
}
_OPPOSITE: dict[CompareOp, CompareOp] = {
    "at_least": "at_most",
    "at_most": "at_least",
    "before": "after",
    "after": "before",
    "on_or_before": "on_or_after",
    "on_or_after": "on_or_before",
    "equals": "equals",
}
_NEGATED: dict[str, str] = {"$gte": "$lt", "$lt": "$gte", "$lte": "$gt", "$gt": "$lte"}


@dataclass(frozen=True)
class CompiledRules:
    """durable_rules definitions (without actions), and the facts the engine must be told."""

    definitions: dict[str, dict[str, Any]]
    given_facts: frozenset[str]
    derived_facts: frozenset[str]
    carried_facts: frozenset[str]

    def derived_fact(self, name: str, value: Any, values: dict[str, Any]) -> dict[str, Any]:
        """The engine fact that carries one concluded value.

        It also carries a copy of the given values that rules compare it with, so that each
        comparison is made within one fact: durable_rules crashes (SIGSEGV in
        reduceExpressionSequence) on some comparisons that reference another fact of a join.
        """
        fact = {KIND: "derived", "name": name, "value": encode(value)}
        for carried in sorted(self.carried_facts):
            if values.get(carried) is not None:
                fact[carried] = encode(values[carried])
        return fact


def encode(value: Any) -> Any:
    """A fact value as the engine sees it: dates become day numbers."""
    if isinstance(value, datetime.date):
        return value.toordinal()
    return value


def case_fact(values: dict[str, Any], given_facts: frozenset[str]) -> dict[str, Any]:
    """The engine fact that carries one case's given values (those the rules test)."""
    fact = {
        name: encode(values[name]) for name in sorted(given_facts) if values.get(name) is not None
    }
    fact[KIND] = "case"
    return fact


def compile_rule_base(rule_base: RuleBase) -> CompiledRules:
    """Compile every rule; higher priority runs first."""
    top = max((rule.priority for rule in rule_base.rules), default=0)
    compiler = _RuleCompiler(rule_base)
    definitions = {
        rule.id: compiler.compile(rule, pri=top - rule.priority) for rule in rule_base.rules
    }
    lowest = max((definition["pri"] for definition in definitions.values()), default=0) + 1
    definitions[CASE_RECEIVED] = {"all": [{CASE_ALIAS: {KIND: "case"}}], "pri": lowest}
    check_engine_capacity(definitions, {rule.id: rule.location for rule in rule_base.rules})
    return CompiledRules(
        definitions,
        frozenset(compiler.given_used),
        frozenset(compiler.derived_used),
        frozenset(compiler.carried),
    )


class _RuleCompiler:
    def __init__(self, rule_base: RuleBase) -> None:
        self.facts = rule_base.facts
        self.given_used: set[str] = set()
        self.derived_used: set[str] = set()
        self.carried: set[str] = set()

    def compile(self, rule: Rule, pri: int) -> dict[str, Any]:
        case_terms: list[dict[str, Any]] = [{KIND: "case"}]
        derived_terms: dict[str, list[dict[str, Any]]] = {}
        absent: list[str] = []
        for condition in rule.conditions():
            self._place(rule, condition, case_terms, derived_terms, absent)
        patterns: list[dict[str, Any]] = [{CASE_ALIAS: _and(case_terms)}]
        for name, terms in derived_terms.items():
            identity: list[dict[str, Any]] = [{KIND: "derived"}, {"name": name}]
            patterns.append({_alias(name): _and(identity + terms)})
        for name in absent:
            patterns.append({f"{_alias(name)}$not": _and([{KIND: "derived"}, {"name": name}])})
        return {"all": patterns, "pri": pri}

    def _is_derived(self, name: str) -> bool:
        return self.facts[name].derived

    def _place(
        self,
        rule: Rule,
        condition: Condition,
        case_terms: list[dict[str, Any]],
        derived_terms: dict[str, list[dict[str, Any]]],
        absent: list[str],
    ) -> None:
        derived = sorted(name for name in condition.facts() if self._is_derived(name))
        if not derived:
            case_terms.append(self._expression(rule, condition, negate=False))
            return
        if not isinstance(condition, Compare):
            inner = next(test for test in compares(condition) if test.fact in derived)
            raise RuleFileError(
                f"a test of the concluded fact `{inner.fact}` must stand on its own in the "
                "rule's list of conditions, not inside all/any/not",
                rule_id=rule.id,
                fact=inner.fact,
                location=inner.location,
            )
        test = condition
        if not self._is_derived(test.fact):
            assert isinstance(test.value, FactRef)
            test = Compare(test.value.name, _OPPOSITE[test.op], FactRef(test.fact), test.location)
        if isinstance(test.value, FactRef) and self._is_derived(test.value.name):
            raise RuleFileError(
                "two concluded facts cannot be compared with each other",
                rule_id=rule.id,
                fact=test.fact,
                location=test.location,
            )
        self.derived_used.add(test.fact)
        if isinstance(test.value, FactRef):
            self.carried.add(test.value.name)
        if test.op == "known" and not test.value:
            absent.append(test.fact)
            return
        terms = derived_terms.setdefault(test.fact, [])
        if test.op != "known":
            terms.append(self._comparison(test, "value", negate=False))

    def _expression(self, rule: Rule, condition: Condition, negate: bool) -> dict[str, Any]:
        if isinstance(condition, Not):
            return self._expression(rule, condition.item, not negate)
        if isinstance(condition, (AllOf, AnyOf)):
            parts = [self._expression(rule, item, negate) for item in condition.items]
            conjunctive = isinstance(condition, AllOf) != negate
            return _and(parts) if conjunctive else _or(parts)
        if negate and isinstance(condition.value, FactRef):
            raise RuleFileError(
                "`not` cannot stand around a comparison of two facts",
                rule_id=rule.id,
                fact=condition.fact,
                location=condition.location,
                suggestion="use the opposite comparison instead, such as before for on_or_after",
            )
        self.given_used.update(condition.facts())
        return self._comparison(condition, condition.fact, negate)

    def _comparison(self, test: Compare, attribute: str, negate: bool) -> dict[str, Any]:
        value = test.value
        if test.op == "known":
            present = bool(value) != negate
            return {"$ex" if present else "$nex": {attribute: 1}}
        if isinstance(value, FactRef):
            operand: Any = {"$m": value.name}
        else:
            operand = encode(value)
        if test.op == "one_of":
            options = [{attribute: encode(option)} for option in value]
            if not negate:
                return _or(options)
            return _or([{"$nex": {attribute: 1}}, _and([{"$neq": o} for o in options])])
        if test.op == "equals":
            if not negate:
                return {attribute: operand}
            return _or([{"$nex": {attribute: 1}}, {"$neq": {attribute: operand}}])
        operator = _OPERATOR[test.op]
        if not negate:
            return {operator: {attribute: operand}}
        return _or([{"$nex": {attribute: 1}}, {_NEGATED[operator]: {attribute: operand}}])


def _alias(name: str) -> str:
    return f"d_{name}"


def _and(terms: list[dict[str, Any]]) -> dict[str, Any]:
    return terms[0] if len(terms) == 1 else {"$and": terms}


def _or(terms: list[dict[str, Any]]) -> dict[str, Any]:
    return terms[0] if len(terms) == 1 else {"$or": terms}
