"""`sisterctl export csv|json|geojson` on registries in tmp_path."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest

from sisterctl import store
from sisterctl.errors import ExitCode
from tests.conftest import EMPTY, Run

WITH_COORDINATES = """\
schema_version = 1

[[city]]
id = "taipei-tw"
name = "Taipei"
country = "TW"
lat = 25.0375
lon = 121.5625

[[city]]
id = "daegu-kr"
name = "=Daegu"
country = "KR"
lat = 35.8714
lon = 128.6014

[[city]]
id = "nowhere-de"
name = "Nowhere"
country = "DE"

[[partnership]]
id = "taipei-daegu"
cities = ["taipei-tw", "daegu-kr"]
established = "2010-11-04"

[[partnership]]
id = "taipei-nowhere"
cities = ["taipei-tw", "nowhere-de"]
"""


def test_export_csv_to_standard_output(run: Run, small_registry: Path) -> None:
    result = run("-r", small_registry, "export", "csv")
    assert result.exit_code == ExitCode.OK, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:9] == [
        "id",
        "city_a",
        "country_a",
        "city_b",
        "country_b",
        "kind",
        "established",
        "precision",
        "status",
    ]
    assert [row[0] for row in rows[1:]] == ["taipei-daegu", "daegu-sao-paulo", "prague-beijing"]
    assert result.stderr == ""


def test_export_csv_guards_formulas_and_imports_back(
    run: Run, write_registry: object, tmp_path: Path
) -> None:
    path = write_registry(WITH_COORDINATES)  # type: ignore[operator]
    out = tmp_path / "ties.csv"
    result = run("-r", path, "export", "csv", "-o", out, "--bom")
    assert (result.exit_code, result.stdout) == (ExitCode.OK, "")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\ufeffid,city_a,")
    assert "\ntaipei-daegu,Taipei,TW,'=Daegu,KR," in text
    target = tmp_path / "copy.toml"
    target.write_text(EMPTY, encoding="utf-8")
    assert run("-r", target, "import", "csv", out).exit_code == ExitCode.OK
    copy = store.load(target)
    assert [(t.cities[0].name, t.cities[1].name) for t in copy] == [
        ("Taipei", "=Daegu"),
        ("Taipei", "Nowhere"),
    ]
    assert [t.id for t in copy] == ["taipei-daegu", "taipei-nowhere"]
    assert (copy.cities["daegu-kr"].lat, copy.cities["daegu-kr"].lon) == (35.8714, 128.6014)


def test_export_json_is_the_documented_format(run: Run, small_registry: Path) -> None:
    result = run("-r", small_registry, "export", "json")
    assert result.exit_code == ExitCode.OK, result.stderr
    data = json.loads(result.stdout)
    assert (data["format"], data["schema_version"]) == ("sisterctl", 1)
    assert [c["id"] for c in data["cities"]] == [
        "taipei-tw",
        "daegu-kr",
        "sao-paulo-br",
        "prague-cz",
        "beijing-cn",
    ]
    assert data["partnerships"][1]["established"] == "1997"
    assert data["partnerships"][1]["precision"] == "year"
    assert "臺北市" in result.stdout  # written as text, not \\u escapes


def test_export_geojson_says_how_many_ties_it_left_out(
    run: Run, write_registry: object, tmp_path: Path
) -> None:
    path = write_registry(WITH_COORDINATES)  # type: ignore[operator]
    result = run("-r", path, "export", "geojson")
    assert result.exit_code == ExitCode.OK, result.stderr
    data = json.loads(result.stdout)
    [feature] = data["features"]
    line = feature["geometry"]["coordinates"]  # along the great circle, end to end
    assert (line[0], line[-1], len(line)) == ([121.5625, 25.0375], [128.6014, 35.8714], 9)
    assert result.stderr == "sisterctl: 1 tie left out: a city has no coordinates (lat, lon)\n"


def test_output_file_is_replaced_whole_and_keeps_its_permissions(
    run: Run, small_registry: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.json"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o640)
    assert run("-r", small_registry, "export", "json", "-o", out).exit_code == ExitCode.OK
    assert json.loads(out.read_text(encoding="utf-8"))["format"] == "sisterctl"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("command", ["csv", "json", "geojson", "ics"])
def test_export_will_not_overwrite_the_registry(
    run: Run, small_registry: Path, command: str
) -> None:
    before = small_registry.read_bytes()
    result = run("-r", small_registry, "export", command, "-o", small_registry)
    assert result.exit_code == ExitCode.REFUSED
    assert result.stderr == (
        f"sisterctl: {small_registry} is the registry itself; name another file with -o\n"
    )
    assert small_registry.read_bytes() == before


def test_an_output_folder_that_does_not_exist(
    run: Run, small_registry: Path, tmp_path: Path
) -> None:
    out = tmp_path / "missing" / "out.csv"
    result = run("-r", small_registry, "export", "csv", "-o", out)
    assert result.exit_code == ExitCode.REFUSED
    assert result.stderr == f"sisterctl: cannot write {out}: No such file or directory\n"
