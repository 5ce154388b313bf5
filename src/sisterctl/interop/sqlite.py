"""The registry as an SQLite database, for Datasette, `sqlite3`, pandas and R.

A relational copy of the registry, made afresh by each export (the registry file stays
the one source of truth; this is not the store's private index): one table per kind of
record, with primary and foreign keys, so that a journalist can join, count and facet
without parsing anything. The README ("For analysts") describes it; in short:

- `cities`, `partnerships`, `agreements`, `signatories`, `fields`, `exchanges`,
  `status_changes`, and `anniversaries` (those of the year from the export day);
- every date as ISO 8601 text at its precision (`2010-11-04`, `2002-10`, `1997`), with
  `_precision` (`day`, `month`, `year`) and `_year`, `_month`, `_day` columns beside it
  (all NULL for an unknown date), so that `GROUP BY established_year` needs no parsing;
- lists (aliases, sources) and unknown keys (`extra`) as JSON text, for SQLite's
  `json_each`;
- full-text search (FTS5) over names, titles, details and notes: one `<table>_fts`
  table per table, which Datasette finds and offers as a search box;
- the views `ties` (each tie with both cities' names and countries), `city_ties` (each
  tie once from each of its cities) and `upcoming_anniversaries`;
- `meta`: the export day, the sisterctl version and the format.

Written with the standard library's `sqlite3` rather than sqlite-utils: the schema is
fixed and small, and its keys, checks and views are clearer stated as SQL than
derived from Python values; and sisterctl gains no dependency.

`populate` fills a connection and opens no file; `write` makes the file at a path
(sisterctl's store gives it a temporary one, then renames it into place).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sisterctl import __version__
from sisterctl.core.anniversaries import Span, Unit, upcoming_anniversaries
from sisterctl.dates import PartialDate
from sisterctl.model import CHANGE_STATUSES, Agreement, Registry, Status

FORMAT = 1  # the layout of the database; bumped when a table or column changes meaning
HEADER = b"SQLite format 3\x00"  # how every SQLite database file begins


def _date(name: str) -> str:
    """The columns of one date: ISO text, its precision, and its parts."""
    return (
        f"{name} TEXT, "
        f"{name}_precision TEXT CHECK ({name}_precision IN ('day', 'month', 'year')), "
        f"{name}_year INTEGER, {name}_month INTEGER, {name}_day INTEGER"
    )


_RECORD_END = "notes TEXT, sources TEXT, extra TEXT"
_STATUSES = ", ".join(f"'{s.value}'" for s in Status)
_CHANGE_STATUSES = ", ".join(f"'{s.value}'" for s in CHANGE_STATUSES)

SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE cities (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    country_name TEXT NOT NULL,
    type TEXT NOT NULL,
    local_name TEXT,
    aliases TEXT,
    lat REAL,
    lon REAL,
    wikidata TEXT,
    {_RECORD_END}
);
CREATE TABLE partnerships (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    city_a_id TEXT NOT NULL REFERENCES cities(id),
    city_b_id TEXT NOT NULL REFERENCES cities(id),
    kind TEXT NOT NULL,
    kind_as_founded TEXT NOT NULL,
    {_date("established")},
    status TEXT NOT NULL CHECK (status IN ({_STATUSES})),
    {_date("status_date")},
    status_reason TEXT,
    {_RECORD_END}
);
CREATE INDEX partnerships_city_a_id ON partnerships(city_a_id);
CREATE INDEX partnerships_city_b_id ON partnerships(city_b_id);
CREATE TABLE agreements (
    id INTEGER PRIMARY KEY,
    partnership_id TEXT NOT NULL REFERENCES partnerships(id),
    {_date("date")},
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    to_kind TEXT,
    mode TEXT,
    venue TEXT,
    status TEXT NOT NULL CHECK (status IN ('signed', 'planned')),
    before_founding INTEGER NOT NULL CHECK (before_founding IN (0, 1)),
    {_RECORD_END}
);
CREATE INDEX agreements_partnership_id ON agreements(partnership_id);
CREATE TABLE signatories (
    id INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    role TEXT
);
CREATE INDEX signatories_agreement_id ON signatories(agreement_id);
CREATE TABLE fields (
    id INTEGER PRIMARY KEY,
    partnership_id TEXT NOT NULL REFERENCES partnerships(id),
    agreement_id INTEGER REFERENCES agreements(id),
    field TEXT NOT NULL
);
CREATE INDEX fields_partnership_id ON fields(partnership_id);
CREATE INDEX fields_agreement_id ON fields(agreement_id);
CREATE TABLE exchanges (
    id INTEGER PRIMARY KEY,
    partnership_id TEXT NOT NULL REFERENCES partnerships(id),
    {_date("date")},
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    details TEXT,
    before_founding INTEGER NOT NULL CHECK (before_founding IN (0, 1)),
    sources TEXT,
    extra TEXT
);
CREATE INDEX exchanges_partnership_id ON exchanges(partnership_id);
CREATE TABLE status_changes (
    id INTEGER PRIMARY KEY,
    partnership_id TEXT NOT NULL REFERENCES partnerships(id),
    {_date("date")},
    status TEXT NOT NULL CHECK (status IN ({_CHANGE_STATUSES})),
    reason TEXT,
    sources TEXT,
    extra TEXT
);
CREATE INDEX status_changes_partnership_id ON status_changes(partnership_id);
CREATE TABLE anniversaries (
    id INTEGER PRIMARY KEY,
    partnership_id TEXT NOT NULL REFERENCES partnerships(id),
    agreement_id INTEGER REFERENCES agreements(id),
    {_date("date")},
    days INTEGER,
    ordinal INTEGER NOT NULL,
    milestone INTEGER NOT NULL CHECK (milestone IN (0, 1)),
    what TEXT NOT NULL,
    kind TEXT NOT NULL,
    since TEXT NOT NULL
);
CREATE INDEX anniversaries_partnership_id ON anniversaries(partnership_id);
CREATE VIEW ties AS
SELECT
    p.id, p.title,
    a.name AS city_a, a.country AS country_a, a.country_name AS country_a_name,
    b.name AS city_b, b.country AS country_b, b.country_name AS country_b_name,
    p.kind, p.established, p.established_precision, p.established_year,
    p.status, p.status_date, p.status_reason, p.notes, p.sources
FROM partnerships AS p
JOIN cities AS a ON a.id = p.city_a_id
JOIN cities AS b ON b.id = p.city_b_id;
CREATE VIEW city_ties AS
SELECT
    c.id AS city_id, c.name AS city, c.country, c.country_name,
    o.id AS partner_id, o.name AS partner, o.country AS partner_country,
    o.country_name AS partner_country_name,
    p.id AS partnership_id, p.kind, p.established, p.established_year, p.status
FROM partnerships AS p
JOIN cities AS c ON c.id IN (p.city_a_id, p.city_b_id)
JOIN cities AS o ON o.id = CASE WHEN c.id = p.city_a_id THEN p.city_b_id ELSE p.city_a_id END;
CREATE VIEW upcoming_anniversaries AS
SELECT
    n.date, n.date_precision, n.days, n.ordinal, n.milestone, n.what,
    g.title AS agreement, n.since,
    t.id, t.city_a, t.country_a, t.city_b, t.country_b, n.kind, t.status
FROM anniversaries AS n
JOIN ties AS t ON t.id = n.partnership_id
LEFT JOIN agreements AS g ON g.id = n.agreement_id
ORDER BY n.id;
"""

