"""`sisterctl upcoming` on registries in tmp_path, always with --as-of."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from sisterctl.errors import ExitCode
from tests.conftest import DATA, Run, one_tie

BUNDLED = Path(__file__).resolve().parents[1] / "data" / "partnerships.toml"


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    """tests/data/anniversaries.toml: every precision and status, an upgrade, a later
    agreement, a tie founded on 29 February and one with no known date."""
    path = tmp_path / "partnerships.toml"
    shutil.copy(DATA / "anniversaries.toml", path)
    return path


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def test_upcoming_table(run: Run, registry: Path) -> None:
    result = run("-r", registry, "upcoming", "--as-of", "2020-10-20", "--within", "6w")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert result.stderr == ""
    assert lines(result.stdout) == [
        "Anniversaries from 2020-10-20 through 2020-11-30 (6 weeks)",
        "",
        "Date        When         Anniversary  Tie                         Kind",
        "─" * 77,
        "2020-11-04  in 15 days   10th ★       Taipei–Daegu                sister city",
        "2020-11-30  in 41 days   5th ★        Houston–Ningbo (suspended)  sister city",
        "2020-11     in November  18th         Daegu–Ningbo                sister city",
        "",
        "Known only to the year: anniversaries in 2020",
        "Taipei–Houston 59th",
        "",
        "★ a milestone: the 1st anniversary and every 5th",
        "1 tie has no known founding date.",
    ]
    assert "\x1b[" not in result.stdout


def test_upcoming_all_and_agreements(run: Run, registry: Path) -> None:
    result = run(
        "-r", registry, "upcoming", "--as-of", "2020-10-20", "-w", "6w", "--all", "--agreements"
    )
    assert result.exit_code == ExitCode.OK, result.stderr
    body = [line for line in lines(result.stdout)[4:] if line.startswith("2")]
    assert [line.split()[0] for line in body] == [
        "2020-11-04",
        "2020-11-12",
        "2020-11-20",
        "2020-11-30",
        "2020-11",
    ]
    assert "Known only to the year: anniversaries in 2020\nTaipei–Houston 59th" in result.stdout
    assert "7th" in body[1] and "Daegu–Ningbo" in body[1] and body[1].endswith("upgrade")
    assert "Prague–Beijing (ended)" in body[2] and "in 31 days" in body[2]


def test_upcoming_today_tomorrow_and_the_reference_day_counts(run: Run, registry: Path) -> None:
    today = run("-r", registry, "upcoming", "--as-of", "2020-11-04", "--within", "1")
    assert today.exit_code == ExitCode.OK, today.stderr
    assert "\n2020-11-04  today " in today.stdout
    assert "(1 day)" in today.stdout
    tomorrow = run("-r", registry, "upcoming", "--as-of", "2020-11-03", "--within", "2")
    assert "\n2020-11-04  tomorrow " in tomorrow.stdout


def test_upcoming_crosses_the_year_end(run: Run, registry: Path) -> None:
    result = run("-r", registry, "upcoming", "--as-of", "2026-12-20", "-f", "json")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert [(r["date"], r["id"], r["ordinal"]) for r in json.loads(result.stdout)] == [
        ("2026", "taipei-houston", 65),
        ("2027", "taipei-houston", 66),
    ]
    longer = run("-r", registry, "upcoming", "--as-of", "2026-12-20", "-w", "2y", "-f", "json")
    rows = json.loads(longer.stdout)
    assert [(r["date"], r["ordinal"]) for r in rows if r["id"] == "taipei-daegu"] == [
        ("2027-11-04", 17),
        ("2028-11-04", 18),
    ]
    assert [r["date"] for r in rows if r["id"] == "taipei-houston"] == ["2026", "2027", "2028"]


def test_upcoming_json_fields(run: Run, registry: Path) -> None:
    result = run(
        "-r", registry, "upcoming", "--as-of", "2020-10-20", "--within", "3m", "-f", "json"
    )
    assert result.exit_code == ExitCode.OK, result.stderr
    rows = json.loads(result.stdout)
    assert rows[0] == {
        "date": "2020-11-04",
        "precision": "day",
        "days": 15,
        "ordinal": 10,
        "milestone": True,
        "id": "taipei-daegu",
        "city_a": "Taipei",
        "country_a": "TW",
        "city_b": "Daegu",
        "country_b": "KR",
        "kind": "sister city",
        "what": "founding",
        "agreement": None,
        "since": "2010-11-04",
        "status": "active",
    }
    month = next(r for r in rows if r["id"] == "daegu-ningbo")
    assert (month["date"], month["precision"], month["days"], month["ordinal"]) == (
        "2020-11",
        "month",
        None,
        18,
    )
    assert (rows[-1]["date"], rows[-1]["precision"], rows[-1]["days"]) == ("2021", "year", None)


def test_upcoming_csv_and_tsv(run: Run, registry: Path) -> None:
    result = run("-r", registry, "upcoming", "--as-of", "2020-10-20", "-w", "6w", "-f", "csv")
    assert result.exit_code == ExitCode.OK, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["date"], r["days"], r["ordinal"], r["milestone"], r["id"]) for r in rows] == [
        ("2020-11-04", "15", "10", "true", "taipei-daegu"),
        ("2020-11-30", "41", "5", "true", "houston-ningbo"),
        ("2020-11", "", "18", "false", "daegu-ningbo"),
        ("2020", "", "59", "false", "taipei-houston"),
    ]
    tsv = run("-r", registry, "upcoming", "--as-of", "2020-10-20", "-w", "6w", "-f", "tsv")
    header, first = tsv.stdout.splitlines()[:2]
    assert header.split("\t")[:6] == ["date", "precision", "days", "ordinal", "milestone", "id"]
    assert first.split("\t")[:6] == ["2020-11-04", "day", "15", "10", "true", "taipei-daegu"]


def test_upcoming_csv_is_safe_to_open_in_a_spreadsheet(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text(one_tie("+Taipei", "Daegu", established='"2010-11-04"'), encoding="utf-8")
    result = run("-r", path, "upcoming", "--as-of", "2020-11-01", "-f", "csv")
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert (row["city_a"], row["days"], row["ordinal"]) == ("'+Taipei", "3", "10")


def ids(run: Run, registry: Path, *args: str) -> list[str]:
    result = run(
        "-r", registry, "upcoming", "--as-of", "2020-01-01", "-w", "1y", "-f", "json", *args
    )
    assert result.exit_code == ExitCode.OK, result.stderr
    return [row["id"] for row in json.loads(result.stdout)]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            (),
            [
                "taipei-sao-paulo",
                "taipei-daegu",
                "houston-ningbo",
                "daegu-ningbo",
                "taipei-houston",
            ],
        ),
        (("--milestones",), ["taipei-daegu", "houston-ningbo"]),
        (("--city", "taegu"), ["taipei-daegu", "daegu-ningbo"]),
        (("--country", "China"), ["houston-ningbo", "daegu-ningbo"]),
        (("--country", "CZ"), []),
        (("--country", "CZ", "--all"), ["prague-beijing"]),
        (("--kind", "friendship city"), ["daegu-ningbo"]),
    ],
)
def test_upcoming_selects_like_list(
    run: Run, registry: Path, args: tuple[str, ...], expected: list[str]
) -> None:
    assert ids(run, registry, *args) == expected


def test_upcoming_leap_day_rule(run: Run, registry: Path, tmp_path: Path) -> None:
    def dates(path: Path, *args: str) -> list[str]:
        result = run(
            "-r", path, "upcoming", "--as-of", "2021-02-20", "--city", "São Paulo", "-f", "json",
            *args,
        )  # fmt: skip
        assert result.exit_code == ExitCode.OK, result.stderr
        return [row["date"] for row in json.loads(result.stdout)]

    assert dates(registry) == ["2021-02-28"]
    assert dates(registry, "--leap-day", "mar1") == ["2021-03-01"]
    text = registry.read_text(encoding="utf-8")
    own_rule = tmp_path / "mar1.toml"
    own_rule.write_text(
        text.replace(
            "schema_version = 1\n", 'schema_version = 1\n\n[settings]\nleap_day = "mar1"\n'
        ),
        encoding="utf-8",
    )
    assert dates(own_rule) == ["2021-03-01"]
    assert dates(own_rule, "--leap-day", "feb28") == ["2021-02-28"]
    # In a leap year, on the day itself.
    leap = run("-r", registry, "upcoming", "--as-of", "2024-02-20", "--city", "São Paulo")
    assert "\n2024-02-29  in 9 days  12th " in leap.stdout


def test_upcoming_says_so_when_there_is_nothing(run: Run, registry: Path) -> None:
    result = run("-r", registry, "upcoming", "--as-of", "2021-06-01", "--country", "KR")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert lines(result.stdout) == [
        "No anniversaries from 2021-06-01 through 2021-06-30.",
        "1 tie has no known founding date.",
    ]


@pytest.mark.parametrize("within", ["-5", "0", "3x", "1.5m", "soon"])
def test_upcoming_refuses_a_bad_window_in_one_line(run: Run, registry: Path, within: str) -> None:
    result = run("-r", registry, "upcoming", "--as-of", "2020-10-20", "--within", within)
    assert result.exit_code == ExitCode.USAGE
    assert result.stdout == ""
    assert result.stderr == (
        "sisterctl: --within takes a positive length: days (30), weeks (6w), months (3m) "
        f"or years (1y), not {within!r}\n"
    )


def test_upcoming_refuses_a_partial_as_of(run: Run, registry: Path) -> None:
    result = run("-r", registry, "upcoming", "--as-of", "2020-10")
    assert result.exit_code == ExitCode.REFUSED
    assert "--as-of: '2020-10' is a month, not a day" in result.stderr


def test_upcoming_refuses_a_window_past_9999(run: Run, registry: Path) -> None:
    result = run("-r", registry, "upcoming", "--as-of", "9999-06-01", "--within", "1y")
    assert result.exit_code == ExitCode.REFUSED
    assert result.stderr.count("\n") == 1 and "after the year 9999" in result.stderr


def test_upcoming_svg_and_html(run: Run, registry: Path, tmp_path: Path) -> None:
    svg, html = tmp_path / "up.svg", tmp_path / "up.html"
    result = run(
        "-r", registry, "upcoming", "--as-of", "2020-10-20", "--svg", svg, "--html", html,
        "--width", "100",
    )  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.stderr
    assert "Taipei–Daegu" in result.stdout
    assert svg.read_text(encoding="utf-8").startswith("<svg")
    assert "Taipei–Daegu" in html.read_text(encoding="utf-8")
    refused = run("-r", registry, "upcoming", "-f", "json", "--svg", svg)
    assert refused.exit_code == ExitCode.USAGE and "--svg and --html" in refused.stderr


def test_upcoming_shows_registry_text_safely(run: Run, registry: Path) -> None:
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace('name = "Daegu"', 'name = "Dae[bold]gu\\u001b[31m"'))
    result = run("-r", registry, "upcoming", "--as-of", "2020-11-04", "--within", "1")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert "Taipei–Dae[bold]gu\\x1b[31m" in result.stdout
    assert "\x1b" not in result.stdout


@pytest.mark.skipif(not BUNDLED.exists(), reason="no bundled registry in this checkout")
def test_upcoming_on_the_bundled_registry_finds_taipei_daegus_10th(run: Run) -> None:
    result = run("upcoming", "--as-of", "2020-10-20", "--within", "30", "-f", "json")
    assert result.exit_code == ExitCode.OK, result.stderr
    row = next(r for r in json.loads(result.stdout) if r["id"] == "taipei-daegu")
    assert (row["date"], row["days"], row["ordinal"], row["milestone"]) == (
        "2020-11-04",
        15,
        10,
        True,
    )
    table = run("upcoming", "--as-of", "2020-10-20", "--within", "30", "--city", "Daegu")
    assert any(
        "2020-11-04" in line and "10th ★" in line and "Taipei–Daegu" in line
        for line in table.stdout.splitlines()
    )


@pytest.mark.skipif(not BUNDLED.exists(), reason="no bundled registry in this checkout")
def test_upcoming_on_the_bundled_registry_taipei_houston_60th_and_the_reaffirmation(
    run: Run,
) -> None:
    houston = run("upcoming", "--as-of", "2021-06-01", "--city", "Houston", "-f", "csv")
    assert houston.exit_code == ExitCode.OK, houston.stderr
    rows = list(csv.DictReader(io.StringIO(houston.stdout)))
    assert [(r["date"], r["days"], r["ordinal"], r["milestone"]) for r in rows] == [
        ("2021-06-15", "14", "60", "true")
    ]
    args = ("--as-of", "2026-03-01", "-w", "1m", "--agreements", "--city", "Daegu", "-f", "json")
    reaffirmed = [
        r for r in json.loads(run("upcoming", *args).stdout) if r["what"] == "reaffirmation"
    ]
    assert [(r["id"], r["date"], r["ordinal"], r["milestone"]) for r in reaffirmed] == [
        ("taipei-daegu", "2026-03-26", 5, True)
    ]
