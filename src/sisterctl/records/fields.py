"""The registry format, described once: for each record table, each key it knows.

Everything else is derived from these tables: loading and checking a record
(`records.build`), the known keys (anything else is kept as `extra`, with a warning),
the record as plain data (`output.serialize`, for JSON and `show --format json`), the
JSON Schema (`records.schema`, written to schema/registry.schema.json) and the key
tables of docs/registry-format.md.

A new key is one `Field` line in its table, and the model attribute it fills (a
dataclass field of `model.City`, `model.Partnership`...; `attr` when its name differs
from the key). The fields of a table are listed in the order they are written (the
order of the docs, the JSON export and the records sisterctl appends); they are
checked in the order of the model's attributes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from functools import cached_property
from typing import Any

from sisterctl.model import (
    CHANGE_STATUSES,
    DEFAULT_KIND,
    DEFAULT_STATUSES,
    Agreement,
    City,
    Exchange,
    LeapDay,
    Partnership,
    Record,
    Status,
    StatusChange,
)


class Kind(StrEnum):
    """What a key's value is, in the file and in the model."""

    ID = "id"  # a record's own id: lowercase letters, digits and single hyphens, unique
    TEXT = "text"  # a string
    TEXTS = "texts"  # a list of strings; one string is read as a list of one
    DATE = "date"  # a PartialDate: "2010-11-04", "2002-10", "1997" or a TOML date
    NUMBER = "number"  # an integer or a float, from `low` to `high`
    INTEGER = "integer"  # a whole number, from `low` to `high` (an id of another register)
    WIKIDATA = "wikidata item"  # a Wikidata item id: Q and a number, "Q1867"
    FLAG = "flag"  # true or false
    CHOICE = "choice"  # one of `choices` (a model enum's member when `enum` is set)
    COUNTRY = "country"  # an ISO 3166-1 alpha-2 code
    TIE = "tie"  # the id of a [[partnership]] written before
    CITY_PAIR = "city pair"  # the ids of two [[city]] records
    SIGNATORIES = "signatories"  # names, or { name = "...", role = "..." } tables


@dataclass(frozen=True, slots=True)
class Field:
    """One key of a record table."""

    key: str
    kind: Kind
    description: str  # for the docs and the JSON Schema (Markdown)
    required: bool = False
    default: Any = None  # what the model holds when the key is left out
    attr: str = ""  # the model attribute it fills; the key's name when empty
    low: float | None = None  # NUMBER: the range
    high: float | None = None
    choices: tuple[str, ...] = ()  # CHOICE: the values allowed
    enum: type[Enum] | None = None  # CHOICE: the model's enum the value becomes
    multiline: bool = False  # TEXT: free text, which may hold line breaks
    recommended: bool = False  # not required, but `check` warns when left out
    missing: str = ""  # the message when a required key is left out, if not the usual

    def __post_init__(self) -> None:
        if self.default is None and self.kind in (Kind.TEXTS, Kind.SIGNATORIES):
            object.__setattr__(self, "default", ())  # a list left out is an empty one

    @property
    def attribute(self) -> str:
        return self.attr or self.key


