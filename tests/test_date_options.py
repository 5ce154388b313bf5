"""Every option that takes a date reads it the same way, with the same messages.

`today`, `yesterday` and `tomorrow` work wherever a day does; the same mistake gets
the same message whatever the option; prompts say what they take.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from sisterctl.dates import PartialDate, Precision, date_option
from sisterctl.errors import InvalidDateError
from tests.conftest import DATA, Run

TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def reg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import importlib

    # (`sisterctl.cli.app` as a dotted name is the Typer app that sisterctl.cli exports.)
    monkeypatch.setattr(importlib.import_module("sisterctl.cli.app"), "today", lambda: TODAY)
    path = tmp_path / "partnerships.toml"
    shutil.copy(DATA / "small.toml", path)
    return path


# ---------------------------------------------------------------------------
# The rule, pure


@pytest.mark.parametrize(
    ("text", "precision", "expected"),
    [
        ("today", None, PartialDate(2026, 3, 1)),
        ("Yesterday", None, PartialDate(2026, 2, 28)),
        (" tomorrow ", Precision.DAY, PartialDate(2026, 3, 2)),
        ("2021-03-26", None, PartialDate(2021, 3, 26)),
        ("2021-03", None, PartialDate(2021, 3)),
        ("2021", None, PartialDate(2021)),
        ("2010", Precision.YEAR, PartialDate(2010)),
        ("today", Precision.YEAR, PartialDate(2026)),  # --since today: this year
    ],
)
def test_what_a_date_option_takes(
    text: str, precision: Precision | None, expected: PartialDate
) -> None:
    assert date_option(text, option="--date", today=TODAY, precision=precision) == expected


def test_unknown_is_no_date_where_a_date_may_be_unknown() -> None:
    assert date_option("unknown", option="--date", today=TODAY, unknown=True) is None
    with pytest.raises(InvalidDateError, match="'unknown' is not a date"):
        date_option("unknown", option="--date", today=TODAY)


@pytest.mark.parametrize(
    ("text", "precision", "message"),
    [
        (
            "2026/12/01",
            Precision.DAY,
            "--x: '2026/12/01' is not a date: write YYYY-MM-DD (e.g. 2026-11-28), or "
            "today, yesterday or tomorrow",
        ),
        (
            "2026-11",
            Precision.DAY,
            "--x: '2026-11' is a month, not a day: write YYYY-MM-DD (e.g. 2026-11-28), or "
            "today, yesterday or tomorrow",
        ),
        (
            "2010-06",
            Precision.YEAR,
            "--x: '2010-06' is a month, not a year: write YYYY (e.g. 2010)",
        ),
        ("nineteen", Precision.YEAR, "--x: 'nineteen' is not a year: write YYYY (e.g. 2010)"),
        ("2021-02-30", None, "--x: '2021-02-30' is not a date: February 2021 has 28 days"),
        ("0000", None, "--x: '0000' is not a date: the year must be 0001 to 9999"),
        (
            "someday",
            None,
            "--x: 'someday' is not a date: write YYYY-MM-DD, YYYY-MM or YYYY (as precise "
            "as the source), or today, yesterday or tomorrow",
        ),
    ],
)
def test_one_message_for_each_mistake(text: str, precision: Precision | None, message: str) -> None:
    with pytest.raises(InvalidDateError) as caught:
        date_option(text, option="--x", today=TODAY, precision=precision)
    assert str(caught.value) == message


# ---------------------------------------------------------------------------
# Every command


def show(run: Run, reg: Path, tie: str = "taipei-daegu") -> dict[str, object]:
    result = run("-r", reg, "show", tie, "-f", "json", "--as-of", "2026-03-01")
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--as-of", "today", "-f", "csv"],
        ["show", "taipei-daegu", "--as-of", "yesterday"],
        ["timeline", "taipei-daegu", "--as-of", "tomorrow"],
        ["stats", "--as-of", "today"],
        ["upcoming", "--as-of", "today"],
        ["export", "ics", "--as-of", "today"],
        ["list", "--since", "2010", "--until", "today"],
    ],
)
def test_every_reading_command_takes_today(run: Run, reg: Path, args: list[str]) -> None:
    result = run("-r", reg, *args)
    assert result.exit_code == 0, result.stderr


def test_check_takes_today(run: Run, reg: Path) -> None:
    result = run("check", reg, "--as-of", "today")
    assert result.exit_code == 0, result.stdout


def test_the_words_count_from_today(run: Run, reg: Path) -> None:
    timeline = run("-r", reg, "timeline", "taipei-daegu", "--as-of", "yesterday").stdout
    assert "as of 2026-02-28" in timeline
    result = run("-r", reg, "list", "--city", "Taipei", "--as-of", "tomorrow", "-f", "json")
    assert json.loads(result.stdout)[0]["years"] == 15


def test_every_writing_command_takes_today(run: Run, reg: Path) -> None:
    commands = [
        ["add", "agreement", "taipei-daegu", "--date", "yesterday", "--title", "Memo"],
        ["add", "exchange", "taipei-daegu", "--date", "today", "--kind", "visit", "-t", "V"],
        ["end", "taipei-daegu", "--date", "today", "--suspend"],
        ["resume", "taipei-daegu", "--date", "tomorrow"],
        ["add", "partnership", "Taipei", "Oslo, NO", "--established", "today"],
    ]
    for args in commands:
        result = run("-r", reg, *args)
        assert result.exit_code == 0, (args, result.stderr)
    tie = show(run, reg)
    assert [a["date"] for a in tie["agreements"]][-1] == "2026-02-28"  # type: ignore[index]
    assert [c["date"] for c in tie["status_changes"]] == ["2026-03-01", "2026-03-02"]  # type: ignore[index]
    assert show(run, reg, "taipei-oslo")["established"] == "2026-03-01"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["list", "--as-of", "2026/12/01"],
            "--as-of: '2026/12/01' is not a date: write YYYY-MM-DD",
        ),
        (["stats", "--as-of", "2026-11"], "--as-of: '2026-11' is a month, not a day"),
        (["list", "--since", "2010-06"], "--since: '2010-06' is a month, not a year"),
        (["list", "--until", "2010/06"], "--until: '2010/06' is not a year: write YYYY"),
        (["upcoming", "--as-of", "2026"], "--as-of: '2026' is a year, not a day"),
        (
            ["add", "agreement", "taipei-daegu", "-d", "2026/12/01", "-t", "T"],
            "--date: '2026/12/01' is not a date: write YYYY-MM-DD, YYYY-MM or YYYY",
        ),
        (["end", "taipei-daegu", "--date", "2021-02-30"], "--date: '2021-02-30' is not a date"),
        (
            ["add", "partnership", "Taipei", "Oslo, NO", "-e", "soon"],
            "--established: 'soon' is not a date: write YYYY-MM-DD, YYYY-MM or YYYY",
        ),
    ],
)
def test_the_same_mistake_gets_the_same_message(
    run: Run, reg: Path, args: list[str], message: str
) -> None:
    before = reg.read_bytes()
    result = run("-r", reg, *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"sisterctl: {message}")
    assert result.stderr.count("\n") == 1
    assert reg.read_bytes() == before


def test_check_reads_as_of_the_same_way(run: Run, reg: Path) -> None:
    result = run("check", reg, "--as-of", "2026-11")
    assert result.exit_code == 1
    assert result.stderr.startswith("sisterctl: --as-of: '2026-11' is a month, not a day")


def test_a_prompt_says_what_it_takes_and_asks_again_in_the_same_words(
    run: Run, reg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sisterctl.cli.write.interactive", lambda: True)
    result = run(
        "-r", reg, "add", "partnership", "Taipei", "Oslo, NO", input="2015/11/10\n2015-11\n"
    )
    assert result.exit_code == 0, result.stderr
    assert "Established (YYYY-MM-DD, YYYY-MM or YYYY):" in result.stderr
    assert "sisterctl: --established: '2015/11/10' is not a date: write YYYY-MM-DD" in (
        result.stderr
    )
    assert "Error:" not in result.stderr
    assert show(run, reg, "taipei-oslo")["established"] == "2015-11"
