"""The registry file: where it is, reading it, and checking what it holds.

This module is the only one that opens a registry file. Reading turns the file's
bytes into a `Registry` (see `sisterctl.model`), reporting every problem with the
file, line and column, or the record, where it lies.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from sisterctl import countries
from sisterctl.dates import PartialDate, coerce_partial_date
from sisterctl.errors import InvalidDateError, RegistryError
from sisterctl.model import (
    DEFAULT_KIND,
    SCHEMA_VERSION,
    Agreement,
    City,
    Exchange,
    LeapDay,
    Partnership,
    Registry,
    Signatory,
    Status,
    StatusChange,
)

if TYPE_CHECKING:
    from sisterctl import cache

ENV_VAR = "SISTERCTL_REGISTRY"
FILE_NAME = "partnerships.toml"
RECORD_TABLES = ("city", "partnership", "agreement", "exchange", "status_change")
ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


# ---------------------------------------------------------------------------
# Where the registry is


class Origin(StrEnum):
    OPTION = "--registry"
    ENV = ENV_VAR
    USER = "user registry"
    BUNDLED = "bundled registry"


@dataclass(frozen=True)
class Location:
    path: Path
    origin: Origin

    @property
    def bundled(self) -> bool:
        return self.origin is Origin.BUNDLED


def bundled_path() -> Path:
    """The registry that ships with sisterctl (the repository's data/partnerships.toml)."""
    from importlib import import_module

    # The data package's own folder: importlib.resources would cost 3 ms at start-up.
    data = import_module("sisterctl.data").__file__
    assert data is not None
    return Path(data).with_name(FILE_NAME)


SCHEMA_FILE = "registry.schema.json"
#: Where editors find the JSON Schema of the registry format (schema version 1).
SCHEMA_URL = f"https://raw.githubusercontent.com/sisterctl/sisterctl/main/schema/{SCHEMA_FILE}"


def schema_path() -> Path:
    """The registry format's JSON Schema as installed with sisterctl
    (the repository's schema/registry.schema.json)."""
    from importlib import resources

    return Path(str(resources.files("sisterctl.schema").joinpath(SCHEMA_FILE)))


def schema_directive(location: str = SCHEMA_URL) -> str:
    """The first line of a registry file that tells TOML editors (the taplo language
    server, Even Better TOML) which JSON Schema to validate it with: `#:schema URL`.
    `location` may also be a path, relative to the registry file or absolute."""
    return f"#:schema {location}\n"


def user_registry_path() -> Path:
    """The user's own registry, created by `sisterctl init` with no path."""
    from sisterctl.dirs import user_data_path

    return user_data_path() / "sisterctl" / FILE_NAME


def locate(option: str | Path | None = None, env: Mapping[str, str] | None = None) -> Location:
    """Which registry to use: --registry, then $SISTERCTL_REGISTRY, then the user's
    own registry if it exists, then the bundled one."""
    environ = os.environ if env is None else env
    if option is not None and str(option) != "":
        return Location(Path(option).expanduser(), Origin.OPTION)
    if environ.get(ENV_VAR):
        return Location(Path(environ[ENV_VAR]).expanduser(), Origin.ENV)
    user = user_registry_path()
    if user.is_file():
        return Location(user, Origin.USER)
    return Location(bundled_path(), Origin.BUNDLED)


# ---------------------------------------------------------------------------
# Problems found in a registry


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class RecordRef:
    """A record by table and position: the 3rd [[partnership]] is ("partnership", 2)."""

    table: str
    index: int
    id: str | None = None

    def describe(self) -> str:
        name = f" {self.id!r}" if self.id else ""
        return f"[[{self.table}]] #{self.index + 1}{name}"


@dataclass(frozen=True)
class Problem:
    severity: Severity
    message: str
    record: RecordRef | None = None
    line: int | None = None
    column: int | None = None
    code: str = ""


@dataclass
class LoadResult:
    registry: Registry
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]


# ---------------------------------------------------------------------------
# Reading