@dataclass(frozen=True)
class Table:
    """A record table (`[[city]]`...): its keys, and the model record it builds."""

    name: str
    model: type
    description: str  # of one record
    plural: str  # of the table's array: "The cities (and provinces...) that ties bind."
    fields: tuple[Field, ...]
    dated_by: str | None = None  # the key whose date's precision the JSON export adds
    #: Named by tie, date and kind (`taipei-daegu/2021-03-26-reaffirmation`, `ids`), an
    #: id the JSON export adds and import ignores.
    named: bool = False

    @cached_property
    def keys(self) -> frozenset[str]:
        """The keys sisterctl knows in this table; any other is kept as `extra`."""
        return frozenset(f.key for f in self.fields)

    @cached_property
    def derived_keys(self) -> tuple[str, ...]:
        """The keys the JSON export adds for readers, derived from the others (and
        ignored on import): a country's name, the precision of the record's date."""
        derived = ["country_name"] if any(f.kind is Kind.COUNTRY for f in self.fields) else []
        if self.named:
            derived.insert(0, "id")
        return (*derived, "precision") if self.dated_by else tuple(derived)

    @cached_property
    def by_key(self) -> Mapping[str, Field]:
        return {f.key: f for f in self.fields}

    @cached_property
    def model_order(self) -> tuple[Field | None, ...]:
        """The fields in the order of the model's attributes (`extra` is None): the
        order a record's keys are checked in and its model is built with."""
        by_attr = {f.attribute: f for f in self.fields}
        order: list[Field | None] = []
        for attribute in dataclasses.fields(self.model):
            if attribute.name == "extra":
                order.append(None)
            elif attribute.name in by_attr:
                order.append(by_attr.pop(attribute.name))
            elif attribute.default is dataclasses.MISSING:
                raise TypeError(f"{self.model.__name__}.{attribute.name} has no key")
        if by_attr:
            raise TypeError(f"{self.model.__name__} has no attribute for {sorted(by_attr)}")
        return tuple(order)


_SOURCES = "URLs"
_IGNORE_WARNINGS = (
    "codes of `sisterctl check` warnings that do not apply to this record "
    '(`["overdue-planned"]`); say why in its notes. Errors are never set aside'
)
_TIE_SOURCES = "URLs; when left out, the tie's sources stand for it"

CITY = Table(
    "city",
    City,
    "A city, or another place that ties bind.",
    "The cities (and provinces, states, regions) that ties bind.",
    (
        Field(
            "id",
            Kind.ID,
            "unique, lowercase letters, digits and `-`; by convention the name and the "
            "country code, `taipei-tw`",
            required=True,
        ),
        Field("name", Kind.TEXT, "the usual English name, `Taipei`", required=True),
        Field(
            "country",
            Kind.COUNTRY,
            "ISO 3166-1 alpha-2 code, upper case: `TW`, `KR` (`XK` for Kosovo)",
            required=True,
        ),
        Field(
            "type",
            Kind.TEXT,
            "`city` (default), `province`, `state`, `region`, `county`, `prefecture`, "
            "`district`, `municipality`, or another word",
            default="city",
        ),
        Field("local_name", Kind.TEXT, "the name in the local script, `臺北市`, `대구광역시`"),
        Field("aliases", Kind.TEXTS, 'other names the city is found by, `["Taegu"]`'),
        Field(
            "lat",
            Kind.NUMBER,
            "latitude in degrees (WGS 84), for maps and map exports; `sisterctl geocode` "
            "fills it from the GeoNames gazetteer",
            low=-90,
            high=90,
        ),
        Field(
            "lon",
            Kind.NUMBER,
            "longitude in degrees (WGS 84), for maps and map exports",
            low=-180,
            high=180,
        ),
        Field(
            "geonames",
            Kind.INTEGER,
            "the [GeoNames](https://www.geonames.org) id of the place `lat` and `lon` were "
            "taken from (`https://www.geonames.org/1668341` is Taipei): their source",
            low=1,
            high=2**31 - 1,
        ),
        Field(
            "wikidata",
            Kind.WIKIDATA,
            "the city's [Wikidata](https://www.wikidata.org) item, `Q1867` (`import "
            "wikidata` fills it in); `export quickstatements` writes the ties of cities "
            "that have one",
        ),
        Field("notes", Kind.TEXT, "free text", multiline=True),
        Field("sources", Kind.TEXTS, _SOURCES),
        Field(
            "ignore_warnings",
            Kind.TEXTS,
            _IGNORE_WARNINGS,
        ),
    ),
)