# Full-text search: per table, the columns searched. External-content FTS5 tables,
# named and declared as Datasette looks for them (`content="table"`).
FTS_COLUMNS = {
    "cities": ("name", "local_name", "aliases", "notes"),
    "partnerships": ("title", "notes", "status_reason"),
    "agreements": ("title", "venue", "notes"),
    "exchanges": ("title", "details"),
    "status_changes": ("reason",),
}
# Accents do not count (`sao paulo` finds São Paulo), as everywhere in sisterctl.
TOKENIZER = "unicode61 remove_diacritics 2"

TABLES = (
    "cities",
    "partnerships",
    "agreements",
    "signatories",
    "fields",
    "exchanges",
    "status_changes",
    "anniversaries",
)
VIEWS = ("ties", "city_ties", "upcoming_anniversaries")


@dataclass(frozen=True)
class Written:
    """What an export wrote: rows per table, and whether full-text search is in it
    (SQLite without FTS5, which is rare, gets none)."""

    rows: dict[str, int]
    full_text: bool
    anniversaries_through: dt.date


def write(path: Path, registry: Registry, as_of: dt.date) -> Written:
    """Make the database at `path` (an empty or new file)."""
    connection = sqlite3.connect(path)
    try:
        written = populate(connection, registry, as_of)
    finally:
        connection.close()
    return written


def populate(connection: sqlite3.Connection, registry: Registry, as_of: dt.date) -> Written:
    """Create the tables, views and search indexes in an empty database and fill them
    from `registry`; the anniversaries are those of the year from `as_of`."""
    # The file is made whole before it is renamed into place: no journal is needed.
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA foreign_keys = ON")
    rows: dict[str, int] = {}
    with connection:
        connection.executescript(SCHEMA)
        agreement_ids = {id(a): n for n, a in enumerate(registry.agreements, 1)}
        report = upcoming_anniversaries(
            registry, as_of, Span(1, Unit.YEAR), include_agreements=True
        )
        fills: dict[str, Iterable[tuple[Any, ...]]] = {
            "cities": _cities(registry),
            "partnerships": _partnerships(registry, as_of),
            "agreements": _agreements(registry),
            "signatories": _signatories(registry),
            "fields": _fields(registry),
            "exchanges": _exchanges(registry),
            "status_changes": _status_changes(registry),
            "anniversaries": _anniversaries(report.rows, agreement_ids),
        }
        for table, values in fills.items():
            rows[table] = _insert(connection, table, values)
        full_text = _full_text(connection)
        meta = {
            "format": str(FORMAT),
            "as_of": as_of.isoformat(),
            "anniversaries_through": report.window.last.isoformat(),
            "sisterctl_version": __version__,
            "schema_version": str(registry.schema_version),
            "leap_day": registry.leap_day.value,
        }
        connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    return Written(rows, full_text, report.window.last)


