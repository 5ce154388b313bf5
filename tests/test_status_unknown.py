"""A tie whose present status no source states: `unknown`, and the registry setting
that decides what a tie with no `status` key is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import tomli

from sisterctl.records.build import build
from tests.conftest import Run

HEAD = """\
schema_version = 1
{settings}
[[city]]
id = "taipei-tw"
name = "Taipei"
country = "TW"

[[city]]
id = "versailles-fr"
name = "Versailles"
country = "FR"

[[city]]
id = "daegu-kr"
name = "Daegu"
country = "KR"

[[partnership]]
id = "taipei-versailles"
cities = ["taipei-tw", "versailles-fr"]
established = "2006-03"
status = "unknown"
notes = "Versailles says it has no official twinnings."
sources = ["https://example.org/versailles"]

[[partnership]]
id = "taipei-daegu"
cities = ["taipei-tw", "daegu-kr"]
established = "2010-11-04"
sources = ["https://example.org/daegu"]
"""


def registry_text(settings: str = "") -> str:
    return HEAD.format(settings=f"\n[settings]\n{settings}\n" if settings else "")


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    path = tmp_path / "partnerships.toml"
    path.write_text(registry_text(), encoding="utf-8")
    return path


def show(run: Run, reg: Path, tie: str) -> dict[str, Any]:
    result = run("-r", reg, "show", tie, "-f", "json", "--as-of", "2026-03-01")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_list_finds_ties_of_unknown_status(run: Run, reg: Path) -> None:
    result = run("-r", reg, "list", "--status", "unknown", "-f", "csv", "--as-of", "2026-03-01")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        "taipei-versailles,Taipei,TW,Versailles,FR,sister city,2006-03,month,19,unknown"
    ]
    table = run("-r", reg, "list", "--as-of", "2026-03-01").stdout
    assert "unknown" in table.splitlines()[-1] or "unknown" in table


def test_show_timeline_and_stats_say_it(run: Run, reg: Path) -> None:
    assert show(run, reg, "taipei-versailles")["status"] == "unknown"
    shown = run("-r", reg, "show", "taipei-versailles", "--as-of", "2026-03-01").stdout
    assert "Status       unknown" in shown
    timeline = run("-r", reg, "timeline", "taipei-versailles", "--as-of", "2026-03-01").stdout
    assert "sister city · established 2006-03 · status unknown · 19–20 years" in timeline
    assert "Tie ended" not in timeline and "suspended" not in timeline
    network = run("-r", reg, "timeline", "--city", "Taipei", "--as-of", "2026-03-01").stdout
    assert "2 ties: 1 active, 1 unknown" in network
    assert "Versailles, France · status unknown" in network
    stats = run("-r", reg, "stats", "--as-of", "2026-03-01").stdout
    status_chart = stats.split("Status", 1)[1]
    assert "unknown" in status_chart and "active" in status_chart


def test_stats_leave_unknown_out_when_no_tie_is(run: Run, reg: Path) -> None:
    stats = run("-r", reg, "stats", "--status", "active", "--as-of", "2026-03-01").stdout
    assert "unknown" not in stats.split("Status", 1)[1]


def test_upcoming_marks_them_and_keeps_them(run: Run, reg: Path) -> None:
    result = run("-r", reg, "upcoming", "--as-of", "2026-03-01", "--within", "1y")
    assert "Taipei–Versailles (status unknown)" in result.stdout
    calendar = run("-r", reg, "export", "ics", "--as-of", "2026-03-01").stdout_bytes
    from icalendar import Calendar

    found = {str(e["SUMMARY"]): e for e in Calendar.from_ical(calendar).walk("VEVENT")}
    # Known only to the month: an event spanning March, its status said.
    versailles = found["Taipei–Versailles: 20th sister-city anniversary, sometime in March 2026"]
    assert str(versailles["DESCRIPTION"]).endswith(
        "No source states whether the tie is still active."
    )
    assert str(versailles["STATUS"]) == "CONFIRMED"
    assert any(name.startswith("Taipei–Daegu") for name in found)


def test_check_accepts_unknown(run: Run, reg: Path) -> None:
    result = run("check", reg, "--strict", "--as-of", "2026-03-01")
    assert result.exit_code == 0, result.stdout


def test_without_a_status_a_tie_is_active_by_default(reg: Path) -> None:
    registry = build(tomli.loads(registry_text())).registry
    assert registry.by_id["taipei-daegu"].status.value == "active"


def test_the_registry_may_say_that_no_status_means_unknown(run: Run, reg: Path) -> None:
    reg.write_text(registry_text('default_status = "unknown"'), encoding="utf-8")
    assert show(run, reg, "taipei-daegu")["status"] == "unknown"
    # A tie recorded later with no status is unknown too; an explicit one stays.
    result = run(
        "-r", reg, "add", "partnership", "Daegu", "Versailles", "-e", "2020", "--source", "s"
    )
    assert result.exit_code == 0, result.stderr
    assert show(run, reg, "daegu-versailles")["status"] == "unknown"
    assert run("check", reg, "--strict", "--as-of", "2026-03-01").exit_code == 0


def test_an_import_into_such_a_registry_writes_active_out(run: Run, reg: Path) -> None:
    reg.write_text(registry_text('default_status = "unknown"'), encoding="utf-8")
    ties = reg.parent / "ties.csv"
    ties.write_text("city1,country1,city2,country2,status\nSeoul,KR,Taipei,TW,active\n")
    assert run("-r", reg, "import", "csv", ties).exit_code == 0
    assert show(run, reg, "seoul-taipei")["status"] == "active"
    assert 'status = "active"' in reg.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ('default_status = "ended"', 'settings.default_status must be "active" or "unknown"'),
        ("default_status = 1", 'settings.default_status must be "active" or "unknown"'),
    ],
)
def test_a_bad_setting_is_an_error(run: Run, reg: Path, settings: str, message: str) -> None:
    reg.write_text(registry_text(settings), encoding="utf-8")
    result = run("-r", reg, "list")
    assert result.exit_code == 3
    assert message in result.stderr


def test_a_change_of_status_is_never_to_unknown(run: Run, reg: Path) -> None:
    text = registry_text() + (
        '\n[[status_change]]\npartnership = "taipei-daegu"\ndate = "2020"\nstatus = "unknown"\n'
    )
    reg.write_text(text, encoding="utf-8")
    result = run("-r", reg, "list")
    assert result.exit_code == 3
    assert '\'status\' must be "active", "suspended" or "ended", not \'unknown\'' in (result.stderr)


def test_ending_or_confirming_a_tie_of_unknown_status(run: Run, reg: Path, tmp_path: Path) -> None:
    result = run("-r", reg, "resume", "taipei-versailles", "--date", "2024-05")
    assert result.exit_code == 0, result.stderr
    tie = show(run, reg, "taipei-versailles")
    assert (tie["status"], tie["status_date"]) == ("active", "2024-05")
    assert run("-r", reg, "end", "taipei-versailles", "--date", "2025").exit_code == 0
    assert show(run, reg, "taipei-versailles")["status"] == "ended"
