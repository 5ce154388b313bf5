"""Anniversaries: which fall in a window of days after a reference day.

Pure date arithmetic over a registry. The reference day (`as_of`) is always a
parameter; nothing here asks for today's date.

A window starts on the reference day, which counts, and is a length long: 30 days,
6 weeks, 3 calendar months or 1 calendar year (`Span`). An anniversary is listed at
the precision of the date it commemorates: a tie founded on a known day has its
anniversary on a day; one known only to its month, in a month; one known only to
its year, in a year. No day is ever invented.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sisterctl.core.facts import folded_title

# What both reports share, and the report from the index's facts: here too.
from sisterctl.core.listing import FOUNDING as FOUNDING
from sisterctl.core.listing import UPCOMING_FIELDS as UPCOMING_FIELDS
from sisterctl.core.listing import Listed as Listed
from sisterctl.core.listing import Listing as Listing
from sisterctl.core.listing import listed_anniversaries as listed_anniversaries
from sisterctl.core.listing import when_text as when_text
from sisterctl.core.windows import MILESTONE_EVERY as MILESTONE_EVERY
from sisterctl.core.windows import Span as Span
from sisterctl.core.windows import Unit as Unit
from sisterctl.core.windows import Window as Window
from sisterctl.core.windows import anniversary_on as anniversary_on
from sisterctl.core.windows import is_milestone as is_milestone
from sisterctl.core.windows import ordinal as ordinal
from sisterctl.core.windows import parse_span as parse_span
from sisterctl.dates import PartialDate, Precision
from sisterctl.errors import RefusedError
from sisterctl.terms import LeapDay, Status
from sisterctl.text import fold

# The model and the query are imported where records are used: `upcoming` of the
# command line reads none (`listed_anniversaries`), and starts without them.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from sisterctl.core.query import Filters
    from sisterctl.model import Agreement, Partnership, Registry, TieState

# ---------------------------------------------------------------------------
# Anniversaries of one date


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One anniversary of a date: on a day, in a month, or in a year."""

    on: PartialDate
    ordinal: int

    @property
    def day(self) -> dt.date | None:
        return self.on.to_date()


def occurrences(
    since: PartialDate, window: Window, leap_day: LeapDay = LeapDay.FEB28
) -> Iterator[Occurrence]:
    """The anniversaries (1st and later) of `since` that fall in, or may fall in, `window`.

    A date known to the day gives the anniversaries on days in the window; one known
    to the month, those whose month overlaps the window; one known to the year, one
    for each year the window touches.
    """
    for year in window.years():
        n = year - since.year
        if n < 1:
            continue
        if since.precision is Precision.DAY:
            founded = since.to_date()
            assert founded is not None
            day = anniversary_on(founded, year, leap_day)
            if day in window:
                yield Occurrence(PartialDate.from_date(day), n)
        elif since.precision is Precision.MONTH:
            month = PartialDate(year, since.month)
            if window.overlaps(month.earliest(), month.latest()):
                yield Occurrence(month, n)
        else:
            yield Occurrence(PartialDate(year), n)


# ---------------------------------------------------------------------------
# The report


