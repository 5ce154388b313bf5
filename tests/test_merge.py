"""The record-level three-way merge (core/merge.py) and `sisterctl merge` on files;
with real git in tests/test_git_merge.py."""

from __future__ import annotations

import datetime as dt
import shutil
import tomllib
from pathlib import Path

import pytest

from sisterctl.core.merge import MergeResult, merge
from tests.conftest import Run

AS_OF = dt.date(2026, 11, 28)
BASE = """\
# A registry.
schema_version = 1

[[city]]
id = "taipei-tw"
name = "Taipei"
country = "TW"

[[city]]
id = "daegu-kr"
name = "Daegu"
country = "KR"

[[city]]
id = "ningbo-cn"
name = "Ningbo"
country = "CN"

[[partnership]]
id = "taipei-daegu"
cities = ["taipei-tw", "daegu-kr"]
established = "2010-11-04"
sources = ["https://example.org"]

# A reaffirmation, by video.
[[agreement]]
partnership = "taipei-daegu"
date = "2021-03-26"
title = "Reaffirmation"

[[agreement.signatories]]
name = "Ko Wen-je"
"""


def run_merge(base: str, ours: str, theirs: str) -> MergeResult:
    return merge(base, ours, theirs, path="reg.toml", as_of=AS_OF)


def exchange(title: str, date: str = "2019") -> str:
    return (
        f'\n[[exchange]]\npartnership = "taipei-daegu"\ndate = "{date}"\nkind = "visit"\n'
        f'title = "{title}"\n'
    )


def test_additions_on_both_sides_ours_first_then_theirs_as_written() -> None:
    ours = BASE + "\n# ours\n" + exchange("Ours").lstrip("\n")
    theirs = BASE + exchange("Theirs").replace("kind = ", "kind    =   ")
    result = run_merge(BASE, ours, theirs)
    assert result.clean
    assert result.text == ours + exchange("Theirs").replace("kind = ", "kind    =   ")
    assert result.added == ["[[exchange]] 'Theirs' on 'taipei-daegu' of 2019"]


def test_the_same_record_added_on_both_sides_written_differently_is_kept_once() -> None:
    ours = BASE + exchange("Same")
    theirs = BASE + exchange("Same").replace('"2019"', "'2019'")
    result = run_merge(BASE, ours, theirs)
    assert result.clean and result.text == ours


def test_a_deletion_on_their_side_is_taken_with_the_comment_above_the_record() -> None:
    theirs = BASE.replace(
        '# A reaffirmation, by video.\n[[agreement]]\npartnership = "taipei-daegu"\n'
        'date = "2021-03-26"\ntitle = "Reaffirmation"\n\n[[agreement.signatories]]\n'
        'name = "Ko Wen-je"\n',
        "",
    )
    ours = BASE + exchange("Ours")
    result = run_merge(BASE, ours, theirs)
    assert result.clean, result.conflicts
    assert "Reaffirmation" not in result.text and "by video" not in result.text
    assert "Ko Wen-je" not in result.text  # its sub-table went with it
    assert result.deleted == ["[[agreement]] 'Reaffirmation' on 'taipei-daegu' of 2021-03-26"]
    assert tomllib.loads(result.text)["exchange"][0]["title"] == "Ours"


def test_a_sub_table_stays_with_its_record() -> None:
    theirs = BASE.replace('name = "Ko Wen-je"\n', 'name = "Ko Wen-je"\nrole = "Mayor"\n')
    ours = BASE + exchange("Ours")
    result = run_merge(BASE, ours, theirs)
    assert result.clean
    data = tomllib.loads(result.text)
    assert data["agreement"][0]["signatories"] == [{"name": "Ko Wen-je", "role": "Mayor"}]
    assert result.changed == ["[[agreement]] 'Reaffirmation' on 'taipei-daegu' of 2021-03-26"]


def test_a_comment_changed_on_one_side_is_taken() -> None:
    theirs = BASE.replace("# A registry.", "# A registry of Taipei's ties.")
    result = run_merge(BASE, BASE + exchange("Ours"), theirs)
    assert result.clean
    assert result.text.startswith("# A registry of Taipei's ties.\n")


def test_deleted_on_one_side_changed_on_the_other_is_a_conflict() -> None:
    tie = (
        '[[partnership]]\nid = "taipei-daegu"\ncities = ["taipei-tw", "daegu-kr"]\n'
        'established = "2010-11-04"\nsources = ["https://example.org"]\n\n'
    )
    ours = BASE.replace(tie, "").replace(
        BASE[BASE.index("# A reaffirmation") :], ""
    )  # the tie and its agreement deleted
    theirs = BASE.replace('established = "2010-11-04"', 'established = "2010-11"')
    result = run_merge(BASE, ours, theirs)
    assert not result.clean
    assert [c.describe() for c in result.conflicts] == [
        "[[partnership]] 'taipei-daegu': deleted on our side, changed on theirs"
    ]
    assert '<<<<<<< ours\n=======\n[[partnership]]\nid = "taipei-daegu"' in result.text
    assert result.text.endswith(
        'established = "2010-11"\nsources = ["https://example.org"]\n'
        ">>>>>>> theirs (deleted on our side, changed on theirs)\n"
    )


