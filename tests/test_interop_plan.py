"""Placing imported ties: cities reused or added, ties already there, ids, skips."""

from __future__ import annotations

from pathlib import Path

import pytest

from sisterctl import ids, store
from sisterctl.dates import PartialDate
from sisterctl.interop.plan import (
    Candidate,
    Place,
    Reading,
    Skip,
    SkipReason,
    place_ties,
)
from sisterctl.model import Registry, Status
from sisterctl.text import slug

EMPTY = Registry(cities={}, partnerships=())


def reading(*candidates: Candidate, skipped: tuple[Skip, ...] = ()) -> Reading:
    return Reading(candidates, skipped, rows=len(candidates) + len(skipped))


def tie(where: int, a: str, ca: str, b: str, cb: str, **kwargs: object) -> Candidate:
    return Candidate(where, Place(a, ca), Place(b, cb), **kwargs)  # type: ignore[arg-type]


def records(outcome: object, table: str) -> list[dict[str, object]]:
    return [r for t, r in outcome.records if t == table]  # type: ignore[attr-defined]


def test_new_cities_come_just_before_the_first_tie_that_names_them() -> None:
    outcome = place_ties(
        EMPTY,
        reading(tie(2, "Taipei", "TW", "Daegu", "KR"), tie(3, "Daegu", "KR", "Chengdu", "CN")),
    )
    assert [(t, r["id"]) for t, r in outcome.records] == [
        ("city", "taipei-tw"),
        ("city", "daegu-kr"),
        ("partnership", "taipei-daegu"),
        ("city", "chengdu-cn"),
        ("partnership", "daegu-chengdu"),
    ]
    assert records(outcome, "partnership")[0] == {
        "id": "taipei-daegu",
        "cities": ["taipei-tw", "daegu-kr"],
        "kind": None,
        "established": None,
        "status": None,
        "status_date": None,
        "fields": [],
        "notes": None,
        "sources": [],
    }


def test_a_tie_given_twice_in_either_order_case_or_accents_is_added_once() -> None:
    outcome = place_ties(
        EMPTY,
        reading(
            tie(2, "São Paulo", "BR", "Daegu", "KR"),
            tie(3, "DAEGU", "KR", "sao paulo", "BR"),
            tie(4, "Daegu", "KR", "Sao Paulo", "BR"),
        ),
    )
    assert len(records(outcome, "partnership")) == 1
    assert [r["name"] for r in records(outcome, "city")] == ["São Paulo", "Daegu"]
    assert (outcome.present, outcome.repeated) == (0, 2)


def test_registry_cities_are_found_by_alias_and_local_name(small_registry: Path) -> None:
    held = store.load(small_registry)
    outcome = place_ties(
        held,
        reading(
            tie(2, "Taegu", "KR", "Taipei", "TW"),  # the tie taipei-daegu, by alias
            tie(3, "臺北市", "TW", "Chengdu", "CN"),  # Taipei by its local name
            tie(4, "Daegu", "KR", "Praha", "CZ"),  # Prague by its local name
        ),
    )
    assert outcome.present == 1
    ties = records(outcome, "partnership")
    assert [t["cities"] for t in ties] == [["taipei-tw", "chengdu-cn"], ["daegu-kr", "prague-cz"]]
    assert [t["id"] for t in ties] == ["taipei-chengdu", "daegu-prague"]
    assert [r["id"] for r in records(outcome, "city")] == ["chengdu-cn"]


def test_a_city_tied_to_itself_is_skipped_with_its_line() -> None:
    outcome = place_ties(
        EMPTY, reading(tie(7, "Nienburg", "DE", "nienburg", "DE"), tie(8, "A", "DE", "B", "DE"))
    )
    assert outcome.skipped == [Skip(7, SkipReason.SAME_CITY, "Nienburg, Germany")]
    assert len(records(outcome, "partnership")) == 1


def test_same_name_in_two_countries_is_two_cities_and_no_self_tie() -> None:
    outcome = place_ties(EMPTY, reading(tie(2, "Berat", "AL", "Bérat", "FR")))
    assert [r["id"] for r in records(outcome, "city")] == ["berat-al", "berat-fr"]
    assert records(outcome, "partnership")[0]["id"] == "berat-berat"


def test_tie_ids_add_country_codes_then_a_number_when_taken() -> None:
    outcome = place_ties(
        EMPTY,
        reading(
            tie(2, "Paris", "FR", "Rome", "IT"),
            tie(3, "Paris", "US", "Rome", "US"),
            tie(4, "Paris", "FR", "Rome", "US"),
        ),
    )
    assert [t["id"] for t in records(outcome, "partnership")] == [
        "paris-rome",
        "paris-us-rome-us",
        "paris-fr-rome-us",
    ]


def test_a_preferred_tie_id_is_kept_when_it_is_free_and_valid(small_registry: Path) -> None:
    held = store.load(small_registry)
    outcome = place_ties(
        held,
        reading(
            tie(2, "Seoul", "KR", "Tokyo", "JP", id="seoul-tokyo-1988"),
            tie(3, "Daegu", "KR", "Osaka", "JP", id="taipei-daegu"),  # taken
            tie(4, "Busan", "KR", "Osaka", "JP", id="Not An Id"),
        ),
    )
    assert [t["id"] for t in records(outcome, "partnership")] == [
        "seoul-tokyo-1988",
        "daegu-osaka",
        "busan-osaka",
    ]


