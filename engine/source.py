"""Reading YAML (and JSON) through nodes, so every value keeps the place it came from.

PyYAML's composer gives each node a start mark; we build plain Python values from the nodes
ourselves and keep a map from each value's path to its mark. Errors about meaning can then
point at file, line and column just as syntax errors do.

Only ``true``/``false`` are booleans and dates stay text (YAML 1.2 style): with YAML 1.1 rules
``no`` or ``on`` would silently become booleans where a word was meant.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Location, RuleFileError
from .limits import MAX_FILE_DEPTH

PathKey = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """A safe loader with YAML 1.2 booleans, no implicit timestamps, and a bounded depth."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        # The composer, our builder and the schema validator all recurse once a level: a file
        # nested thousands deep would exhaust Python's stack with a traceback.
        self._depth += 1
        try:
            if self._depth > MAX_FILE_DEPTH:
                raise yaml.MarkedYAMLError(
                    problem=f"nested more than {MAX_FILE_DEPTH} levels deep",
                    problem_mark=self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


_SCALARS = _Loader("")


@dataclass
class Document:
    """A parsed file: its plain value, and where each part of it stands in the file."""

    file: str
    text: str
    value: Any
    marks: dict[PathKey, yaml.Mark] = field(default_factory=dict)
    key_marks: dict[PathKey, yaml.Mark] = field(default_factory=dict)
    _split: tuple[str, list[str]] | None = field(default=None, repr=False, compare=False)

    def where(self, path: PathKey, *, key: bool = False) -> Location:
        """The location of the value at `path` (or of its key), falling back to its parent."""
        probe = path
        while True:
            table = self.key_marks if key and probe in self.key_marks else self.marks
            if probe in table:
                return self._location(table[probe])
            if not probe:
                return Location(self.file, 1, 1, self._line(0))
            probe = probe[:-1]
            key = False

    def find_after(self, start: Location, needle: str) -> Location:
        """Where `needle` first appears at or after `start` (a folded text spans lines)."""
        lines = self._lines()
        for index in range(start.line - 1, len(lines)):
            begin = start.column - 1 if index == start.line - 1 else 0
            column = lines[index].find(needle, begin)
            if column >= 0:
                return Location(self.file, index + 1, column + 1, lines[index])
        return start

    def at(self, index: int, column: int) -> Location:
        """The location of 0-based line `index`, 0-based `column`."""
        return Location(self.file, index + 1, column + 1, self._line(index))

    def _location(self, mark: yaml.Mark) -> Location:
        return Location(self.file, mark.line + 1, mark.column + 1, self._line(mark.line))

    def _line(self, index: int) -> str:
        lines = self._lines()
        return lines[index] if 0 <= index < len(lines) else ""

    def _lines(self) -> list[str]:
        if self._split is None or self._split[0] is not self.text:
            self._split = (self.text, self.text.splitlines())
        return self._split[1]


def read_document(path: Path, display_name: str | None = None) -> Document:
    """Read and parse one file; syntax errors become a RuleFileError with a location."""
    name = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RuleFileError(f"cannot read {name}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise RuleFileError(f"{name} is not a UTF-8 text file") from error
    return parse_document(text, name)


def parse_document(text: str, name: str) -> Document:
    """Parse YAML or JSON text; every syntax error names file, line and column.

    A `.json` file is held to JSON's stricter grammar first (YAML would accept `{"a": }`).
    """
    document = Document(file=name, text=text, value=None)
    if name.endswith(".json"):
        _check_json(text, document)
    try:
        node = yaml.compose(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(error, document) from error
    except yaml.YAMLError as error:
        raise RuleFileError(
            f"not valid YAML or JSON: {error}", location=Location(name, 1, 1)
        ) from error
    if node is not None:
        document.value = _build(node, (), document)
    return document


_CURLY = "“”‘’"
_NO_SPACE = re.compile(r"^(\s*(?:-\s+)?)([\w-]+:[^\s:][^\s]*)")
_NO_COLON = re.compile(r"^(\s*(?:-\s+)?)([\w-]+)(?:\s|$)")


def _syntax_error(error: yaml.MarkedYAMLError, document: Document) -> RuleFileError:
    """PyYAML's complaint in the words of someone who edits YAML by hand, at the right line.

    The parser's own words ("could not find expected ':'") name its machinery, and it often
    notices a missing colon only on the line after: look at the line it was reading instead.
    """
    mark = error.problem_mark or error.context_mark
    if mark is None:
        return RuleFileError(f"not valid YAML or JSON: {error.problem or 'not valid YAML'}")
    line = document._line(mark.line)
    problem = error.problem or ""
    if "'\\t'" in problem:  # PyYAML shows the tab escaped
        return _tab_error(document, mark.line, line)
    if any(quote in line for quote in _CURLY):
        column = min(line.find(quote) for quote in _CURLY if quote in line)
        return RuleFileError(
            "this line uses curly quotes “…”: use straight quotes",
            location=document.at(mark.line, column),
            suggestion='a word processor turned " into “ ”: type straight quotes " or \'',
        )
    if problem == "could not find expected ':'" and error.context_mark is not None:
        return _missing_colon(error.context_mark, document) or _plain(error, mark, document)
    if problem == "mapping values are not allowed here":
        return _stray_colon(mark, document)
    return _plain(error, mark, document)


def _plain(error: yaml.MarkedYAMLError, mark: yaml.Mark, document: Document) -> RuleFileError:
    problem = error.problem or "not valid YAML"
    return RuleFileError(f"not valid YAML or JSON: {problem}", location=document._location(mark))


def _tab_error(document: Document, index: int, line: str) -> RuleFileError:
    column = line.find("\t")
    leading = line[:column].strip() == ""
    return RuleFileError(
        "a tab is used for indenting; use spaces" if leading else "a tab is used here; use spaces",
        location=document.at(index, max(column, 0)),
    )


def _missing_colon(mark: yaml.Mark, document: Document) -> RuleFileError | None:
    line = document._line(mark.line)
    squeezed = _NO_SPACE.match(line)
    if squeezed:
        return RuleFileError(
            f"`{squeezed[2]}` needs a space after the colon",
            location=document.at(mark.line, len(squeezed[1])),
            suggestion=f"write `{squeezed[2].replace(':', ': ', 1)}`",
        )
    bare = _NO_COLON.match(line)
    if bare:
        text = line.strip().removeprefix("- ").strip()
        return RuleFileError(
            f"`{text}` needs a colon after `{bare[2]}`",
            location=document.at(mark.line, len(bare[1])),
            suggestion=f"write `{text.replace(bare[2], bare[2] + ':', 1)}`",
        )
    return None


def _stray_colon(mark: yaml.Mark, document: Document) -> RuleFileError:
    """`key: value` then a deeper `key:` line, or a colon inside an unquoted text."""
    line = document._line(mark.line)
    indent = len(line) - len(line.lstrip())
    above = _line_above(document, mark.line)
    if (
        above is not None
        and indent > len(above) - len(above.lstrip())
        and ": " not in line[indent : mark.column]
    ):
        key = above.strip().removeprefix("- ").split(":")[0]
        return RuleFileError(
            "this line is indented more than the line above it",
            location=document.at(mark.line, indent),
            suggestion=f"line it up under `{key}`",
        )
    return RuleFileError(
        "a colon and a space inside a text: put the whole text in quotes",
        location=document._location(mark),
    )


def _line_above(document: Document, index: int) -> str | None:
    for above in range(index - 1, -1, -1):
        text = document._line(above)
        if text.strip() and not text.lstrip().startswith("#"):
            return text
    return None


def _check_json(text: str, document: Document) -> None:
    try:
        json.loads(text)
    except RecursionError:
        raise RuleFileError(
            f"not valid JSON: nested more than {MAX_FILE_DEPTH} levels deep",
            location=Location(document.file, 1, 1, document._line(0)),
        ) from None
    except json.JSONDecodeError as error:
        location = Location(
            document.file, error.lineno, error.colno, document._line(error.lineno - 1)
        )
        raise RuleFileError(f"not valid JSON: {error.msg}", location=location) from None


def _build(node: yaml.Node, path: PathKey, document: Document) -> Any:
    document.marks[path] = node.start_mark
    if isinstance(node, yaml.MappingNode):
        return _build_mapping(node, path, document)
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, index), document) for index, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    unquoted = _curly_quoted(node)
    return unquoted if unquoted is not None else _SCALARS.construct_object(node)


def _curly_quoted(node: yaml.ScalarNode) -> str | None:
    """The text inside word-processor quotes (“proactive”), read as if they were straight."""
    text = node.value
    if node.style is None and len(text) >= 2 and (text[0], text[-1]) in (("“", "”"), ("‘", "’")):
        return str(text[1:-1])
    return None


def _build_mapping(node: yaml.MappingNode, path: PathKey, document: Document) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise RuleFileError(
                "a key must be a plain word", location=document._location(key_node.start_mark)
            )
        key = _curly_quoted(key_node) or str(key_node.value)
        if key in result:
            raise RuleFileError(
                f"`{key}` is given twice here",
                location=document._location(key_node.start_mark),
                suggestion="keep only one of them",
            )
        document.key_marks[path + (key,)] = key_node.start_mark
        result[key] = _build(value_node, path + (key,), document)
    return result
