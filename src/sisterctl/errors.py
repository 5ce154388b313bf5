"""The one error family of sisterctl, its exit codes, and its message templates.

The core raises these; the CLI catches them once, at the top, and prints the message
as one line on standard error with the exit code of the error's class.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Exit codes, documented in the README."""

    OK = 0
    REFUSED = 1  # the request was understood but refused: bad value, unknown tie, duplicate
    USAGE = 2  # the command line itself is wrong: unknown option, missing argument
    REGISTRY = 3  # the registry cannot be found, read or parsed, or is invalid
    BUSY = 4  # another process holds the registry's write lock
    INTERNAL = 70  # a bug in sisterctl (EX_SOFTWARE)
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)


class SisterctlError(Exception):
    """Base of every error a user may see. `str(error)` is the one-line message."""

    exit_code: ExitCode = ExitCode.REFUSED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class RefusedError(SisterctlError):
    """A value or request that sisterctl will not act on; nothing was written."""

    exit_code = ExitCode.REFUSED


class UsageError(SisterctlError):
    """A command line that cannot be understood."""

    exit_code = ExitCode.USAGE


class RegistryError(SisterctlError):
    """The registry is missing, unreadable, or not a valid registry."""

    exit_code = ExitCode.REGISTRY

    def __init__(
        self,
        message: str,
        path: Path | str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.detail = message
        where = ""
        if path is not None:
            where = str(path)
            if line is not None:
                where += f":{line}"
                if column is not None:
                    where += f":{column}"
            where += ": "
        super().__init__(f"{where}{message}")


class RegistryBusyError(SisterctlError):
    """The registry's write lock is held by another process for too long."""

    exit_code = ExitCode.BUSY


class InvalidDateError(RefusedError):
    """A date that is malformed or does not exist."""


class NotFoundError(RefusedError):
    """A tie or city that the registry does not hold, with the closest matches."""

    def __init__(self, what: str, query: str, suggestions: Sequence[str] = ()) -> None:
        self.query = query
        self.suggestions = tuple(suggestions)
        message = f"no {what} matches {query!r}"
        if self.suggestions:
            message += "; did you mean " + " or ".join(self.suggestions) + "?"
        super().__init__(message)


def internal_error_message(exc: BaseException) -> str:
    """The one line shown for an unexpected exception (a bug)."""
    return (
        f"internal error: {type(exc).__name__}: {exc}. "
        "Run again with --debug for details, and please report it."
    )
