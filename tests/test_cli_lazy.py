"""`main` registers only the command it runs: its map of commands to modules must be
complete, and start-up must not import what a command does not use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sisterctl import cli
from sisterctl.errors import ExitCode


def registered() -> dict[str, set[str]]:
    """Each top-level command or group of the app, and the modules that register it."""
    commands: dict[str, set[str]] = {}
    for info in cli.app.registered_commands:
        assert info.name and info.callback
        commands.setdefault(info.name, set()).add(info.callback.__module__)
    for group in cli.app.registered_groups:
        typer_app = group.typer_instance
        assert typer_app is not None and typer_app.info.name
        modules = {c.callback.__module__ for c in typer_app.registered_commands if c.callback}
        if modules:
            commands.setdefault(typer_app.info.name, set()).update(modules)
    return commands


def test_every_command_is_in_the_map() -> None:
    cli.load_all()
    expected = {
        name: {f"sisterctl.cli.{m}" for m in modules} for name, modules in cli.COMMANDS.items()
    }
    assert registered() == expected
    modules = {m for names in registered().values() for m in names}
    assert modules == {f"sisterctl.cli.{m}" for m in cli.MODULES}


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["list", "--city", "Taipei"], "list"),
        (["-r", "x.toml", "show", "taipei-daegu"], "show"),
        (["--registry", "x.toml", "--debug", "upcoming"], "upcoming"),
        (["--registry=x.toml", "add", "exchange"], "add"),
        (["-rx.toml", "stats"], "stats"),
        (["--version"], ""),
        (["--debug", "--version"], ""),
        (["--help"], None),
        (["-h"], None),
        ([], None),
        (["--registry", "x.toml"], None),
        (["--bogus", "list"], None),
    ],
)
def test_command_of(args: list[str], command: str | None) -> None:
    assert cli.command_of(args) == command


def imported_by(*args: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a sisterctl process has imported when it finishes."""
    code = (
        "import sys, json, io\n"
        "from sisterctl.cli import main\n"
        "out, sys.stdout = sys.stdout, io.StringIO()\n"
        f"code = main({list(args)!r})\n"
        "out.write(json.dumps([code, sorted(sys.modules)]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    code_, modules = json.loads(result.stdout)
    assert code_ == ExitCode.OK, result.stderr
    return set(modules)


def test_version_imports_no_command_and_no_registry() -> None:
    modules = imported_by("--version")
    assert not {m for m in modules if m.startswith("sisterctl.cli.")} - {"sisterctl.cli.startup"}
    assert "sisterctl.store" not in modules
    assert "rich" not in modules
    assert "typer" not in modules and "typing" not in modules


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["--debug", "--version"],
        ["--version", "--no-pager", "--version"],
        ["--version", "list"],
        ["-r", "x.toml", "--version"],
        ["--version", "--bogus"],
    ],
)
def test_version_answered_early_says_what_the_app_says(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`--version` answered before Typer is imported prints what the app's own option
    prints, with its exit code; any other command line goes to the app."""
    from sisterctl.cli.startup import answer_early

    early = answer_early(args)
    early_out = capsys.readouterr().out
    cli.load_all()
    code = cli._main(args)
    app = capsys.readouterr()
    if early:
        assert (early_out, 0) == (app.out, code)
        assert app.out.startswith("sisterctl ")
    else:
        assert early_out == ""
    assert early == (args[0] != "-r" and "--bogus" not in args and "list" not in args)


def test_upcoming_to_a_file_imports_only_its_module_and_no_rich_console(
    tmp_path: Path,
) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "COLUMNS": "100"}
    modules = imported_by("upcoming", "--as-of", "2026-11-28", env=env)
    commands = {m for m in modules if m.startswith("sisterctl.cli.")}
    assert commands == {
        "sisterctl.cli.app",
        "sisterctl.cli.startup",
        "sisterctl.cli.options",
        "sisterctl.cli.anniversaries",
        "sisterctl.cli.printer",
    }
    assert "rich.console" not in modules and "sisterctl.output.render" not in modules


@pytest.mark.parametrize("freeze", [False, True])
def test_collector_paused_and_then_frozen_only_when_asked(freeze: bool) -> None:
    import gc

    from sisterctl.cli.startup import collector_paused

    gc.unfreeze()
    assert gc.isenabled()
    with collector_paused(freeze=freeze):
        assert not gc.isenabled()
        with collector_paused():  # nested: the outer pause decides
            pass
        assert not gc.isenabled()
        made = [[] for _ in range(10)]
    assert gc.isenabled()
    assert (gc.get_freeze_count() > 0) == freeze
    assert made


def test_main_leaves_the_collector_on_with_what_the_command_left_frozen(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import gc

    gc.unfreeze()
    assert cli.main(["--debug", "list", "--help"]) == 0
    assert "Example:" in capsys.readouterr().out
    assert gc.isenabled() and gc.get_freeze_count() > 0
