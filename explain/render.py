"""Renderers: DOT, SVG, PNG and PDF through Graphviz, node-link JSON, and text for terminals.

Graphviz (pygraphviz) is loaded only when a picture or DOT is asked for, so giving advice
never pays for it.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import networkx as nx

from .dpi import PNG_DPI

PICTURE_FORMATS = ("svg", "png", "pdf")
WRAP = 34

# Fills chosen to stay distinct in greyscale (light, mid, dark), backed by border styles.
STYLE: dict[tuple[str, str], dict[str, str]] = {
    ("given", "known"): {"shape": "box", "style": "rounded,filled", "fillcolor": "#dbe9f6"},
    ("given", "unknown"): {"shape": "box", "style": "rounded,dashed", "fontcolor": "#666666"},
    ("derived", "known"): {"shape": "note", "style": "filled", "fillcolor": "#fde9a9"},
    ("derived", "unknown"): {"shape": "note", "style": "dashed", "fontcolor": "#666666"},
    ("condition", "true"): {"shape": "box", "style": "filled", "fillcolor": "#d9f0d3"},
    ("condition", "false"): {"shape": "box", "style": "filled,bold", "fillcolor": "#f4cccc"},
    ("condition", "not evaluated"): {
        "shape": "box",
        "style": "dotted",
        "fontcolor": "#777777",
        "color": "#999999",
    },
    ("rule", "fired"): {
        "shape": "box",
        "style": "filled,bold",
        "fillcolor": "#1b7837",
        "fontcolor": "white",
        "penwidth": "2",
    },
    ("rule", "pre-empted"): {
        "shape": "box",
        "style": "filled,dotted",
        "fillcolor": "#eeeeee",
        "fontcolor": "#555555",
    },
    ("rule", "blocked"): {
        "shape": "box",
        "style": "filled,dashed",
        "fillcolor": "#eeeeee",
        "fontcolor": "#555555",
    },
    ("rule", "not reached"): {
        "shape": "box",
        "style": "filled,dashed",
        "fillcolor": "#eeeeee",
        "fontcolor": "#555555",
    },
    ("advice", "fired"): {
        "shape": "box",
        "style": "filled,bold,rounded",
        "fillcolor": "#08306b",
        "fontcolor": "white",
        "penwidth": "3",
    },
    ("question", "path"): {
        "shape": "box",
        "style": "filled,bold,rounded",
        "fillcolor": "#c6dbef",
        "penwidth": "3",
    },
    ("question", "other"): {"shape": "box", "style": "rounded", "color": "#777777"},
    ("outcome", "path"): {
        "shape": "box",
        "style": "filled,bold",
        "fillcolor": "#08306b",
        "fontcolor": "white",
        "penwidth": "3",
    },
    ("outcome", "other"): {"shape": "box", "style": "filled", "fillcolor": "#eeeeee"},
}
LEGEND = {
    "reasoning": [
        ("given", "known", "a fact you gave"),
        ("derived", "known", "a fact the rules concluded"),
        ("condition", "true", "✓ condition held"),
        ("condition", "false", "✗ condition failed"),
        ("condition", "not evaluated", "– condition not checked"),
        ("rule", "fired", "rule fired"),
        ("rule", "blocked", "rule did not fire"),
        ("advice", "fired", "the advice"),
    ],
    "tree": [
        ("question", "path", "question on this case's path"),
        ("question", "other", "question"),
        ("outcome", "path", "this case's advice"),
        ("outcome", "other", "other advice"),
    ],
}
MARK = {"true": "✓", "false": "✗", "not evaluated": "–"}


def wrap(text: str, width: int = WRAP) -> str:
    """Text broken into Graphviz lines (\\n) of about `width` characters."""
    lines = textwrap.wrap(text, width=width, break_long_words=False) or [""]
    return "\\n".join(line.replace('"', "'") for line in lines)


def _label(data: dict[str, Any]) -> str:
    kind, status = data.get("kind"), data.get("status")
    if kind == "condition":
        text = f"{MARK.get(str(status), '')} {data['text']}"
        return wrap(text) + ("\\n" + wrap(f"[{data['seen']}]") if data.get("seen") else "")
    if kind == "rule":
        head = f"{data['rule_id']} (priority {data['priority']})"
        if status == "fired":
            note = data["reason"]
        elif status == "pre-empted":
            note = f"pre-empted by {data['by']}"
        else:
            note = f"did not fire: {data['blocked_by']}" if data.get("blocked_by") else status
        source = f"source: {data['source']}"
        return "\\n".join([wrap(head), wrap(str(note)), wrap(source)])
    return wrap(str(data.get("label", "")))


def graphviz_format(fmt: str) -> str:
    """The Graphviz output format for one of ours: a PNG drawn by cairo is written out by gd
    where Graphviz has its gd plugin, in half the time cairo's own writer takes (a palette
    PNG: the colours of these pictures fit in one)."""
    return _png_writer() if fmt == "png" else fmt


@functools.cache
def _png_writer() -> str:
    import pygraphviz  # noqa: PLC0415 - Graphviz loads only when a picture is asked for

    probe = pygraphviz.AGraph()
    probe.add_node("probe")
    try:
        with quiet_graphviz(show=False):
            written = probe.draw(format="png:cairo:gd", prog="dot")
    except Exception:  # noqa: BLE001 - no gd plugin, or one that fails: cairo writes the PNG
        return "png"
    return "png:cairo:gd" if bytes(written or b"").startswith(b"\x89PNG") else "png"


@contextmanager
def quiet_graphviz(*, show: bool = True) -> Iterator[None]:
    """Hide Graphviz's Fontconfig warnings (printed straight to file descriptor 2); with
    `show` false, everything it prints there."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            for line in captured.read().decode(errors="replace").splitlines():
                if show and line.strip() and not line.startswith("Fontconfig"):
                    print(line, file=sys.stderr)


