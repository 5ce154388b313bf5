"""From parsed TOML to model records, checking every value on the way."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sisterctl import countries
from sisterctl.dates import PartialDate, coerce_partial_date
from sisterctl.errors import InvalidDateError, RegistryError
from sisterctl.model import (
    CHANGE_STATUSES,
    DEFAULT_KIND,
    DEFAULT_STATUSES,
    RECORD_TABLES,
    SCHEMA_VERSION,
    Agreement,
    City,
    Exchange,
    LeapDay,
    Partnership,
    Record,
    Registry,
    Signatory,
    Status,
    StatusChange,
)
from sisterctl.problems import LoadResult, Problem, RecordRef, Severity
from sisterctl.records.locator import Locator

if TYPE_CHECKING:
    pass


ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# ---------------------------------------------------------------------------
# Checking what the file holds


class _Builder:
    """Turns parsed TOML into model records, collecting every problem on the way."""

    def __init__(self, text: str | None, first_index: Mapping[str, int] | None = None) -> None:
        self.problems: list[Problem] = []
        self.locator = Locator(text)
        self.declared_ties: frozenset[str] = frozenset()
        self.default_status = Status.ACTIVE  # settings.default_status
        self._first_index = first_index or {}  # position of the first record, by table

    # -- problems ----------------------------------------------------------
    def problem(
        self,
        severity: Severity,
        message: str,
        ref: RecordRef | None,
        code: str,
        key: str | None = None,
    ) -> None:
        line, column = self.locator.position(ref, key) or (None, None)
        where = f"{ref.describe()}: " if ref is not None else ""
        self.problems.append(Problem(severity, f"{where}{message}", ref, line, column, code))

    def error(
        self, message: str, ref: RecordRef | None = None, code: str = "", key: str | None = None
    ) -> None:
        self.problem(Severity.ERROR, message, ref, code, key)

    def warn(
        self, message: str, ref: RecordRef | None = None, code: str = "", key: str | None = None
    ) -> None:
        self.problem(Severity.WARNING, message, ref, code, key)

    # -- values ------------------------------------------------------------
    def text(
        self,
        rec: Mapping[str, Any],
        key: str,
        ref: RecordRef,
        *,
        required: bool = False,
        default: str | None = None,
    ) -> str | None:
        value = rec.get(key)
        if value is None:
            if required:
                self.error(f"'{key}' is missing", ref, "missing-key")
            return default
        if not isinstance(value, str):
            self.error(f"'{key}' must be a string, not {_type_name(value)}", ref, "type", key)
            return default
        if required and not value.strip():
            self.error(f"'{key}' is empty", ref, "empty", key)
            return default
        return value

    def texts(self, rec: Mapping[str, Any], key: str, ref: RecordRef) -> tuple[str, ...]:
        value = rec.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(f"'{key}' must be a list of strings", ref, "type", key)
            return ()
        return tuple(value)

    def date(
        self, rec: Mapping[str, Any], key: str, ref: RecordRef, *, required: bool = False
    ) -> PartialDate | None:
        value = rec.get(key)
        if value is None or value == "":
            if required:
                self.error(f"'{key}' is missing", ref, "missing-key")
            return None
        try:
            return coerce_partial_date(value)
        except InvalidDateError as exc:
            self.error(f"'{key}': {exc}", ref, "date", key)
            return None

    def number(
        self, rec: Mapping[str, Any], key: str, ref: RecordRef, low: float, high: float
    ) -> float | None:
        value = rec.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(f"'{key}' must be a number, not {_type_name(value)}", ref, "type", key)
            return None
        if not low <= value <= high:
            self.error(f"'{key}' must be between {low:g} and {high:g}", ref, "range", key)
            return None
        return float(value)

    def extra(
        self, rec: Mapping[str, Any], known: frozenset[str], ref: RecordRef
    ) -> dict[str, Any]:
        unknown = {k: v for k, v in rec.items() if k not in known}
        for key in unknown:
            hint = _closest(key, known)
            suggestion = f" (did you mean {hint}?)" if hint else ""
            self.warn(
                f"unknown key '{_short(key)}' is kept but ignored{suggestion}",
                ref,
                "unknown-key",
                key,
            )
        return unknown

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


def _closest(word: str, choices: Iterable[str]) -> str | None:
    import difflib

    if len(word) > 64:  # no typo of a key or id is that long; difflib would take long
        return None
    matches = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.75)
    return matches[0] if matches else None


_CITY_KEYS = frozenset(
    {
        "id",
        "name",
        "country",
        "type",
        "local_name",
        "aliases",
        "lat",
        "lon",
        "notes",
        "sources",
        "ignore_warnings",
    }
)
_TIE_KEYS = frozenset(
    {
        "id",
        "cities",
        "kind",
        "established",
        "status",
        "status_date",
        "status_reason",
        "fields",
        "notes",
        "sources",
        "ignore_warnings",
    }
)
_AGREEMENT_KEYS = frozenset(
    {
        "partnership",
        "date",
        "title",
        "kind",
        "to_kind",
        "signatories",
        "mode",
        "venue",
        "fields",
        "status",
        "notes",
        "sources",
        "before_founding",
        "ignore_warnings",
    }
)
_EXCHANGE_KEYS = frozenset(
    {
        "partnership",
        "date",
        "kind",
        "title",
        "venue",
        "mode",
        "fields",
        "details",
        "sources",
        "before_founding",
        "ignore_warnings",
    }
)
_CHANGE_KEYS = frozenset({"partnership", "date", "status", "reason", "sources", "ignore_warnings"})
_TOP_KEYS = frozenset({"schema_version", "settings", *RECORD_TABLES})
#: The keys sisterctl knows in each record table; any other key is kept as `extra`.
RECORD_KEYS: dict[str, frozenset[str]] = {
    "city": _CITY_KEYS,
    "partnership": _TIE_KEYS,
    "agreement": _AGREEMENT_KEYS,
    "exchange": _EXCHANGE_KEYS,
    "status_change": _CHANGE_KEYS,
}
_AGREEMENT_STATUSES = ("signed", "planned")


def build(data: Mapping[str, Any], text: str | None = None) -> LoadResult:
    """Model records from parsed TOML, with every problem found.

    Records with errors are left out of the registry, so that `check` can go on and
    report them all; `load` refuses a registry with any error.
    """
    b = _Builder(text)
    version = data.get("schema_version")
    if not data and text is not None and not text.strip():
        b.error(
            "the file is empty: a registry starts with 'schema_version = 1' "
            "(or make one with 'sisterctl init')",
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
        if key not in _TOP_KEYS:
            hint = _closest(key, _TOP_KEYS)
            suggestion = f" (did you mean {hint}?)" if hint else ""
            b.warn(
                f"unknown top-level key '{_short(key)}' is kept but ignored{suggestion}",
                code="unknown-key",
                key=key,
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
    if isinstance(settings, dict) and "default_status" in settings:
        value = settings["default_status"]
        if value in DEFAULT_STATUSES:
            b.default_status = Status(value)
        else:
            b.error(
                f'settings.default_status must be "active" or "unknown", not {value!r}',
                code="value",
                key="default_status",
            )

    cities = _build_cities(b, data)
    partnerships = _build_partnerships(b, data, cities, _declared_ids(data, "city"))
    known_ties = {p.id: p for p in partnerships}
    # A record that names a tie with errors of its own is left out silently: the tie's
    # errors are reported, and "does not exist" would be wrong.
    b.declared_ties = _declared_ids(data, "partnership")
    agreements = _build_agreements(b, data, known_ties)
    exchanges = _build_exchanges(b, data, known_ties)
    changes = _build_changes(b, data, known_ties)
    registry = Registry(
        cities=cities,
        partnerships=tuple(partnerships),
        agreements=tuple(agreements),
        exchanges=tuple(exchanges),
        status_changes=tuple(changes),
        leap_day=leap_day,
        default_status=b.default_status,
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
    b.default_status = registry.default_status
    cities = dict(registry.cities)
    cities.update(_build_cities(b, data, seen=set(cities)))
    new_ties = _build_partnerships(
        b, data, cities, _declared_ids(data, "city"), seen=set(registry.by_id)
    )
    ties = {**registry.by_id, **{p.id: p for p in new_ties}}
    b.declared_ties = _declared_ids(data, "partnership")
    extended = dataclasses.replace(
        registry,
        cities=cities,
        partnerships=registry.partnerships + tuple(new_ties),
        agreements=registry.agreements + tuple(_build_agreements(b, data, ties)),
        exchanges=registry.exchanges + tuple(_build_exchanges(b, data, ties)),
        status_changes=registry.status_changes + tuple(_build_changes(b, data, ties)),
    )
    return LoadResult(extended, b.problems)


def extend_checked(registry: Registry, records: Sequence[Record]) -> Registry:
    result = extend(registry, records)
    if result.errors:
        raise RegistryError(result.errors[0].message)
    return result.registry


def _declared_ids(data: Mapping[str, Any], table: str) -> frozenset[str]:
    """The ids the file's records of `table` declare, well-formed or not."""
    records = data.get(table)
    if not isinstance(records, list):
        return frozenset()
    return frozenset(
        r["id"] for r in records if isinstance(r, dict) and isinstance(r.get("id"), str)
    )


