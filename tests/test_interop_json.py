"""sisterctl's own JSON: the documented schema, the round trip, merging, refusals."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sisterctl import store
from sisterctl.errors import RefusedError
from sisterctl.interop import json_io
from sisterctl.interop.plan import Outcome, SkipReason
from tests.conftest import EMPTY

SCHEMA = json.loads(
    (Path(__file__).parents[1] / "docs" / "json-format.schema.json").read_text(encoding="utf-8")
)

RICH = """\
# Every kind of record, with keys sisterctl does not know.
schema_version = 1
mystery_top = "not exported: the model keeps no top-level extras"

[settings]
leap_day = "mar1"

[[city]]
id = "taipei-tw"
name = "Taipei"
country = "TW"
type = "city"
local_name = "臺北市"
aliases = ["Taipei City"]
lat = 25.0375
lon = 121.5625
sources = ["https://www.wikidata.org/wiki/Q1867"]
wikidata = "Q1867"
website = "https://www.gov.taipei"

[[city]]
id = "daegu-kr"
name = "Daegu"
country = "KR"
type = "metropolitan city"

[[city]]
id = "unused-de"
name = "Unused"
country = "DE"
nested = { deep = { list = [1, 2.5, "three"], when = 2020-01-01, blank = "" } }

[[partnership]]
id = "taipei-daegu"
cities = ["taipei-tw", "daegu-kr"]
kind = "sister city"
established = 2010-11-04
status = "suspended"
status_date = "2020"
status_reason = "the pandemic"
fields = ["tourism", "culture"]
notes = "Founded in Daegu.\\nTwo lines."
sources = ["https://example.org/a"]
rating = 5

[[agreement]]
partnership = "taipei-daegu"
date = "2021-03-26"
title = "Agreement to Reaffirm Sister City Friendship"
kind = "upgrade"
to_kind = "sister city plus"
signatories = [{ name = "Ko Wen-je", role = "Mayor of Taipei" }, "Kwon Young-jin"]
mode = "video-conference"
venue = "online"
fields = ["smart cities"]
status = "planned"
notes = "n"
sources = ["https://example.org/b"]
page = 12

[[agreement]]
partnership = "taipei-daegu"
title = "Undated memorandum"

[[exchange]]
partnership = "taipei-daegu"
date = "2009"
kind = "visit"
title = "Before the tie, on purpose"
before_founding = true

[[exchange]]
partnership = "taipei-daegu"
date = "2017-08"
kind = "delegation"
title = "Universiade"
details = "d"
sources = ["https://example.org/c"]
people = 40

