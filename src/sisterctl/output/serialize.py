"""Model records as plain data (for JSON, CSV and TSV) with stable field names.

Dates are ISO 8601 at their precision ("2010-11-04", "2002-10", "1997"), or null.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from sisterctl import countries
from sisterctl.core.query import age
from sisterctl.dates import chronological
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
from sisterctl.output.rows import (  # the rows of `list`, here too
    LIST_ALL_FIELDS as LIST_ALL_FIELDS,
)
from sisterctl.output.rows import LIST_FIELDS as LIST_FIELDS
from sisterctl.output.rows import LIST_MORE_FIELDS as LIST_MORE_FIELDS
from sisterctl.output.rows import FactsRow as FactsRow
from sisterctl.output.rows import ListRow as ListRow
from sisterctl.output.rows import facts_list_rows as facts_list_rows
from sisterctl.output.rows import iso as iso
from sisterctl.output.rows import list_dicts as list_dicts
from sisterctl.output.rows import list_rows as list_rows
from sisterctl.output.rows import precision as precision
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
    from sisterctl.core.stats import Count, Ranking, RegistryStats
    from sisterctl.core.timeline import CityNetwork, TieTimeline, TimelineEvent

_Dated = TypeVar("_Dated", Agreement, Exchange)


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
