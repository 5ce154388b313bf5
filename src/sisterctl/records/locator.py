"""Where a record, or one of its keys, is written in a registry's text."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sisterctl.model import RECORD_TABLES
from sisterctl.problems import RecordRef

if TYPE_CHECKING:
    pass


def record_lines(text: str) -> dict[str, list[int]]:
    """The line number of each record's `[[table]]` header, by table, in file order."""
    lines: dict[str, list[int]] = {}
    header = re.compile(r"^[ \t]*\[\[[ \t]*([A-Za-z0-9_\-\"']+)[ \t]*\]\]", re.MULTILINE)
    line_starts = None
    for match in header.finditer(text):
        name = match.group(1).strip("\"'")
        if name not in RECORD_TABLES:
            continue
        if line_starts is None:
            line_starts = _LineIndex(text)
        lines.setdefault(name, []).append(line_starts.line_of(match.start()))
    return lines


class _LineIndex:
    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(self, offset: int) -> int:
        import bisect

        return bisect.bisect_right(self._starts, offset)


_TABLE_HEADER = re.compile(r"[ \t]*\[")


class Locator:
    """Where a record, or one key of it, is written in a registry's text.

    Positions are 1-based (line, column). A key is found by its `key =` line inside
    the record's table, before the next table header, and its position is that of
    its value (`2010-11-04` in `established = 2010-11-04`); when that fails (a dotted key,
    a header-like line inside a multi-line string), the record's header line is the
    answer, and None when even that is unknown.
    """

    def __init__(self, text: str | None) -> None:
        self._text = text
        self._records: dict[str, list[int]] | None = None
        self._lines: list[str] | None = None

    def _all_lines(self) -> list[str]:
        if self._lines is None:
            self._lines = (self._text or "").split("\n")
        return self._lines

    def record_line(self, ref: RecordRef) -> int | None:
        if self._text is None:
            return None
        if self._records is None:
            self._records = record_lines(self._text)
        lines = self._records.get(ref.table, [])
        index = ref.index
        return lines[index] if index is not None and index < len(lines) else None

    def position(
        self, ref: RecordRef | None, key: str | None = None, *, value: bool = True
    ) -> tuple[int, int] | None:
        """The (line, column) of `key`'s value (of the key itself when `value` is
        False) in the record (or at the top level when `ref` is None), else of the
        record's header, else None."""
        if self._text is None:
            return None
        header = self.record_line(ref) if ref is not None else None
        if ref is not None and header is None:
            return None
        if key is not None:
            found = self._find_key(key, header or 0, stop_at_header=ref is not None, value=value)
            if found is not None:
                return found
            if ref is None:
                found = self._find_table(key)
                if found is not None:
                    return found
        return (header, 1) if header is not None else None

    def _find_key(
        self, key: str, start: int, *, stop_at_header: bool, value: bool
    ) -> tuple[int, int] | None:
        # Plain string tests, not a regex built from the key: a key may be megabytes long.
        spellings = (key, f'"{key}"', f"'{key}'")
        lines = self._all_lines()
        for number in range(start, len(lines)):
            line = lines[number]
            if stop_at_header and _TABLE_HEADER.match(line):
                break
            body = line.lstrip(" \t")
            for spelling in spellings:
                rest = body[len(spelling) :].lstrip(" \t")
                if body.startswith(spelling) and rest[:1] == "=":
                    after = rest[1:].lstrip(" \t")
                    # The value's column; the key's when the value starts on a later line.
                    at_value = value and after
                    column = len(line) - len(after) if at_value else len(line) - len(body)
                    return number + 1, column + 1
        return None

    def _find_table(self, key: str) -> tuple[int, int] | None:
        for number, line in enumerate(self._all_lines()):
            body = line.lstrip(" \t")
            name = body.lstrip("[").lstrip(" \t")
            rest = name[len(key) :].lstrip(" \t")[:1]
            if body.startswith("[") and name.startswith(key) and rest in ("]", "."):
                return number + 1, len(line) - len(body) + 1
        return None
