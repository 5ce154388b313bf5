"""Where each value of each record is written in a registry's text, to the character,
so that an edit rewrites the bytes of the values it changes and no other.

A small scanner of TOML's structure: table headers, keys, and the extent of each value
(strings of the four kinds, arrays and inline tables over several lines, comments
inside them, dates, numbers). It does not read values: a caller that changes one
parses its text again to check that the span held exactly that value, and parses the
whole new text to check that it holds exactly what was meant (`sisterctl.store.edit`).
A file written in a way it does not expect (a record written as an inline table, a key
as a dotted key) is refused with a `LayoutError`, never guessed at.

(tomlkit keeps a file's formatting too, but takes about 45 times as long as tomli to
parse a large registry: 21 s for 6 MB.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sisterctl.model import RECORD_TABLES


class LayoutError(ValueError):
    """The text is written in a way the scanner cannot place a value in safely."""


@dataclass(frozen=True, slots=True)
class KeySpan:
    """One `key = value` line (or lines): offsets into the text."""

    key: str
    line_start: int  # the start of the line the key is on
    value_start: int
    value_end: int
    line_end: int  # after the line break that ends the value's last line (or the end)


@dataclass(slots=True)
class RecordSpan:
    """A `[[table]]` record: where its header is, and its keys."""

    table: str
    index: int
    header_start: int
    body_start: int  # after the header's line
    keys: dict[str, KeySpan] = field(default_factory=dict)
    dotted: set[str] = field(default_factory=set)  # first parts of dotted keys


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BASIC = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL = re.compile(r"'[^'\n]*'")
_ML_BASIC = re.compile(r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""(?:""?)?')
_ML_LITERAL = re.compile(r"'''[\s\S]*?'''(?:''?)?")
_SCALAR = re.compile(r"[A-Za-z0-9_+\-.:]+")
_TIME_AFTER_SPACE = re.compile(r" [0-9]{2}:[0-9]{2}[0-9:.Zz+\-]*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BLANKS = " \t"
# The line most lines of a registry are: a bare key, a one-line basic string, a bare
# value or a flat one-line array of basic strings, and perhaps a comment. Read with one
# regular expression; any other line goes through the scanner.
_STRING = r'"(?:[^"\\\n]|\\.)*"'
_SIMPLE_LINE = re.compile(
    r"[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*"
    rf"({_STRING}|[A-Za-z0-9_+\-.:]+|\[[ \t]*(?:{_STRING}[ \t]*,[ \t]*)*(?:{_STRING}[ \t]*)?\])"
    r"[ \t]*(?:#[^\n]*)?(?:\r?\n|\Z)"
)


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)

    def fail(self, pos: int, what: str) -> LayoutError:
        line = self.text.count("\n", 0, pos) + 1
        return LayoutError(f"line {line}: {what}")

    def blanks(self, pos: int) -> int:
        text, n = self.text, self.n
        while pos < n and text[pos] in _BLANKS:
            pos += 1
        return pos

    def end_of_line(self, pos: int) -> int:
        """After the blanks and comment that may end a line, and its line break."""
        pos = self.blanks(pos)
        text = self.text
        if pos < self.n and text[pos] == "#":
            newline = text.find("\n", pos)
            pos = self.n if newline == -1 else newline
        if pos >= self.n:
            return self.n
        if text.startswith("\r\n", pos):
            return pos + 2
        if text[pos] == "\n":
            return pos + 1
        raise self.fail(pos, "unexpected text after a value")

    def key(self, pos: int) -> tuple[list[str], int]:
        """A key, dotted or not, at `pos`: its parts, and where it ends."""
        parts: list[str] = []
        while True:
            pos = self.blanks(pos)
            text = self.text
            match = (
                _BASIC.match(text, pos)
                if text.startswith('"', pos)
                else _LITERAL.match(text, pos)
                if text.startswith("'", pos)
                else _BARE_KEY.match(text, pos)
            )
            if match is None:
                raise self.fail(pos, "a key was expected")
            raw = match.group()
            if raw[0] == '"':
                import tomli

                parts.append(next(iter(tomli.loads(f"{raw} = 0"))))
            elif raw[0] == "'":
                parts.append(raw[1:-1])
            else:
                parts.append(raw)
            pos = self.blanks(match.end())
            if pos < self.n and text[pos] == ".":
                pos += 1
                continue
            return parts, pos

    def value(self, pos: int) -> int:
        """Where the value that starts at `pos` ends."""
        text = self.text
        if pos >= self.n:
            raise self.fail(pos, "a value was expected")
        char = text[pos]
        if char == '"':
            pattern = _ML_BASIC if text.startswith('"""', pos) else _BASIC
        elif char == "'":
            pattern = _ML_LITERAL if text.startswith("'''", pos) else _LITERAL
        elif char == "[":
            return self.array(pos + 1)
        elif char == "{":
            return self.inline_table(pos + 1)
        else:
            match = _SCALAR.match(text, pos)
            if match is None:
                raise self.fail(pos, "a value was expected")
            end = match.end()
            if _DATE.fullmatch(text, pos, min(end, pos + 10)) and end == pos + 10:
                time = _TIME_AFTER_SPACE.match(text, end)
                if time is not None:
                    end = time.end()
            return end
        match = pattern.match(text, pos)
        if match is None:
            raise self.fail(pos, "a string that does not end")
        return match.end()

    def skip_in_array(self, pos: int) -> int:
        """Blanks, line breaks and comments between the items of an array."""
        text, n = self.text, self.n
        while pos < n:
            char = text[pos]
            if char in " \t\r\n":
                pos += 1
            elif char == "#":
                newline = text.find("\n", pos)
                pos = n if newline == -1 else newline
            else:
                break
        return pos

    def array(self, pos: int) -> int:
        text = self.text
        while True:
            pos = self.skip_in_array(pos)
            if pos < self.n and text[pos] == "]":
                return pos + 1
            pos = self.skip_in_array(self.value(pos))
            if pos < self.n and text[pos] == ",":
                pos += 1
            elif pos < self.n and text[pos] == "]":
                return pos + 1
            else:
                raise self.fail(pos, "an array that does not end")

    def inline_table(self, pos: int) -> int:
        text = self.text
        pos = self.blanks(pos)
        if pos < self.n and text[pos] == "}":
            return pos + 1
        while True:
            _, pos = self.key(pos)
            if pos >= self.n or text[pos] != "=":
                raise self.fail(pos, "'=' was expected in an inline table")
            pos = self.blanks(self.value(self.blanks(pos + 1)))
            if pos < self.n and text[pos] == ",":
                pos += 1
            elif pos < self.n and text[pos] == "}":
                return pos + 1
            else:
                raise self.fail(pos, "an inline table that does not end")


