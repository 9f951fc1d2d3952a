"""Every command teaches its use through --help."""

from __future__ import annotations

import pytest

from followup.cli import main

from .conftest import RunCli


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help(run_cli: RunCli, command: str) -> None:
    result = run_cli(command, "--help")
    assert result.exit_code == 0
    assert main.commands[command].help
    assert "Examples:" in result.stdout or "Example:" in result.stdout


def test_top_level_help_lists_the_commands(run_cli: RunCli) -> None:
    result = run_cli("--help")
    assert result.exit_code == 0
    for command in main.commands:
        assert command in result.stdout
