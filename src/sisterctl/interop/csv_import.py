"""Reading ties from CSV: city pairs with their countries, and optionally more.

The columns of the twin-cities data set (`city1, country1, city2, country2`) and of
`sisterctl export csv` (`city_a, country_a, ...`) are found without options; other
names are mapped (`established=date_signed`). Every row becomes a `Candidate` or a
`Skip` with its line number and reason; nothing here raises for a bad row.
"""

from __future__ import annotations

import csv
import functools
import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sisterctl import countries
from sisterctl.dates import PartialDate, parse_partial_date
from sisterctl.errors import Hint, InvalidDateError, Param, RefusedError, UsageError
from sisterctl.interop.csv_export import LIST_SEPARATOR
from sisterctl.interop.plan import Candidate, Place, Reading, Skip, SkipReason
from sisterctl.model import Status
from sisterctl.output.plain import unguard

# What each field may be called in a file, first match wins (names compared without
# case). `--map field=column` names another column.
COLUMNS: dict[str, tuple[str, ...]] = {
    "city1": ("city1", "city_a", "city 1", "city a"),
    "country1": ("country1", "country_a", "country 1", "country a"),
    "city2": ("city2", "city_b", "city 2", "city b"),
    "country2": ("country2", "country_b", "country 2", "country b"),
    "id": ("id",),
    "kind": ("kind",),
    "established": ("established", "date", "since"),
    "status": ("status",),
    "status_date": ("status_date",),
    "fields": ("fields",),
    "notes": ("notes",),
    "source": ("source", "sources", "url"),
    "lat1": ("lat1", "lat_a"),
    "lon1": ("lng1", "lon1", "lon_a", "lng_a"),
    "lat2": ("lat2", "lat_b"),
    "lon2": ("lng2", "lon2", "lon_b", "lng_b"),
}
REQUIRED = ("city1", "country1", "city2", "country2")

_DELIMITERS = ",;\t"

# A file names a few hundred countries over and over: look each spelling up once.
_country = functools.lru_cache(maxsize=4096)(countries.lookup)


@dataclass(frozen=True)
class Options:
    """How to read a file: column names mapped, and values for rows that give none."""

    mapping: Mapping[str, str] | None = None  # field → column name
    kind: str | None = None
    source: str | None = None


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """`--map` options (`established=date_signed`) as {field: column}."""
    mapping: dict[str, str] = {}
    for item in items:
        field, sep, column = item.partition("=")
        field = field.strip().lower()
        field = {"lng1": "lon1", "lng2": "lon2", "sources": "source"}.get(field, field)
        if not sep or not column.strip():
            raise UsageError(
                (
                    Param.MAPPING,
                    f" takes FIELD=COLUMN (such as established=date_signed), not {item!r}",
                )
            )
        if field not in COLUMNS:
            raise UsageError(
                (Param.MAPPING, f": no field {field!r}; the fields are " + ", ".join(COLUMNS)),
                key=field,
            )
        mapping[field] = column.strip()
    return mapping


def read(text: str, name: str, options: Options | None = None) -> Reading:
    """Candidates from CSV `text` (the file's name is for messages)."""
    options = options or Options()
    if not text.strip():
        raise RefusedError(f"{name}: the file is empty; a CSV file starts with a header line")
    first_line = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count)
    # No field can be longer than the file: Python's default limit (131,072 characters)
    # would stop a file with a long note. The limit is the csv module's, for the whole
    # process: it is set back when the file has been read.
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        return _read(text, name, options, delimiter)
    except csv.Error as exc:
        raise RefusedError(f"{name}: not a CSV file sisterctl can read ({exc})") from None
    finally:
        csv.field_size_limit(limit)


def _read(text: str, name: str, options: Options, delimiter: str) -> Reading:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    header = next(reader)
    columns = _columns(header, options.mapping or {}, name)
    candidates: list[Candidate] = []
    skipped: list[Skip] = []
    rows = 0
    line = reader.line_num + 1
    for row in reader:
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        rows += 1

        def get(field: str, row: list[str] = row) -> str:
            index = columns.get(field)
            if index is None or index >= len(row):
                return ""
            return unguard(row[index]).strip()

        result = _row(get, start, options)
        if isinstance(result, Skip):
            skipped.append(result)
        else:
            candidates.append(result)
    return Reading(tuple(candidates), tuple(skipped), rows, "line")