def read_text(path: Path) -> str:
    """The registry's text, or a RegistryError that says what is wrong with the file."""
    return decode(read_bytes(path), path)


def read_bytes(path: Path) -> bytes:
    """The registry file's exact bytes, or a RegistryError that says what is wrong."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise RegistryError(
            f"no registry file here (create one with 'sisterctl init {path}', "
            "or name another with --registry or $SISTERCTL_REGISTRY)",
            path,
        ) from None
    except IsADirectoryError:
        raise RegistryError("is a directory, not a registry file", path) from None
    except PermissionError:
        raise RegistryError("cannot read the registry: permission denied", path) from None
    except OSError as exc:
        raise RegistryError(f"cannot read the registry: {exc.strerror or exc}", path) from None


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
        message = getattr(exc, "msg", None) or str(exc)
        raise RegistryError(
            f"not valid TOML: {message}",
            path,
            getattr(exc, "lineno", None),
            getattr(exc, "colno", None),
        ) from None
    except RecursionError:
        raise RegistryError("not valid TOML: values are nested too deeply", path) from None


def load(path: Path) -> Registry:
    """Read and check a registry; raise RegistryError at its first error.

    A registry read before, byte for byte the same, comes from the cache
    (`sisterctl.cache`) without being parsed or checked again."""
    from sisterctl import cache

    data = read_bytes(path)
    key = cache.digest(data)
    entry = cache.get(path, key, _extend_checked)
    if entry is not None:
        return entry.registry
    result, parsed = _parse_and_build(data, path)
    if result.errors:
        first = result.errors[0]
        raise RegistryError(first.message, path, first.line, first.column)
    cache.put(path, key, result.registry, cache.data_digest(parsed))
    return result.registry


def _parse_and_build(data: bytes, path: Path) -> tuple[LoadResult, dict[str, Any]]:
    """Parse and check a registry's bytes: the model with its problems, and the
    parsed TOML."""
    from sisterctl.cache import paused_gc

    text = decode(data, path)
    with paused_gc():
        parsed = parse_toml(text, path)
        return build(parsed, text=text), parsed


def record_lines(text: str) -> dict[str, list[int]]:
    """The line number of each record's `[[table]]` header, by table, in file order."""
    lines: dict[str, list[int]] = {}
    header = re.compile(r"^[ \t]*\[\[[ \t]*([A-Za-z0-9_\-\"']+)[ \t]*\]\]", re.MULTILINE)
    line_starts = None
    for match in header.finditer(text):
        name = match.group(1).strip("\"'")
        if name not in RECORD_TABLES:
            continue
        if line_starts is None:
            line_starts = _LineIndex(text)
        lines.setdefault(name, []).append(line_starts.line_of(match.start()))
    return lines


class _LineIndex:
    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(self, offset: int) -> int:
        import bisect

        return bisect.bisect_right(self._starts, offset)


_TABLE_HEADER = re.compile(r"[ \t]*\[")


