"""CSV: reading city pairs as real data writes them, and writing ties for spreadsheets."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sisterctl import store
from sisterctl.cli.app import cli_words
from sisterctl.dates import PartialDate
from sisterctl.errors import Hint, Param, RefusedError, UsageError
from sisterctl.interop import csv_export, csv_import
from sisterctl.interop.plan import Candidate, Place, Skip, SkipReason
from sisterctl.model import Status
from sisterctl.output.plain import guard, unguard


def read(text: str, **options: object) -> tuple[list[Candidate], list[Skip]]:
    result = csv_import.read(text, "ties.csv", csv_import.Options(**options))  # type: ignore[arg-type]
    return list(result.candidates), list(result.skipped)


def pairs(candidates: list[Candidate]) -> list[tuple[str, str, str, str]]:
    return [(c.a.name, c.a.country, c.b.name, c.b.country) for c in candidates]


TWIN_CITIES_EXCERPT = """\
city1,country1,city2,country2
Daegu,South Korea,Taipei,Taiwan
Suseong (Daegu),"Korea, Republic of",Daegu – Seo,South Korea
Coventry,England,Coventry,"England, United Kingdom"
Ningbo,China,"Varna, Bulgaria",
Portsmouth,England,Falkland Islands,
Kyrenia,Northern Cyprus,Famagusta,Northern Cyprus
Somewhere,,Elsewhere,France
Lonely,Germany,,
Lagoa,"Azores, Portugal","Lagoa, Algarve",Portugal
"""


def test_the_twin_cities_columns_and_their_messy_countries() -> None:
    candidates, skipped = read(TWIN_CITIES_EXCERPT)
    assert pairs(candidates) == [
        ("Daegu", "KR", "Taipei", "TW"),
        ("Suseong (Daegu)", "KR", "Daegu – Seo", "KR"),  # districts stay themselves
        ("Coventry", "GB", "Coventry", "GB"),  # a self-tie: the planner skips it
        ("Ningbo", "CN", "Varna", "BG"),  # the country was in the city field
        ("Portsmouth", "GB", "Falkland Islands", "FK"),  # a territory as a party
        ("Lagoa", "PT", "Lagoa, Algarve", "PT"),
    ]
    assert skipped == [
        Skip(7, SkipReason.UNKNOWN_COUNTRY, "Northern Cyprus (for Kyrenia)"),
        Skip(8, SkipReason.NO_COUNTRY, "Somewhere"),
        Skip(9, SkipReason.MISSING_CITY, "Lonely"),
    ]


def test_line_numbers_count_physical_lines_and_blank_lines_are_not_rows() -> None:
    text = 'city1,country1,city2,country2\n\n"Multi\nline",DE,B,FR\nC,,D,FR\n'
    result = csv_import.read(text, "x.csv")
    assert result.rows == 2
    assert result.skipped == (Skip(5, SkipReason.NO_COUNTRY, "C"),)


def test_optional_columns_are_read_when_present() -> None:
    text = (
        "city1,country1,lat1,lng1,city2,country2,lat2,lng2,established,kind,status,source\n"
        "Berat,Albania,40.7022,19.9583,Amasya,Turkey,40.65,35.8331,1997,friendship city,"
        "ended,https://a.example; https://b.example\n"
    )
    [candidate], _ = read(text)
    assert candidate.a == Place("Berat", "AL", 40.7022, 19.9583)
    assert candidate.b == Place("Amasya", "TR", 40.65, 35.8331)
    assert candidate.established == PartialDate(1997)  # a year stays a year
    assert candidate.kind == "friendship city"
    assert candidate.status is Status.ENDED
    assert candidate.sources == ("https://a.example", "https://b.example")


def test_map_names_other_columns_and_defaults_fill_rows_that_give_none() -> None:
    text = "A,Land A,B,Land B,Date Signed\nTaipei,TW,Daegu,KR,2010-11\nSeoul,KR,Tokyo,JP,\n"
    mapping = csv_import.parse_mapping(
        ["city1=A", "country1=land a", "city2=B", "country2=Land B", "established=Date Signed"]
    )
    candidates, skipped = read(
        text, mapping=mapping, kind="sister city", source="https://example.org/list"
    )
    assert not skipped
    assert [c.established for c in candidates] == [PartialDate(2010, 11), None]
    assert {c.kind for c in candidates} == {"sister city"}
    assert {c.sources for c in candidates} == {("https://example.org/list",)}


def test_a_missing_column_is_refused_with_the_columns_there_are() -> None:
    with pytest.raises(RefusedError) as error:
        csv_import.read("town,nation,other\nA,B,C\n", "x.csv")
    assert error.value.hint is Hint.MAP_COLUMN and error.value.key == "city1"
    assert error.value.render(cli_words) == (
        "x.csv: no column for city1, country1, city2, country2 (the columns are: town, "
        "nation, other); name them with --map, such as --map city1=COLUMN"
    )
    with pytest.raises(RefusedError, match=r"mapping established=signed: no column 'signed'") as e:
        csv_import.read(
            "city1,country1,city2,country2\n",
            "x.csv",
            csv_import.Options({"established": "signed"}),
        )
    assert e.value.param is Param.MAPPING and e.value.key == "established"
    assert "x.csv: --map established=signed: no column" in e.value.render(cli_words)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["established"], "--map takes FIELD=COLUMN"),
        (["founded=x"], "--map: no field 'founded'; the fields are city1, country1"),
    ],
)
def test_bad_map_options_are_usage_errors(items: list[str], message: str) -> None:
    with pytest.raises(UsageError) as error:
        csv_import.parse_mapping(items)
    assert error.value.param is Param.MAPPING
    assert error.value.render(cli_words).startswith(message)
    assert "--map" not in str(error.value)


def test_bad_values_skip_the_row_with_the_reason() -> None:
    text = (
        "city1,country1,city2,country2,established,status,lat1,lng1\n"
        "A,DE,B,FR,2021-02-30,,,\n"
        "A,DE,C,FR,,retired,,\n"
        "A,DE,D,FR,,,north,east\n"
        "A,DE,E,FR,,,91,0\n"
    )
    _, skipped = read(text)
    assert [(s.where, s.reason) for s in skipped] == [
        (n, SkipReason.BAD_VALUE) for n in (2, 3, 4, 5)
    ]
    assert "February 2021 has 28 days" in skipped[0].detail
    assert skipped[1].detail == "status 'retired' (active, suspended, ended or unknown)"
    assert skipped[3].detail == "coordinates 91, 0 for A are out of range"


def test_semicolons_and_a_byte_order_mark_as_spreadsheets_write_them() -> None:
    text = "\ufeffcity1;country1;city2;country2\nSão Paulo;Brazil;Daegu;South Korea\n"
    candidates, _ = read(text)
    assert pairs(candidates) == [("São Paulo", "BR", "Daegu", "KR")]


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(RefusedError, match=r"x\.csv: the file is empty"):
        csv_import.read("\n", "x.csv")


# ---------------------------------------------------------------------------
# Writing


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),  # already quoted: one more, so that import gives it back
        ("'x", "'x"),
        ("Daegu", "Daegu"),
        ("", ""),
    ],
)
def test_guard(text: str, written: str) -> None:
    assert guard(text) == written
    assert unguard(written) == text


@given(st.text())
def test_unguard_reads_back_what_guard_wrote(text: str) -> None:
    assert unguard(guard(text)) == text


def test_export_rows_are_ties_as_they_stand(small_registry: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(csv_export.to_csv(store.load(small_registry)))))
    assert list(rows[0]) == list(csv_export.FIELDS)
    assert rows[0] == {
        "id": "taipei-daegu",
        "city_a": "Taipei",
        "country_a": "TW",
        "city_b": "Daegu",
        "country_b": "KR",
        "kind": "sister city",
        "established": "2010-11-04",
        "precision": "day",
        "status": "active",
        "status_date": "",
        "fields": "",
        "notes": "",
        "sources": "https://example.org/a",
        "lat_a": "",
        "lon_a": "",
        "lat_b": "",
        "lon_b": "",
    }
    ended = rows[2]
    assert (ended["status"], ended["status_date"], ended["fields"]) == (
        "ended",
        "2019-10-07",
        "culture",
    )


def test_import_of_an_export_reads_every_cell_back(write_registry: object) -> None:
    text = """schema_version = 1
[[city]]
id = "a-de"
name = "=cmd|' /C calc'!A0"
country = "DE"
lat = -33.86
lon = 151.2
[[city]]
id = "b-fr"
name = "-Minus"
country = "FR"
lat = 48.85
lon = 2.35
[[partnership]]
id = "a-b"
cities = ["a-de", "b-fr"]
kind = "@kind"
established = "1997"
fields = ["+plus", "culture"]
notes = "'=quoted"
sources = ["https://example.org/a", "https://example.org/b"]
"""
    path = write_registry(text)  # type: ignore[operator]
    exported = csv_export.to_csv(store.load(path))
    assert "'=cmd|' /C calc'!A0" in exported and ",-33.86," in exported
    [candidate] = csv_import.read(exported, "export.csv").candidates
    assert candidate == Candidate(
        2,
        Place("=cmd|' /C calc'!A0", "DE", -33.86, 151.2),
        Place("-Minus", "FR", 48.85, 2.35),
        id="a-b",
        kind="@kind",
        established=PartialDate(1997),
        status=Status.ACTIVE,
        fields=("+plus", "culture"),
        notes="'=quoted",
        sources=("https://example.org/a", "https://example.org/b"),
    )
