"""The JSON Schema of the registry format: valid, shipped, pointed to, and in agreement
with the loader on what a registry may hold."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import tomli
from jsonschema import Draft202012Validator

from sisterctl import countries
from sisterctl.model import RECORD_TABLES
from sisterctl.records import build as records_build
from sisterctl.records import schema as schema_maker
from sisterctl.records.fields import TABLES, TOP_KEYS
from sisterctl.records.toml import SCHEMA_URL, schema_directive
from sisterctl.store.location import bundled_path, schema_path

REPO = Path(__file__).resolve().parents[1]


def load_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return schema


VALIDATOR = Draft202012Validator(load_schema())


def as_json(value: Any) -> Any:
    """TOML values as an editor validates them: dates and times become their text."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    return value


def schema_accepts(text: str) -> bool:
    return VALIDATOR.is_valid(as_json(tomli.loads(text)))


def loader_accepts(text: str) -> bool:
    return not records_build.build(tomli.loads(text), text=text).errors


def test_the_schema_is_valid_draft_2020_12() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_the_schema_ships_in_the_package_and_lives_in_schema_folder() -> None:
    assert schema_path().name == "registry.schema.json"
    assert schema_path().read_bytes() == (REPO / "schema" / "registry.schema.json").read_bytes()
    assert load_schema()["$id"] == SCHEMA_URL


def test_the_bundled_registry_is_valid_against_the_schema() -> None:
    data = tomli.loads(bundled_path().read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(as_json(data))]
    assert errors == []


def test_the_bundled_registry_points_editors_at_the_schema() -> None:
    first = bundled_path().read_text(encoding="utf-8").splitlines()[0]
    assert first == schema_directive("../schema/registry.schema.json").rstrip("\n")
    # The relative path holds in the repository and in the installed package alike.
    target = first.removeprefix("#:schema ")
    assert (bundled_path().parent / target).resolve() == schema_path().resolve()


def test_schema_directive_is_a_taplo_header_comment() -> None:
    assert schema_directive() == f"#:schema {SCHEMA_URL}\n"
    assert schema_directive("/etc/x.json") == "#:schema /etc/x.json\n"
    text = schema_directive() + "schema_version = 1\n"
    assert tomli.loads(text) == {"schema_version": 1}


def test_every_country_code_the_loader_knows_and_no_other() -> None:
    assert load_schema()["$defs"]["country"]["enum"] == sorted(countries.NAMES)


def test_the_schema_file_is_what_the_field_tables_make() -> None:
    """schema/registry.schema.json is made by `python -m sisterctl.records.schema`."""
    written = (REPO / "schema" / "registry.schema.json").read_text(encoding="utf-8")
    assert written == schema_maker.schema_text(), (
        "schema/registry.schema.json is out of date: run "
        "'python -m sisterctl.records.schema > schema/registry.schema.json'"
    )


def test_the_docs_key_tables_are_what_the_field_tables_make() -> None:
    doc = (REPO / "docs" / "registry-format.md").read_text(encoding="utf-8")
    assert doc.count("<!-- keys: ") == len(TABLES) + 1  # and [settings]
    assert doc == schema_maker.with_doc_tables(doc), (
        "the key tables of docs/registry-format.md are out of date: run "
        "'python -m sisterctl.records.schema --docs docs/registry-format.md'"
    )


def test_the_field_tables_are_the_record_tables() -> None:
    assert tuple(TABLES) == RECORD_TABLES


@pytest.mark.parametrize("table", RECORD_TABLES)
def test_the_schema_describes_every_key_the_loader_knows(table: str) -> None:
    properties = load_schema()["$defs"][table]["properties"]
    assert set(properties) == set(records_build.RECORD_KEYS[table])
    assert all(p.get("description") for p in properties.values())


def test_the_schema_describes_the_top_level_keys() -> None:
    assert set(load_schema()["properties"]) == set(TOP_KEYS)


