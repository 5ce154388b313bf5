"""Plain output for scripts: JSON, CSV and TSV, with no Rich and no colour."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from sisterctl.text import safe_display

# What no text output carries as it is: control characters (an escape sequence can clear
# the screen or forge a link; a carriage return can start a row), and the invisible
# marks that reorder or hide text (U+202E). CSV and TSV show them as `safe_display`
# does (`\x1b`, `\u202e`); JSON escapes them, which is the same data.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _cell(value: Any) -> str:
    """A value as the text of a CSV or TSV cell: a Windows line break is a line break,
    tabs and line breaks are kept (for the formats to deal with), every other control
    character and invisible mark is shown as an escape."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if not _UNSAFE.search(text):
        return text
    return "\n".join("\t".join(map(safe_display, part.split("\t"))) for part in _lines(text))


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").split("\n")


# Characters that json leaves raw but a terminal may act on (DEL, C1 controls) or that
# hide or reorder text (zero-width and bidirectional marks, line separators). They can
# only stand inside JSON strings, where a \uXXXX escape is the same data.
_INVISIBLE = re.compile("[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """JSON, UTF-8 as it is, with every character a terminal could act on escaped."""
    return escape_invisible(json.dumps(data, ensure_ascii=False, indent=indent))


def escape_invisible(text: str) -> str:
    """JSON or TOML text (whose strings json.dumps or sisterctl wrote: control characters
    below DEL escaped already) with the other characters a terminal could act on written
    as `\\uXXXX`, an escape that means the same character in a JSON or TOML string."""
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write_json(data: Any, out: TextIO) -> None:
    out.write(json_text(data))
    out.write("\n")


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV
# injection"): `=HYPERLINK(...)` in a city's name could run when the file is opened.
_TRIGGERS = "=+-@\t\r"
_GUARDED = re.compile(f"'*[{re.escape(_TRIGGERS)}]")


def guard(text: str) -> str:
    """A text cell as a spreadsheet will not run it: `=1+2` → `'=1+2`; a cell that
    already starts with quotes and then a trigger gets one quote more (`'=x` → `''=x`),
    so that `unguard` gives back exactly the text. Each line of a cell is guarded, for
    the programs that read a line break in a cell as the start of a row."""
    if "\n" in text:
        return "\n".join(map(guard, text.split("\n")))
    return "'" + text if _GUARDED.match(text) else text


def unguard(text: str) -> str:
    """The text `guard` was given: `'=1+2` → `=1+2`, `''=x` → `'=x`; others unchanged."""
    if "\n" in text:
        return "\n".join(map(unguard, text.split("\n")))
    return text[1:] if text.startswith("'") and _GUARDED.match(text, 1) else text


def csv_text(value: Any, *, formula_guard: bool = True) -> str:
    """A value as a CSV cell, safe to open in a spreadsheet: control characters and
    invisible marks escaped (`_cell`), every line guarded (`guard`); a number as it
    is. A cell with a line break in it is quoted by the csv module, so it never starts
    a row. Without `formula_guard` (for programs that run no formulas: pandas, SQLite,
    R) the text is not guarded."""
    text = _cell(value)
    if not formula_guard or (isinstance(value, int | float) and not isinstance(value, bool)):
        return text
    return guard(text)


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
    writer.writerows(
        [csv_text(row.get(f), formula_guard=formula_guard) for f in fields] for row in rows
    )


def write_tsv(rows: Iterable[Mapping[str, Any]], fields: Sequence[str], out: TextIO) -> None:
    """Tab-separated values; tabs and line breaks inside a value become spaces, so a
    value never starts a column or a row."""
    out.write("\t".join(fields) + "\n")
    out.writelines(_tsv_lines(rows, fields))


def _tsv_lines(rows: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> Iterable[str]:
    search = _UNSAFE.search
    for row in rows:
        values = [row.get(f) for f in fields]
        cells = [v if type(v) is str else _cell(v) for v in values]
        # One search a row: when no cell holds a tab, a line break, a control character
        # or an invisible mark, each is what _tsv_cell makes of it.
        if search("".join(cells)):
            cells = [_tsv_cell(v) for v in values]
        yield "\t".join(cells) + "\n"


def _tsv_cell(value: Any) -> str:
    text = value if type(value) is str and not _UNSAFE.search(value) else _cell(value)
    if "\t" in text or "\n" in text:
        return text.replace("\t", " ").replace("\n", " ")
    return text
