"""Views of many rows (`list`, `upcoming`) and the layout engine that sets them as lines.

A view is plain data: tables of one line of text per cell (`Table`, `Column`), lines of
text (`Line`) and short entries set side by side (`Flow`). `lines(view, width)` lays it
out as lines of text, by these rules:

- **No width** (standard output is not a terminal: a file, a pipe): every column is as
  wide as its widest cell, every row one line, never wrapped or cut, so that `grep`,
  `sort`, `cut` and `wc -l` work on the table; a flow gives one entry a line.
- **A width** (a terminal, a picture): columns as wide as their content, two spaces
  apart. A table too wide for the width is narrowed one cell at a time, always in its
  widest column: first its wrapping columns, down to their longest word (a word longer
  than a quarter of the width does not count: it may be broken); then, if need be,
  down to their `min_width`, with the columns that do not wrap but have a `min_width`
  (words longer than their column are broken). Before that, columns marked `drop` are
  left out, lowest first, while the narrowed table would still be too wide or have
  more than one row in three wrap; those marked `drop_late` only while it would not
  fit even at every column's `min_width`. A table that still does not fit is left
  wider than the width. Cells wrap at spaces and after hyphens and en dashes
  (`taipei-` / `houston`); titles and other lines wrap too.
- Every table has a header and a rule under it; no line ends in blanks.
- Widths are terminal cells (`rich.cells.cell_len`): a CJK character or an emoji is
  two cells, a combining accent none.
- Styles are Rich style names (`bold`, `dim`, `green`...). With `styles=True` (a
  terminal that takes colour) they are written as SGR escape codes, made by
  `rich.style`; otherwise the text is plain.

Cells hold text already made safe for a terminal (`sisterctl.text.safe_display`): one
line, no control characters.

Importing this module imports no Rich: laying out a view needs only `rich.cells`,
imported when a table is laid out, and `rich.style` when it is styled.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import TYPE_CHECKING, Literal

from sisterctl.text import safe_display

if TYPE_CHECKING:
    import datetime as dt

    from sisterctl.core.anniversaries import Anniversary, Listed, Listing, UpcomingReport
    from sisterctl.dates import PartialDate
    from sisterctl.model import City
    from sisterctl.output.rows import FactsRow, ListRow

# A cell: its text, or its parts as (text, style) pairs.
Cell = str | tuple[tuple[str, str], ...]
Justify = Literal["left", "right"]

GAP = 2  # spaces between two columns
# A column marked `drop` is left out rather than have more than one row in this many wrap.
WRAPPED_SHARE = 3


# The blocks are plain classes rather than dataclasses: a dataclass costs about half a
# millisecond to create when the module is imported, and `sisterctl upcoming` on a
# small registry has a start-up budget of a few tens of milliseconds.


class Column:
    """A column of a Table.

    `wrap`: its cells may wrap onto more lines when the table is too wide.
    `min_width`: the narrowest it may get (a wrapping column: its header's width when
    not given; a column that does not wrap keeps its width unless it has one).
    `drop`: a column that may be left out when the table is too wide, lowest first
    (0: never): rather than break a word, or, `drop_late`, only when the table does
    not fit even with words broken.
    """

    __slots__ = ("drop", "drop_late", "header", "justify", "min_width", "style", "wrap")

    def __init__(
        self,
        header: str,
        *,
        style: str = "",
        justify: Justify = "left",
        wrap: bool = False,
        min_width: int | None = None,
        drop: int = 0,
        drop_late: bool = False,
    ) -> None:
        self.header = header
        self.style = style
        self.justify: Justify = justify
        self.wrap = wrap
        self.min_width = min_width
        self.drop = drop
        self.drop_late = drop_late


class Table:
    """Rows of cells under a header in `header_style` and a rule."""

    __slots__ = ("columns", "header_style", "rows")

    def __init__(
        self,
        columns: Sequence[Column],
        rows: list[Sequence[Cell]] | None = None,
        *,
        header_style: str = "bold",
    ) -> None:
        self.columns = columns
        self.rows: list[Sequence[Cell]] = [] if rows is None else rows
        self.header_style = header_style

    def add_row(self, *cells: Cell) -> None:
        self.rows.append(cells)


class Line:
    """A line of text (wrapped at spaces to a width)."""

    __slots__ = ("text",)

    def __init__(self, text: Cell) -> None:
        self.text = text


class Flow:
    """Entries side by side, left to right, in as many columns as fit, `gap` spaces
    apart; one entry a line when there is no width."""

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


def list_table(rows: Sequence[ListRow | FactsRow]) -> Table:
    """The ties of `sisterctl list`.

    On a narrow terminal the cities and the kind wrap; when even that does not fit
    (80 columns and long ids), Years, then Kind, then Established are left out rather
    than have the Status column cut off the edge.
    """
    table = Table(
        (
            Column("Tie", style="cyan", wrap=True, min_width=12),
            Column("City", wrap=True, min_width=8),
            Column("City", wrap=True, min_width=8),
            Column("Kind", wrap=True, min_width=6, drop=2),
            Column("Established", drop=3, drop_late=True),
            Column("Years", justify="right", drop=1),
            Column("Status"),
        )
    )
    places: dict[tuple[str, str], Cell] = {}
    statuses = {status: ((status, style),) for status, style in STATUS_STYLE.items()}
    add = table.rows.append
    for row in rows:
        (name_a, name_b), (country_a, country_b) = row.names, row.countries
        status = row.status
        add(
            (
                safe_display(row.id),
                places.get((name_a, country_a))
                or places.setdefault((name_a, country_a), place_of(name_a, country_a)),
                places.get((name_b, country_b))
                or places.setdefault((name_b, country_b), place_of(name_b, country_b)),
                safe_display(row.kind),
                date_text(row.established),
                years_text(row.years),
                statuses.get(status) or ((status, ""),),
            )
        )
    return table


def place(city: City) -> Cell:
    """`Daegu, South Korea`, the country dimmed."""
    return place_of(city.name, city.country)


def place_of(name: str, country: str) -> Cell:
    """A city by its name and country code: `Daegu, South Korea`, the country dimmed."""
    from sisterctl.countries import country_name

    return ((safe_display(name), ""), (f", {country_name(country)}", "dim"))


def upcoming_view(report: UpcomingReport | Listing) -> list[Block]:
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
            Column("Date"),
            Column("When", drop=1, drop_late=True),
            Column("Anniversary"),
            Column("Tie", wrap=True, min_width=12),
            Column("Kind", wrap=True, min_width=8),
        ]
        show_what = any(row.agreement is not None for row in dated)
        if show_what:
            columns.append(Column("Of", wrap=True, min_width=8))
        table = Table(columns)
        as_of = report.as_of
        add = table.rows.append
        iso, when, ordinal, text = cells.iso, cells.when, cells.ordinal, cells.text
        # Each cell from its cache, made on a miss (tens of thousands of rows share a few
        # hundred dates, day counts, ordinals and kinds).
        isos, whens, ordinals, tie_cells, texts = (
            cells._iso,
            cells._when,
            cells._ordinal,
            cells._tie,
            cells._text,
        )
        for row in dated:
            on, days, number, kind = row.on, row.days, row.ordinal, row.kind
            a = isos.get(id(on))
            if a is None:
                a = iso(on)
            b = whens.get(days if days is not None else (on.year, on.month))
            if b is None:
                b = when(row, as_of)
            c = ordinals.get(number)
            if c is None:
                c = ordinal(number)
            t = row.tie
            d = tie_cells.get(id(t))
            if d is None:
                d = tie_cells[id(t)] = _tie_cell(t.title, row.status)
            e = texts.get(kind)
            if e is None:
                e = text(kind)
            if show_what:
                add([a, b, c, d, e, text(row.what)])
            else:
                add([a, b, c, d, e])
        blocks += [Line(((heading, "bold"),)), Line(""), table]
    elif not yearly:
        blocks.append(Line(f"No anniversaries from {window.start} through {window.last}."))
    else:
        blocks.append(Line(((heading, "bold"),)))
        blocks.append(Line((("No anniversary known to the day or the month.", "dim"),)))
    by_year: dict[int, list[Anniversary | Listed]] = {}
    for row in yearly:
        by_year.setdefault(row.on.year, []).append(row)
    for in_year, rows in by_year.items():
        blocks.append(Line(""))
        blocks.append(Line(((f"Known only to the year: anniversaries in {in_year}", "bold"),)))
        entries: list[Cell] = []
        add_entry = entries.append
        for row in rows:
            tie_cell = cells._tie.get(id(row.tie))
            if tie_cell is None:
                tie_cell = cells.tie(row)
            ordinal_cell = cells._ordinal.get(row.ordinal)
            if ordinal_cell is None:
                ordinal_cell = cells.ordinal(row.ordinal)
            if row.agreement is not None:
                add_entry(
                    join(tie_cell, " ", ordinal_cell, ((safe_display(f" ({row.what})"), "dim"),))
                )
            elif type(tie_cell) is str and type(ordinal_cell) is str:
                add_entry(f"{tie_cell} {ordinal_cell}")  # no style in it: the text, as one part
            else:
                add_entry(join(tie_cell, " ", ordinal_cell))
        blocks.append(Flow(entries, gap=3))
    footer: list[Block] = []
    if any(row.milestone for row in report.rows):
        footer.append(Line((("★ a milestone: the 1st anniversary and every 5th", "dim"),)))
    if report.undated:
        ties = "1 tie has" if report.undated == 1 else f"{report.undated} ties have"
        footer.append(Line(((f"{ties} no known founding date.", "dim"),)))
    if footer and (dated or yearly):
        blocks.append(Line(""))
    blocks += footer
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
        from sisterctl.core.listing import when_text
        from sisterctl.core.windows import is_milestone, ordinal

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

    def when(self, row: Anniversary | Listed, as_of: dt.date) -> str:
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

    def tie(self, row: Anniversary | Listed) -> Cell:
        """The tie's two cities, and its status unless active. (A report gives a tie
        one status in all its rows, and holds the tie while the view is made.)"""
        key = id(row.tie)
        cell = self._tie.get(key)
        if cell is None:
            cell = self._tie[key] = _tie_cell(row.tie.title, row.status)
        return cell

    def text(self, value: str) -> str:
        text = self._text.get(value)
        if text is None:
            text = self._text[value] = safe_display(value)
        return text


def _tie_cell(title: str, status: str) -> Cell:
    """A tie's cell: its title, and its status (a Status, or its text) unless active."""
    if status == "active":
        return title if title.isprintable() else safe_display(title)
    status = str(status)  # a Status: the text of its value
    words = ((f" ({status_words(status)})", STATUS_STYLE[status]),)
    return ((safe_display(title), ""), *words)


