"""Writing results: to a file atomically (never half-written), or to standard output."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from engine import AdvisorError
from explain.dpi import MAX_DPI, MIN_DPI, PNG_DPI, TIMELINE_DPI

BINARY_FORMATS = ("png", "pdf")
GRAPH_FORMATS = ("text", "svg", "png", "pdf", "dot", "json")
TEXT_SUFFIX = "txt"


class OutputError(AdvisorError):
    """A result cannot be written as asked: an unknown format, a missing folder, or a name that
    is not a new or regular file."""


def suffix_format(out: Path) -> str:
    """The graph format an output file's suffix names; an unknown suffix is refused."""
    suffix = out.suffix.lstrip(".").lower()
    if suffix == TEXT_SUFFIX:
        return "text"
    if suffix in GRAPH_FORMATS and suffix != "text":
        return suffix
    known = ", ".join(f".{fmt}" for fmt in (TEXT_SUFFIX, *GRAPH_FORMATS[1:]))
    raise OutputError(
        f"-o {out}: cannot write {'.' + suffix if suffix else 'a file without a suffix'}; "
        f"the formats are {known} (or give --format)"
    )


def graph_output_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--format, -o and --dpi for commands that draw a graph."""
    function = click.option(
        "--dpi",
        type=click.IntRange(MIN_DPI, MAX_DPI),
        help=f"Pixels per inch of a PNG picture: more is sharper, and slower to draw "
        f"(default: {PNG_DPI}, a timeline {TIMELINE_DPI}).",
    )(function)
    function = click.option(
        "-o",
        "--output",
        "out",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="OUT",
        help="Write to this file (the format follows its suffix unless --format is given).",
    )(function)
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(GRAPH_FORMATS),
        help="text (default), svg, png, pdf, dot (Graphviz source) or json (node-link).",
    )(function)


def write_atomically(path: Path, content: bytes) -> None:
    """Write `content` to `path` through a temporary file, so a crash leaves no torn file.

    Only a new or regular file is replaced: a symbolic link, named pipe or device is refused,
    so `-o` can never be turned into a write somewhere else. The file gets the permissions a
    new file normally gets (0644 under the usual umask), or keeps those it had.
    """
    mode = _mode_for(path)
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), mode)
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The permissions to give `path`; refuses a name that is not a new or regular file."""
    try:
        existing = path.lstat().st_mode
    except FileNotFoundError:
        return 0o666 & ~_umask()
    if stat.S_ISREG(existing):
        return stat.S_IMODE(existing)
    raise OutputError(
        f"{path} is {_kind(existing)}, not a regular file: nothing was written",
        suggestion="give the name of a new or regular file",
    )


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a socket" if stat.S_ISSOCK(mode) else "a special file"


def _umask() -> int:
    # The umask can only be read by setting it; set it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def emit(content: str | bytes, fmt: str, out: Path | None) -> None:
    """Send a rendered result to `out`, or to stdout (binary only when it is not a terminal)."""
    data = content.encode() if isinstance(content, str) else content
    if out is not None:
        if not out.parent.exists():
            raise click.BadParameter(f"the folder {out.parent} does not exist", param_hint="-o")
        write_atomically(out, data)
        click.echo(f"wrote {out} ({fmt}, {len(data):,} bytes)", err=True)
        return
    if fmt in BINARY_FORMATS and sys.stdout.isatty():
        raise click.UsageError(f"{fmt} is a binary format: give -o FILE.{fmt} to write it")
    if isinstance(content, str):
        click.echo(content, nl=not content.endswith("\n"))
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