_BLANK_LINE = re.compile(r"[ \t]*(?:#[^\n]*)?(?:\r?\n|\Z)")
_ARRAY_HEADER = re.compile(r"\[\[[ \t]*([A-Za-z0-9_-]+)[ \t]*\]\][ \t]*(?:#[^\n]*)?(?:\r?\n|\Z)")


def record_spans(text: str) -> dict[tuple[str, int], RecordSpan]:
    """Every `[[table]]` record of the record tables, by (table, index in the table),
    with the span of each of its keys."""
    return _scan(text, None)


def find_record(text: str, table: str, index: int) -> RecordSpan | None:
    """One record, as `record_spans` finds it (the scan stops after it)."""
    return _scan(text, (table, index)).get((table, index))


def _scan(text: str, wanted: tuple[str, int] | None) -> dict[tuple[str, int], RecordSpan]:
    """The records, and their keys; with `wanted`, only that record's keys, and no
    further than its end."""
    scanner = _Scanner(text)
    records: dict[tuple[str, int], RecordSpan] = {}
    counts: dict[str, int] = {}
    current: RecordSpan | None = None  # the record whose keys are collected
    pos, n = 0, len(text)
    simple, blank, array_header = _SIMPLE_LINE.match, _BLANK_LINE.match, _ARRAY_HEADER.match
    try:
        while pos < n:
            line_start = pos
            # The usual lines, one regular expression each; the others go to the scanner.
            line = simple(text, pos)
            if line is not None:
                pos = line.end()
                if current is not None:
                    key = line.group(1)
                    current.keys[key] = KeySpan(key, line_start, line.start(2), line.end(2), pos)
                continue
            line = blank(text, pos)
            if line is not None and line.end() > pos:
                pos = line.end()
                continue
            line = array_header(text, pos)
            if line is not None:
                parts, array, pos = [line.group(1)], True, line.end()
            else:
                pos = scanner.blanks(pos)
                if pos >= n:
                    break
                if text[pos] != "[":
                    parts, after = scanner.key(pos)
                    if after >= n or text[after] != "=":
                        raise scanner.fail(after, "'=' was expected after a key")
                    value_start = scanner.blanks(after + 1)
                    value_end = scanner.value(value_start)
                    pos = scanner.end_of_line(value_end)
                    if current is None:
                        continue
                    if len(parts) == 1:
                        current.keys[parts[0]] = KeySpan(
                            parts[0], line_start, value_start, value_end, pos
                        )
                    else:
                        current.dotted.add(parts[0])
                    continue
                array = text.startswith("[[", pos)
                parts, after = scanner.key(pos + (2 if array else 1))
                close = "]]" if array else "]"
                if not text.startswith(close, after):
                    raise scanner.fail(after, f"'{close}' was expected")
                pos = scanner.end_of_line(after + len(close))
            # A table header: the end of the record before it.
            if wanted is not None and wanted in records:
                return records
            current = None
            if array and len(parts) == 1 and parts[0] in RECORD_TABLES:
                table = parts[0]
                index = counts.get(table, 0)
                counts[table] = index + 1
                if wanted is None or wanted == (table, index):
                    current = RecordSpan(table, index, line_start, pos)
                    records[(table, index)] = current
    except RecursionError:
        raise LayoutError("values are nested too deeply") from None
    return records