# ---------------------------------------------------------------------------
# The layout engine


def lines(
    view: View, width: int | None = None, *, styles: bool = False, rule: str = "─"
) -> list[str]:
    """The lines of `view` (without line ends): at its natural width when `width` is
    None, else fitted to `width` cells as the module's docstring says; with SGR escape
    codes for its styles when `styles`; the rule under a table's header drawn with
    `rule` (`-` for an output that cannot show `─`)."""
    blocks: Sequence[Block] = view if isinstance(view, Sequence) else (view,)
    engine = _Engine(styles, rule)
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            out += engine.table(block, width)
        elif isinstance(block, Flow):
            out += engine.flow(block, width)
        else:
            out += engine.line(block, width)
    return out


# A cell's lines once wrapped: each line's (start, end) offsets in the cell's text.
Spans = list[tuple[int, int]]

# The pieces a line may break between: words, and the parts of a word after its hyphens
# and en dashes (`taipei-`, `san-`, `francisco`; `Houston–`, `Ningbo`).
_PIECE = re.compile(r"[^\s\-–]*[\-–]+|[^\s\-–]+")
# Text of one cell a character, as Rich measures it, when printable: Latin letters
# (Vietnamese's among them), Greek and Cyrillic ones without combining marks, dashes
# and other punctuation, and a milestone's star (tests/test_tables.py checks every one).
NARROW = (
    "\u00a0-\u02ff\u0370-\u0482\u048a-\u052f\u1e00-\u1eff\u2010-\u2027\u2030-\u205e\u2605-\u2605"
)
_NARROW = re.compile(f"[ -~{NARROW}]*").fullmatch


