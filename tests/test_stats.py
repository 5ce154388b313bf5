"""The pure stats core: counts by decade, country, city, kind, status and precision."""

from __future__ import annotations

import datetime as dt

import pytest

from sisterctl.core.query import Filters, select
from sisterctl.core.stats import Count, per_decade, registry_stats
from sisterctl.dates import PartialDate
from sisterctl.model import Registry, Status
from sisterctl.store.read import load
from tests.conftest import DATA

AS_OF = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load(DATA / "timeline.toml")


def counts(rows: tuple[Count, ...]) -> list[tuple[str, int]]:
    return [(c.label, c.count) for c in rows]


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        ([], []),
        ([None], [("unknown", 1)]),
        ([1961, 1968, 1997], [("1960s", 2), ("1970s", 0), ("1980s", 0), ("1990s", 1)]),
        # A long empty run is one row, so that an old tie does not stretch the chart.
        ([1851, 1961, None], [("1850s", 1), ("1860s–1950s", 0), ("1960s", 1), ("unknown", 1)]),
        ([2009, 2010, 2019], [("2000s", 1), ("2010s", 2)]),
    ],
)
def test_per_decade(years: list[int | None], expected: list[tuple[str, int]]) -> None:
    dates = [PartialDate(y) if y is not None else None for y in years]
    assert counts(per_decade(dates)) == expected


def test_registry_stats(registry: Registry) -> None:
    stats = registry_stats(registry, registry.partnerships, AS_OF, top=3)
    assert (stats.ties, stats.cities, stats.countries) == (8, 9, 7)
    # A tie counts once per country it touches: Taipei–Seoul once for Taiwan, once for Korea.
    assert counts(stats.countries_top.top) == [
        ("Taiwan", 7),
        ("South Korea", 3),
        ("United States", 2),
    ]
    assert stats.countries_top.others == 4
    assert counts(stats.cities_top.top) == [
        ("Taipei, Taiwan", 7),
        ("Daegu, South Korea", 2),
        ("Houston, United States", 1),  # ties of equal count by name
    ]
    assert stats.cities_top.others == 6
    # Kinds as on the reference day: Daegu–Ningbo was upgraded to sister city in 2013.
    assert counts(stats.kinds.top) == [
        ("sister city", 6),
        ("friendship city", 1),
        ("partner city", 1),
    ]
    assert counts(stats.statuses) == [("active", 6), ("suspended", 1), ("ended", 1)]
    assert counts(stats.precisions) == [("day", 3), ("month", 1), ("year", 3), ("unknown", 1)]
    assert counts(stats.per_decade)[-2:] == [("2010s", 2), ("unknown", 1)]


def test_kinds_as_they_were_on_the_reference_day(registry: Registry) -> None:
    stats = registry_stats(registry, [registry.by_id["daegu-ningbo"]], dt.date(2010, 1, 1))
    assert counts(stats.kinds.top) == [("friendship city", 1)]


def test_a_domestic_tie_counts_once_for_its_country(registry: Registry) -> None:
    stats = registry_stats(registry, select(registry, Filters(country="KR")), AS_OF)
    assert counts(stats.countries_top.top)[0] == ("South Korea", 3)
    assert stats.ties == 3


def test_stats_of_the_ties_selected(registry: Registry) -> None:
    ties = select(registry, Filters(status=Status.ACTIVE, since=1990))
    stats = registry_stats(registry, ties, AS_OF)
    assert stats.ties == 3
    assert counts(stats.statuses) == [("active", 3), ("suspended", 0), ("ended", 0)]


def test_no_ties() -> None:
    stats = registry_stats(Registry(cities={}, partnerships=()), [], AS_OF)
    assert (stats.ties, stats.per_decade, stats.countries_top.top) == (0, (), ())
    assert counts(stats.precisions) == [("day", 0), ("month", 0), ("year", 0), ("unknown", 0)]
