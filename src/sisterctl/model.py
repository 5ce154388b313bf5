"""The data model: cities, ties, agreements, exchanges and changes of status.

Frozen dataclasses with no I/O. A `Registry` is what a registry file holds, with its
cross-references resolved; `sisterctl.store` builds one from a file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sisterctl.countries import country_name
from sisterctl.dates import PartialDate
from sisterctl.terms import CHANGE_STATUSES as CHANGE_STATUSES
from sisterctl.terms import DEFAULT_KIND as DEFAULT_KIND
from sisterctl.terms import DEFAULT_STATUSES as DEFAULT_STATUSES
from sisterctl.terms import RECORD_TABLES as RECORD_TABLES
from sisterctl.terms import SCHEMA_VERSION as SCHEMA_VERSION
from sisterctl.terms import LeapDay as LeapDay
from sisterctl.terms import Status as Status

#: A record as it is written: its table and its keys, ("exchange", {"partnership": ...}).
Record = tuple[str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class City:
    """A city, or another administrative body that ties bind (a province, a state)."""

    id: str
    name: str
    country: str  # ISO 3166-1 alpha-2, upper case
    type: str = "city"
    local_name: str | None = None
    aliases: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    notes: str | None = None
    sources: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    geonames: int | None = None  # the GeoNames id the coordinates were taken from
    ignore_warnings: tuple[str, ...] = ()  # codes of check warnings set aside
    wikidata: str | None = None  # the city's Wikidata item, "Q1867"

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the city is found by."""
        names = (self.name, *self.aliases)
        return (*names, self.local_name) if self.local_name else names

    def label(self) -> str:
        return f"{self.name}, {self.country_name}"


@dataclass(frozen=True, slots=True)
class Partnership:
    """A tie between two cities. The order of the two carries no meaning."""

    id: str
    cities: tuple[City, City]
    kind: str = DEFAULT_KIND
    established: PartialDate | None = None
    status: Status = Status.ACTIVE
    status_date: PartialDate | None = None
    status_reason: str | None = None
    fields: tuple[str, ...] = ()
    notes: str | None = None
    sources: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    ignore_warnings: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """`Taipei–Daegu`."""
        return f"{self.cities[0].name}–{self.cities[1].name}"

    def pair_key(self) -> frozenset[str]:
        return frozenset(c.id for c in self.cities)


@dataclass(frozen=True, slots=True)
class Signatory:
    """A person who signed (or is to sign) an agreement, and their role."""

    name: str
    role: str | None = None

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


@dataclass(frozen=True, slots=True)
class Agreement:
    """An agreement signed, or planned, on a tie."""

    partnership: str
    title: str
    date: PartialDate | None = None
    kind: str = "agreement"
    to_kind: str | None = None
    signatories: tuple[Signatory, ...] = ()
    mode: str | None = None
    venue: str | None = None
    fields: tuple[str, ...] = ()
    status: str = "signed"
    notes: str | None = None
    sources: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    before_founding: bool = False  # dated before the tie, recorded so on purpose
    ignore_warnings: tuple[str, ...] = ()

    @property
    def planned(self) -> bool:
        return self.status == "planned"

    def overdue(self, as_of: dt.date) -> bool:
        """Planned, for a date that has passed: every day it may stand for is before
        `as_of` (planned for 2021, in 2026)."""
        return self.planned and self.date is not None and self.date.latest() < as_of


@dataclass(frozen=True, slots=True)
class Exchange:
    """A visit, delegation, festival, forum, summit... on a tie."""

    partnership: str
    kind: str
    title: str
    date: PartialDate | None = None
    details: str | None = None
    sources: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    before_founding: bool = False  # dated before the tie, recorded so on purpose
    venue: str | None = None
    mode: str | None = None  # in-person, video-conference, ... as for an agreement
    fields: tuple[str, ...] = ()
    ignore_warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A tie suspended, ended, or resumed (status active)."""

    partnership: str
    date: PartialDate
    status: Status
    reason: str | None = None
    sources: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    ignore_warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TieState:
    """A tie's status as of now, from its record and its changes."""

    status: Status
    since: PartialDate | None
    reason: str | None


