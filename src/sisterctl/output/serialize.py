"""Model records as plain data (for JSON, CSV and TSV) with stable field names.

Dates are ISO 8601 at their precision ("2010-11-04", "2002-10", "1997"), or null.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from sisterctl import countries
from sisterctl.core.query import age
from sisterctl.dates import PartialDate, chronological
from sisterctl.model import (
    Agreement,
    City,
    Exchange,
    Partnership,
    Registry,
    Signatory,
    Status,
    StatusChange,
)
from sisterctl.records.fields import (
    AGREEMENT,
    CITY,
    EXCHANGE,
    PARTNERSHIP,
    STATUS_CHANGE,
    Kind,
    Table,
)

if TYPE_CHECKING:
    from sisterctl.core.facts import TieFacts
    from sisterctl.core.stats import Count, Ranking, RegistryStats
    from sisterctl.core.timeline import CityNetwork, TieTimeline, TimelineEvent

_Dated = TypeVar("_Dated", Agreement, Exchange)

LIST_FIELDS = (
    "id",
    "city_a",
    "country_a",
    "city_b",
    "country_b",
    "kind",
    "established",
    "precision",
    "years",
    "status",
)


# What else `list --fields` may choose, beyond LIST_FIELDS.
LIST_MORE_FIELDS = (
    "city_a_id",
    "local_name_a",
    "country_a_name",
    "city_b_id",
    "local_name_b",
    "country_b_name",
    "kind_as_founded",
    "years_max",
    "status_date",
    "status_reason",
    "fields",
    "notes",
    "sources",
    "lat_a",
    "lon_a",
    "lat_b",
    "lon_b",
)
LIST_ALL_FIELDS = (*LIST_FIELDS, *LIST_MORE_FIELDS)


def iso(date: PartialDate | None) -> str | None:
    return date.iso() if date is not None else None


def precision(date: PartialDate | None) -> str:
    return date.precision.value if date is not None else "unknown"


@dataclass(frozen=True)
class ListRow:
    """One line of `sisterctl list`."""

    tie: Partnership
    kind: str
    status: str
    years: tuple[int, int] | None

    @property
    def id(self) -> str:
        return self.tie.id

    @property
    def names(self) -> tuple[str, str]:
        return (self.tie.cities[0].name, self.tie.cities[1].name)

    @property
    def countries(self) -> tuple[str, str]:
        return (self.tie.cities[0].country, self.tie.cities[1].country)

    @property
    def established(self) -> PartialDate | None:
        return self.tie.established

    def as_dict(self) -> dict[str, Any]:
        return _list_dict(self)


class FactsRow:
    """A line of `sisterctl list` made from a tie's facts (`core.facts.TieFacts`), in
    place of its record: the same values as a ListRow of the tie."""

    __slots__ = ("established", "kind", "status", "tie", "years")

    def __init__(self, tie: TieFacts, as_of: dt.date) -> None:
        from sisterctl.dates import years_between

        self.tie = tie
        self.kind = tie.kind_on(as_of) if tie.steps else tie.kind
        self.status = tie.status.value
        self.established = since = tie.since
        self.years = years_between(since, as_of) if since is not None else None

    @property
    def id(self) -> str:
        return self.tie.id

    @property
    def names(self) -> tuple[str, str]:
        return self.tie.names

    @property
    def countries(self) -> tuple[str, str]:
        return self.tie.countries

    def as_dict(self) -> dict[str, Any]:
        return _list_dict(self)


def _list_dict(row: ListRow | FactsRow) -> dict[str, Any]:
    (city_a, city_b), (country_a, country_b) = row.names, row.countries
    established = row.established
    return {
        "id": row.id,
        "city_a": city_a,
        "country_a": country_a,
        "city_b": city_b,
        "country_b": country_b,
        "kind": row.kind,
        "established": iso(established),
        "precision": precision(established),
        "years": row.years[0] if row.years else None,
        "status": row.status,
    }


def list_dicts(
    registry: Registry | None,
    rows: Sequence[ListRow | FactsRow],
    fields: tuple[str, ...] = LIST_FIELDS,
) -> list[dict[str, Any]]:
    """The rows as plain data with `fields` (any of LIST_ALL_FIELDS, given the
    registry and ListRows; else of LIST_FIELDS), in that order."""
    more = [f for f in fields if f not in LIST_FIELDS]
    out = []
    for row in rows:
        values = row.as_dict()
        if more:
            if registry is None or not isinstance(row, ListRow):
                raise ValueError(f"{more[0]} needs the registry's records")
            values.update(_more_fields(registry, row))
        out.append({f: values[f] for f in fields})
    return out


def facts_list_rows(ties: Sequence[TieFacts], as_of: dt.date) -> list[FactsRow]:
    """The rows `list_rows` makes of the ties these are the facts of."""
    return [FactsRow(tie, as_of) for tie in ties]


def _more_fields(registry: Registry, row: ListRow) -> dict[str, Any]:
    tie = row.tie
    a, b = tie.cities
    state = registry.state(tie)
    return {
        "city_a_id": a.id,
        "local_name_a": a.local_name,
        "country_a_name": a.country_name,
        "city_b_id": b.id,
        "local_name_b": b.local_name,
        "country_b_name": b.country_name,
        "kind_as_founded": tie.kind,
        "years_max": row.years[1] if row.years else None,
        "status_date": iso(state.since),
        "status_reason": state.reason,
        "fields": list(tie.fields),
        "notes": tie.notes,
        "sources": list(tie.sources),
        "lat_a": a.lat,
        "lon_a": a.lon,
        "lat_b": b.lat,
        "lon_b": b.lon,
    }


def list_rows(registry: Registry, ties: list[Partnership], as_of: dt.date) -> list[ListRow]:
    return [
        ListRow(
            tie, registry.kind_on(tie, as_of), registry.state(tie).status.value, age(tie, as_of)
        )
        for tie in ties
    ]


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v not in (None, (), [], {})}


def _signatories(people: tuple[Signatory, ...]) -> list[dict[str, Any]]:
    return [_compact({"name": s.name, "role": s.role}) for s in people]


# How a model value of each kind is written as plain data; as it is when not here.
_PLAIN: dict[Kind, Callable[[Any], Any]] = {
    Kind.DATE: iso,
    Kind.TEXTS: list,
    Kind.SIGNATORIES: _signatories,
    Kind.CHOICE: lambda value: value.value if isinstance(value, Enum) else value,
    Kind.FLAG: lambda value: value or None,  # false is the default: left out
    Kind.CITY_PAIR: lambda cities: [c.id for c in cities],
}


def record_dict(table: Table, record: Any) -> dict[str, Any]:
    """A model record as plain data, keys in the order of its table (`records.fields`),
    the derived keys beside the keys they come from (`country_name` after `country`,
    `precision` after the record's date), and its unknown keys under "extra"; empty
    values are left out."""
    out: dict[str, Any] = {}
    for field in table.fields:
        value = getattr(record, field.attribute)
        plain = _PLAIN.get(field.kind)
        out[field.key] = plain(value) if plain is not None and value is not None else value
        if field.kind is Kind.COUNTRY:
            out["country_name"] = record.country_name
        if field.key == table.dated_by:
            out["precision"] = precision(value)
    out["extra"] = dict(record.extra)
    return _compact(out)


def city_dict(city: City) -> dict[str, Any]:
    return record_dict(CITY, city)


def partnership_dict(tie: Partnership) -> dict[str, Any]:
    """A tie as its record holds it (the cities by id): for the JSON export."""
    return record_dict(PARTNERSHIP, tie)


def agreement_dict(agreement: Agreement, record_id: str | None = None) -> dict[str, Any]:
    """An agreement; with `record_id`, its id (`taipei-daegu/2021-memorandum`) first."""
    return _with_id(record_id, record_dict(AGREEMENT, agreement))


def exchange_dict(exchange: Exchange, record_id: str | None = None) -> dict[str, Any]:
    return _with_id(record_id, record_dict(EXCHANGE, exchange))


def _with_id(record_id: str | None, record: dict[str, Any]) -> dict[str, Any]:
    return {"id": record_id, **record} if record_id is not None else record


def status_change_dict(change: StatusChange) -> dict[str, Any]:
    return record_dict(STATUS_CHANGE, change)


def tie_detail(registry: Registry, tie: Partnership, as_of: dt.date) -> dict[str, Any]:
    """Everything about one tie, as `show --format json` prints it."""
    state = registry.state(tie)
    years = age(tie, as_of)
    return {
        "id": tie.id,
        "cities": [city_dict(c) for c in tie.cities],
        "kind": registry.kind_on(tie, as_of),
        "kind_as_founded": tie.kind,
        "established": iso(tie.established),
        "precision": precision(tie.established),
        "years": years[0] if years else None,
        "years_max": years[1] if years else None,
        "status": state.status.value,
        "status_date": iso(state.since),
        "status_reason": state.reason,
        "fields": list(tie.fields),
        "agreements": [
            {
                **agreement_dict(a, registry.record_id(a)),
                **({"overdue": True} if a.overdue(as_of) else {}),
            }
            for a in sorted_by_date(registry.agreements_of(tie))
        ],
        "exchanges": [
            exchange_dict(e, registry.record_id(e))
            for e in sorted_by_date(registry.exchanges_of(tie))
        ],
        "status_changes": [status_change_dict(c) for c in registry.status_changes_of(tie)],
        "notes": tie.notes,
        "sources": list(tie.sources),
        "ignore_warnings": list(tie.ignore_warnings),
        "extra": dict(tie.extra),
    }


def sorted_by_date(records: tuple[_Dated, ...]) -> list[_Dated]:
    """Records in date order as a timeline shows them (`dates.chronological`: undated
    ones last, a planned agreement known only to its year or month after the dated
    records of that period), ties kept in file order."""
    return sorted(
        records,
        key=lambda r: chronological(r.date, planned=isinstance(r, Agreement) and r.planned),
    )


# ---------------------------------------------------------------------------
# `timeline --format json` and `stats --format json` (docs/json-format.md, "Command
# output"): every key always present, null when it has no value, so that a script
# reads the same keys from every object.


def _city_brief(city: City) -> dict[str, Any]:
    return {
        "id": city.id,
        "name": city.name,
        "local_name": city.local_name,
        "country": city.country,
        "country_name": city.country_name,
    }


def timeline_dict(timeline: TieTimeline) -> dict[str, Any]:
    """A tie's timeline, as `timeline TIE --format json` prints it."""
    tie, state = timeline.tie, timeline.state
    return {
        "id": tie.id,
        "title": tie.title,
        "as_of": timeline.as_of.isoformat(),
        "cities": [_city_brief(c) for c in tie.cities],
        "kind": timeline.kind,
        "established": iso(tie.established),
        "precision": precision(tie.established),
        "years": timeline.years[0] if timeline.years else None,
        "years_max": timeline.years[1] if timeline.years else None,
        "status": state.status.value,
        "status_date": iso(state.since),
        "status_reason": state.reason,
        "events": [_event_dict(e) for e in timeline.events],
    }


def _event_dict(event: TimelineEvent) -> dict[str, Any]:
    return {
        "kind": event.kind.value,
        "label": event.label,
        "date": iso(event.date),
        "precision": precision(event.date),
        "title": event.title,
        "details": event.details,
        "signatories": [{"name": s.name, "role": s.role} for s in event.signatories],
        "mode": event.mode,
        "venue": event.venue,
        "fields": list(event.fields),
        "notes": event.notes,
        "planned": event.planned,
        "ordinal": event.ordinal,
        "milestone": event.milestone,
        "days_away": event.days_away,
    }


def network_dict(network: CityNetwork) -> dict[str, Any]:
    """A city's ties over time, as `timeline --city CITY --format json` prints it."""
    return {
        "city": _city_brief(network.city),
        "as_of": network.as_of.isoformat(),
        "ties": [
            {
                "id": t.tie.id,
                "partner": _city_brief(t.partner),
                "kind": t.kind,
                "established": iso(t.tie.established),
                "precision": precision(t.tie.established),
                "status": t.state.status.value,
                "status_date": iso(t.state.since),
                "status_reason": t.state.reason,
            }
            for t in network.ties
        ],
        "statuses": {s.value: network.count(s) for s in Status},
        "per_decade": _counts(network.per_decade),
    }


def stats_dict(stats: RegistryStats) -> dict[str, Any]:
    """The registry at a glance, as `stats --format json` prints it."""
    return {
        "as_of": stats.as_of.isoformat(),
        "ties": stats.ties,
        "cities": stats.cities,
        "countries": stats.countries,
        "per_decade": _counts(stats.per_decade),
        "countries_top": {
            "top": [
                {"label": c.label, "code": countries.lookup(c.label), "count": c.count}
                for c in stats.countries_top.top
            ],
            "others": stats.countries_top.others,
        },
        "cities_top": _ranking(stats.cities_top),
        "kinds": _ranking(stats.kinds),
        "statuses": {c.label: c.count for c in stats.statuses},
        "precisions": {c.label: c.count for c in stats.precisions},
    }


def _counts(counts: tuple[Count, ...]) -> list[dict[str, Any]]:
    return [{"label": c.label, "count": c.count} for c in counts]


def _ranking(ranking: Ranking) -> dict[str, Any]:
    return {"top": _counts(ranking.top), "others": ranking.others}