# ---------------------------------------------------------------------------
# Rewriting


@dataclass(frozen=True)
class Change:
    """A value to write in a record: its TOML text, or None to remove the key."""

    key: str
    text: str | None


def rewrite(
    text: str,
    record: RecordSpan,
    changes: Sequence[Change],
    order: Sequence[str],
) -> str:
    """`text` with the record's values changed, added or removed, and every other
    character as it was. A value that changes is replaced where it stands; a key
    removed takes its line(s) with it; a new key gets a line of its own after the key
    that comes before it in `order` (the order sisterctl writes keys in), or after the
    header when none does. Line breaks are the file's own (CRLF when its lines end so).
    """
    return rewrite_records(text, [(record, changes, order)])


def rewrite_records(
    text: str,
    edits: Sequence[tuple[RecordSpan, Sequence[Change], Sequence[str]]],
) -> str:
    """`text` with the values of several records changed as `rewrite` changes one's,
    in one pass over the text."""
    newline = "\r\n" if "\r\n" in text and text.count("\r\n") == text.count("\n") else "\n"
    pieces: list[tuple[int, int, int, str]] = []  # (start, end, sequence, new text)
    for record, changes, order in edits:
        pieces.extend(_pieces(text, record, changes, order, newline, len(pieces)))
    # In the order of the text; lines inserted at one place in the order they were
    # asked for, before a span removed from there.
    out: list[str] = []
    pos = 0
    for start, end, _, new in sorted(pieces, key=lambda e: (e[0], e[1], e[2])):
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _pieces(
    text: str,
    record: RecordSpan,
    changes: Sequence[Change],
    order: Sequence[str],
    newline: str,
    first: int,
) -> list[tuple[int, int, int, str]]:
    """What replaces which span of `text` for the changes of one record."""
    rank = {key: i for i, key in enumerate(order)}
    pieces: list[tuple[int, int, int, str]] = []
    for number, change in enumerate(changes, start=first):
        if change.key in record.dotted:
            raise LayoutError(f"'{change.key}' is written as a dotted key")
        span = record.keys.get(change.key)
        if span is not None:
            if change.text is None:
                pieces.append((span.line_start, span.line_end, number, ""))
            else:
                pieces.append(
                    (span.value_start, span.value_end, number, _lines(change.text, newline))
                )
            continue
        if change.text is None:
            raise LayoutError(f"the record has no key '{change.key}' to remove")
        at, prefix = _insertion_point(text, record, change.key, rank, newline)
        line = f"{prefix}{_key_text(change.key)} = {_lines(change.text, newline)}{newline}"
        if at == len(text) and prefix:  # the file's last line had no line break
            line = line[: -len(newline)]
        pieces.append((at, at, number, line))
    return pieces


def _insertion_point(
    text: str, record: RecordSpan, key: str, rank: Mapping[str, int], newline: str
) -> tuple[int, str]:
    """Where a new key's line goes, and what must come before it (a line break when the
    line it follows is the file's last and has none)."""
    mine = rank.get(key, len(rank))
    before = [s for k, s in record.keys.items() if rank.get(k, len(rank)) <= mine]
    if before:
        at = max(before, key=lambda s: (rank.get(s.key, len(rank)), s.line_end)).line_end
    else:
        at = record.body_start
    if at == len(text) and text and not text.endswith("\n"):
        return at, newline
    return at, ""


def _lines(value: str, newline: str) -> str:
    return value.replace("\n", newline) if newline != "\n" else value


def _key_text(key: str) -> str:
    if _BARE_KEY.fullmatch(key):
        return key
    import tomli_w

    return tomli_w.dumps({key: True})[: -len(" = true\n")]
