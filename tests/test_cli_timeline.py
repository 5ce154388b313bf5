"""`sisterctl timeline`, `sisterctl stats`, and pictures (--svg, --html) of every view."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.cells import cell_len

from sisterctl.errors import ExitCode
from tests.conftest import DATA, Run
from tests.golden_files import assert_golden

AS_OF = ("--as-of", "2026-03-01")
SGR_COLOUR = re.compile(r"\x1b\[[0-9;]*(3[0-9]|9[0-7]|38;)[0-9;]*m")


@pytest.fixture
def timeline_registry(tmp_path: Path) -> Path:
    """A copy of tests/data/timeline.toml: every kind of event, every precision."""
    path = tmp_path / "timeline.toml"
    shutil.copy(DATA / "timeline.toml", path)
    return path


def width(columns: int) -> dict[str, str]:
    return {"COLUMNS": str(columns)}


# ---------------------------------------------------------------------------
# Whole views, compared with golden files (see tests/golden_files.py)

GOLDEN_CASES = [
    ("timeline-taipei-daegu-100.txt", "small", ("timeline", "taipei-daegu"), 100),
    ("timeline-taipei-daegu-60.txt", "small", ("timeline", "Daegu", "Taipei"), 60),
    ("timeline-taipei-daegu-44.txt", "small", ("timeline", "taipei-daegu"), 44),
    ("timeline-daegu-ningbo-100.txt", "timeline", ("timeline", "daegu-ningbo"), 100),
    ("timeline-daegu-ningbo-60.txt", "timeline", ("timeline", "daegu-ningbo"), 60),
    ("timeline-city-taipei-100.txt", "timeline", ("timeline", "--city", "Taipei"), 100),
    ("timeline-city-taipei-60.txt", "timeline", ("timeline", "--city", "臺北"), 60),
    ("stats-100.txt", "timeline", ("stats",), 100),
    ("stats-60.txt", "timeline", ("stats", "--top", "4"), 60),
    ("stats-small-kr-100.txt", "small", ("stats", "--country", "KR"), 100),
]


@pytest.mark.parametrize(
    ("name", "which", "args", "columns"), GOLDEN_CASES, ids=[c[0] for c in GOLDEN_CASES]
)
def test_views_match_their_golden_files(
    run: Run,
    small_registry: Path,
    timeline_registry: Path,
    name: str,
    which: str,
    args: tuple[str, ...],
    columns: int,
) -> None:
    registry = small_registry if which == "small" else timeline_registry
    result = run("-r", registry, *args, *AS_OF, env=width(columns))
    assert result.exit_code == ExitCode.OK, result.stderr
    assert result.stderr == ""
    assert all(cell_len(line) <= columns for line in result.stdout.splitlines())
    assert "\x1b[" not in result.stdout  # piped: no escape codes
    assert_golden(name, result.stdout)


# ---------------------------------------------------------------------------
# What a reader must find in a timeline


def test_timeline_of_a_tie_tells_its_story_in_order(run: Run, small_registry: Path) -> None:
    result = run("-r", small_registry, "timeline", "taipei-daegu", "--as-of", "2026-11-28")
    out = result.stdout
    assert out.splitlines()[:3] == [
        "Taipei–Daegu  as of 2026-11-28",
        "Taipei 臺北市, Taiwan – Daegu 대구광역시, South Korea",
        "sister city · established 2010-11-04 · active · 16 years",
    ]
    story = [
        "◆ 2010-11-04  founded        Sister city tie established",
        "● 2017        delegation     Opening ceremony of the Taipei 2017 Universiade",
        "★ 2020-11-04  anniversary    10th anniversary",
        "■ 2021-03-26  reaffirmation  Agreement to Reaffirm Sister City Friendship",
        "signed by Ko Wen-je (Mayor of Taipei) and Kwon Young-jin (Mayor of Daegu) by video",
        "☆ 2027-11-04  anniversary    17th anniversary · next, in 341 days",
        "★ 2030-11-04  anniversary    20th anniversary · next milestone",
    ]
    positions = [out.index(line) for line in story]
    assert positions == sorted(positions)


def test_timeline_marks_planned_and_undated_events(run: Run, timeline_registry: Path) -> None:
    out = run("-r", timeline_registry, "timeline", "daegu-ningbo", *AS_OF).stdout
    assert "□ 2026        memorandum   Memorandum on Trade Fairs · planned" in out
    assert "to be signed by Trade bureau of Daegu and Trade bureau of Ningbo" in out
    tail = out[out.index("date unknown") :]
    assert "festival     Ningbo troupe at the Colorful Daegu Festival" in tail
    assert out.index("Memorandum on Trade Fairs") < out.index("date unknown")


def test_timeline_of_a_city(run: Run, timeline_registry: Path) -> None:
    out = run("-r", timeline_registry, "timeline", "--city", "taipei", *AS_OF).stdout
    lines = out.splitlines()
    assert lines[0] == "Taipei's sister cities and other ties, 1961–2026"
    assert lines[1] == "7 ties: 5 active, 1 suspended, 1 ended · as of 2026-03-01"
    assert "◐ 1966        sister city      Manila, Philippines · suspended 2013-05" in out
    assert "✕ 2016-02-29  sister city      Testville, United States · ended 2019-10-07" in out
    assert "  1960s    3  ████" in out


def test_timeline_of_a_city_of_sister_cities_only(run: Run, small_registry: Path) -> None:
    out = run("-r", small_registry, "timeline", "--city", "Prague", *AS_OF).stdout
    assert out.splitlines()[0] == "Prague's sister cities, 2016–2026"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("timeline",), ExitCode.USAGE, "name one tie (timeline taipei-daegu) or one city"),
        (("timeline", "taipei-daegu", "--city", "Taipei"), ExitCode.USAGE, "name one tie"),
        (
            ("timeline", "taipei-dageu"),
            ExitCode.REFUSED,
            "no tie matches 'taipei-dageu'; did you mean taipei-daegu?",
        ),
        (
            ("timeline", "--city", "Tapei"),
            ExitCode.REFUSED,
            "no city matches 'Tapei'; did you mean Taipei?",
        ),
        (
            ("timeline", "taipei-daegu", "--as-of", "2026"),
            ExitCode.REFUSED,
            "--as-of: '2026' is a year, not a day",
        ),
        (("timeline", "taipei-daegu", "--width", "20"), ExitCode.USAGE, "--width"),
        (("stats", "--country", "Narnia"), ExitCode.REFUSED, "unknown country 'Narnia'"),
        (("stats", "--top", "0"), ExitCode.USAGE, "--top"),
    ],
)
def test_bad_requests_get_one_line(
    run: Run, small_registry: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    result = run("-r", small_registry, *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


# ---------------------------------------------------------------------------
# Wide characters, narrow terminals, no colour

WIDE = """
schema_version = 1