def _check_id(b: _Builder, ref: RecordRef, value: str | None, seen: set[str]) -> bool:
    if value is None:
        return False
    if not ID_RE.fullmatch(value):
        b.error(
            f"id {value!r} must be lowercase letters, digits and single hyphens", ref, "id", "id"
        )
        return False
    if value in seen:
        b.error(f"duplicate id {value!r}", ref, "duplicate-id", "id")
        return False
    seen.add(value)
    return True


def _build_cities(
    b: _Builder, data: Mapping[str, Any], seen: set[str] | None = None
) -> dict[str, City]:
    cities: dict[str, City] = {}
    seen = set() if seen is None else seen
    for ref, rec in b.records(data, "city"):
        n = len(b.problems)
        cid = b.text(rec, "id", ref, required=True)
        name = b.text(rec, "name", ref, required=True)
        country = b.text(rec, "country", ref, required=True)
        if country is not None and not countries.is_known(country):
            code = countries.lookup(country)
            hint = f" (the code for {country!r} is {code!r})" if code else ""
            b.error(
                f"unknown country code {country!r}: use ISO 3166-1 alpha-2 such as "
                f"'TW' or 'KR'{hint}",
                ref,
                "country",
                "country",
            )
        city_type = b.text(rec, "type", ref, default="city")
        local_name = b.text(rec, "local_name", ref)
        aliases = b.texts(rec, "aliases", ref)
        lat = b.number(rec, "lat", ref, -90, 90)
        lon = b.number(rec, "lon", ref, -180, 180)
        notes = b.text(rec, "notes", ref)
        sources = b.texts(rec, "sources", ref)
        extra = b.extra(rec, _CITY_KEYS, ref)
        ignored = b.texts(rec, "ignore_warnings", ref)
        if not _check_id(b, ref, cid, seen) or _has_new_error(b, n):
            continue
        assert cid is not None and name is not None and country is not None
        cities[cid] = City(
            cid,
            name,
            country,
            city_type or "city",
            local_name,
            aliases,
            lat,
            lon,
            notes,
            sources,
            extra,
            ignored,
        )
    return cities