@dataclass(frozen=True, slots=True)
class Anniversary:
    """One row of `sisterctl upcoming`: an anniversary of a tie or of an agreement."""

    tie: Partnership
    on: PartialDate  # the day, month or year of the anniversary
    ordinal: int
    since: PartialDate  # the date it commemorates
    days: int | None  # from the reference day, when the day is known
    kind: str  # the tie's kind on that day (upgrades counted)
    status: Status
    agreement: Agreement | None = None

    @property
    def milestone(self) -> bool:
        return is_milestone(self.ordinal)

    @property
    def precision(self) -> Precision:
        return self.on.precision

    @property
    def what(self) -> str:
        """`founding`, or the kind of agreement (`reaffirmation`)."""
        return self.agreement.kind if self.agreement is not None else FOUNDING

    def as_dict(self) -> dict[str, Any]:
        """The row as plain data, with the fields of `UPCOMING_FIELDS`."""
        a, b = self.tie.cities
        return {
            "date": self.on.iso(),
            "precision": self.precision.value,
            "days": self.days,
            "ordinal": self.ordinal,
            "milestone": self.milestone,
            "id": self.tie.id,
            "city_a": a.name,
            "country_a": a.country,
            "city_b": b.name,
            "country_b": b.country,
            "kind": self.kind,
            "what": self.what,
            "agreement": self.agreement.title if self.agreement is not None else None,
            "since": self.since.iso(),
            "status": self.status.value,
        }

    @property
    def sort_key(self) -> tuple[dt.date, int, str, str, int]:
        """Chronological by the last day the anniversary may fall on, so that a month
        comes after its days and a year after its months; then by tie."""
        rank = _RANK[self.precision]
        return (self.on.latest(), rank, fold(self.tie.title), self.tie.id, self.ordinal)


@dataclass(frozen=True, slots=True)
class Revision:
    """How often the registry's dated records have changed a tie's anniversaries, and
    the day of the latest: its status changes (its record's own `status_date` among
    them) and its upgrades. Nothing in a registry says when a record was written, so
    these dates stand in for that."""

    count: int
    last: dt.date


@dataclass(frozen=True)
class UpcomingReport:
    """What `upcoming_anniversaries` found."""

    as_of: dt.date
    span: Span
    window: Window
    leap_day: LeapDay
    rows: tuple[Anniversary, ...]
    undated: int  # ties selected whose founding date is not known
    #: With agreements: the planned agreements of the ties selected whose date has
    #: passed, as (id, agreement), in date order.
    overdue: tuple[tuple[str, Agreement], ...] = ()
    #: With `lapsed_for`: the anniversaries in the window that ties ended or suspended
    #: no more than that many days before the reference day would have had on and
    #: after the day they ended or were suspended, in the order of `rows`.
    lapsed: tuple[Anniversary, ...] = ()
    #: The Revision of each tie in `rows` or `lapsed` that has one, by tie id.
    revisions: Mapping[str, Revision] = field(default_factory=dict)


def revision(registry: Registry, tie: Partnership) -> Revision | None:
    """The Revision of a tie, or None when no dated record has changed it."""
    days = [c.date.earliest() for c in registry.status_changes_of(tie)]
    if tie.status_date is not None:
        days.append(tie.status_date.earliest())
    days.extend(
        a.date.earliest()
        for a in registry.agreements_of(tie)
        if a.to_kind and not a.planned and a.date is not None
    )
    return Revision(len(days), max(days)) if days else None


def lapses(state: TieState, as_of: dt.date, lapsed_for: int) -> tuple[dt.date, bool] | None:
    """When a tie's anniversaries stop: (the first day they may, whether they are still
    kept as `lapsed` on `as_of`), for a tie ended or suspended on a known date; None
    for one that is active, of unknown status, or whose end has no date."""
    if state.status not in (Status.ENDED, Status.SUSPENDED) or state.since is None:
        return None
    # A change known to its month or year stops the anniversaries that may fall after
    # its first day, and keeps them listed until lapsed_for days after its last.
    kept = (as_of - state.since.latest()).days <= lapsed_for
    return state.since.earliest(), kept


