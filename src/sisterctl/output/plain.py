"""Plain output for scripts: JSON, CSV and TSV, with no Rich and no colour."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

# Control characters that drive a terminal (an escape sequence can clear the screen or
# forge a link); tab, newline and carriage return are left to the CSV and TSV rules.
_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return _TERMINAL_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))


# Characters that json leaves raw but a terminal may act on (DEL, C1 controls) or that
# hide or reorder text (zero-width and bidirectional marks, line separators). They can
# only stand inside JSON strings, where a \uXXXX escape is the same data.
_INVISIBLE = re.compile("[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def write_json(data: Any, out: TextIO) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    out.write(_INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))
    out.write("\n")


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV
# injection"): `=HYPERLINK(...)` in a city's name could run when the file is opened.
_TRIGGERS = "=+-@\t\r"
_GUARDED = re.compile(f"'*[{re.escape(_TRIGGERS)}]")


def guard(text: str) -> str:
    """A text cell as a spreadsheet will not run it: `=1+2` → `'=1+2`; a cell that
    already starts with quotes and then a trigger gets one quote more (`'=x` → `''=x`),
    so that `unguard` gives back exactly the text."""
    return "'" + text if _GUARDED.match(text) else text


def unguard(text: str) -> str:
    """The text `guard` was given: `'=1+2` → `=1+2`, `''=x` → `'=x`; others unchanged."""
    return text[1:] if text.startswith("'") and _GUARDED.match(text, 1) else text


def write_csv(
    rows: Iterable[Mapping[str, Any]],
    fields: Sequence[str],
    out: TextIO,
    *,
    formula_guard: bool = True,
) -> None:
    """CSV, safe to open in a spreadsheet: a text cell that would start a formula is
    guarded (`guard`); numbers are written as they are. Without `formula_guard` (for
    programs that run no formulas: pandas, SQLite, R) every text is written as it is."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    cell = _csv_cell if formula_guard else _cell
    writer.writerows([cell(row.get(f)) for f in fields] for row in rows)


def _csv_cell(value: Any) -> str:
    text = _cell(value)
    return text if isinstance(value, int | float) else guard(text)


def write_tsv(rows: Iterable[Mapping[str, Any]], fields: Sequence[str], out: TextIO) -> None:
    """Tab-separated values; tabs and newlines inside a value become spaces."""
    out.write("\t".join(fields) + "\n")
    out.writelines("\t".join([_tsv_cell(row.get(f)) for f in fields]) + "\n" for row in rows)


def _tsv_cell(value: Any) -> str:
    text = value if type(value) is str and not _TERMINAL_CONTROL.search(value) else _cell(value)
    if "\t" in text or "\n" in text:
        return text.replace("\t", " ").replace("\n", " ")
    return text
