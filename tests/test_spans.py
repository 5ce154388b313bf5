"""Where each value is written: the scanner that lets an edit rewrite only its bytes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import tomli
from hypothesis import given, settings
from hypothesis import strategies as st

from sisterctl.records.spans import Change, LayoutError, record_spans, rewrite, rewrite_records
from sisterctl.records.toml import toml_value
from sisterctl.store.location import bundled_path
from tests.conftest import DATA

# A registry written every way TOML allows a person to write it.
HAND_WRITTEN = '''\
#:schema ./schema.json
schema_version = 1   # the format

[settings]
leap_day = "feb28"

# -- cities ---------------------------------------------------------------
[[city]]
id = 'taipei-tw'          # a literal string
"name" = "Taipei"         # a quoted key
country = "TW"
aliases = [
    "Taipei City",  # a comment in an array
    'Taihoku',
]
notes = """A multi-line note
with "quotes", a fake header on its own line:
[[partnership]]
and an escaped \\""" end."""

[[ city ]]
id = "daegu-kr"
name = "Daegu"
country = "KR"
local_name = «대구광역시»
lat = 35.8714
lon = 128.6014

[[partnership]]
id = "taipei-daegu"
cities = [ "taipei-tw" , "daegu-kr" ]
established = 2010-11-04
sources = ["https://example.org/a#fragment", "https://example.org/b"]
mystery = { nested = [1, 2, { deep = "x}" }], "key with spaces" = true }

