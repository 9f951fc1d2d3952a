"""Reading YAML (and JSON) through nodes, so every value keeps the place it came from.

PyYAML's composer gives each node a start mark; we build plain Python values from the nodes
ourselves and keep a map from each value's path to its mark. Errors about meaning can then
point at file, line and column just as syntax errors do.

Only ``true``/``false`` are booleans, dates stay text, and numbers are plain decimals (YAML 1.2
style): with YAML 1.1 rules ``no`` or ``on`` would silently become booleans where a word was
meant, ``1:00`` would be 60 and ``010`` would be 8. Tags (``!!int``, ``!custom``) are refused,
and every read is bounded by `engine.limits`: file size, nodes (aliases count each time they
are used), nesting depth, text length and number length.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import yaml

try:
    from yaml._yaml import CParser

    _LIBYAML = True
except ImportError:  # a PyYAML built without libyaml: its own parser reads everything
    _LIBYAML = False

from .errors import Location, RuleFileError, visible
from .limits import (
    NUMBER_DIGITS,
    RULES,
    Limits,
    digits_problem,
    nesting_problem,
    size,
    text_problem,
)

PathKey = tuple[str | int, ...]

_KEPT_RESOLVERS = ("tag:yaml.org,2002:null",)
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(
    r"^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?"
    r"|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_YAML_TAG = "tag:yaml.org,2002:"
_SURROGATES = re.compile("[\ud800-\udfff]")


class _Refused(Exception):
    """A limit or a tag met while composing: a message and the place in the text."""

    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class _Checked(yaml.composer.Composer):
    """A composer that refuses tags and deep nesting."""

    limits: Limits = RULES
    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            # Tags are how YAML asks for Python objects (!!python/name:...): never needed here.
            shown = "!!" + tag[len(_YAML_TAG) :] if tag.startswith(_YAML_TAG) else tag
            raise _Refused(
                f"tags such as {_clip(shown)} are not allowed: write the value plainly",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > self.limits.depth:
                raise _Refused(f"the file {nesting_problem(self.limits)}", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Loader(_Checked, yaml.SafeLoader):
    """A safe loader with YAML 1.2 scalars that refuses tags and deep nesting."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag in _KEPT_RESOLVERS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_Loader.add_implicit_resolver(_YAML_TAG + "int", _INT, list("-+0123456789"))
_Loader.add_implicit_resolver(_YAML_TAG + "float", _FLOAT, list("-+0123456789."))


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    digits = len(node.value.lstrip("+-"))
    if digits > NUMBER_DIGITS:
        raise _Refused(digits_problem(digits), node.start_mark)
    return int(node.value, 10)  # decimal always: YAML 1.1 read 010 as 8


_Loader.add_constructor(_YAML_TAG + "int", _construct_int)