def _agraph(graph: nx.DiGraph) -> Any:
    import pygraphviz  # noqa: PLC0415 - Graphviz loads only when a picture is asked for

    kind = str(graph.graph.get("kind", "reasoning"))
    agraph = pygraphviz.AGraph(directed=True, strict=False, name=kind)
    agraph.graph_attr.update(
        rankdir="LR", fontname="Helvetica", nodesep="0.25", ranksep="0.5", newrank="true"
    )
    agraph.node_attr.update(fontname="Helvetica", fontsize="11", margin="0.12,0.06")
    agraph.edge_attr.update(fontname="Helvetica", fontsize="10", color="#555555")
    for node, data in graph.nodes(data=True):
        style = STYLE.get((str(data.get("kind")), str(data.get("status"))), {})
        agraph.add_node(node, label=_label(data), **style)
    for source, target, data in graph.edges(data=True):
        attributes: dict[str, str] = {}
        if data.get("label"):
            attributes["label"] = str(data["label"])
        if data.get("status") == "path" or data.get("kind") in ("concludes", "decides"):
            attributes.update(penwidth="2.5", color="black")
        if data.get("kind") in ("pre-empts", "counts_from"):
            attributes.update(style="dashed")
        agraph.add_edge(source, target, **attributes)
    _add_legend(agraph, kind)
    return agraph


def _add_legend(agraph: Any, kind: str) -> None:
    legend = agraph.add_subgraph(
        name="cluster_legend", label="Legend", fontsize="11", style="rounded", color="#999999"
    )
    previous = None
    for index, (node_kind, status, text) in enumerate(LEGEND.get(kind, [])):
        name = f"legend_{index}"
        legend.add_node(name, label=text, **STYLE[(node_kind, status)])
        if previous is not None:
            legend.add_edge(previous, name, style="invis")
        previous = name