@dataclass(frozen=True)
class Registry:
    """Everything one registry file holds, cross-references resolved."""

    cities: Mapping[str, City]
    partnerships: tuple[Partnership, ...]
    agreements: tuple[Agreement, ...] = ()
    exchanges: tuple[Exchange, ...] = ()
    status_changes: tuple[StatusChange, ...] = ()
    leap_day: LeapDay = LeapDay.FEB28
    schema_version: int = SCHEMA_VERSION
    #: What a tie with no `status` key is: active unless the registry says unknown.
    default_status: Status = Status.ACTIVE

    @cached_property
    def by_id(self) -> Mapping[str, Partnership]:
        return {p.id: p for p in self.partnerships}

    @cached_property
    def _agreements_by_tie(self) -> Mapping[str, tuple[Agreement, ...]]:
        return _group(self.agreements)

    @cached_property
    def _exchanges_by_tie(self) -> Mapping[str, tuple[Exchange, ...]]:
        return _group(self.exchanges)

    @cached_property
    def _changes_by_tie(self) -> Mapping[str, tuple[StatusChange, ...]]:
        return _group(self.status_changes)

    def agreements_of(self, tie: Partnership) -> tuple[Agreement, ...]:
        return self._agreements_by_tie.get(tie.id, ())

    def exchanges_of(self, tie: Partnership) -> tuple[Exchange, ...]:
        return self._exchanges_by_tie.get(tie.id, ())

    def status_changes_of(self, tie: Partnership) -> tuple[StatusChange, ...]:
        return self._changes_by_tie.get(tie.id, ())

    def state(self, tie: Partnership) -> TieState:
        """The tie's status: the latest by date of its record's and its changes'.

        The record's own status counts as a change on its `status_date` (or before
        everything, when it has none); changes on the same day apply in file order.
        """
        latest = TieState(tie.status, tie.status_date, tie.status_reason)
        latest_key = tie.status_date.sort_key if tie.status_date else (0, 0, 0)
        for change in self.status_changes_of(tie):
            if change.date.sort_key >= latest_key:
                latest = TieState(change.status, change.date, change.reason)
                latest_key = change.date.sort_key
        return latest

    def kind_on(self, tie: Partnership, day: dt.date | None = None) -> str:
        """The tie's kind on `day` (today's kind when None): upgrades apply from their date."""
        kind = tie.kind
        agreements = self.agreements_of(tie)
        if not agreements:
            return kind
        upgrades = [
            a
            for a in agreements
            if a.to_kind
            and not a.planned
            and a.date is not None
            and (day is None or a.date.earliest() <= day)
        ]
        if not upgrades:
            return kind
        for upgrade in sorted(upgrades, key=lambda a: a.date.sort_key if a.date else (0, 0, 0)):
            kind = upgrade.to_kind or kind
        return kind

    @cached_property
    def _record_ids(self) -> tuple[dict[int, str], dict[str, Agreement], dict[str, Exchange]]:
        """The ids of agreements and exchanges (`sisterctl.ids`: tie, date and kind),
        by the record's identity, and the records by id."""
        from sisterctl.ids import record_id_base, unique

        by_record: dict[int, str] = {}
        agreements: dict[str, Agreement] = {}
        exchanges: dict[str, Exchange] = {}
        tables: tuple[tuple[tuple[Any, ...], dict[str, Any], str], ...] = (
            (self.agreements, agreements, "agreement"),
            (self.exchanges, exchanges, "exchange"),
        )
        for records, by_id, default_kind in tables:
            for record in records:
                date = record.date.iso() if record.date is not None else None
                base = record_id_base(record.partnership, date, record.kind, default_kind)
                record_id = unique(base, by_id)
                by_id[record_id] = record
                by_record[id(record)] = record_id
        return by_record, agreements, exchanges

    def record_id(self, record: Agreement | Exchange) -> str:
        """An agreement's or exchange's id: `taipei-daegu/2021-03-26-reaffirmation`."""
        return self._record_ids[0][id(record)]

    @property
    def agreements_by_id(self) -> Mapping[str, Agreement]:
        return self._record_ids[1]

    @property
    def exchanges_by_id(self) -> Mapping[str, Exchange]:
        return self._record_ids[2]

    def __iter__(self) -> Iterator[Partnership]:
        return iter(self.partnerships)

    def __len__(self) -> int:
        return len(self.partnerships)


def _group(records: Any) -> dict[str, tuple[Any, ...]]:
    grouped: dict[str, list[Any]] = {}
    for record in records:
        grouped.setdefault(record.partnership, []).append(record)
    return {key: tuple(value) for key, value in grouped.items()}
