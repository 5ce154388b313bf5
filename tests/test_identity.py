"""One rule for "the same record twice" (core/identity.py), and `add`, `import json`
and `check` applying it alike."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sisterctl import store
from sisterctl.core.check import check_text
from sisterctl.core.identity import model_key, record_key
from tests.conftest import Run

AS_OF = dt.date(2026, 11, 28)


@pytest.mark.parametrize(
    ("table", "one", "other"),
    [
        ("city", {"id": "taipei-tw", "name": "Taipei"}, {"id": "taipei-tw", "name": "Taibei"}),
        ("partnership", {"id": "t", "kind": "sister city"}, {"id": "t", "established": "2010"}),
        (
            "agreement",
            {"partnership": "t", "date": "2021-03-26", "title": "Sister City Agreement"},
            {"partnership": "t", "date": "2021-03-26", "title": "sister  city agreement"},
        ),
        (
            "agreement",  # a tie has one founding agreement, whatever its title or date
            {"partnership": "t", "date": "2010", "title": "A", "kind": "founding"},
            {"partnership": "t", "date": "2010-11-04", "title": "B", "kind": "Founding"},
        ),
        (
            "exchange",
            {"partnership": "t", "date": "2017", "kind": "Visit", "title": "São Paulo"},
            {"partnership": "t", "date": "2017", "kind": "visit", "title": "Sao Paulo"},
        ),
        (
            "status_change",
            {"partnership": "t", "date": "2019-10-07", "status": "ended", "reason": "a"},
            {"partnership": "t", "date": "2019-10-07", "status": "ended"},
        ),
    ],
)
def test_the_same_record(table: str, one: dict[str, str], other: dict[str, str]) -> None:
    assert record_key(table, one) == record_key(table, other)


@pytest.mark.parametrize(
    ("table", "one", "other"),
    [
        ("city", {"id": "taipei-tw"}, {"id": "taipei"}),
        (
            "agreement",  # a date at another precision is another date
            {"partnership": "t", "date": "2021", "title": "A"},
            {"partnership": "t", "date": "2021-03-26", "title": "A"},
        ),
        (
            "agreement",
            {"partnership": "t", "date": "2021", "title": "A"},
            {"partnership": "u", "date": "2021", "title": "A"},
        ),
        (
            "exchange",
            {"partnership": "t", "date": "2017", "kind": "visit", "title": "A"},
            {"partnership": "t", "date": "2017", "kind": "forum", "title": "A"},
        ),
        (
            "status_change",
            {"partnership": "t", "date": "2019", "status": "ended"},
            {"partnership": "t", "date": "2019", "status": "suspended"},
        ),
    ],
)
def test_other_records(table: str, one: dict[str, str], other: dict[str, str]) -> None:
    assert record_key(table, one) != record_key(table, other)


def test_a_model_record_has_the_key_of_the_record_it_was_read_from(tmp_path: Path) -> None:
    path = Path(__file__).parent / "data" / "small.toml"
    registry = store.load(path)
    import tomli

    data = tomli.loads(path.read_text(encoding="utf-8"))
    for table, models in (
        ("agreement", registry.agreements),
        ("exchange", registry.exchanges),
        ("status_change", registry.status_changes),
    ):
        assert [model_key(m) for m in models] == [record_key(table, r) for r in data.get(table, [])]


def test_keys_of_records_with_wrong_values_are_still_keys() -> None:
    assert record_key("agreement", {"partnership": 3, "date": "2021-02-30", "title": []})
    assert record_key("exchange", {}) == ("exchange", None, None, None, None)


# ---------------------------------------------------------------------------
# The rule where it is applied

TWICE = """\
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
sources = ["https://example.org"]

[[agreement]]
partnership = "taipei-daegu"
date = "2010-11-04"
title = "Sister city agreement"
kind = "founding"

[[agreement]]
partnership = "taipei-daegu"
date = "2010-11-04"
title = "Sister City Agreement"
kind = "founding"
venue = "Taipei City Hall"

