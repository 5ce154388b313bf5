"""Model records as plain data (for JSON, CSV and TSV) with stable field names.

Dates are ISO 8601 at their precision ("2010-11-04", "2002-10", "1997"), or null.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from sisterctl.core.query import age
from sisterctl.dates import PartialDate, chronological
from sisterctl.model import (
    Agreement,
    City,
    Exchange,
    Partnership,
    Registry,
    Signatory,
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
