"""`sisterctl import csv|wikidata|json` on registries in tmp_path."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sisterctl import store
from sisterctl.errors import ExitCode
from tests.conftest import DATA, EMPTY, TWIN_CITIES, Run

SMALL_CSV = """\
city1,country1,city2,country2
Daegu,South Korea,Taipei,Taiwan
Taipei,TW,Daegu,"Korea, Republic of"
Nienburg,Germany,Nienburg,Germany
Kyrenia,Northern Cyprus,Izmir,Turkey
Ningbo,China,"Varna, Bulgaria",
"""


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """File names in messages stay short: the tests run in tmp_path."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def empty(empty_registry: Path) -> Path:
    return empty_registry


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    path = Path("ties.csv")
    path.write_text(SMALL_CSV, encoding="utf-8")
    return path


def test_import_csv_adds_ties_and_says_what_it_skipped(
    run: Run, empty: Path, small_csv: Path
) -> None:
    result = run("-r", empty, "import", "csv", small_csv)
    assert result.exit_code == ExitCode.OK, result.stderr
    assert result.stdout == (
        f"Added 2 ties and 4 new cities from {small_csv} (5 lines read)\n"
        "already in the registry     0\n"
        "given earlier in this file  1\n"
        "skipped                     2\n"
        "  unknown country           1\n"
        "  a city tied to itself     1\n"
        "Skipped\n"
        "line 4  a city tied to itself  Nienburg, Germany\n"
        "line 5  unknown country        Northern Cyprus (for Kyrenia)\n"
    )
    assert result.stderr == ""  # no progress bar off a terminal
    held = store.load(empty)
    assert [(t.id, t.title) for t in held] == [
        ("daegu-taipei", "Daegu–Taipei"),
        ("ningbo-varna", "Ningbo–Varna"),
    ]
    assert held.cities["varna-bg"].country_name == "Bulgaria"


def test_import_again_adds_nothing_and_leaves_the_file_as_it_was(
    run: Run, empty: Path, small_csv: Path
) -> None:
    assert run("-r", empty, "import", "csv", small_csv).exit_code == ExitCode.OK
    before = empty.read_bytes()
    result = run("-r", empty, "import", "csv", small_csv, "--show-skipped", "0")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert result.stdout.splitlines()[:3] == [
        f"Nothing to add from {small_csv} (5 lines read)",
        "already in the registry     3",
        "given earlier in this file  0",
    ]
    assert "Skipped" not in result.stdout
    assert empty.read_bytes() == before


def test_dry_run_prints_the_summary_and_writes_nothing(
    run: Run, empty: Path, small_csv: Path
) -> None:
    result = run("-r", empty, "import", "csv", small_csv, "--dry-run", "--show-skipped", "1")
    assert result.exit_code == ExitCode.OK, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Would add 2 ties and 4 new cities from {small_csv} (5 lines read)"
    assert lines[-3:] == [
        "Skipped (the first 1 of 2)",
        "line 4  a city tied to itself  Nienburg, Germany",
        "Nothing was written (--dry-run).",
    ]
    assert empty.read_text(encoding="utf-8") == EMPTY
    assert not [p for p in empty.parent.iterdir() if p.name.endswith(".lock")]


def test_the_summary_as_json_lists_every_skipped_row(
    run: Run, empty: Path, small_csv: Path
) -> None:
    result = run("-r", empty, "import", "csv", small_csv, "--format", "json", "--dry-run")
    assert result.exit_code == ExitCode.OK, result.stderr
    summary = json.loads(result.stdout)
    assert summary["added"] == {
        "cities": 4,
        "partnerships": 2,
        "agreements": 0,
        "exchanges": 0,
        "status_changes": 0,
    }
    assert (summary["dry_run"], summary["written"]) == (True, False)
    assert summary["skipped"]["rows"] == [
        {"where": "line 4", "reason": "a city tied to itself", "detail": "Nienburg, Germany"},
        {
            "where": "line 5",
            "reason": "unknown country",
            "detail": "Northern Cyprus (for Kyrenia)",
        },
    ]


def test_map_kind_and_source_options(run: Run, empty: Path, tmp_path: Path) -> None:
    path = tmp_path / "signed.csv"
    path.write_text("from,from_country,to,to_country,signed\nTaipei,TW,Daegu,KR,2010-11-04\n")
    result = run(
        "-r", empty, "import", "csv", path,
        "--map", "city1=from", "--map", "country1=from_country",
        "--map", "city2=to", "--map", "country2=to_country", "--map", "established=signed",
        "--kind", "friendship city", "--source", "https://example.org/list",
    )  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.stderr
    [tie] = store.load(empty).partnerships
    assert (tie.kind, str(tie.established), tie.sources) == (
        "friendship city",
        "2010-11-04",
        ("https://example.org/list",),
    )


