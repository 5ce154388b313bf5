"""Dates at the precision their sources give: a day, a month, a year, or unknown.

Pure: no I/O, and no notion of "today"; callers pass the reference day.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from functools import lru_cache

from sisterctl.errors import InvalidDateError


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"


# ASCII digits only: `\d` would also take "٢٠١٠" (Arabic-Indic digits), which no schema or
# other tool reads as a year.
_DATE_RE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")

MIN_YEAR = 1
MAX_YEAR = 9999


class PartialDate:
    """A date known to the day, the month or the year. Unknown dates are `None`.

    `sort_key` (and `chronological`) sorts a year before its months and a month
    before its days, which is the order people expect in a timeline ("2017" before
    "2017-08-19"); `<` and the other operators compare (year, month, day), so only
    dates of one precision.

    Frozen, slotted, equal, hashed and ordered as the frozen dataclass of `year`,
    `month` and `day` it was: a plain class, because every command imports this
    module and a dataclass costs start-up a millisecond to create (tests/test_dates.py
    holds the two alike).
    """

    __slots__ = ("day", "month", "year")
    __match_args__ = ("year", "month", "day")

    year: int
    month: int | None
    day: int | None

    def __init__(self, year: int, month: int | None = None, day: int | None = None) -> None:
        setter = object.__setattr__
        setter(self, "year", year)
        setter(self, "month", month)
        setter(self, "day", day)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return f"PartialDate(year={self.year!r}, month={self.month!r}, day={self.day!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.year, self.month, self.day) == (other.year, other.month, other.day)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.year, self.month, self.day))

    def _fields(self, other: object) -> tuple[tuple[object, ...], tuple[object, ...]] | None:
        if other.__class__ is self.__class__:
            return (self.year, self.month, self.day), (other.year, other.month, other.day)
        return None

    def __lt__(self, other: object) -> bool:
        pair = self._fields(other)
        return NotImplemented if pair is None else pair[0] < pair[1]

    def __le__(self, other: object) -> bool:
        pair = self._fields(other)
        return NotImplemented if pair is None else pair[0] <= pair[1]

    def __gt__(self, other: object) -> bool:
        pair = self._fields(other)
        return NotImplemented if pair is None else pair[0] > pair[1]

    def __ge__(self, other: object) -> bool:
        pair = self._fields(other)
        return NotImplemented if pair is None else pair[0] >= pair[1]

    def __getstate__(self) -> tuple[int, int | None, int | None]:
        return (self.year, self.month, self.day)

    def __setstate__(self, state: tuple[int, int | None, int | None]) -> None:
        setter = object.__setattr__
        setter(self, "year", state[0])
        setter(self, "month", state[1])
        setter(self, "day", state[2])

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    def iso(self) -> str:
        """The date as ISO 8601 at its precision: `2010-11-04`, `2002-10`, `1997`."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def __str__(self) -> str:
        return self.iso()

    def to_date(self) -> dt.date | None:
        """The exact day, or None when the day is not known."""
        if self.day is None or self.month is None:
            return None
        return dt.date(self.year, self.month, self.day)

    def earliest(self) -> dt.date:
        """The first day this date may stand for."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> dt.date:
        """The last day this date may stand for."""
        if self.day is not None and self.month is not None:
            return dt.date(self.year, self.month, self.day)
        if self.month is not None:
            return _last_day_of_month(self.year, self.month)
        return dt.date(self.year, 12, 31)

    def certainly_before(self, other: PartialDate, *, or_same: bool = False) -> bool:
        """Whether every day this date may stand for comes before every day of `other`
        (or, with `or_same`, on or before it): 2009 is before 2010-11-04; 2010 is not,
        it may be later in 2010."""
        if or_same:
            return self.latest() <= other.earliest()
        return self.latest() < other.earliest()

    @classmethod
    def from_date(cls, value: dt.date) -> PartialDate:
        return cls(value.year, value.month, value.day)


def chronological(date: PartialDate | None, *, planned: bool = False) -> tuple[int, int, int]:
    """A sort key for events in date order, as people read a history: a year before
    its months and a month before its days ("2017" before "2017-08-19"), unknown dates
    last. A *planned* event known only to its year or month comes after that period's
    dated events instead: it was announced for later."""
    if date is None:
        return (MAX_YEAR + 1, 0, 0)
    if planned:
        return (date.year, date.month or 13, date.day or 32)
    return date.sort_key


def _last_day_of_month(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def parse_partial_date(text: str) -> PartialDate:
    """Parse `YYYY-MM-DD`, `YYYY-MM` or `YYYY`; raise InvalidDateError otherwise.

    >>> parse_partial_date("2010-11-04").precision.value
    'day'
    """
    return _parse_partial_date(text)


@lru_cache(maxsize=65536)
def _parse_partial_date(text: str) -> PartialDate:
    """parse_partial_date, once for each text (a registry has many equal dates, and a
    PartialDate is frozen: equal dates may be one object)."""
    value = text.strip()
    match = _DATE_RE.fullmatch(value)
    if match is None:
        raise InvalidDateError(
            f"{text!r} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2021-03-26)"
        )
    year = int(match.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidDateError(f"{text!r} is not a date: the year must be 0001 to 9999")
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if month is not None and not 1 <= month <= 12:
        raise InvalidDateError(f"{text!r} is not a date: there is no month {month}")
    if day is not None:
        assert month is not None
        last = _last_day_of_month(year, month).day
        if not 1 <= day <= last:
            raise InvalidDateError(
                f"{text!r} is not a date: {dt.date(year, month, 1):%B %Y} has {last} days"
            )
    return PartialDate(year, month, day)


#: The words every date option takes for a day counted from the reference day.
DAY_WORDS = {"today": 0, "yesterday": -1, "tomorrow": 1}
#: What a date option accepts, by the precision it needs, as its messages say it.
ACCEPTED = {
    None: "YYYY-MM-DD, YYYY-MM or YYYY (as precise as the source), or today, yesterday or tomorrow",
    Precision.DAY: "YYYY-MM-DD (e.g. 2026-11-28), or today, yesterday or tomorrow",
    Precision.YEAR: "YYYY (e.g. 2010)",
}
_UNKNOWN_WORD = "unknown"


def date_option(
    text: str,
    *,
    option: str,
    today: dt.date,
    precision: Precision | None = None,
    unknown: bool = False,
) -> PartialDate | None:
    """A date as typed on a command line for `option` (`--date`, `--as-of`): ISO 8601
    at any precision or `today`, `yesterday`, `tomorrow` (counted from `today`); with
    `precision`, only a date of that precision; with `unknown`, the word `unknown`
    stands for no date (None). Every mistake is one InvalidDateError, worded the same
    for every option: `--as-of: '2026-11' is a month, not a day: write YYYY-MM-DD ...`.
    """
    value = text.strip()
    word = value.lower()
    if unknown and word == _UNKNOWN_WORD:
        return None
    accepted = ACCEPTED[precision]
    if unknown:
        accepted += ", or unknown"
    if word in DAY_WORDS:
        date = PartialDate.from_date(today + dt.timedelta(days=DAY_WORDS[word]))
    elif _DATE_RE.fullmatch(value) is None:
        what = "year" if precision is Precision.YEAR else "date"
        raise InvalidDateError(f"{option}: {text!r} is not a {what}: write {accepted}")
    else:
        try:
            date = parse_partial_date(value)
        except InvalidDateError as exc:
            raise InvalidDateError(f"{option}: {exc}") from None
    if precision is not None and date.precision is not precision:
        if precision is Precision.YEAR and word in DAY_WORDS:
            return PartialDate(date.year)  # `--since today`: this year
        raise InvalidDateError(
            f"{option}: {text!r} is a {date.precision.value}, not a {precision.value}: "
            f"write {accepted}"
        )
    return date


def coerce_partial_date(value: object) -> PartialDate:
    """A date from a registry value: a string at any precision, or a TOML date."""
    if isinstance(value, dt.datetime):
        raise InvalidDateError("a date must not carry a time of day")
    if isinstance(value, dt.date):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, str):
        return parse_partial_date(value)
    raise InvalidDateError(
        f'expected a date such as "2010-11-04", "2010-11" or "2010", got {value!r}'
    )


def years_between(start: PartialDate, as_of: dt.date) -> tuple[int, int]:
    """Completed years from `start` to `as_of`, as (fewest, most) possible.

    The two are equal when the precision of `start` is enough to tell; a tie known
    only to its year may have had its anniversary this year or not yet. Never below 0:
    a tie founded after `as_of` (or perhaps after it, later in its year) has completed
    none.
    """
    earliest, latest = start.earliest(), start.latest()

    def completed(since: dt.date) -> int:
        years = as_of.year - since.year
        if (as_of.month, as_of.day) < (since.month, since.day):
            years -= 1
        return max(years, 0)

    return completed(latest), completed(earliest)
