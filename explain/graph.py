"""Reasoning graphs as networkx DiGraphs: one case's run, and the whole decision tree.

Node attributes are plain data (kind, status, label, ...); the renderers decide the looks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx

from engine.answer import Answer, moved_sentence
from engine.model import DateExpr, RuleBase
from engine.templates import render
from engine.tree import DecisionTree, Leaf, Question, date_definition, source_fact

from .checks import RuleCheck, check_rules
from .words import conclusion_text, describe, describe_compare, short_value

ADVICE_NODE = "advice"


def fact_node(name: str) -> str:
    return f"fact:{name}"


def rule_node(rule_id: str) -> str:
    return f"rule:{rule_id}"


def condition_node(rule_id: str, index: int) -> str:
    return f"condition:{rule_id}:{index}"


def reasoning_graph(rule_base: RuleBase, answer: Answer) -> nx.DiGraph:
    """One case: facts → conditions → rules → derived facts → advice, fired and not."""
    outcome = answer.outcome
    graph = nx.DiGraph(kind="reasoning", goal=rule_base.goal)
    checks = check_rules(rule_base, outcome)
    for name in _facts_shown(rule_base, checks, outcome.values):
        spec = rule_base.facts[name]
        value = outcome.values.get(name)
        graph.add_node(
            fact_node(name),
            kind="derived" if spec.derived else "given",
            name=name,
            value=short_value(value),
            label=f"{name} = {short_value(value)}",
            status="known" if value is not None else "unknown",
        )
    steps = {firing.rule_id: step for step, firing in enumerate(outcome.trace)}
    # Rules that ran come first, in firing order, so Graphviz draws them first (on top).
    ordered = sorted(
        enumerate(checks), key=lambda item: steps.get(item[1].rule.id, 1_000 + item[0])
    )
    fired = {firing.rule_id: firing for firing in outcome.trace if firing.status == "fired"}
    for order, check in ordered:
        _add_rule(graph, rule_base, check, order, outcome.values)
        firing = fired.get(check.rule.id)
        if firing is not None and firing.moved:
            # The day it worked out moved off a day off: say so, as the answer does.
            node = graph.nodes[rule_node(check.rule.id)]
            node["reason"] = " ".join(
                [
                    node["reason"],
                    *(
                        moved_sentence(rule_base, move, firing.concluded[fact])
                        for fact, move in firing.moved.items()
                    ),
                ]
            )
        graph.nodes[rule_node(check.rule.id)]["step"] = steps.get(check.rule.id, -1)
    graph.add_node(
        ADVICE_NODE,
        kind="advice",
        status="fired",
        action=answer.action,
        follow_up_on=short_value(answer.follow_up_on) if answer.follow_up_on else "",
        label=answer.headline,
    )
    decider = outcome.concluded_by(rule_base.goal)
    if decider is not None:
        graph.add_edge(rule_node(decider), ADVICE_NODE, kind="decides", label="decides")
    return graph


def _facts_shown(
    rule_base: RuleBase, checks: list[RuleCheck], values: Mapping[str, Any]
) -> list[str]:
    names: set[str] = set()
    for check in checks:
        names.update(check.rule.when.facts())
        for conclusion in check.rule.then:
            names.add(conclusion.fact)
            source = source_fact(conclusion.value)
            if source is not None:
                names.add(source)
    names.discard(rule_base.goal)
    return [name for name in rule_base.facts if name in names]


def _add_rule(
    graph: nx.DiGraph,
    rule_base: RuleBase,
    check: RuleCheck,
    order: int,
    values: Mapping[str, Any],
) -> None:
    rule = check.rule
    node = rule_node(rule.id)
    fired = check.status == "fired"
    reason = render(rule.reason, lambda name: values.get(name)) if fired else rule.reason
    blocking = check.blocking
    graph.add_node(
        node,
        kind="rule",
        rule_id=rule.id,
        status=check.status,
        priority=rule.priority,
        order=order,
        reason=reason,
        source=rule.source,
        by=check.by or "",
        blocked_by=describe(blocking.condition) if blocking else "",
        label=rule.id,
    )
    for index, condition_check in enumerate(check.conditions):
        cond = condition_node(rule.id, index)
        seen = ", ".join(f"{k} = {short_value(v)}" for k, v in condition_check.seen.items())
        graph.add_node(
            cond,
            kind="condition",
            status=condition_check.status,
            rule_id=rule.id,
            index=index,
            text=describe(condition_check.condition),
            seen=seen,
            label=describe(condition_check.condition),
        )
        graph.add_edge(cond, node, kind="condition_of")
        for name in sorted(condition_check.condition.facts()):
            if fact_node(name) in graph:
                graph.add_edge(fact_node(name), cond, kind="tested_by")
    for conclusion in rule.then:
        if isinstance(conclusion.value, DateExpr):
            source = fact_node(conclusion.value.base)
            if source in graph and not graph.has_edge(source, node):
                graph.add_edge(source, node, kind="counts_from", label="counts from")
    if fired:
        for conclusion in rule.then:
            if conclusion.fact != rule_base.goal and fact_node(conclusion.fact) in graph:
                graph.add_edge(
                    node, fact_node(conclusion.fact), kind="concludes", label="concludes"
                )
    if check.status == "pre-empted" and check.by:
        graph.add_edge(rule_node(check.by), node, kind="pre-empts", label="pre-empts")


def tree_graph(
    rule_base: RuleBase, tree: DecisionTree, values: Mapping[str, Any] | None = None
) -> nx.DiGraph:
    """The decision tree as a graph; with a case's values, its path is marked."""
    graph = nx.DiGraph(kind="tree", goal=rule_base.goal)
    on_path: set[int] = set()
    answers: dict[int, bool | None] = {}
    if values is not None:
        for node, answer in tree.path_for(values):
            on_path.add(id(node))
            answers[id(node)] = answer
    counter = iter(range(1_000_000))

    def add(node: Question | Leaf) -> str:
        name = f"n{next(counter)}"
        highlighted = id(node) in on_path
        if isinstance(node, Leaf):
            action = node.decision(rule_base.goal)
            graph.add_node(
                name,
                kind="outcome",
                status="path" if highlighted else "other",
                action=str(action) if action is not None else "",
                fired=", ".join(node.fired),
                label=_leaf_label(rule_base, node),
            )
            return name
        graph.add_node(
            name,
            kind="question",
            status="path" if highlighted else "other",
            fact=node.test.fact,
            asked_by=node.asked_by,
            label=_question_label(rule_base, node) + "?",
        )
        for branch, child in (("yes", node.yes), ("no", node.no)):
            child_name = add(child)
            taken = highlighted and answers.get(id(node)) == (branch == "yes")
            graph.add_edge(name, child_name, label=branch, status="path" if taken else "other")
        return name

    add(tree.root)
    return graph


def _question_label(rule_base: RuleBase, question: Question) -> str:
    text = describe_compare(question.test)
    fact = question.test.fact
    definition = date_definition(rule_base, question)
    if not rule_base.facts[fact].derived or definition is None:
        return text
    return text.replace(fact, f"{fact} ({conclusion_text(definition)})", 1)


def _leaf_label(rule_base: RuleBase, leaf: Leaf) -> str:
    action = leaf.decision(rule_base.goal)
    if action is None:
        return "no advice: no rule decides"
    decider = rule_base.rule(leaf.fired[-1])
    details = [
        f"{c.fact}: {conclusion_text(c.value)}"
        for c in decider.then
        if c.fact != rule_base.goal and rule_base.facts[c.fact].type == "date"
    ]
    return " · ".join([str(action), *details]) + f"\n({decider.id})"