def test_the_generator_writes_the_schema_on_standard_output(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    assert schema_maker.main([]) == 0
    assert capsysbinary.readouterr().out.decode("utf-8") == schema_maker.schema_text()


def test_the_generator_rewrites_the_docs_tables_in_place(tmp_path: Path) -> None:
    doc = tmp_path / "format.md"
    doc.write_text("# x\n\n<!-- keys: exchange -->\nstale\n<!-- end keys -->\nafter\n")
    assert schema_maker.main(["--docs", str(doc)]) == 0
    text = doc.read_text()
    assert "stale" not in text and text.endswith("<!-- end keys -->\nafter\n")
    assert "| `partnership` | string | yes | the tie's id |" in text
    assert "| `before_founding` | boolean | no |" in text


def test_the_generator_refuses_other_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert schema_maker.main(["--help"]) == 2
    assert "usage: python -m sisterctl.records.schema" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# Schema and loader agree on good and bad files

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

[[partnership]]
id = "taipei-daegu"
cities = ["taipei-tw", "daegu-kr"]
"""
TIE = HEAD  # the tie's table is the last one open: keys below belong to it
AGREEMENT = HEAD + '\n[[agreement]]\npartnership = "taipei-daegu"\n'
EXCHANGE = HEAD + '\n[[exchange]]\npartnership = "taipei-daegu"\n'
CHANGE = HEAD + '\n[[status_change]]\npartnership = "taipei-daegu"\n'
CITY = 'schema_version = 1\n[[city]]\nid = "x-tw"\ncountry = "TW"\n'

GOOD = [
    "schema_version = 1\n",
    HEAD,
    TIE + 'established = "2010-11-04"\nstatus_date = "2019-10"\nstatus = "ended"\n',
    TIE + "established = 2010-11-04\n",
    TIE + 'established = "1997"\n',
    TIE + 'established = ""\n',
    TIE + 'established = " 2021-03-26 "\n',
    TIE + 'sources = "https://example.org"\nfields = ["tourism"]\n',
    TIE + 'kind = "friendship city"\nnotes = "n"\nstatus_reason = "r"\n',
    TIE + 'website = "x"\nwikidata = "Q1"\n',  # unknown keys: kept (check warns)
    CITY + 'name = "X"\naliases = "Ex"\nlat = 90\nlon = -180.0\ntype = "province"\n',
    CITY + 'name = "X"\nlocal_name = "臺北市"\nsources = []\nnotes = ""\n',
    AGREEMENT + 'title = "A"\ndate = "2021-03-26"\nstatus = "planned"\n',
    AGREEMENT + 'title = "A"\nsignatories = ["Ko Wen-je", { name = "Kwon", role = "Mayor" }]\n',
    AGREEMENT + 'title = "A"\nkind = "upgrade"\nto_kind = "sister city"\nmode = "m"\n',
    AGREEMENT + 'title = "A"\ndate = "1999"\nbefore_founding = true\nvenue = "v"\n',
    EXCHANGE + 'kind = "visit"\ntitle = "V"\ndate = "2017"\ndetails = "d"\n',
    EXCHANGE + 'kind = "visit"\ntitle = "V"\nbefore_founding = false\n',
    CHANGE + 'date = "2019-10-07"\nstatus = "ended"\nreason = "r"\nsources = ["s"]\n',
    CHANGE + 'date = 2020-01-01\nstatus = "active"\n',
    'schema_version = 1\n[settings]\nleap_day = "mar1"\n',
    "schema_version = 1\ncity = []\n",
    TIE + 'status = "unknown"\n',
    'schema_version = 1\n[settings]\ndefault_status = "unknown"\n',
]

BAD = [
    "",
    '[[city]]\nid = "x"\n',
    "schema_version = 2\n",
    'schema_version = "1"\n',
    "schema_version = true\n",
    'schema_version = 1\ncity = "Taipei"\n',
    "schema_version = 1\ncity = [1]\n",
    'schema_version = 1\nsettings = "x"\n',
    'schema_version = 1\n[settings]\nleap_day = "feb29"\n',
    CITY,  # no name
    CITY + 'name = ""\n',
    CITY + 'name = "  "\n',
    CITY + "name = 3\n",
    CITY.replace('"TW"', '"ZZ"') + 'name = "X"\n',
    CITY.replace('"TW"', '"tw"') + 'name = "X"\n',
    CITY.replace('"x-tw"', '"Bad Id"') + 'name = "X"\n',
    CITY.replace('"x-tw"', '"a--b"') + 'name = "X"\n',
    CITY + 'name = "X"\nlat = 91\n',
    CITY + 'name = "X"\nlon = "10"\n',
    CITY + 'name = "X"\nlat = true\n',
    CITY + 'name = "X"\naliases = [1]\n',
    HEAD.replace('cities = ["taipei-tw", "daegu-kr"]', 'cities = ["taipei-tw"]'),
    HEAD.replace('cities = ["taipei-tw", "daegu-kr"]', 'cities = "taipei-tw"'),
    HEAD.replace('cities = ["taipei-tw", "daegu-kr"]', "cities = [1, 2]"),
    HEAD.replace('cities = ["taipei-tw", "daegu-kr"]\n', ""),
    TIE + "established = 2010\n",
    TIE + 'established = "2010-13"\n',
    TIE + 'established = "0000"\n',
    TIE + 'established = "10000"\n',
    TIE + 'established = "2010/11/04"\n',
    TIE + 'established = "٢٠١٠"\n',
    TIE + "established = 2010-11-04T10:00:00\n",
    TIE + 'status = "paused"\n',
    TIE + 'status_date = "soon"\n',
    TIE + "kind = 3\n",
    TIE + "sources = [1]\n",
    AGREEMENT,  # no title
    AGREEMENT + 'title = ""\n',
    AGREEMENT + 'title = "A"\nstatus = "maybe"\n',
    AGREEMENT + 'title = "A"\nstatus = ""\n',
    AGREEMENT + 'title = "A"\nsignatories = "Ko Wen-je"\n',
    AGREEMENT + 'title = "A"\nsignatories = [{ role = "Mayor" }]\n',
    AGREEMENT + 'title = "A"\nsignatories = [{ name = 1 }]\n',
    AGREEMENT + 'title = "A"\nbefore_founding = "yes"\n',
    HEAD + '\n[[agreement]]\ntitle = "A"\n',  # no partnership
    EXCHANGE + 'title = "V"\n',  # no kind
    CHANGE + 'status = "ended"\n',  # no date
    CHANGE + 'date = ""\nstatus = "ended"\n',
    CHANGE + 'date = "2019"\nstatus = "paused"\n',
    CHANGE + 'date = "2019"\nstatus = "unknown"\n',
    'schema_version = 1\n[settings]\ndefault_status = "ended"\n',
]

# What only the loader can see: the calendar, and references between records.
BEYOND_THE_SCHEMA = [
    TIE + 'established = "2021-02-30"\n',
    EXCHANGE + 'kind = "visit"\ntitle = "V"\ndate = "2017-02-29"\n',
    HEAD + '\n[[city]]\nid = "taipei-tw"\nname = "Taipei"\ncountry = "TW"\n',
    HEAD.replace('"daegu-kr"]', '"seoul-kr"]'),
    HEAD + '\n[[agreement]]\npartnership = "taipei-seoul"\ntitle = "A"\n',
    # JSON has one kind of number: 1.0 is the integer 1 to a JSON Schema validator.
    "schema_version = 1.0\n",
]


@pytest.mark.parametrize("text", GOOD)
def test_a_good_file_is_good_to_both(text: str) -> None:
    assert loader_accepts(text)
    assert schema_accepts(text)


@pytest.mark.parametrize("text", BAD)
def test_a_bad_file_is_bad_to_both(text: str) -> None:
    assert not loader_accepts(text)
    assert not schema_accepts(text)


@pytest.mark.parametrize("text", BEYOND_THE_SCHEMA)
def test_what_only_the_loader_refuses(text: str) -> None:
    assert schema_accepts(text)
    assert not loader_accepts(text)
