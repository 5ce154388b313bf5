"""Founding anniversaries from what the index keeps of each tie (`core.facts.TieFacts`),
without model records: the rows `core.anniversaries.upcoming_anniversaries` gives
without agreements, row for row and in the same order.

`sisterctl upcoming` of a year lists an anniversary of nearly every tie: read as
model records (with their cities and agreements), a large registry takes most of a
second before the first row is made. What a row shows of a tie is little (its id,
cities, kind over time and present status), and the index keeps exactly that for
each tie; tests/test_listing.py and the property test of tests/test_index.py hold
the two reports to the same output. (A module of its own, with plain classes: the
command line that lists them starts without the dataclasses of the other.)
"""

from __future__ import annotations

import calendar
import datetime as dt
import operator
from collections.abc import Callable, Iterable
from typing import Any

from sisterctl.core.windows import Span, Window, is_milestone
from sisterctl.dates import PartialDate, Precision
from sisterctl.terms import LeapDay, Status

TYPE_CHECKING = False
if TYPE_CHECKING:
    from sisterctl.core.anniversaries import Anniversary
    from sisterctl.core.facts import TieFacts
    from sisterctl.model import Agreement

FOUNDING = "founding"

UPCOMING_FIELDS = (
    "date",
    "precision",
    "days",
    "ordinal",
    "milestone",
    "id",
    "city_a",
    "country_a",
    "city_b",
    "country_b",
    "kind",
    "what",
    "agreement",
    "since",
    "status",
)


class Listed:
    """A row of `listed_anniversaries`: an `Anniversary` of a tie's founding, with the
    tie's facts in place of its record."""

    __slots__ = ("days", "kind", "on", "ordinal", "tie")
    agreement: Agreement | None = None
    what = FOUNDING

    def __init__(self, tie: TieFacts, on: PartialDate, ordinal: int, days: int | None, kind: str):
        self.tie, self.on, self.ordinal, self.days, self.kind = tie, on, ordinal, days, kind

    @property
    def status(self) -> Status:
        return self.tie.status

    @property
    def since(self) -> PartialDate:
        since = self.tie.since
        assert since is not None
        return since

    @property
    def milestone(self) -> bool:
        return is_milestone(self.ordinal)

    @property
    def precision(self) -> Precision:
        return self.on.precision

    def as_dict(self) -> dict[str, Any]:
        """The row as `Anniversary.as_dict` gives it."""
        tie = self.tie
        (city_a, city_b), (country_a, country_b) = tie.names, tie.countries
        return {
            "date": self.on.iso(),
            "precision": self.precision.value,
            "days": self.days,
            "ordinal": self.ordinal,
            "milestone": self.milestone,
            "id": tie.id,
            "city_a": city_a,
            "country_a": country_a,
            "city_b": city_b,
            "country_b": country_b,
            "kind": self.kind,
            "what": FOUNDING,
            "agreement": None,
            "since": self.since.iso(),
            "status": tie.status.value,
        }


class Listing:
    """What `listed_anniversaries` found: an `UpcomingReport` of founding anniversaries
    (`overdue` always empty). A plain class, as `Listed` is: the command line that
    makes it starts without paying for a dataclass."""

    __slots__ = ("as_of", "leap_day", "rows", "span", "undated", "window")
    overdue: tuple[tuple[str, Agreement], ...] = ()

    def __init__(
        self,
        as_of: dt.date,
        span: Span,
        window: Window,
        leap_day: LeapDay,
        rows: tuple[Listed, ...],
        undated: int,
    ) -> None:
        self.as_of, self.span, self.window, self.leap_day = as_of, span, window, leap_day
        self.rows, self.undated = rows, undated


