"""Agreements and exchanges are named by their tie, date and kind, as `show` prints
them and `sign` and `edit` take them."""

from __future__ import annotations

import json
from pathlib import Path

import tomli

from sisterctl.records.build import build
from tests.conftest import Run

TEXT = """\
schema_version = 1

[[city]]
id = "taipei-tw"
name = "Taipei"
country = "TW"

[[city]]
id = "daegu-kr"
name = "Daegu"
country = "KR"

[[partnership]]
id = "taipei-daegu"
cities = ["taipei-tw", "daegu-kr"]
established = "2010-11-04"

[[agreement]]
partnership = "taipei-daegu"
date = "2021-03-26"
title = "Agreement to Reaffirm Sister City Friendship"
kind = "reaffirmation"

[[agreement]]
partnership = "taipei-daegu"
date = "2021"
title = "Memorandum on Mutual Tourism Promotion and Cooperation"
kind = "Memorandum"
status = "planned"

[[agreement]]
partnership = "taipei-daegu"
date = "2021-03-26"
title = "A second reaffirmation the same day"
kind = "reaffirmation"

[[exchange]]
partnership = "taipei-daegu"
kind = "festival"
title = "Chimaek Festival"

[[exchange]]
partnership = "taipei-daegu"
date = "2017"
kind = "자매 방문"
title = "A visit of a kind written in Korean"
"""


def test_ids_are_tie_date_and_kind_with_a_number_for_a_second() -> None:
    registry = build(tomli.loads(TEXT)).registry
    assert [registry.record_id(a) for a in registry.agreements] == [
        "taipei-daegu/2021-03-26-reaffirmation",
        "taipei-daegu/2021-memorandum",
        "taipei-daegu/2021-03-26-reaffirmation-2",
    ]
    assert [registry.record_id(e) for e in registry.exchanges] == [
        "taipei-daegu/undated-festival",
        "taipei-daegu/2017-exchange",  # a kind with no Latin letters
    ]
    assert registry.agreements_by_id["taipei-daegu/2021-memorandum"].planned


def test_show_prints_them_and_json_carries_them(run: Run, tmp_path: Path) -> None:
    reg = tmp_path / "partnerships.toml"
    reg.write_text(TEXT, encoding="utf-8")
    shown = run("-r", reg, "show", "taipei-daegu", "--as-of", "2026-03-01").stdout
    assert "taipei-daegu/2021-memorandum" in shown
    assert "taipei-daegu/undated-festival" in shown
    tie = json.loads(run("-r", reg, "show", "taipei-daegu", "-f", "json").stdout)
    assert [a["id"] for a in tie["agreements"]] == [
        "taipei-daegu/2021-03-26-reaffirmation",
        "taipei-daegu/2021-03-26-reaffirmation-2",
        "taipei-daegu/2021-memorandum",
    ]
    exported = json.loads(run("-r", reg, "export", "json").stdout)
    assert exported["exchanges"][0]["id"] == "taipei-daegu/undated-festival"
    # Import takes the id for what it is, derived: it writes no key for it.
    other = tmp_path / "other.toml"
    assert run("init", other).exit_code == 0
    (tmp_path / "export.json").write_text(json.dumps(exported), encoding="utf-8")
    assert run("-r", other, "import", "json", tmp_path / "export.json").exit_code == 0
    assert "/2021-memorandum" not in other.read_text(encoding="utf-8")
