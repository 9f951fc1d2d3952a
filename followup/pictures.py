"""Graphs for the command line, rendered in the format asked for.

This module loads networkx (and, for pictures, Graphviz): commands import it only when a graph
is asked for, so giving advice never pays for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from engine import Answer, RuleBase
from engine.tree import build_tree
from explain import graph, render
from explain.dpi import PNG_DPI, TIMELINE_DPI
from explain.timeline import timeline_picture

from .output import OutputError, suffix_format


def graph_format(requested: str | None, out: Path | None) -> str:
    """The format asked for, else the output file's suffix, else text."""
    if requested is not None:
        return requested
    if out is None:
        return "text"
    return suffix_format(out)


def rendered(drawn: nx.DiGraph, fmt: str, dpi: int | None = None) -> str | bytes:
    """A graph as text, DOT, JSON, or picture bytes (a PNG at `dpi` pixels per inch)."""
    if fmt == "text":
        return render.to_text(drawn)
    if fmt == "dot":
        return render.to_dot(drawn)
    if fmt == "json":
        return render.to_json(drawn)
    return render.render_picture(drawn, fmt, dpi or PNG_DPI)


def reasoning(rule_base: RuleBase, answer: Answer) -> nx.DiGraph:
    return graph.reasoning_graph(rule_base, answer)


def tree(rule_base: RuleBase, values: Mapping[str, Any] | None = None) -> nx.DiGraph:
    return graph.tree_graph(rule_base, build_tree(rule_base), values)


def timeline(rule_base: RuleBase, answer: Answer, fmt: str, dpi: int | None = None) -> bytes:
    """The job seeker's calendar strip; a picture only."""
    if fmt not in render.PICTURE_FORMATS:
        raise OutputError(
            f"--timeline draws a picture: give -o FILE.svg, .png or .pdf (or --format), not {fmt}"
        )
    return timeline_picture(rule_base, answer, fmt, dpi or TIMELINE_DPI)