[[agreement]]
partnership = "taipei-daegu"
date = "2021-03-26"
title = "Agreement to Reaffirm Sister City Friendship"
signatories = [
    { name = "Ko Wen-je", role = "Mayor of Taipei" },
    { name = "Kwon Young-jin", role = "Mayor of Daegu" },
]
when = 1979-05-27 07:32:00Z
fields = ["smart cities", "tourism"]'''.replace("«", "'''").replace("»", "'''")


def values_of(text: str) -> list[tuple[str, int, str, Any, Any]]:
    """Each key of each record: the value the scanner placed, and the value TOML reads."""
    data = tomli.loads(text)
    found = []
    for (table, index), record in record_spans(text).items():
        for key, span in record.keys.items():
            written = text[span.value_start : span.value_end]
            found.append(
                (table, index, key, tomli.loads(f"v = {written}")["v"], data[table][index][key])
            )
    return found


@pytest.mark.parametrize(
    "text",
    [
        HAND_WRITTEN,
        HAND_WRITTEN.replace("\n", "\r\n"),
        (DATA / "small.toml").read_text(encoding="utf-8"),
        (DATA / "timeline.toml").read_text(encoding="utf-8"),
        bundled_path().read_text(encoding="utf-8"),
    ],
    ids=["hand-written", "crlf", "small", "timeline", "bundled"],
)
def test_every_value_is_placed_exactly(text: str) -> None:
    found = values_of(text)
    assert found
    for table, index, key, placed, read in found:
        assert placed == read, (table, index, key)
    data = tomli.loads(text)
    spans = record_spans(text)
    for table in ("city", "partnership", "agreement", "exchange", "status_change"):
        for index, record in enumerate(data.get(table, [])):
            assert set(spans[(table, index)].keys) == set(record), (table, index)


def test_a_header_inside_a_string_is_no_record() -> None:
    spans = record_spans(HAND_WRITTEN)
    assert sorted(spans) == [("agreement", 0), ("city", 0), ("city", 1), ("partnership", 0)]


def change(text: str, table: str, index: int, *changes: tuple[str, Any]) -> str:
    order = ("id", "name", "country", "type", "local_name", "aliases", "notes", "sources")
    record = record_spans(text)[(table, index)]
    return rewrite(
        text,
        record,
        [Change(k, toml_value(v) if v is not None else None) for k, v in changes],
        order,
    )


def test_a_changed_value_is_the_only_bytes_that_change() -> None:
    new = change(HAND_WRITTEN, "city", 1, ("local_name", "대구"))
    quoted = "'" * 3 + "대구광역시" + "'" * 3
    assert new == HAND_WRITTEN.replace(f"local_name = {quoted}", 'local_name = "대구"')


def test_a_value_over_several_lines_is_replaced_whole() -> None:
    new = change(HAND_WRITTEN, "city", 0, ("notes", "One line."))
    start = HAND_WRITTEN.index('notes = """')
    end = HAND_WRITTEN.index('end."""') + len('end."""')
    assert new == HAND_WRITTEN[:start] + 'notes = "One line."' + HAND_WRITTEN[end:]
    assert tomli.loads(new)["city"][0]["notes"] == "One line."


def test_a_new_key_goes_after_the_one_before_it() -> None:
    new = change(HAND_WRITTEN, "city", 1, ("type", "city"))
    assert new == HAND_WRITTEN.replace('country = "KR"\n', 'country = "KR"\ntype = "city"\n')


def test_a_new_key_after_a_last_line_without_a_line_break() -> None:
    text = 'schema_version = 1\n[[city]]\nid = "x-tw"\nname = "X"'
    new = change(text, "city", 0, ("notes", "n"))
    assert new == text + '\nnotes = "n"'
    new = change(text, "city", 0, ("country", "TW"))
    assert new == text + '\ncountry = "TW"'


def test_a_removed_key_takes_its_lines_and_comment() -> None:
    new = change(HAND_WRITTEN, "city", 0, ("aliases", None))
    assert new == HAND_WRITTEN.replace(
        "aliases = [\n    \"Taipei City\",  # a comment in an array\n    'Taihoku',\n]\n", ""
    )


def test_windows_line_endings_stay() -> None:
    text = HAND_WRITTEN.replace("\n", "\r\n")
    new = change(text, "city", 1, ("aliases", ["Taegu"]), ("type", "city"))
    local_name = "local_name = " + "'" * 3 + "대구광역시" + "'" * 3 + "\r\n"
    expected = text.replace('country = "KR"\r\n', 'country = "KR"\r\ntype = "city"\r\n')
    assert new == expected.replace(local_name, local_name + 'aliases = ["Taegu"]\r\n')
    assert new.count("\r\n") == new.count("\n")
    assert tomli.loads(new)["city"][1]["aliases"] == ["Taegu"]


def test_several_records_rewritten_at_once_are_each_rewritten_as_alone() -> None:
    order = ("id", "name", "country", "type", "local_name", "aliases", "notes", "sources")
    one = [Change("notes", toml_value("first")), Change("aliases", None)]
    two = [Change("local_name", toml_value("대구")), Change("sources", toml_value(["x"]))]
    spans = record_spans(HAND_WRITTEN)
    together = rewrite_records(
        HAND_WRITTEN, [(spans[("city", 0)], one, order), (spans[("city", 1)], two, order)]
    )
    first = rewrite(HAND_WRITTEN, spans[("city", 1)], two, order)
    assert together == rewrite(first, record_spans(first)[("city", 0)], one, order)
    assert together != HAND_WRITTEN


def test_a_record_written_inline_is_not_found() -> None:
    text = 'schema_version = 1\ncity = [{ id = "x-tw", name = "X", country = "TW" }]\n'
    assert record_spans(text) == {}


def test_a_dotted_key_is_refused() -> None:
    text = 'schema_version = 1\n[[city]]\nid = "x"\nnotes.part = "n"\n'
    record = record_spans(text)[("city", 0)]
    with pytest.raises(LayoutError, match="dotted key"):
        rewrite(text, record, [Change("notes", '"n"')], ("notes",))


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(
    before=st.one_of(
        _text,
        st.lists(_text, max_size=3),
        st.integers(),
        st.floats(allow_nan=False),
        st.dates(min_value=dt.date(1, 1, 1)),
    ),
    after=st.one_of(_text, st.lists(_text, max_size=3), st.booleans()),
)
def test_any_value_written_by_sisterctl_is_placed_and_replaced(before: Any, after: Any) -> None:
    import tomli_w

    body = tomli_w.dumps({"note": before, "name": "X"}, multiline_strings=True)
    text = f'schema_version = 1\n\n[[city]]\nid = "x"  # keep\n{body}# after\n'
    [(_, _, key, placed, read), *_] = values_of(text)
    assert (key, placed) == ("id", read)
    new = change(text, "city", 0, ("note", after))
    data = tomli.loads(new)
    assert data["city"][0]["note"] == after
    assert data["city"][0]["name"] == "X"
    assert '"x"  # keep\n' in new and new.endswith("# after\n")
