"""The bundled registry: real, sourced, and telling the whole 2021 Taipei–Daegu story."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from sisterctl.core.check import CheckExit
from sisterctl.errors import ExitCode
from sisterctl.model import Partnership
from sisterctl.store.location import bundled_path
from sisterctl.store.read import load
from sisterctl.text import fold
from tests.conftest import SHARED, Run


def test_bundled_registry_loads_and_every_record_has_a_source() -> None:
    registry = load(bundled_path())
    records = (
        *registry.cities.values(),
        *registry.partnerships,
        *registry.agreements,
        *registry.exchanges,
        *registry.status_changes,
    )
    for record in records:
        assert record.sources, record
        assert all(s.startswith(("http://", "https://")) for s in record.sources), record
        assert len(set(record.sources)) == len(record.sources), record  # none listed twice


def test_bundled_registry_counts(run: Run) -> None:
    registry = load(bundled_path())
    assert len(registry.cities) == 63
    assert len(registry.partnerships) == 63
    assert len(registry.agreements) == 48
    assert len(registry.exchanges) == 97
    assert len(registry.status_changes) == 3
    result = run("check", "--strict")
    assert result.exit_code == CheckExit.CLEAN, result.stdout
    assert "(63 cities, 63 ties, 48 agreements, 97 exchanges, 3 status changes)" in result.stdout


def test_list_works_with_no_setup(run: Run) -> None:
    result = run("list", "--city", "Taipei", "-f", "csv", "--as-of", "2026-11-28")
    assert result.exit_code == CheckExit.CLEAN, result.stderr
    assert "taipei-daegu,Taipei,TW,Daegu,KR,sister city,2010-11-04,day,16,active" in result.stdout
    assert "taipei-houston,Taipei,TW,Houston,US,sister city,1961-06-15,day,65,active" in (
        result.stdout
    )


def test_the_seed_story_is_all_there(run: Run) -> None:
    result = run("show", "Taipei", "Daegu", "-f", "json", "--as-of", "2026-11-28")
    tie = json.loads(result.stdout)
    assert tie["established"] == "2010-11-04"
    assert [c["local_name"] for c in tie["cities"]] == ["臺北市", "대구광역시"]
    assert "Taegu" in tie["cities"][1]["aliases"]
    [reaffirmation] = [a for a in tie["agreements"] if a["kind"] == "reaffirmation"]
    assert reaffirmation["date"] == "2021-03-26"
    assert reaffirmation["title"] == "Agreement to Reaffirm Sister City Friendship"
    assert reaffirmation["mode"] == "video-conference"
    assert reaffirmation["signatories"] == [
        {"name": "Ko Wen-je", "role": "Mayor of Taipei"},
        {"name": "Kwon Young-jin", "role": "Mayor of Daegu"},
    ]
    assert reaffirmation["fields"] == [
        "smart cities",
        "pandemic prevention",
        "sanitation",
        "tourism",
        "culture",
    ]
    [memorandum] = [a for a in tie["agreements"] if "Tourism Promotion" in a["title"]]
    assert memorandum["status"] == "planned" and memorandum["date"] == "2021"
    exchanges = {e["title"]: e for e in tie["exchanges"]}
    summit = exchanges["2021 Smart City Leaders Summit"]
    assert summit["date"] == "2021-03-23" and summit["kind"] == "summit"
    assert any(
        "Universiade" in t and e["kind"] == "delegation" and e["date"].startswith("2017")
        for t, e in exchanges.items()
    )
    assert any("Chimaek Festival" in t for t in exchanges)
    assert any("World Water Cities Forum" in t for t in exchanges)


def test_disputes_and_upgrades_are_kept(run: Run) -> None:
    ningbo = json.loads(run("show", "daegu-ningbo", "-f", "json", "--as-of", "2026-11-28").stdout)
    assert ningbo["kind_as_founded"] == "friendship city"
    assert ningbo["kind"] == "sister city"
    [upgrade] = [a for a in ningbo["agreements"] if a["kind"] == "upgrade"]
    assert upgrade["date"] == "2013-06-08"
    assert "Other claim: 8 March 2013" in upgrade["notes"]
    ulaanbaatar = json.loads(
        run("show", "Taipei", "Ulaanbaatar", "-f", "json", "--as-of", "2026-11-28").stdout
    )
    assert ulaanbaatar["established"].startswith("1997")
    assert "1998" in ulaanbaatar["notes"]


def _show(run: Run, *tie: str) -> dict[str, Any]:
    result = run("show", *tie, "-f", "json", "--as-of", "2026-11-28")
    assert result.exit_code == ExitCode.OK, result.stderr
    tie_json: dict[str, Any] = json.loads(result.stdout)
    return tie_json


MIAMI_BEACH_1997 = (
    "https://docmgmt.miamibeachfl.gov/WebLink/DocView.aspx?dbid=0&id=488&repo=CityClerk"
)


def test_taipei_miami_beach_ended_in_1997_by_resolution_97_22563(run: Run) -> None:
    tie = _show(run, "Taipei", "Miami Beach")
    assert tie["established"] == "1974-06-05"
    assert (tie["status"], tie["status_date"]) == ("ended", "1997")
    [change] = tie["status_changes"]
    assert (change["status"], change["date"], change["precision"]) == ("ended", "1997", "year")
    assert "97-22563" in change["reason"] and "74-14393" in change["reason"]
    assert change["sources"] == [MIAMI_BEACH_1997]
    assert MIAMI_BEACH_1997 in tie["sources"]
    assert "Ended in 1997" in tie["notes"]


def test_daegu_bukhara_region_agreement_signed_on_2022_08_26(run: Run) -> None:
    tie = _show(run, "daegu-bukhara-region")
    assert tie["established"] == "2022-08-26"
    [founding] = [a for a in tie["agreements"] if a["kind"] == "founding"]
    assert (founding["date"], founding["precision"]) == ("2022-08-26", "day")
    assert founding["status"] == "signed"
    assert "http://www.theleader.kr/news/articleView.html?idxno=76008" in founding["sources"]
    assert "http://sentv.co.kr/article/view/sentv202208270003" in founding["sources"]
    assert not any(a["status"] == "planned" for a in tie["agreements"])


def test_daegu_da_nang_friendship_agreement_of_2004_10_21_with_the_2003_claim_kept(
    run: Run,
) -> None:
    tie = _show(run, "Daegu", "Da Nang")
    assert (tie["established"], tie["precision"]) == ("2004-10-21", "day")
    assert tie["kind_as_founded"] == "friendship city" and tie["kind"] == "sister city"
    [founding] = [a for a in tie["agreements"] if a["kind"] == "founding"]
    assert founding["date"] == "2004-10-21"
    assert "https://imaeil.com/page/view/2004102210513068842" in founding["sources"]
    [upgrade] = [a for a in tie["agreements"] if a["kind"] == "upgrade"]
    assert upgrade["date"] == "2018-08-03"
    # The other claim and its source stay in the notes, with what contradicts it.
    assert "Other claim: 2003" in tie["notes"]
    assert "https://danang.gov.vn/vi/web/ja/detail?id=53403" in tie["notes"]
    assert "https://www.imaeil.com/page/view/2004080511065143145" in tie["notes"]
    [call] = [e for e in tie["exchanges"] if e["date"] == "2004-08-07"]
    assert "ahead of the October signing" in call["title"]


def test_taipei_warsaw_memorandum_of_cooperation_of_2018_02_02(run: Run) -> None:
    tie = _show(run, "Taipei", "Warsaw")
    [memorandum] = [a for a in tie["agreements"] if a["title"] == "Memorandum of Cooperation"]
    assert memorandum["date"] == "2018-02-02"
    assert [s["name"] for s in memorandum["signatories"]] == [
        "Ko Wen-je",
        "Hanna Gronkiewicz-Waltz",
    ]
    assert [e["date"] for e in tie["exchanges"]] == ["2018-02-02", "2022-03-22"]
    assert "arrived in Warsaw on Thursday, 1 February" in tie["exchanges"][0]["details"]


@pytest.mark.parametrize(
    ("tie_id", "city", "country", "established", "precision", "status", "in_notes"),
    [
        ("taipei-panama-city", "Panama City", "PA", None, "unknown", "unknown", "May 2011"),
        ("taipei-managua", "Managua", "NI", None, "unknown", "unknown", "November 2021"),
        ("taipei-san-jose", "San José", "CR", "1984", "year", "unknown", "Weak source"),
        ("taipei-san-salvador", "San Salvador", "SV", "1993", "year", "unknown", "Weak source"),
        ("taipei-quezon-city", "Quezon City", "PH", None, "unknown", "suspended", "Weak source"),
    ],
)
def test_the_five_later_taipei_ties_at_their_precision(
    run: Run,
    tie_id: str,
    city: str,
    country: str,
    established: str | None,
    precision: str,
    status: str,
    in_notes: str,
) -> None:
    tie = _show(run, tie_id)
    assert [(c["name"], c["country"]) for c in tie["cities"]] == [("Taipei", "TW"), (city, country)]
    assert tie.get("established") == established
    assert tie["precision"] == precision
    assert tie["status"] == status
    assert in_notes in tie["notes"]
    assert "Status:" in tie["notes"]  # what the sources say of it, or that they say nothing
    assert tie["sources"] and tie["cities"][1]["sources"]


def test_quezon_city_suspended_with_manila_in_may_2013(run: Run) -> None:
    for other in ("Quezon City", "Manila"):
        tie = _show(run, "Taipei", other)
        assert (tie["status"], tie["status_date"]) == ("suspended", "2013-05")
        [change] = tie["status_changes"]
        assert "Guang Da Xing No. 28" in change["reason"]


def test_signatories_the_sources_name() -> None:
    registry = load(bundled_path())

    def signatories(tie: str, date: str) -> list[str]:
        [agreement] = [
            a for a in registry.agreements if a.partnership == tie and str(a.date) == date
        ]
        assert "does not list the signatories" not in (agreement.notes or "")
        return [s.name for s in agreement.signatories]

    assert signatories("taipei-yokohama", "2016-01-28") == ["Wu Jun-hong"]
    assert signatories("taipei-matsuyama", "2014-10-13") == ["Hau Lung-bin", "Katsuhito Noshi"]
    assert signatories("daegu-shaoxing", "2015-10-26") == ["Kim Yeon-chang", "Xu Mingguang"]


def test_every_bundled_city_has_coordinates_with_their_source() -> None:
    registry = load(bundled_path())
    assert all(c.located for c in registry.cities.values())
    # Cities from a GeoNames place, by its id; the four regions GeoNames' populated
    # places do not hold, from the countries-states-cities database, said in notes.
    regions = {
        "gyeonggi-province-kr": ((37.2884675, 127.0535231), "state id 3847, KR-41"),
        "minas-gerais-br": ((-18.5264844, -44.1588654), "state id 1998, BR-MG"),
        "bukhara-region-uz": ((40.229366, 63.5470584), "state id 2541, UZ-BU"),
        "bac-ninh-province-vn": ((21.1781515, 106.0710078), "state id 3791, VN-56"),
    }
    without_geonames = {c.id for c in registry.cities.values() if not c.geonames}
    assert without_geonames == set(regions)
    for cid, (point, entry) in regions.items():
        city = registry.cities[cid]
        assert city.type != "city"
        assert (city.lat, city.lon) == point
        assert (
            "countries-states-cities database (v4.0, export 50 of 12 October 2026, "
            f"ODbL 1.0; {entry})" in (city.notes or "")
        )
        assert "https://github.com/dr5hn/countries-states-cities-database" in city.sources
    # Where GeoNames has several places of the name, the choice is said in the notes.
    chosen = {
        "atlanta-us": 4180439,
        "houston-us": 4699066,
        "cleveland-us": 5150529,
        "phoenix-us": 5308655,
        "san-jose-cr": 3621849,
        "boston-us": 4930956,
        "perth-au": 2063523,
        "yokohama-jp": 1848354,
        "changsha-cn": 1815577,
    }
    for cid, geonames in chosen.items():
        city = registry.cities[cid]
        assert city.geonames == geonames
        assert f"GeoNames {geonames}" in (city.notes or "") and "chosen by hand" in (
            city.notes or ""
        )
    assert (registry.cities["taipei-tw"].lat, registry.cities["taipei-tw"].lon) == (
        25.05306,
        121.52639,
    )


#: The ties whose present status no source states (their notes say what the sources
#: say of it), and their facts rows give none either.
UNKNOWN_STATUS = [
    "taipei-versailles",
    "taipei-beziers",
    "taipei-san-jose",
    "taipei-san-salvador",
    "taipei-panama-city",
    "taipei-managua",
    "taipei-gyeonggi-province",
    "taipei-edmonton",
    "taipei-george-town",
    "taipei-matsue",
    "taipei-helsinki",
    "daegu-lodz",
    "daegu-bac-ninh-province",
]


@pytest.mark.parametrize("tie_id", UNKNOWN_STATUS)
def test_ties_whose_present_status_no_source_states_are_unknown(run: Run, tie_id: str) -> None:
    tie = _show(run, tie_id)
    assert tie["status"] == "unknown"
    assert "Status:" in tie["notes"]


def test_the_maps_of_taipei_and_daegu_draw_every_tie(run: Run, tmp_path: Path) -> None:
    for city, ties in (("Taipei", 42), ("Daegu", 22)):
        result = run("map", city, "--svg", tmp_path / f"{city}.svg")
        assert result.exit_code == 0, result.output
        assert f"{city}'s ties: {ties} of {ties} drawn." in result.stderr
        svg = (tmp_path / f"{city}.svg").read_text(encoding="utf-8")
        assert "not drawn" not in svg


def test_which_ties_are_of_unknown_status(run: Run) -> None:
    result = run("list", "--status", "unknown", "-f", "json", "--as-of", "2026-11-28")
    assert sorted(row["id"] for row in json.loads(result.stdout)) == sorted(UNKNOWN_STATUS)


def test_daegu_saint_petersburg_is_active_as_daegus_own_list_says(run: Run) -> None:
    # Its facts row from Daegu Metropolitan City's list of sister cities reads "active".
    tie = _show(run, "daegu-saint-petersburg")
    assert tie["status"] == "active"
    assert "Daegu Metropolitan City's English site lists St Petersburg" in tie["notes"]


def test_the_2021_memorandum_is_planned_overdue_and_says_why_check_lets_it_be(run: Run) -> None:
    tie = _show(run, "taipei-daegu")
    [memorandum] = [a for a in tie["agreements"] if a["kind"] == "memorandum"]
    assert (memorandum["id"], memorandum["status"]) == ("taipei-daegu/2021-memorandum", "planned")
    assert memorandum["overdue"] is True
    assert memorandum["ignore_warnings"] == ["overdue-planned"]
    assert "No source reports the signing" in memorandum["notes"]
    assert "overdue-planned warning is set aside" in memorandum["notes"]
    shown = run("show", "taipei-daegu", "--as-of", "2026-11-28").stdout
    assert "(planned, overdue)" in shown


FACTS = SHARED / "facts"


def _facts(name: str) -> list[dict[str, str]]:
    path = FACTS / name
    if not path.is_file():
        pytest.skip(f"{path} is not present (the shared sourced facts)")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


class _Ties:
    """The bundled registry's ties, found by the city names a facts row gives."""

    def __init__(self) -> None:
        self.registry = load(bundled_path())
        self.names: dict[str, set[str]] = {}
        for city in self.registry.cities.values():
            for name in (city.name, *city.aliases, city.local_name or ""):
                if name:
                    self.names.setdefault(fold(name), set()).add(city.id)
        self.ties = {frozenset(c.id for c in t.cities): t for t in self.registry.partnerships}

    def find(self, a: str, b: str) -> list[Partnership]:
        # "George Town (Penang)", "Minas Gerais (state)": the name before the remark
        ids = [self.names.get(fold(re.sub(r"\s*\(.*\)$", "", n)), set()) for n in (a, b)]
        pairs = {frozenset((x, y)) for x in ids[0] for y in ids[1]}
        return [self.ties[p] for p in pairs if p in self.ties]


