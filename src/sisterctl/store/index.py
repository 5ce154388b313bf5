"""The index: a registry's records in SQLite, so that a command reads only the rows it
needs instead of parsing the whole file.

The registry file stays the one source of truth. The index is derived from it and
lives in the user's cache folder (`~/.cache/sisterctl/index/` on Linux), one SQLite
file per registry (named by a hash of the registry's absolute path). It is used only
for exactly the bytes it was made from: its `meta` table holds a BLAKE2b hash of the
registry file's bytes and a fingerprint of this sisterctl (its version, the format of
the index, and the code that decides what a registry means), and any mismatch means
"no index": the registry is parsed, checked and indexed again. An append (`sisterctl
add ...`) updates the index in one SQLite transaction along with the new hash.

What it holds (docs/store.md has the whole schema): every record's parsed TOML as
JSON (TOML dates tagged so that they read back as dates), with the columns that
queries need: each tie's cities, countries, kind (as founded and as of now), present
status and founding date (year, month, day, precision); each agreement's, exchange's
and status change's tie and date; every city's names as `sisterctl.text.fold` makes
them. A row comes back as a model record through a decoder that checks every value's
type (and, for a record that is not in the plain form sisterctl writes, through
`records.build` itself).

Nothing in an index can run code: it is SQLite read through the standard library,
with no Python functions registered on the connection, `PRAGMA trusted_schema=OFF`,
no extension loading, and a schema that must be exactly the one written here (no
triggers, no views). The folders and the file must belong to the effective user and
not be writable by the group or others; anything that is not a regular file (a
symbolic link, a FIFO, a device) is ignored; its size is capped; any SQLite error or
unexpected content means "no index". `SISTERCTL_NO_INDEX=1` (or the older
`SISTERCTL_NO_CACHE=1`) turns it off.

This module opens only index files; `sisterctl.store.read` opens the registry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import sqlite3
import stat
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The C module behind hashlib's blake2b, without the 3 ms hashlib takes to load OpenSSL.
try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover  (Python builds without the module)
    from hashlib import blake2b

from sisterctl import __version__, countries
from sisterctl.dates import PartialDate, coerce_partial_date
from sisterctl.model import (
    DEFAULT_KIND,
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
from sisterctl.records.build import ID_RE, RECORD_KEYS, WIKIDATA_ID_RE, build
from sisterctl.text import fold

if TYPE_CHECKING:
    from sisterctl.core.facts import TieFacts

DISABLE_VARS = ("SISTERCTL_NO_INDEX", "SISTERCTL_NO_CACHE")
FORMAT = 2  # bump when the schema or the meaning of a column changes
APPLICATION_ID = 0x53495354  # "SIST": PRAGMA application_id of every index
MAX_ENTRIES = 64  # index files kept; the least recently written go first
STALE_TEMP_SECONDS = 3600  # a temporary file this old was left by a killed process
CHUNK = 1 << 20  # bytes read at a time when hashing a registry


class BadIndex(Exception):
    """The index holds something it should not: it is not used."""


def enabled() -> bool:
    return all(os.environ.get(name, "") in ("", "0") for name in DISABLE_VARS)


# ---------------------------------------------------------------------------
# Keys: the registry's bytes, and who wrote the index


def hasher(data: bytes = b"") -> Any:
    """BLAKE2b (256 bits), to be updated with the registry's bytes."""
    return blake2b(data, digest_size=32)


def digest_of(path: Path) -> tuple[str, int]:
    """The hash (hex) and size of a file's bytes, read a chunk at a time."""
    h = hasher()
    size = 0
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    from sisterctl.store.atomic import open_regular_file

    with open_regular_file(path) as handle:
        while True:
            count = handle.readinto(buffer)
            if not count:
                break
            h.update(view[:count])
            size += count
    return h.hexdigest(), size


# The modules whose code decides what a registry file means, and how it is indexed: a
# change to any of them (a new field, a new default, a new check) makes every index stale.
_SOURCES = (
    "model.py",
    "dates.py",
    "countries.py",
    "text.py",
    "records/build.py",
    "records/fields.py",
    "store/index.py",
)
_fingerprint: str | None = None


def fingerprint() -> str:
    global _fingerprint
    if _fingerprint is None:
        h = hasher(f"{__version__}|{SCHEMA_VERSION}|{FORMAT}|{sys.version_info[:2]}".encode())
        package = Path(__file__).resolve().parent.parent
        for name in _SOURCES:
            try:
                h.update((package / name).read_bytes())
            except OSError:
                h.update(f"{name}: no source".encode())
        _fingerprint = h.hexdigest()
    return _fingerprint


# ---------------------------------------------------------------------------
# Where indexes live, and whose they are


def folder() -> Path:
    """sisterctl's folder of the user cache (platformdirs), `index/` in it."""
    from sisterctl.store.dirs import user_cache_path

    return user_cache_path() / "sisterctl" / "index"


