"""`sisterctl check`: every problem in a registry, not only the first.

Pure: the registry's text comes in (or its path, read by `sisterctl.store`), a
`CheckReport` goes out. The loader's own checks (`registry.build`: TOML types,
impossible dates, duplicate ids, dangling references, country codes, the schema
version, unknown keys) come first; this module adds the checks that look across
records: the same tie twice, a city tied to itself, dates out of order, one city
recorded twice under two spellings, and the warnings about missing sources, future
founding dates and suspended ties with no date.

"Today" is a parameter (`as_of`), never read from the clock.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Any

from sisterctl.core.geocode import SAME_POINT_KM, Gazetteer, misplaced
from sisterctl.core.identity import FOUNDING, Key, describe_key, record_key
from sisterctl.dates import PartialDate, coerce_partial_date
from sisterctl.errors import (
    ExitCode,
    Hint,
    HintOn,
    InvalidDateError,
    Part,
    RegistryError,
    render_parts,
)
from sisterctl.model import City, Partnership, Registry, Status
from sisterctl.problems import LoadResult, Problem, RecordRef, Severity
from sisterctl.records.build import build
from sisterctl.records.fields import FREE_TEXT_KEYS
from sisterctl.records.locator import Locator
from sisterctl.records.toml import parse_toml
from sisterctl.text import fold


class CheckExit(IntEnum):
    """The exit codes of `sisterctl check` (documented in the README)."""

    CLEAN = 0  # no errors (warnings allowed, unless --strict)
    ERRORS = 1  # the registry has errors
    UNREADABLE = 2  # the file cannot be read or parsed at all


class UnreadableRegistryError(RegistryError):
    """The registry cannot be read or parsed, as `check` reports it: exit code 2.

    Other commands exit 3 for the same file (ExitCode.REGISTRY); a linter's
    convention, which CI scripts rely on, is 0 clean, 1 problems, 2 could not run.
    """

    exit_code = ExitCode(CheckExit.UNREADABLE)


#: Every code a problem may carry, with its severity and what it means (the README's
#: list, and the rules of `check --format sarif`).
CODES: dict[str, tuple[Severity, str]] = {
    "toml": (Severity.ERROR, "The file is not valid TOML."),
    "merge-conflict": (Severity.ERROR, "Merge-conflict markers are left in the file."),
    "unreadable": (Severity.ERROR, "The file cannot be read, or is not UTF-8 text."),
    "schema-version": (Severity.ERROR, "The schema_version is missing or unknown."),
    "type": (Severity.ERROR, "A value of the wrong type."),
    "value": (Severity.ERROR, "A value that is not one of those allowed."),
    "range": (Severity.ERROR, "A number out of its range (a latitude beyond a pole)."),
    "empty": (Severity.ERROR, "A required text is empty."),
    "missing-key": (Severity.ERROR, "A required key is missing."),
    "misspelt-key": (Severity.ERROR, "A misspelt key stands in for a key the record lacks."),
    "id": (Severity.ERROR, "An id that is not lowercase letters, digits and hyphens."),
    "date": (Severity.ERROR, "A date that is malformed or does not exist."),
    "duplicate-id": (Severity.ERROR, "Two records of a table with the same id."),
    "duplicate-tie": (Severity.ERROR, "The same tie recorded twice."),
    "self-tie": (Severity.ERROR, "A city tied to itself."),
    "unknown-tie": (Severity.ERROR, "A record names a tie that does not exist."),
    "unknown-city": (Severity.ERROR, "A tie names a city that has no record."),
    "before-founding": (Severity.ERROR, "A record dated before its tie was founded."),
    "country": (Severity.ERROR, "An unknown country code."),
    "future-founding": (Severity.WARNING, "A founding date in the future."),
    "no-source": (Severity.WARNING, "A tie without sources."),
    "unknown-key": (Severity.WARNING, "A key sisterctl does not know (kept, ignored)."),
    "duplicate-record": (Severity.WARNING, "The same agreement, exchange or change twice."),
    "same-city": (Severity.WARNING, "One city recorded twice, under two spellings."),
    "suspended-no-date": (Severity.WARNING, "A suspended tie with no status_date."),
    "invisible-character": (Severity.WARNING, "Text holding an invisible or control character."),
    "coordinates": (Severity.WARNING, "Half a pair of coordinates, or a pair that looks swapped."),
    "zero-length-tie": (Severity.WARNING, "A tie whose two cities are at the same point."),
    "far-from-gazetteer": (Severity.WARNING, "A city far from every gazetteer place of its name."),
}

#: Two cities recorded with coordinates farther apart than this are different
#: cities, whatever their names (Springfield, Illinois and Springfield, Missouri).
SAME_PLACE_KM = 50.0

# Characters that no name or title needs and that hide or reorder text: C0 and C1
# controls, zero-width space, left-to-right and right-to-left marks, bidirectional
# embeddings, overrides and isolates, the word joiner and invisible operators, and a
# byte-order mark. Zero-width (non-)joiners are left alone: Persian and Indic
# spellings need them. Notes and details may also hold tabs and newlines.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_INVISIBLE_IN_LINE = re.compile(f"[\t\n{_INVISIBLE.pattern[1:-1]}]")


@dataclass(frozen=True)
class CheckReport:
    """What `check` found in one registry file."""

    path: str
    problems: tuple[Problem, ...]
    readable: bool = True
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)

    @property
    def exit_code(self) -> CheckExit:
        if not self.readable:
            return CheckExit.UNREADABLE
        return CheckExit.ERRORS if self.errors else CheckExit.CLEAN

    def strict(self) -> CheckReport:
        """The same report with every warning turned into an error (`--strict`)."""
        return replace(
            self, problems=tuple(replace(p, severity=Severity.ERROR) for p in self.problems)
        )

    def summary(self) -> str:
        """`2 errors and 1 warning in partnerships.toml`, or what was checked when clean."""
        if not self.problems:
            checked = ", ".join(
                plural(n, what) for what, n in self.counts.items() if n or what == "tie"
            )
            return f"no problems in {self.path} ({checked})"
        errors, warnings = len(self.errors), len(self.warnings)
        found = " and ".join(
            plural(n, what) for what, n in (("error", errors), ("warning", warnings)) if n
        )
        return f"{found} in {self.path}"


def plural(n: int, what: str) -> str:
    """`1 tie`, `2 cities`, `24,799 ties`."""
    if n == 1:
        return f"1 {what}"
    plural = what[:-1] + "ies" if what.endswith("y") else what + "s"
    return f"{n:,} {plural}"


def check_text(
    text: str, path: str, as_of: dt.date, gazetteer: Gazetteer | None = None
) -> CheckReport:
    """Check a registry's text; `path` is only used to name the file in the report.
    With a gazetteer, cities' coordinates are also compared with its places."""
    try:
        data = parse_toml(text, path)
    except RegistryError as exc:
        return unreadable_report(path, exc)
    return check_parsed(text, data, build(data, text=text), path, as_of, gazetteer)