PARTNERSHIP = Table(
    "partnership",
    Partnership,
    "A tie between two cities; their order carries no meaning.",
    "The ties between two cities.",
    (
        Field("id", Kind.ID, "unique, stable, readable: `taipei-daegu`", required=True),
        Field(
            "cities",
            Kind.CITY_PAIR,
            "the two city ids",
            required=True,
            missing="'cities' is missing (two city ids)",
        ),
        Field(
            "kind",
            Kind.TEXT,
            "the kind of tie *as founded*: `sister city` (default), `friendship city`, "
            "`partner city`, `twin town`, or the source's own words",
            default=DEFAULT_KIND,
        ),
        Field(
            "established",
            Kind.DATE,
            "the founding date, at its precision; left out when unknown",
        ),
        Field(
            "status",
            Kind.CHOICE,
            "`active`, `suspended`, `ended`, or `unknown` (no source states the tie's "
            "present status: it may have lapsed without record), as of `status_date`; "
            "when left out, the registry's `settings.default_status` (`active` unless set)",
            default=Status.ACTIVE,
            choices=tuple(s.value for s in Status),
            enum=Status,
        ),
        Field("status_date", Kind.DATE, "when the status above began"),
        Field("status_reason", Kind.TEXT, "why", multiline=True),
        Field(
            "fields",
            Kind.TEXTS,
            "fields of cooperation: `tourism`, `culture`, `smart cities`...",
        ),
        Field(
            "notes",
            Kind.TEXT,
            "free text; where sources disagree, say here which claim each makes",
            multiline=True,
        ),
        Field("sources", Kind.TEXTS, "URLs that state the tie", recommended=True),
        Field(
            "ignore_warnings",
            Kind.TEXTS,
            _IGNORE_WARNINGS,
        ),
    ),
    dated_by="established",
)

_TIE_ID = "the tie's id"
_BEFORE_FOUNDING = (
    "`true` when it is rightly dated before the tie was established and was recorded "
    "so on purpose (`sisterctl add ... --force`; a letter of intent signed before the "
    "tie). Without it, `sisterctl check` reports such a date as an error"
)

AGREEMENT = Table(
    "agreement",
    Agreement,
    "An agreement signed (or planned) on a tie.",
    "Agreements signed (or planned) on a tie.",
    (
        Field("partnership", Kind.TIE, _TIE_ID, required=True),
        Field("date", Kind.DATE, "when it was signed (or is planned)"),
        Field(
            "title",
            Kind.TEXT,
            "`Agreement to Reaffirm Sister City Friendship`",
            required=True,
        ),
        Field(
            "kind",
            Kind.TEXT,
            "`founding`, `reaffirmation`, `renewal`, `upgrade`, `memorandum`, "
            "`letter of intent`, `declaration`, or another word; default `agreement`",
            default="agreement",
        ),
        Field("to_kind", Kind.TEXT, 'with `kind = "upgrade"`: the tie\'s kind from this date'),
        Field(
            "signatories",
            Kind.SIGNATORIES,
            '`{ name = "Ko Wen-je", role = "Mayor of Taipei" }` (`role` optional)',
        ),
        Field(
            "mode",
            Kind.TEXT,
            "`in-person`, `video-conference`, `exchange-of-documents`, or another word",
        ),
        Field("venue", Kind.TEXT, "where it was signed: `Taipei City Hall`"),
        Field("fields", Kind.TEXTS, "fields of cooperation it covers"),
        Field(
            "status",
            Kind.CHOICE,
            "`signed` (default) or `planned`",
            default="signed",
            choices=("signed", "planned"),
        ),
        Field("notes", Kind.TEXT, "free text", multiline=True),
        Field("sources", Kind.TEXTS, _TIE_SOURCES),
        Field("before_founding", Kind.FLAG, _BEFORE_FOUNDING, default=False),
        Field(
            "ignore_warnings",
            Kind.TEXTS,
            _IGNORE_WARNINGS,
        ),
    ),
    dated_by="date",
    named=True,
)

