"""Problems found in a registry: what, where (file, line, column) and in which record."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from sisterctl.model import (
    Registry,
)

if TYPE_CHECKING:
    pass


# ---------------------------------------------------------------------------
# Problems found in a registry


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class RecordRef:
    """A record by table and position: the 3rd [[partnership]] is ("partnership", 2)."""

    table: str
    index: int
    id: str | None = None

    def describe(self) -> str:
        name = f" {self.id!r}" if self.id else ""
        return f"[[{self.table}]] #{self.index + 1}{name}"


@dataclass(frozen=True)
class Problem:
    """One problem: `message` says where in the file (`[[city]] #2 'x-tw': ...`) and
    what; `what` says what alone, `record` and `key` which record and key it is about."""

    severity: Severity
    message: str
    record: RecordRef | None = None
    line: int | None = None
    column: int | None = None
    code: str = ""
    key: str | None = None
    what: str = ""


@dataclass
class LoadResult:
    registry: Registry
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]