def check_parsed(
    text: str,
    data: Mapping[str, Any],
    result: LoadResult,
    path: str,
    as_of: dt.date,
    gazetteer: Gazetteer | None = None,
) -> CheckReport:
    """`check_text` of a text already parsed (`data`) and built (`result`)."""
    checker = _Checker(data, result.registry, Locator(text), as_of, gazetteer)
    checker.run()
    problems = sorted(
        _without_ignored(data, [*result.problems, *checker.problems]),
        key=lambda p: (p.line if p.line is not None else 0, p.column or 0),
    )
    registry = result.registry
    counts = {
        "city": len(registry.cities),
        "tie": len(registry.partnerships),
        "agreement": len(registry.agreements),
        "exchange": len(registry.exchanges),
        "status change": len(registry.status_changes),
    }
    return CheckReport(path, tuple(problems), readable=True, counts=counts)


#: The codes of the warnings `check` gives, which a record's `ignore_warnings` may set
#: aside (errors are never set aside).
WARNING_CODES = frozenset(
    {
        "before-founding",
        "coordinates",
        "duplicate-record",
        "duplicate-tie",
        "far-from-gazetteer",
        "future-founding",
        "ignore-warnings",
        "invisible-character",
        "no-source",
        "overdue-planned",
        "same-city",
        "self-tie",
        "suspended-no-date",
        "unknown-key",
        "zero-length-tie",
    }
)


