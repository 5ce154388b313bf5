"""A three-way merge of registries by record, not by line: what `sisterctl merge`
does as git's merge driver.

Each of the three texts (BASE, the common ancestor; OURS, the branch merged into;
THEIRS, the branch merged in) is cut into its records: a record's text runs from its
`[[table]]` header (with the comment lines right above it) to the next header, less
the blank lines after it; what comes before the first record (the `#:schema` line,
the comments, `schema_version`) is the preamble, and a table that is no record
(`[settings]`) is a piece of its own. Records are matched across the three by their
identity (`core/identity.py`: the id of a city or tie; the tie, date and title of an
agreement...), and each is decided as git decides a line:

- the same on both sides (as text, or added or changed alike): kept once, as OURS
  writes it;
- changed (or added, or deleted) on one side only: that side's change is taken;
- changed on both sides to different contents, added on both sides with different
  contents, or changed on one side and deleted on the other: a conflict, left with
  the usual markers around the record's two versions, never resolved by a guess.

OURS is the frame: its text stays byte for byte, comments and formatting included,
except for the records THEIRS changed or deleted; what THEIRS added is appended at
the end, as THEIRS writes it. The merged text is parsed again and must hold exactly
the records decided on; and it must pass `check`: a merge that would bring in an
error that neither side had (the same tie added on both sides under two ids, a tie
naming a city the other side deleted) is a conflict around the records at fault.

A text that cannot be cut into records (one side is not valid TOML; a record table
written inline) cannot be merged by record: `merge` says so (`MergeResult.mergeable`
is False), and the caller falls back to a merge by line.

Pure: texts in, a text and what happened out; "today" (for `check`) is a parameter.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sisterctl.core.check import CheckReport, check_text
from sisterctl.core.identity import record_key
from sisterctl.errors import RegistryError
from sisterctl.model import RECORD_TABLES
from sisterctl.problems import Problem
from sisterctl.records.toml import parse_toml

OURS_LABEL = "ours"
THEIRS_LABEL = "theirs"
MARKER = 7  # git's conflict-marker-size


@dataclass(frozen=True)
class Piece:
    """One record (or the preamble, or another table) as one side writes it."""

    key: tuple[Any, ...]
    table: str | None  # the record table; None for the preamble and other tables
    body: str  # its lines, the comment lines right above its header included, ending "\n"
    gap: str  # the blank lines after it
    data: Any  # what it holds, as parsed
    name: str  # what it is, for messages: `[[partnership]] 'taipei-daegu'`

    @property
    def text_key(self) -> str:
        """The body as compared: the same record written with other line endings is
        the same text."""
        return self.body.replace("\r\n", "\n")


@dataclass(frozen=True)
class Conflict:
    """A record the merge left to a person, and why."""

    name: str
    reason: str

    def describe(self) -> str:
        return f"{self.name}: {self.reason}"


@dataclass
class MergeResult:
    """What a merge made: the merged text (with conflict markers where it has
    conflicts), the conflicts, and what THEIRS brought in."""

    text: str
    conflicts: list[Conflict] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # records THEIRS added, taken
    changed: list[str] = field(default_factory=list)  # records THEIRS changed, taken
    deleted: list[str] = field(default_factory=list)  # records THEIRS deleted, taken
    mergeable: bool = True
    reason: str = ""  # why it is not mergeable by record

    @property
    def clean(self) -> bool:
        return self.mergeable and not self.conflicts


class NotMergeable(Exception):
    """A text that cannot be cut into records."""


# ---------------------------------------------------------------------------
# Cutting a text into records

_HEADER = re.compile(r"[ \t]*\[(\[)?[ \t]*([^\[\]]+?)[ \t]*\](\])?[ \t]*(?:#.*)?\r?\n?$")
_COMMENT = re.compile(r"[ \t]*#")


def _table_name(raw: str) -> str:
    """`"partnership"` and ` partnership ` are `partnership`; dotted names keep dots."""
    if raw.isidentifier():
        return raw
    return ".".join(part.strip().strip("\"'") for part in raw.split("."))


@dataclass
class _Raw:
    table: str | None  # a record table, or None
    name: str  # the header's table name (`settings`), or "" for the preamble
    lines: list[str]


def _cut(text: str) -> tuple[list[str], list[_Raw]]:
    """The preamble's lines and the pieces that follow, each with its lines."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    preamble: list[str] = []
    pieces: list[_Raw] = []
    current = preamble
    record_table: str | None = None
    for line in lines:
        match = _HEADER.match(line) if line.lstrip(" \t")[:1] == "[" else None
        if match is not None and bool(match.group(1)) == bool(match.group(3)):
            name = _table_name(match.group(2))
            array = bool(match.group(1))
            is_record = array and name in RECORD_TABLES
            inside = record_table is not None and name.startswith(record_table + ".")
            if is_record or not inside:
                # The comment lines right above a header belong to its record.
                leading: list[str] = []
                while current and _COMMENT.match(current[-1]):
                    leading.insert(0, current.pop())
                piece = _Raw(name if is_record else None, name, [*leading, line])
                pieces.append(piece)
                current = piece.lines
                record_table = name if is_record else None
                continue
        current.append(line)
    return preamble, pieces


