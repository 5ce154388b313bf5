"""What a person sees on an 80- or 60-column terminal, and with NO_COLOR; what a
pipe gets."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rich.cells import cell_len

from tests.conftest import Run, Terminal

AS_OF = ("--as-of", "2026-11-28")
ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def header(out: str) -> list[str]:
    return next(line for line in out.splitlines() if line.strip()).split()


def test_list_keeps_every_column_when_it_fits(terminal: Terminal, small_registry: Path) -> None:
    out = terminal("-r", small_registry, "list", *AS_OF, columns=120, env={"NO_COLOR": "1"})
    assert header(out) == ["Tie", "City", "City", "Kind", "Established", "Years", "Status"]


def test_list_at_80_columns_fits_and_never_cuts_the_status(terminal: Terminal) -> None:
    out = terminal("list", *AS_OF, columns=80, env={"NO_COLOR": "1"})  # the bundled registry
    lines = out.splitlines()
    assert header(out)[-1] == "Status" and "Established" in header(out)
    assert all(cell_len(line) <= 80 for line in lines)
    assert all(line == line.rstrip() for line in lines)
    assert re.search(r"^taipei-manila .* suspended$", out, re.MULTILINE)  # Taipei–Manila, whole


def test_list_at_60_columns_keeps_dates_and_status(terminal: Terminal) -> None:
    out = terminal(
        "list", "--city", "Taipei", "--since", "2015", *AS_OF, columns=60, env={"NO_COLOR": "1"}
    )
    assert header(out) == ["Tie", "City", "City", "Established", "Status"]
    assert all(cell_len(line) <= 60 for line in out.splitlines())
    # An id too long for its column breaks after a hyphen.
    assert re.search(r"^taipei- .* 2015-02-12   active\nwellington ", out, re.MULTILINE)


def test_a_terminal_gets_styles_and_no_color_none(terminal: Terminal, small_registry: Path) -> None:
    coloured = terminal("-r", small_registry, "list", *AS_OF, columns=100)
    assert "\x1b[" in coloured  # a terminal gets styles...
    assert "\x1b[32mactive\x1b[0m" in coloured  # the status in its colour
    plain = terminal("-r", small_registry, "list", *AS_OF, columns=100, env={"NO_COLOR": "1"})
    assert "\x1b" not in plain  # ...but not with NO_COLOR
    assert ESCAPE.sub("", coloured) == plain
    assert "taipei-daegu" in plain and "Established" in plain


def test_a_pipe_gets_one_line_per_row_at_any_width(run: Run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Not a terminal: never wrapped nor cut, whatever COLUMNS says, so that wc -l, grep
    and sort work on the table."""
    monkeypatch.setenv("COLUMNS", "40")
    out = run("list", *AS_OF).stdout
    ties = json.loads(run("list", "--format", "json", *AS_OF).stdout)
    lines = out.splitlines()
    assert len(lines) == len(ties) + 2  # the header, the rule, a line a tie
    for line, tie in zip(lines[2:], ties, strict=True):
        assert line.startswith(tie["id"] + " ")
        assert line.endswith(tie["status"])
        assert tie["city_a"] in line and tie["kind"] in line
    # The columns line up: the Established column starts at one cell in every row.
    start = cell_len(lines[0][: lines[0].index("Established")])
    assert all(
        cell_len(line[: line.index(tie["established"] or "unknown")]) == start
        for line, tie in zip(lines[2:], ties, strict=True)
    )
    assert "\x1b" not in out


def test_force_color_styles_a_pipe_without_changing_its_layout(
    run: Run, small_registry: Path
) -> None:
    coloured = run("-r", small_registry, "list", *AS_OF, env={"FORCE_COLOR": "1"}).stdout
    plain = run("-r", small_registry, "list", *AS_OF).stdout
    assert "\x1b[" in coloured and "\x1b[" not in plain
    assert ESCAPE.sub("", coloured) == plain
    with_no_color = run(
        "-r", small_registry, "list", *AS_OF, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}
    )
    assert with_no_color.stdout == plain