def _without_ignored(data: Mapping[str, Any], problems: list[Problem]) -> list[Problem]:
    """The problems, less the warnings a record sets aside with `ignore_warnings`
    (whose notes should say why)."""
    kept = []
    for problem in problems:
        ref = problem.record
        if problem.severity is Severity.WARNING and ref is not None:
            records = data.get(ref.table)
            if isinstance(records, list) and ref.index is not None and ref.index < len(records):
                record = records[ref.index]
                ignored = record.get("ignore_warnings") if isinstance(record, dict) else None
                if isinstance(ignored, list) and problem.code in ignored:
                    continue
        kept.append(problem)
    return kept


def unreadable_report(path: str, exc: RegistryError) -> CheckReport:
    what = exc.what
    code = "unreadable"
    if what.startswith("not valid TOML"):
        code = "toml"
    elif what.startswith("unresolved merge conflict"):
        code = "merge-conflict"
    problem = Problem(
        Severity.ERROR,
        what,
        None,
        exc.line,
        exc.column,
        code,
        exc.key,
        what,
        exc.parts if exc.has_terms else (),
    )
    return CheckReport(path, (problem,), readable=False)


def unreadable_error(report: CheckReport) -> UnreadableRegistryError:
    """The error `check` exits with when the file cannot be read or parsed."""
    problem = report.problems[0]
    return UnreadableRegistryError(
        problem.message_parts(), report.path, problem.line, problem.column, code=problem.code
    )


# ---------------------------------------------------------------------------
# The checks across records


@dataclass(frozen=True)
class _Raw:
    """One record as the file holds it, with where it is."""

    ref: RecordRef
    data: Mapping[str, Any]


