"""The plain layout of `sisterctl.output.tables` writes exactly what Rich writes for the same
table, on random tables and on the registries sisterctl ships and tests with."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from sisterctl.cli import printer
from sisterctl.output import render, tables
from sisterctl.store.location import bundled_path
from sisterctl.store.read import load
from tests.conftest import Run

# Letters, spaces (several in a row, leading, trailing), punctuation, accented and
# wide (CJK, Hangul) letters, combining accents, and the ellipsis Rich cuts words with.
ALPHABET = "ab cdefg  XYZ-,.–éøçñ臺北市대구\u0301…"
texts = st.text(ALPHABET, max_size=40)


@st.composite
def table_specs(draw: st.DrawFn) -> tables.Table:
    count = draw(st.integers(1, 7))
    columns = tuple(
        tables.Column(
            draw(texts.filter(bool)),
            justify=draw(st.sampled_from(["left", "right"])),
            no_wrap=draw(st.booleans()),
            min_width=draw(st.none() | st.integers(1, 15)),
        )
        for _ in range(count)
    )
    table = tables.Table(columns)
    for _ in range(draw(st.integers(0, 6))):
        table.add_row(*(draw(texts) for _ in range(count)))
    return table


def rich_output(view: tables.View, width: int) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, highlight=False, markup=False, emoji=False)
    console.print(render.rich_view(view))
    return out.getvalue()


def plain_output(table: tables.View, width: int) -> str | None:
    lines = tables.layout(table, width)
    return None if lines is None else "".join(line + "\n" for line in lines)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table_specs(), st.integers(8, 160))
def test_layout_is_what_rich_prints(table: tables.Table, width: int) -> None:
    plain = plain_output(table, width)
    if plain is not None:
        assert plain == rich_output(table, width)


short_texts = st.text(ALPHABET, max_size=25)


@st.composite
def views(draw: st.DrawFn) -> list[tables.Block]:
    """Titled tables, lines and flows of entries, in any order."""
    blocks: list[tables.Block] = []
    for kind in draw(st.lists(st.sampled_from(["table", "line", "flow"]), min_size=1, max_size=4)):
        if kind == "table":
            table = draw(table_specs())
            table.title = draw(st.none() | texts)
            blocks.append(table)
        elif kind == "line":
            blocks.append(tables.Line(draw(short_texts)))
        else:
            entries = draw(st.lists(short_texts, max_size=30))
            blocks.append(tables.Flow(list(entries), gap=draw(st.integers(1, 4))))
    return blocks


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(views(), st.integers(8, 160))
def test_views_are_what_rich_prints(view: list[tables.Block], width: int) -> None:
    plain = plain_output(view, width)
    if plain is not None:
        assert plain == rich_output(view, width)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.text("ab cXYZ–éø臺北대구", max_size=25).filter(str.strip), min_size=1, max_size=200
    ),
    st.integers(40, 160),
)
def test_flows_of_many_entries_are_what_rich_prints(entries: list[str], width: int) -> None:
    view = tables.Flow(list(entries), gap=3)
    plain = plain_output(view, width)
    assert plain is not None
    assert plain == rich_output(view, width)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(texts, texts, texts), max_size=8), st.integers(60, 160))
def test_layout_handles_ordinary_tables_at_ordinary_widths(
    rows: list[tuple[str, str, str]], width: int
) -> None:
    """Three columns of text on a usual console: never left to Rich."""
    table = tables.Table((tables.Column("A"), tables.Column("B"), tables.Column("C")))
    for row in rows:
        table.add_row(*row)
    assert plain_output(table, width) == rich_output(table, width)


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120, 200])
def test_list_of_the_bundled_registry_is_what_rich_prints(width: int) -> None:
    import datetime as dt

    from sisterctl.core.query import Filters, SortKey, select, sort_ties
    from sisterctl.output.serialize import list_rows

    registry = load(bundled_path())
    ties = sort_ties(registry, select(registry, Filters()), SortKey.ESTABLISHED)
    table = tables.list_table(list_rows(registry, ties, dt.date(2026, 11, 28)))
    plain = plain_output(table, width)
    if width >= 100:  # narrower, Rich gives some columns no room at all: left to Rich
        assert plain is not None
    assert plain is None or plain == rich_output(table, width)


@pytest.mark.parametrize("width", [60, 80, 100, 120, 200])
@pytest.mark.parametrize(
    ("as_of", "within", "extra"),
    [
        ("2020-10-20", "6w", ()),
        ("2026-03-01", "1y", ("--all", "--agreements")),
        ("2026-12-20", "2y", ()),
    ],
)
def test_upcoming_is_what_rich_prints(
    width: int, as_of: str, within: str, extra: tuple[str, ...]
) -> None:
    import datetime as dt

    from sisterctl.core.anniversaries import parse_span, upcoming_anniversaries
    from tests.conftest import DATA

    for registry in (load(bundled_path()), load(DATA / "anniversaries.toml")):
        report = upcoming_anniversaries(
            registry,
            dt.date.fromisoformat(as_of),
            parse_span(within),
            include_ended="--all" in extra,
            include_agreements="--agreements" in extra,
        )
        view = tables.upcoming_view(report)
        plain = plain_output(view, width)
        if width >= 100:  # narrower, Rich crops the widest of these tables: left to Rich
            assert plain is not None
        assert plain is None or plain == rich_output(view, width)


@pytest.mark.parametrize(
    "text",
    ["tab\there", "line\nbreak", "zero\u200bwidth", "nbsp\xa0here", "bell\x07"],
)
def test_cells_it_cannot_promise_are_left_to_rich(text: str) -> None:
    table = tables.Table((tables.Column("A"),))
    table.add_row(text)
    assert tables.layout(table, 80) is None


def test_too_narrow_a_console_is_left_to_rich() -> None:
    table = tables.Table(tuple(tables.Column(h) for h in "ABCDEFG"))
    assert tables.layout(table, 8) is None


def test_width_is_columns_then_terminal_then_80(monkeypatch: pytest.MonkeyPatch) -> None:
    assert printer.console_width({"COLUMNS": "132"}) == 132
    monkeypatch.setattr(os, "get_terminal_size", lambda fd: os.terminal_size((99, 30)))
    assert printer.console_width({}) == 99
    assert printer.console_width({"COLUMNS": "wide"}) == 99

    def no_terminal(fd: int) -> os.terminal_size:
        raise OSError

    monkeypatch.setattr(os, "get_terminal_size", no_terminal)
    assert printer.console_width({}) == 80


def test_plain_only_where_rich_writes_no_escape_codes() -> None:
    class Stream(io.StringIO):
        def __init__(self, tty: bool, encoding: str = "utf-8") -> None:
            super().__init__()
            self._tty, self._encoding = tty, encoding

        def isatty(self) -> bool:
            return self._tty

        @property
        def encoding(self) -> str:  # type: ignore[override]
            return self._encoding

    assert printer.writes_plain(Stream(False), {})
    assert not printer.writes_plain(Stream(True), {})
    assert not printer.writes_plain(Stream(False), {"FORCE_COLOR": "1"})
    assert not printer.writes_plain(Stream(False), {"TTY_COMPATIBLE": "1"})
    assert not printer.writes_plain(Stream(False, "ascii"), {})


def test_list_on_a_terminal_is_printed_by_rich_in_colour(run: Run, small_registry: Path) -> None:
    result = run("-r", small_registry, "list", "--as-of", "2026-11-28", env={"FORCE_COLOR": "1"})
    assert result.exit_code == 0, result.stderr
    assert "\x1b[" in result.stdout
    plain = run("-r", small_registry, "list", "--as-of", "2026-11-28")
    assert "\x1b[" not in plain.stdout
    assert _strip_ansi(result.stdout) == plain.stdout


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)