def _insert(connection: sqlite3.Connection, table: str, values: Iterable[tuple[Any, ...]]) -> int:
    rows = list(values)
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        connection.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    return len(rows)


def _full_text(connection: sqlite3.Connection) -> bool:
    try:
        for table, columns in FTS_COLUMNS.items():
            key = "" if table in ("cities", "partnerships") else ', content_rowid="id"'
            connection.execute(
                f"CREATE VIRTUAL TABLE {table}_fts USING fts5({', '.join(columns)}, "
                f'content="{table}"{key}, tokenize="{TOKENIZER}")'
            )
            connection.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
    except sqlite3.OperationalError as exc:
        if "fts5" not in str(exc):
            raise
        return False
    return True


def _date_values(date: PartialDate | None) -> tuple[Any, ...]:
    if date is None:
        return (None, None, None, None, None)
    return (date.iso(), date.precision.value, date.year, date.month, date.day)


def _json(value: Any) -> str | None:
    """A list or table as JSON text; None when it is empty."""
    if not value:
        return None
    return json.dumps(_plain(value), ensure_ascii=False)


def _plain(value: Any) -> Any:
    """TOML values as JSON holds them: dates and times as ISO text, inf and nan as text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _cities(registry: Registry) -> Iterator[tuple[Any, ...]]:
    for c in registry.cities.values():
        yield (
            c.id,
            c.name,
            c.country,
            c.country_name,
            c.type,
            c.local_name,
            _json(c.aliases),
            c.lat,
            c.lon,
            c.wikidata,
            c.notes,
            _json(c.sources),
            _json(c.extra),
        )


def _partnerships(registry: Registry, as_of: dt.date) -> Iterator[tuple[Any, ...]]:
    for tie in registry.partnerships:
        a, b = tie.cities
        state = registry.state(tie)
        yield (
            tie.id,
            tie.title,
            a.id,
            b.id,
            registry.kind_on(tie, as_of),
            tie.kind,
            *_date_values(tie.established),
            state.status.value,
            *_date_values(state.since),
            state.reason,
            tie.notes,
            _json(tie.sources),
            _json(tie.extra),
        )


def _agreements(registry: Registry) -> Iterator[tuple[Any, ...]]:
    for number, a in enumerate(registry.agreements, 1):
        yield (
            number,
            a.partnership,
            *_date_values(a.date),
            a.title,
            a.kind,
            a.to_kind,
            a.mode,
            a.venue,
            a.status,
            int(a.before_founding),
            a.notes,
            _json(a.sources),
            _json(a.extra),
        )


def _signatories(registry: Registry) -> Iterator[tuple[Any, ...]]:
    number = 0
    for agreement_id, a in enumerate(registry.agreements, 1):
        for position, signatory in enumerate(a.signatories, 1):
            number += 1
            yield (number, agreement_id, position, signatory.name, signatory.role)


def _fields(registry: Registry) -> Iterator[tuple[Any, ...]]:
    """The fields of each tie (no agreement), then those of each agreement."""
    number = 0
    for tie in registry.partnerships:
        for name in tie.fields:
            number += 1
            yield (number, tie.id, None, name)
    for agreement_id, a in enumerate(registry.agreements, 1):
        for name in a.fields:
            number += 1
            yield (number, a.partnership, agreement_id, name)


def _exchanges(registry: Registry) -> Iterator[tuple[Any, ...]]:
    for number, e in enumerate(registry.exchanges, 1):
        yield (
            number,
            e.partnership,
            *_date_values(e.date),
            e.kind,
            e.title,
            e.details,
            int(e.before_founding),
            _json(e.sources),
            _json(e.extra),
        )


def _status_changes(registry: Registry) -> Iterator[tuple[Any, ...]]:
    for number, c in enumerate(registry.status_changes, 1):
        yield (
            number,
            c.partnership,
            *_date_values(c.date),
            c.status.value,
            c.reason,
            _json(c.sources),
            _json(c.extra),
        )


def _anniversaries(rows: Iterable[Any], agreement_ids: dict[int, int]) -> Iterator[tuple[Any, ...]]:
    for number, row in enumerate(rows, 1):
        agreement: Agreement | None = row.agreement
        yield (
            number,
            row.tie.id,
            agreement_ids[id(agreement)] if agreement is not None else None,
            *_date_values(row.on),
            row.days,
            row.ordinal,
            int(row.milestone),
            row.what,
            row.kind,
            row.since.iso(),
        )