[[city]]
id = "taipei-tw"
name = "臺北市"
country = "TW"

[[city]]
id = "daegu-kr"
name = "대구광역시"
country = "KR"

[[city]]
id = "seoul-kr"
name = "Seoul"
country = "KR"
local_name = "서울특별시"

[[partnership]]
id = "taipei-daegu"
cities = ["taipei-tw", "daegu-kr"]
kind = "자매도시"
established = "2010-11-04"

[[partnership]]
id = "daegu-seoul"
cities = ["daegu-kr", "seoul-kr"]
kind = "sister city"
established = "1988"

[[exchange]]
partnership = "taipei-daegu"
date = "2017"
kind = "대표단"
title = "臺北市 世界大學運動會 開幕式에 대구광역시 대표단이 참석했다 (Kwon Young-jin led it)"

[[exchange]]
partnership = "taipei-daegu"
date = "2019-06"
kind = "치맥페스티벌 축제"
title = "Chimaek Festival"
"""


def _cells(line: str, start: int, stop: int) -> str:
    """The characters of `line` that lie in cells [start, stop)."""
    out, cell = [], 0
    for char in line:
        if start <= cell < stop:
            out.append(char)
        cell += cell_len(char)
    return "".join(out)


@pytest.mark.parametrize("columns", [60, 80, 100])
@pytest.mark.parametrize(
    ("args", "first_text"),
    [
        (("timeline", "taipei-daegu"), "자매도시 tie established"),
        (("timeline", "--city", "대구광역시"), "Seoul 서울특별시"),
    ],
)
def test_wide_characters_keep_the_rail_and_the_text_aligned(
    run: Run,
    write_registry: Callable[[str], Path],
    args: tuple[str, ...],
    first_text: str,
    columns: int,
) -> None:
    result = run("-r", write_registry(WIDE), *args, *AS_OF, env=width(columns))
    assert result.exit_code == ExitCode.OK, result.stderr
    lines = result.stdout.splitlines()
    assert all(cell_len(line) <= columns for line in lines), lines
    chart = "Ties founded per decade"
    rail = lines[lines.index("") + 1 : lines.index(chart) - 1 if chart in lines else None]
    rows = [line for line in rail if line.startswith("  ") and cell_len(line) > 3]
    [first] = [line for line in rows if first_text in line]
    before = first[: first.index(first_text)]
    inline = before.endswith(": ")  # narrow: the word leads the text
    text_at = cell_len(before)
    for line in rows:
        head = _cells(line, 2, 3)
        assert head in set("◆●★☆■□▲△◐✕↺│┆ "), line  # the marker or the rail
        if head not in "│┆ ":  # a row's first line: marker, date, gap, word or text
            assert re.fullmatch(r"\d{4}(-\d\d){0,2}|unknown", _cells(line, 4, 14).rstrip()), line
            assert _cells(line, 14, 16) == "  " and not _cells(line, 16, 17).isspace(), line
        else:
            assert _cells(line, 3, 16).strip() == "", line
            if inline:
                assert not _cells(line, 16, 17).isspace(), line
        if not inline and cell_len(line) > text_at:
            # The text, first lines and wrapped lines alike, in one column after a gap.
            assert _cells(line, text_at - 2, text_at) == "  ", line
            assert not _cells(line, text_at, text_at + 1).isspace(), line


@pytest.mark.parametrize("columns", [60, 100])
def test_wide_characters_keep_chart_columns_aligned(
    run: Run, write_registry: Callable[[str], Path], columns: int
) -> None:
    result = run("-r", write_registry(WIDE), "stats", *AS_OF, env=width(columns))
    lines = result.stdout.splitlines()
    assert all(cell_len(line) <= columns for line in lines), lines
    cities = lines[lines.index("Top cities, by ties") + 1 :][:3]
    assert [line.split()[0] for line in cities] == ["대구광역시,", "Seoul,", "臺北市,"]
    # Each count ends in the same cell, whatever the width of the name before it.
    ends = {cell_len(re.match(r"^.*?\d+(?=  )", line).group(0)) for line in cities}  # type: ignore[union-attr]
    assert len(ends) == 1, cities


def test_no_color_keeps_the_words(
    run: Run, small_registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # as on a terminal
    coloured = run("-r", small_registry, "timeline", "taipei-daegu", *AS_OF).stdout
    assert SGR_COLOUR.search(coloured)  # the test can see colour when there is some
    monkeypatch.setenv("NO_COLOR", "1")
    plain = run("-r", small_registry, "timeline", "taipei-daegu", *AS_OF).stdout
    assert not SGR_COLOUR.search(plain)
    text = re.sub(r"\x1b\[[0-9;]*m", "", plain)
    for word in ("founded", "delegation", "anniversary", "reaffirmation", "next"):
        assert word in text


# ---------------------------------------------------------------------------
# Pictures


def _svg_text(path: Path) -> str:
    root = ET.parse(path).getroot()  # well-formed XML, or this raises
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return "".join(root.itertext()).replace("\xa0", " ")


def test_timeline_svg_is_xml_with_the_ties_names(
    run: Run, small_registry: Path, tmp_path: Path
) -> None:
    svg = tmp_path / "taipei-daegu.svg"
    result = run("-r", small_registry, "timeline", "taipei-daegu", *AS_OF, "--svg", svg)
    assert result.exit_code == ExitCode.OK, result.stderr
    text = _svg_text(svg)
    for name in ("Taipei–Daegu", "臺北市", "대구광역시", "Agreement to Reaffirm Sister City"):
        assert name in text
    assert "Taipei–Daegu" in result.stdout  # the terminal still gets the timeline


def test_pictures_have_the_width_asked(run: Run, small_registry: Path, tmp_path: Path) -> None:
    def widest(columns: int) -> float:
        svg = tmp_path / f"w{columns}.svg"
        run("-r", small_registry, "timeline", "taipei-daegu", *AS_OF, "--svg", svg,
            "--width", str(columns))  # fmt: skip
        return float(ET.parse(svg).getroot().attrib["viewBox"].split()[2])

    assert widest(60) < widest(100) < widest(140)
    # The same picture on every machine, whatever the terminal's width.
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    run("-r", small_registry, "stats", *AS_OF, "--svg", first, env=width(50))
    run("-r", small_registry, "stats", *AS_OF, "--svg", second, env=width(200))
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("list",), ["taipei-daegu", "São Paulo", "Prague"]),
        (("show", "taipei-daegu"), ["Taipei–Daegu", "Ko Wen-je"]),
        (("timeline", "--city", "Daegu"), ["Daegu", "São Paulo", "Taipei"]),
        (("stats",), ["Ties founded per decade", "South Korea"]),
    ],
)
def test_every_view_makes_svg_and_html_pictures(
    run: Run, small_registry: Path, tmp_path: Path, args: tuple[str, ...], names: list[str]
) -> None:
    svg, html = tmp_path / "view.svg", tmp_path / "view.html"
    result = run("-r", small_registry, *args, *AS_OF, "--svg", svg, "--html", html)
    assert result.exit_code == ExitCode.OK, result.stderr
    text = _svg_text(svg)
    page = html.read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html>")
    for name in names:
        assert name in text
        assert name in page


def test_pictures_are_of_tables_not_of_data(run: Run, small_registry: Path, tmp_path: Path) -> None:
    svg = tmp_path / "list.svg"
    result = run("-r", small_registry, "list", "--format", "json", "--svg", svg)
    assert result.exit_code == ExitCode.USAGE
    assert "--svg and --html picture the table: leave out --format" in result.stderr
    assert not svg.exists()


def test_an_unwritable_picture_is_refused_in_one_line(
    run: Run, small_registry: Path, tmp_path: Path
) -> None:
    result = run("-r", small_registry, "stats", "--svg", tmp_path / "missing" / "stats.svg")
    assert result.exit_code == ExitCode.REFUSED
    assert result.stderr.startswith("sisterctl: cannot write ")
    assert result.stderr.count("\n") == 1


class _AsciiFile(io.StringIO):
    encoding = "ascii"  # type: ignore[assignment]  # a console that cannot show Unicode


def test_a_console_without_unicode_gets_ascii_markers_rails_and_bars() -> None:
    from sisterctl.cli import printer
    from sisterctl.core.stats import registry_stats
    from sisterctl.core.timeline import tie_timeline
    from sisterctl.output import render
    from sisterctl.store.read import load

    registry = load(DATA / "timeline.toml")
    day = dt.date(2026, 3, 1)
    out = _AsciiFile()
    console = printer.make_console(out, width=80)
    console.print(render.timeline_view(tie_timeline(registry, registry.by_id["daegu-ningbo"], day)))
    console.print(render.stats_view(registry_stats(registry, registry.partnerships, day)))
    text = out.getvalue()
    assert not set("◆●★☆■□▲△◐✕↺│┆█▏▎▍▌▋▊▉") & set(text)
    assert "  * 2002-10     founded" in text
    assert "  ^ 2013-06-08  upgrade" in text
    assert "  |" in text and "  :" in text
    assert "  active     6   75%  ####" in text


# ---------------------------------------------------------------------------
# The bundled registry tells the press release's story


def _events(out: str) -> list[tuple[str, str, str]]:
    """The events of a printed timeline as (marker, date, all its text on one line)."""
    events: list[tuple[str, str, str]] = []
    for line in out.splitlines():
        first = re.match(r"^  ([^\s│┆]) (\S+) +(.*)$", line)
        more = re.match(r"^  [│┆ ] +(\S.*)$", line)
        if first:
            events.append((first.group(1), first.group(2), first.group(3)))
        elif more and events:
            marker, date, text = events[-1]
            events[-1] = (marker, date, f"{text} {more.group(1)}")
    return [(m, d, " ".join(t.split())) for m, d, t in events]


def test_bundled_taipei_daegu_timeline_tells_the_press_release_story(run: Run) -> None:
    result = run("timeline", "Taipei", "Daegu", "--as-of", "2026-03-01")
    assert result.exit_code == ExitCode.OK, result.stderr
    events = _events(result.stdout)
    story: list[Callable[[str, str, str], bool]] = [
        lambda m, d, t: m == "◆" and d == "2010-11-04" and "founded" in t,
        lambda m, d, t: d.startswith("2017") and "delegation" in t and "Universiade" in t,
        lambda m, d, t: m == "★" and d == "2020-11-04" and "10th anniversary" in t,
        lambda m, d, t: (
            d == "2021-03-23" and "Smart City Leaders Summit" in t and "video conference" in t
        ),
        lambda m, d, t: (
            m == "■"
            and d == "2021-03-26"
            and "reaffirmation Agreement to Reaffirm Sister City Friendship" in t
            and "signed by Ko Wen-je (Mayor of Taipei) and Kwon Young-jin (Mayor of Daegu)"
            " by video conference"
            in t
            and "smart cities, pandemic prevention, sanitation, tourism, culture" in t
        ),
        lambda m, d, t: (
            m == "□"
            and d == "2021"
            and "Memorandum on Mutual Tourism Promotion and Cooperation · planned" in t
        ),
        lambda m, d, t: m == "☆" and d == "2026-11-04" and "16th anniversary · next" in t,
        lambda m, d, t: d == "unknown" and "Chimaek Festival" in t,
        lambda m, d, t: d == "unknown" and "World Water Cities Forum" in t,
    ]
    found = [next(i for i, e in enumerate(events) if chapter(*e)) for chapter in story]
    assert found[:7] == sorted(found[:7]), events
    # The undated events come after every dated one.
    assert min(found[7:]) > max(i for i, e in enumerate(events) if e[1] != "unknown")


def test_the_picture_in_the_readme_shows_the_bundled_timeline_as_it_is(
    run: Run, tmp_path: Path
) -> None:
    picture = Path(__file__).parents[1] / "docs" / "images" / "timeline-taipei-daegu.svg"
    committed = _svg_text(picture)
    for name in ("Taipei–Daegu", "臺北市", "대구광역시", "Agreement to Reaffirm Sister City"):
        assert name in committed
    # The README's command, run now: the same text (styles and ids may differ between
    # versions of Rich). When this fails, run the command in the README again.
    fresh = tmp_path / "timeline.svg"
    result = run("timeline", "taipei-daegu", "--as-of", "2026-03-01", "--svg", fresh)
    assert result.exit_code == ExitCode.OK, result.stderr
    assert _svg_text(fresh) == committed, "docs/images/timeline-taipei-daegu.svg is out of date"