if _LIBYAML:

    class _FastLoader(_Checked, CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """The same loader on libyaml's parser, four times as fast on a large rule file; our
        composer, resolvers and checks are the same Python code."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        def compose_scalar_node(self, anchor: Any) -> yaml.ScalarNode:
            node: yaml.ScalarNode = super().compose_scalar_node(anchor)
            if node.style == "":
                node.style = None  # a plain scalar: libyaml says '', PyYAML None
            return node

    _FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    _FastLoader.yaml_constructors = _Loader.yaml_constructors


_SCALARS = _Loader("")
# Texts the fast loader leaves to PyYAML's own reader: characters it refuses (its own compiled
# pattern: compiling the like again costs milliseconds of every start), tabs and byte order
# marks, where the two parsers do not always agree. (A text libyaml refuses is read again by
# PyYAML too, so that errors are PyYAML's words at PyYAML's places.)
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE


def _pyyaml_only(text: str) -> bool:
    return "\t" in text or "\ufeff" in text or _NON_PRINTABLE.search(text) is not None


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
        # The line is shown under an error: its control characters are shown, not sent.
        lines = self._lines()
        return visible(lines[index]) if 0 <= index < len(lines) else ""

    def _lines(self) -> list[str]:
        if self._split is None or self._split[0] is not self.text:
            self._split = (self.text, self.text.splitlines())
        return self._split[1]


def read_document(path: Path, display_name: str | None = None, limits: Limits = RULES) -> Document:
    """Read and parse one file; syntax errors become a RuleFileError with a location."""
    name = display_name or visible(str(path))
    return parse_document(read_text(path, name, limits), name, limits)


def read_text(path: Path, name: str, limits: Limits) -> str:
    """The UTF-8 text of a regular file of at most `limits.file_bytes` bytes."""
    data = read_bytes(path, name, limits.file_bytes, limits.kind)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RuleFileError(f"{name} is not a UTF-8 text file") from error


def read_bytes(path: Path, name: str, limit: int, kind: str) -> bytes:
    """At most `limit` bytes of a regular file, refusing a larger file, a pipe or a device."""
    with open_regular(path, name, kind) as stream:
        try:
            return bounded(stream.read(limit + 1), name, limit, kind)
        except OSError as error:
            raise RuleFileError(f"cannot read {name}: {error.strerror}") from error


def open_regular(path: Path, name: str, kind: str) -> BinaryIO:
    """A regular file opened for reading in binary; a pipe, a device or a folder is refused.

    The file is opened without blocking, so a named pipe with no writer is refused, not
    waited on; the null device is taken, as the usual way to say "nothing".
    """
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError as error:
        raise RuleFileError(f"no such file: {name}") from error
    except IsADirectoryError as error:
        raise RuleFileError(f"{name} is a folder, not {kind}") from error
    except OSError as error:
        raise RuleFileError(f"cannot read {name}: {error.strerror}") from error
    mode = os.fstat(handle).st_mode
    if stat.S_ISREG(mode) or os.path.realpath(path) == os.devnull:
        return os.fdopen(handle, "rb")
    os.close(handle)
    if stat.S_ISDIR(mode):
        raise RuleFileError(f"{name} is a folder, not {kind}")
    raise RuleFileError(f"{name} is not a regular file (it is a pipe or a device), not {kind}")


def bounded(data: bytes, name: str, limit: int, kind: str) -> bytes:
    """`data` (read as at most `limit` + 1 bytes), refused when it is over the limit."""
    if len(data) > limit:
        raise RuleFileError(f"{name} is larger than {size(limit)}, the limit for {kind}")
    return data


def parse_document(text: str, name: str, limits: Limits = RULES) -> Document:
    """Parse YAML or JSON text; every syntax error names file, line and column.

    A `.json` file is held to JSON's stricter grammar first (YAML would accept `{"a": }`).
    """
    document = Document(file=name, text=text, value=None)
    if len(text) > limits.file_bytes:
        raise RuleFileError(
            f"{name} is larger than {size(limits.file_bytes)}, the limit for {limits.kind}"
        )
    if name.endswith(".json"):
        _check_json(text, document)
    try:
        node = _compose(text, limits)
        if node is not None:
            document.value = _Builder(document, limits).build(node, ())
    except _Refused as error:
        location = document._location(error.mark) if error.mark else Location(name, 1, 1)
        raise RuleFileError(error.message, location=location) from None
    except yaml.reader.ReaderError as error:
        raise RuleFileError(
            f"not valid YAML or JSON: {_character(error.character)} is not allowed in the text",
            location=_at_offset(document, error.position),
        ) from None
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(error, document) from None
    except yaml.YAMLError as error:
        first = str(error).splitlines()[0] if str(error) else "not valid YAML"
        raise RuleFileError(
            f"not valid YAML or JSON: {first}", location=Location(name, 1, 1)
        ) from None
    return document


def _compose(text: str, limits: Limits) -> yaml.Node | None:
    if _LIBYAML and not _pyyaml_only(text):
        try:
            return _composed(_FastLoader(text), limits)
        except Exception:  # noqa: BLE001 - read again below, to be refused in PyYAML's words
            pass
    return _composed(_Loader(text), limits)


def _composed(loader: _Loader | _FastLoader, limits: Limits) -> yaml.Node | None:
    loader.limits = limits
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


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
        # The raw line: the one shown under an error has its control characters escaped.
        return _tab_error(document, mark.line, document._lines()[mark.line])
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
        json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as error:
        location = Location(
            document.file, error.lineno, error.colno, document._line(error.lineno - 1)
        )
        raise RuleFileError(f"not valid JSON: {error.msg}", location=location) from None
    except (RecursionError, ValueError):
        pass  # too deep or too long a number: the YAML reading below says where


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > NUMBER_DIGITS:
        raise ValueError(text)
    return int(text)


def _curly_quoted(node: yaml.ScalarNode) -> str | None:
    """The text inside word-processor quotes (“proactive”), read as if they were straight."""
    text = node.value
    if node.style is None and len(text) >= 2 and (text[0], text[-1]) in (("“", "”"), ("‘", "’")):
        return str(text[1:-1])
    return None


class _Builder:
    """Plain values from nodes, counting every node built (an alias counts each time)."""

    def __init__(self, document: Document, limits: Limits) -> None:
        self.document = document
        self.limits = limits
        self.nodes = 0

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.nodes += 1
        if self.nodes > self.limits.nodes:
            raise _Refused(
                f"more than {self.limits.nodes:,} values (counting each use of an alias), "
                f"the limit for {self.limits.kind}",
                node.start_mark,
            )
        self.document.marks[path] = node.start_mark
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node, path)

    def _scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        # Name the key the value belongs to: "followups_sent is a number of 5,000 digits ...".
        named = visible(str(path[-1])) if path and isinstance(path[-1], str) else "a value"
        node.value = _paired(node.value)
        problem = text_problem(node.value, self.limits)
        if problem is not None:
            raise _Refused(f"{named} {problem}", node.start_mark)
        unquoted = _curly_quoted(node)
        if unquoted is not None:
            return unquoted
        # The constructor itself, not construct_object: that one caches every node it sees.
        constructor = _Loader.yaml_constructors.get(node.tag, _Loader.construct_scalar)
        try:
            return constructor(_SCALARS, node)
        except _Refused as error:
            raise _Refused(f"{named} {error.message}", error.mark) from None

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            location = self.document._location(key_node.start_mark)
            if not isinstance(key_node, yaml.ScalarNode):
                raise RuleFileError("a key must be a plain word", location=location)
            key = str(self._scalar(key_node, ()))
            if not key.isprintable():
                raise RuleFileError(
                    f"a key must be a plain word, not `{_clip(repr(key)[1:-1])}`", location=location
                )
            if key in result:
                raise RuleFileError(
                    f"`{visible(key)}` is given twice here",
                    location=location,
                    suggestion="keep only one of them",
                )
            self.document.key_marks[path + (key,)] = key_node.start_mark
            result[key] = self.build(value_node, path + (key,))
        return result


def _clip(text: str, width: int = 40) -> str:
    shown = visible(text)
    return shown if len(shown) <= width else shown[: width - 1] + "…"


def _character(character: str | int) -> str:
    code = character if isinstance(character, int) else ord(character)
    return f"the character U+{code:04X}"


def _at_offset(document: Document, offset: int) -> Location:
    before = document.text[:offset]
    line = before.count("\n")
    column = offset - (before.rfind("\n") + 1)
    return Location(document.file, line + 1, column + 1, document._line(line))


def _paired(text: str) -> str:
    """`text` with each escaped surrogate pair ("\\ud83d\\ude00", as JSON writes 🙂) made one
    character; YAML reads the two escapes apart. A lone surrogate stays, to be refused."""
    if not _SURROGATES.search(text):
        return text
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        return text