def test_import_reads_standard_input(run: Run, empty: Path) -> None:
    result = run("-r", empty, "import", "csv", "-", input=SMALL_CSV)
    assert result.exit_code == ExitCode.OK, result.stderr
    assert result.stdout.startswith("Added 2 ties and 4 new cities from <stdin> (5 lines read)")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"city1,country1,city2,country2\nS\xe3o Paulo,BR,Daegu,KR\n", "line 2: not UTF-8 text"),
        (b"a,b\n1,2\n", "no column for city1, country1, city2, country2 (the columns are: a, b)"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_and_nothing_written(
    run: Run, empty: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = run("-r", empty, "import", "csv", path)
    assert result.exit_code == ExitCode.REFUSED
    assert result.stderr.startswith(f"sisterctl: {path}: {message}")
    assert result.stdout == ""
    assert empty.read_text(encoding="utf-8") == EMPTY


def test_a_missing_file_and_a_bad_map_option(run: Run, empty: Path, tmp_path: Path) -> None:
    result = run("-r", empty, "import", "csv", tmp_path / "nope.csv")
    assert (result.exit_code, result.stderr) == (
        1,
        f"sisterctl: {tmp_path / 'nope.csv'}: no such file\n",
    )
    result = run("-r", empty, "import", "csv", tmp_path / "nope.csv", "--map", "date")
    assert result.exit_code == ExitCode.USAGE
    assert "--map takes FIELD=COLUMN" in result.stderr


def test_the_bundled_registry_is_not_written(run: Run, small_csv: Path) -> None:
    result = run("import", "csv", small_csv)
    assert result.exit_code == ExitCode.REFUSED
    assert result.stderr == (
        "sisterctl: the bundled registry is read-only: make your own with "
        "'sisterctl init', or name one with --registry PATH\n"
    )


def test_an_invalid_registry_is_not_written(run: Run, small_csv: Path, tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("schema_version = 1\n[[city]]\nid = 'x'\n", encoding="utf-8")
    before = path.read_bytes()
    result = run("-r", path, "import", "csv", small_csv)
    assert result.exit_code == ExitCode.REGISTRY
    assert "fix the registry before adding to it" in result.stderr
    assert path.read_bytes() == before


def test_import_wikidata(run: Run, empty: Path, tmp_path: Path) -> None:
    (tmp_path / "query.json").write_bytes((DATA / "wikidata-sample.json").read_bytes())
    result = run("-r", empty, "import", "wikidata", "query.json")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "Added 9 ties and 12 new cities from query.json (14 results read)",
        "already in the registry        0",
    ]
    assert "result 13  a city with no English name  https://www.wikidata.org/wiki/Q107290544" in (
        result.stdout
    )
    held = store.load(empty)
    # Each new city keeps its Wikidata item, for export quickstatements.
    assert (held.cities["daegu-kr"].wikidata, held.cities["taipei-tw"].wikidata) == (
        "Q20927",
        "Q1867",
    )
    assert 'wikidata = "Q20927"' in empty.read_text(encoding="utf-8")
    osaka = held.by_id["san-francisco-osaka"]
    assert held.state(osaka).status.value == "ended"
    assert str(held.state(osaka).since) == "2018-10-02"
    assert str(held.by_id["seoul-tokyo"].established) == "1988"  # a year stays a year
    listed = run("-r", empty, "list", "--city", "Tokyo", "--format", "csv", "--as-of", "2026-11-28")
    assert listed.stdout.splitlines()[1:] == [
        "tokyo-new-york-city,Tokyo,JP,New York City,US,sister city,1960-02-29,day,66,active",
        "seoul-tokyo,Seoul,KR,Tokyo,JP,sister city,1988,year,37,active",
    ]


def test_import_wikidata_with_a_kind_for_every_tie(run: Run, empty: Path) -> None:
    result = run(
        "-r", empty, "import", "wikidata", DATA / "wikidata-sample.json", "--kind", "twin town"
    )
    assert result.exit_code == ExitCode.OK, result.stderr
    assert {tie.kind for tie in store.load(empty)} == {"twin town"}


def test_import_json_into_an_empty_registry_gives_the_same_registry(
    run: Run, small_registry: Path, empty: Path, tmp_path: Path
) -> None:
    exported = Path("registry.json")
    assert run("-r", small_registry, "export", "json", "-o", exported).exit_code == ExitCode.OK
    result = run("-r", empty, "import", "json", exported)
    assert result.exit_code == ExitCode.OK, result.stderr
    assert result.stdout.splitlines()[0] == (
        f"Added 3 ties, 5 new cities, 1 agreement and 1 exchange from {exported} (10 records read)"
    )
    assert store.load(empty) == store.load(small_registry)
    again = run("-r", empty, "export", "json")
    assert again.stdout == exported.read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_whole_twin_cities_file_into_an_empty_registry(run: Run, empty: Path) -> None:
    if not TWIN_CITIES.exists():
        pytest.skip(f"{TWIN_CITIES} is not present (the shared twin-cities data set)")
    started = time.monotonic()
    result = run("-r", empty, "import", "csv", TWIN_CITIES, "--format", "json")
    elapsed = time.monotonic() - started
    assert result.exit_code == ExitCode.OK, result.stderr
    summary = json.loads(result.stdout)
    assert summary["read"] == {"count": 26114, "unit": "line"}
    assert summary["added"]["partnerships"] == 24799
    assert summary["added"]["cities"] == 17169
    assert summary["repeated_in_file"] == 1264  # most ties are listed under both countries
    assert summary["skipped"]["by_reason"] == {
        "unknown country": 48,  # Northern Cyprus, which has no ISO 3166-1 code
        "a city tied to itself": 3,
    }
    held = store.load(empty)
    assert len(held) == 24799
    assert held.cities["varna-bg"].name == "Varna"
    print(f"\nimported 26,114 rows in {elapsed:.1f} s")  # reported, never asserted


def test_a_progress_bar_shows_on_a_terminal_for_large_files(
    run: Run, empty: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from rich.console import Console

    from sisterctl.cli import printer

    screen = io.StringIO()
    monkeypatch.setattr(
        printer,
        "make_console",
        lambda **_: Console(file=screen, force_terminal=True, width=100),
    )
    rows = "".join(f"A{i},DE,B{i},FR\n" for i in range(1500))
    Path("big.csv").write_text("city1,country1,city2,country2\n" + rows, encoding="utf-8")
    result = run("-r", empty, "import", "csv", "big.csv", "--format", "json")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert json.loads(result.stdout)["added"]["partnerships"] == 1500
    shown = screen.getvalue()
    assert "Placing ties" in shown and "1500/1500" in shown