[[exchange]]
partnership = "taipei-daegu"
date = "2017"
kind = "visit"
title = "Mayor's visit"

[[exchange]]
partnership = "taipei-daegu"
date = "2017"
kind = "Visit"
title = "Mayor’s visit"
"""


def test_check_warns_of_the_same_record_twice() -> None:
    report = check_text(TWICE, "reg.toml", AS_OF)
    found = [(p.severity.value, p.code, p.line, p.column, p.message) for p in report.problems]
    assert found == [
        (
            "warning",
            "duplicate-record",
            29,
            8,
            "[[agreement]] #2: the same agreement as an earlier one (agreement #1, line 19): "
            "a tie has one founding agreement; keep one (or, if they are two, tell them apart)",
        ),
    ]
    # Mayor's and Mayor’s are two titles: the rule compares case and accents, not quotes.
    fixed = TWICE.replace("Mayor’s", "Mayor's")
    found = [p.message for p in check_text(fixed, "reg.toml", AS_OF).problems]
    assert found[-1] == (
        "[[exchange]] #2: the same exchange as an earlier one (exchange #1, line 32): "
        "same tie, date, kind and title; keep one (or, if they are two, tell them apart)"
    )


def test_import_json_of_a_registry_holding_the_same_tie_adds_no_second_founding(
    run: Run, tmp_path: Path
) -> None:
    # The report that started it: a tie recorded with `add partnership`, then the
    # export of a registry holding the same tie imported: a second founding agreement.
    source = tmp_path / "source.toml"
    source.write_text(
        TWICE.split("[[agreement]]")[0]
        + '[[agreement]]\npartnership = "taipei-daegu"\ndate = "2010-11-04"\n'
        'title = "Agreement on Sister City Relations"\nkind = "founding"\n'
        '[[agreement]]\npartnership = "taipei-daegu"\ndate = "2021-03-26"\n'
        'title = "Agreement to Reaffirm Sister City Friendship"\nkind = "reaffirmation"\n'
        'mode = "video-conference"\n',
        encoding="utf-8",
    )
    exported = tmp_path / "registry.json"
    assert run("-r", source, "export", "json", "-o", exported).exit_code == 0
    reg = tmp_path / "mine.toml"
    assert run("init", reg).exit_code == 0
    assert (
        run("-r", reg, "add", "partnership", "Taipei, TW", "Daegu, KR", "-e", "2010-11-04")
    ).exit_code == 0
    again = ("-r", reg, "add", "agreement", "taipei-daegu", "-d", "2021-03-26",
             "-t", "agreement to reaffirm sister city friendship")  # fmt: skip
    assert run(*again).exit_code == 0
    before = reg.read_bytes()
    result = run("-r", reg, "import", "json", exported)
    assert result.exit_code == 0, result.stderr
    assert reg.read_bytes() == before  # nothing new: both agreements are there already
    assert "Nothing to add" in result.stdout
    report = check_text(reg.read_text(encoding="utf-8"), "mine.toml", AS_OF)
    assert [p.code for p in report.problems] == ["no-source"]


def test_add_refuses_a_second_founding_agreement(run: Run, tmp_path: Path) -> None:
    reg = tmp_path / "mine.toml"
    assert run("init", reg).exit_code == 0
    assert run("-r", reg, "add", "partnership", "Taipei, TW", "Daegu, KR", "-e", "2010-11-04")
    command = ("-r", reg, "add", "agreement", "taipei-daegu", "-d", "2010-11-04",
               "-t", "Agreement on Sister City Relations", "--kind", "founding")  # fmt: skip
    before = reg.read_bytes()
    result = run(*command)
    assert result.exit_code == 1
    assert result.stderr == (
        'sisterctl: taipei-daegu already has its founding agreement, "Sister city agreement" '
        "of 2010-11-04 (run again with --force to record a second one)\n"
    )
    assert reg.read_bytes() == before
    assert run(*command, "--force").exit_code == 0
    report = check_text(reg.read_text(encoding="utf-8"), "mine.toml", AS_OF)
    assert "duplicate-record" in [p.code for p in report.problems]
