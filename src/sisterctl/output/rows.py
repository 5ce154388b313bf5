"""The rows of `sisterctl list` as plain data: the fields they may have, and rows
made from model records (`ListRow`) or from the facts the index keeps of each tie
(`FactsRow`). Kept apart from `sisterctl.output.serialize`, which imports the model,
so that `list` lays out the facts of its ties without importing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sisterctl.core.query import age

if TYPE_CHECKING:
    from sisterctl.core.facts import TieFacts
    from sisterctl.dates import PartialDate
    from sisterctl.model import Partnership, Registry

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


class ListRow:
    """One line of `sisterctl list`, made from a tie's record. (A plain class, as
    FactsRow: `list` imports this module on every run, and a dataclass costs a
    millisecond to create.)"""

    __slots__ = ("kind", "status", "tie", "years")

    def __init__(
        self, tie: Partnership, kind: str, status: str, years: tuple[int, int] | None
    ) -> None:
        self.tie, self.kind, self.status, self.years = tie, kind, status, years

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ListRow) and all(
            getattr(self, name) == getattr(other, name) for name in self.__slots__
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ListRow({self.tie.id!r}, {self.kind!r}, {self.status!r}, {self.years!r})"

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