class _Engine:
    """Measures, wraps and paints cells; one for each call of `lines`, so that its
    caches hold the cells of one view."""

    def __init__(self, styles: bool, rule: str) -> None:
        self.styles = styles
        self.rule = rule
        self._cell_len: Callable[[str], int] | None = None
        self._widths: dict[str, int] = {}
        self._codes: dict[str, tuple[str, str]] = {}
        # A wrapped cell's painted lines and their widths, by column, cell and header.
        self._wrapped: dict[tuple[int, Cell, bool], list[tuple[str, int]]] = {}

    # Measuring

    def width(self, text: str) -> int:
        """The cells `text` takes on a terminal."""
        if text.isascii():
            return len(text)  # printable ASCII: one cell a character
        width = self._widths.get(text)
        if width is None and _NARROW(text) and text.isprintable():
            width = self._widths[text] = len(text)
        if width is None:
            if self._cell_len is None:
                from rich.cells import cell_len

                self._cell_len = cell_len
            width = self._widths[text] = self._cell_len(text)
        return width

    def longest_piece(self, text: str) -> int:
        return max((self.width(piece) for piece in _PIECE.findall(text)), default=0)

    # Wrapping

    def wrap(self, text: str, width: int) -> Spans:
        """The spans of `text` as lines of at most `width` cells, broken at spaces (the
        spaces at a break dropped) or after a hyphen or an en dash; a word longer than `width` with
        no hyphen to break at is broken between its characters."""
        spans: Spans = []
        start = end = -1  # the line being filled; -1: none yet
        used = 0
        for match in _PIECE.finditer(text):
            piece_start, piece_end = match.span()
            size = self.width(match.group())
            if start >= 0:
                gap = self.width(text[end:piece_start]) if piece_start > end else 0
                if used + gap + size <= width:
                    end, used = piece_end, used + gap + size
                    continue
                spans.append((start, end))
            if size <= width:
                start, end, used = piece_start, piece_end, size
                continue
            # A piece longer than the column: whole lines of it, then its rest.
            pieces = self._chop(text, piece_start, piece_end, width)
            spans += pieces[:-1]
            start, end = pieces[-1]
            used = self.width(text[start:end])
        if start >= 0:
            spans.append((start, end))
        return spans or [(0, 0)]

    def _chop(self, text: str, start: int, end: int, width: int) -> Spans:
        """text[start:end] cut into pieces of at most `width` cells (at least one
        character each); a character of no width stays with the one before it."""
        pieces: Spans = []
        piece, used = start, 0
        for index in range(start, end):
            size = self.width(text[index])
            if used + size > width and index > piece:
                pieces.append((piece, index))
                piece, used = index, 0
            used += size
        pieces.append((piece, end))
        return pieces

    # Painting

    def paint(self, cell: Cell, base: str = "", span: tuple[int, int] | None = None) -> str:
        """The text of `cell` (or of its `span`), with its styles as escape codes when
        styling, `base` (a column's style) under each part's own."""
        if isinstance(cell, str):
            text = cell if span is None else cell[span[0] : span[1]]
            return self.styled(text, base) if self.styles and base and text else text
        if span is None and not self.styles:
            return "".join([text for text, _ in cell])
        out: list[str] = []
        offset = 0
        low, high = span if span is not None else (0, 1 << 62)
        for text, style in cell:
            part_start, offset = offset, offset + len(text)
            if offset <= low or part_start >= high:
                continue
            text = text[max(low - part_start, 0) : high - part_start]
            if self.styles and text:
                style = f"{base} {style}" if base and style else base or style
                text = self.styled(text, style) if style else text
            out.append(text)
        return "".join(out)

    def styled(self, text: str, style: str) -> str:
        codes = self._codes.get(style)
        if codes is None:
            from rich.color import ColorSystem
            from rich.style import Style

            # Standard colours are written the same by every colour system.
            marked = Style.parse(style).render("\0", color_system=ColorSystem.STANDARD)
            prefix, _, suffix = marked.partition("\0")
            codes = self._codes[style] = (prefix, suffix)
        return f"{codes[0]}{text}{codes[1]}"

    # Blocks

    def line(self, block: Line, width: int | None) -> list[str]:
        text = plain(block.text)
        if width is None or self.width(text) <= width:
            return [self.paint(block.text)]
        return [self.paint(block.text, span=span) for span in self.wrap(text, width)]

    def flow(self, block: Flow, width: int | None) -> list[str]:
        entries = block.entries
        if not entries:
            return []
        if width is None:
            return [self.paint(entry) for entry in entries]
        sizes = [self.width(plain(entry)) for entry in entries]
        gap = block.gap
        count = len(entries)
        columns = 1
        # The most columns that fit: each as wide as its widest entry.
        for tried in range(min(count, width // (min(sizes) + gap) + 1), 1, -1):
            widths = [max(sizes[i::tried]) for i in range(tried)]
            if sum(widths) + gap * (tried - 1) <= width:
                columns = tried
                break
        widths = [max(sizes[i::columns]) for i in range(columns)]
        out = []
        for first in range(0, count, columns):
            pieces = []
            for column, index in enumerate(range(first, min(first + columns, count))):
                padding = " " * (widths[column] - sizes[index] + gap)
                pieces.append(self.paint(entries[index]) + padding)
            out.append("".join(pieces).rstrip(" "))
        return out

    def table(self, table: Table, width: int | None) -> list[str]:
        columns = list(table.columns)
        rows = table.rows
        if any(len(row) != len(columns) for row in rows):
            raise ValueError("every row of a table has a cell for each column")
        measure = self.width
        # The cells column by column (a transposition in C), then the plain text and
        # width of every cell, the header first.
        by_column: list[tuple[Cell, ...]] = (
            list(zip(*rows, strict=True)) if rows else [()] * len(columns)
        )
        texts: list[list[str]] = []
        sizes: list[list[int]] = []
        by_length: list[bool] = []  # whether a column's widths are its texts' lengths
        for index, column in enumerate(columns):
            column_cells = by_column[index]
            if not column_cells or set(map(type, column_cells)) == {str}:  # no styles
                column_texts: list[str] = [column.header, *column_cells]  # type: ignore[list-item]
            else:
                column_texts = [column.header]
                column_texts += [c if type(c) is str else plain(c) for c in column_cells]
            texts.append(column_texts)
            # A column of ASCII text (the usual: dates, ids, most names), or of the
            # narrow letters `width` measures by length, is measured by its lengths, as
            # `width` would measure each cell; else cell by cell.
            joined = "".join(column_texts)
            if joined.isascii() or (_NARROW(joined) and joined.isprintable()):
                sizes.append(list(map(len, column_texts)))
                by_length.append(True)
            else:
                sizes.append([measure(t) for t in column_texts])
                by_length.append(False)
        natural = [max(column_sizes) for column_sizes in sizes]
        if width is None:
            shown, widths = list(range(len(columns))), natural
        else:
            shown, widths = self._fit(columns, texts, sizes, natural, width)
        last = len(shown) - 1
        looks: list[list[str]] = []  # each shown column's cells as written, unpadded
        padded: list[list[str]] = []  # and padded to the column's width
        tall: set[int] = set()  # the rows (0: the header) with a cell wider than its column
        for place, index in enumerate(shown):
            column, room = columns[index], widths[place]
            column_sizes = sizes[index]
            if self.styles:
                header = self.paint(column.header, table.header_style)
                look = [header, *self._painted(list(by_column[index]), column.style)]
            else:
                look = texts[index]
            looks.append(look)
            if natural[index] > room:
                tall.update(n for n, size in enumerate(column_sizes) if size > room)
            if by_length[index] and not self.styles:
                # Widths that are lengths: str.ljust and str.rjust pad as below, in C.
                if column.justify == "right":
                    padded.append(list(map(str.rjust, look, repeat(room))))
                elif place < last:
                    padded.append(list(map(str.ljust, look, repeat(room))))
                else:
                    padded.append(look)
            elif column.justify == "right":
                padded.append(
                    [" " * (room - s) + t for t, s in zip(look, column_sizes, strict=True)]
                )
            elif place < last:
                padded.append(
                    [t + " " * (room - s) for t, s in zip(look, column_sizes, strict=True)]
                )
            else:
                padded.append(look)
        separator = " " * GAP
        body = list(map(str.rstrip, map(separator.join, zip(*padded, strict=True)), repeat(" ")))
        rule = self.rule * (sum(widths) + GAP * last)
        if not tall:
            return [body[0], rule, *body[1:]]
        out: list[str] = []
        for number, line in enumerate(body):
            if number in tall:
                cells: list[tuple[Cell, str, str, int, str]] = []
                for place, index in enumerate(shown):
                    column = columns[index]
                    if number:
                        cell, style = rows[number - 1][index], column.style
                    else:
                        cell, style = column.header, table.header_style
                    cells.append(
                        (
                            cell,
                            style,
                            texts[index][number],
                            sizes[index][number],
                            looks[place][number],
                        )
                    )
                out += self._tall_row(cells, [columns[i] for i in shown], widths, number == 0)
            else:
                out.append(line)
            if number == 0:
                out.append(rule)
        return out

    def _painted(self, cells: list[Cell], style: str) -> list[str]:
        """Cells painted in their styles over `style`, each distinct cell once."""
        done: dict[Cell, str] = {}
        out = []
        for cell in cells:
            text = done.get(cell)
            if text is None:
                text = done[cell] = self.paint(cell, style)
            out.append(text)
        return out

    def _tall_row(
        self,
        cells: list[tuple[Cell, str, str, int, str]],
        columns: list[Column],
        widths: list[int],
        header: bool,
    ) -> list[str]:
        """The lines of a row of which a cell wraps: each cell as (cell, style, its
        text, its width, as written)."""
        stacks: list[list[tuple[str, int]]] = []
        for place, (cell, style, text, size, look) in enumerate(cells):
            room = widths[place]
            if size <= room:
                stacks.append([(look, size)])
                continue
            key = (place, cell, header)
            stack = self._wrapped.get(key)
            if stack is None:
                stack = self._wrapped[key] = [
                    (self.paint(cell, style, span), self.width(text[span[0] : span[1]]))
                    for span in self.wrap(text, room)
                ]
            stacks.append(stack)
        last = len(cells) - 1
        out = []
        for line_number in range(max(len(stack) for stack in stacks)):
            parts = []
            for place, stack in enumerate(stacks):
                text, size = stack[line_number] if line_number < len(stack) else ("", 0)
                blank = " " * (widths[place] - size)
                if columns[place].justify == "right":
                    parts.append(blank + text)
                else:
                    parts.append(text + blank if place < last else text)
            out.append((" " * GAP).join(parts).rstrip(" "))
        return out

    def _fit(
        self,
        columns: list[Column],
        texts: list[list[str]],
        sizes: list[list[int]],
        natural: list[int],
        width: int,
    ) -> tuple[list[int], list[int]]:
        """Which columns to show (their indexes) and their widths, for `width` cells."""
        shown = list(range(len(columns)))
        if sum(natural) + GAP * (len(shown) - 1) <= width:
            return shown, natural[:]
        ranked = {i: sorted(sizes[i]) for i in shown if columns[i].wrap or columns[i].min_width}
        floors: dict[int, int] = {}  # the narrowest a column gets
        words: dict[int, int] = {}  # and with every word whole
        for i in ranked:
            column = columns[i]
            low = column.min_width if column.min_width is not None else len(column.header)
            floors[i] = min(natural[i], max(low, 1))
            # A word longer than a quarter of the width may be broken rather than narrow
            # every other column to its floor.
            longest = min(self._longest(texts[i], sizes[i]), width // 4)
            words[i] = max(floors[i], longest) if column.wrap else natural[i]

        def fitted(kept: list[int]) -> tuple[dict[int, int], int]:
            """The widths of the columns `kept`, and the cells still too many."""
            widths = {i: natural[i] for i in kept}
            excess = sum(widths.values()) + GAP * (len(kept) - 1) - width
            for low in (words, floors):
                excess = _narrow(widths, {i: low[i] for i in kept if i in low}, excess)
            return widths, excess

        def wrapped(widths: dict[int, int]) -> int:
            """How many cells wrap (at most: a cell wider than its column)."""
            return sum(
                len(ranked[i]) - bisect.bisect_right(ranked[i], w)
                for i, w in widths.items()
                if i in ranked
            )

        rows = len(texts[0]) - 1
        for _, index in sorted((c.drop, i) for i, c in enumerate(columns) if c.drop):
            widths, excess = fitted(shown)
            if columns[index].drop_late:
                if excess > 0:
                    shown.remove(index)
            elif excess > 0 or wrapped(widths) * WRAPPED_SHARE > rows:
                shown.remove(index)
        widths, _ = fitted(shown)
        return shown, [widths[i] for i in shown]

    def _longest(self, texts: list[str], sizes: list[int]) -> int:
        """The width of the longest piece of the texts (a word, or part of a word
        broken after a hyphen)."""
        longest = 0
        seen: set[str] = set()
        for text, size in zip(texts, sizes, strict=True):
            # A text no wider than the longest piece yet cannot hold a longer one.
            if size > longest and text not in seen:
                seen.add(text)
                longest = max(longest, self.longest_piece(text))
        return longest


def _narrow(widths: dict[int, int], floors: dict[int, int], excess: int) -> int:
    """Take `excess` cells from the columns in `floors`, one at a time from the widest
    (the leftmost of equals), none below its floor; what could not be taken."""
    while excess > 0:
        widest = -1
        for index, low in floors.items():
            if widths[index] > low and (widest < 0 or widths[index] > widths[widest]):
                widest = index
        if widest < 0:
            break
        widths[widest] -= 1
        excess -= 1
    return excess