def listed_anniversaries(
    ties: Iterable[TieFacts],
    as_of: dt.date,
    within: Span = Span(30),
    *,
    leap_day: LeapDay = LeapDay.FEB28,
    include_ended: bool = False,
    milestones_only: bool = False,
    undated: int = 0,
) -> Listing:
    """The rows `upcoming_anniversaries` gives without agreements, from the facts of
    the ties it would select (any others among them, and ties with no founding date,
    are left out); `undated` is passed through, counted by the caller."""
    window = Window.of(as_of, within)
    years = window.years()
    start, last = window.start, window.last
    first, final = start.toordinal(), last.toordinal()
    today = as_of.toordinal()
    ended = Status.ENDED
    leap = calendar.isleap
    on_days: dict[int, PartialDate] = {}
    # The rows by (the last day they may fall on, 0 for a day, 1 a month, 2 a year):
    # the ties taken in `TieFacts.order` (a sort that finds them in order costs
    # nothing), each such list is in the order of Anniversary.sort_key, as it holds
    # one row of a tie at most.
    groups: dict[tuple[int, int], list[Listed]] = {}
    # Where in the window a founding's month and day (or month, or year alone) falls,
    # found once for all the ties that share it: for each year of the window, the
    # year, the date (as the row shows it, and as the tie's kind is taken on), the
    # days from today, and the list its rows go in.
    on_day: dict[int, list[_OnDay]] = {}
    in_month: dict[int, list[_InSpan]] = {}

    def falls_on(month: int, day: int) -> list[_OnDay]:
        found: list[_OnDay] = []
        for year in years:
            if month == 2 and day == 29 and not leap(year):
                when = dt.date(year, 3, 1) if leap_day is LeapDay.MAR1 else dt.date(year, 2, 28)
            else:
                when = dt.date(year, month, day)
            at = when.toordinal()
            if first <= at <= final:
                on = on_days.get(at)
                if on is None:
                    on = on_days[at] = PartialDate(when.year, when.month, when.day)
                found.append((year, on, when, at - today, groups.setdefault((at, 0), []).append))
        return found

    def falls_in(month: int) -> list[_InSpan]:
        found: list[_InSpan] = []
        for year in years:
            begin = dt.date(year, month, 1)
            end = begin.replace(day=calendar.monthrange(year, month)[1])
            if begin <= last and start <= end:
                add = groups.setdefault((end.toordinal(), 1), []).append
                found.append((year, PartialDate(year, month), end, add))
        return found

    in_year: list[_InSpan] = [
        (year, PartialDate(year), end, groups.setdefault((end.toordinal(), 2), []).append)
        for year in years
        for end in (dt.date(year, 12, 31),)
    ]
    for tie in sorted(ties, key=_TIE_ORDER):
        founded = tie.founded
        if founded is None or (tie.status is ended and not include_ended):
            continue
        year0, month, day_of_month = founded
        steps = tie.steps
        if day_of_month is not None and month is not None:
            hits = on_day.get(month * 32 + day_of_month)
            if hits is None:
                hits = on_day[month * 32 + day_of_month] = falls_on(month, day_of_month)
            for year, on, when, away, add in hits:
                number = year - year0
                if number < 1 or (milestones_only and not is_milestone(number)):
                    continue
                add(Listed(tie, on, number, away, tie.kind_on(when) if steps else tie.kind))
            continue
        if month is not None:
            spans = in_month.get(month)
            if spans is None:
                spans = in_month[month] = falls_in(month)
        else:
            spans = in_year
        for year, on, end, add in spans:
            number = year - year0
            if number < 1 or (milestones_only and not is_milestone(number)):
                continue
            add(Listed(tie, on, number, None, tie.kind_on(end) if steps else tie.kind))
    found_rows = tuple(row for key in sorted(groups) for row in groups[key])
    return Listing(as_of, within, window, leap_day, found_rows, undated)


# Where a founding falls in a window (listed_anniversaries): the year, the date the
# row shows, the day its kind is taken on, the days from today (a month or a year
# has none), and where its rows go.
_OnDay = tuple[int, PartialDate, dt.date, int, Callable[["Listed"], object]]
_InSpan = tuple[int, PartialDate, dt.date, Callable[["Listed"], object]]

# (sort, id), as TieFacts.order: attrgetter makes the keys without a Python call each.
_TIE_ORDER = operator.attrgetter("sort", "id")


def when_text(row: Anniversary | Listed, as_of: dt.date) -> str:
    """How far off: `today`, `tomorrow`, `in 12 days`; `in November`, `in 2027`."""
    if row.days is not None:
        if row.days == 0:
            return "today"
        if row.days == 1:
            return "tomorrow"
        return f"in {row.days} days"
    if row.precision is Precision.MONTH:
        assert row.on.month is not None
        name = calendar.month_name[row.on.month]
        return f"in {name}" if row.on.year == as_of.year else f"in {name} {row.on.year}"
    return f"in {row.on.year}"
