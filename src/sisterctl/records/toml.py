"""The TOML that sisterctl writes: a record as a `[[table]]` fragment to append."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sisterctl.errors import RegistryError
from sisterctl.terms import RECORD_TABLES

if TYPE_CHECKING:
    from pathlib import Path

    from sisterctl.model import Record

    pass


LINE_WIDTH = 100  # an array of strings is written on one line when it fits


def clean_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record as it is written and read back: empty values (None, "", [], {}) left
    out, tuples as lists."""
    return {k: _plain(v) for k, v in record.items() if not _empty(v)}


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple | dict) and len(value) == 0)


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return clean_record(value)
    return value


def fragment_for(records: Iterable[Record]) -> str:
    """The TOML text that appends `records`: one `[[table]]` per record, each after a
    blank line, keys in the record's order.

    Every key and value is written by tomli-w, so text from users is always a TOML
    string, never structure. The header is written here, not by tomli-w, which may
    write a short array of tables inline (`table = [{...}]`): appended after the last
    table of a file, that would land inside it. A nested table is written inline for
    the same reason. A short array of strings stays on one line, as people write it.
    """
    parts = []
    for table, record in records:
        if table not in RECORD_TABLES:
            raise ValueError(f"not a record table: {table}")
        lines = [f"[[{table}]]"]
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in clean_record(record).items()]
        parts.append("\n" + "\n".join(lines) + "\n")
    return "".join(parts)


def key_lines(record: Mapping[str, Any]) -> list[str]:
    """The `key = value` lines of a record's keys, as `fragment_for` writes them."""
    return [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in clean_record(record).items()]


def decode(data: bytes, path: Path | str) -> str:
    """UTF-8 text of a registry; a byte-order mark is accepted and kept out of the text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise RegistryError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            path,
            line,
            column,
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def parse_toml(text: str, path: Path | str) -> dict[str, Any]:
    import tomli

    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        marker = conflict_marker(text)
        line = getattr(exc, "lineno", None)
        # A marker after the error is no cause of it (it may be text in a string).
        if marker is not None and (line is None or marker <= line):
            raise RegistryError(
                "unresolved merge conflict: keep the records of both sides (or the one "
                "that is right) and delete the <<<<<<<, ======= and >>>>>>> lines",
                path,
                marker,
                1,
            ) from None
        message = getattr(exc, "msg", None) or str(exc)
        raise RegistryError(
            f"not valid TOML: {message}",
            path,
            getattr(exc, "lineno", None),
            getattr(exc, "colno", None),
        ) from None
    except RecursionError:
        raise RegistryError("not valid TOML: values are nested too deeply", path) from None


# (A string, compiled on first use: only a file that fails to parse is searched.)
_CONFLICT_MARKER = r"^(?:<{7}(?: .*)?|={7}|>{7}(?: .*)?|\|{7}(?: .*)?)\r?$"


def conflict_marker(text: str) -> int | None:
    """The line of the first merge-conflict marker that git (or `sisterctl merge`)
    leaves in a file: `<<<<<<< ours`, `|||||||`, `=======`, `>>>>>>> theirs`, each at
    the start of a line. Only asked once the text fails to parse: inside a TOML
    string, such a line is text."""
    match = re.search(_CONFLICT_MARKER, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


@functools.lru_cache(maxsize=256)
def _toml_key(key: str) -> str:
    import tomli_w

    return tomli_w.dumps({key: True})[: -len(" = true\n")]


_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_NEEDS_ESCAPE = re.compile('[\\\\"\x00-\x08\x0a-\x1f\x7f]')


def _toml_string(text: str) -> str:
    """A TOML basic string, escaped as tomli-w escapes it (this is only faster: an
    import writes thousands of records, and the result is parsed back anyway)."""
    escaped = _NEEDS_ESCAPE.sub(
        lambda m: _STRING_ESCAPES.get(m.group(), f"\\u{ord(m.group()):04x}"), text
    )
    return f'"{escaped}"'


def toml_value(value: Any) -> str:
    """A value as sisterctl writes it after `key = ` (a string, a list, a table...)."""
    return _toml_value(_plain(value))


def _toml_value(value: Any) -> str:
    import tomli_w

    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        items = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return f"{{ {items} }}" if items else "{}"
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        one_line = "[" + ", ".join(_toml_value(v) for v in value) + "]"
        if len(one_line) <= LINE_WIDTH - 12:
            return one_line
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        items = "".join(f"    {_toml_value(v)},\n" for v in value)
        return f"[\n{items}]"
    return tomli_w.dumps({"v": value})[len("v = ") :].rstrip("\n")


SCHEMA_FILE = "registry.schema.json"
#: Where editors find the JSON Schema of the registry format (schema version 1), online.
SCHEMA_URL = f"https://raw.githubusercontent.com/sisterctl/sisterctl/main/schema/{SCHEMA_FILE}"
#: ... and offline: the copy `sisterctl init` puts beside the registry it creates.
LOCAL_SCHEMA = f"./{SCHEMA_FILE}"


def schema_directive(location: str = SCHEMA_URL) -> str:
    """The first line of a registry file that tells TOML editors (the taplo language
    server, Even Better TOML) which JSON Schema to validate it with: `#:schema URL`.
    `location` may also be a path, relative to the registry file or absolute."""
    return f"#:schema {location}\n"


def with_schema_line(text: str, location: str = LOCAL_SCHEMA) -> str:
    """`text` with its first line, when it is a `#:schema` directive, pointing at
    `location` instead (the bundled registry's `../schema/...` holds only in the
    package); a directive is added when there is none."""
    first, newline, rest = text.partition("\n")
    if first.startswith("#:schema"):
        return schema_directive(location) + rest if newline else schema_directive(location)
    return schema_directive(location) + text


def registry_template(schema: str = LOCAL_SCHEMA) -> str:
    """The text of a new, empty registry, as `sisterctl init` writes it: first the
    `#:schema` line that lets TOML editors validate it as it is typed, pointing at the
    copy of the schema that `init` puts beside it (editors find it offline)."""
    return schema_directive(schema) + (
        "# A sisterctl registry of sister-city ties (TOML).\n"
        "#\n"
        "# Records are top-level arrays of tables: [[city]], [[partnership]],\n"
        "# [[agreement]], [[exchange]] and [[status_change]], referring to each other\n"
        "# by id. Edit it by hand as you like: sisterctl adds new records at the end\n"
        "# and never rewrites what is already here, comments included.\n"
        "# The format: https://github.com/sisterctl/sisterctl/blob/main/docs/registry-format.md\n"
        "\n"
        "schema_version = 1\n"
    )
