"""`sisterctl check`: every problem, where it is, and the exit codes CI relies on."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest

from sisterctl.core.check import CheckExit, check_text
from sisterctl.problems import Problem, Severity
from sisterctl.store.location import bundled_path
from tests.conftest import Run

AS_OF = dt.date(2026, 11, 28)

HEAD = """\
schema_version = 1

[[city]]
id = "taipei-tw"
name = "Taipei"
country = "TW"

[[city]]
id = "daegu-kr"
name = "Daegu"
country = "KR"
aliases = ["Taegu"]

[[partnership]]
id = "taipei-daegu"
cities = ["taipei-tw", "daegu-kr"]
established = "2010-11-04"
sources = ["https://example.org/taipei-daegu"]
"""
HEAD_LINES = HEAD.count("\n")  # the next record's header is on line HEAD_LINES + 2


def problems(text: str) -> list[tuple[str, str, int | None, str]]:
    report = check_text(text, "reg.toml", AS_OF)
    assert report.readable
    return [(p.severity.value, p.code, p.line, p.message) for p in report.problems]


def test_a_good_registry_has_no_problems() -> None:
    report = check_text(HEAD, "reg.toml", AS_OF)
    assert report.problems == ()
    assert report.exit_code is CheckExit.CLEAN
    assert report.summary() == "no problems in reg.toml (2 cities, 1 tie)"


def test_the_summary_counts_with_thousands_separators() -> None:
    report = check_text("schema_version = 1\n", "big.toml", AS_OF)
    report = replace(report, counts={"city": 17169, "tie": 24799, "agreement": 1})
    assert report.summary() == "no problems in big.toml (17,169 cities, 24,799 ties, 1 agreement)"
    errors = [Problem(Severity.ERROR, "x", None, 1, 1, "x")] * 1200
    assert replace(report, problems=tuple(errors)).summary() == "1,200 errors in big.toml"


CITY_SP = '\n[[city]]\nid = "sao-paulo-br"\nname = "São Paulo"\ncountry = "BR"\n'


@pytest.mark.parametrize(
    ("extra", "severity", "code", "offset", "fragment"),
    [
        # The same tie twice: in the other order, and through a second record of a city
        # that differs only in case and accents.
        (
            '\n[[partnership]]\nid = "daegu-taipei"\ncities = ["daegu-kr", "taipei-tw"]\n'
            'sources = ["s"]\n',
            "error",
            "duplicate-tie",
            4,
            "[[partnership]] #2 'daegu-taipei': the same tie as 'taipei-daegu' (line 14); "
            "a registry holds each tie once",
        ),
        (
            '\n[[city]]\nid = "taipei-2-tw"\nname = "TAIPEI"\ncountry = "TW"\n'
            '\n[[partnership]]\nid = "daegu-taipei"\ncities = ["daegu-kr", "taipei-2-tw"]\n'
            'sources = ["s"]\n',
            "error",
            "duplicate-tie",
            9,
            "the same tie as 'taipei-daegu' (line 14), recorded here as Daegu–TAIPEI",
        ),
        # Through an alias it is only probably the same tie.
        (
            '\n[[city]]\nid = "taegu-kr"\nname = "Taegu"\ncountry = "KR"\n'
            '\n[[partnership]]\nid = "taipei-taegu"\ncities = ["taipei-tw", "taegu-kr"]\n'
            'sources = ["s"]\n',
            "warning",
            "duplicate-tie",
            9,
            "probably the same tie as 'taipei-daegu' (line 14), recorded here as Taipei–Taegu",
        ),
        (
            '\n[[partnership]]\nid = "daegu-daegu"\ncities = ["daegu-kr", "daegu-kr"]\n'
            'sources = ["s"]\n',
            "error",
            "self-tie",
            4,
            "ties 'daegu-kr' to itself",
        ),
        (
            CITY_SP + '\n[[city]]\nid = "sp-br"\nname = "Sao Paulo"\ncountry = "BR"\n'
            '\n[[partnership]]\nid = "sp-sp"\ncities = ["sao-paulo-br", "sp-br"]\n'
            'sources = ["s"]\n',
            "error",
            "self-tie",
            14,
            "ties a city to itself: 'sao-paulo-br' and 'sp-br' are the same city "
            "('São Paulo' and 'Sao Paulo' differ only in case or accents)",
        ),
        # One city under two spellings.
        (
            CITY_SP + '\n[[city]]\nid = "sp-br"\nname = "Sao Paulo"\ncountry = "BR"\n',
            "warning",
            "same-city",
            9,
            "[[city]] #4 'sp-br': probably the same city as 'sao-paulo-br' (line 20): "
            "'São Paulo' and 'Sao Paulo' differ only in case or accents",
        ),
        (
            '\n[[city]]\nid = "taegu-kr"\nname = "Taegu"\ncountry = "KR"\n',
            "warning",
            "same-city",
            4,
            "probably the same city as 'daegu-kr' (line 8): 'Taegu' is an alias of 'Daegu'",
        ),
        # Dates out of order.
        (
            '\n[[agreement]]\npartnership = "taipei-daegu"\ntitle = "A"\ndate = "2010-11-03"\n',
            "error",
            "before-founding",
            5,
            "[[agreement]] #1: dated 2010-11-03, before its tie 'taipei-daegu' was founded "
            "(2010-11-04); if both dates are right, add before_founding = true",
        ),
        (
            '\n[[exchange]]\npartnership = "taipei-daegu"\nkind = "visit"\ntitle = "V"\n'
            'date = "2009"\n',
            "error",
            "before-founding",
            6,
            "[[exchange]] #1: dated 2009, before its tie 'taipei-daegu' was founded",
        ),
        (
            '\n[[exchange]]\npartnership = "taipei-daegu"\nkind = "visit"\ntitle = "V"\n'
            'date = "2011"\nbefore_founding = true\n',
            "warning",
            "before-founding",
            7,
            "marked before_founding, but dated 2011, not before its tie 'taipei-daegu' was "
            "founded (2010-11-04)",
        ),
        (
            '\n[[status_change]]\npartnership = "taipei-daegu"\ndate = "2010-10"\n'
            'status = "ended"\n',
            "error",
            "before-founding",
            4,
            "[[status_change]] #1: ended on 2010-10, before the tie 'taipei-daegu' was "
            "founded (2010-11-04)",
        ),
        # A Wikidata id is an item's: Q and a number.
        (
            '\n[[city]]\nid = "x-de"\nname = "X"\ncountry = "DE"\nwikidata = "q64"\n',
            "error",
            "value",
            6,
            "[[city]] #3 'x-de': 'wikidata' must be a Wikidata item id such as 'Q1867', not 'q64'",
        ),
        # Warnings.
        (
            '\n[[partnership]]\nid = "taipei-sp"\ncities = ["taipei-tw", "sao-paulo-br"]\n'
            + CITY_SP,
            "warning",
            "no-source",
            2,
            "[[partnership]] #2 'taipei-sp': has no sources: add the URL of a page that "
            "states the tie",
        ),
        (
            CITY_SP + '\n[[partnership]]\nid = "taipei-sp"\ncities = ["taipei-tw", '
            '"sao-paulo-br"]\nsources = ["s"]\nestablished = "2026-12"\n',
            "warning",
            "future-founding",
            11,
            "its founding date 2026-12 is in the future (after 2026-11-28)",
        ),
        (
            CITY_SP + '\n[[partnership]]\nid = "taipei-sp"\ncities = ["taipei-tw", '
            '"sao-paulo-br"]\nsources = ["s"]\nstatus = "suspended"\n',
            "warning",
            "suspended-no-date",
            11,
            "is suspended with no date: add status_date (and status_reason)",
        ),
        (
            '\n[[agreement]]\npartnership = "taipei-daegu"\ntitle = "Re\u202eaffirm"\n',
            "warning",
            "invisible-character",
            4,
            "'title' holds an invisible or control character (U+202E)",
        ),
        (
            '\n[[agreement]]\npartnership = "taipei-daegu"\ntitle = "A"\nsignd = "x"\n',
            "warning",
            "unknown-key",
            5,
            "unknown key 'signd' is kept but ignored",
        ),
    ],
)
def test_each_problem_with_its_severity_code_and_line(
    extra: str, severity: str, code: str, offset: int, fragment: str
) -> None:
    # (A tie through a second record of a city also gets that city's same-city warning.)
    found = [p for p in problems(HEAD + extra) if p[1] == code]
    assert len(found) == 1, found
    got_severity, got_code, line, message = found[0]
    assert (got_severity, got_code, line) == (severity, code, HEAD_LINES + offset)
    assert fragment in message


@pytest.mark.parametrize(
    "extra",
    [
        # A signing before the founding, marked as such.
        '\n[[agreement]]\npartnership = "taipei-daegu"\ntitle = "A"\ndate = "2009"\n'
        "before_founding = true\n",
        # Dates at a precision that cannot tell: 2010 may be after 2010-11-04.
        '\n[[agreement]]\npartnership = "taipei-daegu"\ntitle = "A"\ndate = "2010"\n',
        '\n[[exchange]]\npartnership = "taipei-daegu"\nkind = "k"\ntitle = "A"\ndate = "2010-11"\n',
        # Agreements and exchanges rest on their tie's sources.
        '\n[[exchange]]\npartnership = "taipei-daegu"\nkind = "k"\ntitle = "A"\n',
        # Two Springfields far apart, and a province named like its capital.
        '\n[[city]]\nid = "springfield-il-us"\nname = "Springfield"\ncountry = "US"\n'
        "lat = 39.80\nlon = -89.64\n"
        '\n[[city]]\nid = "springfield-mo-us"\nname = "Springfield"\ncountry = "US"\n'
        "lat = 37.21\nlon = -93.29\n",
        '\n[[city]]\nid = "gangwon-kr"\nname = "Daegu"\ncountry = "KR"\ntype = "province"\n',
        # A founding date today is not in the future; Persian spelling needs U+200C.
        '\n[[city]]\nid = "x-ir"\nname = "Ab\u200cAli"\ncountry = "IR"\n'
        '\n[[partnership]]\nid = "x-taipei"\ncities = ["x-ir", "taipei-tw"]\n'
        'sources = ["s"]\nestablished = "2026-11-28"\n',
        # A city's Wikidata item.
        '\n[[city]]\nid = "berlin-de"\nname = "Berlin"\ncountry = "DE"\nwikidata = "Q64"\n',
        # Notes may hold tabs and newlines.
        '\n[[exchange]]\npartnership = "taipei-daegu"\nkind = "k"\ntitle = "A"\n'
        'details = """one\n\ttwo"""\n',
    ],
)
def test_what_is_not_a_problem(extra: str) -> None:
    assert problems(HEAD + extra) == []


def test_every_problem_is_reported_not_only_the_first() -> None:
    text = (
        HEAD + '\n[[partnership]]\nid = "taipei-daegu"\ncities = ["taipei-tw", "daegu-kr"]\n'
        '\n[[city]]\nid = "x"\nname = "X"\ncountry = "ZZ"\n'
        '\n[[agreement]]\npartnership = "nowhere"\ntitle = "A"\ndate = "2021-02-30"\n'
    )
    found = problems(text)
    codes = [code for _, code, _, _ in found]
    assert codes == ["duplicate-id", "country", "unknown-tie", "date"]
    lines = [line for _, _, line, _ in found]
    assert lines == sorted(lines)


def test_a_record_naming_a_broken_tie_is_not_called_dangling() -> None:
    # The tie's bad date is its one problem; its agreement is not "which does not exist".
    text = HEAD.replace('"2010-11-04"', '"2010-11-31"') + (
        '\n[[agreement]]\npartnership = "taipei-daegu"\ntitle = "A"\n'
        '\n[[partnership]]\nid = "x"\ncities = ["taipei-tw", "seoul-kr"]\nsources = ["s"]\n'
        '\n[[city]]\nid = "seoul-kr"\nname = "Seoul"\ncountry = "XX"\n'
    )
    found = problems(text)
    assert [(code, line) for _, code, line, _ in found] == [("date", 17), ("country", 32)]


def test_strict_turns_warnings_into_errors() -> None:
    report = check_text(HEAD.replace("sources", "# sources"), "reg.toml", AS_OF)
    assert report.exit_code is CheckExit.CLEAN
    assert [p.severity for p in report.problems] == [Severity.WARNING]
    strict = report.strict()
    assert strict.exit_code is CheckExit.ERRORS
    assert [p.severity for p in strict.problems] == [Severity.ERROR]
    assert strict.summary() == "1 error in reg.toml"


def test_syntax_error_is_unreadable_with_line_and_column() -> None:
    report = check_text("schema_version = 1\n[[city]\n", "reg.toml", AS_OF)
    assert not report.readable
    assert report.exit_code is CheckExit.UNREADABLE
    (problem,) = report.problems
    assert (problem.line, problem.column, problem.code) == (2, 7, "toml")
    assert problem.message.startswith("not valid TOML: ")


# ---------------------------------------------------------------------------
# The command


def write(tmp_path: Path, text: str, name: str = "reg.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_check_prints_file_line_column_severity_message(run: Run, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD + '\n[[partnership]]\nid = "daegu-taipei"\ncities = ["daegu-kr", "taipei-tw"]\n',
    )
    result = run("check", path, "--as-of", "2026-11-28")
    assert result.exit_code == CheckExit.ERRORS
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        f"{path}:20:1: warning: [[partnership]] #2 'daegu-taipei': has no sources: add the "
        "URL of a page that states the tie [no-source]",
        f"{path}:22:10: error: [[partnership]] #2 'daegu-taipei': the same tie as "
        "'taipei-daegu' (line 14); a registry holds each tie once [duplicate-tie]",
        f"1 error and 1 warning in {path}",
    ]


def test_check_clean_exits_0_and_says_what_it_checked(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, HEAD)
    result = run("-r", path, "check")
    assert result.exit_code == CheckExit.CLEAN, result.output
    assert result.stdout == f"no problems in {path} (2 cities, 1 tie)\n"


def test_check_warnings_alone_exit_0_unless_strict(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, HEAD.replace('sources = ["https://example.org/taipei-daegu"]', ""))
    relaxed = run("check", path)
    assert relaxed.exit_code == CheckExit.CLEAN
    assert ": warning: " in relaxed.stdout and "1 warning in" in relaxed.stdout
    strict = run("check", "--strict", path)
    assert strict.exit_code == CheckExit.ERRORS
    assert f"{path}:14:1: error: [[partnership]] #1 'taipei-daegu': has no sources" in (
        strict.stdout
    )
    assert "1 error in" in strict.stdout


def test_check_json_for_ci(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, HEAD.replace('"TW"', '"ZZ"'))
    result = run("check", "--format", "json", path)
    assert result.exit_code == CheckExit.ERRORS
    report = json.loads(result.stdout)
    assert report == {
        "file": str(path),
        "readable": True,
        "strict": False,
        "errors": 1,
        "warnings": 0,
        "problems": [
            {
                "file": str(path),
                "line": 6,
                "column": 11,
                "severity": "error",
                "code": "country",
                "message": "[[city]] #1 'taipei-tw': unknown country code 'ZZ': use ISO "
                "3166-1 alpha-2 such as 'TW' or 'KR'",
                "record": {"table": "city", "number": 1, "id": "taipei-tw"},
            }
        ],
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"schema_version = 1\n[[city]\n", ":2:7: not valid TOML: "),
        (b'schema_version = 1\nname = "S\xe3o"\n', ":2:10: not UTF-8 text (byte 0xe3)"),
        (None, ": no registry file here"),
    ],
)
def test_check_exits_2_when_the_file_cannot_be_read_or_parsed(
    run: Run, tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "reg.toml"
    if content is not None:
        path.write_bytes(content)
    result = run("check", path)
    assert result.exit_code == CheckExit.UNREADABLE
    # The one problem, as a line editors and CI annotate, and as the message.
    first, summary = result.stdout.splitlines()
    detail = message.lstrip(":0123456789 ").strip()
    assert first.startswith(f"{path}:") and f": error: {detail}" in first
    assert summary == f"1 error in {path}"
    assert result.stderr.startswith(f"sisterctl: {path}{message}")
    assert result.stderr.count("\n") == 1
    as_json = run("check", "-f", "json", path)
    assert as_json.exit_code == CheckExit.UNREADABLE
    report = json.loads(as_json.stdout)
    assert report["readable"] is False and report["errors"] == 1
    assert report["problems"][0]["message"] in result.stderr


def test_check_as_of_decides_what_is_in_the_future(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, HEAD)
    early = run("check", "--as-of", "2010-11-03", "--strict", path)
    assert early.exit_code == CheckExit.ERRORS
    assert "its founding date 2010-11-04 is in the future (after 2010-11-03)" in early.stdout
    assert run("check", "--as-of", "2010-11-04", "--strict", path).exit_code == CheckExit.CLEAN


def test_check_escapes_control_characters_in_its_output(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, HEAD.replace('id = "taipei-tw"', 'id = "taipei\\u001b[2J"'))
    result = run("check", path)
    assert "\x1b" not in result.stdout
    assert "taipei\\x1b[2J" in result.stdout


def test_the_bundled_registry_passes_check_strict(run: Run) -> None:
    # No FILE and no --registry: the registry sisterctl uses by default, the bundled one.
    result = run("check", "--strict", "--as-of", "2026-11-28")
    assert result.stderr == ""
    assert result.stdout.startswith(f"no problems in {bundled_path()} ("), result.stdout
    assert result.exit_code == CheckExit.CLEAN


def test_the_readme_example_is_what_check_prints(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    root = Path(__file__).parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    command = "$ sisterctl check tests/data/check-example.toml\n"
    block = readme.split(command, 1)[1].split("```", 1)[0]
    # As printed, from the root of a clone.
    monkeypatch.chdir(root)
    result = run("check", "tests/data/check-example.toml", "--as-of", "2026-11-28")
    assert result.stdout == block
    assert result.exit_code == CheckExit.ERRORS