[[status_change]]
partnership = "taipei-daegu"
date = "2022-05-01"
status = "active"
reason = "resumed"
sources = ["https://example.org/d"]
by = "council"
"""


def load_text(text: str, folder: Path, name: str = "r.toml") -> store.Registry:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return store.load(path)


def import_into(path: Path, exported: dict[str, Any]) -> Outcome:
    incoming = json_io.read(json.dumps(exported), "export.json")
    outcomes: list[Outcome] = []

    def plan(held: store.Registry) -> list[tuple[str, dict[str, Any]]]:
        outcomes[:] = [json_io.place(held, incoming)]
        return outcomes[0].records

    store.append(path, plan)
    return outcomes[0]


def test_the_export_follows_the_documented_schema(tmp_path: Path) -> None:
    exported = json_io.export(load_text(RICH, tmp_path))
    jsonschema.validate(exported, SCHEMA)
    assert exported["settings"] == {"leap_day": "mar1"}
    taipei = exported["cities"][0]
    assert taipei["wikidata"] == "Q1867"
    assert taipei["extra"] == {"website": "https://www.gov.taipei"}
    assert taipei["country_name"] == "Taiwan"
    # TOML values JSON cannot hold are written as strings.
    assert exported["cities"][2]["extra"]["nested"]["deep"] == {
        "list": [1, 2.5, "three"],
        "when": "2020-01-01",  # no blank: an empty value is no value, as it is written
    }
    tie = exported["partnerships"][0]
    assert (tie["established"], tie["precision"]) == ("2010-11-04", "day")
    assert (tie["status"], tie["status_date"]) == ("suspended", "2020")
    assert tie["extra"] == {"rating": 5}
    assert exported["exchanges"][0]["before_founding"] is True
    assert "before_founding" not in exported["exchanges"][1]
    assert exported["agreements"][1] == {
        "id": "taipei-daegu/undated-agreement",
        "partnership": "taipei-daegu",
        "precision": "unknown",
        "title": "Undated memorandum",
        "kind": "agreement",
        "status": "signed",
    }


def test_an_empty_value_is_exported_as_no_value(tmp_path: Path) -> None:
    text = RICH.replace("lon = 121.5625\n", 'lon = 121.5625\nnotes = ""\nempty = []\n', 1)
    exported = json_io.export(load_text(text, tmp_path))
    assert "notes" not in exported["cities"][0]
    assert exported["cities"][0]["extra"] == {"website": "https://www.gov.taipei"}


@pytest.mark.parametrize("leap_day", ["feb28", "mar1"])
def test_export_then_import_into_an_empty_registry_gives_the_same_registry(
    tmp_path: Path, leap_day: str
) -> None:
    original = load_text(RICH.replace('"mar1"', f'"{leap_day}"'), tmp_path, "original.toml")
    exported = json_io.export(original)
    target = tmp_path / "empty.toml"
    target.write_text(f'schema_version = 1\n[settings]\nleap_day = "{leap_day}"\n')
    outcome = import_into(target, exported)
    assert outcome.notes == [] and outcome.skipped == []
    copy = store.load(target)
    assert copy == original  # every record and date (extra keys do not count in ==)
    assert json_io.export(copy) == exported  # ... and the extra keys too


def test_import_into_the_same_registry_adds_nothing(tmp_path: Path) -> None:
    original = load_text(RICH, tmp_path)
    path = tmp_path / "r.toml"
    before = path.read_bytes()
    outcome = import_into(path, json_io.export(original))
    assert outcome.records == []
    assert (outcome.present, outcome.present_records) == (1, 5)
    assert path.read_bytes() == before


def test_a_merge_reuses_cities_and_ties_and_adds_only_what_is_new(
    tmp_path: Path, small_registry: Path
) -> None:
    incoming = json_io.export(load_text(RICH, tmp_path))
    outcome = import_into(small_registry, incoming)
    # Taipei and Daegu are the small registry's own; only the unused city is new.
    assert [(t, r.get("id")) for t, r in outcome.records if t == "city"] == [("city", "unused-de")]
    assert outcome.present == 1  # taipei-daegu
    # The reaffirmation of 2021-03-26 is on the tie already (the same tie, date and
    # title, whatever else the file says of it: core/identity.py); the other agreement,
    # the exchanges and the status change were not: added to it.
    assert outcome.present_records == 1
    added = [(t, r["partnership"]) for t, r in outcome.records if t != "city"]
    assert added == [
        ("agreement", "taipei-daegu"),
        ("exchange", "taipei-daegu"),
        ("exchange", "taipei-daegu"),
        ("status_change", "taipei-daegu"),
    ]
    assert outcome.notes == [
        "the file celebrates 29 February ties on mar1 and this registry on feb28; "
        "the registry's setting is kept"
    ]
    merged = store.load(small_registry)
    assert len(merged.agreements_of(merged.by_id["taipei-daegu"])) == 2


def test_a_city_id_taken_by_another_city_gets_a_new_id_and_its_ties_follow(
    tmp_path: Path,
) -> None:
    target = tmp_path / "target.toml"
    target.write_text(
        'schema_version = 1\n[[city]]\nid = "taipei-tw"\nname = "Kaohsiung"\ncountry = "TW"\n'
    )
    outcome = import_into(target, json_io.export(load_text(RICH, tmp_path)))
    assert outcome.records[0] == (
        "city",
        {
            "id": "taipei-tw-2",
            "name": "Taipei",
            "country": "TW",
            "local_name": "臺北市",
            "aliases": ["Taipei City"],
            "lat": 25.0375,
            "lon": 121.5625,
            "sources": ["https://www.wikidata.org/wiki/Q1867"],
            "wikidata": "Q1867",
            "website": "https://www.gov.taipei",
        },
    )
    tie = store.load(target).by_id["taipei-daegu"]
    assert [c.id for c in tie.cities] == ["taipei-tw-2", "daegu-kr"]


def test_two_cities_that_are_one_city_here_skip_their_tie_and_its_records(
    tmp_path: Path,
) -> None:
    target = tmp_path / "target.toml"
    target.write_text(
        'schema_version = 1\n[[city]]\nid = "t"\nname = "Taipei"\ncountry = "TW"\n'
        'aliases = ["Daegu"]\n'
    )
    exported = json_io.export(load_text(RICH, tmp_path))
    exported["cities"][1]["country"] = "TW"
    outcome = import_into(target, exported)
    assert [(o.reason, o.label) for o in outcome.skipped] == [
        (SkipReason.SAME_CITY, "partnerships[0]"),
        (SkipReason.NO_TIE, "agreements[0]"),
        (SkipReason.NO_TIE, "agreements[1]"),
        (SkipReason.NO_TIE, "exchanges[0]"),
        (SkipReason.NO_TIE, "exchanges[1]"),
        (SkipReason.NO_TIE, "status_changes[0]"),
    ]


def minimal(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": "sisterctl",
        "schema_version": 1,
        "settings": {"leap_day": "feb28"},
        "cities": [
            {"id": "a-de", "name": "A", "country": "DE"},
            {"id": "b-fr", "name": "B", "country": "FR"},
        ],
        "partnerships": [{"id": "a-b", "cities": ["a-de", "b-fr"]}],
        "agreements": [],
        "exchanges": [],
        "status_changes": [],
    }
    data.update(changes)
    return data


def tie_with(**keys: Any) -> list[dict[str, Any]]:
    return [{"id": "a-b", "cities": ["a-de", "b-fr"], **keys}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{,}", "e.json: line 1 column 2: not valid JSON (Expecting property name"),
        (json.dumps({"cities": []}), 'e.json: not a sisterctl export (no "format": "sisterctl")'),
        (json.dumps(minimal(schema_version=2)), "e.json: schema_version 2 is not one"),
        (
            json.dumps(minimal(citys=[])),
            "e.json: the top level: unknown key 'citys' (did you mean 'cities'?)",
        ),
        (
            json.dumps(minimal(partnerships=tie_with(established="2021-02-30"))),
            "e.json: partnerships[0]: 'established': '2021-02-30' is not a date: "
            "February 2021 has 28 days",
        ),
        (
            json.dumps(minimal(partnerships=tie_with(establised="2020"))),
            "e.json: partnerships[0]: a record: unknown key 'establised' "
            "(did you mean 'established'?)",
        ),
        (
            json.dumps(minimal(partnerships=tie_with(notes=None))),
            "e.json: partnerships[0]: 'notes': null cannot be stored",
        ),
        (
            json.dumps(minimal(partnerships=tie_with(extra={"x": [1, None]}))),
            "e.json: partnerships[0]: 'x': null cannot be stored",
        ),
        (
            json.dumps(minimal(partnerships=tie_with(extra={"kind": "x"}))),
            "e.json: partnerships[0]: \"extra\" holds 'kind', a key of the record itself",
        ),
        (
            json.dumps(minimal(partnerships=[{"id": "a-b", "cities": ["a-de", "c-it"]}])),
            "e.json: partnerships[0]: names city 'c-it', which has no [[city]] record",
        ),
        (json.dumps(minimal(cities={})), 'e.json: "cities" must be an array'),
        (
            json.dumps(
                minimal(agreements=[{"partnership": "a-b", "title": "T", "before_founding": 1}])
            ),
            "e.json: agreements[0]: 'before_founding' must be true or false, not an integer",
        ),
        (
            json.dumps(minimal(settings={"leap_day": "feb29"})),
            'e.json: "settings": "leap_day" must be "feb28" or "mar1"',
        ),
    ],
)
def test_files_that_are_not_valid_exports_are_refused_with_where(text: str, message: str) -> None:
    with pytest.raises(RefusedError) as error:
        json_io.read(text, "e.json")
    assert str(error.value).startswith(message)


# ---------------------------------------------------------------------------
# The round trip, for registries hypothesis makes up

COUNTRIES = ("KR", "TW", "BR", "DE", "XK")
names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12).filter(
    str.strip
)
dates = st.one_of(
    st.none(),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.isoformat()[:7]),
    st.integers(1, 9999).map(lambda y: f"{y:04d}"),
)
extras = st.dictionaries(
    st.sampled_from(["x_note", "custom", "weird key"]),
    st.one_of(st.integers(), names, st.lists(st.integers(), min_size=1, max_size=3)),
    max_size=2,
)


def _before(date: str | None, other: str | None) -> bool:
    from sisterctl.dates import parse_partial_date

    if date is None or other is None:
        return False
    return parse_partial_date(date).certainly_before(parse_partial_date(other))


@st.composite
def registries(draw: Callable[..., Any]) -> str:
    cities = [
        {
            "id": f"c{i}",
            "name": draw(names),
            "country": draw(st.sampled_from(COUNTRIES)),
            **draw(extras),
        }
        for i in range(draw(st.integers(2, 5)))
    ]
    ties = []
    for i, (a, b) in enumerate(
        draw(
            st.lists(
                st.tuples(st.integers(0, len(cities) - 1), st.integers(0, len(cities) - 1)),
                max_size=4,
            )
        )
    ):
        if a == b or any({a, b} == t["_pair"] for t in ties):
            continue
        date = draw(dates)
        ties.append(
            {
                "_pair": {a, b},
                "id": f"t{i}",
                "cities": [f"c{a}", f"c{b}"],
                **({"established": date} if date else {}),
                "kind": draw(names),
                **draw(extras),
            }
        )
    for tie in ties:
        del tie["_pair"]
    # A registry that check finds no error in: an agreement dated before its tie is
    # marked so (import json, like add, never writes one that is not).
    agreements = [
        {
            "partnership": tie["id"],
            "title": draw(names),
            **({"date": d} if (d := draw(dates)) else {}),
            **({"before_founding": True} if _before(d, tie.get("established")) else {}),
        }
        for tie in ties
        if draw(st.booleans())
    ]
    data: dict[str, Any] = {"schema_version": 1, "city": cities}
    if ties:
        data["partnership"] = ties
    if agreements:
        data["agreement"] = agreements
    return tomli_w.dumps(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registries())
def test_round_trip_property(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        original = load_text(text, Path(folder), "original.toml")
        exported = json_io.export(original)
        jsonschema.validate(exported, SCHEMA)
        target = Path(folder) / "copy.toml"
        target.write_text(EMPTY, encoding="utf-8")
        import_into(target, exported)
        copy = store.load(target)
        assert copy == original
        assert json_io.export(copy) == exported