class TooManyAnniversaries(RefusedError):
    """More anniversaries in a window than the caller can use."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit:,} anniversaries in the window")
        self.limit = limit


def upcoming_anniversaries(
    registry: Registry,
    as_of: dt.date,
    within: Span = Span(30),
    *,
    filters: Filters | None = None,
    include_agreements: bool = False,
    include_ended: bool = False,
    milestones_only: bool = False,
    leap_day: LeapDay | None = None,
    limit: int | None = None,
    lapsed_for: int | None = None,
) -> UpcomingReport:
    """The anniversaries of ties (and, if asked, of their later agreements) in the
    window of `within` from `as_of`, the reference day included.

    Ended ties are left out unless `include_ended`. `leap_day` overrides the
    registry's own rule for ties founded on 29 February. With a `limit`, more
    anniversaries than that raise TooManyAnniversaries as soon as they are found (a
    thousand years of 2,000 ties is two million of them).

    With `lapsed_for` (a number of days, and not `include_ended`), a tie ended or
    suspended on a known date keeps in `rows` only the anniversaries that fall
    before that date; those that may fall on or after it are in `lapsed` while the
    reference day is no more than `lapsed_for` days after the change, and are left
    out after that. A tie ended on no known date is left out, and one suspended on
    no known date listed, as without it.
    """
    from sisterctl.core.query import Filters, select

    rule = leap_day or registry.leap_day
    window = Window.of(as_of, within)
    ties = select(registry, filters or Filters())
    rows: list[Anniversary] = []
    keys: list[tuple[dt.date, int, str, str, int]] = []  # each row's sort_key
    lapsed: list[Anniversary] = []
    lapsed_keys: list[tuple[dt.date, int, str, str, int]] = []
    revisions: dict[str, Revision] = {}
    lapsing = lapsed_for is not None and not include_ended
    room = limit or 0  # how many more rows `limit` allows beside the lapsed ones
    undated = 0
    # A year's window may hold 26,000 anniversaries: the loop below is written for
    # speed. Its rows and their order are those of the plain definition, occurrences()
    # of each date sorted by Anniversary.sort_key (tests/test_anniversaries.py holds
    # the two to the same results).
    years = window.years()
    start, last = window.start, window.last
    ended = Status.ENDED
    changes_of = registry.status_changes_of
    agreements_of = registry.agreements_of
    days: dict[dt.date, PartialDate] = {}
    folds: dict[str, str] = {}  # fold of each city's name: ties share their cities
    for tie in ties:
        stop: tuple[dt.date, bool] | None = None
        if lapsing and (tie.status_date is not None or changes_of(tie)):
            state = registry.state(tie)
            status = state.status
            assert lapsed_for is not None
            stop = lapses(state, as_of, lapsed_for)
            if status is ended and stop is None:
                continue
        else:
            status = registry.state(tie).status if changes_of(tie) else tie.status
            if status is ended and not include_ended:
                continue
        if tie.established is None and (status is not ended or include_ended):
            undated += 1
        dates: list[tuple[PartialDate, Agreement | None]] = []
        if tie.established is not None:
            dates.append((tie.established, None))
        if include_agreements:
            dates.extend((a.date, a) for a in _later_agreements(registry, tie) if a.date)
        upgrades = bool(agreements_of(tie))
        title: str | None = None
        begin = len(rows)
        for since, agreement in dates:
            found: Iterator[tuple[PartialDate, int, dt.date | None, dt.date]]
            if since.month is None:
                found = _in_years(since, years)
            elif since.day is None:
                found = _in_months(since, years, start, last)
            else:
                found = _on_days(since, years, start, last, rule, days)
            if stop is not None and not stop[1]:  # lapsed too long ago: left out
                found = _before(found, stop[0])
            for on, number, day, latest in found:
                if milestones_only and not is_milestone(number):
                    continue
                rows.append(
                    Anniversary(
                        tie,
                        on,
                        number,
                        since,
                        (day - as_of).days if day is not None else None,
                        registry.kind_on(tie, day or latest) if upgrades else tie.kind,
                        status,
                        agreement,
                    )
                )
                if limit is not None and len(rows) > room:
                    raise TooManyAnniversaries(limit)
                if title is None:
                    title = folded_title(tie, folds)
                    if upgrades or tie.status_date is not None or changes_of(tie):
                        found_revision = revision(registry, tie)
                        if found_revision is not None:
                            revisions[tie.id] = found_revision
                rank = 0 if day is not None else _RANK[on.precision]
                keys.append((latest, rank, title, tie.id, number))
        if stop is not None and stop[1] and len(rows) > begin:
            # The tie's rows that may fall on or after the change lapse (the rare
            # case, done apart so that the loop above stays as it was).
            found_rows, found_keys = rows[begin:], keys[begin:]
            del rows[begin:], keys[begin:]
            for row, key in zip(found_rows, found_keys, strict=True):
                lapses_now = key[0] >= stop[0]  # key[0]: the last day it may fall on
                (lapsed if lapses_now else rows).append(row)
                (lapsed_keys if lapses_now else keys).append(key)
            room = (limit or 0) - len(lapsed)
    order = sorted(range(len(rows)), key=keys.__getitem__)
    overdue: list[tuple[str, Agreement]] = []
    if include_agreements:
        for tie in ties:
            if not include_ended and registry.state(tie).status is ended:
                continue
            overdue.extend(
                (registry.record_id(a), a) for a in agreements_of(tie) if a.overdue(as_of)
            )
        overdue.sort(key=lambda item: item[1].date.sort_key if item[1].date else (0, 0, 0))
    lapsed_order = sorted(range(len(lapsed)), key=lapsed_keys.__getitem__)
    return UpcomingReport(
        as_of,
        within,
        window,
        rule,
        tuple(rows[i] for i in order),
        undated,
        tuple(overdue),
        tuple(lapsed[i] for i in lapsed_order),
        revisions,
    )


_RANK = {Precision.DAY: 0, Precision.MONTH: 1, Precision.YEAR: 2}


# occurrences() for each precision, as (on, ordinal, the day or None, on.latest()).


def _before(
    found: Iterator[tuple[PartialDate, int, dt.date | None, dt.date]], stop: dt.date
) -> Iterator[tuple[PartialDate, int, dt.date | None, dt.date]]:
    """The anniversaries of `found` that certainly fall before `stop`."""
    return (item for item in found if item[3] < stop)


def _in_years(since: PartialDate, years: range) -> Iterator[tuple[PartialDate, int, None, dt.date]]:
    for year in years:
        if year > since.year:
            yield PartialDate(year), year - since.year, None, dt.date(year, 12, 31)


def _in_months(
    since: PartialDate, years: range, start: dt.date, last: dt.date
) -> Iterator[tuple[PartialDate, int, None, dt.date]]:
    month = since.month
    assert month is not None
    for year in years:
        if year > since.year:
            first = dt.date(year, month, 1)
            final = first.replace(day=calendar.monthrange(year, month)[1])
            if first <= last and start <= final:
                yield PartialDate(year, month), year - since.year, None, final


def _on_days(
    since: PartialDate,
    years: range,
    start: dt.date,
    last: dt.date,
    rule: LeapDay,
    days: dict[dt.date, PartialDate],
) -> Iterator[tuple[PartialDate, int, dt.date, dt.date]]:
    month, day_of_month = since.month, since.day
    assert month is not None and day_of_month is not None
    leap = (month, day_of_month) == (2, 29)
    for year in years:
        number = year - since.year
        if number < 1:
            continue
        if leap and not calendar.isleap(year):
            day = dt.date(year, 3, 1) if rule is LeapDay.MAR1 else dt.date(year, 2, 28)
        else:
            day = dt.date(year, month, day_of_month)
        if start <= day <= last:
            on = days.get(day)
            if on is None:  # one PartialDate for each day of the window, shared
                on = days[day] = PartialDate(year, day.month, day.day)
            yield on, number, day, day


def _later_agreements(registry: Registry, tie: Partnership) -> Iterator[Agreement]:
    """Agreements signed on a tie after it was founded: not planned ones, and not the
    founding agreement, whose anniversary is the tie's own."""
    for agreement in registry.agreements_of(tie):
        if agreement.planned or agreement.date is None:
            continue
        if fold(agreement.kind) == FOUNDING:
            continue
        if tie.established is not None and agreement.date == tie.established:
            continue
        yield agreement
