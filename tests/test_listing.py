"""`listed_anniversaries` makes the rows of `upcoming_anniversaries` (without
agreements) from the facts the index keeps of each tie: the same rows, in the same
order, shown the same, on the bundled registry, the test registries and generated
ones (with upgrades, status changes, leap days and every precision)."""

from __future__ import annotations

import datetime as dt
import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from sisterctl.core.anniversaries import (
    Span,
    Unit,
    listed_anniversaries,
    upcoming_anniversaries,
)
from sisterctl.core.facts import TieFacts
from sisterctl.core.query import Filters, select
from sisterctl.model import LeapDay, Registry
from sisterctl.output import tables
from sisterctl.records.build import build
from sisterctl.store.location import bundled_path
from sisterctl.store.read import load
from tests.conftest import DATA
from tests.test_index import registries

REGISTRIES = [load(bundled_path()), load(DATA / "anniversaries.toml")]


def _built(text: str) -> Registry:
    result = build(tomllib.loads(text))
    assert not result.errors, result.errors
    return result.registry


def _same(
    registry: Registry,
    as_of: dt.date,
    span: Span,
    ended: bool,
    milestones: bool,
    leap_day: LeapDay | None,
) -> None:
    expected = upcoming_anniversaries(
        registry,
        as_of,
        span,
        include_ended=ended,
        milestones_only=milestones,
        leap_day=leap_day,
    )
    # The facts in an order of their own: the rows must not depend on it.
    facts = [TieFacts.of(registry, tie) for tie in reversed(select(registry, Filters()))]
    got = listed_anniversaries(
        facts,
        as_of,
        span,
        leap_day=leap_day or registry.leap_day,
        include_ended=ended,
        milestones_only=milestones,
        undated=expected.undated,
    )
    assert [row.as_dict() for row in got.rows] == [row.as_dict() for row in expected.rows]
    assert [row.status for row in got.rows] == [row.status for row in expected.rows]
    assert [row.tie.title for row in got.rows] == [row.tie.title for row in expected.rows]
    assert (got.window, got.span, got.leap_day) == (expected.window, span, expected.leap_day)
    shown = tables.lines(tables.upcoming_view(got), 80)
    assert shown == tables.lines(tables.upcoming_view(expected), 80)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(REGISTRIES),
    st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)),
    st.integers(1, 30),
    st.sampled_from(list(Unit)),
    st.booleans(),
    st.booleans(),
    st.sampled_from([None, LeapDay.FEB28, LeapDay.MAR1]),
)
def test_the_listing_is_upcoming_on_the_registries(
    registry: Registry,
    as_of: dt.date,
    count: int,
    unit: Unit,
    ended: bool,
    milestones: bool,
    leap_day: LeapDay | None,
) -> None:
    _same(registry, as_of, Span(count, unit), ended, milestones, leap_day)


@settings(max_examples=150, deadline=None)
@given(
    registries(),
    st.dates(dt.date(1995, 1, 1), dt.date(2030, 12, 31)),
    st.sampled_from(
        [
            Span(1),
            Span(30),
            Span(6, Unit.WEEK),
            Span(3, Unit.MONTH),
            Span(1, Unit.YEAR),
            Span(2, Unit.YEAR),
        ]
    ),
    st.booleans(),
    st.booleans(),
    st.sampled_from([None, LeapDay.FEB28, LeapDay.MAR1]),
)
def test_the_listing_is_upcoming_on_generated_registries(
    text: str,
    as_of: dt.date,
    span: Span,
    ended: bool,
    milestones: bool,
    leap_day: LeapDay | None,
) -> None:
    _same(_built(text), as_of, span, ended, milestones, leap_day)


def test_a_ties_facts_give_its_kind_after_each_upgrade() -> None:
    registry = REGISTRIES[0]
    tie = registry.by_id["taipei-daegu"]
    facts = TieFacts.of(registry, tie)
    assert facts.title == "Taipei–Daegu"
    for day in (dt.date(2010, 11, 4), dt.date(2021, 3, 1), dt.date(2030, 1, 1)):
        assert facts.kind_on(day) == registry.kind_on(tie, day)
    assert facts.since == tie.established
    assert facts.status is registry.state(tie).status


def test_a_day_comes_before_its_month_and_its_year() -> None:
    """On 31 December, a tie known to the day, then one known to December, then one
    known only to the year: each row's last possible day is the same."""
    text = "schema_version = 1\n"
    for n, (name, date) in enumerate(
        [("Aa", "2001"), ("Bb", "2001-12"), ("Cc", "2001-12-31"), ("Dd", "2001-12-31")]
    ):
        text += f'\n[[city]]\nid = "c{n}"\nname = "{name}"\ncountry = "KR"\n'
        text += f'\n[[city]]\nid = "d{n}"\nname = "Z{name}"\ncountry = "JP"\n'
        text += f'\n[[partnership]]\nid = "c{n}-d{n}"\ncities = ["c{n}", "d{n}"]\n'
        text += f'established = "{date}"\n'
    registry = _built(text)
    _same(registry, dt.date(2026, 12, 1), Span(1, Unit.MONTH), False, False, None)
    facts = [TieFacts.of(registry, tie) for tie in registry.partnerships]
    rows = listed_anniversaries(facts, dt.date(2026, 12, 1), Span(1, Unit.MONTH)).rows
    assert [(row.tie.id, row.on.iso()) for row in rows] == [
        ("c2-d2", "2026-12-31"),
        ("c3-d3", "2026-12-31"),
        ("c1-d1", "2026-12"),
        ("c0-d0", "2026"),
    ]
