"""Views of many rows (`list`, `upcoming`), laid out as Rich lays them out, fast.

Rich measures and renders every cell of a table through its general machinery: fine
for a screenful, twenty seconds for 26,000 ties. The views sisterctl prints for many
rows are made of a few simple blocks: tables of one line of text per cell under a
header, in Rich's SIMPLE_HEAD box (`Table`); lines of text (`Line`); and entries set
side by side in as many columns as fit (`Flow`, Rich's `Columns`). This module
describes them as plain data and, when the output is not a terminal (a file or a
pipe, where Rich writes no colour), lays them out itself: Rich's rules for column
widths, word wrapping and columns, ported for these blocks, with Rich's own measure
of how wide a character is (`rich.cells`). The text is what Rich would write,
character for character; the tests compare the two on random views. On a terminal,
in a picture (--svg, --html), or for a view this layout does not handle exactly (a
cell with a tab, a line break or an invisible character; a console too narrow),
`sisterctl.output.render` prints the same view with Rich.

Importing this module does not import Rich, so that a short view prints without
paying for it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Literal

from sisterctl.text import safe_display

if TYPE_CHECKING:
    import datetime as dt

    from sisterctl.core.anniversaries import Anniversary, UpcomingReport
    from sisterctl.dates import PartialDate
    from sisterctl.model import City
    from sisterctl.output.serialize import ListRow

# A cell: its text, or its parts as (text, Rich style) pairs.
Cell = str | tuple[tuple[str, str], ...]
Justify = Literal["left", "right"]


# The blocks are plain classes rather than dataclasses: a dataclass costs about half a
# millisecond to create when the module is imported, and `sisterctl upcoming` on a
# small registry has a start-up budget of a few tens of milliseconds.


class Column:
    """A column of a Table (the options of Rich's Table.add_column it uses)."""

    __slots__ = ("header", "justify", "min_width", "no_wrap", "ratio", "style")

    def __init__(
        self,
        header: str,
        *,
        style: str = "",
        justify: Justify = "left",
        no_wrap: bool = False,
        min_width: int | None = None,
        ratio: int | None = None,  # only with Rich's expand, which these tables do not use
    ) -> None:
        self.header = header
        self.style = style
        self.justify: Justify = justify
        self.no_wrap = no_wrap
        self.min_width = min_width
        self.ratio = ratio


class Table:
    """A table with a bold header, Rich's SIMPLE_HEAD box, no padding at its edges and
    one space between columns (`box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True`),
    and an optional title above it, on the left."""

    __slots__ = ("columns", "header_style", "rows", "title", "title_style")

    def __init__(
        self,
        columns: Sequence[Column],
        rows: list[Sequence[Cell]] | None = None,
        *,
        header_style: str = "bold",
        title: str | None = None,
        title_style: str = "bold",
    ) -> None:
        self.columns = columns
        self.rows: list[Sequence[Cell]] = [] if rows is None else rows
        self.header_style = header_style
        self.title = title
        self.title_style = title_style

    def add_row(self, *cells: Cell) -> None:
        self.rows.append(cells)


class Line:
    """A line of text, as a Rich Text printed on its own."""

    __slots__ = ("text",)

    def __init__(self, text: Cell) -> None:
        self.text = text


class Flow:
    """Entries that do not wrap, side by side in as many columns as fit, `gap` spaces
    apart (Rich's `Columns(entries, padding=(0, gap))`)."""

    __slots__ = ("entries", "gap")

    def __init__(self, entries: list[Cell], gap: int = 3) -> None:
        self.entries = entries
        self.gap = gap


Block = Table | Line | Flow
View = Block | Sequence[Block]


def plain(cell: Cell) -> str:
    return cell if isinstance(cell, str) else "".join(text for text, _ in cell)


def join(*cells: Cell) -> Cell:
    parts: list[tuple[str, str]] = []
    for cell in cells:
        parts.extend(((cell, ""),) if isinstance(cell, str) else cell)
    return tuple(parts)


# ---------------------------------------------------------------------------
# The views sisterctl prints

STATUS_STYLE = {"active": "green", "suspended": "yellow", "ended": "red", "unknown": "magenta"}


def status_words(status: str) -> str:
    """A status as a few words beside a tie's name: `suspended`, `status unknown`."""
    return "status unknown" if status == "unknown" else status


def date_text(date: PartialDate | None) -> str:
    return date.iso() if date is not None else "unknown"


def years_text(years: tuple[int, int] | None) -> str:
    if years is None:
        return ""
    low, high = years
    return str(low) if low == high else f"{max(low, 0)}–{high}"


def list_table(rows: Sequence[ListRow], width: int | None = None) -> Table:
    """The ties of `sisterctl list`, for a console `width` cells wide.

    Every column keeps a readable minimum; when even the minimums do not fit (an
    80-column terminal and long ids), Years and then Kind are left out rather than
    have the Status column cut off the edge.
    """
    id_width = max((len(row.tie.id) for row in rows), default=3)
    # minimums: City 8, City 8, Kind 6, Established 11, Years 5, Status 9, and a
    # cell of padding on each side of each column; the id column never wraps.
    show_years = show_kind = True
    if width is not None:
        needed = id_width + 8 + 8 + 6 + 11 + 5 + 9 + 2 * 7
        if needed > width:
            show_years = False
            needed -= 5 + 2
        if needed > width:
            show_kind = False
    columns = [
        Column("Tie", style="cyan", no_wrap=True),
        Column("City", min_width=8, ratio=3),
        Column("City", min_width=8, ratio=3),
    ]
    if show_kind:
        columns.append(Column("Kind", min_width=6, ratio=2))
    columns.append(Column("Established", no_wrap=True))
    if show_years:
        columns.append(Column("Years", justify="right", no_wrap=True))
    columns.append(Column("Status", no_wrap=True, min_width=9))
    table = Table(tuple(columns))
    places: dict[str, Cell] = {}
    statuses = {status: ((status, style),) for status, style in STATUS_STYLE.items()}
    for row in rows:
        a, b = row.tie.cities
        status = row.status
        cells: list[Cell] = [
            safe_display(row.tie.id),
            places.get(a.id) or places.setdefault(a.id, place(a)),
            places.get(b.id) or places.setdefault(b.id, place(b)),
        ]
        if show_kind:
            cells.append(safe_display(row.kind))
        cells.append(date_text(row.tie.established))
        if show_years:
            cells.append(years_text(row.years))
        cells.append(statuses.get(status) or ((status, ""),))
        table.rows.append(cells)
    return table


def place(city: City) -> Cell:
    """`Daegu, South Korea`, the country dimmed."""
    return ((safe_display(city.name), ""), (f", {city.country_name}", "dim"))


def upcoming_view(report: UpcomingReport) -> list[Block]:
    """The anniversaries `sisterctl upcoming` found: a table of those known to the day
    or the month, then, for each year the window touches, the ties known only to their
    year, and a footer of the ties whose founding date is not known."""
    window = report.window
    heading = (
        f"Anniversaries from {window.start.isoformat()} through {window.last.isoformat()}"
        f" ({report.span})"
    )
    # Known only to the year: no month (Anniversary.precision, without its cost).
    dated = [row for row in report.rows if row.on.month is not None]
    yearly = [row for row in report.rows if row.on.month is None]
    cells = _UpcomingCells()
    blocks: list[Block] = []
    if dated:
        columns = [
            Column("Date", no_wrap=True),
            Column("When", no_wrap=True),
            Column("Anniversary", no_wrap=True),
            Column("Tie", min_width=12),
            Column("Kind", min_width=8),
        ]
        show_what = any(row.agreement is not None for row in dated)
        if show_what:
            columns.append(Column("Of", min_width=8))
        table = Table(columns, title=heading)
        as_of = report.as_of
        add = table.rows.append
        iso, when, ordinal, tie, text = cells.iso, cells.when, cells.ordinal, cells.tie, cells.text
        for row in dated:
            row_cells = [
                iso(row.on),
                when(row, as_of),
                ordinal(row.ordinal),
                tie(row),
                text(row.kind),
            ]
            if show_what:
                row_cells.append(text(row.what))
            add(row_cells)
        blocks.append(table)
    elif not yearly:
        blocks.append(Line(f"No anniversaries from {window.start} through {window.last}."))
    else:
        blocks.append(Line(((heading, "bold"),)))
        blocks.append(Line((("No anniversary known to the day or the month.", "dim"),)))
    by_year: dict[int, list[Anniversary]] = {}
    for row in yearly:
        by_year.setdefault(row.on.year, []).append(row)
    for number, (in_year, rows) in enumerate(by_year.items()):
        if number or not dated:  # the table already ends in a blank line
            blocks.append(Line(""))
        blocks.append(Line(((f"Known only to the year: anniversaries in {in_year}", "bold"),)))
        entries: list[Cell] = []
        for row in rows:
            entry = join(cells.tie(row), " ", cells.ordinal(row.ordinal))
            if row.agreement is not None:
                entry = join(entry, ((safe_display(f" ({row.what})"), "dim"),))
            entries.append(entry)
        blocks.append(Flow(entries, gap=3))
    if yearly:
        blocks.append(Line(""))
    if any(row.milestone for row in report.rows):
        blocks.append(Line((("★ a milestone: the 1st anniversary and every 5th", "dim"),)))
    if report.undated:
        ties = "1 tie has" if report.undated == 1 else f"{report.undated} ties have"
        blocks.append(Line(((f"{ties} no known founding date.", "dim"),)))
    if report.overdue:
        blocks.append(Line(""))
        blocks.append(Line((("Planned agreements whose date has passed", "bold"),)))
        for record_id, agreement in report.overdue:
            blocks.append(
                Line(
                    (
                        ("  ", ""),
                        (safe_display(record_id), "cyan"),
                        (f" · planned for {agreement.date}, overdue", "yellow"),
                    )
                )
            )
            blocks.append(Line(f"    {safe_display(agreement.title)}"))
    return blocks


class _UpcomingCells:
    """The cells of upcoming rows, each made once: thousands of rows share a few
    hundred day counts, ordinals and kinds, and a tie its title."""

    def __init__(self) -> None:
        from sisterctl.core.anniversaries import is_milestone, ordinal, when_text

        self._is_milestone, self._ordinal_text, self._when_text = is_milestone, ordinal, when_text
        self._when: dict[int | tuple[int, int | None], str] = {}
        self._iso: dict[int, str] = {}
        self._ordinal: dict[int, Cell] = {}
        self._tie: dict[int, Cell] = {}
        self._text: dict[str, str] = {}

    def iso(self, date: PartialDate) -> str:
        """date.iso(), once for each date object (rows share them: a report's rows are
        alive while the view is made, so no id is reused)."""
        text = self._iso.get(id(date))
        if text is None:
            text = self._iso[id(date)] = date.iso()
        return text

    def when(self, row: Anniversary, as_of: dt.date) -> str:
        """when_text, once for each number of days away, or month or year."""
        key = row.days if row.days is not None else (row.on.year, row.on.month)
        text = self._when.get(key)
        if text is None:
            text = self._when[key] = self._when_text(row, as_of)
        return text

    def ordinal(self, number: int) -> Cell:
        cell = self._ordinal.get(number)
        if cell is None:
            text = self._ordinal_text(number)
            cell = ((f"{text} ★", "bold"),) if self._is_milestone(number) else text
            self._ordinal[number] = cell
        return cell

    def tie(self, row: Anniversary) -> Cell:
        """The tie's two cities, and its status unless active. (A report gives a tie
        one status in all its rows, and holds the tie while the view is made.)"""
        key = id(row.tie)
        cell = self._tie.get(key)
        if cell is None:
            title = safe_display(row.tie.title)
            status = row.status.value
            if status == "active":
                cell = title
            else:
                cell = ((title, ""), (f" ({status_words(status)})", STATUS_STYLE[status]))
            self._tie[key] = cell
        return cell

    def text(self, value: str) -> str:
        text = self._text.get(value)
        if text is None:
            text = self._text[value] = safe_display(value)
        return text


# ---------------------------------------------------------------------------
# Printing


# ---------------------------------------------------------------------------
# Layout: Rich's rules for these blocks


class _Unsure(Exception):
    """The layout cannot promise Rich's text for this view."""


def layout(view: View, width: int) -> list[str] | None:
    """The lines Rich prints for `view` on a console `width` cells wide, or None when
    this layout cannot promise the same (the caller then lets Rich print it)."""
    blocks: Sequence[Block] = view if isinstance(view, Sequence) else (view,)
    try:
        measure = _Measure()
        out: list[str] = []
        for block in blocks:
            if isinstance(block, Table):
                out += _table(block, width, measure)
            elif isinstance(block, Flow):
                out += _flow(block, width, measure)
            else:
                out += _line(block, width, measure)
        return out
    except _Unsure:
        return None


class _Measure:
    """Rich's cell widths (rich.cells) of simple text, faster: printable ASCII is one
    cell a character, and the width of other characters is looked up once each.

    rich.cells.cell_len adds up the widths of the characters of a text unless it holds
    a zero-width joiner (never in simple text: it is not printable) or a variation
    selector, and measures character by character in Python any text with a character
    outside its short list of one-cell ranges: every tie's title, with its en dash."""

    def __init__(self) -> None:
        from rich.cells import (
            cell_len,
            chop_cells,
            get_character_cell_size,
            set_cell_size,
        )

        self.cell_len: Callable[[str], int] = cell_len
        self.set_cell_size: Callable[[str, int], str] = set_cell_size
        self.chop_cells: Callable[[str, int], list[str]] = chop_cells
        self._char_size: Callable[[str], int] = get_character_cell_size
        self._extra: dict[str, int] = {}  # a character's width less one

    def has_no_zero_width(self, text: str) -> bool:
        """Whether no character of `text` (printable) is zero cells wide."""
        extra = self._extra
        for char in set(_NON_ASCII.findall(text)):
            more = extra.get(char)
            if more is None:
                more = extra[char] = self._char_size(char) - 1
            if more < 0:
                return False
        return "\ufe0f" not in text

    def narrow(self, text: str) -> bool:
        """Whether every character of `text` (printable) is one cell wide."""
        if text.isascii():
            return True
        extra = self._extra
        for char in set(_NON_ASCII.findall(text)):
            more = extra.get(char)
            if more is None:
                more = extra[char] = self._char_size(char) - 1
            if more:
                return False
        return "\ufe0f" not in text

    def __call__(self, text: str) -> int:
        if text.isascii():
            return len(text)
        if "\ufe0f" in text:
            return self.cell_len(text)
        width = len(text)
        extra = self._extra
        for char in _NON_ASCII.findall(text):
            more = extra.get(char)
            if more is None:
                more = extra[char] = self._char_size(char) - 1
            width += more
        return width


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _simple(text: str) -> None:
    """Only text this layout handles as Rich does: lines of printable characters, the
    only blank being the space (`str.isprintable`)."""
    if not text.isprintable():
        raise _Unsure


def _line(block: Line, width: int, measure: _Measure) -> list[str]:
    text = plain(block.text)
    _simple(text)
    if measure(text) > width:
        raise _Unsure  # Rich would wrap it
    return [text]


def _table(table: Table, width: int, measure: _Measure) -> list[str]:
    columns = table.columns
    rows = table.rows
    if not columns or any(len(row) != len(columns) for row in rows):
        raise _Unsure
    by_column = zip(*rows, strict=True) if rows else [()] * len(columns)
    columns_texts = [
        [column.header, *(c if type(c) is str else plain(c) for c in cells)]
        for column, cells in zip(columns, by_column, strict=True)
    ]
    widths, cells = _grid(
        columns_texts, columns, [c.no_wrap for c in columns], width, measure, gap=1, boxed=True
    )
    table_width = sum(widths) + 2 + len(columns) - 1
    out: list[str] = []
    if table.title:
        _simple(table.title)
        out += _wrap(table.title, table_width, "left", False, True, measure)
    out.append(" " * table_width)
    lines = iter(zip(*cells, strict=True))
    out += _boxed(next(lines), widths, bottom=True)  # the header
    out.append(" " + "─" * (table_width - 2) + " ")
    # The rows with a wrapped cell (a list of lines); most rows have none.
    tall = {i for column in cells for i, c in enumerate(column) if type(c) is list}
    if not tall:
        out += [" " + " ".join(line) + " " for line in lines]
    else:
        for number, line in enumerate(lines, 1):
            if number in tall:
                out += _boxed(line, widths, bottom=False)
            else:
                out.append(" " + " ".join(line) + " ")
    out.append(" " * table_width)
    if table_width > width:  # the console crops what does not fit (Segment lines)
        out = [_crop(line, width, measure) for line in out]
    return out


def _crop(line: str, width: int, measure: _Measure) -> str:
    """A line cut to the console's width, as Rich cuts it: segment by segment, which
    is the same as cutting the whole line unless a character of no width (a combining
    mark) stands where one segment ends and the next begins."""
    if line.isascii():
        return line[:width]
    if measure(line) <= width:
        return line
    if not measure.has_no_zero_width(line):
        raise _Unsure
    return measure.set_cell_size(line, width)


def _boxed(cells: Sequence[str | list[str]], widths: list[int], *, bottom: bool) -> list[str]:
    """A row's lines between the box's blank edges; a header's cells sit at the bottom."""
    if all(type(c) is str for c in cells):
        return [" " + " ".join(cells) + " "]  # type: ignore[arg-type]
    stacks = [[c] if type(c) is str else c for c in cells]
    height = max(len(s) for s in stacks)
    padded = []
    for stack, cell_width in zip(stacks, widths, strict=True):
        blank = [" " * cell_width] * (height - len(stack))
        padded.append(blank + stack if bottom else stack + blank)  # type: ignore[operator]
    return [" " + " ".join(line) + " " for line in zip(*padded, strict=True)]


def _flow(flow: Flow, width: int, measure: _Measure) -> list[str]:
    """rich.columns.Columns, left to right, not expanded, of entries that do not wrap:
    as many columns as fit, then a Table.grid of them."""
    texts = [e if type(e) is str else plain(e) for e in flow.entries]
    if not texts:
        return []
    joined = "".join(texts)
    _simple(joined)
    gap = flow.gap
    if measure.narrow(joined):
        sizes = [min(len(t), width) for t in texts]
    else:
        sizes = [min(measure(t), width) for t in texts]
    count = len(texts)
    column_count = count
    while column_count > 1:
        widths: dict[int, int] = {}
        column_no = 0
        padding = [0] * (-count % column_count)
        for size in itertools.chain(sizes, padding):
            widths[column_no] = max(widths.get(column_no, 0), size)
            if sum(widths.values()) + gap * (len(widths) - 1) > width:
                column_count = len(widths) - 1
                break
            column_no = (column_no + 1) % column_count
        else:
            break
    cells = texts + [""] * (-count % column_count)
    _, columns_cells = _grid(
        [cells[i::column_count] for i in range(column_count)],
        [Column("") for _ in range(column_count)],
        [True] * column_count,
        width,
        measure,
        gap=gap,
        boxed=False,
    )
    if any(type(c) is not str for column in columns_cells for c in column):
        raise _Unsure  # entries do not wrap: a cell of two lines is not expected
    return ["".join(line) for line in zip(*columns_cells, strict=True)]


def _grid(
    columns_texts: list[list[str]],
    columns: Sequence[Column],
    cell_no_wrap: list[bool],
    width: int,
    measure: _Measure,
    *,
    gap: int,
    boxed: bool,
) -> tuple[list[int], list[list[str | list[str]]]]:
    """Rich's Table layout for cells of simple text: the width of each column (its
    padding included), and its cells, each a line or a list of lines, `gap` spaces of
    padding on the right of all but the last column.

    The widths follow Table._calculate_column_widths for a table that does not expand:
    each column as wide as its widest cell (or its min_width), then, when the total is
    too wide, wrapable columns narrowed (_collapse_widths), then all of them
    (ratio_reduce), then measured again at that width."""
    count = len(columns)
    extra_width = 2 + count - 1 if boxed else 0  # edges, and dividers between columns
    max_width = width - extra_width
    if max_width < 1:
        raise _Unsure
    pads = [gap] * (count - 1) + [0]
    narrow: list[bool] = []
    longest: list[int] = []
    for texts in columns_texts:
        joined = "".join(texts)
        _simple(joined)
        narrow.append(measure.narrow(joined))
        longest.append(max(map(len, texts)) if narrow[-1] else max(map(measure, texts)))

    def measured(index: int, available: int) -> int:
        """The maximum of Table._measure_column: Measurement.get of the widest cell (a
        Padding of a Text) at `available` cells, clamped to the column's min_width.
        (The minimum of a measurement never decides a width in a table that does not
        expand.)"""
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

    widths = [measured(i, max_width) or 1 for i in range(count)]
    if sum(widths) > max_width:
        wrapable = [not c.no_wrap for c in columns]
        widths = _collapse_widths(widths, wrapable, max_width)
        if sum(widths) > max_width:
            excess = sum(widths) - max_width
            widths = _ratio_reduce(excess, [1] * count, widths, widths)
        widths = [measured(i, w) for i, w in enumerate(widths)]
    if any(w - p < 1 for w, p in zip(widths, pads, strict=True)):
        raise _Unsure  # a column with no room at all
    cells: list[list[str | list[str]]] = []
    for index, texts in enumerate(columns_texts):
        content, pad = widths[index] - pads[index], " " * pads[index]
        justify = columns[index].justify
        if narrow[index] and longest[index] <= content:
            # Every cell is one line that fits: pad it (right-justified, stripped first).
            if justify == "right":
                cells.append([t.rstrip().rjust(content) + pad for t in texts])
            else:
                cells.append([t.ljust(content) + pad for t in texts])
        else:
            cells.append(
                _column(texts, content, pad, justify, cell_no_wrap[index], narrow[index], measure)
            )
    return widths, cells


def _column(
    texts: list[str],
    width: int,
    pad: str,
    justify: Justify,
    no_wrap: bool,
    narrow: bool,
    measure: _Measure,
) -> list[str | list[str]]:
    """The cells of a column `width` cells wide (its padding aside), each a line or,
    wrapped, a list of lines, each line followed by `pad`. In a `narrow` column every
    character is one cell wide."""
    out: list[str | list[str]] = []
    append = out.append
    right = justify == "right"
    for text in texts:
        # Most cells: one line that fits (and has no more characters than cells, so
        # that Text.rstrip_end leaves it alone).
        if narrow:
            if len(text) <= width:
                append((text.rstrip().rjust(width) if right else text.ljust(width)) + pad)
                continue
        elif len(text) <= width and (size := measure(text)) <= width:
            if right:
                text = text.rstrip()
                append(" " * (width - measure(text)) + text + pad)
            else:
                append(text + " " * (width - size) + pad)
            continue
        lines = _wrap(text, width, justify, no_wrap, False, measure)
        append(lines[0] + pad if len(lines) == 1 else [line + pad for line in lines])
    return out


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
    text: str, width: int, justify: Justify, no_wrap: bool, fold: bool, measure: _Measure
) -> list[str]:
    """The lines of a text `width` cells wide, each exactly `width` cells: Text.wrap
    (folding long words with `fold`, the overflow of a title; else cutting them with
    an ellipsis, the overflow of a table's column), then padded as Segment lines are."""
    if no_wrap or measure(text) <= width:
        lines = [text]  # one line: every word fits where it is
    else:
        lines = _divide(text, _break_positions(text, width, fold, measure))
    out = []
    for line in lines:
        if not no_wrap:
            line = _rstrip_end(line, width)
        if justify == "right":
            line = _truncate(line.rstrip(), width, fold, measure)
            line = " " * (width - measure(line)) + line
        else:
            length = measure(line)
            line = _truncate(line, width, fold, measure)
            if length < width:
                line += " " * (width - length)
        out.append(_fit(line, width, measure))
    return out


def _break_positions(text: str, width: int, fold: bool, measure: _Measure) -> list[int]:
    """rich._wrap.divide_line."""
    positions: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        word_length = measure(word.rstrip())
        if width - offset >= word_length:
            offset += measure(word)
        elif word_length > width:
            if fold:
                pieces = measure.chop_cells(word, width)
                for number, piece in enumerate(pieces, 1):
                    if start:
                        positions.append(start)
                    if number == len(pieces):
                        offset = measure(piece)
                    else:
                        start += len(piece)
            else:
                if start:
                    positions.append(start)
                offset = measure(word)
        elif offset and start:
            positions.append(start)
            offset = measure(word)
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


def _truncate(text: str, width: int, fold: bool, measure: _Measure) -> str:
    """Text.truncate, with overflow "fold" (crop) or "ellipsis"."""
    if measure(text) > width:
        if fold:
            return measure.set_cell_size(text, width)
        return measure.set_cell_size(text, width - 1) + "…"
    return text


def _fit(text: str, width: int, measure: _Measure) -> str:
    """Segment.adjust_line_length: crop or pad to exactly `width` cells."""
    length = measure(text)
    if length < width:
        return text + " " * (width - length)
    if length > width:
        return measure.set_cell_size(text, width)
    return text
