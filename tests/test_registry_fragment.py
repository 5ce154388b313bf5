"""The TOML text that appends records: every record a `[[table]]` of its own."""

from __future__ import annotations

from pathlib import Path

import tomli

from sisterctl import registry


def test_a_short_record_is_written_as_a_table_not_an_inline_array() -> None:
    text = registry.fragment_for([("city", {"id": "b-tr", "name": "B", "country": "TR"})])
    assert text == '\n[[city]]\nid = "b-tr"\nname = "B"\ncountry = "TR"\n'


def test_records_with_nested_tables_read_back_under_their_own_table() -> None:
    agreement = {
        "partnership": "a-b",
        "title": "T",
        "signatories": [{"name": "N", "role": "Mayor"}],
        "custom": {"deep": {"n": 1}},
        "notes": "x" * 120,
    }
    text = "schema_version = 1\n[[partnership]]\nid = 'a-b'\n" + registry.fragment_for(
        [("agreement", agreement), ("city", {"custom": {"k": 2}})]
    )
    data = tomli.loads(text)
    assert data["partnership"] == [{"id": "a-b"}]
    assert data["agreement"] == [agreement]
    assert data["city"] == [{"custom": {"k": 2}}]


def test_appending_two_short_cities_after_a_partnership(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text(
        'schema_version = 1\n\n[[city]]\nid = "a-tr"\nname = "A"\ncountry = "TR"\n',
        encoding="utf-8",
    )
    records = [
        ("city", {"id": "b-tr", "name": "B", "country": "TR"}),
        ("partnership", {"id": "a-b", "cities": ["a-tr", "b-tr"]}),
    ]
    registry.append(path, lambda _: records)
    loaded = registry.load(path)
    assert [p.title for p in loaded.partnerships] == ["A–B"]