def _split_gap(lines: list[str]) -> tuple[str, str]:
    end = len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    return "".join(lines[:end]), "".join(lines[end:])


def _describe(table: str, data: Any) -> str:
    if not isinstance(data, dict):
        return f"[[{table}]]"
    if table in ("city", "partnership"):
        return f"[[{table}]] {data.get('id')!r}"
    what = data.get("title") or data.get("status") or ""
    date = data.get("date")
    tail = f" of {date}" if date is not None else ""
    return f"[[{table}]] {what!r} on {data.get('partnership')!r}{tail}"


@dataclass
class _Side:
    text: str
    data: dict[str, Any]
    pieces: list[Piece]  # the preamble first

    @cached_property
    def by_key(self) -> dict[tuple[Any, ...], Piece]:
        return {p.key: p for p in self.pieces}


def _side(text: str, label: str) -> _Side:
    """A side's text as pieces, each with its data; NotMergeable if it cannot be cut
    into records that match what it parses to."""
    try:
        data = parse_toml(text, label)
    except RegistryError as exc:
        raise NotMergeable(f"{label} {exc.detail}") from None
    preamble_lines, raws = _cut(text)
    records: dict[str, list[Any]] = {}
    for table in RECORD_TABLES:
        value = data.get(table, [])
        if not isinstance(value, list):
            raise NotMergeable(f"{label}: '{table}' is not an array of tables")
        records[table] = value
    counts = {table: sum(1 for r in raws if r.table == table) for table in RECORD_TABLES}
    if any(counts[t] != len(records[t]) for t in RECORD_TABLES):
        raise NotMergeable(
            f"{label}: its records cannot be told apart line by line (a record table "
            "written inline, or a header inside a multi-line string)"
        )
    body, gap = _split_gap(preamble_lines)
    try:
        preamble_data = parse_toml(body, label)
    except RegistryError:
        raise NotMergeable(f"{label}: its first lines do not parse on their own") from None
    pieces = [Piece(("preamble",), None, body, gap, preamble_data, "the top of the file")]
    taken = dict.fromkeys(RECORD_TABLES, 0)
    seen: dict[tuple[Any, ...], int] = {}
    for raw in raws:
        body, gap = _split_gap(raw.lines)
        if raw.table is not None:
            value = records[raw.table][taken[raw.table]]
            taken[raw.table] += 1
            identity = record_key(raw.table, value) if isinstance(value, dict) else (raw.table,)
            name = _describe(raw.table, value)
        else:
            try:
                value = parse_toml(body, label)
            except RegistryError:
                reason = f"{label}: the table [{raw.name}] does not parse on its own"
                raise NotMergeable(reason) from None
            identity = ("table", raw.name)
            name = f"[{raw.name}]"
        occurrence = seen.get(identity, 0)
        seen[identity] = occurrence + 1
        pieces.append(Piece((*identity, occurrence), raw.table, body, gap, value, name))
    return _Side(text, data, pieces)


# ---------------------------------------------------------------------------
# Deciding each record


@dataclass(frozen=True)
class _Decision:
    take: Piece | None  # what the merged file holds (None: nothing)
    conflict: str | None = None  # why it is a conflict
    ours: Piece | None = None
    theirs: Piece | None = None


