"""Problems found in a registry: what, where (file, line, column) and in which record."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from sisterctl.errors import Part, RecordRef, RegistryError, Words, library_words
from sisterctl.model import (
    Registry,
)

__all__ = ["LoadResult", "Problem", "RecordRef", "Severity"]

if TYPE_CHECKING:
    pass


# ---------------------------------------------------------------------------
# Problems found in a registry


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One problem: `message` says in which record (`[[city]] #2 'x-tw': ...`) and
    what; `what` says what alone, `record` and `key` which record and key it is about.
    `parts` is `what` with its terms (`errors.Hint`...) for each front end to word,
    when it has any."""

    severity: Severity
    message: str
    record: RecordRef | None = None
    line: int | None = None
    column: int | None = None
    code: str = ""
    key: str | None = None
    what: str = ""
    parts: tuple[Part, ...] = ()

    def message_parts(self) -> tuple[Part, ...]:
        """`message`, with the terms of `parts`."""
        where = self.message[: len(self.message) - len(self.what)] if self.what else ""
        return (where, *self.parts) if self.parts else (self.message,)

    def render(self, words: Words = library_words, path: Path | str | None = None) -> str:
        """The message, its terms in `words` (`path`: the file it was found in)."""
        return self.as_error(path).render(words, where=False)

    def as_error(self, path: Path | str | None = None, *, then: str = "") -> RegistryError:
        """The problem as the error that refuses a registry (`then` added to its
        message), at its place in the file `path`."""
        return RegistryError(
            (*self.message_parts(), then) if then else self.message_parts(),
            path,
            self.line,
            self.column,
            record=self.record,
            key=self.key,
            code=self.code,
        )


@dataclass
class LoadResult:
    """A registry as read from its file, and the problems found in it."""

    registry: Registry
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]