class Locator:
    """Where a record, or one key of it, is written in a registry's text.

    Positions are 1-based (line, column). A key is found by its `key =` line inside
    the record's table, before the next table header; when that fails (a dotted key,
    a header-like line inside a multi-line string), the record's header line is the
    answer, and None when even that is unknown.
    """

    def __init__(self, text: str | None) -> None:
        self._text = text
        self._records: dict[str, list[int]] | None = None
        self._lines: list[str] | None = None

    def _all_lines(self) -> list[str]:
        if self._lines is None:
            self._lines = (self._text or "").split("\n")
        return self._lines

    def record_line(self, ref: RecordRef) -> int | None:
        if self._text is None:
            return None
        if self._records is None:
            self._records = record_lines(self._text)
        lines = self._records.get(ref.table, [])
        return lines[ref.index] if ref.index < len(lines) else None

    def position(self, ref: RecordRef | None, key: str | None = None) -> tuple[int, int] | None:
        """The (line, column) of `key` in the record (or at the top level when `ref` is
        None), else of the record's header, else None."""
        if self._text is None:
            return None
        header = self.record_line(ref) if ref is not None else None
        if ref is not None and header is None:
            return None
        if key is not None:
            found = self._find_key(key, header or 0, stop_at_header=ref is not None)
            if found is not None:
                return found
            if ref is None:
                found = self._find_table(key)
                if found is not None:
                    return found
        return (header, 1) if header is not None else None

    def _find_key(self, key: str, start: int, *, stop_at_header: bool) -> tuple[int, int] | None:
        # Plain string tests, not a regex built from the key: a key may be megabytes long.
        spellings = (key, f'"{key}"', f"'{key}'")
        lines = self._all_lines()
        for number in range(start, len(lines)):
            line = lines[number]
            if stop_at_header and _TABLE_HEADER.match(line):
                break
            body = line.lstrip(" \t")
            for spelling in spellings:
                if body.startswith(spelling) and body[len(spelling) :].lstrip(" \t")[:1] == "=":
                    return number + 1, len(line) - len(body) + 1
        return None

    def _find_table(self, key: str) -> tuple[int, int] | None:
        for number, line in enumerate(self._all_lines()):
            body = line.lstrip(" \t")
            name = body.lstrip("[").lstrip(" \t")
            rest = name[len(key) :].lstrip(" \t")[:1]
            if body.startswith("[") and name.startswith(key) and rest in ("]", "."):
                return number + 1, len(line) - len(body) + 1
        return None


# ---------------------------------------------------------------------------
# Checking what the file holds


class _Builder:
    """Turns parsed TOML into model records, collecting every problem on the way."""

    def __init__(self, text: str | None, first_index: Mapping[str, int] | None = None) -> None:
        self.problems: list[Problem] = []
        self.locator = Locator(text)
        self.declared_ties: frozenset[str] = frozenset()
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
    {"id", "name", "country", "type", "local_name", "aliases", "lat", "lon", "notes", "sources"}
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
    }
)
_EXCHANGE_KEYS = frozenset(
    {"partnership", "date", "kind", "title", "details", "sources", "before_founding"}
)
_CHANGE_KEYS = frozenset({"partnership", "date", "status", "reason", "sources"})
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


def _extend_checked(registry: Registry, records: Sequence[Record]) -> Registry:
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
        )
    return cities


def _has_new_error(b: _Builder, since: int) -> bool:
    return any(p.severity is Severity.ERROR for p in b.problems[since:])


def _status(
    b: _Builder, rec: Mapping[str, Any], key: str, ref: RecordRef, default: Status | None
) -> Status | None:
    value = rec.get(key)
    if value is None:
        if default is None:
            b.error(f"'{key}' is missing", ref, "missing-key")
        return default
    try:
        return Status(value)
    except ValueError:
        b.error(
            f'\'{key}\' must be "active", "suspended" or "ended", not {value!r}', ref, "value", key
        )
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
        status = _status(b, rec, "status", ref, Status.ACTIVE)
        status_date = b.date(rec, "status_date", ref)
        status_reason = b.text(rec, "status_reason", ref)
        fields = b.texts(rec, "fields", ref)
        notes = b.text(rec, "notes", ref)
        sources = b.texts(rec, "sources", ref)
        extra = b.extra(rec, _TIE_KEYS, ref)
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
        details = b.text(rec, "details", ref)
        sources = b.texts(rec, "sources", ref)
        extra = b.extra(rec, _EXCHANGE_KEYS, ref)
        before_founding = _flag(b, rec, "before_founding", ref)
        if _has_new_error(b, n) or pid is None:
            continue
        assert pid is not None and kind is not None and title is not None
        out.append(Exchange(pid, kind, title, date, details, sources, extra, before_founding))
    return out