def _same_text(a: Piece | None, b: Piece | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.text_key == b.text_key


def _same_data(a: Piece | None, b: Piece | None) -> bool:
    if a is None or b is None:
        return a is b
    return bool(a.data == b.data)


def _decide(base: Piece | None, ours: Piece | None, theirs: Piece | None) -> _Decision:
    if _same_text(ours, theirs):
        return _Decision(ours)
    if _same_text(base, ours):
        return _Decision(theirs)  # changed (a comment too), added or deleted by THEIRS
    if _same_text(base, theirs):
        return _Decision(ours)
    if _same_data(ours, theirs):
        return _Decision(ours)  # the same change on both sides, written differently
    if base is None:
        reason = "added on both sides, differently"
    elif ours is None:
        reason = "deleted on our side, changed on theirs"
    elif theirs is None:
        reason = "changed on our side, deleted on theirs"
    else:
        reason = "changed on both sides, differently"
    return _Decision(None, reason, ours, theirs)


# ---------------------------------------------------------------------------
# The merge


def merge(
    base_text: str,
    ours_text: str,
    theirs_text: str,
    *,
    path: str = "partnerships.toml",
    as_of: dt.date,
) -> MergeResult:
    """Merge THEIRS into OURS, record by record, from their common BASE."""
    try:
        base = _side(base_text, "the base")
        ours = _side(ours_text, "our side")
        theirs = _side(theirs_text, "their side")
    except NotMergeable as exc:
        return MergeResult(ours_text, mergeable=False, reason=str(exc))
    decisions = _decisions(base, ours, theirs)
    newline = "\r\n" if _uses_crlf(ours_text) else "\n"
    text, placed = _assemble(ours, theirs, decisions, {}, newline)
    result = MergeResult(text)
    _account(result, base, ours, theirs, decisions)
    if result.conflicts:
        return result
    # The merged text must read back as exactly the records decided on...
    try:
        merged = parse_toml(text, path)
    except RegistryError as exc:
        return MergeResult(ours_text, mergeable=False, reason=f"the merged text {exc.detail}")
    if merged != _expected(placed):
        return MergeResult(
            ours_text,
            mergeable=False,
            reason="the merged text would not read back as the records merged",
        )
    # ... and pass `check` as well as the two sides did.
    found = _new_errors(check_text(text, path, as_of), placed, ours_text, theirs_text, path, as_of)
    if not found:
        return result
    forced: dict[tuple[Any, ...], str] = {}
    for problem, key in found:
        forced.setdefault(key, f"would not pass check: {problem.message} [{problem.code}]")
    text, _ = _assemble(ours, theirs, decisions, forced, newline)
    result = MergeResult(text)
    _account(result, base, ours, theirs, decisions)
    for key, reason in forced.items():
        piece = ours.by_key.get(key) or theirs.by_key.get(key)
        result.conflicts.append(Conflict(piece.name if piece else "the file", reason))
    return result


def _decisions(base: _Side, ours: _Side, theirs: _Side) -> dict[tuple[Any, ...], _Decision]:
    b, o, t = base.by_key, ours.by_key, theirs.by_key
    keys = [*o, *(k for k in t if k not in o), *(k for k in b if k not in o and k not in t)]
    return {k: _decide(b.get(k), o.get(k), t.get(k)) for k in keys}


def _account(
    result: MergeResult,
    base: _Side,
    ours: _Side,
    theirs: _Side,
    decisions: Mapping[tuple[Any, ...], _Decision],
) -> None:
    b, o = base.by_key, ours.by_key
    for key, decision in decisions.items():
        if decision.conflict is not None:
            piece = decision.ours or decision.theirs or b.get(key)
            name = piece.name if piece else "a record"
            result.conflicts.append(Conflict(name, decision.conflict))
            continue
        mine = o.get(key)
        if _same_text(decision.take, mine):
            continue
        if decision.take is None:
            assert mine is not None
            result.deleted.append(mine.name)
        elif mine is None:
            result.added.append(decision.take.name)
        else:
            result.changed.append(decision.take.name)


def _uses_crlf(text: str) -> bool:
    return "\r\n" in text and text.count("\r\n") == text.count("\n")


def _with_newlines(text: str, newline: str) -> str:
    if newline == "\n" or "\r\n" in text:
        return text
    return text.replace("\n", "\r\n")


def _assemble(
    ours: _Side,
    theirs: _Side,
    decisions: Mapping[tuple[Any, ...], _Decision],
    forced: Mapping[tuple[Any, ...], str],
    newline: str,
) -> tuple[str, list[Piece]]:
    """The merged text, in OURS' order and layout with THEIRS' additions at the end,
    and the pieces it holds outside conflicts, in order."""
    parts: list[str] = []
    placed: list[Piece] = []
    o, t = ours.by_key, theirs.by_key

    def emit(key: tuple[Any, ...], gap: str) -> None:
        decision = decisions[key]
        reason = forced.get(key, decision.conflict)
        if reason is not None:
            mine = o.get(key) if key in forced else decision.ours
            other = t.get(key) if key in forced else decision.theirs
            parts.append(_conflict_block(mine, other, reason, newline) + gap)
        elif decision.take is not None:
            parts.append(_with_newlines(decision.take.body, newline) + gap)
            placed.append(decision.take)

    for piece in ours.pieces:
        emit(piece.key, piece.gap)
    for piece in theirs.pieces:
        if piece.key in o:
            continue
        decision = decisions[piece.key]
        if decision.take is None and decision.conflict is None and piece.key not in forced:
            continue  # deleted on our side, unchanged on theirs
        text = "".join(parts)
        if text and not text.endswith(("\n\n", "\r\n\r\n")):
            parts.append(newline)  # a blank line before each record appended
        emit(piece.key, "")
    return "".join(parts), placed


def _conflict_block(ours: Piece | None, theirs: Piece | None, reason: str, newline: str) -> str:
    mine = _with_newlines(ours.body, newline) if ours else ""
    other = _with_newlines(theirs.body, newline) if theirs else ""
    # One line: a reason quoting a record's text cannot break the block.
    label = " ".join(reason.split())
    return (
        f"{'<' * MARKER} {OURS_LABEL}{newline}{mine}{'=' * MARKER}{newline}"
        f"{other}{'>' * MARKER} {THEIRS_LABEL} ({label}){newline}"
    )


def _expected(placed: Sequence[Piece]) -> dict[str, Any]:
    """What the merged text must parse to: the preamble's and other tables' data,
    and each record table's records in the order they were placed."""
    expected: dict[str, Any] = {}
    for piece in placed:
        if piece.table is not None:
            expected.setdefault(piece.table, []).append(piece.data)
        else:
            _deep_update(expected, piece.data)
    return expected


def _deep_update(target: dict[str, Any], data: Mapping[str, Any]) -> None:
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_update(target[key], value)
        else:
            target[key] = value


def _new_errors(
    report: CheckReport,
    placed: Sequence[Piece],
    ours_text: str,
    theirs_text: str,
    path: str,
    as_of: dt.date,
) -> list[tuple[Problem, tuple[Any, ...]]]:
    """The merged file's errors that neither side had, each with the key of the
    record at fault (the preamble's, for an error of the file as a whole)."""
    if not report.errors:
        return []
    before = {
        _gist(p) for text in (ours_text, theirs_text) for p in check_text(text, path, as_of).errors
    }
    # The merged text holds the placed pieces in order: the n-th record of a table
    # is the n-th placed piece of that table.
    by_position: dict[tuple[str, int], tuple[Any, ...]] = {}
    counts: dict[str, int] = {}
    for piece in placed:
        if piece.table is not None:
            index = counts.get(piece.table, 0)
            counts[piece.table] = index + 1
            by_position[(piece.table, index)] = piece.key
    found = []
    for problem in report.errors:
        if _gist(problem) in before:
            continue
        ref = problem.record
        key = None
        if ref is not None and ref.index is not None:
            key = by_position.get((ref.table, ref.index))
        found.append((problem, key or ("preamble",)))
    return found


def _gist(problem: Problem) -> tuple[str, str]:
    """A problem without the record's position in its table (`[[partnership]] #3`),
    which moves when records are added before it."""
    message = re.sub(r"^\[\[[a-z_]+\]\] #\d+", "", problem.message)
    message = re.sub(r"\(line \d+\)|line \d+", "", message)
    return problem.code, message
