"""Loading a registry: resolution order, and one precise line for each bad registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from sisterctl.errors import ExitCode, RegistryError
from sisterctl.records.build import build
from sisterctl.records.locator import record_lines
from sisterctl.store.location import Origin, bundled_path, locate
from sisterctl.store.read import load
from tests.conftest import Run

GOOD_HEAD = (
    "schema_version = 1\n"
    '[[city]]\nid = "taipei-tw"\nname = "Taipei"\ncountry = "TW"\n'
    '[[city]]\nid = "daegu-kr"\nname = "Daegu"\ncountry = "KR"\n'
)
TIE = '[[partnership]]\nid = "taipei-daegu"\ncities = ["taipei-tw", "daegu-kr"]\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("schema_version = 1\nx = [\n", ":3:1: not valid TOML: Invalid value"),
        ("schema_version = 1\n[[city]\n", ":2:7: not valid TOML"),
        ("[[city]]\nid = 'a'\n", "'schema_version' is missing"),
        ("schema_version = 99\n", "schema_version 99 is not one this sisterctl knows"),
        ("schema_version = '1'\n", "'schema_version' must be an integer"),
        (
            GOOD_HEAD + TIE + 'established = "2021-02-30"\n',
            ":13:15: [[partnership]] #1 'taipei-daegu': 'established': '2021-02-30' is not a date: "
            "February 2021 has 28 days",
        ),
        (GOOD_HEAD + TIE + "established = 2010\n", "'established': expected a date such as"),
        (
            GOOD_HEAD + TIE + 'fields = "tourism"\nkind = 3\n',
            "'kind' must be a string, not an integer",
        ),
        (
            GOOD_HEAD + TIE + TIE,
            ":14:6: [[partnership]] #2 'taipei-daegu': duplicate id 'taipei-daegu'",
        ),
        (
            GOOD_HEAD + '[[partnership]]\nid = "x"\ncities = ["taipei-tw", "daegu"]\n',
            "names city 'daegu', which has no [[city]] record (did you mean 'daegu-kr'?)",
        ),
        (
            GOOD_HEAD + TIE + '[[agreement]]\npartnership = "taipei-daegoo"\ntitle = "A"\n',
            ":14:15: [[agreement]] #1: names partnership 'taipei-daegoo', which does not exist "
            "(did you mean 'taipei-daegu'?)",
        ),
        (GOOD_HEAD + TIE + '[[agreement]]\npartnership = "taipei-daegu"\n', "'title' is missing"),
        (
            GOOD_HEAD + TIE + '[[exchange]]\npartnership = "taipei-daegu"\ntitle = "x"\n',
            "[[exchange]] #1: 'kind' is missing",
        ),
        (
            GOOD_HEAD + TIE + 'status = "paused"\n',
            '\'status\' must be "active", "suspended", "ended" or "unknown", not \'paused\'',
        ),
        (
            'schema_version = 1\n[[city]]\nid = "x"\nname = "X"\ncountry = "ZZ"\n',
            "unknown country code 'ZZ'",
        ),
        (
            'schema_version = 1\n[[city]]\nid = "Bad Id"\nname = "X"\ncountry = "TW"\n',
            "id 'Bad Id' must be lowercase letters",
        ),
        ('schema_version = 1\ncity = "Taipei"\n', "'city' must be an array of tables"),
        ('schema_version = 1\n[settings]\nleap_day = "feb29"\n', "settings.leap_day must be"),
    ],
)
def test_bad_registry_gets_one_precise_line(
    run: Run,
    write_registry,
    text: str,  # type: ignore[no-untyped-def]
    message: str,
) -> None:
    path = write_registry(text)
    result = run("-r", path, "list")
    assert result.exit_code == ExitCode.REGISTRY
    assert result.stdout == ""
    assert result.stderr.startswith(f"sisterctl: {path}")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_missing_file_says_where_it_looked(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    result = run("-r", missing, "list")
    assert result.exit_code == ExitCode.REGISTRY
    assert result.stderr == (
        f"sisterctl: {missing}: no registry file here (create one with 'sisterctl init "
        f"{missing}', or name another with --registry or $SISTERCTL_REGISTRY)\n"
    )


def test_not_utf8_names_line_and_column(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b"schema_version = 1\n# S\xe3o Paulo\n")
    result = run("-r", path, "list")
    assert result.exit_code == ExitCode.REGISTRY
    assert f"{path}:2:4: not UTF-8 text (byte 0xe3)" in result.stderr


def test_a_directory_is_not_a_registry(run: Run, tmp_path: Path) -> None:
    result = run("-r", tmp_path, "list")
    assert result.exit_code == ExitCode.REGISTRY
    assert "is a directory, not a registry file" in result.stderr


def test_byte_order_mark_is_accepted(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (GOOD_HEAD + TIE).encode())
    result = run("-r", path, "list", "-f", "csv")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert "taipei-daegu,Taipei,TW,Daegu,KR" in result.stdout


def test_unknown_keys_are_kept_not_errors(write_registry) -> None:  # type: ignore[no-untyped-def]
    path = write_registry(GOOD_HEAD + TIE + 'established = "2010"\nwebsite = "x"\n[x]\ny = 1\n')
    registry = load(path)
    assert registry.partnerships[0].extra == {"website": "x"}
    import tomli

    result = build(tomli.loads(path.read_text()), text=path.read_text())
    assert [(p.severity.value, p.code, p.message, p.line, p.column) for p in result.problems] == [
        ("warning", "unknown-key", "unknown top-level key 'x' is kept but ignored", 15, 1),
        (
            "warning",
            "unknown-key",
            "[[partnership]] #1 'taipei-daegu': unknown key 'website' is kept but ignored",
            14,
            1,
        ),
    ]


def test_a_misspelt_key_that_stands_in_for_a_missing_one_is_an_error(
    write_registry,  # type: ignore[no-untyped-def]
) -> None:
    # `establised`: the tie would have no founding date, and so no anniversaries.
    path = write_registry(GOOD_HEAD + TIE + 'establised = "2010-11-04"\n')
    with pytest.raises(RegistryError) as caught:
        load(path)
    assert str(caught.value) == (
        f"{path}:13:1: [[partnership]] #1 'taipei-daegu': 'establised' is not a key of "
        "[[partnership]]; it looks like a misspelling of 'established', which the record "
        "lacks: rename it to 'established'"
    )
    # Beside the key it looks like, it stands in for nothing: a warning, as any
    # unknown key.
    path = write_registry(GOOD_HEAD + TIE + 'established = "2010"\nestablised = "2010"\n')
    assert load(path).partnerships[0].extra == {"establised": "2010"}
    # A misspelt table loses every record under it.
    path = write_registry(GOOD_HEAD.replace("[[city]]", "[[citys]]"))
    with pytest.raises(RegistryError, match=r"'citys' is not a top-level key or table .* 'city'"):
        load(path)


def test_record_lines_skip_nested_and_commented_headers() -> None:
    text = (
        "schema_version = 1\n# [[city]]\n[[city]]\nid='a'\n"
        "  [[ partnership ]]\n[[agreement.signatories]]\n"
    )
    assert record_lines(text) == {"city": [3], "partnership": [5]}


def test_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    option = tmp_path / "option.toml"
    env = {"SISTERCTL_REGISTRY": str(tmp_path / "env.toml")}
    assert locate(option, env) == locate(str(option), {})
    assert locate(option, env).origin is Origin.OPTION
    assert locate(None, env).path == tmp_path / "env.toml"
    assert locate(None, {}).origin is Origin.BUNDLED
    assert locate(None, {}).path == bundled_path()
    user = tmp_path / "data" / "sisterctl" / "partnerships.toml"
    user.parent.mkdir(parents=True)
    user.write_text("schema_version = 1\n")
    assert locate(None, {}).path == user
    assert locate(None, {}).origin is Origin.USER
    assert locate(None, env).origin is Origin.ENV


def test_environment_variable_names_the_registry(run: Run, small_registry: Path) -> None:
    result = run("list", "-f", "csv", env={"SISTERCTL_REGISTRY": str(small_registry)})
    assert "prague-beijing" in result.stdout


def test_load_raises_registry_error_with_location(write_registry) -> None:  # type: ignore[no-untyped-def]
    path = write_registry(GOOD_HEAD + TIE + 'established = "2010-13"\n')
    with pytest.raises(RegistryError) as info:
        load(path)
    assert info.value.line == 13  # the bad key's line, not only its record's
    assert info.value.path == path


def test_locator_finds_a_key_in_its_record_and_falls_back_to_the_header() -> None:
    from sisterctl.problems import RecordRef
    from sisterctl.records.locator import Locator

    text = (
        "schema_version = 1\n"
        '[[city]]\nid = "a"\n'
        '[[partnership]]\n  id = "t"\n  "cities" = ["a", "b"]\nnotes = """\n[not a header]\n'
        'established = "x"\n"""\n'
        "[[partnership]]\nlocation.lat = 1\n"
    )
    locate_in = Locator(text).position
    tie, second = RecordRef("partnership", 0), RecordRef("partnership", 1)
    # Where the value starts; where the key starts, when asked for the key.
    assert locate_in(tie, "id") == (5, 8)
    assert locate_in(tie, "id", value=False) == (5, 3)
    assert locate_in(tie, "cities") == (6, 14)
    assert locate_in(tie, "notes") == (7, 9)  # a multi-line string: its opening quotes
    # A key that is not in the record (only inside a string that looks like a header
    # follows): the record's header.
    assert locate_in(tie, "established") == (4, 1)
    assert locate_in(second, "location") == (11, 1)  # dotted keys: the header
    assert locate_in(RecordRef("city", 0), "id") == (3, 6)
    assert locate_in(RecordRef("city", 5), "id") is None
    assert locate_in(None, "schema_version") == (1, 18)
    assert locate_in(None, "partnership") == (4, 1)  # a table by its first header
    assert Locator(None).position(tie, "id") is None


