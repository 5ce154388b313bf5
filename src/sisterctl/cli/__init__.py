"""The command-line interface: thin commands over the core.

Each module registers its commands on the one Typer app when it is imported. Typer
builds the options of every registered command before it runs one, so `main` imports
only the modules of the command being run (COMMANDS below); --help, no command, or a
command not listed there imports them all (`load_all`). A new command module goes in
MODULES, and each of its commands (or command groups) in COMMANDS: a test checks both.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from sisterctl.cli.app import app

# Every module that registers commands, in the order they are registered (the order
# of `sisterctl --help`).
MODULES = (
    "anniversaries",
    "check",
    "edit",
    "geo",
    "interop",
    "read",
    "team",
    "timeline",
    "write",
)

# The modules that register each top-level command or command group.
COMMANDS: dict[str, tuple[str, ...]] = {
    "upcoming": ("anniversaries",),
    "export": ("anniversaries", "interop"),
    "check": ("check",),
    "import": ("interop",),
    "geocode": ("geo",),
    "map": ("geo",),
    "list": ("read",),
    "show": ("read",),
    "timeline": ("timeline",),
    "stats": ("timeline",),
    "init": ("write",),
    "add": ("write",),
    "end": ("write",),
    "resume": ("write",),
    "sign": ("edit",),
    "edit": ("edit",),
    "merge": ("team",),
    "git": ("team",),
}

# Options of the app itself, before the command; those that take a value.
_GLOBAL_FLAGS = ("--debug",)
_GLOBAL_WITH_VALUE = ("--registry", "-r")


def load(modules: Sequence[str]) -> None:
    for name in modules:
        importlib.import_module(f"sisterctl.cli.{name}")


def load_all() -> None:
    """Register every command (for --help, and for tests that invoke `app`)."""
    load(MODULES)


def command_of(args: Sequence[str]) -> str | None:
    """The command a command line runs: "" for none needed (--version), None when
    that is not clear (--help, no command): then every command is loaded."""
    words = iter(args)
    for word in words:
        if word in _GLOBAL_WITH_VALUE:
            next(words, None)
        elif word.startswith(("--registry=", "-r")) or word in _GLOBAL_FLAGS or word == "--":
            continue
        elif word == "--version":
            return ""
        elif word.startswith("-"):
            return None
        else:
            return word
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run sisterctl; returns the exit code."""
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        # Ctrl-C before the command began (while Python loaded it): nothing was done.
        sys.stderr.write("sisterctl: interrupted\n")
        return 130


def _main(args: list[str]) -> int:
    import gc

    from typer.main import get_command

    name = command_of(args)
    # Importing the command and building its options makes thousands of objects and
    # no garbage cycles: no collection passes until the command runs (and turns it on
    # again when it ends: SisterctlGroup._run).
    collecting = gc.isenabled()
    gc.disable()
    try:
        if name != "":
            load(COMMANDS.get(name, MODULES) if name is not None else MODULES)
        command = get_command(app)
    finally:
        if collecting:
            gc.enable()
    result: int = command.main(args=args, prog_name="sisterctl", standalone_mode=False)
    return result


__all__ = ["COMMANDS", "MODULES", "app", "load_all", "main"]
