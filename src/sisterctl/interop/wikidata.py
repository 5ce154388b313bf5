"""Reading ties from Wikidata: the results of a SPARQL query for "twinned
administrative body" (P190), as the Wikidata Query Service returns them (W3C SPARQL
1.1 Query Results JSON).

The query (README.md, "Import from Wikidata") binds, per statement, `city` and
`twin` (item URIs) with their English labels (`cityLabel`, `twinLabel`), the ISO
codes of their countries (`cityCountry`, `twinCountry`), optionally their coordinates
(`cityCoord`, `twinCoord`), and the statement's start time (P580) and end time (P582)
qualifiers with their precisions (`start`, `startPrecision`, `end`, `endPrecision`).

Wikidata states most ties twice, once on each city's item, and an item with two
current countries comes back twice: all rows of one pair of items make one tie. Each
item keeps the first country code and coordinates the file gives it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sisterctl import countries
from sisterctl.dates import MAX_YEAR, MIN_YEAR, PartialDate
from sisterctl.errors import RefusedError
from sisterctl.interop.plan import Candidate, Place, Reading, Skip, SkipReason
from sisterctl.model import Status

ENTITY = "http://www.wikidata.org/entity/"
PAGE = "https://www.wikidata.org/wiki/"

# Wikibase time precisions: 9 a year, 10 a month, 11 a day (12-14: hours to seconds).
YEAR, MONTH, DAY = 9, 10, 11
_COARSER = {8: "decade", 7: "century", 6: "millennium"}

_TIME = re.compile(r"([+-]?)(\d{1,16})-(\d{2})-(\d{2})(?:T.*)?")
_POINT = re.compile(r"\s*(?:<[^>]*>\s*)?Point\(\s*(\S+)\s+(\S+)\s*\)\s*", re.IGNORECASE)
_QID = re.compile(r"Q\d+")

REQUIRED_VARS = ("city", "cityLabel", "twin", "twinLabel")


@dataclass
class _Item:
    """What the file says about one Wikidata item, first value first."""

    qid: str
    label: str | None = None
    country: str | None = None
    unknown_country: str | None = None  # a code given that is not ISO 3166-1
    lat: float | None = None
    lon: float | None = None


@dataclass
class _Tie:
    where: int
    first: str  # the item with the statement
    second: str
    start: PartialDate | None = None
    end: PartialDate | None = None
    ended: bool = False
    notes: list[str] = field(default_factory=list)


def read(text: str, name: str) -> Reading:
    """Candidates from the JSON text of SPARQL results (the file's name is for messages)."""
    bindings = _bindings(text, name)
    items: dict[str, _Item] = {}
    ties: dict[frozenset[str], _Tie] = {}
    skipped: list[Skip] = []
    repeated = 0
    for number, row in enumerate(bindings, 1):
        if not isinstance(row, dict):
            raise RefusedError(f"{name}: result {number} is not a JSON object")
        first, second = _item(items, row, "city"), _item(items, row, "twin")
        if first is None or second is None:
            skipped.append(Skip(number, SkipReason.MISSING_CITY, _label(row, first, second)))
            continue
        try:
            start, start_note = _time(row, "start")
            end, end_note = _time(row, "end")
        except ValueError as exc:
            skipped.append(Skip(number, SkipReason.BAD_VALUE, str(exc)))
            continue
        pair = frozenset((first.qid, second.qid))
        tie = ties.get(pair)
        if tie is None:
            tie = ties[pair] = _Tie(number, first.qid, second.qid)
        else:
            repeated += 1
        tie.start = _merge(tie, "start", tie.start, start, start_note)
        tie.end = _merge(tie, "end", tie.end, end, end_note)
        tie.ended = tie.ended or "end" in row
    candidates: list[Candidate] = []
    for tie in ties.values():
        result = _candidate(tie, items[tie.first], items[tie.second])
        if isinstance(result, Skip):
            skipped.append(result)
        else:
            candidates.append(result)
    return Reading(tuple(candidates), tuple(skipped), len(bindings), "result", repeated)


def _bindings(text: str, name: str) -> list[Any]:
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise RefusedError(
            f"{name}: line {exc.lineno}: not valid JSON ({exc.msg}); "
            "save the query's results as JSON"
        ) from None
    except RecursionError:
        raise RefusedError(f"{name}: not valid JSON: values are nested too deeply") from None
    head = data.get("head") if isinstance(data, dict) else None
    results = data.get("results") if isinstance(data, dict) else None
    bindings = results.get("bindings") if isinstance(results, dict) else None
    if not isinstance(head, dict) or not isinstance(bindings, list):
        raise RefusedError(
            f"{name}: not SPARQL query results in JSON (no head and results.bindings); "
            "download the results of the query in README.md as JSON"
        )
    variables = head.get("vars", [])
    missing = [v for v in REQUIRED_VARS if v not in variables]
    if missing:
        raise RefusedError(
            f"{name}: the query does not select {', '.join('?' + v for v in missing)}; "
            "run the query given in README.md"
        )
    return bindings


def _no_constant(name: str) -> Any:
    """NaN, Infinity and -Infinity, which Python's json reads but JSON has not."""
    raise json.JSONDecodeError(f"{name} is not a JSON value", name, 0)


def _value(row: Mapping[str, Any], var: str) -> str | None:
    cell = row.get(var)
    if not isinstance(cell, dict):
        return None
    value = cell.get("value")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _item(items: dict[str, _Item], row: Mapping[str, Any], var: str) -> _Item | None:
    """The item bound to `var` ("city" or "twin"), updated with what this row says of
    it; None when the row binds no item (Wikidata's "unknown value")."""
    uri = _value(row, var)
    if uri is None or not uri.startswith(ENTITY):
        return None
    qid = uri.removeprefix(ENTITY)
    item = items.setdefault(qid, _Item(qid))
    label = _value(row, var + "Label")
    if item.label is None and label is not None and not _QID.fullmatch(label):
        item.label = label  # the label service gives the bare QID when there is no label
    code = _value(row, var + "Country")
    if item.country is None and code is not None:
        if countries.is_known(code.upper()):
            item.country = code.upper()
        else:
            item.unknown_country = item.unknown_country or code
    point = _value(row, var + "Coord")
    if item.lat is None and point is not None:
        item.lat, item.lon = _coordinates(point)
    return item


def _coordinates(text: str) -> tuple[float | None, float | None]:
    """A WKT `Point(lon lat)`, as the query service writes P625; (None, None) when
    it is not one, or lies off the Earth (a point on the Moon has a globe IRI first)."""
    match = _POINT.fullmatch(text)
    if match is None or text.lstrip().startswith("<"):
        return None, None
    try:
        lon, lat = float(match.group(1)), float(match.group(2))
    except ValueError:
        return None, None
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        return lat, lon
    return None, None


def _time(row: Mapping[str, Any], var: str) -> tuple[PartialDate | None, str | None]:
    """A start or end time at Wikidata's precision, and a note when it is too coarse to
    keep (a decade) or cannot be a registry date. Raises ValueError for a value that is
    not a time."""
    value = _value(row, var)
    if value is None:
        return None, None
    match = _TIME.fullmatch(value)
    if match is None:
        raise ValueError(f"{var} time {value!r} is not a date")
    sign, year, month, day = match.group(1), int(match.group(2)), *map(int, match.group(3, 4))
    raw_precision = _value(row, var + "Precision")
    if raw_precision is not None:
        try:
            precision = int(raw_precision)
        except ValueError:
            raise ValueError(f"{var} precision {raw_precision!r} is not a number") from None
    else:
        # Without the precision, 1 January is how the query service writes a year and
        # the 1st how it writes a month: keep no more than that, never invent a day.
        precision = YEAR if (month, day) in ((0, 0), (1, 1)) else MONTH if day in (0, 1) else DAY
    when = f"{sign}{year}"
    if precision < YEAR:
        coarse = _COARSER.get(precision, "a span wider than a year")
        return None, f"Wikidata gives the {var} only to the {coarse} ({when})"
    if sign == "-" or not MIN_YEAR <= year <= MAX_YEAR:
        return None, f"Wikidata gives the {var} as the year {when}"
    if precision == YEAR:
        return PartialDate(year), None
    try:
        day_exact = dt.date(year, month, 1 if precision == MONTH else day)
    except ValueError:
        raise ValueError(f"{var} time {value!r} is not a date") from None
    if precision == MONTH:
        return PartialDate(year, month), None
    return PartialDate.from_date(day_exact), None


def _merge(
    tie: _Tie, var: str, kept: PartialDate | None, new: PartialDate | None, note: str | None
) -> PartialDate | None:
    """The date the statements of a tie give: the more precise of two that agree
    (1957 and 1957-10-07), else the first, with the other in the notes."""
    if note is not None and note not in tie.notes:
        tie.notes.append(note)
    if kept is None or new is None or new == kept:
        return kept or new
    if _refines(new, kept):
        return new
    if not _refines(kept, new):
        other = f"Wikidata also gives the {var} as {new.iso()}"
        if other not in tie.notes:
            tie.notes.append(other)
    return kept


def _refines(fine: PartialDate, coarse: PartialDate) -> bool:
    """Whether `fine` is `coarse` told more precisely: 1957-10-07 refines 1957."""
    return (
        fine.year == coarse.year
        and coarse.month in (None, fine.month)
        and coarse.day in (None, fine.day)
    )


def _candidate(tie: _Tie, first: _Item, second: _Item) -> Candidate | Skip:
    places: list[Place] = []
    for item in (first, second):
        if item.label is None:
            return Skip(tie.where, SkipReason.NO_NAME, f"{PAGE}{item.qid}")
        if item.country is None:
            if item.unknown_country is not None:
                detail = f"{item.unknown_country} (for {item.label})"
                return Skip(tie.where, SkipReason.UNKNOWN_COUNTRY, detail)
            return Skip(tie.where, SkipReason.NO_COUNTRY, f"{item.label} ({PAGE}{item.qid})")
        places.append(
            Place(
                item.label,
                item.country,
                item.lat,
                item.lon,
                (f"{PAGE}{item.qid}",),
                wikidata=item.qid,
            )
        )
    return Candidate(
        tie.where,
        places[0],
        places[1],
        established=tie.start,
        status=Status.ENDED if tie.ended else None,
        status_date=tie.end,
        notes="\n".join(tie.notes) or None,
        sources=(f"{PAGE}{tie.first}",),
    )


def _label(row: Mapping[str, Any], first: _Item | None, second: _Item | None) -> str:
    known = first or second
    if known is not None and known.label:
        return known.label
    return _value(row, "cityLabel") or _value(row, "twinLabel") or "no item"