def _build_changes(
    b: _Builder, data: Mapping[str, Any], ties: Mapping[str, Partnership]
) -> list[StatusChange]:
    out: list[StatusChange] = []
    for ref, rec in b.records(data, "status_change"):
        n = len(b.problems)
        pid = _tie_ref(b, rec, ref, ties)
        date = b.date(rec, "date", ref, required=True)
        status = _status(b, rec, "status", ref, None)
        reason = b.text(rec, "reason", ref)
        sources = b.texts(rec, "sources", ref)
        extra = b.extra(rec, _CHANGE_KEYS, ref)
        if _has_new_error(b, n) or pid is None:
            continue
        assert pid is not None and date is not None and status is not None
        out.append(StatusChange(pid, date, status, reason, sources, extra))
    return out


# ---------------------------------------------------------------------------
# Writing: locked, atomic, verified appends

LOCK_TIMEOUT = 10.0  # seconds a writer waits for another writer before giving up
ATTEMPTS = 3  # times an append is tried again when the file changes under it
LINE_WIDTH = 100  # an array of strings is written on one line when it fits
TEMP_MARK = ".sisterctl-"  # in the name of a temporary file: .partnerships.toml.sisterctl-*.tmp

Record = tuple[str, dict[str, Any]]  # (table, record), e.g. ("exchange", {...})


@dataclass(frozen=True)
class Appended:
    """What an append wrote (or, in a dry run, would write)."""

    path: Path
    records: tuple[Record, ...]
    fragment: str
    written: bool


def lock_path(path: Path) -> Path:
    """The lock file beside a registry: `partnerships.toml.lock`."""
    return path.with_name(path.name + ".lock")


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


def append(
    path: Path,
    plan: Callable[[Registry], Sequence[Record]],
    *,
    dry_run: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
) -> Appended:
    """Append the records that `plan` returns for the registry as it is now.

    `plan` runs while the write lock is held, on the registry read under that lock, so
    its checks (a tie exists, a tie is not already there) cannot race with another
    writer. It raises a SisterctlError to refuse; then nothing is written. It may be
    called more than once (when the file changes on disk during the append), so it
    must not have side effects.

    The new file is the old file's bytes, untouched, plus the new records. Before it
    replaces the old one it is parsed again and compared with what was intended: every
    old value unchanged, plus exactly the new records. It is written to a temporary file
    beside the registry, flushed to disk, and renamed over it, so a reader or a crash
    sees the old registry or the new one, never half of one. A symbolic link is
    followed: the file it points to is replaced and the link is kept.
    """
    target = path.resolve() if path.is_symlink() else path
    if dry_run:
        done = _append_once(target, plan, dry_run=True)
        assert done is not None
        return done
    _check_writable(target)
    lock = _acquire_lock(target, path, lock_timeout)
    try:
        _remove_stale_temp_files(target)
        for _ in range(ATTEMPTS):
            done = _append_once(target, plan, dry_run=False)
            if done is not None:
                return done
    finally:
        lock.release()
    raise RegistryError(
        "the file kept changing on disk while sisterctl added to it (is an editor saving "
        "it?); nothing was written; try again",
        path,
    )


def _acquire_lock(target: Path, path: Path, timeout: float) -> Any:
    import stat

    from filelock import FileLock, Timeout

    from sisterctl.errors import RegistryBusyError

    # The lock file gets the registry's permissions, so that whoever may write the
    # registry may also take its lock.
    mode = (stat.S_IMODE(target.stat().st_mode) & 0o666) | 0o600
    lock = FileLock(str(lock_path(target)), timeout=timeout, mode=mode)
    try:
        lock.acquire()
    except Timeout:
        raise RegistryBusyError(
            f"{path}: another sisterctl process is writing the registry "
            f"(lock {lock_path(target).name} held for over {timeout:g} s); try again"
        ) from None
    except OSError as exc:
        raise RegistryError(
            f"cannot create the lock file {lock_path(target).name}: {exc.strerror or exc}", path
        ) from None
    return lock


