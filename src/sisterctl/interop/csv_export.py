"""The registry as CSV, one row per tie, safe to open in spreadsheet software.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and some read a
leading tab or carriage return the same way) as a formula: a city named
`=HYPERLINK(...)` could run when the file is opened. Following OWASP's advice on CSV
injection, such a text cell is written with a single quote in front (`'=HYPERLINK(...)`),
which spreadsheets show as text. So that `sisterctl import csv` reads the original text
back exactly, a text cell that already starts with quotes followed by one of those
characters gets one more quote, and the importer takes exactly one away
(`plain.guard` and `plain.unguard` are inverses).

Numbers (coordinates) are written as numbers: `-33.86` is a number, not a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from sisterctl.model import Partnership, Registry
from sisterctl.output.plain import csv_text
from sisterctl.output.serialize import LIST_FIELDS, ListRow, iso

# The columns of `sisterctl list --format csv` but the age, then what else a tie holds.
FIELDS = (
    *(name for name in LIST_FIELDS if name != "years"),
    "status_date",
    "fields",
    "notes",
    "sources",
    "lat_a",
    "lon_a",
    "lat_b",
    "lon_b",
)

LIST_SEPARATOR = "; "  # between the values of one cell: fields, sources


def rows(registry: Registry, ties: Iterable[Partnership] | None = None) -> list[dict[str, Any]]:
    """One row per tie (of `ties`, else of the registry, in registry order), as it
    stands today: its kind after any upgrade, its status after any change."""
    out = []
    for tie in registry.partnerships if ties is None else ties:
        a, b = tie.cities
        state = registry.state(tie)
        row = ListRow(tie, registry.kind_on(tie), state.status.value, None).as_dict()
        row.update(
            {
                "status_date": iso(state.since),
                "fields": list(tie.fields),
                "notes": tie.notes,
                "sources": list(tie.sources),
                "lat_a": a.lat,
                "lon_a": a.lon,
                "lat_b": b.lat,
                "lon_b": b.lon,
            }
        )
        out.append(row)
    return out


def cell(value: Any, *, formula_guard: bool = True) -> str:
    """One CSV cell: text guarded, every line of it (unless not `formula_guard`),
    control characters and invisible marks shown as escapes, lists joined with "; ",
    numbers as they are."""
    return csv_text(value, formula_guard=formula_guard)


def to_csv(
    registry: Registry, ties: Iterable[Partnership] | None = None, *, formula_guard: bool = True
) -> str:
    """The whole CSV text, header first, lines ending in `\\n`: every tie, or `ties`;
    with `formula_guard` (the default) safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    writer.writerows(
        [cell(row[name], formula_guard=formula_guard) for name in FIELDS]
        for row in rows(registry, ties)
    )
    return buffer.getvalue()
