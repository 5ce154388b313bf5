"""From parsed TOML to model records, checking every value on the way.

One loop builds every record table, driven by its description in `records.fields`:
each key is read and checked by its kind, in the order of the model's attributes,
and the model record is made from the values.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sisterctl import countries
from sisterctl.dates import coerce_partial_date
from sisterctl.errors import Hint, InvalidDateError, Part, RegistryError
from sisterctl.model import (
    DEFAULT_STATUSES,
    RECORD_TABLES,
    SCHEMA_VERSION,
    City,
    LeapDay,
    Partnership,
    Record,
    Registry,
    Signatory,
    Status,
)
from sisterctl.problems import LoadResult, Problem, RecordRef, Severity
from sisterctl.records.fields import (
    AGREEMENT,
    CITY,
    EXCHANGE,
    PARTNERSHIP,
    RECORD_KEYS,
    STATUS_CHANGE,
    TOP_KEYS,
    Field,
    Kind,
    Table,
)
from sisterctl.records.locator import Locator
from sisterctl.text import closest_one

__all__ = ["ID_RE", "RECORD_KEYS", "build", "extend", "extend_checked"]

WIKIDATA_ID_RE = re.compile(r"Q[1-9][0-9]*")  # a Wikidata item: Q and a number
ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

_DROP = object()  # a value that leaves its record out, silently (its error is elsewhere)


class _Builder:
    """Turns parsed TOML into model records, collecting every problem on the way."""

    def __init__(self, text: str | None, first_index: Mapping[str, int] | None = None) -> None:
        self.problems: list[Problem] = []
        self.error_count = 0
        self.locator = Locator(text)
        self._first_index = first_index or {}  # position of the first record, by table
        # Defaults the registry's settings decide, by (table, key): a tie with no
        # `status` is unknown under `default_status = "unknown"`.
        self.defaults: dict[tuple[str, str], Any] = {}
        # What references resolve to: the cities and ties built so far, and the ids
        # declared by records with errors of their own (a record that names one of those
        # is left out silently: its errors are reported, and "does not exist" would be
        # wrong).
        self.cities: Mapping[str, City] = {}
        self.declared_cities: frozenset[str] = frozenset()
        self.ties: Mapping[str, Partnership] = {}
        self.declared_ties: frozenset[str] = frozenset()
        self._readers: dict[Kind, Callable[[Field, Any, RecordRef], Any]] = {
            Kind.ID: self._text,
            Kind.TEXT: self._text,
            Kind.TEXTS: self._texts,
            Kind.DATE: self._date,
            Kind.NUMBER: self._number,
            Kind.INTEGER: self._integer,
            Kind.WIKIDATA: self._wikidata,
            Kind.FLAG: self._flag,
            Kind.CHOICE: self._choice,
            Kind.COUNTRY: self._country,
            Kind.TIE: self._tie,
            Kind.CITY_PAIR: self._city_pair,
            Kind.SIGNATORIES: self._signatories,
        }

    # -- problems ----------------------------------------------------------
    def problem(
        self,
        severity: Severity,
        message: str | tuple[Part, ...],
        ref: RecordRef | None,
        code: str,
        key: str | None = None,
        *,
        at_key: bool = False,
    ) -> None:
        line, column = self.locator.position(ref, key, value=not at_key) or (None, None)
        where = f"{ref.describe()}: " if ref is not None else ""
        parts: tuple[Part, ...] = ()
        if not isinstance(message, str):
            parts, message = message, RegistryError(message, key=key).what
        self.problems.append(
            Problem(severity, f"{where}{message}", ref, line, column, code, key, message, parts)
        )

    def error(
        self,
        message: str | tuple[Part, ...],
        ref: RecordRef | None = None,
        code: str = "",
        key: str | None = None,
    ) -> None:
        self.error_count += 1
        self.problem(Severity.ERROR, message, ref, code, key)

    def warn(
        self, message: str, ref: RecordRef | None = None, code: str = "", key: str | None = None
    ) -> None:
        self.problem(Severity.WARNING, message, ref, code, key)

    # -- the records of a table ----------------------------------------------
    def records(
        self, data: Mapping[str, Any], table: str
    ) -> Iterable[tuple[RecordRef, Mapping[str, Any]]]:
        value = data.get(table)
        if value is None:
            return
        if not isinstance(value, list):
            self.error(f"'{table}' must be an array of tables ([[{table}]])", None, "type", table)
            return
        for index, rec in enumerate(value, self._first_index.get(table, 0)):
            rid = rec.get("id") if isinstance(rec, dict) else None
            ref = RecordRef(table, index, rid if isinstance(rid, str) else None)
            if not isinstance(rec, dict):
                self.error(f"must be a table, not {_type_name(rec)}", ref, "type")
                continue
            yield ref, rec

    def table(
        self, data: Mapping[str, Any], table: Table, seen: set[str] | None = None
    ) -> list[Any]:
        """The model records of `table` that have no error, in file order."""
        model = table.model
        known = table.keys
        # (key, reader, required, default, message when missing) in the model's order;
        # None stands for `extra`, the keys the table does not know.
        steps = [
            None
            if f is None
            else (
                f.key,
                self._readers[f.kind],
                f,
                f.required,
                self.defaults.get((table.name, f.key), f.default),
                f.missing or f"'{f.key}' is missing",
                f.kind is Kind.DATE,  # an empty date is a date left out
            )
            for f in table.model_order
        ]
        id_at = next(
            (i for i, f in enumerate(table.model_order) if f is not None and f.kind is Kind.ID),
            None,
        )
        seen = set() if seen is None else seen
        out: list[Any] = []
        for ref, rec in self.records(data, table.name):
            errors = self.error_count
            keep = True
            args: list[Any] = []
            for step in steps:
                if step is None:
                    args.append({} if known.issuperset(rec) else self.extra(rec, known, ref))
                    continue
                key, read, field, required, default, missing, empty_is_none = step
                value = rec.get(key)
                if value is None or (empty_is_none and value == ""):
                    if required:
                        self.error(missing, ref, "missing-key")
                    args.append(default)
                    continue
                value = read(field, value, ref)
                if value is _DROP:
                    keep = False
                    value = None
                args.append(value)
            if id_at is not None and not self._check_id(ref, args[id_at], seen):
                continue
            if keep and self.error_count == errors:
                out.append(model(*args))
        return out

    def extra(
        self, rec: Mapping[str, Any], known: frozenset[str], ref: RecordRef
    ) -> dict[str, Any]:
        unknown = {k: v for k, v in rec.items() if k not in known}
        for key in unknown:
            hint = closest_one(key, known)
            if hint is not None and hint not in rec:
                # `establised` for `established`: the record has lost what that key says
                # (a tie its founding date, so its anniversaries), which no warning may
                # let pass. An error that keeps the record (error_count is left alone),
                # so that `check` goes on to see it among the others (the same tie
                # twice); `load` refuses the file all the same.
                self.problem(
                    Severity.ERROR,
                    f"'{_short(key)}' is not a key of [[{ref.table}]]; it looks like a "
                    f"misspelling of '{hint}', which the record lacks: rename it to '{hint}'",
                    ref,
                    "misspelt-key",
                    key,
                    at_key=True,
                )
                continue
            suggestion = f" (did you mean {hint}?)" if hint else ""
            self.problem(
                Severity.WARNING,
                f"unknown key '{_short(key)}' is kept but ignored{suggestion}",
                ref,
                "unknown-key",
                key,
                at_key=True,
            )
        return unknown

    def _check_id(self, ref: RecordRef, value: str | None, seen: set[str]) -> bool:
        if value is None:
            return False
        if not ID_RE.fullmatch(value):
            self.error(
                f"id {value!r} must be lowercase letters, digits and single hyphens",
                ref,
                "id",
                "id",
            )
            return False
        if value in seen:
            self.error(f"duplicate id {value!r}", ref, "duplicate-id", "id")
            return False
        seen.add(value)
        return True

    # -- values, by kind: each returns the model's value, or reports an error ----
    def _text(self, field: Field, value: Any, ref: RecordRef) -> Any:
        if value.__class__ is not str:
            key = field.key
            self.error(f"'{key}' must be a string, not {_type_name(value)}", ref, "type", key)
            return field.default
        if field.required:
            if not value.strip():
                self.error(f"'{field.key}' is empty", ref, "empty", field.key)
                return None
            return value
        return value if value or field.default is None else field.default

    def _texts(self, field: Field, value: Any, ref: RecordRef) -> Any:
        if value.__class__ is str:
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(f"'{field.key}' must be a list of strings", ref, "type", field.key)
            return ()
        return tuple(value)

    def _date(self, field: Field, value: Any, ref: RecordRef) -> Any:
        try:
            return coerce_partial_date(value)
        except InvalidDateError as exc:
            self.error(f"'{field.key}': {exc}", ref, "date", field.key)
            return None

    def _number(self, field: Field, value: Any, ref: RecordRef) -> Any:
        key = field.key
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(f"'{key}' must be a number, not {_type_name(value)}", ref, "type", key)
            return None
        assert field.low is not None and field.high is not None
        if not field.low <= value <= field.high:
            self.error(
                f"'{key}' must be between {field.low:g} and {field.high:g}", ref, "range", key
            )
            return None
        return float(value)

    def _integer(self, field: Field, value: Any, ref: RecordRef) -> Any:
        key = field.key
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(f"'{key}' must be a whole number, not {_type_name(value)}", ref, "type", key)
            return None
        assert field.low is not None and field.high is not None
        if not field.low <= value <= field.high:
            self.error(
                f"'{key}' must be between {field.low:g} and {field.high:g}", ref, "range", key
            )
            return None
        return value

    def _wikidata(self, field: Field, value: Any, ref: RecordRef) -> Any:
        key = field.key
        if value.__class__ is not str:
            self.error(f"'{key}' must be a string, not {_type_name(value)}", ref, "type", key)
            return None
        if not WIKIDATA_ID_RE.fullmatch(value):
            self.error(
                f"'{key}' must be a Wikidata item id such as 'Q1867', not {_short(value)!r}",
                ref,
                "value",
                key,
            )
            return None
        return value

    def _flag(self, field: Field, value: Any, ref: RecordRef) -> Any:
        if not isinstance(value, bool):
            key = field.key
            self.error(f"'{key}' must be true or false, not {_type_name(value)}", ref, "type", key)
            return field.default
        return value

    def _choice(self, field: Field, value: Any, ref: RecordRef) -> Any:
        if value.__class__ is str and value in field.choices:
            return field.enum(value) if field.enum is not None else value
        choices = [f'"{c}"' for c in field.choices]
        allowed = " or ".join([", ".join(choices[:-1]), choices[-1]] if choices[1:] else choices)
        self.error(f"'{field.key}' must be {allowed}, not {value!r}", ref, "value", field.key)
        return None

    def _country(self, field: Field, value: Any, ref: RecordRef) -> Any:
        country = self._text(field, value, ref)
        if country is not None and not countries.is_known(country):
            code = countries.lookup(country)
            hint = f" (the code for {country!r} is {code!r})" if code else ""
            self.error(
                f"unknown country code {country!r}: use ISO 3166-1 alpha-2 such as "
                f"'TW' or 'KR'{hint}",
                ref,
                "country",
                "country",
            )
        return country

    def _tie(self, field: Field, value: Any, ref: RecordRef) -> Any:
        pid = self._text(field, value, ref)
        if pid is not None and pid not in self.ties:
            if pid not in self.declared_ties:
                hint = closest_one(pid, self.ties)
                suggestion = f" (did you mean {hint!r}?)" if hint else ""
                self.error(
                    f"names partnership {pid!r}, which does not exist{suggestion}",
                    ref,
                    "unknown-tie",
                    field.key,
                )
            return _DROP
        return _DROP if pid is None else pid

    def _city_pair(self, field: Field, value: Any, ref: RecordRef) -> Any:
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(c, str) for c in value)
        ):
            self.error(f"'{field.key}' must be a list of two city ids", ref, "type", field.key)
            return _DROP
        resolved: list[City] = []
        for cid in value:
            if cid in self.cities:
                resolved.append(self.cities[cid])
            elif cid in self.declared_cities:
                pass  # a [[city]] with errors of its own, reported there
            else:
                hint = closest_one(cid, self.cities)
                suggestion = f" (did you mean {hint!r}?)" if hint else ""
                self.error(
                    f"names city {cid!r}, which has no [[city]] record{suggestion}",
                    ref,
                    "unknown-city",
                    field.key,
                )
        return (resolved[0], resolved[1]) if len(resolved) == 2 else _DROP

    def _signatories(self, field: Field, value: Any, ref: RecordRef) -> Any:
        key = field.key
        if not isinstance(value, list):
            self.error(f"'{key}' must be a list of {{ name = ..., role = ... }}", ref, "type", key)
            return ()
        people: list[Signatory] = []
        for item in value:
            if isinstance(item, str):
                people.append(Signatory(item))
            elif (
                isinstance(item, dict)
                and isinstance(item.get("name"), str)
                and isinstance(item.get("role", ""), str)
            ):
                people.append(Signatory(item["name"], item.get("role") or None))
            else:
                self.error(
                    'each signatory must be { name = "...", role = "..." }', ref, "type", key
                )
        return tuple(people)


def _type_name(value: Any) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "an array",
        dict: "a table",
    }
    return names.get(type(value), f"a {type(value).__name__}")


def _short(text: str, limit: int = 60) -> str:
    """A key or value short enough to quote in a one-line message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build(data: Mapping[str, Any], text: str | None = None) -> LoadResult:
    """Model records from parsed TOML, with every problem found.

    Records with errors are left out of the registry, so that `check` can go on and
    report them all; `load` refuses a registry with any error.
    """
    b = _Builder(text)
    version = data.get("schema_version")
    if not data and text is not None and not text.strip():
        b.error(
            (
                "the file is empty: a registry starts with 'schema_version = 1' (or make one with ",
                Hint.INIT,
                ")",
            ),
            code="schema-version",
        )
        return LoadResult(Registry(cities={}, partnerships=()), b.problems)
    if version is None:
        b.error(
            "'schema_version' is missing (add 'schema_version = 1' at the top)",
            code="schema-version",
        )
    elif isinstance(version, bool) or not isinstance(version, int):
        b.error("'schema_version' must be an integer", code="schema-version", key="schema_version")
    elif version != SCHEMA_VERSION:
        b.error(
            f"schema_version {version} is not one this sisterctl knows "
            f"(it reads version {SCHEMA_VERSION}); upgrade sisterctl",
            code="schema-version",
            key="schema_version",
        )
        return LoadResult(Registry(cities={}, partnerships=()), b.problems)
    for key in data:
        if key not in TOP_KEYS:
            hint = closest_one(key, TOP_KEYS)
            if hint is not None and hint not in data:
                # `[[partnerships]]`: every record under it would be lost.
                b.problem(
                    Severity.ERROR,
                    f"'{_short(key)}' is not a top-level key or table of a registry; it "
                    f"looks like a misspelling of '{hint}', which the file lacks: rename "
                    f"it to '{hint}'",
                    None,
                    "misspelt-key",
                    key,
                    at_key=True,
                )
                continue
            suggestion = f" (did you mean {hint}?)" if hint else ""
            b.problem(
                Severity.WARNING,
                f"unknown top-level key '{_short(key)}' is kept but ignored{suggestion}",
                None,
                "unknown-key",
                key,
                at_key=True,
            )

    leap_day = LeapDay.FEB28
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        b.error("'settings' must be a table ([settings])", code="type", key="settings")
    elif "leap_day" in settings:
        value = settings["leap_day"]
        try:
            leap_day = LeapDay(value)
        except ValueError:
            b.error(
                f'settings.leap_day must be "feb28" or "mar1", not {value!r}',
                code="value",
                key="leap_day",
            )

    default_status = Status.ACTIVE
    if isinstance(settings, dict) and "default_status" in settings:
        value = settings["default_status"]
        if value in DEFAULT_STATUSES:
            default_status = Status(value)
        else:
            b.error(
                f'settings.default_status must be "active" or "unknown", not {value!r}',
                code="value",
                key="default_status",
            )
    b.defaults[("partnership", "status")] = default_status

    b.declared_cities = _declared_ids(data, "city")
    cities = {c.id: c for c in b.table(data, CITY)}
    b.cities = cities
    partnerships = b.table(data, PARTNERSHIP)
    b.ties = {p.id: p for p in partnerships}
    b.declared_ties = _declared_ids(data, "partnership")
    registry = Registry(
        cities=cities,
        partnerships=tuple(partnerships),
        agreements=tuple(b.table(data, AGREEMENT)),
        exchanges=tuple(b.table(data, EXCHANGE)),
        status_changes=tuple(b.table(data, STATUS_CHANGE)),
        leap_day=leap_day,
        default_status=default_status,
    )
    return LoadResult(registry, b.problems)


