"""Anniversary arithmetic: ordinals, windows, leap days, precisions, and the report."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sisterctl.cli.app import cli_words
from sisterctl.core.anniversaries import (
    Revision,
    Span,
    TooManyAnniversaries,
    Unit,
    Window,
    anniversary_on,
    is_milestone,
    occurrences,
    ordinal,
    parse_span,
    upcoming_anniversaries,
    when_text,
)
from sisterctl.core.query import Filters
from sisterctl.dates import PartialDate, parse_partial_date
from sisterctl.errors import Param, RefusedError, UsageError
from sisterctl.model import Agreement, City, LeapDay, Partnership, Registry, Status

D = dt.date
FEB28, MAR1 = LeapDay.FEB28, LeapDay.MAR1


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (10, "10th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (14, "14th"),
        (20, "20th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (60, "60th"),
        (100, "100th"),
        (101, "101st"),
        (102, "102nd"),
        (111, "111th"),
        (112, "112th"),
        (113, "113th"),
        (121, "121st"),
        (1011, "1011th"),
        (1021, "1021st"),
    ],
)
def test_ordinal_suffixes(n: int, text: str) -> None:
    assert ordinal(n) == text


@pytest.mark.parametrize(
    ("n", "milestone"),
    [(1, True), (2, False), (4, False), (5, True), (10, True), (11, False), (60, True)],
)
def test_milestones_are_the_first_and_every_fifth(n: int, milestone: bool) -> None:
    assert is_milestone(n) is milestone


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("30", Span(30, Unit.DAY)),
        ("30d", Span(30, Unit.DAY)),
        ("1", Span(1, Unit.DAY)),
        ("6w", Span(6, Unit.WEEK)),
        ("3m", Span(3, Unit.MONTH)),
        ("3M", Span(3, Unit.MONTH)),
        ("1y", Span(1, Unit.YEAR)),
        (" 2 y ", Span(2, Unit.YEAR)),
    ],
)
def test_parse_span(text: str, span: Span) -> None:
    assert parse_span(text) == span


@pytest.mark.parametrize("text", ["-5", "0", "0y", "", "3x", "1.5m", "m", "thirty", "3 months"])
def test_parse_span_refuses_with_one_line(text: str) -> None:
    with pytest.raises(UsageError) as error:
        parse_span(text)
    message = str(error.value)
    assert "\n" not in message
    # The core names the value it refuses; the command line names its option.
    assert error.value.param is Param.WITHIN
    assert message.startswith("within takes a positive length")
    assert error.value.render(cli_words).startswith("--within takes a positive length")
    assert repr(text) in message


@pytest.mark.parametrize(
    ("start", "span", "last"),
    [
        # The reference day counts: 30 days are the day itself and the 29 after it.
        (D(2026, 11, 28), Span(30), D(2026, 12, 27)),
        (D(2026, 11, 28), Span(1), D(2026, 11, 28)),
        # Across a year end.
        (D(2026, 12, 20), Span(30), D(2027, 1, 18)),
        (D(2026, 11, 28), Span(6, Unit.WEEK), D(2027, 1, 8)),
        # Calendar months: up to the day before the same day of the month.
        (D(2026, 1, 15), Span(3, Unit.MONTH), D(2026, 4, 14)),
        (D(2026, 11, 15), Span(3, Unit.MONTH), D(2027, 2, 14)),
        (D(2026, 1, 1), Span(1, Unit.MONTH), D(2026, 1, 31)),
        # No 31 February: the span takes all of the shorter month.
        (D(2026, 1, 31), Span(1, Unit.MONTH), D(2026, 2, 28)),
        (D(2024, 1, 31), Span(1, Unit.MONTH), D(2024, 2, 29)),
        (D(2026, 1, 28), Span(1, Unit.MONTH), D(2026, 2, 27)),
        # Calendar years.
        (D(2026, 1, 1), Span(1, Unit.YEAR), D(2026, 12, 31)),
        (D(2026, 11, 28), Span(1, Unit.YEAR), D(2027, 11, 27)),
        (D(2024, 2, 29), Span(1, Unit.YEAR), D(2025, 2, 28)),
        (D(2024, 2, 29), Span(4, Unit.YEAR), D(2028, 2, 28)),
        (D(2026, 3, 1), Span(12, Unit.MONTH), D(2027, 2, 28)),
    ],
)
def test_window_bounds(start: dt.date, span: Span, last: dt.date) -> None:
    window = Window.of(start, span)
    assert (window.start, window.last) == (start, last)


@pytest.mark.parametrize(
    "span", [Span(1, Unit.YEAR), Span(1, Unit.MONTH), Span(2, Unit.DAY), Span(1, Unit.WEEK)]
)
def test_a_window_past_the_year_9999_is_refused(span: Span) -> None:
    with pytest.raises(RefusedError, match="ends after the year 9999"):
        Window.of(D(9999, 12, 31), span)


def test_span_names() -> None:
    assert [str(Span(1)), str(Span(30)), str(Span(6, Unit.WEEK)), str(Span(1, Unit.YEAR))] == [
        "1 day",
        "30 days",
        "6 weeks",
        "1 year",
    ]


@pytest.mark.parametrize(
    ("founded", "year", "rule", "day"),
    [
        (D(2010, 11, 4), 2020, FEB28, D(2020, 11, 4)),
        (D(2010, 11, 4), 2020, MAR1, D(2020, 11, 4)),
        (D(2012, 2, 28), 2013, MAR1, D(2013, 2, 28)),
        (D(2012, 3, 1), 2013, FEB28, D(2013, 3, 1)),
        # 29 February in common years: the last day of February, or 1 March.
        (D(2012, 2, 29), 2013, FEB28, D(2013, 2, 28)),
        (D(2012, 2, 29), 2013, MAR1, D(2013, 3, 1)),
        # In leap years, on the day itself under either rule.
        (D(2012, 2, 29), 2016, FEB28, D(2016, 2, 29)),
        (D(2012, 2, 29), 2016, MAR1, D(2016, 2, 29)),
        # 2000 is a leap year (divisible by 400); 2100 is not (divisible by 100).
        (D(1996, 2, 29), 2000, FEB28, D(2000, 2, 29)),
        (D(1996, 2, 29), 2100, FEB28, D(2100, 2, 28)),
        (D(1996, 2, 29), 2100, MAR1, D(2100, 3, 1)),
        (D(2096, 2, 29), 2104, MAR1, D(2104, 2, 29)),
    ],
)
def test_anniversary_on(founded: dt.date, year: int, rule: LeapDay, day: dt.date) -> None:
    assert anniversary_on(founded, year, rule) == day


def listed(since: str, start: dt.date, span: Span, rule: LeapDay = FEB28) -> list[tuple[str, int]]:
    window = Window.of(start, span)
    return [(o.on.iso(), o.ordinal) for o in occurrences(parse_partial_date(since), window, rule)]


@pytest.mark.parametrize(
    ("since", "start", "span", "rule", "expected"),
    [
        # The 10th anniversary of a tie founded 2010-11-04 is 2020-11-04.
        ("2010-11-04", D(2020, 10, 20), Span(30), FEB28, [("2020-11-04", 10)]),
        ("2010-11-04", D(2020, 11, 4), Span(1), FEB28, [("2020-11-04", 10)]),
        ("2010-11-04", D(2020, 11, 5), Span(30), FEB28, []),
        ("2010-11-04", D(2020, 10, 6), Span(29), FEB28, []),
        ("2010-11-04", D(2020, 10, 6), Span(30), FEB28, [("2020-11-04", 10)]),
        # Across a year end.
        ("2000-01-05", D(2026, 12, 20), Span(30), FEB28, [("2027-01-05", 27)]),
        ("2000-12-31", D(2026, 12, 20), Span(30), FEB28, [("2026-12-31", 26)]),
        # Longer than a year: once per year.
        (
            "2010-11-04",
            D(2020, 1, 1),
            Span(3, Unit.YEAR),
            FEB28,
            [("2020-11-04", 10), ("2021-11-04", 11), ("2022-11-04", 12)],
        ),
        (
            "2010-11-04",
            D(2020, 11, 4),
            Span(2, Unit.YEAR),
            FEB28,
            [("2020-11-04", 10), ("2021-11-04", 11)],
        ),
        # No 0th anniversary: the founding itself is not one.
        ("2020-11-04", D(2020, 1, 1), Span(2, Unit.YEAR), FEB28, [("2021-11-04", 1)]),
        ("2030-01-01", D(2020, 1, 1), Span(1, Unit.YEAR), FEB28, []),
        # Leap days.
        ("2012-02-29", D(2013, 2, 1), Span(1, Unit.MONTH), FEB28, [("2013-02-28", 1)]),
        ("2012-02-29", D(2013, 2, 1), Span(1, Unit.MONTH), MAR1, []),
        ("2012-02-29", D(2013, 2, 20), Span(30), MAR1, [("2013-03-01", 1)]),
        ("2012-02-29", D(2016, 2, 20), Span(30), MAR1, [("2016-02-29", 4)]),
        ("2000-02-29", D(2100, 2, 1), Span(2, Unit.MONTH), FEB28, [("2100-02-28", 100)]),
        ("2000-02-29", D(2100, 2, 1), Span(2, Unit.MONTH), MAR1, [("2100-03-01", 100)]),
        # A year's window may hold two anniversaries of a 29 February tie.
        (
            "2012-02-29",
            D(2028, 2, 29),
            Span(1, Unit.YEAR),
            FEB28,
            [("2028-02-29", 16), ("2029-02-28", 17)],
        ),
        (
            "2012-02-29",
            D(2027, 3, 1),
            Span(1, Unit.YEAR),
            MAR1,
            [("2027-03-01", 15), ("2028-02-29", 16)],
        ),
        ("2012-02-29", D(2027, 3, 1), Span(1, Unit.YEAR), FEB28, [("2028-02-29", 16)]),
        # Known to the month: listed when its month overlaps the window, with no day.
        ("2016-03", D(2026, 2, 20), Span(30), FEB28, [("2026-03", 10)]),
        ("2016-03", D(2026, 3, 31), Span(1), FEB28, [("2026-03", 10)]),
        ("2016-03", D(2026, 2, 1), Span(28), FEB28, []),
        ("2016-12", D(2026, 12, 20), Span(30), FEB28, [("2026-12", 10)]),
        ("2016-01", D(2026, 12, 20), Span(30), FEB28, [("2027-01", 11)]),
        (
            "2016-03",
            D(2026, 1, 1),
            Span(2, Unit.YEAR),
            FEB28,
            [("2026-03", 10), ("2027-03", 11)],
        ),
        # Known to the year: once for each year the window touches.
        ("2010", D(2027, 5, 1), Span(30), FEB28, [("2027", 17)]),
        ("2010", D(2026, 12, 20), Span(30), FEB28, [("2026", 16), ("2027", 17)]),
        ("2026", D(2026, 6, 1), Span(30), FEB28, []),
    ],
)
def test_occurrences(
    since: str, start: dt.date, span: Span, rule: LeapDay, expected: list[tuple[str, int]]
) -> None:
    assert listed(since, start, span, rule) == expected


# ---------------------------------------------------------------------------
# The report over a registry


TAIPEI = City("taipei-tw", "Taipei", "TW")
DAEGU = City("daegu-kr", "Daegu", "KR")
NINGBO = City("ningbo-cn", "Ningbo", "CN")
PRAGUE = City("prague-cz", "Prague", "CZ")
BEIJING = City("beijing-cn", "Beijing", "CN")
HOUSTON = City("houston-us", "Houston", "US")
CITIES = {c.id: c for c in (TAIPEI, DAEGU, NINGBO, PRAGUE, BEIJING, HOUSTON)}


def tie(
    id: str,
    a: City,
    b: City,
    established: str | None,
    *,
    kind: str = "sister city",
    status: Status = Status.ACTIVE,
) -> Partnership:
    date = parse_partial_date(established) if established else None
    return Partnership(id, (a, b), kind=kind, established=date, status=status)


def registry_of(
    *ties: Partnership, agreements: tuple[Agreement, ...] = (), leap_day: LeapDay = FEB28
) -> Registry:
    return Registry(CITIES, ties, agreements=agreements, leap_day=leap_day)


REGISTRY = registry_of(
    tie("taipei-daegu", TAIPEI, DAEGU, "2010-11-04"),
    tie("daegu-ningbo", DAEGU, NINGBO, "2002-11", kind="friendship city"),
    tie("taipei-houston", TAIPEI, HOUSTON, "1961"),
    tie("prague-beijing", PRAGUE, BEIJING, "2016-11-20", status=Status.ENDED),
    tie("taipei-ningbo", TAIPEI, NINGBO, "2015-11-30", status=Status.SUSPENDED),
    tie("daegu-houston", DAEGU, HOUSTON, None),
    agreements=(
        Agreement(
            "daegu-ningbo", "Upgrade to sister cities", parse_partial_date("2013-11-12"),
            kind="upgrade", to_kind="sister city",
        ),
        Agreement(
            "taipei-daegu", "Agreement to Reaffirm Sister City Friendship",
            parse_partial_date("2021-03-26"), kind="reaffirmation",
        ),
        Agreement(
            "taipei-daegu", "Founding agreement", parse_partial_date("2010-11-04"),
            kind="founding",
        ),
        Agreement(
            "taipei-daegu", "Memorandum on tourism", parse_partial_date("2021-11-20"),
            kind="memorandum", status="planned",
        ),
    ),
)  # fmt: skip


def rows(report: object) -> list[tuple[str, str, int, str]]:
    from sisterctl.core.anniversaries import UpcomingReport

    assert isinstance(report, UpcomingReport)
    return [(r.on.iso(), r.tie.id, r.ordinal, r.what) for r in report.rows]


def test_report_lists_by_date_with_less_precise_dates_after_their_days() -> None:
    report = upcoming_anniversaries(REGISTRY, D(2020, 10, 20), Span(6, Unit.WEEK))
    assert rows(report) == [
        ("2020-11-04", "taipei-daegu", 10, "founding"),
        ("2020-11-30", "taipei-ningbo", 5, "founding"),
        ("2020-11", "daegu-ningbo", 18, "founding"),
        ("2020", "taipei-houston", 59, "founding"),
    ]
    first = report.rows[0]
    assert (first.days, first.milestone, first.kind, first.status) == (
        15,
        True,
        "sister city",
        Status.ACTIVE,
    )
    assert report.rows[1].status is Status.SUSPENDED
    # Days are counted only when the day is known.
    assert [r.days for r in report.rows] == [15, 41, None, None]
    assert report.undated == 1
    assert report.window == Window(D(2020, 10, 20), D(2020, 11, 30))


def test_report_ended_ties_only_when_asked() -> None:
    as_of = D(2020, 11, 1)
    without = upcoming_anniversaries(REGISTRY, as_of, Span(30))
    assert "prague-beijing" not in [r.tie.id for r in without.rows]
    with_ended = upcoming_anniversaries(REGISTRY, as_of, Span(30), include_ended=True)
    ended = [r for r in with_ended.rows if r.tie.id == "prague-beijing"]
    assert [(r.on.iso(), r.ordinal, r.status) for r in ended] == [("2020-11-20", 4, Status.ENDED)]


def test_report_milestones_only() -> None:
    report = upcoming_anniversaries(
        REGISTRY, D(2020, 10, 20), Span(6, Unit.WEEK), milestones_only=True
    )
    assert rows(report) == [
        ("2020-11-04", "taipei-daegu", 10, "founding"),
        ("2020-11-30", "taipei-ningbo", 5, "founding"),
    ]


def test_report_agreements_are_added_when_asked_not_founding_nor_planned_ones() -> None:
    as_of = D(2026, 3, 1)
    assert rows(upcoming_anniversaries(REGISTRY, as_of, Span(30))) == [
        ("2026", "taipei-houston", 65, "founding")
    ]
    report = upcoming_anniversaries(REGISTRY, as_of, Span(30), include_agreements=True)
    assert rows(report) == [
        ("2026-03-26", "taipei-daegu", 5, "reaffirmation"),
        ("2026", "taipei-houston", 65, "founding"),
    ]
    assert report.rows[0].agreement is not None
    assert report.rows[0].as_dict()["agreement"] == "Agreement to Reaffirm Sister City Friendship"
    # The founding agreement's anniversary is the tie's own, listed once.
    november = upcoming_anniversaries(
        REGISTRY, D(2026, 11, 1), Span(10), include_agreements=True, filters=Filters(city="Daegu")
    )
    assert [r for r in rows(november) if r[1] == "taipei-daegu"] == [
        ("2026-11-04", "taipei-daegu", 16, "founding")
    ]
    # Anniversaries of upgrades count too (13 years since the upgrade, 2026-11-12).
    upgrade = upcoming_anniversaries(REGISTRY, D(2026, 11, 12), Span(1), include_agreements=True)
    assert rows(upgrade) == [
        ("2026-11-12", "daegu-ningbo", 13, "upgrade"),
        ("2026-11", "daegu-ningbo", 24, "founding"),
        ("2026", "taipei-houston", 65, "founding"),
    ]


def test_report_shows_the_kind_on_the_anniversary() -> None:
    # Daegu–Ningbo: friendship city from 2002-11, sister city from the 2013-11-12 upgrade.
    def kind_in(year: int) -> str:
        report = upcoming_anniversaries(
            REGISTRY, D(year, 1, 1), Span(1, Unit.YEAR), filters=Filters(city="Ningbo")
        )
        return next(r.kind for r in report.rows if r.tie.id == "daegu-ningbo")

    assert kind_in(2012) == "friendship city"
    assert kind_in(2014) == "sister city"


def test_report_filters_as_list_does() -> None:
    as_of, span = D(2020, 1, 1), Span(1, Unit.YEAR)

    def ids(filters: Filters) -> set[str]:
        report = upcoming_anniversaries(REGISTRY, as_of, span, filters=filters)
        return {r.tie.id for r in report.rows}

    assert ids(Filters(city="Houston")) == {"taipei-houston"}
    assert ids(Filters(country="China")) == {"daegu-ningbo", "taipei-ningbo"}
    assert ids(Filters(kind="friendship city")) == {"daegu-ningbo"}  # as founded
    # The footer counts the undated ties among those selected.
    assert (
        upcoming_anniversaries(REGISTRY, as_of, span, filters=Filters(city="Ningbo")).undated == 0
    )
    assert (
        upcoming_anniversaries(REGISTRY, as_of, span, filters=Filters(city="Houston")).undated == 1
    )


def test_report_leap_day_rule_from_the_registry_and_overridden() -> None:
    leap = tie("taipei-daegu", TAIPEI, DAEGU, "2012-02-29")
    as_of, span = D(2013, 2, 28), Span(2)
    by_default = upcoming_anniversaries(registry_of(leap), as_of, span)
    assert rows(by_default) == [("2013-02-28", "taipei-daegu", 1, "founding")]
    set_mar1 = registry_of(leap, leap_day=MAR1)
    assert rows(upcoming_anniversaries(set_mar1, as_of, span)) == [
        ("2013-03-01", "taipei-daegu", 1, "founding")
    ]
    assert upcoming_anniversaries(set_mar1, as_of, span).leap_day is MAR1
    overridden = upcoming_anniversaries(set_mar1, as_of, span, leap_day=FEB28)
    assert rows(overridden) == [("2013-02-28", "taipei-daegu", 1, "founding")]


def test_report_sorts_one_day_by_tie() -> None:
    same_day = registry_of(
        tie("taipei-houston", TAIPEI, HOUSTON, "1961-11-04"),
        tie("taipei-daegu", TAIPEI, DAEGU, "2010-11-04"),
        tie("daegu-ningbo", DAEGU, NINGBO, "2002-11-04"),
    )
    report = upcoming_anniversaries(same_day, D(2020, 11, 4), Span(1))
    assert [r.tie.title for r in report.rows] == [
        "Daegu–Ningbo",
        "Taipei–Daegu",
        "Taipei–Houston",
    ]


@pytest.mark.parametrize(
    ("on", "days", "expected"),
    [
        ("2020-11-04", 0, "today"),
        ("2020-11-05", 1, "tomorrow"),
        ("2020-11-16", 12, "in 12 days"),
        ("2020-11", None, "in November"),
        ("2021-01", None, "in January 2021"),
        ("2020", None, "in 2020"),
        ("2027", None, "in 2027"),
    ],
)
def test_when_text(on: str, days: int | None, expected: str) -> None:
    report = upcoming_anniversaries(REGISTRY, D(2020, 11, 4), Span(1))
    row = report.rows[0]
    from dataclasses import replace

    assert when_text(replace(row, on=parse_partial_date(on), days=days), D(2020, 11, 4)) == expected


# ---------------------------------------------------------------------------
# Properties


day_dates = st.dates(min_value=D(1800, 1, 1), max_value=D(2200, 12, 31))
leap_days = st.sampled_from([FEB28, MAR1])
spans = st.one_of(
    st.builds(Span, st.integers(1, 800), st.just(Unit.DAY)),
    st.builds(Span, st.integers(1, 100), st.just(Unit.WEEK)),
    st.builds(Span, st.integers(1, 30), st.just(Unit.MONTH)),
    st.builds(Span, st.integers(1, 3), st.just(Unit.YEAR)),
)
# Founding dates with a good share of 29 February.
foundings = st.one_of(
    day_dates,
    st.integers(1800, 2200).filter(calendar.isleap).map(lambda year: D(year, 2, 29)),
)


def is_anniversary(day: dt.date, founded: dt.date, rule: LeapDay) -> bool:
    """Independent of `anniversary_on`: is `day` an anniversary day of `founded`?"""
    if (day.month, day.day) == (founded.month, founded.day):
        return True
    if (founded.month, founded.day) != (2, 29) or calendar.isleap(day.year):
        return False
    return (day.month, day.day) == ((2, 28) if rule is FEB28 else (3, 1))


@settings(max_examples=300)
@given(founded=foundings, as_of=day_dates, span=spans, rule=leap_days)
def test_every_listed_anniversary_is_in_the_window_on_the_founding_day(
    founded: dt.date, as_of: dt.date, span: Span, rule: LeapDay
) -> None:
    registry = registry_of(tie("taipei-daegu", TAIPEI, DAEGU, founded.isoformat()))
    report = upcoming_anniversaries(registry, as_of, span, leap_day=rule)
    window = report.window
    listed_days = []
    for row in report.rows:
        day = row.on.to_date()
        assert day is not None
        assert day in window
        assert is_anniversary(day, founded, rule)
        assert row.ordinal == day.year - founded.year >= 1
        assert row.days == (day - as_of).days >= 0
        listed_days.append(day)
    # And nothing is missed: every anniversary day in the window is listed.
    every_day = (window.start + dt.timedelta(days=i) for i in range(window.days))
    expected = [
        day for day in every_day if day.year > founded.year and is_anniversary(day, founded, rule)
    ]
    assert listed_days == expected


@given(founded=day_dates, as_of=day_dates, years=st.integers(1, 5))
def test_a_window_of_n_years_holds_n_anniversaries_of_a_tie(
    founded: dt.date, as_of: dt.date, years: int
) -> None:
    if (founded.month, founded.day) == (2, 29) or founded.year >= as_of.year:
        return
    registry = registry_of(tie("taipei-daegu", TAIPEI, DAEGU, founded.isoformat()))
    report = upcoming_anniversaries(registry, as_of, Span(years, Unit.YEAR))
    assert len(report.rows) == years


@given(
    years_before=st.integers(-2, 100),
    month=st.integers(1, 12),
    precise_to_month=st.booleans(),
    as_of=day_dates,
    span=spans,
)
def test_less_precise_dates_are_listed_in_periods_touching_the_window(
    years_before: int, month: int, precise_to_month: bool, as_of: dt.date, span: Span
) -> None:
    year = as_of.year - years_before
    since = PartialDate(year, month) if precise_to_month else PartialDate(year)
    registry = registry_of(tie("taipei-daegu", TAIPEI, DAEGU, since.iso()))
    report = upcoming_anniversaries(registry, as_of, span)
    window = report.window
    for row in report.rows:
        assert row.days is None
        assert row.on.precision is since.precision
        assert row.on.month == since.month
        assert window.overlaps(row.on.earliest(), row.on.latest())
        assert row.ordinal == row.on.year - year >= 1
    # Every period that touches the window is listed, once.
    periods = {row.on for row in report.rows}
    assert len(periods) == len(report.rows)
    for y in window.years():
        period = PartialDate(y, since.month)
        if y > year and window.overlaps(period.earliest(), period.latest()):
            assert period in periods


def _ended_daegu(day: str) -> Registry:
    import dataclasses

    from sisterctl.model import StatusChange
    from sisterctl.store.read import load
    from tests.conftest import DATA

    registry = load(DATA / "anniversaries.toml")
    change = StatusChange("taipei-daegu", parse_partial_date(day), Status.ENDED)
    return dataclasses.replace(registry, status_changes=(change,))


def test_lapsed_anniversaries_are_apart_and_count_towards_the_limit() -> None:
    registry = _ended_daegu("2021-01-05")
    as_of, span = dt.date(2021, 1, 6), Span(3, Unit.YEAR)
    report = upcoming_anniversaries(registry, as_of, span, lapsed_for=365)
    assert [(row.tie.id, row.ordinal, row.status) for row in report.lapsed] == [
        ("taipei-daegu", 11, Status.ENDED),
        ("taipei-daegu", 12, Status.ENDED),
        ("taipei-daegu", 13, Status.ENDED),
    ]
    assert not [row for row in report.rows if row.tie.id == "taipei-daegu"]
    total = len(report.rows) + len(report.lapsed)
    upcoming_anniversaries(registry, as_of, span, lapsed_for=365, limit=total)
    with pytest.raises(TooManyAnniversaries):
        upcoming_anniversaries(registry, as_of, span, lapsed_for=365, limit=total - 1)
    # Past the time they are kept, they are left out, and count for nothing.
    later = upcoming_anniversaries(registry, as_of, span, lapsed_for=0)
    assert later.lapsed == () and later.rows == report.rows
    upcoming_anniversaries(registry, as_of, span, lapsed_for=0, limit=len(report.rows))
    # Without lapsed_for, an ended tie is left out whole, as `upcoming` has it.
    plain = upcoming_anniversaries(registry, as_of, span)
    assert plain.lapsed == () and plain.rows == report.rows
    # An end known to the month counts from its first day, and lasts past its last.
    month = upcoming_anniversaries(
        _ended_daegu("2021-11"), dt.date(2021, 1, 6), span, lapsed_for=365
    )
    assert [row.ordinal for row in month.lapsed] == [11, 12, 13]
    assert upcoming_anniversaries(
        _ended_daegu("2021-11"), dt.date(2022, 11, 30), span, lapsed_for=365
    ).lapsed


def test_a_revision_counts_the_dated_records_that_change_a_tie() -> None:
    registry = _ended_daegu("2021-01-05")
    report = upcoming_anniversaries(
        registry, dt.date(2020, 10, 20), Span(2, Unit.YEAR), lapsed_for=365
    )
    assert report.revisions == {
        "taipei-daegu": Revision(1, dt.date(2021, 1, 5)),
        "daegu-ningbo": Revision(1, dt.date(2013, 11, 12)),  # its upgrade
    }


# Span and Window are plain classes for start-up's sake (core/windows.py): they must
# behave as the frozen, slotted dataclasses they were.
@dataclasses.dataclass(frozen=True, slots=True)
class _SpanAsDataclass:
    count: int
    unit: Unit = Unit.DAY


@dataclasses.dataclass(frozen=True, slots=True)
class _WindowAsDataclass:
    start: dt.date
    last: dt.date


@given(
    st.tuples(st.integers(1, 400), st.sampled_from(Unit)),
    st.tuples(st.integers(1, 400), st.sampled_from(Unit)),
    st.tuples(st.dates(), st.dates()),
    st.tuples(st.dates(), st.dates()),
)
def test_spans_and_windows_compare_as_the_dataclasses_did(
    a: tuple[int, Unit], b: tuple[int, Unit], c: tuple[dt.date, dt.date], d: tuple[dt.date, dt.date]
) -> None:
    for new, old in ((Span, _SpanAsDataclass), (Window, _WindowAsDataclass)):
        x, y = (a, b) if new is Span else (c, d)
        got = (new(*x) == new(*y), new(*x) != new(*y), hash(new(*x)) == hash(new(*y)))
        assert got == (old(*x) == old(*y), old(*x) != old(*y), hash(old(*x)) == hash(old(*y)))
        assert repr(new(*x)) == repr(old(*x)).replace(old.__name__, new.__name__)
    assert Span(a[0]) == Span(a[0], Unit.DAY) and Span(*a) != a


def test_spans_and_windows_are_frozen_and_slotted() -> None:
    span, window = Span(30), Window.of(dt.date(2026, 12, 1), Span(30))
    assert window == Window(dt.date(2026, 12, 1), dt.date(2026, 12, 30))
    for value, name in ((span, "count"), (window, "start")):
        with pytest.raises(AttributeError):
            setattr(value, name, 1)
        with pytest.raises(AttributeError):
            delattr(value, name)
        assert not hasattr(value, "__dict__")
    match span:
        case Span(count, unit):
            assert (count, unit) == (30, Unit.DAY)
