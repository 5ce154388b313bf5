"""A planned agreement whose date has passed: shown as overdue, and `check` warns,
unless the record sets the warning aside with `ignore_warnings`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import DATA, Run

PLANNED = """
[[agreement]]
partnership = "taipei-daegu"
date = "2021"
title = "Memorandum on Mutual Tourism Promotion and Cooperation"
kind = "memorandum"
status = "planned"
"""


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    path = tmp_path / "partnerships.toml"
    shutil.copy(DATA / "small.toml", path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(PLANNED)
    return path


def test_not_overdue_in_its_year(run: Run, reg: Path) -> None:
    shown = run("-r", reg, "show", "taipei-daegu", "--as-of", "2021-12-31").stdout
    assert "(planned)" in shown and "overdue" not in shown
    assert "overdue-planned" not in run("check", reg, "--as-of", "2021-12-31").stdout


def test_overdue_once_its_date_has_passed(run: Run, reg: Path) -> None:
    shown = run("-r", reg, "show", "taipei-daegu", "--as-of", "2022-01-01").stdout
    assert "memorandum (planned, overdue)" in shown
    tie = json.loads(
        run("-r", reg, "show", "taipei-daegu", "-f", "json", "--as-of", "2022-01-01").stdout
    )
    assert [a.get("overdue") for a in tie["agreements"]] == [None, True]
    timeline = run("-r", reg, "timeline", "taipei-daegu", "--as-of", "2022-01-01").stdout
    assert "Cooperation · planned, overdue" in " ".join(timeline.split())
    upcoming = run(
        "-r", reg, "upcoming", "--agreements", "--as-of", "2026-03-01", "--within", "1y"
    ).stdout
    assert "Planned agreements whose date has passed\n" in upcoming
    assert "  taipei-daegu/2021-memorandum · planned for 2021, overdue\n" in upcoming
    assert "    Memorandum on Mutual Tourism Promotion and Cooperation\n" in upcoming
    # Without --agreements, anniversaries of ties only.
    plain = run("-r", reg, "upcoming", "--as-of", "2026-03-01", "--within", "1y").stdout
    assert "overdue" not in plain


def test_check_warns_of_it(run: Run, reg: Path) -> None:
    result = run("check", reg, "--as-of", "2026-03-01")
    assert result.exit_code == 0
    assert (
        ":79:10: warning: [[agreement]] #2: 'taipei-daegu/2021-memorandum' was planned for 2021, "
        "which has passed (as of 2026-03-01): record its signing with 'sisterctl sign "
        "taipei-daegu/2021-memorandum --date ...', or, when no source reports it, say so in "
        'its notes and add ignore_warnings = ["overdue-planned"] [overdue-planned]'
    ) in result.stdout
    assert run("check", reg, "--strict", "--as-of", "2026-03-01").exit_code == 1
    assert result.stdout.count("[overdue-planned]") == 1


def test_a_record_may_set_a_warning_aside(run: Run, reg: Path) -> None:
    result = run(
        "-r", reg, "edit", "agreement", "taipei-daegu/2021-memorandum",
        "--add", "ignore_warnings=overdue-planned",
        "--set", "notes=No source reports the signing.",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    checked = run("check", reg, "--as-of", "2026-03-01").stdout
    assert "overdue-planned" not in checked
    # Only that warning, of that record: the ties with no sources still get theirs.
    assert "[no-source]" in checked


def test_an_unknown_code_to_set_aside_is_a_warning(run: Run, reg: Path) -> None:
    reg.write_text(
        reg.read_text(encoding="utf-8") + 'ignore_warnings = ["overdue"]\n', encoding="utf-8"
    )
    result = run("check", reg, "--as-of", "2021-06-01")
    assert "ignore_warnings names 'overdue', which is no warning of check" in result.stdout
    assert "[ignore-warnings]" in result.stdout


def test_errors_are_never_set_aside(run: Run, reg: Path) -> None:
    text = reg.read_text(encoding="utf-8").replace('date = "2021"', 'date = "2009"')
    reg.write_text(text + 'ignore_warnings = ["before-founding"]\n', encoding="utf-8")
    result = run("check", reg, "--as-of", "2021-06-01")
    assert result.exit_code == 1
    assert "error: [[agreement]] #2: dated 2009, before its tie" in result.stdout


def test_signing_it_ends_the_warning(run: Run, reg: Path) -> None:
    assert run("-r", reg, "sign", "taipei-daegu/2021-memorandum", "-d", "2021-11").exit_code == 0
    result = run("check", reg, "--as-of", "2026-03-01")
    assert "overdue-planned" not in result.stdout
