"""The pure timeline core: events of a tie in order, anniversaries, a city's network."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sisterctl.core.timeline import (
    EventKind,
    TieTimeline,
    anniversary_date,
    city_network,
    find_city,
    tie_timeline,
)
from sisterctl.dates import PartialDate, Precision
from sisterctl.errors import NotFoundError, RefusedError
from sisterctl.model import City, LeapDay, Partnership, Registry, Status
from sisterctl.store.read import load
from tests.conftest import DATA

AS_OF = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load(DATA / "timeline.toml")


@pytest.fixture(scope="module")
def small() -> Registry:
    return load(DATA / "small.toml")


def timeline(registry: Registry, tie: str, as_of: dt.date = AS_OF) -> TieTimeline:
    return tie_timeline(registry, registry.by_id[tie], as_of)


def outline(line: TieTimeline) -> list[tuple[str, str, str]]:
    """Each event as (date, label, title), the way a reader scans the timeline."""
    return [(e.date.iso() if e.date else "?", e.label, e.title) for e in line.events]


@pytest.mark.parametrize(
    ("founded", "years", "rule", "expected"),
    [
        (PartialDate(2010, 11, 4), 10, LeapDay.FEB28, "2020-11-04"),
        (PartialDate(2002, 10), 10, LeapDay.FEB28, "2012-10"),  # never a day invented
        (PartialDate(1997), 25, LeapDay.FEB28, "2022"),
        (PartialDate(2016, 2, 29), 1, LeapDay.FEB28, "2017-02-28"),
        (PartialDate(2016, 2, 29), 1, LeapDay.MAR1, "2017-03-01"),
        (PartialDate(2016, 2, 29), 4, LeapDay.MAR1, "2020-02-29"),
        (PartialDate(2000, 2, 29), 100, LeapDay.FEB28, "2100-02-28"),  # 2100 is no leap year
    ],
)
def test_anniversary_date(founded: PartialDate, years: int, rule: LeapDay, expected: str) -> None:
    assert anniversary_date(founded, years, rule).iso() == expected


def test_a_tie_told_in_date_order(small: Registry) -> None:
    assert outline(timeline(small, "taipei-daegu", dt.date(2026, 11, 28))) == [
        ("2010-11-04", "founded", "Sister city tie established"),
        ("2011-11-04", "anniversary", "1st anniversary"),
        ("2015-11-04", "anniversary", "5th anniversary"),
        ("2017", "delegation", "Opening ceremony of the Taipei 2017 Universiade"),
        ("2020-11-04", "anniversary", "10th anniversary"),
        ("2021-03-26", "reaffirmation", "Agreement to Reaffirm Sister City Friendship"),
        ("2025-11-04", "anniversary", "15th anniversary"),
        ("2027-11-04", "anniversary", "17th anniversary"),
        ("2030-11-04", "anniversary", "20th anniversary"),
    ]


def test_agreements_carry_signatories_mode_and_fields(small: Registry) -> None:
    [reaffirmation] = [
        e for e in timeline(small, "taipei-daegu").events if e.label == "reaffirmation"
    ]
    assert reaffirmation.kind is EventKind.AGREEMENT
    assert [str(s) for s in reaffirmation.signatories] == [
        "Ko Wen-je (Mayor of Taipei)",
        "Kwon Young-jin (Mayor of Daegu)",
    ]
    assert reaffirmation.mode == "video-conference"
    assert reaffirmation.fields == ("smart cities", "tourism")
    assert not reaffirmation.planned


def test_the_next_anniversary_counts_the_reference_day_and_the_days_to_it(small: Registry) -> None:
    def ahead(as_of: dt.date) -> list[tuple[str, int | None, bool, int | None]]:
        return [
            (e.date.iso() if e.date else "?", e.ordinal, e.milestone, e.days_away)
            for e in timeline(small, "taipei-daegu", as_of).events
            if e.kind is EventKind.NEXT_ANNIVERSARY
        ]

    # On the day itself the anniversary is still ahead: "today".
    assert ahead(dt.date(2020, 11, 4)) == [("2020-11-04", 10, True, 0)]
    # The day after, it has passed, and the 11th is next, then the 15th milestone.
    assert ahead(dt.date(2020, 11, 5)) == [
        ("2021-11-04", 11, False, 364),
        ("2025-11-04", 15, True, None),
    ]
    passed = [e.ordinal for e in timeline(small, "taipei-daegu", dt.date(2020, 11, 5)).events]
    assert 10 in passed
    assert 10 not in [
        e.ordinal
        for e in timeline(small, "taipei-daegu", dt.date(2020, 11, 4)).events
        if e.kind is EventKind.ANNIVERSARY
    ]


def test_before_the_founding_the_first_anniversary_is_next(small: Registry) -> None:
    events = timeline(small, "taipei-daegu", dt.date(2009, 1, 1)).events
    assert [(e.kind, e.ordinal) for e in events if e.ordinal] == [(EventKind.NEXT_ANNIVERSARY, 1)]


def test_a_year_only_tie_has_year_only_anniversaries(small: Registry) -> None:
    line = timeline(small, "daegu-sao-paulo", dt.date(2026, 11, 28))
    anniversaries = [e for e in line.events if e.ordinal]
    assert {e.date.precision for e in anniversaries if e.date} == {Precision.YEAR}
    # In 2026 the 29th may or may not have passed: it is the next one, dated "2026".
    assert [(e.date.iso() if e.date else "?", e.ordinal) for e in anniversaries][-2:] == [
        ("2026", 29),
        ("2027", 30),
    ]
    assert all(e.days_away is None for e in anniversaries)


def test_an_ended_tie_has_no_anniversaries_after_its_end(small: Registry) -> None:
    assert outline(timeline(small, "prague-beijing", dt.date(2026, 11, 28))) == [
        ("2016-03", "founded", "Sister city tie established"),
        ("2017-03", "anniversary", "1st anniversary"),
        ("2019-10-07", "ended", "Tie ended"),
    ]


def test_looking_back_before_a_tie_ended_shows_what_was_ahead_then(small: Registry) -> None:
    # As of 2018-06 Prague–Beijing was still a tie: its 3rd anniversary (2019-03) was
    # ahead, and before its end; its 5th milestone (2021-03) was not to be.
    ahead = [
        (e.date.iso() if e.date else "?", e.title)
        for e in timeline(small, "prague-beijing", dt.date(2018, 6, 1)).events
        if e.kind is EventKind.NEXT_ANNIVERSARY
    ]
    assert ahead == [("2019-03", "3rd anniversary")]
    assert not [
        e
        for e in timeline(small, "prague-beijing", dt.date(2019, 6, 1)).events
        if e.kind is EventKind.NEXT_ANNIVERSARY
    ]


def test_every_kind_of_event_in_order(registry: Registry) -> None:
    assert outline(timeline(registry, "daegu-ningbo")) == [
        # The founding agreement tells the founding rather than a second event.
        ("2002-10", "founded", "Friendship City Agreement"),
        ("2003-10", "anniversary", "1st anniversary"),
        ("2007-10", "anniversary", "5th anniversary"),
        ("2012-07-19", "anniversary", "10th anniversary of friendship ties"),
        ("2012-10", "anniversary", "10th anniversary"),
        ("2013-06-08", "upgrade", "Sister City Agreement"),
        ("2017-10", "anniversary", "15th anniversary"),
        ("2020-02", "suspended", "Tie suspended"),
        ("2022-10", "anniversary", "20th anniversary"),
        ("2023", "resumed", "Tie resumed"),
        ("2025-11-03", "visit", "Ningbo vice mayor leads a delegation to Daegu"),
        ("2026-10", "anniversary", "24th anniversary"),
        # Planned for "2026": after the dated events of its year.
        ("2026", "memorandum", "Memorandum on Trade Fairs"),
        ("2027-10", "anniversary", "25th anniversary"),
        ("?", "festival", "Ningbo troupe at the Colorful Daegu Festival"),
    ]


def test_kinds_planned_and_statuses(registry: Registry) -> None:
    line = timeline(registry, "daegu-ningbo")
    by_title = {e.title: e for e in line.events}
    assert by_title["Sister City Agreement"].kind is EventKind.UPGRADE
    assert by_title["Sister City Agreement"].details == "upgraded to sister city"
    assert by_title["Memorandum on Trade Fairs"].planned
    assert by_title["Tie suspended"].kind is EventKind.SUSPENDED
    assert by_title["Tie suspended"].details == "exchanges paused by the pandemic"
    assert by_title["Tie resumed"].kind is EventKind.RESUMED
    assert by_title["Friendship City Agreement"].venue == "Ningbo"
    assert line.kind == "sister city"
    assert line.state.status is Status.ACTIVE


def test_groups_by_year_with_undated_last(registry: Registry) -> None:
    groups = timeline(registry, "daegu-ningbo").groups
    assert [g.year for g in groups] == [
        2002, 2003, 2007, 2012, 2013, 2017, 2020, 2022, 2023, 2025, 2026, 2027, None,
    ]  # fmt: skip
    assert [e.label for e in groups[-1].events] == ["festival"]


def test_a_leap_day_tie_celebrates_on_28_february(registry: Registry) -> None:
    events = timeline(registry, "taipei-testville").events
    assert [(e.date.iso() if e.date else "?", e.title) for e in events][:2] == [
        ("2016-02-29", "Sister city tie established"),
        ("2017-02-28", "1st anniversary"),
    ]


def test_a_tie_of_unknown_date_is_founded_at_an_unknown_date(registry: Registry) -> None:
    assert outline(timeline(registry, "taipei-versailles")) == [
        ("?", "founded", "Partner city tie established")
    ]


def test_a_city_network_in_founding_order(registry: Registry) -> None:
    network = city_network(registry, find_city(registry, "臺北"), AS_OF)
    assert network.city.id == "taipei-tw"
    assert [(t.partner.name, t.kind, t.state.status.value) for t in network.ties] == [
        ("Houston", "sister city", "active"),
        ("Manila", "sister city", "suspended"),
        ("Seoul", "sister city", "active"),
        ("Ulaanbaatar", "friendship city", "active"),
        ("Daegu", "sister city", "active"),
        ("Testville", "sister city", "ended"),
        ("Versailles", "partner city", "active"),
    ]
    assert network.first_year == 1961
    assert [(c.label, c.count) for c in network.per_decade] == [
        ("1960s", 3),
        ("1970s", 0),
        ("1980s", 0),
        ("1990s", 1),
        ("2000s", 0),
        ("2010s", 2),
        ("unknown", 1),
    ]
    assert (network.count(Status.ENDED), network.count(Status.SUSPENDED)) == (1, 1)


def test_finding_a_city(registry: Registry) -> None:
    assert find_city(registry, "DAEGU").id == "daegu-kr"
    assert find_city(registry, "대구광역시").id == "daegu-kr"
    assert find_city(registry, "ningbo-cn").name == "Ningbo"
    with pytest.raises(NotFoundError, match="no city matches 'Tapei'; did you mean Taipei"):
        find_city(registry, "Tapei")


def test_a_name_of_several_cities_is_refused_with_their_ids(tmp_path: Path) -> None:
    springfield = [City(f"springfield-{s}", "Springfield", "US") for s in ("il", "ma")]
    registry = Registry(cities={c.id: c for c in springfield}, partnerships=())
    with pytest.raises(RefusedError) as error:
        find_city(registry, "springfield")
    assert str(error.value) == (
        "'springfield' names 2 cities: springfield-il (Springfield, United States), "
        "springfield-ma (Springfield, United States); give one id"
    )


dates = st.builds(
    PartialDate,
    year=st.integers(1900, 2100),
    month=st.none() | st.integers(1, 12),
    day=st.none() | st.integers(1, 28),
).map(lambda d: PartialDate(d.year, d.month, d.day if d.month else None))


@given(
    founded=dates,
    as_of=st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)),
    leap_day=st.sampled_from(LeapDay),
)
def test_anniversary_properties(founded: PartialDate, as_of: dt.date, leap_day: LeapDay) -> None:
    a, b = City("a", "A", "KR"), City("b", "B", "TW")
    tie = Partnership("a-b", (a, b), established=founded)
    registry = Registry(cities={"a": a, "b": b}, partnerships=(tie,), leap_day=leap_day)
    events = tie_timeline(registry, tie, as_of).events
    passed = [e for e in events if e.kind is EventKind.ANNIVERSARY]
    ahead = [e for e in events if e.kind is EventKind.NEXT_ANNIVERSARY]
    for event in passed + ahead:
        assert event.date is not None and event.ordinal is not None
        # At the founding date's precision, on its month and day, the ordinal years later.
        assert event.date.precision is founded.precision
        assert event.date.year - founded.year == event.ordinal
        assert event.date.month == founded.month and event.date.day == founded.day
    assert all(e.milestone and e.date and e.date.latest() < as_of for e in passed)
    assert [e.ordinal for e in passed] == sorted(e.ordinal for e in passed if e.ordinal)
    # The next anniversary is the first one not yet certainly passed.
    first = ahead[0]
    assert first.date is not None and first.ordinal is not None
    assert first.date.latest() >= as_of
    if first.ordinal > 1:
        before = anniversary_date(founded, first.ordinal - 1, leap_day)
        assert before.latest() < as_of
    if first.days_away is not None:
        assert first.date.to_date() == as_of + dt.timedelta(days=first.days_away)
    assert len(ahead) == (1 if first.milestone else 2)
    assert ahead[-1].milestone