def extend(registry: Registry, records: Sequence[Record]) -> LoadResult:
    """The registry with `records` appended, each checked as `build` checks it.

    For a registry that `build` accepted, `extend(build(old).registry, new)` is what
    `build(old + new)` gives, in time that grows with the new records only: records
    are appended to the end of their tables and may refer only to what comes before.
    Problems carry no line numbers (there is no text).
    """
    data: dict[str, list[Any]] = {}
    for table, record in records:
        if table not in RECORD_TABLES:
            raise ValueError(f"not a record table: {table}")
        data.setdefault(table, []).append(record)
    first_index = {
        "city": len(registry.cities),
        "partnership": len(registry.partnerships),
        "agreement": len(registry.agreements),
        "exchange": len(registry.exchanges),
        "status_change": len(registry.status_changes),
    }
    b = _Builder(None, first_index)
    b.defaults[("partnership", "status")] = registry.default_status
    cities = dict(registry.cities)
    b.declared_cities = _declared_ids(data, "city")
    cities.update((c.id, c) for c in b.table(data, CITY, seen=set(cities)))
    b.cities = cities
    new_ties = b.table(data, PARTNERSHIP, seen=set(registry.by_id))
    b.ties = {**registry.by_id, **{p.id: p for p in new_ties}}
    b.declared_ties = _declared_ids(data, "partnership")
    extended = dataclasses.replace(
        registry,
        cities=cities,
        partnerships=registry.partnerships + tuple(new_ties),
        agreements=registry.agreements + tuple(b.table(data, AGREEMENT)),
        exchanges=registry.exchanges + tuple(b.table(data, EXCHANGE)),
        status_changes=registry.status_changes + tuple(b.table(data, STATUS_CHANGE)),
    )
    return LoadResult(extended, b.problems)


def extend_checked(registry: Registry, records: Sequence[Record]) -> Registry:
    result = extend(registry, records)
    if result.errors:
        raise result.errors[0].as_error()
    return result.registry


def _declared_ids(data: Mapping[str, Any], table: str) -> frozenset[str]:
    """The ids the file's records of `table` declare, well-formed or not."""
    records = data.get(table)
    if not isinstance(records, list):
        return frozenset()
    return frozenset(
        r["id"] for r in records if isinstance(r, dict) and isinstance(r.get("id"), str)
    )
