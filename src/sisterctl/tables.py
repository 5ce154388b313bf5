"""Tables of rows for people, laid out as Rich lays them out, and written fast.

Rich measures and renders every cell of a table through its general machinery: fine
for a screenful, twenty seconds for 26,000 ties. The tables sisterctl prints for many
rows (`list`, `upcoming`) are simple: a line of text per cell, a header, Rich's
SIMPLE_HEAD box. This module describes such a table as plain data (`Table`) and, when
the output is not a terminal (a file or a pipe, where Rich writes no colour), lays it
out itself and writes it: Rich's rules for column widths and word wrapping, ported for
this one kind of table, with Rich's own measure of how wide a character is
(`rich.cells`). The text is what Rich would write, character for character; the tests
compare the two on random tables. On a terminal, or for a table this layout does not
handle exactly (a cell with a tab, a line break or an invisible character; a console
too narrow for the table), `sisterctl.render` prints it with Rich.

Importing this module does not import Rich, so that a short table prints without
paying for it.
"""

from __future__ import annotations

import itertools
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

from sisterctl.text import safe_display

if TYPE_CHECKING:
    from sisterctl.dates import PartialDate
    from sisterctl.model import City
    from sisterctl.serialize import ListRow

# A cell: its text, or its parts as (text, Rich style) pairs.
Cell = str | tuple[tuple[str, str], ...]
Justify = Literal["left", "right"]


@dataclass(frozen=True)
class Column:
    header: str
    style: str = ""
    justify: Justify = "left"
    no_wrap: bool = False
    min_width: int | None = None
    ratio: int | None = None  # only with Rich's expand, which these tables do not use


@dataclass
class Table:
    """A table with a bold header, Rich's SIMPLE_HEAD box, no padding at its edges and
    one space between columns (`box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True`)."""

    columns: Sequence[Column]
    rows: list[Sequence[Cell]] = field(default_factory=list)
    header_style: str = "bold"

    def add_row(self, *cells: Cell) -> None:
        self.rows.append(cells)


def plain(cell: Cell) -> str:
    return cell if isinstance(cell, str) else "".join(text for text, _ in cell)


STATUS_STYLE = {"active": "green", "suspended": "yellow", "ended": "red"}


def date_text(date: PartialDate | None) -> str:
    return date.iso() if date is not None else "unknown"


def years_text(years: tuple[int, int] | None) -> str:
    if years is None:
        return ""
    low, high = years
    return str(low) if low == high else f"{max(low, 0)}–{high}"


def list_table(rows: Sequence[ListRow]) -> Table:
    """The ties of `sisterctl list`."""
    table = Table(
        (
            Column("Tie", style="cyan", no_wrap=True),
            Column("City", min_width=10, ratio=3),
            Column("City", min_width=10, ratio=3),
            Column("Kind", min_width=8, ratio=2),
            Column("Established", no_wrap=True),
            Column("Years", justify="right", no_wrap=True),
            Column("Status", no_wrap=True),
        )
    )
    for row in rows:
        a, b = row.tie.cities
        table.add_row(
            safe_display(row.tie.id),
            place(a),
            place(b),
            safe_display(row.kind),
            date_text(row.tie.established),
            years_text(row.years),
            ((row.status, STATUS_STYLE.get(row.status, "")),),
        )
    return table


def place(city: City) -> Cell:
    """`Daegu, South Korea`, the country dimmed."""
    return ((safe_display(city.name), ""), (f", {city.country_name}", "dim"))


# ---------------------------------------------------------------------------
# Printing


def emit(
    table: Table,
    *,
    svg: Path | None = None,
    html: Path | None = None,
    width: int = 100,
    out: IO[str] | None = None,
) -> None:
    """Print a table on standard output (as `render.emit` prints a renderable)."""
    stream = sys.stdout if out is None else out
    if svg is None and html is None and writes_plain(stream):
        lines = layout(table, console_width())
        if lines is not None:
            stream.write("".join(line + "\n" for line in lines))
            return
    from sisterctl import render

    render.emit(render.rich_table(table), svg=svg, html=html, width=width)


def writes_plain(stream: IO[str], environ: Mapping[str, str] = os.environ) -> bool:
    """Whether Rich would write to `stream` without any escape codes, in UTF-8: when it
    is not a terminal and nothing in the environment tells Rich to treat it as one."""
    if sys.platform == "win32" or "FORCE_COLOR" in environ or "TTY_COMPATIBLE" in environ:
        return False
    encoding = (getattr(stream, "encoding", "utf-8") or "utf-8").lower()
    if not encoding.startswith("utf"):
        return False  # Rich would draw the box in ASCII
    try:
        return not stream.isatty()
    except ValueError:
        return False