class _Checker:
    def __init__(
        self,
        data: Mapping[str, Any],
        registry: Registry,
        locator: Locator,
        as_of: dt.date,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self.gazetteer = gazetteer
        self.data = data
        self.registry = registry
        self.locator = locator
        self.as_of = as_of
        self.problems: list[Problem] = []
        self.tie_refs = self._first_refs("partnership")
        self.city_refs = self._first_refs("city")

    # -- helpers -----------------------------------------------------------
    def records(self, table: str) -> Iterator[_Raw]:
        value = self.data.get(table)
        if not isinstance(value, list):
            return
        for index, rec in enumerate(value):
            if isinstance(rec, dict):
                rid = rec.get("id")
                yield _Raw(RecordRef(table, index, rid if isinstance(rid, str) else None), rec)

    def _first_refs(self, table: str) -> dict[str, RecordRef]:
        refs: dict[str, RecordRef] = {}
        for raw in self.records(table):
            if raw.ref.id is not None:
                refs.setdefault(raw.ref.id, raw.ref)
        return refs

    def add(
        self,
        severity: Severity,
        ref: RecordRef | None,
        message: str | Sequence[Part],
        code: str,
        key: str | None = None,
    ) -> None:
        """A problem of the record `ref`, at its key `key`; `message` may name terms
        (`errors.Hint`) for each front end to word."""
        line, column = self.locator.position(ref, key) or (None, None)
        where = f"{ref.describe()}: " if ref is not None else ""
        if isinstance(message, str):
            self.problems.append(Problem(severity, f"{where}{message}", ref, line, column, code))
            return
        parts = tuple(message)
        what = render_parts(parts, record=ref)
        self.problems.append(
            Problem(severity, f"{where}{what}", ref, line, column, code, what=what, parts=parts)
        )

    def tie_of(self, raw: _Raw) -> Partnership | None:
        pid = raw.data.get("partnership")
        return self.registry.by_id.get(pid) if isinstance(pid, str) else None

    def where(self, ref: RecordRef) -> str:
        line = self.locator.record_line(ref)
        return f"{ref.id!r} (line {line})" if line is not None else repr(ref.id)

    # -- the checks --------------------------------------------------------
    def run(self) -> None:
        same = _SameCities(self.registry.cities)
        self.check_cities(same)
        self.check_ties(same)
        self.check_dated_records()
        self.check_same_records()
        self.check_planned()
        self.check_invisible_characters()
        self.check_coordinates()
        self.check_ignored_codes()

    def check_planned(self) -> None:
        """Planned agreements whose date has passed: signed since, or given up?"""
        raws = list(self.records("agreement"))
        # The model's agreements are the file's, unless some have errors (then left out).
        ids = (
            [self.registry.record_id(a) for a in self.registry.agreements]
            if len(self.registry.agreements) == len(raws)
            else None
        )
        for number, raw in enumerate(raws):
            date = _date_or_none(raw.data.get("date"))
            if raw.data.get("status") != "planned" or date is None or date.latest() >= self.as_of:
                continue
            named = f"{ids[number]!r} " if ids else ""
            sign: Part = HintOn(Hint.SIGN, ids[number]) if ids else Hint.SIGN
            self.add(
                Severity.WARNING,
                raw.ref,
                (
                    f"{named}was planned for {date}, which has passed (as of {self.as_of}): "
                    "record its signing with ",
                    sign,
                    ", or, when no source reports it, say so in its notes and add "
                    'ignore_warnings = ["overdue-planned"]',
                ),
                "overdue-planned",
                "status",
            )

    def check_ignored_codes(self) -> None:
        for table in ("city", "partnership", "agreement", "exchange", "status_change"):
            for raw in self.records(table):
                ignored = raw.data.get("ignore_warnings")
                if not isinstance(ignored, list):
                    continue
                for code in ignored:
                    if isinstance(code, str) and code not in WARNING_CODES:
                        self.add(
                            Severity.WARNING,
                            raw.ref,
                            f"ignore_warnings names {code!r}, which is no warning of check "
                            f"(they are {', '.join(sorted(WARNING_CODES))})",
                            "ignore-warnings",
                            "ignore_warnings",
                        )

    def check_coordinates(self) -> None:
        """Half a pair of coordinates, a pair that looks swapped, a tie of length zero,
        and (with a gazetteer) a city far from every place of its name."""
        for raw in self.records("city"):
            lat, lon = raw.data.get("lat"), raw.data.get("lon")
            if (lat is None) != (lon is None):
                have, lack = ("lat", "lon") if lon is None else ("lon", "lat")
                self.add(
                    Severity.WARNING,
                    raw.ref,
                    (
                        f"has {have} but no {lack}: maps and exports leave it out; give both (or ",
                        Hint.GEOCODE_ALL,
                        " once both are removed)",
                    ),
                    "coordinates",
                    have,
                )
            elif (
                isinstance(lat, int | float)
                and isinstance(lon, int | float)
                and (abs(lon) <= 90 < abs(lat) <= 180)
            ):
                self.add(
                    Severity.WARNING,
                    raw.ref,
                    f"lat {lat} is no latitude but would be a longitude, and lon {lon} "
                    "would be a latitude: are the two swapped?",
                    "coordinates",
                    "lat",
                )
        for tie in self.registry.partnerships:
            a, b = tie.cities
            if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
                continue
            km = _distance_km(a.lat, a.lon, b.lat, b.lon)
            if km < SAME_POINT_KM:
                self.add(
                    Severity.WARNING,
                    self.tie_refs[tie.id],
                    f"has length zero: {a.name} ({a.id}) and {b.name} ({b.id}) are at the "
                    f"same point ({a.lat}, {a.lon}); one of them was probably given the "
                    "other's coordinates: check their lat and lon",
                    "zero-length-tie",
                    "cities",
                )
        if self.gazetteer is None:
            return
        for city in self.registry.cities.values():
            if city.lat is None or city.lon is None or (city.type or "city") != "city":
                continue
            far = misplaced(self.gazetteer, city.names, city.country, city.lat, city.lon)
            ref = self.city_refs.get(city.id)
            if far is None or ref is None:
                continue
            place = far.nearest
            self.add(
                Severity.WARNING,
                ref,
                (
                    f"lies {far.km:,.0f} km from every place named {city.name} in "
                    f"{city.country_name} in {self.gazetteer.name} (the nearest: "
                    f"{place.describe()}); check lat and lon, or remove them and ",
                    Hint.GEOCODE_CITY,
                ),
                "far-from-gazetteer",
                "lat",
            )

    def check_cities(self, same: _SameCities) -> None:
        for city_id, (other_id, why) in same.duplicates.items():
            ref, other = self.city_refs.get(city_id), self.city_refs.get(other_id)
            if ref is None or other is None:
                continue
            self.add(
                Severity.WARNING,
                ref,
                f"probably the same city as {self.where(other)}: {why}; "
                "keep one record and give it the other spelling as an alias",
                "same-city",
                "name",
            )

    def check_ties(self, same: _SameCities) -> None:
        seen: dict[frozenset[str], Partnership] = {}
        seen_loosely: dict[frozenset[str], Partnership] = {}
        for tie in self.registry.partnerships:
            ref = self.tie_refs[tie.id]
            a, b = tie.cities
            if a.id == b.id:
                self.add(Severity.ERROR, ref, f"ties {a.id!r} to itself", "self-tie", "cities")
            elif same.strict(a.id) == same.strict(b.id):
                self.add(
                    Severity.ERROR,
                    ref,
                    f"ties a city to itself: {a.id!r} and {b.id!r} are the same city "
                    f"({same.reason(a, b)})",
                    "self-tie",
                    "cities",
                )
            elif same.loose(a.id) == same.loose(b.id):
                self.add(
                    Severity.WARNING,
                    ref,
                    f"probably ties a city to itself: {same.reason(a, b)}",
                    "self-tie",
                    "cities",
                )
            key = frozenset(same.strict(c.id) for c in tie.cities)
            loose_key = frozenset(same.loose(c.id) for c in tie.cities)
            if key in seen:
                first = seen[key]
                self.add(
                    Severity.ERROR,
                    ref,
                    f"the same tie as {self.where(self.tie_refs[first.id])}"
                    f"{_spelled(first, tie)}; a registry holds each tie once",
                    "duplicate-tie",
                    "cities",
                )
            elif loose_key in seen_loosely:
                first = seen_loosely[loose_key]
                self.add(
                    Severity.WARNING,
                    ref,
                    f"probably the same tie as {self.where(self.tie_refs[first.id])}"
                    f"{_spelled(first, tie)}",
                    "duplicate-tie",
                    "cities",
                )
            seen.setdefault(key, tie)
            seen_loosely.setdefault(loose_key, tie)

            if not tie.sources:
                self.add(
                    Severity.WARNING,
                    ref,
                    "has no sources: add the URL of a page that states the tie",
                    "no-source",
                )
            if tie.established is not None and tie.established.earliest() > self.as_of:
                self.add(
                    Severity.WARNING,
                    ref,
                    f"its founding date {tie.established} is in the future (after {self.as_of})",
                    "future-founding",
                    "established",
                )
            if tie.status is Status.SUSPENDED and tie.status_date is None:
                self.add(
                    Severity.WARNING,
                    ref,
                    "is suspended with no date: add status_date (and status_reason)",
                    "suspended-no-date",
                    "status",
                )
            if tie.status_date is not None and _before(tie.status_date, tie.established):
                self.add(
                    Severity.ERROR,
                    ref,
                    f"status_date {tie.status_date} ({tie.status.value}) is before the tie "
                    f"was founded ({tie.established})",
                    "before-founding",
                    "status_date",
                )

    def check_dated_records(self) -> None:
        """Agreements and exchanges dated before their tie's founding (an error unless
        marked `before_founding = true`), and changes of status before it (always)."""
        for table in ("agreement", "exchange"):
            for raw in self.records(table):
                tie = self.tie_of(raw)
                date = _date_or_none(raw.data.get("date"))
                if tie is None or date is None or tie.established is None:
                    continue
                marked = raw.data.get("before_founding") is True
                if _before(date, tie.established) and not marked:
                    self.add(
                        Severity.ERROR,
                        raw.ref,
                        f"dated {date}, before its tie {tie.id!r} was founded "
                        f"({tie.established}); if both dates are right, "
                        "add before_founding = true",
                        "before-founding",
                        "date",
                    )
                elif marked and _before(tie.established, date, or_same=True):
                    self.add(
                        Severity.WARNING,
                        raw.ref,
                        f"marked before_founding, but dated {date}, not before its tie "
                        f"{tie.id!r} was founded ({tie.established})",
                        "before-founding",
                        "before_founding",
                    )
        for raw in self.records("status_change"):
            tie = self.tie_of(raw)
            date = _date_or_none(raw.data.get("date"))
            if tie is None or date is None or not _before(date, tie.established):
                continue
            status = raw.data.get("status")
            what = {"ended": "ended", "suspended": "suspended", "active": "resumed"}.get(
                status if isinstance(status, str) else "", "changed"
            )
            self.add(
                Severity.ERROR,
                raw.ref,
                f"{what} on {date}, before the tie {tie.id!r} was founded ({tie.established})",
                "before-founding",
                "date",
            )

    def check_same_records(self) -> None:
        """An agreement, exchange or change of status recorded twice, by the rule that
        `add` and `import` apply (core/identity.py). A warning: `add --force` records
        a second one on purpose."""
        words = {"agreement": "agreement", "exchange": "exchange", "status_change": "change"}
        for table, word in words.items():
            seen: dict[Key, RecordRef] = {}
            for raw in self.records(table):
                key = record_key(table, raw.data)
                first = seen.setdefault(key, raw.ref)
                if first is raw.ref:
                    continue
                line = self.locator.record_line(first)
                number = f" #{first.index + 1}" if first.index is not None else ""
                where = f" ({word}{number}, line {line})" if line else ""
                at = "title" if table != "status_change" else "date"
                at = "kind" if key[-1] == FOUNDING else at
                self.add(
                    Severity.WARNING,
                    raw.ref,
                    f"the same {'status ' if table == 'status_change' else ''}{word} as an "
                    f"earlier one{where}: {describe_key(key)}; keep one (or, if they are "
                    "two, tell them apart)",
                    "duplicate-record",
                    at,
                )

    def check_invisible_characters(self) -> None:
        for table in ("city", "partnership", "agreement", "exchange", "status_change"):
            for raw in self.records(table):
                for key, value in raw.data.items():
                    for text in _strings(value):
                        pattern = _INVISIBLE if key in FREE_TEXT_KEYS else _INVISIBLE_IN_LINE
                        match = pattern.search(text)
                        if match is None:
                            continue
                        self.add(
                            Severity.WARNING,
                            raw.ref,
                            f"'{key}' holds an invisible or control character "
                            f"(U+{ord(match.group()):04X}), which hides text and stops "
                            "searches from finding it",
                            "invisible-character",
                            key,
                        )
                        break


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _date_or_none(value: Any) -> PartialDate | None:
    if value is None:
        return None
    try:
        return coerce_partial_date(value)
    except InvalidDateError:
        return None  # reported by the loader


def _before(date: PartialDate, other: PartialDate | None, *, or_same: bool = False) -> bool:
    """Whether `date` is certainly before `other` (`PartialDate.certainly_before`);
    never before a date that is not known."""
    return other is not None and date.certainly_before(other, or_same=or_same)


def _spelled(first: Partnership, second: Partnership) -> str:
    """`, recorded here as Sao Paulo–Daegu` when the second tie names other records."""
    if {c.id for c in first.cities} == {c.id for c in second.cities}:
        return ""
    return f", recorded here as {second.title}"


# ---------------------------------------------------------------------------
# One city under two records


class _SameCities:
    """Which city records stand for the same city.

    Strictly the same: same country, same kind of place, and the same name or local
    name once case and accents are set aside (`Sao Paulo`, `São Paulo`). Loosely the
    same: one's name is the other's alias (`Taegu`, `Daegu`). Two places of the same
    name whose coordinates lie farther apart than SAME_PLACE_KM are never the same.
    """

    def __init__(self, cities: Mapping[str, City]) -> None:
        self._strict: dict[str, str] = {}
        self._loose: dict[str, str] = {}
        self._why: dict[frozenset[str], str] = {}
        #: A later record → (the earlier record it duplicates, why).
        self.duplicates: dict[str, tuple[str, str]] = {}
        for loose in (False, True):
            groups: dict[tuple[str, str], list[City]] = {}
            for city in cities.values():
                names = city.names if loose else (city.name, city.local_name or "")
                for name in {fold(n) for n in names} - {""}:
                    groups.setdefault((city.country, name), []).append(city)
            for group in groups.values():
                if len(group) > 1:
                    self._join(group, loose=loose)

    def _join(self, group: Sequence[City], *, loose: bool) -> None:
        for i, city in enumerate(group):
            for first in group[:i]:
                if not _may_be_same(first, city):
                    continue
                root_first, root_city = (
                    (self.loose(first.id), self.loose(city.id))
                    if loose
                    else (self.strict(first.id), self.strict(city.id))
                )
                if root_first == root_city:
                    continue
                (self._loose if loose else self._strict)[root_city] = root_first
                why = _reason(first, city, loose=loose)
                self._why[frozenset((first.id, city.id))] = why
                self.duplicates.setdefault(city.id, (first.id, why))
                break

    def strict(self, city_id: str) -> str:
        return _root(self._strict, city_id)

    def loose(self, city_id: str) -> str:
        return _root(self._loose, self.strict(city_id))

    def reason(self, a: City, b: City) -> str:
        return self._why.get(frozenset((a.id, b.id)), f"{a.name} and {b.name} are one city")


def _root(canon: dict[str, str], key: str) -> str:
    while key in canon:
        key = canon[key]
    return key


def _reason(first: City, city: City, *, loose: bool) -> str:
    if loose:
        if fold(city.name) in {fold(a) for a in first.aliases}:
            return f"{city.name!r} is an alias of {first.name!r}"
        if fold(first.name) in {fold(a) for a in city.aliases}:
            return f"{first.name!r} is an alias of {city.name!r}"
        return f"{first.name!r} and {city.name!r} share an alias"
    if first.name == city.name:
        return f"both are named {city.name!r}"
    if fold(first.name) == fold(city.name):
        return f"{first.name!r} and {city.name!r} differ only in case or accents"
    return f"both have the local name {city.local_name!r}"


def _may_be_same(a: City, b: City) -> bool:
    if a.country != b.country or (a.type or "city") != (b.type or "city"):
        return False
    if None not in (a.lat, a.lon, b.lat, b.lon):
        assert a.lat is not None and a.lon is not None
        assert b.lat is not None and b.lon is not None
        return _distance_km(a.lat, a.lon, b.lat, b.lon) <= SAME_PLACE_KM
    return True


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))
