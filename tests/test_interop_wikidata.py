"""Wikidata: SPARQL query results for P190, with P580/P582 at their precision."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sisterctl.dates import PartialDate
from sisterctl.errors import RefusedError
from sisterctl.interop import wikidata
from sisterctl.interop.plan import Candidate, Reading, SkipReason
from sisterctl.model import Status
from tests.conftest import DATA

SAMPLE = DATA / "wikidata-sample.json"
ENTITY = "http://www.wikidata.org/entity/"
VARS = ["city", "cityLabel", "cityCountry", "twin", "twinLabel", "twinCountry"]


def sample() -> Reading:
    return wikidata.read(SAMPLE.read_text(encoding="utf-8"), "sample.json")


def by_names(reading: Reading) -> dict[tuple[str, str], Candidate]:
    return {(c.a.name, c.b.name): c for c in reading.candidates}


def test_the_sample_gives_one_tie_per_pair_of_items() -> None:
    reading = sample()
    assert (reading.rows, reading.unit, reading.repeated) == (14, "result", 2)
    assert list(by_names(reading)) == [
        ("Daegu", "Taipei"),
        ("Prague", "Beijing"),
        ("Prague", "Taipei"),
        ("Shanghai", "Prague"),
        ("Tokyo", "New York City"),
        ("San Francisco", "Osaka"),
        ("Seoul", "Tokyo"),
        ("Daegu", "Atlanta"),
        ("Daegu", "Almaty"),
    ]


def test_dates_keep_wikidatas_precision() -> None:
    ties = by_names(sample())
    # Two statements, day and year: the day, which the year agrees with.
    assert ties["Daegu", "Taipei"].established == PartialDate(2010, 11, 4)
    assert ties["Daegu", "Taipei"].notes is None
    assert ties["Prague", "Beijing"].established == PartialDate(2016, 3)  # precision 10
    assert ties["Seoul", "Tokyo"].established == PartialDate(1988)  # precision 9
    assert ties["Tokyo", "New York City"].established == PartialDate(1960, 2, 29)
    # A decade (precision 8) is no registry date: left out, and said in the notes.
    almaty = ties["Daegu", "Almaty"]
    assert almaty.established is None
    assert almaty.notes == "Wikidata gives the start only to the decade (1990)"


def test_an_end_time_ends_the_tie() -> None:
    ties = by_names(sample())
    beijing = ties["Prague", "Beijing"]
    assert (beijing.status, beijing.status_date) == (Status.ENDED, PartialDate(2019, 10, 7))
    # 2018-10 on one statement and 2018-10-02 on the other: the more precise.
    osaka = ties["San Francisco", "Osaka"]
    assert (osaka.established, osaka.status_date) == (
        PartialDate(1957, 10, 7),
        PartialDate(2018, 10, 2),
    )
    assert ties["Prague", "Taipei"].status is None


def test_countries_coordinates_and_sources_come_from_the_items() -> None:
    tie = by_names(sample())["Daegu", "Taipei"]
    assert (tie.a.country, tie.b.country) == ("KR", "TW")
    assert (tie.a.lat, tie.a.lon) == (35.871389, 128.601389)  # WKT is Point(lon lat)
    assert tie.a.sources == ("https://www.wikidata.org/wiki/Q20927",)
    assert (tie.a.wikidata, tie.b.wikidata) == ("Q20927", "Q1867")
    assert tie.sources == ("https://www.wikidata.org/wiki/Q20927",)


def test_rows_that_cannot_be_placed_are_skipped_with_their_result_number() -> None:
    skipped = [(s.where, s.reason, s.detail) for s in sample().skipped]
    assert skipped == [
        (12, SkipReason.MISSING_CITY, "Daegu"),  # twin is an "unknown value"
        (13, SkipReason.NO_NAME, "https://www.wikidata.org/wiki/Q107290544"),
        (14, SkipReason.NO_COUNTRY, "Qingdao (https://www.wikidata.org/wiki/Q170322)"),
    ]


def binding(city: str, twin: str, **values: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "city": {"type": "uri", "value": ENTITY + city},
        "cityLabel": {"type": "literal", "value": f"City {city}"},
        "cityCountry": {"type": "literal", "value": "DE"},
        "twin": {"type": "uri", "value": ENTITY + twin},
        "twinLabel": {"type": "literal", "value": f"Town {twin}"},
        "twinCountry": {"type": "literal", "value": "FR"},
    }
    row.update({k: {"type": "literal", "value": v} for k, v in values.items()})
    return row


def results(*rows: dict[str, Any], variables: list[str] | None = None) -> str:
    head = {"vars": variables or [*VARS, "start", "startPrecision", "end", "endPrecision"]}
    return json.dumps({"head": head, "results": {"bindings": list(rows)}})


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        ("+1997-00-00T00:00:00Z", "9", PartialDate(1997)),  # Wikibase's own form
        ("1997-01-01T00:00:00Z", "9", PartialDate(1997)),
        ("2002-10-01T00:00:00Z", "10", PartialDate(2002, 10)),
        ("+2002-10-00T00:00:00Z", "10", PartialDate(2002, 10)),
        ("2010-11-04T00:00:00Z", "11", PartialDate(2010, 11, 4)),
        ("2010-11-04T09:30:00Z", "13", PartialDate(2010, 11, 4)),
        # No precision in the results: never more than the value can say.
        ("1997-01-01T00:00:00Z", None, PartialDate(1997)),
        ("2002-10-01T00:00:00Z", None, PartialDate(2002, 10)),
        ("2010-11-04T00:00:00Z", None, PartialDate(2010, 11, 4)),
        ("1900-01-01T00:00:00Z", "7", None),  # a century
        ("-0500-01-01T00:00:00Z", "9", None),  # before the year 1
    ],
)
def test_time_values(value: str, precision: str | None, expected: PartialDate | None) -> None:
    values = {"start": value} | ({"startPrecision": precision} if precision else {})
    [candidate] = wikidata.read(results(binding("Q1", "Q2", **values)), "r.json").candidates
    assert candidate.established == expected


def test_a_time_that_is_no_date_skips_the_row() -> None:
    reading = wikidata.read(
        results(binding("Q1", "Q2", start="2021-02-30T00:00:00Z", startPrecision="11")), "r.json"
    )
    assert [(s.reason, s.detail) for s in reading.skipped] == [
        (SkipReason.BAD_VALUE, "start time '2021-02-30T00:00:00Z' is not a date")
    ]


def test_an_item_with_two_countries_keeps_the_first_and_stays_one_city() -> None:
    first = binding("Q1", "Q2")
    second = binding("Q1", "Q3")
    second["cityCountry"]["value"] = "AT"
    third = binding("Q4", "Q1")
    third["twinCountry"]["value"] = "AT"
    reading = wikidata.read(results(first, second, third), "r.json")
    assert {(c.a.name, c.a.country) for c in reading.candidates[:2]} == {("City Q1", "DE")}
    assert (reading.candidates[2].b.name, reading.candidates[2].b.country) == ("City Q1", "DE")


def test_a_country_code_that_is_not_iso_is_reported() -> None:
    row = binding("Q1", "Q2")
    row["twinCountry"]["value"] = "QQ"
    [skip] = wikidata.read(results(row), "r.json").skipped
    assert (skip.reason, skip.detail) == (SkipReason.UNKNOWN_COUNTRY, "QQ (for Town Q2)")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "r.json: line 1: not valid JSON"),
        ("[]", "r.json: not SPARQL query results in JSON"),
        (
            results(variables=["item", "itemLabel"]),
            "r.json: the query does not select ?city, ?cityLabel, ?twin, ?twinLabel",
        ),
    ],
)
def test_files_that_are_not_query_results_are_refused(text: str, message: str) -> None:
    with pytest.raises(RefusedError, match=message.replace("?", r"\?")):
        wikidata.read(text, "r.json")