def index_path(registry_path: Path) -> Path:
    """The index of a registry file: named by a hash of its absolute path."""
    try:
        where = str(registry_path.resolve())
    except OSError:
        where = str(registry_path.absolute())
    name = blake2b(where.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return folder().absolute() / f"{name}.sqlite"


def _ours(st: os.stat_result) -> bool:
    """Owned by the effective user, and not writable by the group or others."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is not None and st.st_uid != geteuid():
        return False
    return not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _safe_folder(where: Path, *, create: bool) -> bool:
    """The index folder and sisterctl's folder above it: real folders of ours."""
    for each in (where.parent, where):
        if create:
            with contextlib.suppress(OSError):
                each.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            st = os.lstat(each)
        except OSError:
            return False
        if not stat.S_ISDIR(st.st_mode) or not _ours(st):
            return False
    return True


def size_cap(registry_size: int) -> int:
    """The largest index worth opening for a registry of this many bytes (an index
    takes two to three times the registry's size)."""
    return 16 * registry_size + (16 << 20)


def _safe_file(st: os.stat_result, registry_size: int) -> bool:
    return stat.S_ISREG(st.st_mode) and _ours(st) and st.st_size <= size_cap(registry_size)


# ---------------------------------------------------------------------------
# Records as JSON: TOML dates and times tagged, keys that could be read as a tag escaped

_TAGS: dict[str, Any] = {"$date": dt.date, "$datetime": dt.datetime, "$time": dt.time}


def _tagged(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    raise TypeError(f"{type(value).__name__} is not a TOML value")


def _escaped(value: Any) -> Any:
    """Keys starting with `$` get another one, so that no key is read as a tag."""
    if isinstance(value, dict):
        return {("$" + k if k.startswith("$") else k): _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def _encoder() -> Any:
    """JSON text of a value, by the C encoder itself where there is one (json.dumps
    costs a Python call or two per record on top: a large registry has 60,000)."""
    try:
        from json.encoder import (  # type: ignore[attr-defined]
            c_make_encoder,
            encode_basestring,
        )

        if c_make_encoder is not None:
            encoder = c_make_encoder(
                None, _tagged, encode_basestring, None, ":", ",", False, False, True
            )
            return lambda value: "".join(encoder(value, 0))
    except ImportError:  # pragma: no cover
        pass
    return json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_tagged).encode


_dump: Any = _encoder()


def encode(record: Mapping[str, Any]) -> str:
    """A parsed TOML record as JSON that `decode` reads back equal (dates included)."""
    text: str = _dump(record)
    if '"$' in text:  # a tag or a key that starts with `$` (or a value that does)
        text = _dump(_escaped(record))
    return text


def _untag(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        ((key, value),) = obj.items()
        kind = _TAGS.get(key)
        if kind is not None:
            if type(value) is not str:
                raise BadIndex("a tagged value that is not text")
            return kind.fromisoformat(value)
    return {(k[1:] if k.startswith("$") else k): v for k, v in obj.items()}


def decode(text: str) -> Any:
    if '"$' in text:
        return json.loads(text, object_hook=_untag)
    return json.loads(text)


# ---------------------------------------------------------------------------
# The schema. An index must hold exactly these objects, with exactly this SQL.

_TABLES = (
    "CREATE TABLE meta (key TEXT NOT NULL, value TEXT NOT NULL)",
    "CREATE TABLE city (n INTEGER PRIMARY KEY, id TEXT NOT NULL, fast INTEGER NOT NULL, "
    "data TEXT NOT NULL)",
    "CREATE TABLE city_name (city INTEGER NOT NULL, name TEXT NOT NULL)",
    "CREATE TABLE tie (n INTEGER PRIMARY KEY, id TEXT NOT NULL, city_a INTEGER NOT NULL, "
    "city_b INTEGER NOT NULL, country_a TEXT NOT NULL, country_b TEXT NOT NULL, "
    "kind TEXT NOT NULL, kind_now TEXT NOT NULL, status TEXT NOT NULL, year INTEGER, "
    "month INTEGER, day INTEGER, precision TEXT, fast INTEGER NOT NULL, data TEXT NOT NULL, "
    "sort TEXT NOT NULL, facts TEXT NOT NULL)",
    *(
        f"CREATE TABLE {table} (n INTEGER PRIMARY KEY, tie INTEGER NOT NULL, year INTEGER, "
        "month INTEGER, day INTEGER, precision TEXT, fast INTEGER NOT NULL, data TEXT NOT NULL)"
        for table in ("agreement", "exchange", "status_change")
    ),
)
_INDEXES = (
    "CREATE INDEX city_id ON city (id)",
    "CREATE INDEX city_name_name ON city_name (name)",
    "CREATE INDEX tie_id ON tie (id)",
    "CREATE INDEX tie_city_a ON tie (city_a)",
    "CREATE INDEX tie_city_b ON tie (city_b)",
    "CREATE INDEX tie_when ON tie (precision, month, day)",
    "CREATE INDEX tie_sort ON tie (sort, id)",
    "CREATE INDEX agreement_tie ON agreement (tie)",
    "CREATE INDEX agreement_when ON agreement (precision, month, day)",
    "CREATE INDEX exchange_tie ON exchange (tie)",
    "CREATE INDEX status_change_tie ON status_change (tie)",
)
_OBJECT_RE = re.compile(r"CREATE (TABLE|INDEX) (\w+)(?: ON (\w+))?")


def _expected_schema() -> list[tuple[str, str, str, str]]:
    rows = []
    for sql in (*_TABLES, *_INDEXES):
        match = _OBJECT_RE.match(sql)
        assert match is not None
        kind, name, table = match.groups()
        rows.append((kind.lower(), name, table or name, sql))
    return sorted(rows)


_SCHEMA = _expected_schema()
_META_KEYS = frozenset(
    {"fingerprint", "source", "size", "settings", "crlf", "appendable", "ties", "format"}
)


# ---------------------------------------------------------------------------
# Which tables an append may extend without reading the file again (docs/store.md)

_HEADER_RE = {
    table: re.compile(rf"^[ \t]*\[\[[ \t]*{table}[ \t]*\]\]", re.MULTILINE)
    for table in RECORD_TABLES
}
_QUOTED_HEADER_RE = re.compile(r"^[ \t]*\[\[[ \t]*[\"']", re.MULTILINE)


def appendable_tables(text: str, data: Mapping[str, Any]) -> list[str]:
    """The record tables that a `[[table]]` header appended after `text` extends as an
    array of tables: those the document does not define, and those defined by exactly
    as many `[[table]]` header lines as it has records (so none by `table = [...]`,
    which cannot be extended). Unsure (a multi-line string, which may hold lines that
    look like headers; a quoted header) means not appendable: an append then reads
    the whole new file back."""
    if '"""' in text or "'''" in text or _QUOTED_HEADER_RE.search(text):
        return []
    found = []
    for table in RECORD_TABLES:
        value = data.get(table)
        # (An empty list is `table = []`: a `[[table]]` header makes one record at least.)
        if value is None or (
            isinstance(value, list) and len(value) > 0 and _headers(text, table, len(value))
        ):
            found.append(table)
    return found


def _headers(text: str, table: str, records: int) -> bool:
    """Whether the text has exactly `records` `[[table]]` header lines: counted as plain
    text when they are written as sisterctl writes them (fast: such a line is always a
    header, in a text without multi-line strings), else by a regular expression that
    takes any spacing."""
    plain = f"[[{table}]]"
    if text.count("\n" + plain) + text.startswith(plain) == records:
        return True
    return len(_HEADER_RE[table].findall(text)) == records


def all_crlf(text: str) -> bool:
    """Whether the text's lines end with CRLF (then appended lines do too)."""
    if "\r\n" not in text:
        return False
    return text.count("\r\n") == text.count("\n")


# ---------------------------------------------------------------------------
# Model records from parsed records: the plain form, checked value by value.
#
# A record in the form sisterctl writes (the form nearly every record has) becomes a
# model record here, several times faster than through `records.build`; the index
# notes, for each record, whether this gives what `build` gave when the index was made
# (`fast`), and any other record goes through `build` itself.

_BAD: Any = object()
_CITY_KEYS = RECORD_KEYS["city"]
_TIE_KEYS = RECORD_KEYS["partnership"]
_AGREEMENT_KEYS = RECORD_KEYS["agreement"]
_EXCHANGE_KEYS = RECORD_KEYS["exchange"]
_CHANGE_KEYS = RECORD_KEYS["status_change"]
_CITY_GEO = frozenset({"id", "name", "country", "lat", "lon", "geonames"})
_TIE_SHORT = frozenset({"id", "cities", "kind", "established", "status"})
_AGREEMENT_SHORT = frozenset({"partnership", "date", "title", "kind"})
_STATUSES = {s.value: s for s in Status}
_is_id = ID_RE.fullmatch
_is_wikidata = WIKIDATA_ID_RE.fullmatch
_dates: dict[str, PartialDate] = {}  # equal dates are one object: a registry has many


def _text(value: Any) -> Any:
    return value if value is None or type(value) is str else _BAD


def _texts(value: Any) -> Any:
    if value is None:
        return ()
    if type(value) is list:
        for v in value:
            if type(v) is not str:
                return _BAD
        return tuple(value)
    return (value,) if type(value) is str else _BAD


def _required(value: Any) -> Any:
    return value if type(value) is str and value.strip() else _BAD


def _number(value: Any, limit: float) -> Any:
    if value is None:
        return None
    if type(value) not in (int, float) or not -limit <= value <= limit:
        return _BAD
    return float(value)


def _date(value: Any) -> Any:
    if value is None or value == "":
        return None
    if type(value) is str:
        found = _dates.get(value)
        if found is not None:
            return found
    try:
        date = coerce_partial_date(value)
    except Exception:
        return _BAD
    if type(value) is str:
        if len(_dates) > 100_000:
            _dates.clear()
        _dates[value] = date
    return date


def _integer(value: Any, high: int) -> Any:
    if value is None:
        return None
    return value if type(value) is int and 1 <= value <= high else _BAD


def _wikidata(value: Any) -> Any:
    if value is None:
        return None
    return value if type(value) is str and _is_wikidata(value) else _BAD


def _extra(rec: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    if rec.keys() <= known:
        return {}
    return {k: v for k, v in rec.items() if k not in known}


def fast_city(rec: Any) -> City | None:
    if type(rec) is not dict:
        return None
    get = rec.get
    cid, name, country = get("id"), get("name"), get("country")
    if type(cid) is not str or type(name) is not str or type(country) is not str:
        return None
    if not name.strip() or not _is_id(cid) or not countries.is_known(country):
        return None
    if len(rec) == 3:  # the usual city: an id, a name, a country
        return City(cid, name, country)
    if rec.keys() <= _CITY_GEO:  # the usual geocoded city: coordinates and their GeoNames id
        lat, lon = _number(get("lat"), 90), _number(get("lon"), 180)
        geonames = _integer(get("geonames"), 2**31 - 1)
        if _BAD in (lat, lon, geonames):
            return None
        return City(cid, name, country, lat=lat, lon=lon, geonames=geonames)
    kind = get("type") or "city"
    local_name, notes = get("local_name"), get("notes")
    aliases, sources = _texts(get("aliases")), _texts(get("sources"))
    lat, lon = _number(get("lat"), 90), _number(get("lon"), 180)
    geonames, wikidata = _integer(get("geonames"), 2**31 - 1), _wikidata(get("wikidata"))
    ignore = _texts(get("ignore_warnings"))
    if (
        type(kind) is not str
        or (local_name is not None and type(local_name) is not str)
        or (notes is not None and type(notes) is not str)
        or _BAD in (aliases, sources, lat, lon, geonames, wikidata, ignore)
    ):
        return None
    return City(
        cid,
        name,
        country,
        kind,
        local_name,
        aliases,
        lat,
        lon,
        notes,
        sources,
        _extra(rec, _CITY_KEYS),
        geonames,
        ignore,
        wikidata,
    )


def fast_tie(rec: Any, cities: Mapping[str, City]) -> Partnership | None:
    if type(rec) is not dict:
        return None
    get = rec.get
    pid, pair = get("id"), get("cities")
    if type(pid) is not str or type(pair) is not list or len(pair) != 2:
        return None
    first, second = pair
    if type(first) is not str or type(second) is not str or not _is_id(pid):
        return None
    a, b = cities.get(first), cities.get(second)
    kind = get("kind") or DEFAULT_KIND
    status = get("status", "active")
    status = _STATUSES.get(status) if type(status) is str else None
    established = _date(get("established"))
    if a is None or b is None or type(kind) is not str or status is None or established is _BAD:
        return None
    if rec.keys() <= _TIE_SHORT:  # the usual tie: an id, two cities, a date
        return Partnership(pid, (a, b), kind, established, status)
    status_date, reason = _date(get("status_date")), _text(get("status_reason"))
    fields, notes, sources = _texts(get("fields")), _text(get("notes")), _texts(get("sources"))
    ignore = _texts(get("ignore_warnings"))
    if _BAD in (status_date, reason, fields, notes, sources, ignore):
        return None
    return Partnership(
        pid,
        (a, b),
        kind,
        established,
        status,
        status_date,
        reason,
        fields,
        notes,
        sources,
        _extra(rec, _TIE_KEYS),
        ignore,
    )


def _signatories(value: Any) -> Any:
    if value is None:
        return ()
    if type(value) is not list:
        return _BAD
    people = []
    for item in value:
        if type(item) is str:
            people.append(Signatory(item))
        elif type(item) is dict and type(item.get("name")) is str:
            role = item.get("role", "")
            if type(role) is not str:
                return _BAD
            people.append(Signatory(item["name"], role or None))
        else:
            return _BAD
    return tuple(people)


def _flag(value: Any) -> Any:
    if value is None:
        return False
    return value if type(value) is bool else _BAD


def fast_agreement(rec: Any, ties: Mapping[str, Partnership]) -> Agreement | None:
    if type(rec) is not dict:
        return None
    get = rec.get
    pid = get("partnership")
    kind = get("kind") or "agreement"
    if rec.keys() <= _AGREEMENT_SHORT:  # the usual agreement: a tie, a date, a title, a kind
        title, date = get("title"), _date(get("date"))
        if type(pid) is not str or pid not in ties or type(kind) is not str or date is _BAD:
            return None
        if type(title) is not str or not title.strip():
            return None
        return Agreement(pid, title, date, kind)
    status = get("status", "signed")
    values = (
        _required(get("title")),
        _date(get("date")),
        kind if type(kind) is str else _BAD,
        _text(get("to_kind")),
        _signatories(get("signatories")),
        _text(get("mode")),
        _text(get("venue")),
        _texts(get("fields")),
        status if type(status) is str and status in ("signed", "planned") else _BAD,
        _text(get("notes")),
        _texts(get("sources")),
        _flag(get("before_founding")),
        _texts(get("ignore_warnings")),
    )
    if type(pid) is not str or pid not in ties or _BAD in values:
        return None
    (title, date, kind, to_kind, signatories, mode, venue, fields, status, notes, sources) = values[
        :11
    ]
    before, ignore = values[11:]
    return Agreement(
        pid,
        title,
        date,
        kind,
        to_kind,
        signatories,
        mode,
        venue,
        fields,
        status,
        notes,
        sources,
        _extra(rec, _AGREEMENT_KEYS),
        before,
        ignore,
    )


def fast_exchange(rec: Any, ties: Mapping[str, Partnership]) -> Exchange | None:
    if type(rec) is not dict:
        return None
    get = rec.get
    pid = get("partnership")
    kind, title, date = _required(get("kind")), _required(get("title")), _date(get("date"))
    details, sources = _text(get("details")), _texts(get("sources"))
    before = _flag(get("before_founding"))
    venue, mode, fields = _text(get("venue")), _text(get("mode")), _texts(get("fields"))
    ignore = _texts(get("ignore_warnings"))
    if type(pid) is not str or pid not in ties or _BAD in (kind, title, date, details, sources):
        return None
    if _BAD in (before, venue, mode, fields, ignore):
        return None
    extra = _extra(rec, _EXCHANGE_KEYS)
    return Exchange(
        pid, kind, title, date, details, sources, extra, before, venue, mode, fields, ignore
    )


def fast_change(rec: Any, ties: Mapping[str, Partnership]) -> StatusChange | None:
    if type(rec) is not dict:
        return None
    get = rec.get
    pid, date, status = get("partnership"), _date(get("date")), get("status")
    reason, sources = _text(get("reason")), _texts(get("sources"))
    ignore = _texts(get("ignore_warnings"))
    if type(pid) is not str or pid not in ties or date is None or date is _BAD:
        return None
    if type(status) is not str or status not in _STATUSES or _BAD in (reason, sources, ignore):
        return None
    extra = _extra(rec, _CHANGE_KEYS)
    return StatusChange(pid, date, _STATUSES[status], reason, sources, extra, ignore)


def same_record(a: Any, b: Any) -> bool:
    """Equal in every field, the unknown keys (`extra`, left out of ==) included."""
    return a is not None and a == b and a.extra == b.extra


# ---------------------------------------------------------------------------
# Writing an index


def _date_columns(date: PartialDate | None) -> tuple[Any, ...]:
    if date is None:
        return (None, None, None, None)
    return (date.year, date.month, date.day, date.precision.value)


def _tie_columns(registry: Registry, tie: Partnership) -> tuple[str, str, str]:
    """(kind as founded, kind as of now, status as of now), as queries compare them."""
    return (fold(tie.kind), fold(registry.kind_on(tie)), registry.state(tie).status.value)


FACTS_SEPARATOR = "\x1f"  # between the values of a `facts` column (a unit separator)


def _facts_columns(registry: Registry, tie: Partnership) -> tuple[str, str]:
    """(sort, facts): `fold(title)`, by which anniversaries of a day are ordered, and
    what an anniversary row shows of a tie (`core.anniversaries.TieFacts`) in one
    text: its id, its cities' names and countries, its kind as founded, its
    status as of now, `fold(title)` again, its founding date (ISO at its precision,
    or empty) and its upgrades (JSON [earliest day, kind] pairs, or empty), joined by
    FACTS_SEPARATOR; as JSON (a list of the same) when a value holds the separator.
    A text split is read several times faster than JSON or than as many columns."""
    from sisterctl.core.facts import TieFacts

    facts = TieFacts.of(registry, tie)
    steps = [[since.isoformat(), kind] for since, kind in facts.steps]
    values = [
        facts.id,
        facts.names[0],
        facts.countries[0],
        facts.names[1],
        facts.countries[1],
        facts.kind,
        facts.status.value,
        facts.sort,
        facts.since.iso() if facts.since else "",
        _dump(steps) if steps else "",
    ]
    if any(FACTS_SEPARATOR in value for value in values):
        return facts.sort, _dump(values)
    return facts.sort, FACTS_SEPARATOR.join(values)


def write(
    registry_path: Path,
    *,
    source: str,
    size: int,
    text: str,
    data: Mapping[str, Any],
    registry: Registry,
) -> None:
    """Index a registry that `records.build` accepted: `data` its parsed TOML,
    `registry` what it built. Written to a temporary file and renamed into place;
    never raises (an unwritable cache folder costs speed, nothing else)."""
    if not enabled():
        return
    try:
        where = folder().absolute()
        if not _safe_folder(where, create=True):
            return
        from sisterctl.store import atomic

        target = index_path(registry_path)
        atomic.remove_stale(where, ".", older_than=STALE_TEMP_SECONDS)
        for leftover in ("-journal", "-wal", "-shm"):
            Path(f"{target}{leftover}").unlink(missing_ok=True)
        atomic.replace(
            target,
            lambda tmp: _fill(tmp, source, size, text, data, registry),
            mode=0o600,
            durable=False,
            derived=True,
        )
        _prune(where)
    except Exception:
        return


def _fill(
    tmp: Path, source: str, size: int, text: str, data: Mapping[str, Any], registry: Registry
) -> None:
    settings = data.get("settings", {})
    meta = {
        "format": str(FORMAT),
        "fingerprint": fingerprint(),
        "source": source,
        "size": str(size),
        "settings": encode(settings if isinstance(settings, dict) else {}),
        "crlf": "1" if all_crlf(text) else "0",
        "appendable": json.dumps(appendable_tables(text, data)),
        "ties": str(len(registry.partnerships)),
    }
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "trusted_schema=OFF"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version={FORMAT}")
        conn.execute("BEGIN")
        for sql in _TABLES:
            conn.execute(sql)
        conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        _insert_all(conn, data, registry)
        for sql in _INDEXES:
            conn.execute(sql)
        conn.execute("COMMIT")
    finally:
        conn.close()


def _records(data: Mapping[str, Any], table: str) -> list[Any]:
    value = data.get(table)
    return value if isinstance(value, list) else []


def _insert_all(conn: sqlite3.Connection, data: Mapping[str, Any], registry: Registry) -> None:
    city_n: dict[str, int] = {}
    rows: list[tuple[Any, ...]] = []
    names: list[tuple[int, str]] = []
    cities = registry.cities
    for n, (rec, city) in enumerate(zip(_records(data, "city"), cities.values(), strict=True)):
        city_n[city.id] = n
        rows.append((n, city.id, int(same_record(fast_city(rec), city)), encode(rec)))
        names.extend((n, name) for name in {fold(name) for name in city.names})
    conn.executemany("INSERT INTO city VALUES (?, ?, ?, ?)", rows)
    conn.executemany("INSERT INTO city_name VALUES (?, ?)", names)
    tie_n: dict[str, int] = {}
    rows = []
    for n, (rec, tie) in enumerate(
        zip(_records(data, "partnership"), registry.partnerships, strict=True)
    ):
        tie_n[tie.id] = n
        a, b = tie.cities
        rows.append(
            (
                n,
                tie.id,
                city_n[a.id],
                city_n[b.id],
                a.country,
                b.country,
                *_tie_columns(registry, tie),
                *_date_columns(tie.established),
                int(same_record(fast_tie(rec, cities), tie)),
                encode(rec),
                *_facts_columns(registry, tie),
            )
        )
    conn.executemany(f"INSERT INTO tie VALUES ({', '.join('?' * 17)})", rows)
    by_id = registry.by_id
    on_ties: tuple[tuple[str, Sequence[Any], Any], ...] = (
        ("agreement", registry.agreements, fast_agreement),
        ("exchange", registry.exchanges, fast_exchange),
        ("status_change", registry.status_changes, fast_change),
    )
    for table, records, fast in on_ties:
        conn.executemany(
            f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    n,
                    tie_n[record.partnership],
                    *_date_columns(record.date),
                    int(same_record(fast(rec, by_id), record)),
                    encode(rec),
                )
                for n, (rec, record) in enumerate(zip(_records(data, table), records, strict=True))
            ),
        )


def _prune(where: Path) -> None:
    try:
        entries = [e for e in os.scandir(where) if e.name.endswith(".sqlite") and e.is_file()]
    except OSError:
        return
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda e: e.stat().st_mtime)
    for old in entries[: len(entries) - MAX_ENTRIES]:
        for suffix in ("", "-journal"):
            with contextlib.suppress(OSError):
                Path(old.path + suffix).unlink()


# ---------------------------------------------------------------------------
# Opening an index


def open_index(
    registry_path: Path, *, source: str | None, size: int, writable: bool = False
) -> Index | None:
    """The index of these registry bytes (`source`: their hash; None: the caller
    checks it), or None: no index, or one not to be trusted."""
    if not enabled():
        return None
    conn = None
    try:
        where = folder().absolute()
        if not _safe_folder(where, create=False):
            return None
        path = index_path(registry_path)
        try:
            before = os.lstat(path)
        except OSError:
            return None
        if not _safe_file(before, size):
            return None
        mode = "rw" if writable else "ro"
        conn = sqlite3.connect(f"{path.as_uri()}?mode={mode}", uri=True, isolation_level=None)
        conn.execute("PRAGMA trusted_schema=OFF")
        after = os.lstat(path)
        if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino):
            raise BadIndex("replaced while it was opened")
        index = Index(conn)
        if index.meta["size"] != str(size) or source not in (None, index.meta["source"]):
            raise BadIndex("made from other bytes")
        return index
    except Exception:
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
        return None


