"""`-o PATH` and saved files: only regular files are replaced, with the user's usual permissions."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import EXAMPLES, TODAY, RunCli


def explain_to(run_cli: RunCli, out: Path) -> tuple[int, str]:
    result = run_cli("explain", str(EXAMPLES / "timeline.yaml"), "--today", TODAY, "-o", str(out))
    return result.exit_code, result.stderr


@pytest.fixture
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_written_files_get_the_usual_permissions(
    run_cli: RunCli, tmp_path: Path, usual_umask: None
) -> None:
    out = tmp_path / "reasoning.dot"
    assert explain_to(run_cli, out)[0] == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert out.read_text().startswith("digraph")


def test_a_strict_umask_is_respected(run_cli: RunCli, tmp_path: Path) -> None:
    previous = os.umask(0o077)
    try:
        out = tmp_path / "reasoning.dot"
        assert explain_to(run_cli, out)[0] == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_a_symlink_is_refused_and_left_alone(run_cli: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    link = tmp_path / "reasoning.dot"
    link.symlink_to(target)
    status, stderr = explain_to(run_cli, link)
    assert status == 2
    assert stderr.strip() == (
        f"error: {link} is a symbolic link, not a regular file: nothing was written "
        "(give the name of a new or regular file)"
    )
    assert link.is_symlink() and target.read_text() == "keep me\n"
    assert [path.name for path in tmp_path.iterdir()] == sorted(["precious.txt", "reasoning.dot"])


def test_a_fifo_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    fifo = tmp_path / "reasoning.dot"
    os.mkfifo(fifo)
    status, stderr = explain_to(run_cli, fifo)
    assert status == 2
    assert "is a named pipe, not a regular file" in stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can make a device file")
def test_a_device_file_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    device = tmp_path / "reasoning.dot"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    status, stderr = explain_to(run_cli, device)
    assert status == 2
    assert "is a device, not a regular file" in stderr
    assert stat.S_ISCHR(device.lstat().st_mode)


def test_ask_refuses_to_save_over_a_symlink(run_cli: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    link = tmp_path / "facts.yaml"
    link.symlink_to(target)
    answers = f"2026-11-16\nno\nno\n0\nno\nunsure\n\nsave\n{link}\nyes\ndone\n"
    result = run_cli("ask", "--today", TODAY, "--no-audit", input=answers)
    assert result.exit_code == 0
    assert f"{link} is a symbolic link, not a regular file: nothing was written" in result.stdout
    assert link.is_symlink() and target.read_text() == "keep me\n"


def test_a_replaced_regular_file_keeps_its_permissions(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "reasoning.dot"
    out.write_text("old\n")
    out.chmod(0o640)
    assert explain_to(run_cli, out)[0] == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert out.read_text().startswith("digraph")