def _check_writable(path: Path) -> None:
    import stat

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        read_text(path)  # raises the usual "no registry file here"
        raise
    except OSError as exc:
        raise RegistryError(f"cannot read the registry: {exc.strerror or exc}", path) from None
    if stat.S_ISDIR(mode):
        raise RegistryError("is a directory, not a registry file", path)
    # The write bits count even for root: a registry someone made read-only stays so.
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        raise RegistryError("the registry is read-only; nothing was written", path)
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise RegistryError(
            f"cannot write in the folder {folder} (sisterctl writes the new registry beside "
            "the old one, then renames it); nothing was written",
            path,
        )


def _remove_stale_temp_files(target: Path) -> None:
    """Temporary files left by a writer that was killed. Called with the lock held,
    when no other sisterctl is writing this registry, so any such file is stale."""
    prefix = f".{target.name}{TEMP_MARK}"
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(prefix) and entry.name.endswith(".tmp"):
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False):
                    Path(entry.path).unlink()


def _signature(path: Path) -> tuple[int, int, int]:
    """What changes when a file is written or replaced."""
    st = path.stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _append_once(
    path: Path, plan: Callable[[Registry], Sequence[Record]], *, dry_run: bool
) -> Appended | None:
    """One try: None when the file changed on disk before it could be replaced."""
    from sisterctl import cache

    try:
        before = _signature(path)
    except OSError:
        before = (0, 0, 0)
    raw = read_bytes(path)
    old_text = decode(raw, path)
    # The registry as it is now: from the cache when it holds these very bytes (the
    # checked model, a hash of the parsed data its stored base was made from, and the
    # records appended since), else parsed and checked here.
    hasher = cache.hasher(raw)  # goes on to hash the new file: its bytes start with these
    entry = cache.get(path, hasher.copy().digest(), _extend_checked)
    if entry is None:
        result, parsed = _parse_and_build(raw, path)
        if result.errors:
            first = result.errors[0]
            raise RegistryError(
                f"{first.message} (fix the registry before adding to it)",
                path,
                first.line,
                first.column,
            )
        entry = cache.Entry(result.registry, cache.data_digest(parsed), None, ())
    records = tuple(plan(entry.registry))
    if not records:
        return Appended(path, records, "", written=False)
    fragment = fragment_for(records)
    addition = _addition(old_text, fragment)
    verified = _verify(path, entry, records, old_text + addition)
    if dry_run:
        return Appended(path, records, fragment, written=False)
    # The exact bytes read, byte-order mark included, plus the new records.
    added = addition.encode("utf-8")
    new_raw = raw + added
    if not _replace(path, new_raw, unchanged=before):
        return None
    hasher.update(added)
    _remember(path, hasher.digest(), entry, verified)
    return Appended(path, records, fragment, written=True)


def _addition(old_text: str, fragment: str) -> str:
    """What goes after the old text: a line break if its last line has none, then the
    records, with the file's own line endings (CRLF when every line has one)."""
    separator = "" if old_text == "" or old_text.endswith(("\n", "\r")) else "\n"
    addition = separator + fragment
    if "\r\n" in old_text:  # (counting a large file's lines takes a while: only then)
        newlines = old_text.count("\n")
        if old_text.count("\r\n") == newlines:
            addition = addition.replace("\n", "\r\n")
    return addition


class Verified:
    """What a new registry text reads back as: the records appended, the registry with
    them, and all the parsed data. (A plain class: start-up pays for every class.)"""

    __slots__ = ("data", "records", "registry")

    def __init__(
        self, records: tuple[Record, ...], registry: Registry, data: dict[str, Any]
    ) -> None:
        self.records = records
        self.registry = registry
        self.data = data