def console_width(environ: Mapping[str, str] = os.environ) -> int:
    """The width Rich gives its console on this system: $COLUMNS, else the size of the
    first of standard input, output and error that is a terminal, else 80."""
    columns = environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns)
    width = 0
    for fd in (0, 1, 2):
        try:
            width = os.get_terminal_size(fd).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    return width or 80


# ---------------------------------------------------------------------------
# Layout: Rich's Table, for this one kind of table


def layout(table: Table, width: int) -> list[str] | None:
    """The lines Rich prints for `table` on a console `width` cells wide, or None when
    this layout cannot promise the same (the caller then lets Rich print it)."""
    from rich.cells import cell_len, set_cell_size  # noqa: TID251  (Rich's widths)

    def width_of(text: str) -> int:
        return len(text) if text.isascii() else cell_len(text)  # printable ASCII: 1 each

    columns = table.columns
    count = len(columns)
    headers = [c.header for c in columns]
    texts = [[plain(cell) for cell in row] for row in table.rows]
    if count == 0 or any(len(row) != count for row in texts):
        return None
    if not all(_simple(t) for t in headers) or not all(_simple(t) for row in texts for t in row):
        return None

    # Column widths, as Table._calculate_column_widths (the padding of a column is one
    # space on its right, none for the last column).
    extra_width = 2 + count - 1  # the box's edges and the dividers between columns
    max_width = width - extra_width
    if max_width < 1:
        return None
    pads = [1] * (count - 1) + [0]
    longest = [
        max(width_of(t) for t in (headers[index], *(row[index] for row in texts)))
        for index in range(count)
    ]

    def measure(index: int, available: int) -> int:
        """The maximum of Table._measure_column: what Measurement.get gives for the
        widest cell (a Padding of a Text), clamped to the column's minimum. (The minimum
        of a measurement never decides a width in a table that does not expand.)"""
        if available < 1:
            return 0
        pad = pads[index]
        if available - pad < 1:
            high = available
        else:
            line = min(longest[index], available)
            high = min((line if line >= 1 else 0) + pad, available)
            if high < 1:
                high = 0
        minimum = columns[index].min_width
        if minimum is not None:
            high = max(high, max(0, minimum + pad))
        return high

    widths = [measure(i, max_width) or 1 for i in range(count)]
    if sum(widths) > max_width:
        wrapable = [not c.no_wrap for c in columns]
        widths = _collapse_widths(widths, wrapable, max_width)
        if sum(widths) > max_width:
            excess = sum(widths) - max_width
            widths = _ratio_reduce(excess, [1] * count, widths, widths)
        widths = [measure(i, w) for i, w in enumerate(widths)]
    table_width = sum(widths) + extra_width
    if table_width > width or any(w - p < 1 for w, p in zip(widths, pads, strict=True)):
        return None

    def render(index: int, text: str) -> list[str]:
        column = columns[index]
        content = widths[index] - pads[index]
        lines = _wrap(text, content, column.justify, column.no_wrap, width_of, set_cell_size)
        pad = " " * pads[index]
        return [line + pad for line in lines]

    blank = [" " * w for w in widths]
    out = [" " * table_width]
    header = [render(i, t) for i, t in enumerate(headers)]
    height = max(len(c) for c in header)
    header = [[blank[i]] * (height - len(c)) + c for i, c in enumerate(header)]  # bottom
    out.extend(" " + " ".join(line) + " " for line in zip(*header, strict=True))
    out.append(" " + "─" * (table_width - 2) + " ")
    for row in texts:
        cells = [render(i, t) for i, t in enumerate(row)]
        height = max(len(c) for c in cells)
        if height == 1:
            out.append(" " + " ".join(c[0] for c in cells) + " ")
            continue
        cells = [c + [blank[i]] * (height - len(c)) for i, c in enumerate(cells)]  # top
        out.extend(" " + " ".join(line) + " " for line in zip(*cells, strict=True))
    out.append(" " * table_width)
    return out


_NOT_SIMPLE = re.compile(r"[^ -~]")  # anything but printable ASCII


