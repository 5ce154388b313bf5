"""Every command is documented: help on every command, with an example."""

from __future__ import annotations

from typer.main import get_command

from sisterctl.cli import app
from sisterctl.cli.app import COMMAND_ORDER
from sisterctl.errors import ExitCode
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
        assert result.exit_code == ExitCode.OK, path
        assert "Example: sisterctl " + " ".join(path) in " ".join(result.stdout.split()), path
        for line in result.stdout.splitlines():
            # Every option says what it does.
            if line.strip().startswith(("│ --", "--")) and "--help" not in line:
                assert len(line.split()) > 3, line


def test_every_command_sums_itself_up_in_one_line() -> None:
    # The first paragraph of a command's help is its line in its group's list of
    # commands (`sisterctl --help`, `sisterctl export --help`): a line break there
    # shows as a broken sentence.
    root = get_command(app)

    def summaries(command: object) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for name, sub in (getattr(command, "commands", None) or {}).items():
            help_text = getattr(sub, "help", None) or ""
            found.append((name, help_text.strip().split("\n\n")[0]))
            found.extend(summaries(sub))
        return found

    broken = [(name, first) for name, first in summaries(root) if "\n" in first]
    assert broken == []


def test_a_group_lists_its_commands_one_line_each(run: Run) -> None:
    result = run("export", "--help")
    assert result.exit_code == ExitCode.OK
    lines = [" ".join(line.strip("│ ").split()) for line in result.stdout.splitlines()]
    assert "csv Write one row per tie as CSV, safe to open in a spreadsheet." in lines
    assert "geojson Write a GeoJSON map: a line between the two cities of each tie." in lines
    assert (
        "quickstatements Write QuickStatements commands that add the ties to Wikidata, "
        "with their sources." in lines
    )


def test_the_commands_are_listed_as_the_readme_tells_them(run: Run) -> None:
    result = run("--help")
    listed = [
        line.strip("│ ").split()[0]
        for line in result.stdout.split("Commands", 1)[1].splitlines()
        if line.startswith("│ ") and not line.startswith("│  ")
    ]
    assert listed == list(COMMAND_ORDER)  # every command, in that order
    assert listed[:2] == ["list", "show"]  # what people run most comes first
