"""The index's model records: each record's parsed TOML, written when the registry is
indexed and appended to, and read back as model records through a decoder that
checks every value's type (and, for a record that is not in the plain form sisterctl
writes, through `records.build` itself). `sisterctl.store.index` opens an index and
answers what needs no record (ids, counts, the facts `upcoming` and `list` show);
this module is imported by the commands that read or write records.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sisterctl import countries
from sisterctl.dates import PartialDate, coerce_partial_date
from sisterctl.model import (
    DEFAULT_KIND,
    RECORD_TABLES,
    SCHEMA_VERSION,
    Agreement,
    City,
    Exchange,
    Partnership,
    Record,
    Registry,
    Signatory,
    Status,
    StatusChange,
)
from sisterctl.records.build import ID_RE, RECORD_KEYS, WIKIDATA_ID_RE, build
from sisterctl.store.index import (
    _INDEXES,
    _TABLES,
    APPLICATION_ID,
    FACTS_SEPARATOR,
    FORMAT,
    STALE_TEMP_SECONDS,
    BadIndex,
    Index,
    _dump,
    _prune,
    _safe_folder,
    all_crlf,
    appendable_tables,
    decode,
    enabled,
    encode,
    fingerprint,
    folder,
    index_path,
)
from sisterctl.text import fold

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


def _tie_columns(registry: Registry, tie: Partnership) -> tuple[str, str, str, str, str]:
    """(kind as founded, kind as of now, status as of now), as queries compare them
    (folded), then (sort, facts): `fold(title)`, by which anniversaries of a day are
    ordered, and what a row of `upcoming` or `list` shows of the tie
    (`core.facts.TieFacts`) in one text: its id, its cities' names and countries, its
    kind as founded, its status as of now, `fold(title)` again, its founding date (ISO
    at its precision, or empty) and its upgrades (JSON [earliest day, kind] pairs, or
    empty), joined by FACTS_SEPARATOR; as JSON (a list of the same) when a value holds
    the separator. A text split is read several times faster than JSON or than as
    many columns. (Written for speed: an index is made of every tie.)"""
    from sisterctl.core.facts import folded_title, upgrades_of

    a, b = tie.cities
    steps = upgrades_of(registry, tie)
    kind_now = steps[-1][1] if steps else tie.kind  # kind_on(tie): after every upgrade
    if tie.status_date is None and not registry.status_changes_of(tie):
        status = tie.status.value  # what registry.state(tie) gives, without making it
    else:
        status = registry.state(tie).status.value
    sort = folded_title(tie)
    since = tie.established
    values = (
        tie.id,
        a.name,
        a.country,
        b.name,
        b.country,
        tie.kind,
        status,
        sort,
        since.iso() if since is not None else "",
        _dump([[day.isoformat(), kind] for day, kind in steps]) if steps else "",
    )
    facts = FACTS_SEPARATOR.join(values)
    if facts.count(FACTS_SEPARATOR) != len(values) - 1:
        facts = _dump(list(values))
    return fold(tie.kind), fold(kind_now), status, sort, facts


def write(
    registry_path: Path,
    *,
    source: str,
    size: int,
    text: str,
    data: Mapping[str, Any],
    registry: Registry,
    seen: str = "",
) -> None:
    """Index a registry that `records.build` accepted: `data` its parsed TOML,
    `registry` what it built; `seen`, the settled stat of the file taken before its
    bytes were read (`index.settled_state`), or "". Written to a temporary file and
    renamed into place; never raises (an unwritable cache folder costs speed,
    nothing else)."""
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
            lambda tmp: _fill(tmp, source, size, seen, text, data, registry),
            mode=0o600,
            durable=False,
            derived=True,
        )
        _prune(where)
    except Exception:
        return


def _fill(
    tmp: Path,
    source: str,
    size: int,
    seen: str,
    text: str,
    data: Mapping[str, Any],
    registry: Registry,
) -> None:
    settings = data.get("settings", {})
    meta = {
        "format": str(FORMAT),
        "fingerprint": fingerprint(),
        "source": source,
        "size": str(size),
        "seen": seen,
        "settings": encode(settings if isinstance(settings, dict) else {}),
        "crlf": "1" if all_crlf(text) else "0",
        "appendable": json.dumps(appendable_tables(text, data)),
        "ties": str(len(registry.partnerships)),
    }
    numbers = _Numbers(registry)
    conn = sqlite3.connect(tmp, isolation_level=None)
    helper: _Helper | None = None
    try:
        _begin(conn)
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version={FORMAT}")
        for sql in _TABLES:
            conn.execute(sql)
        conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        helper = _Helper.start(tmp, data, registry, numbers)
        _insert_ties(conn, data, registry, numbers)
        if helper is None or not helper.copy_into(conn, data):
            _insert_others(conn, data, registry, numbers)
        for sql in _INDEXES:
            conn.execute(sql)
        conn.execute("COMMIT")
    finally:
        conn.close()  # and with it the helper's database, attached by copy_into
        if helper is not None:
            helper.stop()


def _begin(conn: sqlite3.Connection) -> None:
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "trusted_schema=OFF"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("BEGIN")


def _records(data: Mapping[str, Any], table: str) -> list[Any]:
    value = data.get(table)
    return value if isinstance(value, list) else []


class _Numbers:
    """The `n` of each city and tie (its place in the file), by id."""

    def __init__(self, registry: Registry) -> None:
        self.city = {city.id: n for n, city in enumerate(registry.cities.values())}
        self.tie = {tie.id: n for n, tie in enumerate(registry.partnerships)}


# The tables whose rows `_insert_others` makes (all but the ties' and the meta data).
_OTHER_TABLES = ("city", "city_name", "agreement", "exchange", "status_change")
# From this many records of those tables, a second process makes their rows while this
# one makes the ties' (`_Helper`): on 62,000 records of 25,000 ties each half takes
# about 0.45 s, and a fork a few milliseconds; below this the fork is not worth it.
PARALLEL_FROM = 5_000


class _Helper:
    """A child process (`os.fork`) that writes the rows of `_OTHER_TABLES` into a
    database of its own beside the index, from the same parsed and built registry,
    while this process writes the ties; `copy_into` then copies its tables into the
    index in SQLite. Where there is no fork, or threads run (a fork copies only the
    thread that calls it), or the registry is small, there is no helper and this
    process writes every table itself; so it does when the helper fails."""

    def __init__(self, pid: int, path: Path) -> None:
        self.pid, self.path = pid, path
        self.status: int | None = None  # the child's exit code, once it ended

    @classmethod
    def start(
        cls, tmp: Path, data: Mapping[str, Any], registry: Registry, numbers: _Numbers
    ) -> _Helper | None:
        import os
        import sys

        records = sum(len(_records(data, table)) for table in RECORD_TABLES) - len(
            _records(data, "partnership")
        )
        if records < PARALLEL_FROM or not hasattr(os, "fork"):
            return None
        threading = sys.modules.get("threading")
        if threading is not None and threading.active_count() > 1:
            return None
        # Named as the index's temporary file is (`.name~...-part.tmp`), so that one
        # left by a killed process is pruned as that is.
        path = tmp.with_name(f"{tmp.stem}-part{tmp.suffix}")
        try:
            pid = os.fork()
        except OSError:
            return None
        if pid == 0:  # the child never returns: os._exit flushes and cleans up nothing of
            # the parent's (its buffered output included)
            code = 1
            try:
                part = sqlite3.connect(path, isolation_level=None)
                _begin(part)
                for sql in _TABLES:
                    if _table_of(sql) in _OTHER_TABLES:
                        part.execute(sql)
                _insert_others(part, data, registry, numbers)
                part.execute("COMMIT")
                part.close()
                code = 0
            finally:
                os._exit(code)
        return cls(pid, path)

    def _wait(self) -> bool:
        """True when the child ended well."""
        import os

        if self.status is None:
            _, status = os.waitpid(self.pid, 0)
            self.status = os.waitstatus_to_exitcode(status)
        return self.status == 0

    def copy_into(self, conn: sqlite3.Connection, data: Mapping[str, Any]) -> bool:
        """Copy the child's tables into the index `conn` writes (in its transaction,
        which keeps the child's database attached until `conn` is closed); False, and
        nothing copied, when the child failed or wrote another number of rows than
        the registry has records."""
        if not self._wait():
            return False
        conn.execute("ATTACH DATABASE ? AS part", (str(self.path),))
        for table in ("city", "agreement", "exchange", "status_change"):
            (count,) = conn.execute(f"SELECT count(*) FROM part.{table}").fetchone()
            if count != len(_records(data, table)):
                return False
        for table in _OTHER_TABLES:
            conn.execute(f"INSERT INTO main.{table} SELECT * FROM part.{table}")
        return True

    def stop(self) -> None:
        """End the child if it still runs (this process was interrupted), and remove
        its database."""
        import os
        import signal

        if self.status is None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                self._wait()
        self.path.unlink(missing_ok=True)


def _table_of(sql: str) -> str:
    return sql.split()[2]  # CREATE TABLE name (...)


def _insert_ties(
    conn: sqlite3.Connection, data: Mapping[str, Any], registry: Registry, numbers: _Numbers
) -> None:
    city_n = numbers.city
    cities = registry.cities
    rows = []
    for n, (rec, tie) in enumerate(
        zip(_records(data, "partnership"), registry.partnerships, strict=True)
    ):
        a, b = tie.cities
        columns = _tie_columns(registry, tie)
        rows.append(
            (
                n,
                tie.id,
                city_n[a.id],
                city_n[b.id],
                a.country,
                b.country,
                *columns[:3],
                *_date_columns(tie.established),
                int(same_record(fast_tie(rec, cities), tie)),
                encode(rec),
                *columns[3:],
            )
        )
    conn.executemany(f"INSERT INTO tie VALUES ({', '.join('?' * 17)})", rows)


def _insert_others(
    conn: sqlite3.Connection, data: Mapping[str, Any], registry: Registry, numbers: _Numbers
) -> None:
    """The rows of `_OTHER_TABLES`."""
    rows: list[tuple[Any, ...]] = []
    names: list[tuple[int, str]] = []
    for n, (rec, city) in enumerate(
        zip(_records(data, "city"), registry.cities.values(), strict=True)
    ):
        rows.append((n, city.id, int(same_record(fast_city(rec), city)), encode(rec)))
        # (Each folded name once, in the order of the names: the same rows in every run.)
        names.extend((n, name) for name in dict.fromkeys(fold(name) for name in city.names))
    conn.executemany("INSERT INTO city VALUES (?, ?, ?, ?)", rows)
    conn.executemany("INSERT INTO city_name VALUES (?, ?)", names)
    tie_n = numbers.tie
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


def registry(
    index: Index,
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
    conn = index.conn
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
    decoder = _Decoder(index.settings)
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
    if where is None and cities is None and len(ties) != index.ties:
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
        leap_day=index.leap_day,
        default_status=index.default_status,
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
            if picked is None or (kind, kind_now, status) != _tie_columns(registry, picked)[:3]:
                raise BadIndex("a tie's kind or status columns")
    return registry


def append(
    index: Index,
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
    conn = index.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        if index._one_column("SELECT value FROM meta WHERE key = 'source'") != [old_source]:
            raise BadIndex("changed since it was read")
        _insert_appended(index, records, after)
        appendable = sorted(index.appendable | {table for table, _ in records})
        ties = index.ties + sum(1 for table, _ in records if table == "partnership")
        for key, value in (
            ("source", new_source),
            ("size", str(new_size)),
            ("seen", ""),  # the file was just written: its stat is not settled
            ("appendable", json.dumps(appendable)),
            ("ties", str(ties)),
        ):
            conn.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(Exception):
            conn.execute("ROLLBACK")
        raise


def _next(index: Index, table: str) -> int:
    value = index.conn.execute(f"SELECT coalesce(max(n), -1) + 1 FROM {table}").fetchone()[0]
    return int(value)


def _n_of(index: Index, table: str, record_id: str) -> int:
    found = index._one_column(f"SELECT n FROM {table} WHERE id = ?", (record_id,))
    if len(found) != 1:
        raise BadIndex(f"no single {table} {record_id}")
    return int(found[0])


def _insert_appended(index: Index, records: Sequence[Record], after: Registry) -> None:
    conn = index.conn
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
    built = {table: iter(values[len(values) - counts[table] :]) for table, values in tables.items()}
    touched: set[str] = set()
    for table, rec in records:
        record = next(built[table])
        n = _next(index, table if table != "partnership" else "tie")
        if table == "city":
            conn.execute(
                "INSERT INTO city VALUES (?, ?, ?, ?)",
                (n, record.id, int(same_record(fast_city(rec), record)), encode(rec)),
            )
            conn.executemany(
                "INSERT INTO city_name VALUES (?, ?)",
                ((n, name) for name in dict.fromkeys(fold(name) for name in record.names)),
            )
        elif table == "partnership":
            a, b = record.cities
            columns = _tie_columns(after, record)
            conn.execute(
                f"INSERT INTO tie VALUES ({', '.join('?' * 17)})",
                (
                    n,
                    record.id,
                    _n_of(index, "city", a.id),
                    _n_of(index, "city", b.id),
                    a.country,
                    b.country,
                    *columns[:3],
                    *_date_columns(record.established),
                    int(same_record(fast_tie(rec, after.cities), record)),
                    encode(rec),
                    *columns[3:],
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
                    _n_of(index, "tie", record.partnership),
                    *_date_columns(record.date),
                    int(same_record(fast(rec, after.by_id), record)),
                    encode(rec),
                ),
            )
            touched.add(record.partnership)
    for tie_id in touched:
        tie = after.by_id[tie_id]
        kind, kind_now, status, sort, facts = _tie_columns(after, tie)
        conn.execute(
            "UPDATE tie SET kind = ?, kind_now = ?, status = ?, sort = ?, facts = ? WHERE id = ?",
            (kind, kind_now, status, sort, facts, tie_id),
        )


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
