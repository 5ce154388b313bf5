"""CSV and JSON for scripts: --no-formula-guard, filters on export csv, list --fields,
timeline and stats --format json (docs/json-format.md, "Command output")."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run

AS_OF = ("--as-of", "2026-03-01")

FORMULAS = """\
schema_version = 1

[[city]]
id = "a-tw"
name = "=HYPERLINK(\\"http://x\\")"
country = "TW"

[[city]]
id = "b-kr"
name = "@Daegu"
country = "KR"

[[partnership]]
id = "a-b"
cities = ["a-tw", "b-kr"]
kind = "-x"
established = "2010-11-04"
notes = "+1 for the tie"
"""


@pytest.fixture
def formulas(tmp_path: Path) -> Path:
    path = tmp_path / "formulas.toml"
    path.write_text(FORMULAS, encoding="utf-8")
    return path


def test_no_formula_guard_writes_every_csv_cell_as_it_is(run: Run, formulas: Path) -> None:
    guarded = run("-r", formulas, "list", "--format", "csv", *AS_OF).stdout.splitlines()[1]
    assert (
        guarded == 'a-b,"\'=HYPERLINK(""http://x"")",TW,\'@Daegu,KR,\'-x,2010-11-04,day,15,active'
    )
    raw = run("-r", formulas, "list", "--format", "csv", "--no-formula-guard", *AS_OF)
    assert raw.stdout.splitlines()[1] == (
        'a-b,"=HYPERLINK(""http://x"")",TW,@Daegu,KR,-x,2010-11-04,day,15,active'
    )
    exported = run("-r", formulas, "export", "csv", "--no-formula-guard").stdout
    row = next(r for r in csv.DictReader(io.StringIO(exported)))
    assert (row["city_a"], row["city_b"], row["kind"], row["notes"]) == (
        '=HYPERLINK("http://x")',
        "@Daegu",
        "-x",
        "+1 for the tie",
    )
    assert "'+1 for the tie" in run("-r", formulas, "export", "csv").stdout
    upcoming = run(
        "-r",
        formulas,
        "upcoming",
        "--within",
        "1y",
        "--format",
        "csv",
        "--no-formula-guard",
        *AS_OF,
    ).stdout
    assert upcoming.splitlines()[1] == (
        '2026-11-04,day,248,16,false,a-b,"=HYPERLINK(""http://x"")",TW,@Daegu,KR,-x,founding,,'
        "2010-11-04,active"
    )


def test_export_csv_takes_the_filters_of_list(run: Run, small_registry: Path) -> None:
    result = run("-r", small_registry, "export", "csv", "--country", "KR", "--since", "2000")
    assert result.exit_code == 0, result.stderr
    assert [r["id"] for r in csv.DictReader(io.StringIO(result.stdout))] == ["taipei-daegu"]
    ended = run("-r", small_registry, "export", "csv", "--status", "ended").stdout
    assert [r["id"] for r in csv.DictReader(io.StringIO(ended))] == ["prague-beijing"]


def test_list_fields_chooses_the_columns_and_their_order(run: Run, small_registry: Path) -> None:
    fields = "id,status,status_date,status_reason,fields,sources,notes,kind_as_founded"
    result = run("-r", small_registry, "list", "-f", "csv", "--fields", fields, *AS_OF)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        fields,
        "daegu-sao-paulo,active,,,,,,friendship city",
        "taipei-daegu,active,,,,https://example.org/a,,sister city",
        "prague-beijing,ended,2019-10-07,Prague ended the tie,culture,,,sister city",
    ]
    rows = json.loads(
        run("-r", small_registry, "list", "-f", "json", "--fields", "id,sources,city_b_id").stdout
    )
    assert rows[1] == {
        "id": "taipei-daegu",
        "sources": ["https://example.org/a"],
        "city_b_id": "daegu-kr",
    }
    tsv = run("-r", small_registry, "list", "-f", "tsv", "--fields", "local_name_a,id").stdout
    assert tsv.splitlines()[:3] == [
        "local_name_a\tid",
        "대구광역시\tdaegu-sao-paulo",
        "臺北市\ttaipei-daegu",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("-f", "csv", "--fields", "id,stat"),
            "--fields: unknown field 'stat' (did you mean status?)",
        ),
        (("-f", "csv", "--fields", "id,,kind"), "--fields: an empty field name"),
        (("-f", "csv", "--fields", "id,id"), "--fields: id is named twice"),
        (("--fields", "id"), "--fields chooses the columns of --format json, csv or tsv"),
    ],
)
def test_list_fields_refuses_what_it_cannot_print(
    run: Run, small_registry: Path, args: tuple[str, ...], message: str
) -> None:
    result = run("-r", small_registry, "list", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"sisterctl: {message}")
    assert result.stdout == ""


def _json(run: Run, *args: Any) -> Any:
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_timeline_json_has_every_event_with_its_date_and_precision(
    run: Run, small_registry: Path
) -> None:
    data = _json(run, "-r", small_registry, "timeline", "taipei-daegu", "-f", "json", *AS_OF)
    assert (data["id"], data["as_of"], data["established"], data["years"]) == (
        "taipei-daegu",
        "2026-03-01",
        "2010-11-04",
        15,
    )
    assert [c["local_name"] for c in data["cities"]] == ["臺北市", "대구광역시"]
    events = [(e["kind"], e["label"], e["date"], e["precision"]) for e in data["events"]]
    assert events[:3] == [
        ("founding", "founded", "2010-11-04", "day"),
        ("anniversary", "anniversary", "2011-11-04", "day"),
        ("anniversary", "anniversary", "2015-11-04", "day"),
    ]
    assert ("exchange", "delegation", "2017", "year") in events
    reaffirmation = next(e for e in data["events"] if e["label"] == "reaffirmation")
    assert reaffirmation["signatories"] == [
        {"name": "Ko Wen-je", "role": "Mayor of Taipei"},
        {"name": "Kwon Young-jin", "role": "Mayor of Daegu"},
    ]
    assert (reaffirmation["mode"], reaffirmation["fields"]) == (
        "video-conference",
        ["smart cities", "tourism"],
    )
    ahead = data["events"][-2]
    assert (ahead["kind"], ahead["date"], ahead["days_away"], ahead["ordinal"]) == (
        "next anniversary",
        "2026-11-04",
        248,
        16,
    )
    # Every event has every key, null when it has no value.
    assert len({tuple(e) for e in data["events"]}) == 1


def test_timeline_of_a_city_as_json(run: Run, small_registry: Path) -> None:
    data = _json(run, "-r", small_registry, "timeline", "--city", "Daegu", "-f", "json", *AS_OF)
    assert data["city"]["id"] == "daegu-kr"
    assert [(t["id"], t["partner"]["name"], t["established"]) for t in data["ties"]] == [
        ("daegu-sao-paulo", "São Paulo", "1997"),
        ("taipei-daegu", "Taipei", "2010-11-04"),
    ]
    assert data["statuses"] == {"active": 2, "suspended": 0, "ended": 0, "unknown": 0}
    assert data["per_decade"] == [
        {"label": "1990s", "count": 1},
        {"label": "2000s", "count": 0},
        {"label": "2010s", "count": 1},
    ]


def test_stats_json_counts_as_the_charts_do(run: Run, small_registry: Path) -> None:
    data = _json(run, "-r", small_registry, "stats", "-f", "json", "--top", "2", *AS_OF)
    assert (data["ties"], data["cities"], data["countries"]) == (3, 5, 5)
    assert data["countries_top"] == {
        "top": [
            {"label": "South Korea", "code": "KR", "count": 2},
            {"label": "Brazil", "code": "BR", "count": 1},
        ],
        "others": 3,
    }
    assert data["cities_top"]["top"][0] == {"label": "Daegu, South Korea", "count": 2}
    assert data["statuses"] == {"active": 2, "suspended": 0, "ended": 1}
    assert data["precisions"] == {"day": 1, "month": 1, "year": 1, "unknown": 0}
    assert data["kinds"]["top"] == [
        {"label": "sister city", "count": 2},
        {"label": "friendship city", "count": 1},
    ]


def test_json_views_are_no_pictures(run: Run, small_registry: Path, tmp_path: Path) -> None:
    result = run("-r", small_registry, "stats", "-f", "json", "--svg", tmp_path / "s.svg")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "--svg and --html picture what is shown: leave out --format" in result.stderr
    assert not (tmp_path / "s.svg").exists()
