"""`sisterctl edit` and `sisterctl sign`: values changed in place, every other byte kept."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DATA, Run

AS_OF = "2026-03-01"


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    """tests/data/small.toml, as a person wrote it: a comment, a key sisterctl does not
    know with a comment after it, multi-line arrays."""
    path = tmp_path / "partnerships.toml"
    shutil.copy(DATA / "small.toml", path)
    return path


def show(run: Run, reg: Path, tie: str = "taipei-daegu") -> dict[str, Any]:
    result = run("-r", reg, "show", tie, "-f", "json", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


SMALL = (DATA / "small.toml").read_bytes()


@pytest.mark.parametrize(
    ("form", "encode"),
    [
        ("as written", lambda b: b),
        ("CRLF", lambda b: b.replace(b"\n", b"\r\n")),
        ("byte-order mark", lambda b: b"\xef\xbb\xbf" + b),
        ("no final line break", lambda b: b.rstrip(b"\n")),
    ],
)
def test_only_the_bytes_of_the_changed_values_change(
    run: Run, reg: Path, form: str, encode: Any
) -> None:
    before = encode(SMALL)
    reg.write_bytes(before)
    nl = b"\r\n" if form == "CRLF" else b"\n"
    result = run(
        "-r", reg, "edit", "agreement", "taipei-daegu/2021-03-26-reaffirmation",
        "--set", "title=Agreement to Reaffirm the Sister City Friendship",
        "--set", "venue=Taipei City Hall",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "Changed title and venue of the agreement taipei-daegu/2021-03-26-reaffirmation "
        f"in {reg}.\n"
    )
    expected = before.replace(
        b'title = "Agreement to Reaffirm Sister City Friendship"',
        b'title = "Agreement to Reaffirm the Sister City Friendship"',
    ).replace(
        b'mode = "video-conference"' + nl,
        b'mode = "video-conference"' + nl + b'venue = "Taipei City Hall"' + nl,
    )
    assert reg.read_bytes() == expected
    [agreement] = show(run, reg)["agreements"]
    assert agreement["title"] == "Agreement to Reaffirm the Sister City Friendship"


def test_a_city_gains_its_names(run: Run, reg: Path) -> None:
    result = run(
        "-r", reg, "edit", "city", "sao-paulo-br", "--set", "local_name=São Paulo",
        "--add", "aliases=Sampa", "--add", "aliases=Sao Paulo", "--set", "type=municipality",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert reg.read_bytes() == SMALL.replace(
        b'name = "S\xc3\xa3o Paulo"\ncountry = "BR"\n',
        'name = "São Paulo"\ncountry = "BR"\ntype = "municipality"\nlocal_name = "São Paulo"\n'
        'aliases = ["Sampa", "Sao Paulo"]\n'.encode(),
    )
    # Added to a list that is there, and a key removed with its line.
    assert (
        run(
            "-r", reg, "edit", "city", "daegu-kr", "--add", "aliases=Daegu Metropolitan City"
        ).exit_code
        == 0
    )
    assert b'aliases = ["Taegu", "Daegu Metropolitan City"]\n' in reg.read_bytes()
    assert run("-r", reg, "edit", "city", "Praha", "--unset", "local_name").exit_code == 0
    assert b'local_name = "Praha"' not in reg.read_bytes()


def test_a_tie_its_status_and_a_key_that_is_not_known(run: Run, reg: Path) -> None:
    result = run(
        "-r", reg, "edit", "tie", "daegu-sao-paulo", "--set", "status=unknown",
        "--set", "established=1997-05",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    tie = show(run, reg, "daegu-sao-paulo")
    assert (tie["status"], tie["established"]) == ("unknown", "1997-05")
    # A key sisterctl does not know may be removed (a typo people fix).
    assert run("-r", reg, "edit", "tie", "taipei-daegu", "--unset", "mystery").exit_code == 0
    assert b"mystery" not in reg.read_bytes()
    assert b"# A test registry\n" in reg.read_bytes()


def test_an_exchange_gets_its_date_and_loses_it(run: Run, reg: Path) -> None:
    exchange = "taipei-daegu/2017-delegation"
    assert run("-r", reg, "edit", "exchange", exchange, "--set", "date=2017-08-19").exit_code == 0
    [universiade] = show(run, reg)["exchanges"]
    assert universiade["id"] == "taipei-daegu/2017-08-19-delegation"
    result = run("-r", reg, "edit", "exchange", universiade["id"], "--set", "date=unknown")
    assert result.exit_code == 0, result.stderr
    assert show(run, reg)["exchanges"][0]["precision"] == "unknown"


def test_dry_run_shows_a_diff_and_writes_nothing(run: Run, reg: Path) -> None:
    result = run("-r", reg, "edit", "city", "taipei-tw", "--set", "name=Taipei City", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"--- a/{reg}\n+++ b/{reg}\n@@ -3,7 +3,7 @@\n \n [[city]]\n"
        ' id = "taipei-tw"\n-name = "Taipei"\n+name = "Taipei City"\n country = "TW"\n'
        ' local_name = "臺北市"\n \n'
    )
    assert "Would change name of the city taipei-tw" in result.stderr
    assert reg.read_bytes() == SMALL


def test_setting_what_is_there_changes_nothing(run: Run, reg: Path) -> None:
    result = run("-r", reg, "edit", "city", "taipei-tw", "--set", "local_name=臺北市")
    assert result.exit_code == 0
    assert "Nothing to change: the city taipei-tw already holds these values." in result.stderr
    assert reg.read_bytes() == SMALL


def test_the_cache_sees_the_edit(run: Run, reg: Path) -> None:
    assert show(run, reg)["cities"][0]["name"] == "Taipei"  # read, and cached
    assert run("-r", reg, "edit", "city", "taipei-tw", "--set", "name=Taipei City").exit_code == 0
    assert show(run, reg)["cities"][0]["name"] == "Taipei City"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["city", "taipei-tw", "--set", "nmae=Taipei"],
            1,
            "a city has no key 'nmae' (did you mean name?); its keys are name, country, type,",
        ),
        (
            ["agreement", "taipei-daegu/2021-03-26-reaffirmation", "--unset", "notes"],
            1,
            "the agreement taipei-daegu/2021-03-26-reaffirmation has no 'notes' to remove",
        ),
        (["city", "taipei-tw", "--set", "id=taipei"], 1, "'id' is not edited in place"),
        (["tie", "taipei-daegu", "--set", "cities=x"], 1, "'cities' is not edited in place"),
        (
            ["agreement", "taipei-daegu/2021-03-26-reaffirmation", "--unset", "title"],
            1,
            "'title' is required",
        ),
        (
            ["agreement", "taipei-daegu/2021-03-26-reaffirmation", "--set", "date=2009"],
            1,
            "the edit would make 'sisterctl check' report: [[agreement]] #1: dated 2009, "
            "before its tie 'taipei-daegu' was founded (2010-11-04)",
        ),
        (
            ["tie", "taipei-daegu", "--set", "established=2010/11/04"],
            1,
            "established: '2010/11/04' is not a date",
        ),
        (
            ["tie", "taipei-daegu", "--set", "status=paused"],
            1,
            "status is active, suspended, ended or unknown",
        ),
        (["city", "taipei-tw", "--set", "country=Atlantis"], 1, "unknown country 'Atlantis'"),
        (["city", "taipei-tw", "--add", "name=x"], 1, "--add appends to a list"),
        (["city", "taipei-tw", "--set", "name"], 2, "--set takes KEY=VALUE"),
        (["city", "taipei-tw"], 2, "say what to change with --set"),
        (["town", "taipei-tw", "--set", "name=x"], 1, "there is no kind of record 'town'"),
        (
            ["city", "tapei-tw", "--set", "name=x"],
            1,
            "no city matches 'tapei-tw'; did you mean taipei-tw?",
        ),
        (
            ["agreement", "taipei-daegu/2021-03-26-reafirmation", "--set", "title=x"],
            1,
            "did you mean taipei-daegu/2021-03-26-reaffirmation?",
        ),
        (["city", "taipei-tw", "--set", "name=Tai\x1bpei"], 1, "without control characters"),
    ],
)
def test_refused_with_one_line_and_nothing_written(
    run: Run, reg: Path, args: list[str], code: int, message: str
) -> None:
    result = run("-r", reg, "edit", *args)
    assert result.exit_code == code, result.stderr
    assert result.stderr.startswith("sisterctl: ") and result.stderr.count("\n") == 1
    assert message in result.stderr
    assert reg.read_bytes() == SMALL


def test_a_record_written_as_an_inline_table_is_refused(run: Run, reg: Path) -> None:
    reg.write_text(
        'schema_version = 1\ncity = [{ id = "x-tw", name = "X", country = "TW" }]\n',
        encoding="utf-8",
    )
    before = reg.read_bytes()
    result = run("-r", reg, "edit", "city", "x-tw", "--set", "name=Y")
    assert result.exit_code == 1
    assert "is not written as a [[city]] table of its own" in result.stderr
    assert reg.read_bytes() == before


def test_a_new_warning_is_said(run: Run, reg: Path) -> None:
    result = run("-r", reg, "edit", "tie", "taipei-daegu", "--unset", "sources")
    assert result.exit_code == 0
    assert "note: after this change, check warns: [[partnership]] #1 'taipei-daegu': has no " in (
        result.stderr
    )


# ---------------------------------------------------------------------------
# sign

PLANNED = """
[[agreement]]
partnership = "taipei-daegu"
date = "2021"
title = "Memorandum on Mutual Tourism Promotion and Cooperation"
kind = "memorandum"
status = "planned"  # announced in March 2021
fields = ["tourism"]
notes = "To be signed by the tourism bureaus."
sources = ["https://example.org/announced"]
"""


@pytest.fixture
def planned(reg: Path) -> Path:
    reg.write_bytes(SMALL + PLANNED.encode())
    return reg


def test_sign_turns_the_planned_agreement_into_the_signed_one(run: Run, planned: Path) -> None:
    result = run(
        "-r", planned, "sign", "taipei-daegu/2021-memorandum", "--date", "2021-11-05",
        "--signatory", "Director of Tourism (Taipei)", "--mode", "in person",
        "--venue", "Daegu", "--source", "https://example.org/signed",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "Recorded the signing of the agreement taipei-daegu/2021-memorandum on 2021-11-05; "
        f"its id is now taipei-daegu/2021-11-05-memorandum, in {planned}.\n"
    )
    assert (
        planned.read_bytes()
        == SMALL
        + PLANNED.replace('date = "2021"', 'date = "2021-11-05"')
        .replace(
            'kind = "memorandum"\n',
            'kind = "memorandum"\nsignatories = [\n    { name = "Director of Tourism", role = '
            '"Taipei" },\n]\nmode = "in-person"\nvenue = "Daegu"\n',
        )
        .replace('status = "planned"', 'status = "signed"')
        .replace(
            'sources = ["https://example.org/announced"]',
            'sources = ["https://example.org/announced", "https://example.org/signed"]',
        )
        .encode()
    )
    # One agreement, signed, wherever it shows.
    tie = show(run, planned)
    memoranda = [a for a in tie["agreements"] if a["kind"] == "memorandum"]
    assert [(m["status"], m["date"]) for m in memoranda] == [("signed", "2021-11-05")]
    timeline = run("-r", planned, "timeline", "taipei-daegu", "--as-of", AS_OF).stdout
    assert timeline.count("Memorandum on Mutual Tourism") == 1 and "planned" not in timeline
    calendar = run("-r", planned, "export", "ics", "--agreements", "--as-of", "2022-01-01").stdout
    assert calendar.count("UID:taipei-daegu-memorandum-2021-11-05-1@sisterctl") == 1


def test_sign_by_the_tie_and_part_of_the_title(run: Run, planned: Path) -> None:
    result = run("-r", planned, "sign", "Taipei", "Daegu", "--title", "tourism", "-d", "2022")
    assert result.exit_code == 0, result.stderr
    result = run("-r", planned, "sign", "taipei-daegu", "-d", "2022")
    assert result.exit_code == 1
    assert "taipei-daegu has no planned agreement" in result.stderr


def test_sign_a_tie_alone_names_its_one_planned_agreement(run: Run, planned: Path) -> None:
    assert run("-r", planned, "sign", "taipei-daegu", "-d", "2021-12").exit_code == 0
    assert [a["date"] for a in show(run, planned)["agreements"]] == ["2021-03-26", "2021-12"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["taipei-daegu/2021-03-26-reaffirmation", "-d", "2021-03-27"],
            "taipei-daegu/2021-03-26-reaffirmation is already signed on 2021-03-26: only a "
            "planned agreement is signed",
        ),
        (
            ["taipei-daegu/2021-memorandum", "-d", "2009"],
            "a signing dated 2009 would come before it",
        ),
        (["taipei-daegu/2021-memorandum", "-d", "2021/11"], "--date: '2021/11' is not a date"),
        (
            ["taipei-daegu/2021-memorandu", "-d", "2022"],
            "did you mean taipei-daegu/2021-memorandum?",
        ),
        (["taipei-daegu", "--title", "nothing", "-d", "2022"], "has no agreement whose title has"),
    ],
)
def test_sign_refuses(run: Run, planned: Path, args: list[str], message: str) -> None:
    before = planned.read_bytes()
    result = run("-r", planned, "sign", *args)
    assert result.exit_code == 1, result.stderr
    assert message in result.stderr
    assert planned.read_bytes() == before


def test_sign_dry_run(run: Run, planned: Path) -> None:
    result = run("-r", planned, "sign", "taipei-daegu/2021-memorandum", "-d", "2021-11", "-n")
    assert result.exit_code == 0, result.stderr
    assert '-date = "2021"\n+date = "2021-11"\n' in result.stdout
    assert '-status = "planned"  # announced in March 2021\n' in result.stdout
    assert '+status = "signed"  # announced in March 2021\n' in result.stdout
    assert "dry run: nothing was written" in result.stderr
    assert planned.read_bytes() == SMALL + PLANNED.encode()