def _has_new_error(b: _Builder, since: int) -> bool:
    return any(p.severity is Severity.ERROR for p in b.problems[since:])


def _status(
    b: _Builder,
    rec: Mapping[str, Any],
    key: str,
    ref: RecordRef,
    default: Status | None,
    allowed: Sequence[Status] = tuple(Status),
) -> Status | None:
    value = rec.get(key)
    if value is None:
        if default is None:
            b.error(f"'{key}' is missing", ref, "missing-key")
        return default
    if value in allowed:
        return Status(value)
    *first, last = (f'"{s.value}"' for s in allowed)
    b.error(f"'{key}' must be {', '.join(first)} or {last}, not {value!r}", ref, "value", key)
    return None


def _build_partnerships(
    b: _Builder,
    data: Mapping[str, Any],
    cities: Mapping[str, City],
    declared: frozenset[str],
    seen: set[str] | None = None,
) -> list[Partnership]:
    ties: list[Partnership] = []
    seen = set() if seen is None else seen
    for ref, rec in b.records(data, "partnership"):
        n = len(b.problems)
        pid = b.text(rec, "id", ref, required=True)
        pair = rec.get("cities")
        resolved: list[City] = []
        if pair is None:
            b.error("'cities' is missing (two city ids)", ref, "missing-key")
        elif (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(c, str) for c in pair)
        ):
            b.error("'cities' must be a list of two city ids", ref, "type", "cities")
        else:
            for cid in pair:
                if cid in cities:
                    resolved.append(cities[cid])
                elif cid in declared:
                    pass  # a [[city]] with errors of its own, reported there
                else:
                    hint = _closest(cid, cities)
                    suggestion = f" (did you mean {hint!r}?)" if hint else ""
                    b.error(
                        f"names city {cid!r}, which has no [[city]] record{suggestion}",
                        ref,
                        "unknown-city",
                        "cities",
                    )
        kind = b.text(rec, "kind", ref, default=DEFAULT_KIND)
        established = b.date(rec, "established", ref)
        status = _status(b, rec, "status", ref, b.default_status)
        status_date = b.date(rec, "status_date", ref)
        status_reason = b.text(rec, "status_reason", ref)
        fields = b.texts(rec, "fields", ref)
        notes = b.text(rec, "notes", ref)
        sources = b.texts(rec, "sources", ref)
        extra = b.extra(rec, _TIE_KEYS, ref)
        ignored = b.texts(rec, "ignore_warnings", ref)
        if not _check_id(b, ref, pid, seen) or _has_new_error(b, n) or len(resolved) != 2:
            continue
        assert pid is not None and status is not None
        ties.append(
            Partnership(
                pid,
                (resolved[0], resolved[1]),
                kind or DEFAULT_KIND,
                established,
                status,
                status_date,
                status_reason,
                fields,
                notes,
                sources,
                extra,
                ignored,
            )
        )
    return ties