class Index:
    """An open index: the queries commands ask, each answered with model records.
    (A plain class, as are the others here: start-up pays for every class a module
    creates.)"""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        user_version = conn.execute("PRAGMA user_version").fetchone()[0]
        if (application_id, user_version) != (APPLICATION_ID, FORMAT):
            raise BadIndex("not an index of this format")
        schema = sorted(
            tuple(row)
            for row in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")
        )
        if schema != _SCHEMA:
            raise BadIndex("a schema of its own")
        meta: dict[str, str] = {}
        for key, value in conn.execute("SELECT key, value FROM meta"):
            if key in meta or key not in _META_KEYS or type(value) is not str:
                raise BadIndex("unexpected meta data")
            meta[key] = value
        if set(meta) != _META_KEYS or meta["fingerprint"] != fingerprint():
            raise BadIndex("written by another sisterctl")
        self.meta = meta
        settings = decode(meta["settings"])
        if type(settings) is not dict:
            raise BadIndex("settings that are not a table")
        self.settings: dict[str, Any] = settings
        try:
            self.leap_day = LeapDay(settings.get("leap_day", LeapDay.FEB28.value))
            self.default_status = Status(settings.get("default_status", Status.ACTIVE.value))
            self.ties = int(meta["ties"])
            appendable = json.loads(meta["appendable"])
        except (ValueError, TypeError) as exc:
            raise BadIndex("meta data out of range") from exc
        if type(appendable) is not list or not set(appendable) <= set(RECORD_TABLES):
            raise BadIndex("unexpected appendable tables")
        self.appendable = frozenset(appendable)
        self.crlf = meta["crlf"] == "1"
        for table in ("city", "tie", "agreement", "exchange", "status_change"):
            count, top = conn.execute(
                f"SELECT count(*), coalesce(max(n), -1) FROM {table}"
            ).fetchone()
            if count != top + 1 or (table == "tie" and count != self.ties):
                raise BadIndex(f"rows missing from {table}")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()

    # -- what queries select ------------------------------------------------
    def _one_column(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return [row[0] for row in self.conn.execute(sql, params)]

    def tie_ids(self) -> list[str]:
        """Every tie's id, in file order."""
        ids = self._one_column("SELECT id FROM tie ORDER BY n")
        if len(ids) != self.ties or not all(type(i) is str for i in ids):
            raise BadIndex("tie ids")
        return ids

    def city_ids(self) -> list[str]:
        ids = self._one_column("SELECT id FROM city ORDER BY n")
        if not all(type(i) is str for i in ids):
            raise BadIndex("city ids")
        return ids

    def cities_named(self, query: str) -> str:
        """SQL for the rows (n) of the cities a user means by `query`, as
        `core.query.city_matcher` finds them: by id or any name, ignoring case and
        accents; else by part of a name. Its parameters are inlined as literals."""
        wanted = fold(query)
        exact = (
            f"SELECT n FROM city WHERE id = {_literal(wanted)} "
            f"UNION SELECT city FROM city_name WHERE name = {_literal(wanted)}"
        )
        if wanted and not self.conn.execute(f"SELECT EXISTS ({exact})").fetchone()[0]:
            return f"SELECT DISTINCT city FROM city_name WHERE instr(name, {_literal(wanted)}) > 0"
        return exact

    def tie_facts(
        self, where: str, params: Sequence[Any] = (), *, file_order: bool = False
    ) -> list[TieFacts]:
        """The facts of the ties `where` selects, in the order of `TieFacts.order` (in
        which `listed_anniversaries` then finds them), or in file order; each value
        checked. Only their
        `facts` are read: a column that chose a row it should not have is overruled by
        what the facts say (the date, the status, the countries), as the records
        overrule the columns in `registry`."""
        from sisterctl.core.facts import TieFacts

        order = "n" if file_order else "sort, id"
        texts = self._one_column(f"SELECT facts FROM tie WHERE {where} ORDER BY {order}", params)
        out: list[TieFacts] = []
        add = out.append
        separator = FACTS_SEPARATOR
        statuses = _STATUSES
        dates: dict[str, tuple[int, int | None, int | None]] = {}
        try:
            for text in texts:
                if text[:1] == "[":  # a value holds the separator: JSON (a list of text)
                    values = json.loads(text)
                    "".join(values)  # all text
                else:
                    values = text.split(separator)
                tid, name_a, country_a, name_b, country_b, kind, status, sort, when, steps = values
                founded = dates.get(when) if when else None
                if founded is None and when:
                    founded = dates[when] = _founded(when)
                add(
                    TieFacts(
                        tid,
                        (name_a, name_b),
                        (country_a, country_b),
                        kind,
                        _steps(json.loads(steps)) if steps else (),
                        statuses[status],
                        founded,
                        sort,
                    )
                )
        except (TypeError, ValueError, KeyError) as exc:  # not text, not 10 values, ...
            raise BadIndex("a tie's facts") from exc
        return out

    def count(self, where: str, params: Sequence[Any] = ()) -> int:
        value = self.conn.execute(f"SELECT count(*) FROM tie WHERE {where}", params).fetchone()[0]
        if type(value) is not int:
            raise BadIndex("a count")
        return value

    # -- model records -------------------------------------------------------
    def registry(
        self,
        where: str | None = None,
        params: Sequence[Any] = (),
        *,
        cities: str | None = None,
        exchanges: bool = True,
        kinds: bool = False,
    ) -> Registry:
        """The registry of the ties `where` selects (every tie when None), with their
        cities (and the cities the SQL `cities` selects), agreements, status changes
        and, unless told otherwise, exchanges: in file order, as the whole registry
        holds them. The columns that chose the rows are checked against their records
        (`kinds`: the kind and status columns too, when they chose them)."""
        conn = self.conn
        if where is None and cities is None:
            pick = city_pick = None
        else:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS pick (n INTEGER PRIMARY KEY)")
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS city_pick (n INTEGER PRIMARY KEY)")
            conn.execute("DELETE FROM temp.pick")
            conn.execute("DELETE FROM temp.city_pick")
            if where is not None:
                conn.execute(f"INSERT INTO temp.pick SELECT n FROM tie WHERE {where}", params)
            conn.execute(
                "INSERT OR IGNORE INTO temp.city_pick SELECT city_a FROM tie "
                "WHERE n IN (SELECT n FROM temp.pick) UNION SELECT city_b FROM tie "
                "WHERE n IN (SELECT n FROM temp.pick)"
            )
            if cities is not None:
                conn.execute(f"INSERT OR IGNORE INTO temp.city_pick {cities}")
            pick, city_pick = "SELECT n FROM temp.pick", "SELECT n FROM temp.city_pick"
        decoder = _Decoder(self.settings)
        check = pick is not None  # the columns chose these rows: they must be right

        def rows(
            table: str, column: str, chosen: str | None, columns: str = "n"
        ) -> tuple[list[Any], list[Any], list[Any]]:
            """The `fast` flags, the parsed records (the JSON of all of them decoded at
            once) and the `columns` of a table's rows, in file order."""
            sql = f"SELECT fast, data, {columns} FROM {table}"
            if chosen is not None:
                sql += f" WHERE {column} IN ({chosen})"
            found = conn.execute(sql + " ORDER BY n").fetchall()
            if not found:
                return [], [], []
            texts = [row[1] for row in found]
            if not all(type(t) is str for t in texts):
                raise BadIndex(f"a {table} row")
            records = decode("[" + ",".join(texts) + "]")
            if type(records) is not list or len(records) != len(found):
                raise BadIndex(f"{table} rows")
            return [row[0] for row in found], records, [row[2:] for row in found]

        flags, records, columns = rows("city", "n", city_pick, "n, id")
        city_list = decoder.cities(flags, records)
        city_at = {n: city.id for (n, _), city in zip(columns, city_list, strict=True)}
        if check and any(i != city.id for (_, i), city in zip(columns, city_list, strict=True)):
            raise BadIndex("a city's id column")
        flags, records, columns = rows(
            "tie", "n", pick, "n, id, city_a, city_b, year, month, day, precision"
        )
        ties = decoder.ties(flags, records)
        tie_at = {tie.id: row[0] for row, tie in zip(columns, ties, strict=True)}
        if check:
            for (_, i, a, b, *when), tie in zip(columns, ties, strict=True):
                if (i, city_at.get(a), city_at.get(b)) != (
                    tie.id,
                    tie.cities[0].id,
                    tie.cities[1].id,
                ) or tuple(when) != _date_columns(tie.established):
                    raise BadIndex("a tie's columns")
        if where is None and cities is None and len(ties) != self.ties:
            raise BadIndex("a count of ties")

        def on_ties(table: str) -> tuple[Any, ...]:
            flags, records, columns = rows(table, "tie", pick, "tie, year, month, day, precision")
            found = decoder.on_ties(table, flags, records)
            if check:
                for (tie, *when), record in zip(columns, found, strict=True):
                    if tie != tie_at.get(record.partnership) or tuple(when) != _date_columns(
                        record.date
                    ):
                        raise BadIndex(f"a {table}'s columns")
            return found

        registry = Registry(
            cities={city.id: city for city in city_list},
            partnerships=ties,
            agreements=on_ties("agreement"),
            exchanges=on_ties("exchange") if exchanges else (),
            status_changes=on_ties("status_change"),
            leap_day=self.leap_day,
            default_status=self.default_status,
        )
        if len(registry.cities) != len(city_list):
            raise BadIndex("a city twice")
        if check and kinds:
            chosen = conn.execute(
                "SELECT id, kind, kind_now, status FROM tie WHERE n IN (SELECT n FROM temp.pick)"
            ).fetchall()
            by_id = registry.by_id
            for i, kind, kind_now, status in chosen:
                picked = by_id.get(i)
                if picked is None or (kind, kind_now, status) != _tie_columns(registry, picked):
                    raise BadIndex("a tie's kind or status columns")
        return registry

    # -- appends -------------------------------------------------------------
    def append(
        self,
        *,
        old_source: str,
        new_source: str,
        new_size: int,
        records: Sequence[Record],
        after: Registry,
    ) -> None:
        """Add the records appended to the registry (read back from the new file, and
        built into `after`, which holds every tie they touch with all its records) in
        one transaction, with the new file's hash."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if self._one_column("SELECT value FROM meta WHERE key = 'source'") != [old_source]:
                raise BadIndex("changed since it was read")
            self._insert_appended(records, after)
            appendable = sorted(self.appendable | {table for table, _ in records})
            ties = self.ties + sum(1 for table, _ in records if table == "partnership")
            for key, value in (
                ("source", new_source),
                ("size", str(new_size)),
                ("appendable", json.dumps(appendable)),
                ("ties", str(ties)),
            ):
                conn.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(Exception):
                conn.execute("ROLLBACK")
            raise

    def _next(self, table: str) -> int:
        value = self.conn.execute(f"SELECT coalesce(max(n), -1) + 1 FROM {table}").fetchone()[0]
        return int(value)

    def _n_of(self, table: str, record_id: str) -> int:
        found = self._one_column(f"SELECT n FROM {table} WHERE id = ?", (record_id,))
        if len(found) != 1:
            raise BadIndex(f"no single {table} {record_id}")
        return int(found[0])

    def _insert_appended(self, records: Sequence[Record], after: Registry) -> None:
        conn = self.conn
        counts = {table: 0 for table in RECORD_TABLES}
        for table, _ in records:
            counts[table] += 1
        tables: dict[str, Sequence[Any]] = {
            "city": list(after.cities.values()),
            "partnership": after.partnerships,
            "agreement": after.agreements,
            "exchange": after.exchanges,
            "status_change": after.status_changes,
        }
        built = {
            table: iter(values[len(values) - counts[table] :]) for table, values in tables.items()
        }
        touched: set[str] = set()
        for table, rec in records:
            record = next(built[table])
            n = self._next(table if table != "partnership" else "tie")
            if table == "city":
                conn.execute(
                    "INSERT INTO city VALUES (?, ?, ?, ?)",
                    (n, record.id, int(same_record(fast_city(rec), record)), encode(rec)),
                )
                conn.executemany(
                    "INSERT INTO city_name VALUES (?, ?)",
                    ((n, name) for name in {fold(name) for name in record.names}),
                )
            elif table == "partnership":
                a, b = record.cities
                conn.execute(
                    f"INSERT INTO tie VALUES ({', '.join('?' * 17)})",
                    (
                        n,
                        record.id,
                        self._n_of("city", a.id),
                        self._n_of("city", b.id),
                        a.country,
                        b.country,
                        *_tie_columns(after, record),
                        *_date_columns(record.established),
                        int(same_record(fast_tie(rec, after.cities), record)),
                        encode(rec),
                        *_facts_columns(after, record),
                    ),
                )
            else:
                fast: Any = {
                    "agreement": fast_agreement,
                    "exchange": fast_exchange,
                    "status_change": fast_change,
                }[table]
                conn.execute(
                    f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        n,
                        self._n_of("tie", record.partnership),
                        *_date_columns(record.date),
                        int(same_record(fast(rec, after.by_id), record)),
                        encode(rec),
                    ),
                )
                touched.add(record.partnership)
        for tie_id in touched:
            tie = after.by_id[tie_id]
            kind, kind_now, status = _tie_columns(after, tie)
            sort, facts = _facts_columns(after, tie)
            conn.execute(
                "UPDATE tie SET kind = ?, kind_now = ?, status = ?, sort = ?, facts = ? "
                "WHERE id = ?",
                (kind, kind_now, status, sort, facts, tie_id),
            )


def _founded(text: str) -> tuple[int, int | None, int | None]:
    """(year, month, day) of a founding date's ISO text in a tie's facts (`2010`,
    `2010-11`, `2010-11-04`), checked: a day, a month and a year that exist."""
    size = len(text)
    if size == 10 and text[4] == "-" and text[7] == "-":
        found: tuple[int, int | None, int | None] = (
            int(text[:4]),
            int(text[5:7]),
            int(text[8:]),
        )
    elif size == 7 and text[4] == "-":
        found = int(text[:4]), int(text[5:]), None
    elif size == 4:
        found = int(text), None, None
    else:
        raise BadIndex("a tie's founding date")
    year, month, day = found
    dt.date(year, month or 1, day or 1)  # ValueError: no such day
    return found


def _steps(steps: list[Any]) -> tuple[tuple[dt.date, str], ...]:
    out = []
    for step in steps:
        if type(step) is not list or len(step) != 2 or not all(type(v) is str for v in step):
            raise BadIndex("a tie's upgrades")
        try:
            out.append((dt.date.fromisoformat(step[0]), step[1]))
        except ValueError as exc:
            raise BadIndex("a tie's upgrades") from exc
    return tuple(out)


def _literal(text: str) -> str:
    """A text as an SQL string literal (for a query planned as one statement)."""
    return "'" + text.replace("'", "''") + "'"


# ---------------------------------------------------------------------------
# Reading rows back


class _Decoder:
    """Model records from index rows, in the order a registry holds them: the plain
    form directly, any other through `records.build` with what it refers to."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.cities_by_id: dict[str, City] = {}
        self.ties_by_id: dict[str, Partnership] = {}
        self.raw: dict[tuple[str, str], Any] = {}  # (table, id) -> parsed record

    def _built(self, table: str, rec: Any, refers: Iterable[tuple[str, str]]) -> Any:
        """One record through `build`, with the records it refers to."""
        data: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "settings": self.settings}
        for other, key in refers:
            data.setdefault(other, []).append(self.raw[(other, key)])
        data.setdefault(table, []).append(rec)
        result = build(data)
        if result.errors:
            raise BadIndex(f"a {table} that does not build: {result.errors[0].message}")
        registry = result.registry
        built: dict[str, Sequence[Any]] = {
            "city": list(registry.cities.values()),
            "partnership": registry.partnerships,
            "agreement": registry.agreements,
            "exchange": registry.exchanges,
            "status_change": registry.status_changes,
        }
        try:
            return built[table][-1]
        except IndexError:
            raise BadIndex(f"a {table} that builds to nothing") from None

    def cities(self, flags: list[Any], records: list[Any]) -> list[City]:
        out = []
        by_id, raw = self.cities_by_id, self.raw
        for fast, rec in zip(flags, records, strict=True):
            city = fast_city(rec) if fast == 1 else None
            if city is None:
                city = self._built("city", rec, ())
            by_id[city.id] = city
            raw["city", city.id] = rec
            out.append(city)
        return out

    def ties(self, flags: list[Any], records: list[Any]) -> tuple[Partnership, ...]:
        out = []
        cities, by_id, raw = self.cities_by_id, self.ties_by_id, self.raw
        for fast, rec in zip(flags, records, strict=True):
            tie = fast_tie(rec, cities) if fast == 1 else None
            if tie is None:
                pair = rec.get("cities") if type(rec) is dict else None
                if type(pair) is not list or not all(
                    type(c) is str and ("city", c) in raw for c in pair
                ):
                    raise BadIndex("a tie of cities not read")
                tie = self._built("partnership", rec, [("city", c) for c in pair])
                tie = Partnership(
                    tie.id,
                    (cities[tie.cities[0].id], cities[tie.cities[1].id]),
                    *(getattr(tie, f) for f in _TIE_REST),
                )
            by_id[tie.id] = tie
            raw["partnership", tie.id] = rec
            out.append(tie)
        return tuple(out)

    def on_ties(self, table: str, flags: list[Any], records: list[Any]) -> tuple[Any, ...]:
        """Agreements, exchanges or status changes, each of a tie read before."""
        fast_decode = _ON_TIES[table]
        ties = self.ties_by_id
        out = []
        for fast, rec in zip(flags, records, strict=True):
            record = fast_decode(rec, ties) if fast == 1 else None
            if record is None:
                pid = rec.get("partnership") if type(rec) is dict else None
                if type(pid) is not str or pid not in ties:
                    raise BadIndex(f"a {table} of a tie not read")
                tie = self.raw[("partnership", pid)]
                refers = [("city", c) for c in tie["cities"]] + [("partnership", pid)]
                record = self._built(table, rec, refers)
            out.append(record)
        return tuple(out)


_ON_TIES: dict[str, Any] = {
    "agreement": fast_agreement,
    "exchange": fast_exchange,
    "status_change": fast_change,
}
_TIE_REST = (
    "kind",
    "established",
    "status",
    "status_date",
    "status_reason",
    "fields",
    "notes",
    "sources",
    "extra",
)
