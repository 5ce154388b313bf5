"""Timelines: the life of one tie in date order, and a city's network over time.

Pure: returns dataclasses, never prints, never asks for today's date (`as_of` is a
parameter). Dates keep the precision their sources give; an anniversary of a tie known
only to its year is itself known only to its year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sisterctl.core.anniversaries import anniversary_on, is_milestone, ordinal
from sisterctl.core.query import age, resolve_city
from sisterctl.core.stats import Count, per_decade
from sisterctl.dates import MAX_YEAR, PartialDate, chronological
from sisterctl.model import (
    Agreement,
    City,
    LeapDay,
    Partnership,
    Registry,
    Signatory,
    Status,
    TieState,
)


class EventKind(StrEnum):
    """What happened, as a timeline groups it; each has its own marker when drawn."""

    FOUNDING = "founding"
    ANNIVERSARY = "anniversary"  # a milestone anniversary that has passed
    AGREEMENT = "agreement"
    UPGRADE = "upgrade"  # an agreement that changed the tie's kind
    EXCHANGE = "exchange"
    SUSPENDED = "suspended"
    ENDED = "ended"
    RESUMED = "resumed"
    NEXT_ANNIVERSARY = "next anniversary"


# Events on the same date are shown in this order.
_RANK = {kind: rank for rank, kind in enumerate(EventKind)}


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One event in a tie's life.

    `label` is the word for it shown beside the marker: "founded", the agreement's or
    exchange's own kind ("reaffirmation", "delegation"), "anniversary", "ended".
    """

    kind: EventKind
    date: PartialDate | None
    label: str
    title: str
    details: str | None = None
    signatories: tuple[Signatory, ...] = ()
    mode: str | None = None
    venue: str | None = None
    fields: tuple[str, ...] = ()
    notes: str | None = None  # an agreement's notes: context, and what sources say
    planned: bool = False
    overdue: bool = False  # planned, for a date that has passed
    ordinal: int | None = None  # anniversaries: the number of years completed
    milestone: bool = False
    days_away: int | None = None  # the next anniversary, when known to the day


@dataclass(frozen=True, slots=True)
class YearGroup:
    """The events of one year; `year` is None for events whose date is unknown."""

    year: int | None
    events: tuple[TimelineEvent, ...]


@dataclass(frozen=True)
class TieTimeline:
    """One tie's history as of a day: its events in date order, and its state."""

    tie: Partnership
    as_of: dt.date
    kind: str  # the tie's kind on `as_of`
    state: TieState
    years: tuple[int, int] | None  # completed years on `as_of`, as (fewest, most)
    events: tuple[TimelineEvent, ...]

    @property
    def groups(self) -> tuple[YearGroup, ...]:
        return group_by_year(self.events)


def anniversary_date(
    founded: PartialDate, years: int, leap_day: LeapDay = LeapDay.FEB28
) -> PartialDate:
    """The date of the `years`th anniversary, at the precision of the founding date.

    A tie founded on 29 February celebrates on 28 February (or 1 March) in common years.
    """
    year = founded.year + years
    day = founded.to_date()
    if day is not None:
        return PartialDate.from_date(anniversary_on(day, year, leap_day))
    return PartialDate(year, founded.month)


def tie_timeline(registry: Registry, tie: Partnership, as_of: dt.date) -> TieTimeline:
    """The life of one tie in date order, with the anniversaries passed by `as_of` and
    the next ones ahead. Undated events come last, in the order of the file."""
    state = registry.state(tie)
    agreements = registry.agreements_of(tie)
    founding_agreement = _founding_agreement(tie, agreements)
    events: list[TimelineEvent] = [_founding(registry, tie, founding_agreement)]
    events.extend(_agreement(a, as_of) for a in agreements if a is not founding_agreement)
    events.extend(
        TimelineEvent(
            kind=EventKind.EXCHANGE,
            date=exchange.date,
            label=exchange.kind,
            title=exchange.title,
            details=exchange.details,
            mode=exchange.mode,
            venue=exchange.venue,
            fields=exchange.fields,
        )
        for exchange in registry.exchanges_of(tie)
    )
    events.extend(_status_events(registry, tie))
    events.extend(_anniversaries(registry, tie, state, as_of))
    return TieTimeline(
        tie=tie,
        as_of=as_of,
        kind=registry.kind_on(tie, as_of),
        state=state,
        years=age(tie, as_of),
        events=tuple(sorted(events, key=_event_key)),
    )


def group_by_year(events: Iterable[TimelineEvent]) -> tuple[YearGroup, ...]:
    """Events (already in order) grouped by year; the undated group comes last."""
    groups: dict[int | None, list[TimelineEvent]] = {}
    for event in events:
        groups.setdefault(event.date.year if event.date else None, []).append(event)
    dated = sorted((y, e) for y, e in groups.items() if y is not None)
    result = [YearGroup(year, tuple(group)) for year, group in dated]
    if None in groups:
        result.append(YearGroup(None, tuple(groups[None])))
    return tuple(result)


def _event_key(event: TimelineEvent) -> tuple[tuple[int, int, int], int]:
    """Date order (`dates.chronological`: a planned event known only to its year or
    month after that period's dated events), then the order of EventKind."""
    return chronological(event.date, planned=event.planned), _RANK[event.kind]


def _founding_agreement(tie: Partnership, agreements: Sequence[Agreement]) -> Agreement | None:
    """The agreement recorded as the tie's founding, when its date agrees with the tie's:
    its title and signatories then tell the founding, rather than a second event."""
    for agreement in agreements:
        if agreement.kind.casefold() != "founding" or agreement.planned:
            continue
        if agreement.date is None or tie.established is None or agreement.date == tie.established:
            return agreement
    return None


