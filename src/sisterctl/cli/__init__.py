"""The command-line interface: thin commands over the core.

Each module registers its commands on the one Typer app; `main` is the entry point.
"""

from __future__ import annotations

from collections.abc import Sequence

from sisterctl.cli import (
    anniversaries,  # noqa: F401  (registers its commands)
    check,  # noqa: F401  (registers its commands)
    interop,  # noqa: F401  (registers its commands)
    read,  # noqa: F401  (registers its commands)
    timeline,  # noqa: F401  (registers its commands)
    write,  # noqa: F401  (registers its commands)
)
from sisterctl.cli.app import app


def main(argv: Sequence[str] | None = None) -> int:
    """Run sisterctl; returns the exit code."""
    from typer.main import get_command

    command = get_command(app)
    result: int = command.main(args=argv, prog_name="sisterctl", standalone_mode=False)
    return result


__all__ = ["app", "main"]
