"""Model records as plain data (for JSON, CSV and TSV) with stable field names.

Dates are ISO 8601 at their precision ("2010-11-04", "2002-10", "1997"), or null.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from sisterctl.core.query import age
from sisterctl.dates import PartialDate, chronological
from sisterctl.model import Agreement, City, Exchange, Partnership, Registry, StatusChange

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

    def as_dict(self) -> dict[str, Any]:
        a, b = self.tie.cities
        return {
            "id": self.tie.id,
            "city_a": a.name,
            "country_a": a.country,
            "city_b": b.name,
            "country_b": b.country,
            "kind": self.kind,
            "established": iso(self.tie.established),
            "precision": precision(self.tie.established),
            "years": self.years[0] if self.years else None,
            "status": self.status,
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


def city_dict(city: City) -> dict[str, Any]:
    return _compact(
        {
            "id": city.id,
            "name": city.name,
            "country": city.country,
            "country_name": city.country_name,
            "type": city.type,
            "local_name": city.local_name,
            "aliases": list(city.aliases),
            "lat": city.lat,
            "lon": city.lon,
            "notes": city.notes,
            "sources": list(city.sources),
            "ignore_warnings": list(city.ignore_warnings),
            "extra": dict(city.extra),
        }
    )


def agreement_dict(agreement: Agreement, record_id: str | None = None) -> dict[str, Any]:
    return _compact(
        {
            "id": record_id,
            "partnership": agreement.partnership,
            "date": iso(agreement.date),
            "precision": precision(agreement.date),
            "title": agreement.title,
            "kind": agreement.kind,
            "to_kind": agreement.to_kind,
            "signatories": [
                _compact({"name": s.name, "role": s.role}) for s in agreement.signatories
            ],
            "mode": agreement.mode,
            "venue": agreement.venue,
            "fields": list(agreement.fields),
            "status": agreement.status,
            "notes": agreement.notes,
            "sources": list(agreement.sources),
            "before_founding": agreement.before_founding or None,
            "ignore_warnings": list(agreement.ignore_warnings),
            "extra": dict(agreement.extra),
        }
    )


def exchange_dict(exchange: Exchange, record_id: str | None = None) -> dict[str, Any]:
    return _compact(
        {
            "id": record_id,
            "partnership": exchange.partnership,
            "date": iso(exchange.date),
            "precision": precision(exchange.date),
            "kind": exchange.kind,
            "title": exchange.title,
            "venue": exchange.venue,
            "mode": exchange.mode,
            "fields": list(exchange.fields),
            "details": exchange.details,
            "sources": list(exchange.sources),
            "before_founding": exchange.before_founding or None,
            "ignore_warnings": list(exchange.ignore_warnings),
            "extra": dict(exchange.extra),
        }
    )


def status_change_dict(change: StatusChange) -> dict[str, Any]:
    return _compact(
        {
            "partnership": change.partnership,
            "date": iso(change.date),
            "precision": precision(change.date),
            "status": change.status.value,
            "reason": change.reason,
            "sources": list(change.sources),
            "ignore_warnings": list(change.ignore_warnings),
            "extra": dict(change.extra),
        }
    )


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