def _tie_ref(
    b: _Builder, rec: Mapping[str, Any], ref: RecordRef, ties: Mapping[str, Partnership]
) -> str | None:
    pid = b.text(rec, "partnership", ref, required=True)
    if pid is not None and pid not in ties:
        if pid not in b.declared_ties:
            hint = _closest(pid, ties)
            suggestion = f" (did you mean {hint!r}?)" if hint else ""
            b.error(
                f"names partnership {pid!r}, which does not exist{suggestion}",
                ref,
                "unknown-tie",
                "partnership",
            )
        return None
    return pid


def _signatories(b: _Builder, rec: Mapping[str, Any], ref: RecordRef) -> tuple[Signatory, ...]:
    value = rec.get("signatories")
    if value is None:
        return ()
    if not isinstance(value, list):
        b.error(
            "'signatories' must be a list of { name = ..., role = ... }", ref, "type", "signatories"
        )
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
            b.error(
                'each signatory must be { name = "...", role = "..." }', ref, "type", "signatories"
            )
    return tuple(people)


def _flag(b: _Builder, rec: Mapping[str, Any], key: str, ref: RecordRef) -> bool:
    value = rec.get(key, False)
    if not isinstance(value, bool):
        b.error(f"'{key}' must be true or false, not {_type_name(value)}", ref, "type", key)
        return False
    return value