def _simple(text: str) -> bool:
    """Text this layout handles as Rich does: one line of printable characters, the
    only blank being the space (`str.isprintable`)."""
    return not _NOT_SIMPLE.search(text) or text.isprintable()


def _collapse_widths(widths: list[int], wrapable: list[bool], max_width: int) -> list[int]:
    """Table._collapse_widths: narrow the widest wrapable columns first."""
    total_width = sum(widths)
    excess_width = total_width - max_width
    if any(wrapable):
        while total_width and excess_width > 0:
            max_column = max(w for w, allow in zip(widths, wrapable, strict=True) if allow)
            second_max_column = max(
                w if allow and w != max_column else 0
                for w, allow in zip(widths, wrapable, strict=True)
            )
            column_difference = max_column - second_max_column
            ratios = [
                1 if (w == max_column and allow) else 0
                for w, allow in zip(widths, wrapable, strict=True)
            ]
            if not any(ratios) or not column_difference:
                break
            max_reduce = [min(excess_width, column_difference)] * len(widths)
            widths = _ratio_reduce(excess_width, ratios, max_reduce, widths)
            total_width = sum(widths)
            excess_width = total_width - max_width
    return widths


def _ratio_reduce(
    total: int, ratios: list[int], maximums: list[int], values: list[int]
) -> list[int]:
    """rich._ratio.ratio_reduce."""
    ratios = [ratio if most else 0 for ratio, most in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    total_remaining = total
    result: list[int] = []
    for ratio, most, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            distributed = min(most, round(ratio * total_remaining / total_ratio))
            result.append(value - distributed)
            total_remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


_WORD = re.compile(r"\s*\S+\s*")
_TRAILING_BLANKS = re.compile(r"\s+$")


def _wrap(
    text: str,
    width: int,
    justify: Justify,
    no_wrap: bool,
    cell_len: Callable[[str], int],
    set_cell_size: Callable[[str, int], str],
) -> list[str]:
    """The lines of a cell `width` cells wide, each exactly `width` cells: Text.wrap
    with a column's overflow ("ellipsis", so long words are cut, not folded), then
    padded as Segment lines are."""
    if text.isascii() and len(text) <= width:  # most cells: one line that fits
        if justify == "right":
            text = text.rstrip()
            return [" " * (width - len(text)) + text]
        return [text + " " * (width - len(text))]
    if cell_len(text) <= width:
        lines = [text]  # fits: no break (every word fits where it is)
    elif no_wrap:
        lines = [text]
    else:
        lines = _divide(text, _break_positions(text, width, cell_len))
    out = []
    for line in lines:
        if not no_wrap:
            line = _rstrip_end(line, width)
        if justify == "right":
            line = line.rstrip()
            line = _truncate(line, width, cell_len, set_cell_size)
            line = " " * (width - cell_len(line)) + line
        else:
            length = cell_len(line)
            line = _truncate(line, width, cell_len, set_cell_size)
            if length < width:
                line += " " * (width - length)
        out.append(_fit(line, width, cell_len, set_cell_size))
    return out


def _break_positions(text: str, width: int, cell_len: Callable[[str], int]) -> list[int]:
    """rich._wrap.divide_line with fold=False."""
    positions: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        word_length = cell_len(word.rstrip())
        if width - offset >= word_length:
            offset += cell_len(word)
        elif word_length > width:
            if start:
                positions.append(start)
            offset = cell_len(word)
        elif offset and start:
            positions.append(start)
            offset = cell_len(word)
    return positions


def _divide(text: str, positions: Iterable[int]) -> list[str]:
    cuts = [0, *positions, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(cuts)]


def _rstrip_end(text: str, size: int) -> str:
    """Text.rstrip_end: drop blanks beyond `size` characters at the end."""
    excess = len(text) - size
    if excess > 0:
        blanks = _TRAILING_BLANKS.search(text)
        if blanks is not None:
            return text[: len(text) - min(len(blanks.group()), excess)]
    return text


def _truncate(
    text: str,
    width: int,
    cell_len: Callable[[str], int],
    set_cell_size: Callable[[str, int], str],
) -> str:
    """Text.truncate with overflow "ellipsis"."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return text


def _fit(
    text: str,
    width: int,
    cell_len: Callable[[str], int],
    set_cell_size: Callable[[str, int], str],
) -> str:
    """Segment.adjust_line_length: crop or pad to exactly `width` cells."""
    length = cell_len(text)
    if length < width:
        return text + " " * (width - length)
    if length > width:
        return set_cell_size(text, width)
    return text