EXCHANGE = Table(
    "exchange",
    Exchange,
    "A visit, delegation, festival, forum, summit... on a tie.",
    "Visits, delegations, festivals, forums... on a tie.",
    (
        Field("partnership", Kind.TIE, _TIE_ID, required=True),
        Field(
            "date",
            Kind.DATE,
            'when; left out when no source dates it ("took part several times")',
        ),
        Field(
            "kind",
            Kind.TEXT,
            "`visit`, `delegation`, `festival`, `forum`, `summit`, `ceremony`, "
            "`anniversary`, `exhibition`, `gift`, or another word",
            required=True,
        ),
        Field("title", Kind.TEXT, "what happened", required=True),
        Field("venue", Kind.TEXT, "where it took place"),
        Field("mode", Kind.TEXT, "how: `in-person`, `video-conference`, or another word"),
        Field("fields", Kind.TEXTS, "fields of cooperation it concerns"),
        Field("details", Kind.TEXT, "free text", multiline=True),
        Field("sources", Kind.TEXTS, _TIE_SOURCES),
        Field(
            "before_founding",
            Kind.FLAG,
            "as for `[[agreement]]` (the visit that led to the tie)",
            default=False,
        ),
        Field(
            "ignore_warnings",
            Kind.TEXTS,
            _IGNORE_WARNINGS,
        ),
    ),
    dated_by="date",
    named=True,
)

STATUS_CHANGE = Table(
    "status_change",
    StatusChange,
    "A tie suspended, ended, or resumed (status active).",
    "A tie suspended, ended, or resumed.",
    (
        Field("partnership", Kind.TIE, _TIE_ID, required=True),
        Field("date", Kind.DATE, "when", required=True),
        Field(
            "status",
            Kind.CHOICE,
            "`suspended`, `ended` or `active` (resumed)",
            required=True,
            choices=tuple(s.value for s in CHANGE_STATUSES),
            enum=Status,
        ),
        Field("reason", Kind.TEXT, "why", multiline=True),
        Field("sources", Kind.TEXTS, _SOURCES),
        Field(
            "ignore_warnings",
            Kind.TEXTS,
            _IGNORE_WARNINGS,
        ),
    ),
    dated_by="date",
)

#: The record tables, in the order a registry's arrays are read and written.
TABLES: Mapping[str, Table] = {
    t.name: t for t in (CITY, PARTNERSHIP, AGREEMENT, EXCHANGE, STATUS_CHANGE)
}

#: The keys of `[settings]`.
SETTINGS = (
    Field(
        "leap_day",
        Kind.CHOICE,
        'when a tie founded on 29 February celebrates in common years: `"feb28"` (the '
        'last day of February) or `"mar1"`',
        default=LeapDay.FEB28,
        choices=tuple(d.value for d in LeapDay),
        enum=LeapDay,
    ),
    Field(
        "default_status",
        Kind.CHOICE,
        'what a tie with no `status` key is: `"active"` (as sister-city toolkits say, '
        '"active unless otherwise indicated") or `"unknown"`, for a registry where a tie '
        "counts as active only when a source says so",
        default=Status.ACTIVE,
        choices=tuple(s.value for s in DEFAULT_STATUSES),
        enum=Status,
    ),
)

#: The keys sisterctl knows in each record table; any other key is kept as `extra`.
RECORD_KEYS: Mapping[str, frozenset[str]] = {name: t.keys for name, t in TABLES.items()}
#: The keys a registry knows at its top level.
TOP_KEYS = frozenset({"schema_version", "settings", *TABLES})
#: The keys of free text, which may hold line breaks (`notes`, `details`...).
FREE_TEXT_KEYS = frozenset(f.key for t in TABLES.values() for f in t.fields if f.multiline)


def record(table: str, /, **values: Any) -> Record:
    """A record to append, `(table, keys)`: its keys in the order of its table, the
    order of the docs and of what people write. A key the table does not know is a
    mistake in sisterctl, not in what a user asked for: a ValueError."""
    described = TABLES[table]
    unknown = values.keys() - described.keys
    if unknown:
        raise ValueError(f"[[{table}]] has no key {', '.join(sorted(unknown))}")
    return table, {f.key: values[f.key] for f in described.fields if f.key in values}
