"""The layout engine of `sisterctl.output.tables`: the tables of `list` and `upcoming`
as whole text at fixed widths (golden files) and on a pipe, and its rules one by one."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from sisterctl.cli import printer
from sisterctl.output import tables
from sisterctl.store.read import load
from tests.conftest import DATA, Terminal
from tests.golden_files import assert_golden

AS_OF = dt.date(2026, 11, 28)
ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def list_view(path: Path = DATA / "list.toml") -> tables.Table:
    from sisterctl.core.query import Filters, SortKey, select, sort_ties
    from sisterctl.output.serialize import list_rows

    registry = load(path)
    ties = sort_ties(registry, select(registry, Filters()), SortKey.ESTABLISHED)
    return tables.list_table(list_rows(registry, ties, AS_OF))


def upcoming_view(as_of: str, within: str, *extra: str) -> list[tables.Block]:
    from sisterctl.core.anniversaries import parse_span, upcoming_anniversaries

    report = upcoming_anniversaries(
        load(DATA / "anniversaries.toml"),
        dt.date.fromisoformat(as_of),
        parse_span(within),
        include_ended="--all" in extra,
        include_agreements="--agreements" in extra,
    )
    return tables.upcoming_view(report)


LIST_WIDTHS = (44, 60, 80, 100)
UPCOMING_CASES: list[tuple[str, str, tuple[str, ...]]] = [
    ("2020-10-20", "6w", ()),
    ("2020-03-01", "1y", ("--all", "--agreements")),
]
UPCOMING_WIDTHS = (60, 80, None)


def upcoming_name(as_of: str, within: str, extra: tuple[str, ...], width: int | None) -> str:
    return f"upcoming-{as_of}-{within}{''.join(extra)}-{width or 'pipe'}.txt"


# The golden files of this module (tests/test_golden.py checks that each one is in use).
GOLDEN_NAMES = {f"list-{width}.txt" for width in LIST_WIDTHS} | {"list-pipe.txt"}
GOLDEN_NAMES |= {
    upcoming_name(*case, width) for case in UPCOMING_CASES for width in UPCOMING_WIDTHS
}


def text(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


@pytest.mark.parametrize("width", LIST_WIDTHS)
def test_list_at_a_width(width: int) -> None:
    lines = tables.lines(list_view(), width)
    assert_golden(f"list-{width}.txt", text(lines))
    assert all(cell_len(line) <= width for line in lines)


def test_list_on_a_pipe_is_one_line_per_row() -> None:
    view = list_view()
    lines = tables.lines(view, None)
    assert_golden("list-pipe.txt", text(lines))
    assert len(lines) == len(view.rows) + 2  # what `wc -l` counts: the header and the rule
    # Nothing cut: each row holds every cell of its tie in full.
    for line, row in zip(lines[2:], view.rows, strict=True):
        for cell in row:
            assert tables.plain(cell) in line


@pytest.mark.parametrize("width", UPCOMING_WIDTHS)
@pytest.mark.parametrize(("as_of", "within", "extra"), UPCOMING_CASES)
def test_upcoming_at_a_width(
    width: int | None, as_of: str, within: str, extra: tuple[str, ...]
) -> None:
    lines = tables.lines(upcoming_view(as_of, within, *extra), width)
    assert_golden(upcoming_name(as_of, within, extra, width), text(lines))
    if width is not None:
        assert all(cell_len(line) <= width for line in lines)


def test_list_at_80_columns_in_a_terminal_is_the_golden_file(terminal: Terminal) -> None:
    out = terminal("-r", DATA / "list.toml", "list", "--as-of", "2026-11-28", env={"NO_COLOR": "1"})
    assert out == (Path(__file__).parent / "golden" / "list-80.txt").read_text(encoding="utf-8")


def column_starts(line: str) -> list[int]:
    """The cell at which each column of a line of a table starts (two spaces or more
    before it)."""
    return [cell_len(line[: m.start()]) for m in re.finditer(r"(?:^|(?<=  ))\S", line)]


def test_cjk_and_hangul_take_two_cells_and_stay_aligned() -> None:
    table = tables.Table((tables.Column("City"), tables.Column("Kind")))
    table.add_row("臺北市", "sister city")
    table.add_row("대구광역시", "friendship city")
    table.add_row("Sao Paulo", "partner city")
    header, rule, *rows = tables.lines(table, None)
    assert header == "City        Kind"
    assert cell_len(rule) == 10 + 2 + 15
    assert rows == [
        "臺北市      sister city",
        "대구광역시  friendship city",
        "Sao Paulo   partner city",
    ]
    assert {column_starts(row)[1] for row in rows} == {12}


def test_a_word_longer_than_its_column_is_broken_and_others_never() -> None:
    table = tables.Table(
        (tables.Column("Id"), tables.Column("Place", wrap=True, min_width=8), tables.Column("Note"))
    )
    table.add_row("a", "Llanfairpwllgwyngyll, Wales", "x")
    table.add_row("b", "Saint Petersburg, Russia", "y")
    assert tables.lines(table, 16) == [
        "Id  Place     Note",
        "─" * 18,  # the narrowest the table gets: wider than 16
        "a   Llanfair  x",
        "    pwllgwyn",
        "    gyll,",
        "    Wales",
        "b   Saint     y",
        "    Petersbu",
        "    rg,",
        "    Russia",
    ]
    # Room for every word but the long one: only it is broken.
    assert tables.lines(table, 21)[2:] == [
        "a   Llanfairpwl  x",
        "    lgwyngyll,",
        "    Wales",
        "b   Saint        y",
        "    Petersburg,",
        "    Russia",
    ]


def test_wrapping_breaks_at_spaces_then_after_hyphens() -> None:
    engine = tables._Engine(False, "─")
    cut = lambda text, width: [text[a:b] for a, b in engine.wrap(text, width)]  # noqa: E731
    assert cut("San Francisco, United States", 14) == ["San Francisco,", "United States"]
    assert cut("taipei-san-francisco", 12) == ["taipei-san-", "francisco"]
    assert cut("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert cut("臺北市大安區", 5) == ["臺北", "市大", "安區"]  # a wide character is not split
    assert cut("e\u0301te\u0301", 2) == ["e\u0301t", "e\u0301"]  # an accent stays with its letter
    assert cut("  spaces  at the ends  ", 6) == ["spaces", "at the", "ends"]
    assert cut("", 5) == [""]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text("ab cXYZ-–éø臺北대구\u0301", max_size=30),
            st.text("ab cdef ", max_size=15),
        ),
        max_size=8,
    ),
    st.integers(20, 120),
)
def test_any_table_fits_its_width_and_loses_no_text(
    rows: list[tuple[str, str]], width: int
) -> None:
    """What does not fit wraps: every line within the width (the columns' narrowest
    allow it here), and the words of every cell still there, in order."""
    table = tables.Table(
        (tables.Column("Name", wrap=True, min_width=6), tables.Column("Note", wrap=True))
    )
    for row in rows:
        table.add_row(*row)
    lines = tables.lines(table, width)
    assert all(cell_len(line) <= width for line in lines)
    assert all(line == line.rstrip() for line in lines)
    joined = "".join(line.replace(" ", "") for line in lines[2:])
    expected = "".join(a.replace(" ", "") + b.replace(" ", "") for a, b in rows)
    assert sorted(joined) == sorted(expected)


def test_columns_marked_drop_go_first_and_the_rest_fit() -> None:
    table = tables.Table(
        (
            tables.Column("Tie"),
            tables.Column("City", wrap=True, min_width=8),
            tables.Column("Years", justify="right", drop=1),
            tables.Column("Kind", wrap=True, drop=2),
            tables.Column("Date", drop=3, drop_late=True),
            tables.Column("Status"),
        )
    )
    table.add_row("taipei-daegu", "Daegu, South Korea", "16", "sister city", "2010-11-04", "active")

    def headers(width: int) -> list[str]:
        return tables.lines(table, width)[0].split()

    everything = ["Tie", "City", "Years", "Kind", "Date", "Status"]
    assert headers(200) == everything
    assert headers(72) == everything  # all of it on one line, just
    assert headers(71) == ["Tie", "City", "Kind", "Date", "Status"]  # Years, rather than wrap
    assert headers(60) == ["Tie", "City", "Date", "Status"]  # then Kind
    assert headers(45) == ["Tie", "City", "Date", "Status"]  # the city wraps to keep the date
    assert headers(40) == ["Tie", "City", "Status"]  # the date when nothing else fits
    # Right-justified, and no line ends in blanks.
    assert tables.lines(table, 200)[2] == (
        "taipei-daegu  Daegu, South Korea     16  sister city  2010-11-04  active"
    )


def test_styles_only_when_asked_and_then_as_escape_codes() -> None:
    view = list_view(DATA / "small.toml")
    plain = tables.lines(view, None)
    styled = tables.lines(view, None, styles=True)
    assert not any("\x1b" in line for line in plain)
    assert [ESCAPE.sub("", line) for line in styled] == plain
    assert styled[0].startswith("\x1b[1mTie\x1b[0m")  # a bold header
    assert "\x1b[36mtaipei-daegu\x1b[0m" in "".join(styled)  # the id in cyan
    assert "\x1b[2m, South Korea\x1b[0m" in "".join(styled)  # the country dimmed
    assert "\x1b[31mended\x1b[0m" in "".join(styled)  # and the status in its colour
    wrapped = tables.lines(view, 44, styles=True)
    assert [ESCAPE.sub("", line) for line in wrapped] == tables.lines(view, 44)


def test_a_rule_for_outputs_that_cannot_show_a_box_line() -> None:
    lines = tables.lines(list_view(DATA / "small.toml"), None, rule="-")
    assert set(lines[1]) == {"-"}


def test_flows_fill_the_width_and_give_one_entry_a_line_on_a_pipe() -> None:
    flow = tables.Flow([f"entry {n}" for n in range(1, 8)], gap=3)
    assert tables.lines(flow, None) == [f"entry {n}" for n in range(1, 8)]
    assert tables.lines(flow, 30) == [
        "entry 1   entry 2   entry 3",
        "entry 4   entry 5   entry 6",
        "entry 7",
    ]
    assert tables.lines(flow, 5) == [f"entry {n}" for n in range(1, 8)]


def test_importing_the_engine_imports_no_rich_console() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import sisterctl.output.tables as t\n"
        "t.lines(t.Table((t.Column('A'),), [('臺北',)]), 80, styles=True)\n"
        "print(sorted(m for m in sys.modules if m.startswith('rich')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = eval(out.stdout)  # a list of names printed by the child
    assert "rich.console" not in modules and "rich.table" not in modules
    assert "rich.cells" in modules


def test_width_is_columns_then_terminal_then_80(monkeypatch: pytest.MonkeyPatch) -> None:
    assert printer.console_width({"COLUMNS": "132"}) == 132
    monkeypatch.setattr(os, "get_terminal_size", lambda fd: os.terminal_size((99, 30)))
    assert printer.console_width({}) == 99
    assert printer.console_width({"COLUMNS": "wide"}) == 99

    def no_terminal(fd: int) -> os.terminal_size:
        raise OSError

    monkeypatch.setattr(os, "get_terminal_size", no_terminal)
    assert printer.console_width({}) == 80


class Stream(io.StringIO):
    def __init__(self, tty: bool, encoding: str = "utf-8") -> None:
        super().__init__()
        self._tty, self._encoding = tty, encoding

    def isatty(self) -> bool:
        return self._tty

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding


@pytest.mark.skipif(os.name == "nt", reason="a table on Windows is plain")
def test_styles_on_a_terminal_or_with_force_color_never_with_no_color() -> None:
    assert printer.takes_styles(Stream(True), {})
    assert not printer.takes_styles(Stream(False), {})
    assert printer.takes_styles(Stream(False), {"FORCE_COLOR": "1"})
    assert not printer.takes_styles(Stream(True), {"NO_COLOR": "1"})
    assert not printer.takes_styles(Stream(False), {"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert not printer.takes_styles(Stream(True), {"TERM": "dumb"})


def test_a_view_on_a_terminal_fits_it_and_a_pipe_gets_natural_width() -> None:
    view = list_view()
    on_a_pipe = Stream(False)
    printer.emit_view(view, out=on_a_pipe, environ={"COLUMNS": "44"})
    assert on_a_pipe.getvalue() == text(tables.lines(view, None))
    on_a_terminal = Stream(True)
    printer.emit_view(view, out=on_a_terminal, environ={"COLUMNS": "44", "NO_COLOR": "1"})
    assert on_a_terminal.getvalue() == text(tables.lines(view, 44))
    in_ascii = Stream(False, "ascii")
    printer.emit_view(view, out=in_ascii, environ={})
    assert in_ascii.getvalue().splitlines()[1] == "-" * len(in_ascii.getvalue().splitlines()[1])


def test_text_measured_by_its_length_is_what_rich_measures() -> None:
    """The engine measures printable Latin, Greek, Cyrillic and punctuation by their
    length, without Rich: every such character must take one cell in Rich too, and
    text with anything else (a combining mark, a wide character) is measured by Rich."""
    import re

    from rich.cells import cell_len

    from sisterctl.output.tables import NARROW, _Engine

    engine = _Engine(False, "-")
    chars = [
        chr(code)
        for first, last in re.findall(r"(.)-(.)", NARROW)
        for code in range(ord(first), ord(last) + 1)
        if chr(code).isprintable()
    ]
    assert len(chars) > 1000
    assert [c for c in chars if cell_len(c) != 1] == []
    assert engine.width("".join(chars)) == len(chars)
    for text in ("Łódź–Taipei", "Sa\u0303o Paulo", "台北–Daegu", "Алматы", "a\u200bb"):
        assert engine.width(text) == cell_len(text), text
