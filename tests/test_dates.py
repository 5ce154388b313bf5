"""Dates at their precision: parsing, ordering, and years between."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sisterctl.dates import (
    PartialDate,
    Precision,
    chronological,
    coerce_partial_date,
    parse_partial_date,
    years_between,
)
from sisterctl.errors import InvalidDateError


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("2010-11-04", PartialDate(2010, 11, 4), Precision.DAY),
        ("2002-10", PartialDate(2002, 10), Precision.MONTH),
        ("1997", PartialDate(1997), Precision.YEAR),
        ("2000-02-29", PartialDate(2000, 2, 29), Precision.DAY),
        ("0001-01-01", PartialDate(1, 1, 1), Precision.DAY),
        ("9999-12-31", PartialDate(9999, 12, 31), Precision.DAY),
        (" 2021-03-26 ", PartialDate(2021, 3, 26), Precision.DAY),
    ],
)
def test_valid_dates(text: str, expected: PartialDate, precision: Precision) -> None:
    date = parse_partial_date(text)
    assert date == expected
    assert date.precision is precision
    assert date.iso() == text.strip()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2021-02-30", "February 2021 has 28 days"),
        ("2100-02-29", "February 2100 has 28 days"),
        ("2019-02-29", "February 2019 has 28 days"),
        ("2021-04-31", "April 2021 has 30 days"),
        ("2021-13", "there is no month 13"),
        ("2021-00-10", "there is no month 0"),
        ("0000", "the year must be 0001 to 9999"),
        ("10000-01-01", "write YYYY-MM-DD"),
        ("21-03-26", "write YYYY-MM-DD"),
        ("2021/03/26", "write YYYY-MM-DD"),
        ("٢٠٢١-٠٣-٢٦", "write YYYY-MM-DD"),  # Arabic-Indic digits
        ("March 2021", "write YYYY-MM-DD"),
        ("", "write YYYY-MM-DD"),
    ],
)
def test_invalid_dates(text: str, reason: str) -> None:
    with pytest.raises(InvalidDateError) as info:
        parse_partial_date(text)
    assert reason in str(info.value)


def test_toml_dates_and_strings_agree() -> None:
    assert coerce_partial_date(dt.date(2010, 11, 4)) == coerce_partial_date("2010-11-04")
    with pytest.raises(InvalidDateError):
        coerce_partial_date(dt.datetime(2010, 11, 4, 9, 30))
    with pytest.raises(InvalidDateError):
        coerce_partial_date(2010)


def test_a_year_sorts_before_its_months_and_days() -> None:
    dates = [PartialDate(2017, 8, 19), PartialDate(2017), PartialDate(2017, 8), PartialDate(2016)]
    assert [d.iso() for d in sorted(dates, key=lambda d: d.sort_key)] == [
        "2016",
        "2017",
        "2017-08",
        "2017-08-19",
    ]


@pytest.mark.parametrize(
    ("start", "as_of", "expected"),
    [
        ("2010-11-04", dt.date(2020, 11, 4), (10, 10)),
        ("2010-11-04", dt.date(2020, 11, 3), (9, 9)),
        ("2010-11", dt.date(2020, 12, 1), (10, 10)),
        ("2010-11", dt.date(2020, 11, 15), (9, 10)),
        ("1997", dt.date(2026, 11, 28), (28, 29)),
        ("1997", dt.date(2026, 12, 31), (29, 29)),
        ("2000-02-29", dt.date(2001, 2, 28), (0, 0)),
        ("2000-02-29", dt.date(2001, 3, 1), (1, 1)),
        # Not founded yet, or perhaps not yet: no year completed, never a negative count.
        ("2026-12-25", dt.date(2026, 11, 28), (0, 0)),
        ("2030", dt.date(2026, 11, 28), (0, 0)),
        ("2026", dt.date(2026, 11, 28), (0, 0)),
        ("2026-11", dt.date(2026, 11, 28), (0, 0)),
    ],
)
def test_years_between(start: str, as_of: dt.date, expected: tuple[int, int]) -> None:
    assert years_between(parse_partial_date(start), as_of) == expected


@given(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_any_real_day_round_trips(day: dt.date) -> None:
    date = parse_partial_date(day.isoformat())
    assert date.to_date() == day
    assert date.iso() == day.isoformat()


@given(st.dates(), st.dates())
def test_years_between_brackets_the_truth(start: dt.date, as_of: dt.date) -> None:
    year_only = PartialDate(start.year)
    low, high = years_between(year_only, as_of)
    exact, _ = years_between(PartialDate.from_date(start), as_of)
    assert low <= exact <= high
    assert high - low <= 1


def test_certainly_before_at_every_precision() -> None:
    founded = parse_partial_date("2010-11-04")
    assert parse_partial_date("2009").certainly_before(founded)
    assert parse_partial_date("2010-10").certainly_before(founded)
    assert not parse_partial_date("2010").certainly_before(founded)  # maybe December
    assert not parse_partial_date("2010-11").certainly_before(founded)
    assert not founded.certainly_before(founded)
    assert founded.certainly_before(founded, or_same=True)
    assert not parse_partial_date("2010").certainly_before(founded, or_same=True)


def test_chronological_order_as_a_history_reads() -> None:
    dated = ["2017-08-19", "2017", "2021-03-26", "2017-08", "1997"]
    dates = [parse_partial_date(text) for text in dated]
    assert [d.iso() for d in sorted(dates, key=chronological)] == [
        "1997",
        "2017",
        "2017-08",
        "2017-08-19",
        "2021-03-26",
    ]
    # Unknown dates last; a planned event known to its year or month after the dated
    # events of that period.
    assert chronological(None) > chronological(PartialDate(9999, 12, 31))
    planned_2021 = chronological(PartialDate(2021), planned=True)
    assert (
        chronological(PartialDate(2021, 12, 31)) < planned_2021 < chronological(PartialDate(2022))
    )
    planned_march = chronological(PartialDate(2021, 3), planned=True)
    assert chronological(PartialDate(2021, 3, 31)) < planned_march
    assert planned_march < chronological(PartialDate(2021, 4))
    assert chronological(PartialDate(2021, 3, 26), planned=True) == (2021, 3, 26)


# PartialDate is a plain class for start-up's sake: it must behave as the frozen,
# slotted, ordered dataclass it was.
@dataclasses.dataclass(frozen=True, slots=True, order=True)
class _AsDataclass:
    year: int
    month: int | None = None
    day: int | None = None


_parts = st.tuples(
    st.integers(1, 9999), st.one_of(st.none(), st.integers(1, 12)), st.integers(1, 28)
).map(lambda t: t if t[1] is not None else (t[0], None, None))


@given(_parts, _parts)
def test_a_partial_date_compares_as_the_dataclass_did(a: tuple, b: tuple) -> None:
    x, y = PartialDate(*a), PartialDate(*b)
    dx, dy = _AsDataclass(*a), _AsDataclass(*b)
    assert (x == y, x != y, hash(x) == hash(y)) == (dx == dy, dx != dy, hash(dx) == hash(dy))
    if (a[1] is None) == (b[1] is None):  # the dataclass cannot order None against a month
        assert (x < y, x <= y, x > y, x >= y) == (dx < dy, dx <= dy, dx > dy, dx >= dy)
    assert repr(x) == repr(dx).replace("_AsDataclass", "PartialDate")


def test_a_partial_date_is_frozen_slotted_and_matched_by_position() -> None:
    date = PartialDate(2010, 11, 4)
    with pytest.raises(AttributeError):
        date.year = 2011  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del date.day
    assert not hasattr(date, "__dict__")
    assert date != (2010, 11, 4) and PartialDate(2010) == PartialDate(2010, None, None)
    with pytest.raises(TypeError):
        _ = date < (2010, 11, 5)  # type: ignore[operator]
    match date:
        case PartialDate(year, month, day):
            assert (year, month, day) == (2010, 11, 4)
    assert copy.deepcopy(date) == date and pickle.loads(pickle.dumps(date)) == date
    assert sorted([PartialDate(2017, 8, 19), PartialDate(2010, 11, 4)]) == [
        PartialDate(2010, 11, 4),
        PartialDate(2017, 8, 19),
    ]