def test_dates_status_and_coordinates_are_carried_into_the_records() -> None:
    candidate = Candidate(
        2,
        Place("Prague", "CZ", 50.08, 14.42, ("https://www.wikidata.org/wiki/Q1085",)),
        Place("Beijing", "CN"),
        established=PartialDate(2016, 3),
        status=Status.ENDED,
        status_date=PartialDate(2019, 10, 7),
        notes="ended by Prague",
        sources=("https://example.org/s",),
    )
    outcome = place_ties(EMPTY, reading(candidate))
    prague, beijing = records(outcome, "city")
    assert (prague["lat"], prague["lon"]) == (50.08, 14.42)
    assert prague["sources"] == ["https://www.wikidata.org/wiki/Q1085"]
    assert (beijing["lat"], beijing["lon"]) == (None, None)
    [record] = records(outcome, "partnership")
    assert record["established"] == "2016-03"
    assert (record["status"], record["status_date"]) == ("ended", "2019-10-07")
    assert record["sources"] == ["https://example.org/s"]


def test_skips_from_the_reader_are_kept_and_counted_by_reason() -> None:
    skipped = (
        Skip(9, SkipReason.NO_COUNTRY, "Varna"),
        Skip(3, SkipReason.UNKNOWN_COUNTRY, "Northern Cyprus (for Kyrenia)"),
        Skip(5, SkipReason.UNKNOWN_COUNTRY, "Northern Cyprus (for Famagusta)"),
    )
    outcome = place_ties(EMPTY, reading(tie(4, "X", "DE", "x", "DE"), skipped=skipped))
    assert [s.where for s in outcome.skipped] == [3, 4, 5, 9]  # by line
    assert outcome.skipped_by_reason() == [
        (SkipReason.UNKNOWN_COUNTRY, 2),
        (SkipReason.NO_COUNTRY, 1),
        (SkipReason.SAME_CITY, 1),
    ]
    assert outcome.where(outcome.skipped[0]) == "line 3"


def test_progress_is_reported_for_every_candidate() -> None:
    done: list[int] = []
    candidates = [tie(i, f"A{i}", "DE", f"B{i}", "FR") for i in range(1234)]
    place_ties(EMPTY, reading(*candidates), progress=done.append)
    assert sum(done) == 1234


def test_the_records_append_and_load_as_a_valid_registry(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text("schema_version = 1\n", encoding="utf-8")
    candidates = (tie(2, "Łódź", "PL", "대구", "KR"), tie(3, "Yıldırım", "TR", "Łódź", "PL"))
    store.append(path, lambda held: place_ties(held, reading(*candidates)).records)
    loaded = store.load(path)
    assert sorted(loaded.cities) == ["city-516772-kr", "lodz-pl", "yildirim-tr"]
    assert [t.id for t in loaded] == ["lodz-city-516772-kr", "yildirim-lodz"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("São Paulo", "sao-paulo"),
        ("Łódź", "lodz"),
        ("Yıldırım", "yildirim"),
        ("Reykjanesbær", "reykjanesbaer"),
        ("Þorlákshöfn", "thorlakshofn"),
        ("Nukuʻalofa", "nukualofa"),
        ("King's Lynn", "kings-lynn"),
        ("Vienna 1 – Innere Stadt", "vienna-1-innere-stadt"),
        ("臺北", ""),
    ],
)
def test_slug(name: str, expected: str) -> None:
    assert slug(name) == expected


def test_city_ids() -> None:
    assert ids.new_city_id("Daegu", "KR", set()) == "daegu-kr"
    assert ids.new_city_id("Daegu", "KR", {"daegu-kr", "daegu-kr-2"}) == "daegu-kr-3"
    # No Latin letter: a short hash of the name, the same every time.
    assert ids.new_city_id("대구", "KR", set()) == ids.new_city_id("대구", "KR", set())
    assert ids.new_city_id("대구", "KR", set()).startswith("city-")
    assert ids.new_city_id("대구", "KR", set()) != ids.new_city_id("서울", "KR", set())
    assert ids.new_city_id("1", "KR", set()).startswith("city-")


def test_a_control_character_that_add_refuses_skips_the_row() -> None:
    outcome = place_ties(
        EMPTY,
        reading(
            tie(2, "Evil\x1b[31m", "DE", "B", "FR"),
            tie(3, "A", "DE", "B", "FR", kind="twin\ntown"),
            tie(4, "A", "DE", "B", "FR", notes="two\nlines"),
            tie(5, "C", "DE", "B", "FR", notes="a\x1b[2Jb"),
            tie(6, "D", "DE", "B", "FR", fields=("tourism", "cul\tture")),
            tie(7, "E", "DE", "B", "FR", sources=("https://x.org/\x07",)),
        ),
    )
    assert [(s.where, s.reason, s.detail) for s in outcome.skipped] == [
        (2, SkipReason.BAD_VALUE, "a control character in the city Evil\\x1b[31m"),
        (3, SkipReason.BAD_VALUE, "a control character in the kind twin\\ntown"),
        (5, SkipReason.BAD_VALUE, "a control character in the notes a\\x1b[2Jb"),
        (6, SkipReason.BAD_VALUE, "a control character in the field cul\\tture"),
        (7, SkipReason.BAD_VALUE, "a control character in the source https://x.org/\\x07"),
    ]
    [placed] = records(outcome, "partnership")
    assert placed["notes"] == "two\nlines"  # line breaks are welcome in notes
