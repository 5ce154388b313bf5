"""The bundled registry: real, sourced, and telling the whole 2021 Taipei–Daegu story."""

from __future__ import annotations

import json

from sisterctl.store.location import bundled_path
from sisterctl.store.read import load
from tests.conftest import Run


def test_bundled_registry_loads_and_every_record_has_a_source() -> None:
    registry = load(bundled_path())
    assert len(registry.partnerships) >= 58
    for record in (*registry.partnerships, *registry.agreements, *registry.exchanges):
        assert record.sources, record
        assert all(s.startswith(("http://", "https://")) for s in record.sources)


def test_list_works_with_no_setup(run: Run) -> None:
    result = run("list", "--city", "Taipei", "-f", "csv", "--as-of", "2026-11-28")
    assert result.exit_code == 0, result.stderr
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
