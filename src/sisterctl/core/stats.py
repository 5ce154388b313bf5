"""The registry at a glance: counts of ties by decade, country, city, kind, status and
the precision of their founding dates.

Pure: takes the ties already selected (by `query.select`, so that `stats` filters as
`list` does) and returns counts; the reference day is a parameter.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sisterctl.countries import country_name
from sisterctl.dates import PartialDate, Precision
from sisterctl.model import Partnership, Registry, Status
from sisterctl.text import fold

# Runs of more empty decades than this are drawn as one row ("1850s–1940s").
_EMPTY_RUN = 2


@dataclass(frozen=True, slots=True)
class Count:
    """One bar of a chart: what is counted and how many."""

    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Ranking:
    """The largest counts, most first, and how many more were left out."""

    top: tuple[Count, ...]
    others: int  # how many labels are not in `top`


@dataclass(frozen=True)
class RegistryStats:
    """Counts over a set of ties, as of a day: what `sisterctl stats` shows."""

    as_of: dt.date
    ties: int
    cities: int  # distinct cities in the ties counted
    countries: int  # distinct countries in the ties counted
    per_decade: tuple[Count, ...]  # founding decades in order, "unknown" last
    countries_top: Ranking
    cities_top: Ranking
    kinds: Ranking
    statuses: tuple[Count, ...]  # active, suspended, ended
    precisions: tuple[Count, ...]  # day, month, year, unknown


def registry_stats(
    registry: Registry, ties: Sequence[Partnership], as_of: dt.date, *, top: int = 10
) -> RegistryStats:
    """Counts over `ties`. A tie counts once for each country it touches (once when both
    cities are in the same country), and its kind is its kind on `as_of`."""
    countries: Counter[str] = Counter()
    cities: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for tie in ties:
        for code in {c.country for c in tie.cities}:
            countries[code] += 1
        for city in {c.id: c for c in tie.cities}.values():
            cities[city.id] += 1
            labels[city.id] = city.label()
    statuses = Counter(registry.state(t).status for t in ties)
    precisions = Counter(
        t.established.precision if t.established else Precision.UNKNOWN for t in ties
    )
    return RegistryStats(
        as_of=as_of,
        ties=len(ties),
        cities=len(cities),
        countries=len(countries),
        per_decade=per_decade(t.established for t in ties),
        countries_top=_rank(countries, top, {c: country_name(c) for c in countries}),
        cities_top=_rank(cities, top, labels),
        kinds=_rank(Counter(registry.kind_on(t, as_of) for t in ties), top),
        # "unknown" only where some tie's is: most registries have none.
        statuses=tuple(
            Count(s.value, statuses[s]) for s in Status if s is not Status.UNKNOWN or statuses[s]
        ),
        precisions=tuple(Count(p.value, precisions[p]) for p in Precision),
    )


def per_decade(dates: Iterable[PartialDate | None]) -> tuple[Count, ...]:
    """Counts by decade ("1960s"), from the first to the last, empty decades included
    (a long empty run as one row, "1850s–1940s"), then "unknown" when any date is."""
    decades: Counter[int] = Counter()
    unknown = 0
    for date in dates:
        if date is None:
            unknown += 1
        else:
            decades[date.year // 10 * 10] += 1
    rows: list[Count] = []
    if decades:
        decade, last = min(decades), max(decades)
        while decade <= last:
            if decades[decade]:
                rows.append(Count(f"{decade}s", decades[decade]))
                decade += 10
                continue
            end = decade
            while not decades[end + 10]:
                end += 10
            if end - decade >= _EMPTY_RUN * 10:
                rows.append(Count(f"{decade}s–{end}s", 0))
            else:
                rows.extend(Count(f"{d}s", 0) for d in range(decade, end + 10, 10))
            decade = end + 10
    if unknown:
        rows.append(Count("unknown", unknown))
    return tuple(rows)


def _rank(counts: Counter[str], top: int, labels: Mapping[str, str] | None = None) -> Ranking:
    """The `top` largest counts, most first, then by label; `labels` names the keys."""
    named = [((labels or {}).get(key, key), n) for key, n in counts.items()]
    named.sort(key=lambda item: (-item[1], fold(item[0]), item[0]))
    return Ranking(
        top=tuple(Count(label, n) for label, n in named[:top]),
        others=max(len(named) - top, 0),
    )
