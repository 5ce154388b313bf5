"""What a map of ties shows: which ties, which city is at its centre, and which ties
cannot be drawn for want of coordinates. Pure; `sisterctl.output.map_svg` draws it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sisterctl.core.query import Filters, cities_named, find_tie, select
from sisterctl.errors import RefusedError
from sisterctl.model import City, Partnership, Registry


@dataclass(frozen=True)
class MapTie:
    """A tie as the map draws it: its two ends (the centre city first), its kind and
    status on the map's day."""

    tie: Partnership
    a: City
    b: City
    kind: str
    status: str

    @property
    def drawn(self) -> bool:
        return self.a.located and self.b.located


@dataclass(frozen=True)
class MapView:
    title: str
    subtitle: str
    as_of: dt.date
    ties: tuple[MapTie, ...]
    centre: City | None = None  # the city whose ties these are
    sources: tuple[str, ...] = ()  # where the cities' coordinates come from
    # cities drawn from coordinates of another source than GeoNames (their records say)
    placed_otherwise: tuple[City, ...] = ()

    @property
    def drawn(self) -> tuple[MapTie, ...]:
        return tuple(t for t in self.ties if t.drawn)

    @property
    def left_out(self) -> tuple[MapTie, ...]:
        return tuple(t for t in self.ties if not t.drawn)

    def cities(self) -> list[City]:
        """The cities on the map, each once, those with most ties first."""
        counts: Counter[str] = Counter()
        found: dict[str, City] = {}
        for tie in self.drawn:
            for city in (tie.a, tie.b):
                counts[city.id] += 1
                found[city.id] = city
        return [found[cid] for cid, _ in counts.most_common()]


def map_view(registry: Registry, words: Sequence[str], filters: Filters, as_of: dt.date) -> MapView:
    """The ties to draw: of one city (CITY), one tie (TIE), or all that pass the
    filters; the filters narrow a city's ties too."""
    centre: City | None = None
    if not words:
        ties = select(registry, filters)
        what = "Sister-city ties"
    else:
        centre, tie = _city_or_tie(registry, words)
        if tie is not None:
            ties = [tie]
            what = tie.title
        else:
            assert centre is not None
            ties = [
                t
                for t in select(registry, filters)
                if centre.id in (t.cities[0].id, t.cities[1].id)
            ]
            what = f"{centre.name}'s ties"
            if not ties:
                raise RefusedError(f"no tie of {centre.name} ({centre.id}) to draw")
    if not ties:
        raise RefusedError("no tie matches: nothing to draw")
    drawn = tuple(_map_tie(registry, tie, centre) for tie in ties)
    subtitle = f"{_count(len(drawn))}: " + ", ".join(
        f"{n} {status}" for status, n in _by_status(drawn)
    )
    cities = {c.id: c for t in drawn if t.drawn for c in (t.a, t.b)}
    sources = sorted({"GeoNames" for c in cities.values() if c.geonames})
    otherwise = tuple(sorted((c for c in cities.values() if not c.geonames), key=lambda c: c.name))
    return MapView(what, subtitle, as_of, drawn, centre, tuple(sources), otherwise)


def _count(n: int) -> str:
    return "1 tie" if n == 1 else f"{n:,} ties"


def _by_status(ties: Sequence[MapTie]) -> list[tuple[str, int]]:
    order = ["active", "suspended", "ended"]
    counts = Counter(t.status for t in ties)
    return sorted(counts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 9)


def _map_tie(registry: Registry, tie: Partnership, centre: City | None) -> MapTie:
    a, b = tie.cities
    if centre is not None and b.id == centre.id:
        a, b = b, a
    return MapTie(tie, a, b, registry.kind_on(tie), registry.state(tie).status.value)


def _city_or_tie(
    registry: Registry, words: Sequence[str]
) -> tuple[City | None, Partnership | None]:
    """A tie's id, a city (id, name, alias or local name), or two cities naming a tie."""
    if len(words) == 1:
        word = words[0].strip()
        if word in registry.by_id:
            return None, registry.by_id[word]
        if word in registry.cities:
            return registry.cities[word], None
        cities = cities_named(registry, word)
        if len(cities) == 1:
            return cities[0], None
        if len(cities) > 1:
            ids = ", ".join(f"{c.id} ({c.label()})" for c in cities)
            raise RefusedError(f"{word!r} could be {ids}: give the city's id")
    return None, find_tie(registry, words)