def _columns(header: list[str], mapping: Mapping[str, str], name: str) -> dict[str, int]:
    """Field → column index."""
    names = [unguard(h).strip().lstrip("\ufeff").lower() for h in header]
    found: dict[str, int] = {}
    for field, column in mapping.items():
        if column.lower() not in names:
            raise RefusedError(
                (
                    f"{name}: ",
                    Param.MAPPING,
                    f" {field}={column}: no column {column!r} "
                    f"(the columns are: {', '.join(h.strip() for h in header)})",
                ),
                key=field,
            )
        found[field] = names.index(column.lower())
    for field, spellings in COLUMNS.items():
        if field in found:
            continue
        for spelling in spellings:
            if spelling in names:
                found[field] = names.index(spelling)
                break
    missing = [field for field in REQUIRED if field not in found]
    if missing:
        raise RefusedError(
            (
                f"{name}: no column for {', '.join(missing)} "
                f"(the columns are: {', '.join(h.strip() for h in header)}); name them with ",
                Hint.MAP_COLUMN,
            ),
            key=missing[0],
        )
    return found


def _row(get: Callable[[str], str], where: int, options: Options) -> Candidate | Skip:
    city_a, city_b = get("city1"), get("city2")
    if not city_a or not city_b:
        return Skip(where, SkipReason.MISSING_CITY, city_a or city_b or "no city at all")
    a = _place(city_a, get("country1"), where)
    if isinstance(a, Skip):
        return a
    b = _place(city_b, get("country2"), where)
    if isinstance(b, Skip):
        return b
    try:
        a = _with_coordinates(a, get("lat1"), get("lon1"))
        b = _with_coordinates(b, get("lat2"), get("lon2"))
        established = _date(get("established"))
        status_date = _date(get("status_date"))
        status = _status(get("status"))
    except ValueError as exc:
        return Skip(where, SkipReason.BAD_VALUE, str(exc))
    sources = _list(get("source")) or ((options.source,) if options.source else ())
    return Candidate(
        where,
        a,
        b,
        id=get("id") or None,
        kind=get("kind") or options.kind or None,
        established=established,
        status=status,
        status_date=status_date,
        fields=_list(get("fields")),
        notes=get("notes") or None,
        sources=sources,
    )


def _place(city: str, country: str, where: int) -> Place | Skip:
    """A city and its country; a city written "Varna, Bulgaria" with no country is
    split, and a place that is itself a country or territory ("Falkland Islands") with
    no country is taken as that place."""
    if not country:
        head, comma, tail = city.rpartition(",")
        code = _country(tail) if comma and head.strip() else None
        if code is not None:
            return Place(head.strip(), code)
        code = _country(city)
        if code is not None:
            return Place(city, code)
        return Skip(where, SkipReason.NO_COUNTRY, city)
    code = _country(country)
    if code is None:
        return Skip(where, SkipReason.UNKNOWN_COUNTRY, f"{country} (for {city})")
    return Place(city, code)


def _with_coordinates(place: Place, lat: str, lon: str) -> Place:
    if not lat and not lon:
        return place
    try:
        y, x = float(lat), float(lon)
    except ValueError:
        raise ValueError(f"coordinates {lat!r}, {lon!r} for {place.name}") from None
    if not (math.isfinite(y) and math.isfinite(x) and -90 <= y <= 90 and -180 <= x <= 180):
        raise ValueError(f"coordinates {lat}, {lon} for {place.name} are out of range")
    return Place(place.name, place.country, y, x, place.sources)


def _date(text: str) -> PartialDate | None:
    if not text:
        return None
    try:
        return parse_partial_date(text)
    except InvalidDateError as exc:
        raise ValueError(str(exc)) from None


def _status(text: str) -> Status | None:
    if not text:
        return None
    try:
        return Status(text.lower())
    except ValueError:
        raise ValueError(f"status {text!r} (active, suspended, ended or unknown)") from None


def _list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(LIST_SEPARATOR.strip()) if part.strip())
