"""How long explanations take next to the advice itself (median of repeated runs), and the
case graph's PNG (at the default resolution, Graphviz's own 96 dpi, and 10 dpi, where it has
almost no pixels) next to its SVG.

Run: .venv/bin/python -m bench.explain
"""

from __future__ import annotations

import datetime
import statistics
import time
from collections.abc import Callable
from typing import Any

from engine import Advisor, load_rule_base, read_case
from engine.tree import build_tree
from explain.dpi import PNG_DPI
from explain.graph import reasoning_graph, tree_graph
from explain.render import render_picture, to_dot, to_text

# The target of the issue "Speed": the case graph's PNG within twice the time of its SVG.
TARGET = 2.0
FACTS = {"interview_date": "2026-11-02", "followups_sent": 1, "last_followup_date": "2026-11-17"}
TODAY = datetime.date(2026, 11, 26)


def median_ms(action: Callable[[], Any], repeat: int) -> float:
    action()  # warm up: first calls load Graphviz plugins and fonts
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    rule_base = load_rule_base()
    advisor = Advisor(rule_base)
    case = read_case(FACTS, rule_base, today=TODAY)
    answer = advisor.advise(case)
    case_graph = reasoning_graph(rule_base, answer)
    tree = build_tree(rule_base)
    whole_tree = tree_graph(rule_base, tree)
    rows = [
        ("advice alone (evaluate + compose)", lambda: advisor.advise(case), 500),
        ("case graph: build", lambda: reasoning_graph(rule_base, answer), 200),
        ("case graph: text", lambda: to_text(case_graph), 200),
        ("case graph: dot", lambda: to_dot(case_graph), 50),
        ("case graph: svg", lambda: render_picture(case_graph, "svg"), 20),
        ("case graph: png", lambda: render_picture(case_graph, "png"), 20),
        ("case graph: png at 96 dpi", lambda: render_picture(case_graph, "png", 96), 20),
        # Few pixels: what a PNG costs besides its pixels (layout, drawing, writing).
        ("case graph: png at 10 dpi", lambda: render_picture(case_graph, "png", 10), 20),
        (
            "whole tree: build (derive + graph)",
            lambda: tree_graph(rule_base, build_tree(rule_base)),
            200,
        ),
        ("whole tree: svg", lambda: render_picture(whole_tree, "svg"), 20),
        ("whole tree: png", lambda: render_picture(whole_tree, "png"), 20),
    ]
    advice_ms = None
    measured = {}
    print(f"{'step':<38}{'median ms':>12}{'x advice':>10}")
    for label, action, repeat in rows:
        ms = measured[label] = median_ms(action, repeat)
        advice_ms = advice_ms or ms
        print(f"{label:<38}{ms:>12.3f}{ms / advice_ms:>10.1f}")
    svg = measured["case graph: svg"]
    png, png_96 = measured["case graph: png"], measured["case graph: png at 96 dpi"]
    png_10 = measured["case graph: png at 10 dpi"]
    verdict = "within" if png <= TARGET * svg else "over"
    print(
        f"case graph png {png / svg:.1f}x its svg at {PNG_DPI} dpi ({verdict} the target of "
        f"{TARGET:.0f}x), {png_96 / svg:.1f}x at 96 dpi, {png_10 / svg:.1f}x at 10 dpi (the rest "
        "is the pixels' own cost)"
    )


if __name__ == "__main__":
    main()