def to_dot(graph: nx.DiGraph) -> str:
    """The graph as Graphviz DOT source."""
    return str(_agraph(graph).string())


def render_picture(graph: nx.DiGraph, fmt: str, dpi: int = PNG_DPI) -> bytes:
    """The graph drawn by Graphviz (dot) as svg, png (at `dpi` pixels per inch) or pdf."""
    if fmt not in PICTURE_FORMATS:
        raise ValueError(f"not a picture format: {fmt}")
    agraph = _agraph(graph)
    set_dpi(agraph, fmt, dpi)
    with quiet_graphviz():
        data = agraph.draw(format=graphviz_format(fmt), prog="dot")
    return bytes(data)


def set_dpi(agraph: Any, fmt: str, dpi: int) -> None:
    """A PNG's pixels per inch; svg and pdf are drawn in points, unchanged."""
    if fmt == "png":
        agraph.graph_attr["dpi"] = str(dpi)


def to_json(graph: nx.DiGraph) -> str:
    """The graph as node-link JSON."""
    data = nx.node_link_data(graph, edges="edges")
    return json.dumps(data, ensure_ascii=False, indent=2)


def to_text(graph: nx.DiGraph) -> str:
    """The graph as text for a terminal, with ✓ / ✗ marks."""
    if graph.graph.get("kind") == "tree":
        return _tree_text(graph)
    return _reasoning_text(graph)


def _reasoning_text(graph: nx.DiGraph) -> str:
    lines = [f"Advice: {graph.nodes['advice']['label']}", ""]
    rules = [n for n, d in graph.nodes(data=True) if d.get("kind") == "rule"]
    ran = sorted(
        (n for n in rules if graph.nodes[n]["step"] >= 0), key=lambda n: graph.nodes[n]["step"]
    )
    others = sorted(
        (n for n in rules if graph.nodes[n]["step"] < 0), key=lambda n: graph.nodes[n]["order"]
    )
    for node in ran + others:
        data = graph.nodes[node]
        status = str(data["status"])
        mark = "✓" if status == "fired" else "✗"
        suffix = f" by {data['by']}" if status == "pre-empted" else ""
        lines.append(f"{mark} {data['rule_id']} — {status}{suffix} (priority {data['priority']})")
        conditions = sorted(
            (n for n in graph.predecessors(node) if graph.nodes[n]["kind"] == "condition"),
            key=lambda n: graph.nodes[n]["index"],
        )
        for condition in conditions:
            cdata = graph.nodes[condition]
            lines.append(f"    {MARK[cdata['status']]} {cdata['text']}  [{cdata['seen']}]")
        for target in graph.successors(node):
            tdata = graph.nodes[target]
            if tdata.get("kind") == "derived":
                lines.append(f"    → concludes {tdata['label']}")
            elif tdata.get("kind") == "advice":
                lines.append(f"    → decides the advice: {tdata['action']}")
        if status == "fired":
            lines.append(f"    why: {data['reason']}")
        lines.append(f"    source: {data['source']}")
    return "\n".join(lines) + "\n"


def _tree_text(graph: nx.DiGraph) -> str:
    roots = [n for n in graph.nodes if graph.in_degree(n) == 0]
    lines: list[str] = []

    def walk(node: str, indent: str, prefix: str) -> None:
        data = graph.nodes[node]
        marker = " ◀" if data.get("status") == "path" and data["kind"] == "outcome" else ""
        # A picture's label breaks its lines; a line of text keeps it on one.
        label = " ".join(str(data["label"]).split("\n"))
        lines.append(f"{indent}{prefix}{label}{marker}")
        for child in graph.successors(node):
            edge = graph.edges[node, child]
            taken = "✓ " if edge.get("status") == "path" else ""
            walk(child, indent + "    ", f"{taken}{edge['label']} → ")

    for root in roots:
        walk(root, "", "")
    return "\n".join(lines) + "\n"
