"""The rules, read-only: the decision tree drawn, and each rule in words with its YAML text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from engine import RuleBase
from engine.model import Rule
from explain.words import conclusion_text, describe

from .pages import page
from .settings import settings_of

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class RuleInWords:
    rule: Rule
    when: list[str]
    then: list[str]
    yaml: str


@router.get("/rules")
def rules_page(request: Request) -> Response:
    """The decision tree and every rule, for coaches and auditors."""
    rule_base = settings_of(request).advisor.rule_base
    return page(
        request,
        "rules.html",
        title="The rules",
        tree=_tree_svg(rule_base),
        rules=[_in_words(rule_base, rule) for rule in rule_base.written_rules()],
        version=rule_base.version,
    )


def _in_words(rule_base: RuleBase, rule: Rule) -> RuleInWords:
    return RuleInWords(
        rule,
        [describe(condition) for condition in rule.conditions()],
        [f"{c.fact} = {conclusion_text(c.value)}" for c in rule.then],
        _yaml_text(rule_base, rule),
    )


def _yaml_text(rule_base: RuleBase, rule: Rule) -> str:
    """The rule as written in its file: its first line, then every line indented deeper
    than its keys start (the next list item or key, less indented, ends it)."""
    text = rule_base.files.get(Path(rule.location.file).name)
    if text is None or rule.location.line < 1:
        return ""
    lines = text.splitlines()
    first = rule.location.line - 1
    indent = rule.location.column - 1
    end = first + 1
    while end < len(lines) and (
        not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) >= indent
    ):
        end += 1
    return "\n".join(lines[first:end]).rstrip()


def _tree_svg(rule_base: RuleBase) -> Markup:
    from followup import pictures  # noqa: PLC0415 - Graphviz loads on demand

    svg = pictures.rendered(pictures.tree(rule_base), "svg")
    assert isinstance(svg, bytes)
    text = svg.decode()
    # Graphviz escapes every label it writes; the SVG is inlined without its XML prologue.
    return Markup(text[text.find("<svg") :])  # noqa: S704
