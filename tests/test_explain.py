"""The explainer: reasoning graphs, the decision tree, renderers, HOW and WHY NOT."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pygraphviz
import pytest
import yaml

from engine import Advisor, Answer, RuleBase, read_case
from engine.tree import Leaf, Question, build_tree
from explain.dpi import PNG_DPI
from explain.graph import ADVICE_NODE, reasoning_graph, rule_node, tree_graph
from explain.render import render_picture, to_dot, to_json, to_text

from .conftest import EXAMPLES, TODAY, RunCli

DAY = datetime.date.fromisoformat(TODAY)
FIRED = {
    "no-timeline": ["two_weeks_when_unsure", "first_followup_not_yet_due"],
    "timeline": ["just_after_their_deadline", "first_followup_not_yet_due"],
    "competing-offer": ["reach_out_sooner"],
    "update": ["reach_out_sooner"],
    "one-followup": ["reminder_a_week_after_last_followup", "reminder_is_due"],
    "several-followups": ["move_on_after_several_attempts"],
    "proactive": ["one_week_for_a_proactive_culture", "first_followup_is_due"],
    "laid-back": ["two_weeks_for_a_laid_back_culture", "first_followup_not_yet_due"],
}
ACTIONS = ("wait", "follow_up_now", "send_reminder", "move_on")


def example_answer(advisor: Advisor, rule_base: RuleBase, name: str) -> Answer:
    facts = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())
    facts = {
        key: str(value) if isinstance(value, datetime.date) else value
        for key, value in facts.items()
    }
    return advisor.advise(read_case(facts, rule_base, today=DAY))


@pytest.mark.parametrize("name", sorted(FIRED))
def test_reasoning_graph_of_each_example(advisor: Advisor, rule_base: RuleBase, name: str) -> None:
    answer = example_answer(advisor, rule_base, name)
    graph = reasoning_graph(rule_base, answer)
    rules = {
        data["rule_id"]: data for _node, data in graph.nodes(data=True) if data["kind"] == "rule"
    }
    assert set(rules) == {rule.id for rule in rule_base.rules}
    fired = sorted((r for r in rules.values() if r["status"] == "fired"), key=lambda r: r["step"])
    assert [r["rule_id"] for r in fired] == FIRED[name]
    for rule_id, data in rules.items():
        conditions = [
            graph.nodes[n]
            for n in graph.predecessors(rule_node(rule_id))
            if graph.nodes[n]["kind"] == "condition"
        ]
        assert conditions, rule_id
        assert data["reason"] and data["source"]
        if data["status"] == "fired":
            assert all(c["status"] == "true" for c in conditions)
        elif data["status"] == "blocked":
            assert any(c["status"] == "false" for c in conditions)
            assert data["blocked_by"]
        else:
            assert data["status"] == "pre-empted" and data["by"] == "reach_out_sooner"
    assert graph.nodes[ADVICE_NODE]["action"] == answer.action
    assert list(graph.predecessors(ADVICE_NODE)) == [rule_node(FIRED[name][-1])]


@pytest.mark.parametrize("name", sorted(FIRED))
def test_tree_path_of_each_example(advisor: Advisor, rule_base: RuleBase, name: str) -> None:
    answer = example_answer(advisor, rule_base, name)
    path = build_tree(rule_base).path_for(answer.outcome.values)
    leaf = path[-1][0]
    assert isinstance(leaf, Leaf)
    assert list(leaf.fired) == FIRED[name]
    assert leaf.decision(rule_base.goal) == answer.action
    graph = tree_graph(rule_base, build_tree(rule_base), answer.outcome.values)
    on_path = [n for n, d in graph.nodes(data=True) if d["status"] == "path"]
    assert len(on_path) == len(path)
    outcome = [n for n in on_path if graph.nodes[n]["kind"] == "outcome"]
    assert len(outcome) == 1 and graph.nodes[outcome[0]]["action"] == answer.action


def test_tree_is_derived_from_the_rules(rule_base: RuleBase) -> None:
    tree = build_tree(rule_base)
    assert isinstance(tree.root, Question)
    assert tree.root.test.fact == "competing_offer"
    leaves = list(tree.leaves())
    assert {leaf.decision(rule_base.goal) for _path, leaf in leaves} == set(ACTIONS)
    assert all(leaf.decision(rule_base.goal) is not None for _path, leaf in leaves)
    for path, _leaf in leaves:
        asked = [question.test for question, _answer in path]
        assert len(asked) == len(set(map(id, asked)))
        facts = [test.fact for test in asked]
        # culture is only asked where no timeline was named
        if "culture" in facts:
            timeline = next(a for q, a in path if q.test.fact == "timeline_given")
            assert timeline is False


def test_svg_png_pdf_dot(advisor: Advisor, rule_base: RuleBase) -> None:
    graph = reasoning_graph(rule_base, example_answer(advisor, rule_base, "one-followup"))
    svg = render_picture(graph, "svg")
    root = ElementTree.fromstring(svg)
    text = " ".join(root.itertext())
    for rule_id in FIRED["one-followup"]:
        assert rule_id in text
    png = render_picture(graph, "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert 800 < width < 6000 and 400 < height < 6000
    assert render_picture(graph, "pdf").startswith(b"%PDF")
    parsed = pygraphviz.AGraph(string=to_dot(graph))
    assert parsed.directed
    assert parsed.get_node(rule_node("reminder_is_due")).attr["fillcolor"] == "#1b7837"
    data = json.loads(to_json(graph))
    assert {node["id"] for node in data["nodes"]} == set(graph.nodes)


def test_png_resolution(run_cli: RunCli, tmp_path: Path) -> None:
    def width(*dpi: str) -> int:
        out = tmp_path / "reasoning.png"
        case = str(EXAMPLES / "timeline.yaml")
        result = run_cli("explain", case, "--today", "2026-11-26", "-o", str(out), *dpi)
        assert result.exit_code == 0, result.output
        return int.from_bytes(out.read_bytes()[16:20], "big")

    # PNG_DPI pixels an inch unless asked: twice as many pixels a side at twice that.
    assert abs(width("--dpi", str(2 * PNG_DPI)) - 2 * width()) <= 2
    result = run_cli("explain", "--set", "followups_sent=0", "--dpi", "5", "-o", "x.png")
    assert result.exit_code != 0 and "--dpi" in result.output


def test_text_marks(advisor: Advisor, rule_base: RuleBase) -> None:
    text = to_text(reasoning_graph(rule_base, example_answer(advisor, rule_base, "timeline")))
    assert text.startswith("Advice: Wait — follow up on Monday 7 December 2026, in 11 days")
    assert "✓ just_after_their_deadline — fired (priority 70)" in text
    assert "✗ timeline_given is no  [timeline_given = yes]" in text
    assert "✗ reach_out_sooner — blocked (priority 100)" in text


def test_text_says_a_day_moved_off_a_holiday(run_cli: RunCli, tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("interview_date: 2026-11-12\ncountry: US\n")
    result = run_cli("explain", str(case), "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert (
        "(Friday 27 November 2026). Thursday 26 November 2026 is Thanksgiving Day, a public "
        "holiday; the next working day is Friday 27 November 2026.\n"
    ) in result.stdout


def test_no_fontconfig_noise(
    run_cli: RunCli, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tree.png"
    result = run_cli("rules", "tree", "-o", str(out))
    assert result.exit_code == 0
    assert "Fontconfig" not in capfd.readouterr().err
    assert out.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf", "dot", "json", "text"])
def test_explain_cli_writes_each_format(run_cli: RunCli, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"graph.{fmt}"
    result = run_cli(
        "explain",
        str(EXAMPLES / "timeline.yaml"),
        "--today",
        TODAY,
        "--format",
        fmt,
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_size > 200
    assert f"wrote {out}" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_explain_cli_text_by_default(run_cli: RunCli) -> None:
    result = run_cli("explain", str(EXAMPLES / "proactive.yaml"), "--today", TODAY)
    assert result.exit_code == 0
    assert result.stdout.startswith("Advice: Follow up now")


def test_explain_tree_marks_the_path(run_cli: RunCli) -> None:
    result = run_cli(
        "explain", str(EXAMPLES / "several-followups.yaml"), "--today", TODAY, "--tree"
    )
    assert "✓ yes → move_on" in result.stdout
    assert result.stdout.count("◀") == 1


def test_rules_tree_text(run_cli: RunCli) -> None:
    result = run_cli("rules", "tree")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "competing_offer is yes?"
    assert "◀" not in result.stdout
    # Each step on one line, the rule that decides beside its advice.
    assert "    yes → follow_up_now · follow_up_on: today (reach_out_sooner)" in result.stdout
    assert all(line.startswith((" ", "competing_offer")) for line in result.stdout.splitlines())


def test_bad_format_and_missing_folder(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("rules", "tree", "--format", "gif")
    assert result.exit_code == 2
    result = run_cli("rules", "tree", "-o", str(tmp_path / "no" / "tree.svg"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_advise_why_tells_how(run_cli: RunCli) -> None:
    result = run_cli(
        "advise", str(EXAMPLES / "one-followup.yaml"), "--today", TODAY, "--why", "--format", "json"
    )
    chain = json.loads(result.stdout)["how"]
    assert len(chain) == 2
    assert chain[0].startswith(
        "1. reminder_a_week_after_last_followup applied because followups_sent is 1"
    )
    assert "reminder_day = Tuesday 24 November 2026" in chain[0]
    text = run_cli("advise", str(EXAMPLES / "one-followup.yaml"), "--today", TODAY, "--why")
    assert "How this advice was reached" in text.stdout


WHY_NOT = {
    # example: {action: expected change (fact=value), or "already", or None (unreachable)}
    "no-timeline": {
        "wait": "already",
        "follow_up_now": "competing_offer=yes",
        "send_reminder": None,
        "move_on": None,
    },
    "timeline": {
        "wait": "already",
        "follow_up_now": "competing_offer=yes",
        "send_reminder": None,
        "move_on": None,
    },
    "competing-offer": {
        "wait": "competing_offer=no",
        "follow_up_now": "already",
        "send_reminder": None,
        "move_on": None,
    },
    "update": {
        "wait": "has_update=no",
        "follow_up_now": "already",
        "send_reminder": None,
        "move_on": None,
    },
    "one-followup": {
        "wait": None,
        "follow_up_now": "competing_offer=yes",
        "send_reminder": "already",
        "move_on": "followups_sent=2",
    },
    "several-followups": {
        "wait": None,
        "follow_up_now": "competing_offer=yes",
        "send_reminder": "followups_sent=1",
        "move_on": "already",
    },
    "proactive": {
        "wait": "culture=laid_back",
        "follow_up_now": "already",
        "send_reminder": None,
        "move_on": None,
    },
    "laid-back": {
        "wait": "already",
        "follow_up_now": "competing_offer=yes",
        "send_reminder": None,
        "move_on": None,
    },
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("name", sorted(WHY_NOT))
def test_why_not(run_cli: RunCli, name: str, action: str) -> None:
    path = str(EXAMPLES / f"{name}.yaml")
    result = run_cli("explain", path, "--today", TODAY, "--why-not", action)
    assert result.exit_code == 0, result.stderr
    expected = WHY_NOT[name][action]
    last = result.stdout.splitlines()[-1]
    if expected == "already":
        assert result.stdout == f"{action} is already the advice.\n"
        return
    assert result.stdout.startswith(f"Why not {action}?\n  • ")
    if expected is None:
        assert last == f"No change of the facts you gave can lead to {action}."
        return
    fact, value = expected.split("=")
    assert last.startswith(f"If {fact} were {value} (")
    # The change it names really leads there.
    changed = run_cli("advise", path, "--today", TODAY, "--set", expected, "--format", "json")
    assert json.loads(changed.stdout)["action"] == action
    assert last.endswith(json.loads(changed.stdout)["headline"])


def test_why_not_unknown_action(run_cli: RunCli) -> None:
    result = run_cli("explain", str(EXAMPLES / "timeline.yaml"), "--why-not", "panic")
    assert result.exit_code == 2
    assert "'panic' is not an action" in result.stderr


def test_advice_does_not_load_graph_libraries() -> None:
    code = (
        "import sys, followup.cli; print(any(m in sys.modules for m in ('networkx', 'pygraphviz')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False"