def _founding(registry: Registry, tie: Partnership, agreement: Agreement | None) -> TimelineEvent:
    title = f"{tie.kind[:1].upper()}{tie.kind[1:]} tie established"
    if agreement is None:
        return TimelineEvent(EventKind.FOUNDING, tie.established, "founded", title)
    return TimelineEvent(
        kind=EventKind.FOUNDING,
        date=tie.established or agreement.date,
        label="founded",
        title=agreement.title,
        signatories=agreement.signatories,
        mode=agreement.mode,
        venue=agreement.venue,
        fields=agreement.fields,
        notes=agreement.notes,
    )


def _agreement(agreement: Agreement, as_of: dt.date) -> TimelineEvent:
    upgrade = agreement.to_kind is not None
    return TimelineEvent(
        kind=EventKind.UPGRADE if upgrade else EventKind.AGREEMENT,
        date=agreement.date,
        label=agreement.kind,
        title=agreement.title,
        details=f"upgraded to {agreement.to_kind}" if upgrade else None,
        signatories=agreement.signatories,
        mode=agreement.mode,
        venue=agreement.venue,
        fields=agreement.fields,
        notes=agreement.notes,
        planned=agreement.planned,
        overdue=agreement.overdue(as_of),
    )


_STATUS_EVENT = {
    Status.SUSPENDED: (EventKind.SUSPENDED, "suspended", "Tie suspended"),
    Status.ENDED: (EventKind.ENDED, "ended", "Tie ended"),
    Status.ACTIVE: (EventKind.RESUMED, "resumed", "Tie resumed"),
}


def _status_events(registry: Registry, tie: Partnership) -> Iterable[TimelineEvent]:
    # The record's own status is a change when it is not the default "active"; that no
    # source states the status ("unknown") is no event.
    if tie.status in _STATUS_EVENT and tie.status is not Status.ACTIVE:
        kind, label, title = _STATUS_EVENT[tie.status]
        yield TimelineEvent(kind, tie.status_date, label, title, details=tie.status_reason)
    for change in registry.status_changes_of(tie):
        kind, label, title = _STATUS_EVENT[change.status]
        yield TimelineEvent(kind, change.date, label, title, details=change.reason)


def _anniversaries(
    registry: Registry, tie: Partnership, state: TieState, as_of: dt.date
) -> Iterable[TimelineEvent]:
    """Milestones passed by `as_of` and the next anniversary ahead (and the next
    milestone, when that is not one), each only when certainly before the tie ended."""
    founded = tie.established
    if founded is None:
        return
    end = dt.date.max
    if state.status is Status.ENDED:
        # Ended on an unknown day: no anniversary is certainly within the tie's life.
        end = state.since.earliest() if state.since else dt.date.min
    years = 1
    while founded.year + years <= MAX_YEAR:
        date = anniversary_date(founded, years, registry.leap_day)
        if date.latest() >= as_of:
            break
        if is_milestone(years) and date.latest() <= end:
            yield _anniversary(EventKind.ANNIVERSARY, date, years)
        years += 1
    else:
        return
    if date.latest() > end:
        return
    day = date.to_date()
    days_away = (day - as_of).days if day is not None else None
    yield _anniversary(EventKind.NEXT_ANNIVERSARY, date, years, days_away)
    if not is_milestone(years):
        milestone = years + 5 - years % 5
        if founded.year + milestone <= MAX_YEAR:
            date = anniversary_date(founded, milestone, registry.leap_day)
            if date.latest() <= end:
                yield _anniversary(EventKind.NEXT_ANNIVERSARY, date, milestone)


def _anniversary(
    kind: EventKind, date: PartialDate, years: int, days_away: int | None = None
) -> TimelineEvent:
    return TimelineEvent(
        kind=kind,
        date=date,
        label="anniversary",
        title=f"{ordinal(years)} anniversary",
        ordinal=years,
        milestone=is_milestone(years),
        days_away=days_away,
    )


# ---------------------------------------------------------------------------
# A city's network


@dataclass(frozen=True, slots=True)
class NetworkTie:
    """One of a city's ties: the city on the other side, the kind on the reference day,
    and the status."""

    tie: Partnership
    partner: City
    kind: str
    state: TieState


@dataclass(frozen=True)
class CityNetwork:
    """A city's ties as of a day, by founding date."""

    city: City
    as_of: dt.date
    ties: tuple[NetworkTie, ...]  # by founding date, unknown dates last
    per_decade: tuple[Count, ...]

    @property
    def first_year(self) -> int | None:
        years = [t.tie.established.year for t in self.ties if t.tie.established]
        return min(years) if years else None

    def count(self, status: Status) -> int:
        return sum(1 for t in self.ties if t.state.status is status)


#: The city a user names (`core.query.resolve_city`).
find_city = resolve_city


def city_network(registry: Registry, city: City, as_of: dt.date) -> CityNetwork:
    """Every tie of `city`, in the order they were founded (unknown dates last)."""
    ties = sorted(
        (t for t in registry.partnerships if city.id in (t.cities[0].id, t.cities[1].id)),
        key=lambda t: chronological(t.established),
    )
    network = tuple(
        NetworkTie(
            tie=t,
            partner=t.cities[1] if t.cities[0].id == city.id else t.cities[0],
            kind=registry.kind_on(t, as_of),
            state=registry.state(t),
        )
        for t in ties
    )
    return CityNetwork(
        city=city,
        as_of=as_of,
        ties=network,
        per_decade=per_decade(t.established for t in ties),
    )