def _build_agreements(
    b: _Builder, data: Mapping[str, Any], ties: Mapping[str, Partnership]
) -> list[Agreement]:
    out: list[Agreement] = []
    for ref, rec in b.records(data, "agreement"):
        n = len(b.problems)
        pid = _tie_ref(b, rec, ref, ties)
        title = b.text(rec, "title", ref, required=True)
        date = b.date(rec, "date", ref)
        kind = b.text(rec, "kind", ref, default="agreement")
        to_kind = b.text(rec, "to_kind", ref)
        signatories = _signatories(b, rec, ref)
        mode = b.text(rec, "mode", ref)
        venue = b.text(rec, "venue", ref)
        fields = b.texts(rec, "fields", ref)
        # None when not a string (reported); "" is refused, not read as the default.
        status = b.text(rec, "status", ref, default="signed") or ""
        if isinstance(rec.get("status"), str) and status not in _AGREEMENT_STATUSES:
            b.error(
                f'\'status\' must be "signed" or "planned", not {status!r}', ref, "value", "status"
            )
        notes = b.text(rec, "notes", ref)
        sources = b.texts(rec, "sources", ref)
        extra = b.extra(rec, _AGREEMENT_KEYS, ref)
        ignored = b.texts(rec, "ignore_warnings", ref)
        before_founding = _flag(b, rec, "before_founding", ref)
        if _has_new_error(b, n) or pid is None:
            continue
        assert pid is not None and title is not None
        out.append(
            Agreement(
                pid,
                title,
                date,
                kind or "agreement",
                to_kind,
                signatories,
                mode,
                venue,
                fields,
                status,
                notes,
                sources,
                extra,
                before_founding,
                ignored,
            )
        )
    return out


def _build_exchanges(
    b: _Builder, data: Mapping[str, Any], ties: Mapping[str, Partnership]
) -> list[Exchange]:
    out: list[Exchange] = []
    for ref, rec in b.records(data, "exchange"):
        n = len(b.problems)
        pid = _tie_ref(b, rec, ref, ties)
        kind = b.text(rec, "kind", ref, required=True)
        title = b.text(rec, "title", ref, required=True)
        date = b.date(rec, "date", ref)
        venue = b.text(rec, "venue", ref)
        mode = b.text(rec, "mode", ref)
        fields = b.texts(rec, "fields", ref)
        details = b.text(rec, "details", ref)
        sources = b.texts(rec, "sources", ref)
        extra = b.extra(rec, _EXCHANGE_KEYS, ref)
        ignored = b.texts(rec, "ignore_warnings", ref)
        before_founding = _flag(b, rec, "before_founding", ref)
        if _has_new_error(b, n) or pid is None:
            continue
        assert pid is not None and kind is not None and title is not None
        out.append(
            Exchange(
                pid,
                kind,
                title,
                date,
                details,
                sources,
                extra,
                before_founding,
                venue,
                mode,
                fields,
                ignored,
            )
        )
    return out


def _build_changes(
    b: _Builder, data: Mapping[str, Any], ties: Mapping[str, Partnership]
) -> list[StatusChange]:
    out: list[StatusChange] = []
    for ref, rec in b.records(data, "status_change"):
        n = len(b.problems)
        pid = _tie_ref(b, rec, ref, ties)
        date = b.date(rec, "date", ref, required=True)
        status = _status(b, rec, "status", ref, None, CHANGE_STATUSES)
        reason = b.text(rec, "reason", ref)
        sources = b.texts(rec, "sources", ref)
        extra = b.extra(rec, _CHANGE_KEYS, ref)
        ignored = b.texts(rec, "ignore_warnings", ref)
        if _has_new_error(b, n) or pid is None:
            continue
        assert pid is not None and date is not None and status is not None
        out.append(StatusChange(pid, date, status, reason, sources, extra, ignored))
    return out
