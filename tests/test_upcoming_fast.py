"""`upcoming_anniversaries` is written for speed; it must give exactly what its plain
definition gives: the occurrences() of each tie's dates, sorted by Anniversary.sort_key."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from sisterctl.core.anniversaries import (
    Anniversary,
    Span,
    Unit,
    UpcomingReport,
    Window,
    _later_agreements,
    is_milestone,
    lapses,
    occurrences,
    revision,
    upcoming_anniversaries,
)
from sisterctl.core.query import Filters, select
from sisterctl.model import LeapDay, Registry, Status
from sisterctl.store.location import bundled_path
from sisterctl.store.read import load
from tests.conftest import DATA


def by_definition(
    registry: Registry,
    as_of: dt.date,
    within: Span,
    *,
    include_agreements: bool,
    include_ended: bool,
    milestones_only: bool,
    leap_day: LeapDay | None,
    lapsed_for: int | None = None,
) -> UpcomingReport:
    rule = leap_day or registry.leap_day
    window = Window.of(as_of, within)
    rows: list[Anniversary] = []
    lapsed: list[Anniversary] = []
    undated = 0
    for tie in select(registry, Filters()):
        state = registry.state(tie)
        status = state.status
        # Without lapsed_for (or with include_ended), no anniversary lapses.
        stop = None
        if lapsed_for is not None and not include_ended:
            stop = lapses(state, as_of, lapsed_for)
        if status is Status.ENDED and not include_ended and stop is None:
            continue
        if tie.established is None and (status is not Status.ENDED or include_ended):
            undated += 1
        dates = [(tie.established, None)] if tie.established is not None else []
        if include_agreements:
            dates += [(a.date, a) for a in _later_agreements(registry, tie) if a.date]
        for since, agreement in dates:
            for occurrence in occurrences(since, window, rule):
                if milestones_only and not is_milestone(occurrence.ordinal):
                    continue
                day = occurrence.day
                into = rows
                if stop is not None and occurrence.on.latest() >= stop[0]:
                    if not stop[1]:
                        continue
                    into = lapsed
                into.append(
                    Anniversary(
                        tie=tie,
                        on=occurrence.on,
                        ordinal=occurrence.ordinal,
                        since=since,
                        days=(day - as_of).days if day is not None else None,
                        kind=registry.kind_on(tie, day or occurrence.on.latest()),
                        status=status,
                        agreement=agreement,
                    )
                )
    rows.sort(key=lambda row: row.sort_key)
    lapsed.sort(key=lambda row: row.sort_key)
    revisions = {
        row.tie.id: found
        for row in rows + lapsed
        if (found := revision(registry, row.tie)) is not None
    }
    # With agreements, the planned ones whose date has passed, in date order.
    overdue = [
        (registry.record_id(a), a)
        for tie in select(registry, Filters())
        if include_agreements and (include_ended or registry.state(tie).status is not Status.ENDED)
        for a in registry.agreements_of(tie)
        if a.planned and a.date is not None and a.date.latest() < as_of
    ]
    overdue.sort(key=lambda item: item[1].date.sort_key if item[1].date else (0, 0, 0))
    return UpcomingReport(
        as_of,
        within,
        window,
        rule,
        tuple(rows),
        undated,
        tuple(overdue),
        tuple(lapsed),
        revisions,
    )


REGISTRIES = [load(bundled_path()), load(DATA / "anniversaries.toml")]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(REGISTRIES),
    st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)),
    st.integers(1, 40),
    st.sampled_from(list(Unit)),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.sampled_from([None, LeapDay.FEB28, LeapDay.MAR1]),
    st.none() | st.integers(0, 20_000),
)
def test_upcoming_is_its_definition(
    registry: Registry,
    as_of: dt.date,
    count: int,
    unit: Unit,
    agreements: bool,
    ended: bool,
    milestones: bool,
    leap_day: LeapDay | None,
    lapsed_for: int | None,
) -> None:
    span = Span(count, unit)
    options = {
        "include_agreements": agreements,
        "include_ended": ended,
        "milestones_only": milestones,
        "leap_day": leap_day,
        "lapsed_for": lapsed_for,
    }
    assert upcoming_anniversaries(registry, as_of, span, **options) == by_definition(
        registry, as_of, span, **options
    )


names = st.text(st.characters(codec="ascii"), max_size=12) | st.text(max_size=12)


@given(names, names)
def test_a_ties_sort_title_is_the_fold_of_its_title(first: str, second: str) -> None:
    from sisterctl.core.facts import folded_title as _folded_title
    from sisterctl.model import City, Partnership
    from sisterctl.text import fold

    tie = Partnership("a-b", (City("a-xx", first, "XX"), City("b-xx", second, "XX")))
    assert _folded_title(tie) == fold(tie.title)
    folds: dict[str, str] = {}
    assert _folded_title(tie, folds) == fold(tie.title)
    assert _folded_title(tie, folds) == fold(tie.title)  # from the folds kept
