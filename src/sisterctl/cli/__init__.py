"""The command-line interface: thin commands over the core.

`main` loads only the command it runs (`sisterctl.cli.startup` says how, and what
else is done so that a command starts fast).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from sisterctl.cli.app import app
from sisterctl.cli.startup import (
    COMMANDS,
    MODULES,
    collector_paused,
    command_of,
    load_all,
    load_for,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run sisterctl; returns the exit code."""
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        # Ctrl-C before the command began (while Python loaded it): nothing was done.
        sys.stderr.write("sisterctl: interrupted\n")
        return 130


def _main(args: list[str]) -> int:
    from typer.main import get_command

    with collector_paused():
        load_for(args)
        command = get_command(app)
    result: int = command.main(args=args, prog_name="sisterctl", standalone_mode=False)
    return result


__all__ = ["COMMANDS", "MODULES", "app", "command_of", "load_all", "main"]