def test_an_empty_file_says_so(write_registry) -> None:  # type: ignore[no-untyped-def]
    path = write_registry(" \n\n")
    with pytest.raises(RegistryError, match="the file is empty: a registry starts with"):
        load(path)


CONFLICTED = (
    GOOD_HEAD
    + TIE
    + "<<<<<<< HEAD\n"
    + 'established = "2010-11-04"\n'
    + "||||||| base\n"
    + "=======\n"
    + 'established = "2010-11"\n'
    + ">>>>>>> branch\n"
)


def test_a_registry_with_merge_conflict_markers_says_so(run: Run, write_registry) -> None:  # type: ignore[no-untyped-def]
    path = write_registry(CONFLICTED)
    message = (
        f"sisterctl: {path}:13:1: unresolved merge conflict: keep the records of both sides "
        "(or the one that is right) and delete the <<<<<<<, ======= and >>>>>>> lines\n"
    )
    result = run("-r", path, "list")
    assert (result.exit_code, result.stderr) == (3, message)
    result = run("check", path, "--format", "json")
    assert result.exit_code == 2
    assert result.stderr == message
    import json

    [problem] = json.loads(result.stdout)["problems"]
    assert (problem["code"], problem["line"]) == ("merge-conflict", 13)


def test_marker_like_lines_in_a_string_are_text(write_registry) -> None:  # type: ignore[no-untyped-def]
    notes = 'notes = """\n<<<<<<< not a marker\n=======\n>>>>>>> text\n"""\n'
    assert load(write_registry(GOOD_HEAD + TIE + notes)).partnerships[0].notes == (
        "<<<<<<< not a marker\n=======\n>>>>>>> text\n"
    )
    # A real error before such a line is a TOML error, not a conflict.
    path = write_registry(GOOD_HEAD + TIE + "kind = \n" + notes)
    with pytest.raises(RegistryError, match=r":13:\d+: not valid TOML"):
        load(path)