def _verify(path: Path, old: cache.Entry, records: Sequence[Record], new_text: str) -> Verified:
    """Parse the new text; check that it holds exactly the old data plus `records`, and
    that the records are valid where they stand.

    The old data is known by the hash of the data the cached model was first made from
    (`old.data_digest`) and the records appended to it since (`old.appended`), so
    that it need not be parsed again: taking the new records, then those, off the ends
    of their tables must leave data with that hash."""
    from sisterctl.cache import data_digest, paused_gc

    try:
        with paused_gc():
            new = parse_toml(new_text, path)
    except RegistryError as exc:
        raise RegistryError(
            f"the new record would not read back ({exc.detail}); nothing was written", path
        ) from None
    base = dict(new)
    now, since = (_take_tails(path, base, batch) for batch in (records, old.appended))
    read_back = _in_order(records, now)
    if [record for _, record in read_back] != [clean_record(r) for _, r in records]:
        _unexpected(path)
    if _in_order(old.appended, since) != list(old.appended):
        _unexpected(path)
    if data_digest(base) != old.data_digest:
        _unexpected(path)
    after = extend(old.registry, read_back)
    if after.errors:
        raise RegistryError(f"{after.errors[0].message}; nothing was written", path)
    return Verified(tuple(read_back), after.registry, new)


def _take_tails(path: Path, data: dict[str, Any], batch: Sequence[Record]) -> dict[str, list[Any]]:
    """Remove from the ends of the tables of `data` as many records as `batch` has in
    each; return them."""
    counts: dict[str, int] = {}
    for table, _ in batch:
        counts[table] = counts.get(table, 0) + 1
    tails: dict[str, list[Any]] = {}
    for table, count in counts.items():
        items = data.get(table)
        if not isinstance(items, list) or len(items) < count:
            _unexpected(path)
        data[table], tails[table] = items[: len(items) - count], items[len(items) - count :]
        if not data[table]:
            del data[table]  # the table was new: one cannot be empty and be appended to
    return tails


def _in_order(batch: Sequence[Record], tails: Mapping[str, list[Any]]) -> list[Record]:
    """The records taken off the tables, in the order of `batch`."""
    taken = {table: iter(records) for table, records in tails.items()}
    return [(table, next(taken[table])) for table, _ in batch]


def _unexpected(path: Path) -> NoReturn:
    raise RegistryError(
        "the new record would not read back as written (is a table at the end of "
        "the file defined unusually?); nothing was written",
        path,
    )


def _remember(path: Path, key: bytes, old: cache.Entry, verified: Verified) -> None:
    """The cache entry of the file just written: the old entry's stored model plus the
    records appended (so that the model need not be stored again), or, now and then,
    all of it."""
    from sisterctl import cache

    appended = (*old.appended, *verified.records)
    if len(appended) > cache.MAX_APPENDED:
        cache.put(path, key, verified.registry, cache.data_digest(verified.data))
    else:
        cache.put(path, key, old.registry, old.data_digest, base=old.base, appended=appended)


def _replace(path: Path, data: bytes, *, unchanged: tuple[int, int, int]) -> bool:
    """Write `data` to a temporary file beside `path`, flush it to disk and rename it
    over `path`, unless `path` changed since it was read (then False)."""
    import stat
    import tempfile

    old_stat = path.stat()
    fd, tmp_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}{TEMP_MARK}", suffix=".tmp"
    )
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(stat.S_IMODE(old_stat.st_mode))
        # Keep the owner where we may (root writing a user's file); the mode is kept
        # all the same. There is no os.chown on Windows.
        with contextlib.suppress(PermissionError, AttributeError):
            os.chown(tmp, old_stat.st_uid, old_stat.st_gid)
        if _signature(path) != unchanged:
            # Someone (an editor, not sisterctl: we hold the lock) saved the file
            # since we read it; writing now would lose their change.
            tmp.unlink(missing_ok=True)
            return False
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise RegistryError(f"cannot write the registry: {exc.strerror or exc}", path) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return True


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def create(path: Path, text: str) -> None:
    """Write a new registry file; refuse to overwrite one that exists (or a dangling
    symbolic link: its target would be created behind the user's back)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except FileExistsError:
        raise RegistryError(
            "a file is already there; sisterctl init never overwrites", path
        ) from None
    except IsADirectoryError:
        raise RegistryError("is a directory; name a file for the new registry", path) from None
    except OSError as exc:
        raise RegistryError(f"cannot create the registry: {exc.strerror or exc}", path) from None
    _fsync_dir(path.parent)
