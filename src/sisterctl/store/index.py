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
them; and each tie's facts, what `upcoming` and `list` show of it (`tie_facts`). This
module opens an index and answers what needs no model record;
`sisterctl.store.index_records` writes it and reads its records back as model records
(through a decoder that checks every value's type, or `records.build` itself), and
is imported only by the commands that read or write records.

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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The C module behind hashlib's blake2b, without the 3 ms hashlib takes to load OpenSSL.
try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover  (Python builds without the module)
    from hashlib import blake2b

from sisterctl import __version__
from sisterctl.terms import RECORD_TABLES, SCHEMA_VERSION, LeapDay, Status
from sisterctl.text import fold

if TYPE_CHECKING:
    from sisterctl.core.facts import CityNames, TieFacts

DISABLE_VARS = ("SISTERCTL_NO_INDEX", "SISTERCTL_NO_CACHE")
FORMAT = 4  # bump when the schema or the meaning of a column changes
APPLICATION_ID = 0x53495354  # "SIST": PRAGMA application_id of every index
MAX_ENTRIES = 64  # index files kept; the least recently written go first
STALE_TEMP_SECONDS = 3600  # a temporary file this old was left by a killed process
CHUNK = 1 << 20  # bytes read at a time when hashing a registry
SETTLE_NS = 2_000_000_000  # a file last changed this long ago has a stat to trust
_STATUSES = {s.value: s for s in Status}


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


# ---------------------------------------------------------------------------
# The stat of a registry file whose bytes were hashed: to know them again unhashed


def file_state(st: os.stat_result) -> str:
    """The device, inode, size, modification and change times of a file, as text; ""
    where the change time is not one (Windows: the creation time)."""
    if os.name != "posix":
        return ""
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def settled_state(st: os.stat_result, now_ns: int) -> str:
    """`file_state(st)` when `st` was taken at `now_ns` (the clock's, before the bytes
    were read) and the file had not changed for SETTLE_NS; else "". Any change after
    that stat comes SETTLE_NS or more after the last, so it gives the file another
    change time, even where times have a coarse grain (docs/store.md)."""
    if now_ns - max(st.st_mtime_ns, st.st_ctime_ns) < SETTLE_NS:
        return ""
    return file_state(st)


def lookup(registry_path: Path) -> Index | None:
    """The index of the registry file's present bytes, or None (no index, a stale or
    untrusted one). The file is hashed only when its stat is not the settled one the
    index has seen (meta `seen`); once hashed, a settled stat is noted there, so that
    the next read need not hash it. OSError when the file cannot be looked at."""
    now = _now_ns()
    st = registry_path.stat()
    found = open_index(registry_path, source=None, size=st.st_size)
    if found is None:
        return None
    state = file_state(st)
    if state and found.meta["seen"] == state:
        return found
    try:
        source, size = digest_of(registry_path)
    except BaseException:
        found.close()
        raise
    if source != found.meta["source"] or size != st.st_size:
        found.close()
        return None
    settled = settled_state(st, now)
    if settled:
        found.note_seen(settled)
    return found


def _now_ns() -> int:
    import time

    return time.time_ns()


# The modules whose code decides what a registry file means, and how it is indexed: a
# change to any of them (a new field, a new default, a new check) makes every index stale.
_SOURCES = (
    "model.py",
    "dates.py",
    "countries.py",
    "text.py",
    "records/build.py",
    "records/fields.py",
    "terms.py",
    "core/facts.py",
    "store/index.py",
    "store/index_records.py",
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
    "CREATE INDEX tie_sort ON tie (sort, id, precision, status, facts)",
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
    {"fingerprint", "source", "size", "seen", "settings", "crlf", "appendable", "ties", "format"}
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


FACTS_SEPARATOR = "\x1f"  # between the values of a `facts` column (a unit separator)


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
        index = Index(conn, path)
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

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None) -> None:
        self.conn = conn
        self.path = path
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

    def note_seen(self, state: str) -> None:
        """Note the settled stat of the registry file whose bytes hash to this index's
        source (`lookup`), in a transaction of its own on another connection, unless
        the index was made again meanwhile. A hint: not written when the index is busy
        or cannot be written; not synced to disk (lost, the next read hashes again)."""
        if self.path is None:
            return
        conn = None
        with contextlib.suppress(sqlite3.Error, OSError):
            conn = sqlite3.connect(
                f"{self.path.as_uri()}?mode=rw", uri=True, isolation_level=None, timeout=0
            )
            conn.execute("PRAGMA trusted_schema=OFF")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute(
                "UPDATE meta SET value = ? WHERE key = 'seen' AND "
                "(SELECT value FROM meta WHERE key = 'source') = ?",
                (state, self.meta["source"]),
            )
        if conn is not None:
            conn.close()

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

    def kinds(self) -> list[str]:
        """Every kind a tie of the registry has, as founded or as of now (folded)."""
        kinds = self._one_column("SELECT kind FROM tie UNION SELECT kind_now FROM tie")
        if not all(type(kind) is str for kind in kinds):
            raise BadIndex("a kind")
        return kinds

    def city_names(self, cities: str) -> dict[str, CityNames] | None:
        """The cities the SQL `cities` selects (their rows, n), by id in file order, as
        finding a city by name sees them (`core.query.cities_meant`): from their
        records, not from `city_name`. None when one is not in the plain form: only
        its model record says its names."""
        from sisterctl.core.facts import CityNames

        rows = self.conn.execute(
            f"SELECT fast, data FROM city WHERE n IN ({cities}) ORDER BY n"
        ).fetchall()
        out: dict[str, CityNames] = {}
        for fast, data in rows:
            if fast != 1:
                return None
            rec = json.loads(data)
            if type(rec) is not dict:
                raise BadIndex("a city row")
            cid, name, country = rec.get("id"), rec.get("name"), rec.get("country")
            local, aliases = rec.get("local_name"), rec.get("aliases")
            if aliases is None or type(aliases) is str:
                aliases = () if aliases is None else (aliases,)
            elif type(aliases) is not list:
                raise BadIndex("a city row")
            names = (name, *aliases, local) if local else (name, *aliases)
            if type(cid) is not str or type(country) is not str or cid in out:
                raise BadIndex("a city row")
            if not all(type(n) is str for n in names):
                raise BadIndex("a city's names")
            out[cid] = CityNames(cid, names, country)
        return out

    def tie_facts(
        self,
        where: str,
        params: Sequence[Any] = (),
        *,
        file_order: bool = False,
        of_cities: set[str] | None = None,
    ) -> list[TieFacts]:
        """The facts of the ties `where` selects, in the order of `TieFacts.order` (in
        which `listed_anniversaries` then finds them), or in file order; each value
        checked. With `of_cities` (city ids), only the ties of one of those cities, as
        each tie's record names its two (`data`). Only their `facts` (and then their
        records' cities) are read: a column that chose a row it should not have is
        overruled by what the facts say (the date, the status, the countries), as the
        records overrule the columns in `registry`."""
        from sisterctl.core.facts import TieFacts

        order = "n" if file_order else "sort, id"
        if of_cities is None:
            texts = self._one_column(
                f"SELECT facts FROM tie WHERE {where} ORDER BY {order}", params
            )
        else:
            texts = []
            found = self.conn.execute(
                f"SELECT facts, data FROM tie WHERE {where} ORDER BY {order}", params
            )
            for facts, data in found:
                pair = _cities_of(data)
                if pair[0] in of_cities or pair[1] in of_cities:
                    texts.append(facts)
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


def _cities_of(data: Any) -> tuple[str, str]:
    """The ids of the two cities a tie's record (its `data`) names."""
    try:
        rec = json.loads(data)
    except (TypeError, ValueError) as exc:
        raise BadIndex("a tie row") from exc
    pair = rec.get("cities") if type(rec) is dict else None
    if type(pair) is not list or len(pair) != 2 or not all(type(c) is str for c in pair):
        raise BadIndex("a tie's cities")
    return pair[0], pair[1]


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
