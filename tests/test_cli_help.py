"""Every command is documented: help on every command, with an example."""

from __future__ import annotations

from typer.main import get_command

from sisterctl.cli import app
from tests.conftest import Run


def command_paths() -> list[list[str]]:
    paths: list[list[str]] = []

    def walk(command: object, prefix: list[str]) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands is not None:
            for name, sub in subcommands.items():
                walk(sub, [*prefix, name])
        else:
            paths.append(prefix)

    walk(get_command(app), [])
    return paths


def test_the_commands_users_rely_on_exist() -> None:
    names = {" ".join(path) for path in command_paths()}
    assert {"list", "show"} <= names


def test_every_command_has_help_with_an_example(run: Run) -> None:
    for path in command_paths():
        result = run(*path, "--help")
        assert result.exit_code == 0, path
        assert "Example: sisterctl " + " ".join(path) in " ".join(result.stdout.split()), path
        for line in result.stdout.splitlines():
            # Every option says what it does.
            if line.strip().startswith(("│ --", "--")) and "--help" not in line:
                assert len(line.split()) > 3, line
