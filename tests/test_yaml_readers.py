"""libyaml and PyYAML's own parser read every text to the same values, at the same places."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine import source
from engine.errors import RuleFileError
from engine.source import parse_document

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [
    "a: 1\nb: [x, 'y', \"z\\u00e9\\/\"]\nc: {d: null, e: ~}\n",
    "plain: one\n  two\n\n  three\nfolded: >\n  one\n  two\n\n  three\n",
    "literal: |-\n  keep\n   this\nindented: |2\n    two more\n",
    "kept: |+\n  end\n\n\nnext: 'it''s'\nsigns: [-1, +2, 0.5, .5, 1e3, 010, 0x1F, yes, no, on]\n",
    "anchor: &a {x: 1}\nalias: *a\nlist:\n- &b one\n- *b\n",
    "émoji: “quoted” ✓ 𝄞\nafter: the column\n  - counts characters\n",
    "key: value # a comment\n? complex\n: key\nempty:\ndash: -\n",
    "---\nonly: one document\n...\n",
    "- [a, b]\n- {c: d}\n-   - nested\n    - deeper\n",
    '"quoted key": "line\\nbreak"\nsingle: \'a\n  b\'\n',
    # Refused: each in PyYAML's words, at its place.
    "a: b: c\n",
    "key value\nother: x\n",
    "list: [unclosed\n",
    "a:\n\tb: 1\n",
    "x: !!python/name:os.system ''\n",
    "x: !custom 1\n",
    "x: " + "[" * 100 + "]" * 100 + "\n",
    "x: 1" + "0" * 40 + "\n",
    'text: "bad \\q escape"\n',
    "a: 1\na: 2\n",
]
FILES = sorted(
    path
    for folder in ("rules", "examples", "tests")
    for path in (ROOT / folder).rglob("*")
    if path.suffix in (".yaml", ".yml", ".json")
)


def _read(text: str, name: str) -> object:
    try:
        document = parse_document(text, name)
    except RuleFileError as error:
        return ("refused", str(error), error.location)
    marks = {path: (mark.line, mark.column) for path, mark in document.marks.items()}
    keys = {path: (mark.line, mark.column) for path, mark in document.key_marks.items()}
    return document.value, marks, keys


@pytest.mark.parametrize(
    ("text", "name"),
    [(text, f"text{number}.yaml") for number, text in enumerate(TEXTS)]
    + [(path.read_text(encoding="utf-8"), path.name) for path in FILES],
)
def test_both_parsers_agree(text: str, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _read(text, name), _nodes(text)
    monkeypatch.setattr(source, "_LIBYAML", False)
    assert fast == (_read(text, name), _nodes(text))


def _nodes(text: str) -> object:
    """The composed nodes, as far as anything reads them: kind, tag, value, style, place."""
    try:
        node = source._compose(text, source.RULES)
    except Exception as error:  # noqa: BLE001 - the same refusal either way
        return type(error).__name__, str(error)
    return _node(node)


def _node(node: object) -> object:
    if node is None:
        return None
    assert isinstance(node, yaml.Node)
    if isinstance(node, yaml.ScalarNode):
        value: object = node.value
    elif isinstance(node, yaml.SequenceNode):
        value = [_node(item) for item in node.value]
    else:
        value = [(_node(key), _node(item)) for key, item in node.value]
    mark = (node.start_mark.line, node.start_mark.column)
    return type(node).__name__, node.tag, value, getattr(node, "style", None), mark
