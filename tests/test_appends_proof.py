"""Appends verified without reading the old file again (docs/store.md, "Appends"):
whenever the check on the appended text alone says yes, reading the whole new file
gives exactly the old data plus the new records, on generated registries with the
endings and table shapes people write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import tomli
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from sisterctl.model import RECORD_TABLES, Record
from sisterctl.records.toml import fragment_for
from sisterctl.store import appends
from sisterctl.store import index as store_index

PATH = Path("registry.toml")

CITY = '[[city]]\nid = "{id}"\nname = "{name}"\ncountry = "TW"\n'
TIE = '[[partnership]]\nid = "{id}"\ncities = ["a", "b"]\nestablished = "2010"\n'

# Pieces of a registry as people write them; some of them make a table one that a
# `[[table]]` header cannot extend (a static array), or hide header-like lines.
BLOCKS = {
    "a city": CITY.format(id="a", name="Alpha"),
    "another city": CITY.format(id="b", name="Beta"),
    "a tie": TIE.format(id="a-b"),
    "an exchange": '[[exchange]]\npartnership = "a-b"\nkind = "visit"\ntitle = "T"\n',
    "a sub-table": '[[partnership]]\nid = "b-a"\ncities = ["b", "a"]\n[partnership.extra]\nx = 1\n',
    "settings last": '[settings]\nleap_day = "mar1"\n',
    "a nested array of tables": (
        '[[city]]\nid = "c"\nname = "C"\ncountry = "TW"\n[[city.old]]\nname = "K"\n'
    ),
    "a multi-line string": (
        '[[city]]\nid = "m"\nname = "M"\ncountry = "TW"\nnotes = """\n[[exchange]]\nx = 1\n"""\n'
    ),
    "a comment that looks like a header": "# [[status_change]]\n",
    "a quoted header": '[["agreement"]]\npartnership = "a-b"\ntitle = "Q"\n',
}
# Top-level keys, which must come before the first table.
TOP = {
    "nothing": "",
    "a dotted key": 'settings.leap_day = "feb28"\n',
    "a static array of tables": 'exchange = [{ partnership = "a-b", kind = "v", title = "S" }]\n',
    "a static array on one line": 'agreement = [ { partnership = "a-b", title = "I" } ]\n',
    "an inline table": "status_change = []\n",
}
ENDINGS = ("\n", "", "\n\n", "  # a trailing comment", "# a trailing comment\n")


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    top = draw(st.sampled_from(sorted(TOP)))
    blocks = draw(st.lists(st.sampled_from(sorted(BLOCKS)), max_size=6))
    text = "schema_version = 1\n" + TOP[top]
    for name in blocks:
        text += "\n" + BLOCKS[name]
    text = text.rstrip("\n") + draw(st.sampled_from(ENDINGS))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    raw = text.encode("utf-8")
    if draw(st.booleans()):
        raw = b"\xef\xbb\xbf" + raw
    return raw


RECORDS: dict[str, dict[str, Any]] = {
    "city": {"id": "n", "name": "New", "country": "KR", "aliases": ["Nu", "Neu"]},
    "partnership": {"id": "a-n", "cities": ["a", "n"], "established": "2020-01-02"},
    "agreement": {"partnership": "a-b", "title": "Renewal", "signatories": [{"name": "X"}]},
    "exchange": {"partnership": "a-b", "kind": "visit", "title": 'A "quoted" visit\nof two lines'},
    "status_change": {"partnership": "a-b", "date": "2024", "status": "ended"},
}


def decoded(raw: bytes) -> str:
    text = raw.decode("utf-8")
    return text[1:] if text.startswith("\ufeff") else text


def proof(raw: bytes, records: list[Record]) -> tuple[str, list[Record]] | None:
    """The check on the appended text alone, as an append with an index makes it:
    None when it cannot tell."""
    text = decoded(raw)
    data = tomli.loads(text)
    try:
        return appends.prove_alone(
            PATH,
            raw[-2:],
            frozenset(store_index.appendable_tables(text, data)),
            store_index.all_crlf(text),
            records,
            fragment_for(records),
        )
    except appends._Unsure:
        return None


def full_reading(raw: bytes, records: list[Record]) -> tuple[str, list[Record]] | None:
    """The check an append without an index makes: the whole new text read back and
    compared with the old data plus the records; None when it refuses."""
    text = decoded(raw)
    addition = appends._addition(text, fragment_for(records))
    try:
        new = tomli.loads(text + addition)
        return addition, appends._compare_whole(PATH, tomli.loads(text), new, records)
    except (tomli.TOMLDecodeError, appends.RegistryError):
        return None


@settings(max_examples=400, deadline=None)
@given(
    raw=documents(),
    tables=st.lists(st.sampled_from(RECORD_TABLES), min_size=1, max_size=4),
)
@example(raw=b"schema_version = 1", tables=["exchange"])
@example(raw=b"schema_version = 1\r\n\r\n[settings]\r\nx = 1", tables=["city"])
def test_what_the_appended_text_proves_a_full_reading_confirms(
    raw: bytes, tables: list[str]
) -> None:
    try:
        tomli.loads(decoded(raw))
    except tomli.TOMLDecodeError:
        assume(False)
    records = [(table, dict(RECORDS[table])) for table in tables]
    proved = proof(raw, records)
    if proved is not None:
        assert full_reading(raw, records) == proved


@pytest.mark.parametrize("ending", ENDINGS)
@pytest.mark.parametrize("crlf", [False, True])
@pytest.mark.parametrize("bom", [False, True])
def test_the_usual_registries_are_proved_without_reading_them(
    ending: str, crlf: bool, bom: bool
) -> None:
    """Not a vacuous property: registries written as sisterctl and most people write
    them, with any ending, are proved from the appended text alone."""
    text = "schema_version = 1\n"
    for name in ("a city", "another city", "a tie", "a sub-table", "settings last"):
        text += "\n" + BLOCKS[name]
    text = text.rstrip("\n") + ending
    if crlf:
        text = text.replace("\n", "\r\n")
    raw = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    records = [(table, dict(RECORDS[table])) for table in RECORD_TABLES]
    proved = proof(raw, records)
    assert proved is not None
    assert full_reading(raw, records) == proved


@pytest.mark.parametrize(
    "shape", ["a static array of tables", "a static array on one line", "an inline table"]
)
def test_a_static_array_is_never_taken_for_one_that_headers_extend(shape: str) -> None:
    raw = ("schema_version = 1\n" + TOP[shape] + "\n" + BLOCKS["a city"]).encode()
    table = next(t for t in RECORD_TABLES if TOP[shape].startswith(t))
    records = [(table, dict(RECORDS[table]))]
    assert proof(raw, records) is None
    assert full_reading(raw, records) is None  # (the whole new file does not parse)


def test_header_like_lines_in_strings_make_it_unsure() -> None:
    raw = ("schema_version = 1\n" + BLOCKS["a multi-line string"]).encode()
    assert proof(raw, [("exchange", dict(RECORDS["exchange"]))]) is None
