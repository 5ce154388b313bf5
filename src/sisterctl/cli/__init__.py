"""The command-line interface: thin commands over the core.

`main` loads only the command it runs (`sisterctl.cli.startup` says how, and what
else is done so that a command starts fast).
"""

from __future__ import annotations

import sys

from sisterctl.cli.startup import (
    COMMANDS,
    MODULES,
    answer_early,
    collector_paused,
    command_of,
    load_all,
    load_for,
)

# typing is not imported: `sisterctl --version` does without it (mypy reads the names).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from sisterctl.cli.app import app


class _Package(type(sys)):  # type: ignore[misc]
    """This package as a module whose `app` is always the Typer app, imported on first
    use, so that `sisterctl --version` imports no Typer (cli/startup.py). Importing the
    module `sisterctl.cli.app` would otherwise bind `app` here to that module; it stays
    in sys.modules (importlib.import_module("sisterctl.cli.app"))."""

    @property
    def app(self) -> Any:
        from sisterctl.cli.app import app

        return app

    @app.setter
    def app(self, value: Any) -> None:
        pass  # the import system binding the submodule: `app` stays the Typer app


sys.modules[__name__].__class__ = _Package


def main(argv: Sequence[str] | None = None) -> int:
    """Run sisterctl; returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if answer_early(args):
        return 0
    try:
        return _main(args)
    except KeyboardInterrupt:
        # Ctrl-C before the command began (while Python loaded it): nothing was done.
        sys.stderr.write("sisterctl: interrupted\n")
        return 130


def _main(args: list[str]) -> int:
    with collector_paused(freeze=True):
        from typer.main import get_command

        from sisterctl.cli.app import app

        load_for(args)
        command = get_command(app)
        # Inside the same pause: turned on between the two, the collector would at once
        # walk every object made since Typer was imported (3 ms).
        result: int = command.main(args=args, prog_name="sisterctl", standalone_mode=False)
    return result


__all__ = ["COMMANDS", "MODULES", "app", "command_of", "load_all", "main"]
