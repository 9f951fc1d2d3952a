"""The rules page: the decision tree and every rule in words, with its YAML text."""

from __future__ import annotations

import html

from engine import Advisor

from .web_support import web_client


def test_the_rules_page_shows_the_tree_and_every_rule(advisor: Advisor) -> None:
    page = html.unescape(web_client(advisor).get("/rules").text)
    assert "<svg" in page
    for rule in advisor.rule_base.rules:
        assert f'id="rule-{rule.id}"' in page
        assert f"- id: {rule.id}" in page
        assert rule.source in page
