"""Links in terminal output: numbered marks, each URL whole on a line, OSC 8 on terminals."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from sisterctl import store
from sisterctl.cli import printer
from sisterctl.core.timeline import tie_timeline
from sisterctl.model import Registry
from sisterctl.output import render
from sisterctl.output.links import Footnotes, linkable
from tests.conftest import Run

LONG = (
    "https://english.sec.gov.taipei/News_Content.aspx"
    "?n=D073F200AC649E35&sms=2087D8D51C0A9475&s=338128DEF4A74355"
)


def test_urls_in_text_become_marks_numbered_once_each() -> None:
    notes = Footnotes()
    assert notes.marks(["https://a.example/1"]) == "[1]"
    text = notes.mark(
        "Taipei Times (https://b.example/x). See https://a.example/1, and "
        "https://en.wikipedia.org/wiki/Foo_(bar); done."
    )
    assert text == "Taipei Times ([2]). See [1], and [3]; done."
    assert notes.urls == [
        "https://a.example/1",
        "https://b.example/x",
        "https://en.wikipedia.org/wiki/Foo_(bar)",
    ]
    assert notes.mark("no link here") == "no link here"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        (LONG, True),
        ("https://evil.example/\x1b]8;;x", False),
        ("https://a.example/\u202ecod", False),
        ("https://a.example/a b", False),
        ("javascript:alert(1)", False),
    ],
)
def test_only_plain_http_urls_become_hyperlinks(url: str, ok: bool) -> None:
    assert linkable(url) is ok


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"TERM": "xterm-256color"}, True),
        ({"TERM": "linux"}, False),
        ({"TERM": "dumb"}, False),
        ({"TERM": "xterm-256color", "FORCE_HYPERLINK": "0"}, False),
    ],
)
def test_which_terminals_get_hyperlinks(environ: dict[str, str], expected: bool) -> None:
    assert printer.hyperlinks(environ) is expected


def _terminal(width: int) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=True, color_system="standard")
    return console, out


def _registry(tmp_path: Path) -> Registry:
    path = tmp_path / "r.toml"
    path.write_text(
        f"""schema_version = 1
[[city]]
id = "taipei-tw"
name = "Taipei"
country = "TW"
[[city]]
id = "daegu-kr"
name = "Daegu"
country = "KR"
[[partnership]]
id = "taipei-daegu"
cities = ["taipei-tw", "daegu-kr"]
established = "2010-11-04"
sources = ["{LONG}"]
notes = "The press release ({LONG}) says so."
[[agreement]]
partnership = "taipei-daegu"
date = "2021-03-26"
title = "Reaffirmation"
notes = "See https://b.example/reaffirm for the text."
sources = ["https://b.example/reaffirm", "{LONG}"]
""",
        encoding="utf-8",
    )
    return store.load(path)


def test_show_on_a_narrow_terminal_writes_each_url_whole_and_as_a_hyperlink(
    tmp_path: Path,
) -> None:
    registry = _registry(tmp_path)
    console, out = _terminal(40)
    view = render.tie_view(registry, registry.by_id["taipei-daegu"], dt.date(2026, 3, 1))
    console.print(view, crop=False)
    text = out.getvalue()
    # OSC 8: ESC ] 8 ; params ; URL ESC \ text ESC ] 8 ; ; ESC \, the URL in one piece.
    assert f";{LONG}\x1b\\{LONG}\x1b]8;;\x1b\\" in text
    assert ";https://b.example/reaffirm\x1b\\https://b.example/reaffirm\x1b]8;;\x1b\\" in text
    # The same URL, cited twice, has one number; the agreement's notes cite [2].
    plain_out = io.StringIO()
    Console(file=plain_out, width=40).print(view, crop=False)
    shown = plain_out.getvalue()
    assert "The press release ([1]) says so." in shown
    assert "See [2] for the text." in " ".join(shown.split())
    assert "sources [2] [1]" in shown
    assert shown.endswith(f"\nSources\n[1] {LONG}\n[2] https://b.example/reaffirm\n")


def test_without_links_the_terminal_gets_no_hyperlink(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    console, out = _terminal(80)
    console.print(
        render.tie_view(registry, registry.by_id["taipei-daegu"], dt.date(2026, 3, 1), links=False),
        crop=False,
    )
    assert "\x1b]8;" not in out.getvalue()
    assert f"[1] {LONG}" in re.sub("\x1b\\[[0-9;]*m", "", out.getvalue())


def test_a_timeline_lists_the_urls_of_its_notes_whole(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    out = io.StringIO()
    timeline = tie_timeline(registry, registry.by_id["taipei-daegu"], dt.date(2026, 3, 1))
    Console(file=out, width=50).print(render.timeline_view(timeline), crop=False)
    shown = out.getvalue()
    assert "See [1] for the text." in " ".join(shown.split())
    assert shown.endswith("\nLinks\n[1] https://b.example/reaffirm\n")


def test_show_through_the_cli_never_breaks_a_url(run: Run, tmp_path: Path) -> None:
    _registry(tmp_path)
    result = run("-r", tmp_path / "r.toml", "show", "taipei-daegu", env={"COLUMNS": "40"})
    assert result.exit_code == 0, result.stderr
    assert f"\n[1] {LONG}\n" in result.stdout