def test_a_merge_that_would_not_pass_check_is_a_conflict() -> None:
    # Their side deletes Ningbo, which our new tie names.
    ours = BASE + (
        '\n[[partnership]]\nid = "daegu-ningbo"\ncities = ["daegu-kr", "ningbo-cn"]\n'
        'sources = ["https://example.org/ningbo"]\n'
    )
    theirs = BASE.replace('[[city]]\nid = "ningbo-cn"\nname = "Ningbo"\ncountry = "CN"\n\n', "")
    result = run_merge(BASE, ours, theirs)
    assert not result.clean
    [conflict] = result.conflicts
    assert conflict.name == "[[partnership]] 'daegu-ningbo'"
    assert "names city 'ningbo-cn', which has no [[city]] record" in conflict.reason
    assert "[unknown-city]" in conflict.reason
    assert '<<<<<<< ours\n[[partnership]]\nid = "daegu-ningbo"' in result.text
    assert "=======\n>>>>>>> theirs (would not pass check: " in result.text


def test_errors_a_side_had_already_do_not_make_a_conflict() -> None:
    broken = BASE.replace('established = "2010-11-04"', 'established = "2010-11-04"\nkind = 3')
    result = run_merge(broken, broken + exchange("Ours"), broken + exchange("Theirs"))
    assert result.clean


def test_windows_line_endings_are_kept_and_given_to_what_theirs_adds() -> None:
    crlf = BASE.replace("\n", "\r\n")
    ours = crlf + exchange("Ours").replace("\n", "\r\n")
    result = run_merge(crlf, ours, BASE + exchange("Theirs"))
    assert result.clean
    assert result.text == ours + exchange("Theirs").replace("\n", "\r\n")


def test_a_settings_table_changed_or_added() -> None:
    theirs = BASE.replace(
        "schema_version = 1\n", 'schema_version = 1\n\n[settings]\nleap_day = "mar1"\n'
    )
    result = run_merge(BASE, BASE + exchange("Ours"), theirs)
    assert result.clean
    data = tomllib.loads(result.text)
    assert data["settings"] == {"leap_day": "mar1"} and data["exchange"][0]["title"] == "Ours"


@pytest.mark.parametrize(
    ("theirs", "reason"),
    [
        (BASE + "[[exchange]\n", "their side not valid TOML"),
        (
            BASE.replace(
                'title = "Reaffirmation"', 'title = "Reaffirmation"\nnotes = """\n[[city]]\n"""'
            ),
            "their side: its records cannot be told apart line by line",
        ),
        (
            BASE.replace(
                "schema_version = 1\n",
                'schema_version = 1\nexchange = [{ partnership = "taipei-daegu", kind = "k", '
                'title = "t" }]\n',
            ),
            "their side: its records cannot be told apart",
        ),
    ],
)
def test_what_cannot_be_merged_by_record(theirs: str, reason: str) -> None:
    result = run_merge(BASE, BASE + exchange("Ours"), theirs)
    assert not result.mergeable and result.reason.startswith(reason)
    assert result.text == BASE + exchange("Ours")  # our side, untouched


# ---------------------------------------------------------------------------
# The command, on files


def files(tmp_path: Path, base: str, ours: bytes | str, theirs: str) -> tuple[Path, Path, Path]:
    paths = tmp_path / "base.toml", tmp_path / "ours.toml", tmp_path / "theirs.toml"
    paths[0].write_text(base, encoding="utf-8")
    if isinstance(ours, str):
        paths[1].write_text(ours, encoding="utf-8")
    else:
        paths[1].write_bytes(ours)
    paths[2].write_text(theirs, encoding="utf-8")
    return paths


def test_the_command_writes_the_merge_over_ours(run: Run, tmp_path: Path) -> None:
    base, ours, theirs = files(
        tmp_path, BASE, b"\xef\xbb\xbf" + (BASE + exchange("Ours")).encode(), BASE + exchange("T")
    )
    ours.chmod(0o640)
    result = run("merge", base, ours, theirs, "data/partnerships.toml")
    assert result.exit_code == 0
    assert result.stderr == (
        "sisterctl merge: data/partnerships.toml: merged by record (1 added from theirs)\n"
    )
    assert ours.read_bytes() == b"\xef\xbb\xbf" + (BASE + exchange("Ours") + exchange("T")).encode()
    assert ours.stat().st_mode & 0o777 == 0o640


def test_the_command_exits_1_on_a_conflict(run: Run, tmp_path: Path) -> None:
    base, ours, theirs = files(
        tmp_path,
        BASE,
        BASE.replace('"2010-11-04"', '"2010-11-05"'),
        BASE.replace('"2010-11-04"', '"2010-11"'),
    )
    result = run("merge", base, ours, theirs)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"sisterctl merge: {ours}: conflict: [[partnership]] 'taipei-daegu': changed on both "
        "sides, differently",
        f"sisterctl merge: {ours}: 1 conflict left between <<<<<<< and >>>>>>> lines; resolve "
        "them, then run 'sisterctl check'",
    ]
    assert ours.read_text(encoding="utf-8").count("<<<<<<< ours\n") == 1


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_what_cannot_be_merged_by_record_is_merged_by_line(run: Run, tmp_path: Path) -> None:
    theirs_text = BASE.replace("# A registry.", "# A registry, in git.") + "x = [\n"
    base, ours, theirs = files(tmp_path, BASE, BASE + exchange("Ours"), theirs_text)
    result = run("merge", base, ours, theirs)
    assert "cannot merge by record (their side not valid TOML" in result.stderr
    assert "merging by line" in result.stderr
    merged = ours.read_text(encoding="utf-8")
    assert merged.startswith("# A registry, in git.\n")
    assert result.exit_code in (0, 1)
