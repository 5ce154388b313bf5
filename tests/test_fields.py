"""The field tables: one description per record type, and what is made from it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from sisterctl.model import City
from sisterctl.records.fields import (
    FREE_TEXT_KEYS,
    TABLES,
    Field,
    Kind,
    Table,
    record,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("table", TABLES.values(), ids=list(TABLES))
def test_every_key_fills_an_attribute_and_every_attribute_has_a_key(table: Table) -> None:
    attributes = [f.name for f in dataclasses.fields(table.model)]
    order = table.model_order
    assert [f.attribute if f else "extra" for f in order] == attributes
    assert {f.key for f in order if f} == table.keys


def test_a_key_without_an_attribute_is_a_mistake_found_at_once() -> None:
    table = Table("city", City, "", "", (Field("id", Kind.ID, ""), Field("nmae", Kind.TEXT, "")))
    with pytest.raises(TypeError, match=r"City\.name has no key"):
        _ = table.model_order


def test_lists_left_out_are_empty() -> None:
    assert TABLES["city"].by_key["aliases"].default == ()
    assert TABLES["agreement"].by_key["signatories"].default == ()
    assert TABLES["city"].by_key["notes"].default is None


def test_the_derived_keys_of_the_json_export() -> None:
    assert TABLES["city"].derived_keys == ("country_name",)
    assert TABLES["partnership"].derived_keys == ("precision",)
    assert TABLES["status_change"].derived_keys == ("precision",)


def test_free_text_is_the_keys_that_may_hold_line_breaks() -> None:
    assert {"notes", "details", "status_reason", "reason"} == FREE_TEXT_KEYS


def test_a_record_to_append_has_its_keys_in_the_tables_order() -> None:
    table, keys = record("exchange", title="T", kind="visit", partnership="a-b", date="2020")
    assert table == "exchange"
    assert list(keys) == ["partnership", "date", "kind", "title"]


def test_a_record_with_a_key_its_table_does_not_know_is_a_bug() -> None:
    with pytest.raises(ValueError, match=r"\[\[exchange\]\] has no key to_kind"):
        record("exchange", partnership="a-b", to_kind="sister city")


@pytest.mark.parametrize("name", TABLES)
def test_the_json_export_schema_has_every_key_of_the_table(name: str) -> None:
    """docs/json-format.schema.json is written by hand: a key added to a table must be
    added there too (with the derived keys and "extra")."""
    schema = json.loads((REPO / "docs" / "json-format.schema.json").read_text(encoding="utf-8"))
    table = TABLES[name]
    properties = set(schema["$defs"][name]["properties"])
    assert properties == {*table.keys, *table.derived_keys, "extra"}