def test_every_tie_row_of_the_sourced_facts_is_held() -> None:
    ties = _Ties()
    rows = _facts("ties.csv")
    assert len(rows) >= 123
    missing = [(r["city_a"], r["city_b"]) for r in rows if not ties.find(r["city_a"], r["city_b"])]
    assert missing == []


def test_every_event_row_of_the_sourced_facts_is_held() -> None:
    """Each event of the facts is a record of its tie (each tie's, for an event of
    several sister cities) with its date or its title, or a status change of that
    date; the two rows that are not are held as their notes say."""
    ties = _Ties()
    registry = ties.registry
    rows = _facts("events.csv")
    assert len(rows) >= 116
    unheld = []
    for row in rows:
        partner = row["city_b"]
        partners = [partner]
        several = re.fullmatch(r"\(sister cities: (.*)\)", partner)
        if several:
            partners = [p.strip() for p in several.group(1).split(",")]
        elif partner == "(sister/friendship cities)":
            named = row["details"].removeprefix("Participants from ").replace(" and ", ", ")
            partners = [p.strip() for p in named.split(",")]
        for name in partners:
            [tie] = ties.find(row["city_a"], name)
            records = [
                r
                for r in (*registry.agreements, *registry.exchanges, *registry.status_changes)
                if r.partnership == tie.id
            ]
            if not any(
                str(r.date) == row["date"] or getattr(r, "title", None) == row["title"]
                for r in records
            ):
                unheld.append((tie.id, row["date"]))
    # Warsaw: the later row's 2018-02-02 stands over the earlier 2018-02-01, the day of
    # arrival; Perth: signed on 25 July of a year the source does not state.
    assert sorted(unheld) == [("taipei-perth", "--07-25"), ("taipei-warsaw", "2018-02-01")]
    warsaw = [a for a in registry.agreements if a.partnership == "taipei-warsaw"]
    assert [str(a.date) for a in warsaw] == ["2018-02-02"]
    assert "Not 1 February, the day of the delegation's arrival" in (warsaw[0].notes or "")
    [perth] = [a for a in registry.agreements if a.partnership == "taipei-perth"]
    assert perth.date is None and "Signed on 25 July" in (perth.notes or "")
