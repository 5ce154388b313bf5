"""Windows of days and the spans that make them, and how anniversaries are counted
and named: what both reports of anniversaries share (`core.anniversaries`, of model
records; `core.listing`, of the index's facts).

A window starts on the reference day, which counts, and is a length long: 30 days,
6 weeks, 3 calendar months or 1 calendar year (`Span`). Pure: the reference day is
always a parameter.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from enum import StrEnum

from sisterctl.dates import MAX_YEAR
from sisterctl.errors import Param, RefusedError, UsageError
from sisterctl.terms import LeapDay

MILESTONE_EVERY = 5
_SUFFIXES = {1: "st", 2: "nd", 3: "rd"}


def ordinal(n: int) -> str:
    """`1st`, `2nd`, `3rd`, `4th`, `11th`, `12th`, `13th`, `21st`, `101st`, `111th`."""
    if 11 <= n % 100 <= 13:
        return f"{n}th"
    return f"{n}{_SUFFIXES.get(n % 10, 'th')}"


def is_milestone(n: int) -> bool:
    """The anniversaries people celebrate: the 1st and every 5th."""
    return n == 1 or (n > 0 and n % MILESTONE_EVERY == 0)


# ---------------------------------------------------------------------------
# Windows


def _frozen(self: object, name: str, value: object = None) -> None:
    raise AttributeError(f"cannot assign to field {name!r}")


class Unit(StrEnum):
    DAY = "d"
    WEEK = "w"
    MONTH = "m"
    YEAR = "y"


_UNIT_NAMES = {Unit.DAY: "day", Unit.WEEK: "week", Unit.MONTH: "month", Unit.YEAR: "year"}
_SPAN_RE = re.compile(r"\s*(\d+)\s*([dwmy]?)\s*", re.IGNORECASE)


class Span:
    """A length of time from a reference day: `30` days, `6w`, `3m`, `1y`.

    (Frozen, slotted, equal and hashed by its fields as a frozen dataclass would be: a
    plain class, as `upcoming` makes one on every run and a dataclass costs start-up
    more than the rest of this module; tests/test_anniversaries.py holds them alike.)
    """

    __slots__ = ("count", "unit")
    __match_args__ = ("count", "unit")
    count: int
    unit: Unit

    def __init__(self, count: int, unit: Unit = Unit.DAY) -> None:
        object.__setattr__(self, "count", count)
        object.__setattr__(self, "unit", unit)

    __setattr__ = __delattr__ = _frozen

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.count, self.unit) == (other.count, other.unit)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.count, self.unit))

    def __repr__(self) -> str:
        return f"Span(count={self.count!r}, unit={self.unit!r})"

    def __str__(self) -> str:
        name = _UNIT_NAMES[self.unit]
        return f"{self.count} {name}" + ("" if self.count == 1 else "s")

    def end(self, start: dt.date) -> dt.date:
        """The first day after a span starting on `start` (the span holds `start`).

        Days and weeks are counted in days. Months and years are calendar months and
        years: the span ends the day before the same day of the month that many
        months later, so that 3 months from 15 January run through 14 April; when
        that day does not exist (1 month from 31 January), through the last day of
        the shorter month.
        """
        try:
            if self.unit is Unit.DAY:
                return start + dt.timedelta(days=self.count)
            if self.unit is Unit.WEEK:
                return start + dt.timedelta(weeks=self.count)
            months = self.count * (12 if self.unit is Unit.YEAR else 1)
            index = start.year * 12 + start.month - 1 + months
            year, month = divmod(index, 12)
            month += 1
            if year > MAX_YEAR:
                raise OverflowError
            if start.day > calendar.monthrange(year, month)[1]:
                # No such day: the span takes the whole shorter month.
                return dt.date(year, month, 1) + dt.timedelta(
                    days=calendar.monthrange(year, month)[1]
                )
            return dt.date(year, month, start.day)
        except (OverflowError, ValueError):
            raise RefusedError(
                f"a window of {self} from {start.isoformat()} ends after the year {MAX_YEAR}"
            ) from None


def parse_span(text: str) -> Span:
    """A span from `30`, `30d`, `6w`, `3m` or `1y` (the `within` of `upcoming`); refuse
    zero, negatives and the rest."""
    match = _SPAN_RE.fullmatch(text)
    if match is None or int(match.group(1)) == 0:
        raise UsageError(
            (
                Param.WITHIN,
                " takes a positive length: days (30), weeks (6w), months (3m) or "
                f"years (1y), not {text!r}",
            )
        )
    unit = Unit(match.group(2).lower() or "d")
    return Span(int(match.group(1)), unit)


class Window:
    """The days from `start` through `last`, both included. (A plain class, as `Span`
    is.)"""

    __slots__ = ("last", "start")
    __match_args__ = ("start", "last")
    start: dt.date
    last: dt.date

    def __init__(self, start: dt.date, last: dt.date) -> None:
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "last", last)

    __setattr__ = __delattr__ = _frozen

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.start, self.last) == (other.start, other.last)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.start, self.last))

    def __repr__(self) -> str:
        return f"Window(start={self.start!r}, last={self.last!r})"

    @classmethod
    def of(cls, start: dt.date, span: Span) -> Window:
        return cls(start, span.end(start) - dt.timedelta(days=1))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.last

    def overlaps(self, first: dt.date, last: dt.date) -> bool:
        return first <= self.last and self.start <= last

    @property
    def days(self) -> int:
        return (self.last - self.start).days + 1

    def years(self) -> range:
        return range(self.start.year, self.last.year + 1)


# ---------------------------------------------------------------------------
# Anniversaries of one date


def anniversary_on(founded: dt.date, year: int, leap_day: LeapDay = LeapDay.FEB28) -> dt.date:
    """The day in `year` on which the anniversary of `founded` falls.

    A date of 29 February falls on 28 February in common years (the last day of the
    month) or, with `LeapDay.MAR1`, on 1 March.
    """
    if (founded.month, founded.day) == (2, 29) and not calendar.isleap(year):
        return dt.date(year, 3, 1) if leap_day is LeapDay.MAR1 else dt.date(year, 2, 28)
    return dt.date(year, founded.month, founded.day)
