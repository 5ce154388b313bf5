"""The registry format as a JSON Schema, and as the key tables of its documentation,
both made from the field tables of `records.fields`.

    python -m sisterctl.records.schema > schema/registry.schema.json
    python -m sisterctl.records.schema --docs docs/registry-format.md

The first writes the JSON Schema that TOML editors validate a registry with; the second
rewrites the key tables of the format's documentation in place (between its
`<!-- keys: TABLE -->` and `<!-- end keys -->` lines). A test fails when either file
differs from what this makes.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from enum import Enum
from typing import Any

from sisterctl import countries
from sisterctl.model import SCHEMA_VERSION
from sisterctl.records.fields import SETTINGS, TABLES, Field, Kind, Table
from sisterctl.records.toml import SCHEMA_URL

_DESCRIPTION = (
    "A registry of sister-city ties kept by sisterctl (schema version 1). The format is "
    "documented in docs/registry-format.md; `sisterctl check` verifies what a schema "
    "cannot (impossible days, duplicate ids, references between records, the same tie "
    "twice)."
)
# A year from 1 to 9999, then a month and a day in range (whether the day exists in
# that month is for `check` to say), with blanks around; or nothing (a date left out).
_DATE_PATTERN = (
    r"^(\s*([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
    r"(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?\s*)?$"
)
_DEFS: dict[str, Any] = {
    "id": {
        "description": "Lowercase letters, digits and single hyphens: taipei-daegu.",
        "type": "string",
        "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
    },
    "text": {"description": "Text that is not empty.", "type": "string", "pattern": r"\S"},
    "date": {
        "description": 'A date at the precision its source gives: "2010-11-04", "2002-10" '
        'or "1997" (a TOML date such as 2010-11-04 also works).',
        "type": "string",
        "pattern": _DATE_PATTERN,
    },
    "strings": {
        "description": "A list of strings (one string is read as a list of one).",
        "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}],
    },
    "country": {
        "description": "ISO 3166-1 alpha-2 code, upper case (XK for Kosovo): TW, KR.",
        "type": "string",
        "enum": sorted(countries.NAMES),
    },
    "signatory": {
        "anyOf": [
            {"type": "string", "description": "The signatory's name."},
            {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "description": "The signatory's name: Ko Wen-je."},
                    "role": {"type": "string", "description": "Their role: Mayor of Taipei."},
                },
            },
        ]
    },
}


def _value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def field_schema(field: Field) -> dict[str, Any]:
    """The JSON Schema of one key's value."""
    out: dict[str, Any] = {"description": field.description}
    kind = field.kind
    if kind is Kind.ID:
        out["$ref"] = "#/$defs/id"
    elif kind in (Kind.TEXT, Kind.TIE):
        if field.required:
            out["$ref"] = "#/$defs/text"
        else:
            out["type"] = "string"
    elif kind is Kind.COUNTRY:
        out["$ref"] = "#/$defs/country"
    elif kind is Kind.TEXTS:
        out["$ref"] = "#/$defs/strings"
    elif kind is Kind.DATE:
        if field.required:  # an empty date is a date left out
            out["allOf"] = [{"$ref": "#/$defs/date"}, {"minLength": 1}]
        else:
            out["$ref"] = "#/$defs/date"
    elif kind is Kind.NUMBER:
        out.update(type="number", minimum=field.low, maximum=field.high)
    elif kind is Kind.INTEGER:
        out.update(type="integer", minimum=int(field.low or 0), maximum=int(field.high or 0))
    elif kind is Kind.WIKIDATA:
        out.update(type="string", pattern="^Q[1-9][0-9]*$")
    elif kind is Kind.FLAG:
        out["type"] = "boolean"
    elif kind is Kind.CHOICE:
        out.update(type="string", enum=list(field.choices))
    elif kind is Kind.CITY_PAIR:
        out.update(type="array", items={"type": "string"}, minItems=2, maxItems=2)
    elif kind is Kind.SIGNATORIES:
        out.update(type="array", items={"$ref": "#/$defs/signatory"})
    else:  # pragma: no cover - a new kind must say what its schema is
        raise ValueError(f"no schema for {kind}")
    if isinstance(field.default, str | bool):
        out["default"] = _value(field.default)
    return out


def table_schema(table: Table) -> dict[str, Any]:
    """The JSON Schema of one record of `table`. Unknown keys are allowed: sisterctl
    keeps them (and `check` warns)."""
    return {
        "description": table.description,
        "type": "object",
        "required": [f.key for f in table.fields if f.required],
        "properties": {f.key: field_schema(f) for f in table.fields},
    }


def registry_schema() -> dict[str, Any]:
    """The JSON Schema of a whole registry file."""
    settings = {f.key: field_schema(f) for f in SETTINGS}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_URL,
        "title": "sisterctl registry",
        "description": _DESCRIPTION,
        "type": "object",
        "required": ["schema_version"],
        "properties": {
            "schema_version": {
                "description": "The version of the registry format; this schema describes "
                f"{SCHEMA_VERSION}.",
                "type": "integer",
                "enum": [SCHEMA_VERSION],
            },
            "settings": {
                "description": "Registry-wide settings.",
                "type": "object",
                "properties": settings,
            },
            **{
                name: {
                    "description": table.plural,
                    "type": "array",
                    "items": {"$ref": f"#/$defs/{name}"},
                }
                for name, table in TABLES.items()
            },
        },
        "$defs": {**_DEFS, **{name: table_schema(t) for name, t in TABLES.items()}},
    }


def schema_text() -> str:
    """schema/registry.schema.json, as it is written."""
    return json.dumps(registry_schema(), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------
# The key tables of docs/registry-format.md

_DOC_TYPES = {
    Kind.TEXTS: "array of strings",
    Kind.DATE: "date",
    Kind.NUMBER: "float",
    Kind.INTEGER: "integer",
    Kind.FLAG: "boolean",
    Kind.CITY_PAIR: "array of two strings",
    Kind.SIGNATORIES: "array of inline tables",
}


def _doc_required(field: Field) -> str:
    if field.required:
        return "yes"
    return "no (`check` warns when it is left out)" if field.recommended else "no"


def doc_table(name: str) -> str:
    """The Markdown table of the keys of `[[name]]` (or of `[settings]`)."""
    if name == "settings":
        rows = [
            f"| `{f.key}` | string | `{json.dumps(_value(f.default))}` | {f.description} |"
            for f in SETTINGS
        ]
        return "\n".join(["| key | type | default | meaning |", "| --- | --- | --- | --- |", *rows])
    rows = [
        f"| `{f.key}` | {_DOC_TYPES.get(f.kind, 'string')} | {_doc_required(f)} | {f.description} |"
        for f in TABLES[name].fields
    ]
    return "\n".join(["| key | type | required | meaning |", "| --- | --- | --- | --- |", *rows])


_DOC_BLOCK = re.compile(r"(<!-- keys: (\w+) -->\n)(.*?)(<!-- end keys -->)", re.DOTALL)


def with_doc_tables(text: str) -> str:
    """`text` (docs/registry-format.md) with every key table made anew."""
    return _DOC_BLOCK.sub(lambda m: f"{m.group(1)}{doc_table(m.group(2))}\n{m.group(4)}", text)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        sys.stdout.buffer.write(schema_text().encode("utf-8"))
        return 0
    if len(args) == 2 and args[0] == "--docs":
        from pathlib import Path

        path = Path(args[1])
        path.write_text(with_doc_tables(path.read_text(encoding="utf-8")), encoding="utf-8")
        return 0
    sys.stderr.write("usage: python -m sisterctl.records.schema [--docs docs/registry-format.md]\n")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
