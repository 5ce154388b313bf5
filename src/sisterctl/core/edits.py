"""Edits: the records that `add`, `end` and `resume` append, the values `sign` and
`edit` change, or why they are refused.

Pure: every function takes the registry as it is (read under the write lock by
`registry.append`) and what the user asked for, and returns the records to append as
`(table, record)` pairs, keys in the order of docs/registry-format.md. A request that
would make the registry wrong raises a RefusedError (or NotFoundError) with a one-line
message; then nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sisterctl import countries, ids
from sisterctl.core.geocode import Gazetteer, GazetteerPlace, locate, located_record
from sisterctl.core.identity import FOUNDING, agreement_key, exchange_key, model_key
from sisterctl.core.query import find_cities, find_tie, suggest_cities
from sisterctl.dates import PartialDate
from sisterctl.errors import Hint, NotFoundError, Param, RecordRef, RefusedError
from sisterctl.model import DEFAULT_KIND, Agreement, City, Partnership, Record, Registry, Status
from sisterctl.records.fields import record
from sisterctl.text import entered_text, fold, text_problem

# The usual words for how an agreement was signed; any other word is kept as written.
MODES = ("in-person", "video-conference", "exchange-of-documents")


# ---------------------------------------------------------------------------
# What users ask for


@dataclass(frozen=True)
class CityNames:
    """What `add city` records of a new city besides its name and country, and what
    `add partnership` records of the one new city it creates."""

    local_name: str | None = None
    aliases: Sequence[str] = ()
    type: str | None = None  # city (default), province, state, region, county...
    sources: Sequence[str] = ()
    notes: str | None = None
    wikidata: str | None = None  # its Wikidata item, Q1867

    def __bool__(self) -> bool:
        return bool(
            self.local_name
            or self.aliases
            or self.type
            or self.sources
            or self.notes
            or self.wikidata
        )


@dataclass(frozen=True)
class NewCity:
    """`sisterctl add city`."""

    city: str  # NAME, COUNTRY
    names: CityNames = CityNames()
    geonames: Sequence[int] = ()  # its place in the gazetteer, chosen by hand


@dataclass(frozen=True)
class NewTie:
    """`sisterctl add partnership`: a tie founded by the agreement signed that day."""

    cities: tuple[str, str]
    established: PartialDate
    kind: str | None = None
    fields: Sequence[str] = ()
    sources: Sequence[str] = ()
    notes: str | None = None
    # The founding agreement
    title: str | None = None
    signatories: Sequence[str] = ()
    mode: str | None = None
    venue: str | None = None
    # Coordinates of new cities: the GeoNames ids chosen by hand (`--geonames`)
    geonames: Sequence[int] = ()
    # The one new city's names, kind, sources and notes (`--local-name`, ...)
    city: CityNames = CityNames()


@dataclass(frozen=True)
class NewAgreement:
    """`sisterctl add agreement`."""

    tie: Sequence[str]
    date: PartialDate | None  # None: `--date unknown`
    title: str
    kind: str | None = None
    to_kind: str | None = None
    signatories: Sequence[str] = ()
    mode: str | None = None
    venue: str | None = None
    fields: Sequence[str] = ()
    planned: bool = False
    notes: str | None = None
    sources: Sequence[str] = ()
    force: bool = False


@dataclass(frozen=True)
class NewExchange:
    """`sisterctl add exchange`."""

    tie: Sequence[str]
    date: PartialDate | None  # None: undated, as "took part several times"
    kind: str
    title: str
    details: str | None = None
    sources: Sequence[str] = ()
    force: bool = False
    venue: str | None = None
    mode: str | None = None
    fields: Sequence[str] = ()


@dataclass(frozen=True)
class NewStatus:
    """`sisterctl end` (status ended or suspended) and `sisterctl resume` (active)."""

    tie: Sequence[str]
    date: PartialDate
    status: Status
    reason: str | None = None
    sources: Sequence[str] = ()
    force: bool = False


# ---------------------------------------------------------------------------
# Text from users


def line(value: str, what: str, *, required: bool = False) -> str | None:
    """One line of text (a title, a name, a kind): no control characters at all."""
    problem = text_problem(value)
    if problem is not None:
        raise RefusedError(f"the {what} {problem}")
    if not value.strip():
        if required:
            raise RefusedError(f"the {what} is empty")
        return None
    return value


def paragraph(value: str | None, what: str) -> str | None:
    """Free text (details, notes): line breaks allowed (CRLF read as LF), no other
    control character."""
    if value is None:
        return None
    problem = text_problem(value, multiline=True)
    if problem is not None:
        raise RefusedError(f"the {what} {problem}")
    value = entered_text(value, multiline=True)
    return value if value.strip() else None


def _lines(values: Iterable[str], what: str) -> list[str]:
    """A list of one-line texts, without repeats (same text, ignoring case and accents)."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        text = line(value, what, required=True)
        assert text is not None
        if fold(text) not in seen:
            seen.add(fold(text))
            out.append(text)
    return out


def _sources(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        text = line(value, "source", required=True)
        assert text is not None
        if text.strip() not in out:
            out.append(text.strip())
    return out


def parse_signatory(text: str) -> dict[str, str]:
    """`Ko Wen-je (Mayor of Taipei)` → {name, role}; `Ko Wen-je` → {name}. The role is
    the text in the last, outermost parentheses."""
    value = line(text, "signatory", required=True)
    assert value is not None
    value = value.strip()
    if value.endswith(")"):
        depth = 0
        for i in range(len(value) - 1, -1, -1):
            if value[i] == ")":
                depth += 1
            elif value[i] == "(":
                depth -= 1
                if depth == 0:
                    name, role = value[:i].strip(), value[i + 1 : -1].strip()
                    if not name:
                        raise RefusedError(
                            f"the signatory {value!r} has no name: write NAME (ROLE)"
                        )
                    return {"name": name, "role": role} if role else {"name": name}
    return {"name": value}


def mode_word(text: str | None) -> str | None:
    """How an agreement was signed: the usual words in their usual spelling
    (`video conference` → `video-conference`), any other word as written."""
    if text is None:
        return None
    value = line(text, "mode")
    if value is None:
        return None
    key = "-".join(fold(value).replace("_", " ").replace("-", " ").split())
    aliases = {
        "video": "video-conference",
        "videoconference": "video-conference",
        "online": "video-conference",
        "in-person": "in-person",
        "inperson": "in-person",
    }
    if key in MODES:
        return key
    return aliases.get(key, value)


# ---------------------------------------------------------------------------
# Cities


@dataclass(frozen=True)
class CityChoice:
    """The city a CITY argument names: one the registry holds, or a new one."""

    id: str
    name: str
    country: str
    new: bool

    @property
    def key(self) -> tuple[str, str]:
        return (fold(self.name), self.country)

    def record(self, names: CityNames | None = None) -> dict[str, Any]:
        if not names:
            return record("city", id=self.id, name=self.name, country=self.country)[1]
        kind = line(names.type, "kind of city") if names.type is not None else None
        return record(
            "city",
            id=self.id,
            name=self.name,
            country=self.country,
            type=kind if kind and fold(kind) != "city" else None,
            local_name=line(names.local_name, "local name") if names.local_name else None,
            aliases=[a for a in _lines(names.aliases, "alias") if a != self.name],
            wikidata=_wikidata(names.wikidata),
            notes=paragraph(names.notes, "note"),
            sources=_sources(names.sources),
        )[1]


def _wikidata(value: str | None) -> str | None:
    """A Wikidata item id, Q and a number (`Q1867`); a bare number is taken as one."""
    if value is None:
        return None
    from sisterctl.records.build import WIKIDATA_ID_RE

    item = value.strip()
    item = "Q" + item if item.isdigit() else item[:1].upper() + item[1:]
    if not WIKIDATA_ID_RE.fullmatch(item):
        raise RefusedError(
            f"{value!r} is not a Wikidata item id: write Q and its number, as in Q1867"
        )
    return item


def _known(city: City) -> CityChoice:
    return CityChoice(city.id, city.name, city.country, new=False)


def resolve_city(registry: Registry, text: str, taken_ids: Iterable[str] = ()) -> CityChoice:
    """The city that `text` names.

    `NAME, COUNTRY` (`Chengdu, China`, `Daegu, KR`) is the registry's city of that name
    (or alias, or local name) in that country, or else a new city. A bare name, or a
    city id, must name exactly one city the registry holds.
    """
    value = line(text, "city", required=True)
    assert value is not None
    value = value.strip()
    if value in registry.cities:
        return _known(registry.cities[value])
    head, code = _split_country(value)
    tail = value.rpartition(",")[2].strip()
    if code is None:
        matches = find_cities(registry, value)
        if len(matches) == 1:
            return _known(matches[0])
        if len(matches) > 1:
            raise RefusedError(
                f"{value!r} could be {_list_cities(matches)}; "
                f"add the country, as '{value}, COUNTRY', or give the city's id"
            )
        if "," in value and tail:
            raise RefusedError(
                f"unknown country {tail!r} in {value!r}: write the city as "
                "'NAME, COUNTRY', with an ISO code such as KR or a name such as 'South Korea'"
            )
        close = suggest_cities(registry, value)
        hint = f"did you mean {' or '.join(close)}? To add a new city, " if close else "to add it, "
        raise RefusedError(
            f"the registry holds no city {value!r}; {hint}write it as '{value}, COUNTRY'"
        )
    name = head
    matches = find_cities(registry, name, country=code)
    if len(matches) == 1:
        return _known(matches[0])
    if len(matches) > 1:
        raise RefusedError(
            f"{value!r} could be {_list_cities(matches)}; give the city's id instead"
        )
    city_id = ids.new_city_id(name, code, {*registry.cities, *taken_ids})
    return CityChoice(city_id, name, code, new=True)


def _split_country(text: str) -> tuple[str, str | None]:
    """`Daegu, KR` → ("Daegu", "KR"); the country is what follows the last comma, or
    the last two (`Daegu, Korea, Republic of`); no country → (text, None)."""
    parts = text.split(",")
    for cut in range(len(parts) - 1, max(len(parts) - 3, 0), -1):
        head, tail = ",".join(parts[:cut]).strip(), ",".join(parts[cut:]).strip()
        if head and tail and (code := countries.lookup(tail)) is not None:
            return head, code
    return text, None


def _list_cities(cities: Sequence[City]) -> str:
    return " or ".join(f"{c.name}, {c.country} ({c.id})" for c in cities)


# ---------------------------------------------------------------------------
# Dates


def _of(date: PartialDate | None) -> str:
    """`of 2021-03-26`, or `with no date`."""
    return f"of {date}" if date is not None else "with no date"


def _when(date: PartialDate) -> str:
    """`on 2010-11-04`, `in 2010-11`, `in 1997`."""
    return f"on {date}" if date.day is not None else f"in {date}"


def _ref(tie: Partnership) -> RecordRef:
    """The tie an error is about."""
    return RecordRef("partnership", None, tie.id)


def _check_after_founding(
    tie: Partnership, date: PartialDate | None, what: str, force: bool
) -> dict[str, Any]:
    if date is None or tie.established is None or not date.certainly_before(tie.established):
        return {}
    if force:
        return {"before_founding": True}
    raise RefusedError(
        (
            f"{tie.id} was established {_when(tie.established)}; {what} dated {date} would "
            "come before it (check the date, or ",
            Hint.FORCE,
            " to record it as it is)",
        ),
        record=_ref(tie),
        key="date",
        code="before-founding",
    )


# ---------------------------------------------------------------------------
# The edits


def new_city(
    registry: Registry, request: NewCity, gazetteer: Gazetteer | None = None
) -> list[Record]:
    """A new `[[city]]`, with its local name, aliases, kind, sources and notes, and
    coordinates from `gazetteer` as `new_tie` gives its new cities."""
    city = resolve_city(registry, request.city)
    if not city.new:
        raise RefusedError(
            (
                f"{city.name}, {city.country} is already in the registry as {city.id}; "
                "give it other names with ",
                Hint.EDIT,
            ),
            record=RecordRef("city", None, city.id),
            code="duplicate-record",
        )
    return [("city", r) for r in _new_cities([city], request.geonames, gazetteer, request.names)]


def new_tie(
    registry: Registry, request: NewTie, gazetteer: Gazetteer | None = None
) -> list[Record]:
    """A new tie: its new cities, the `[[partnership]]`, and the founding
    `[[agreement]]` (kind "founding", dated the day the tie was established).

    New cities get coordinates from `gazetteer` when their name and country match
    exactly one place, or from the place chosen in `request.geonames`."""
    first = resolve_city(registry, request.cities[0])
    second = resolve_city(registry, request.cities[1], taken_ids=[first.id])
    if first.id == second.id or first.key == second.key:
        raise RefusedError(f"a city cannot be tied to itself ({first.name}, {first.country})")
    _refuse_existing_tie(registry, first, second)
    named = _named_city(first, second, request.city)
    kind = line(request.kind, "kind", required=True) if request.kind is not None else None
    kind = kind or DEFAULT_KIND
    tie_id = _tie_id(registry, first, second)
    new = [c for c in (first, second) if c.new]
    records: list[Record] = [
        ("city", record)
        for record in _new_cities(new, request.geonames, gazetteer, request.city, named)
    ]
    records.append(
        record(
            "partnership",
            id=tie_id,
            cities=[first.id, second.id],
            kind=kind,
            established=request.established.iso(),
            fields=_lines(request.fields, "field"),
            notes=paragraph(request.notes, "note"),
            sources=_sources(request.sources),
        )
    )
    title = (
        request.title if request.title is not None else f"{kind[:1].upper()}{kind[1:]} agreement"
    )
    records.append(
        record(
            "agreement",
            partnership=tie_id,
            date=request.established.iso(),
            title=line(title, "title", required=True),
            kind="founding",
            signatories=[parse_signatory(s) for s in request.signatories],
            mode=mode_word(request.mode),
            venue=line(request.venue, "venue") if request.venue is not None else None,
        )
    )
    return records


def _new_cities(
    cities: Sequence[CityChoice],
    chosen: Sequence[int],
    gazetteer: Gazetteer | None,
    names: CityNames | None = None,
    named: CityChoice | None = None,
) -> list[dict[str, Any]]:
    """The records of new cities, with coordinates where the gazetteer places them. An
    id chosen by hand goes to the new city in its place's country (the one whose
    candidates it is among, when both are in that country). `names` describe the city
    `named` (the one city, when None)."""
    picks: dict[str, int] = {}
    for geonames in chosen:
        if gazetteer is None:
            raise RefusedError((Param.GEONAMES, f" {geonames}: no gazetteer to look it up in"))
        place = gazetteer.by_id(geonames)
        if place is None:
            raise RefusedError(f"the gazetteer ({gazetteer.name}) has no place with id {geonames}")
        fits = [c for c in cities if c.country == place.country and c.id not in picks]
        if len(fits) > 1:
            fits = [c for c in fits if geonames in {p.geonames for p in _candidates(gazetteer, c)}]
        if not fits:
            raise RefusedError(
                (
                    Param.GEONAMES,
                    f" {geonames} is {place.describe()}, none of the new cities (a city the "
                    "registry holds already gets its coordinates with ",
                    Hint.GEOCODE,
                    ")",
                )
            )
        if len(fits) > 1:
            raise RefusedError((Param.GEONAMES, f" {geonames} could be for either new city"))
        picks[fits[0].id] = geonames
    return [
        located_record(
            gazetteer,
            c.record(names if named is None or c is named else None),
            chosen=picks.get(c.id),
        )[0]
        for c in cities
    ]


def _candidates(gazetteer: Gazetteer, city: CityChoice) -> tuple[GazetteerPlace, ...]:
    match = locate(gazetteer, city.name, city.country)
    return (match.place,) if match.place is not None else match.candidates


def _named_city(first: CityChoice, second: CityChoice, names: CityNames) -> CityChoice | None:
    """The one new city that `--local-name`, `--alias`, ... describe, if they are given."""
    if not names:
        return None
    new = [c for c in (first, second) if c.new]
    if len(new) == 1:
        return new[0]
    if not new:
        raise RefusedError(
            (
                Param.CITY_NAMES,
                f" describe the new city of a tie, and {first.id} and {second.id} are "
                "already in the registry (give them names with ",
                Hint.EDIT,
                ")",
            ),
            record=RecordRef("city", None, second.id),
        )
    raise RefusedError(
        (
            f"both {first.name} and {second.name} are new, and ",
            Param.CITY_NAMES,
            " describe one city: add one first with ",
            Hint.ADD_CITY,
        )
    )


def _refuse_existing_tie(registry: Registry, first: CityChoice, second: CityChoice) -> None:
    ids = {first.id, second.id}
    keys = {first.key, second.key}
    for tie in registry.partnerships:
        a, b = tie.cities
        if tie.pair_key() == ids or {(fold(a.name), a.country), (fold(b.name), b.country)} == keys:
            since = f", established {tie.established}" if tie.established else ""
            raise RefusedError(
                (
                    f"{a.name}–{b.name} is already in the registry as {tie.id}{since}; "
                    "record a new agreement on it with ",
                    Hint.ADD_AGREEMENT,
                ),
                record=_ref(tie),
                code="duplicate-tie",
            )


def _tie_id(registry: Registry, first: CityChoice, second: CityChoice) -> str:
    """`taipei-daegu`; with the country codes when that is taken
    (`paris-us-rome-us`), then a number."""
    return ids.new_tie_id(
        (ids.tie_id_part(first.name, first.id), first.country),
        (ids.tie_id_part(second.name, second.id), second.country),
        registry.by_id,
    )


def new_agreement(registry: Registry, request: NewAgreement) -> list[Record]:
    """An agreement signed (or planned) on a tie."""
    tie = find_tie(registry, request.tie)
    title = line(request.title, "title", required=True)
    assert title is not None
    extra = _check_after_founding(tie, request.date, "an agreement", request.force)
    kind = line(request.kind, "kind") if request.kind is not None else None
    to_kind = line(request.to_kind, "new kind") if request.to_kind is not None else None
    if to_kind and kind is None:
        kind = "upgrade"
    key = agreement_key(tie.id, request.date, title, kind)
    held = next((a for a in registry.agreements_of(tie) if model_key(a) == key), None)
    if held is not None and not request.force:
        what = (
            f'its founding agreement, "{held.title}" {_of(held.date)}'
            if key[-1] == FOUNDING
            else f'the agreement "{held.title}" {_of(held.date)}'
        )
        raise RefusedError(
            (f"{tie.id} already has {what} (", Hint.FORCE, " to record a second one)"),
            record=_ref(tie),
            code="duplicate-record",
        )
    return [
        record(
            "agreement",
            partnership=tie.id,
            date=request.date.iso() if request.date else None,
            title=title,
            kind=kind,
            to_kind=to_kind,
            signatories=[parse_signatory(s) for s in request.signatories],
            mode=mode_word(request.mode),
            venue=line(request.venue, "venue") if request.venue is not None else None,
            fields=_lines(request.fields, "field"),
            status="planned" if request.planned else None,
            notes=paragraph(request.notes, "note"),
            sources=_sources(request.sources),
            **extra,
        )
    ]


def new_exchange(registry: Registry, request: NewExchange) -> list[Record]:
    """A visit, delegation, festival, forum... on a tie."""
    tie = find_tie(registry, request.tie)
    kind = line(request.kind, "kind", required=True)
    title = line(request.title, "title", required=True)
    assert kind is not None and title is not None
    extra = _check_after_founding(tie, request.date, f"a {kind}", request.force)
    key = exchange_key(tie.id, request.date, kind, title)
    if not request.force and any(model_key(e) == key for e in registry.exchanges_of(tie)):
        raise RefusedError(
            (
                f'{tie.id} already has the {kind} "{title}" {_of(request.date)} (',
                Hint.FORCE,
                " to record a second one)",
            ),
            record=_ref(tie),
            code="duplicate-record",
        )
    return [
        record(
            "exchange",
            partnership=tie.id,
            date=request.date.iso() if request.date else None,
            kind=kind,
            title=title,
            venue=line(request.venue, "venue") if request.venue is not None else None,
            mode=mode_word(request.mode),
            fields=_lines(request.fields, "field"),
            details=paragraph(request.details, "note"),
            sources=_sources(request.sources),
            **extra,
        )
    ]


def change_status(registry: Registry, request: NewStatus) -> list[Record]:
    """A tie ended or suspended (`end`), or a suspension lifted (`resume`)."""
    tie = find_tie(registry, request.tie)
    state = registry.state(tie)
    date = request.date
    wanted = request.status
    verb = {Status.ENDED: "an ending", Status.SUSPENDED: "a suspension", Status.ACTIVE: "resuming"}
    since = f" since {state.since}" if state.since else ""
    on = f" {_when(state.since)}" if state.since else ""
    if wanted is Status.ACTIVE:
        if state.status is Status.ACTIVE:
            active = f"has been active since {state.since}" if state.since else "is active"
            raise RefusedError(f"{tie.id} {active}: there is no suspension to lift")
        if state.status is Status.ENDED and not request.force:
            raise RefusedError(
                (
                    f"{tie.id} ended{on}; resume lifts a suspension (to record that the "
                    "ended tie was revived, ",
                    Hint.FORCE,
                    ")",
                ),
                record=_ref(tie),
                code="ended",
            )
    elif state.status is Status.ENDED:
        raise RefusedError(f"{tie.id} already ended{on}")
    elif state.status is wanted:
        raise RefusedError(f"{tie.id} is already suspended{since}")
    if tie.established is not None and date.certainly_before(tie.established):
        raise RefusedError(
            f"{tie.id} was established {_when(tie.established)}; {verb[wanted]} dated {date} "
            "would come before the tie began"
        )
    if state.since is not None and date.sort_key < state.since.sort_key:
        raise RefusedError(
            f"{tie.id} has been {state.status.value} since {state.since}; "
            f"{verb[wanted]} dated {date} would come before that and change nothing"
        )
    return [
        record(
            "status_change",
            partnership=tie.id,
            date=date.iso(),
            status=wanted.value,
            reason=line(request.reason, "reason") if request.reason is not None else None,
            sources=_sources(request.sources),
        )
    ]


# ---------------------------------------------------------------------------
# Saying what was recorded


def describe(records: Sequence[Record]) -> str:
    """What the records are, in a few words: `the agreement "..." on taipei-daegu
    (2021-03-26)`."""
    tables = [table for table, _ in records]
    if "partnership" in tables:
        tie = next(r for t, r in records if t == "partnership")
        cities = [r["id"] for t, r in records if t == "city"]
        text = (
            f"the new tie {tie['id']} ({tie.get('kind', DEFAULT_KIND)}, "
            f"established {tie.get('established', 'unknown')})"
        )
        if "agreement" in tables:
            text += " with its founding agreement"
        if cities:
            text += " and the new " + ("city " if len(cities) == 1 else "cities ")
            text += " and ".join(cities)
        return text
    if len(records) != 1:
        return f"{len(records)} records"
    table, record = records[0]
    if table == "city":
        return f"the new city {record['id']} ({record['name']}, {record['country']})"
    tie_id, date = record.get("partnership"), record.get("date") or "undated"
    if table == "agreement":
        planned = "planned " if record.get("status") == "planned" else ""
        return f'the {planned}agreement "{record["title"]}" on {tie_id} ({date})'
    if table == "exchange":
        return f'the {record["kind"]} "{record["title"]}" on {tie_id} ({date})'
    if table == "status_change":
        word = {"ended": "ending", "suspended": "suspension", "active": "resumption"}
        return f"the {word.get(record['status'], 'status change')} of {tie_id} on {date}"
    return f"a [[{table}]] record"


# ---------------------------------------------------------------------------
# Edits in place: `sisterctl edit` and `sisterctl sign`
#
# These change values of one record where it is written; `store.edit` rewrites only
# their bytes and verifies the result. The planning is here: which record, which
# keys, and each new value checked as `add` checks it.


class FieldType(StrEnum):
    FIXED = "fixed"  # an id or a reference: other records depend on it
    TEXT = "text"
    REQUIRED = "required text"
    PARAGRAPH = "paragraph"
    DATE = "date"
    LIST = "list"
    SOURCES = "sources"
    SIGNATORIES = "signatories"
    MODE = "mode"
    COUNTRY = "country"
    LATITUDE = "latitude"
    LONGITUDE = "longitude"
    FLAG = "flag"
    TIE_STATUS = "tie status"
    AGREEMENT_STATUS = "agreement status"


_T = FieldType
#: The keys `edit` may change in each table, in the order sisterctl writes them (a key
#: a record does not have yet goes after the one before it here).
EDITABLE: dict[str, tuple[tuple[str, FieldType], ...]] = {
    "city": (
        ("id", _T.FIXED),
        ("name", _T.REQUIRED),
        ("country", _T.COUNTRY),
        ("type", _T.TEXT),
        ("local_name", _T.TEXT),
        ("aliases", _T.LIST),
        ("lat", _T.LATITUDE),
        ("lon", _T.LONGITUDE),
        ("notes", _T.PARAGRAPH),
        ("sources", _T.SOURCES),
        ("ignore_warnings", _T.LIST),
    ),
    "partnership": (
        ("id", _T.FIXED),
        ("cities", _T.FIXED),
        ("kind", _T.REQUIRED),
        ("established", _T.DATE),
        ("status", _T.TIE_STATUS),
        ("status_date", _T.DATE),
        ("status_reason", _T.TEXT),
        ("fields", _T.LIST),
        ("notes", _T.PARAGRAPH),
        ("sources", _T.SOURCES),
        ("ignore_warnings", _T.LIST),
    ),
    "agreement": (
        ("partnership", _T.FIXED),
        ("date", _T.DATE),
        ("title", _T.REQUIRED),
        ("kind", _T.REQUIRED),
        ("to_kind", _T.TEXT),
        ("signatories", _T.SIGNATORIES),
        ("mode", _T.MODE),
        ("venue", _T.TEXT),
        ("fields", _T.LIST),
        ("status", _T.AGREEMENT_STATUS),
        ("notes", _T.PARAGRAPH),
        ("sources", _T.SOURCES),
        ("before_founding", _T.FLAG),
        ("ignore_warnings", _T.LIST),
    ),
    "exchange": (
        ("partnership", _T.FIXED),
        ("date", _T.DATE),
        ("kind", _T.REQUIRED),
        ("title", _T.REQUIRED),
        ("venue", _T.TEXT),
        ("mode", _T.MODE),
        ("fields", _T.LIST),
        ("details", _T.PARAGRAPH),
        ("sources", _T.SOURCES),
        ("before_founding", _T.FLAG),
        ("ignore_warnings", _T.LIST),
    ),
}
#: The record kinds `edit` takes, and their tables.
EDIT_KINDS = {
    "city": "city",
    "tie": "partnership",
    "agreement": "agreement",
    "exchange": "exchange",
}
_LISTS = (_T.LIST, _T.SOURCES, _T.SIGNATORIES)


@dataclass(frozen=True)
class EditRequest:
    """`sisterctl edit KIND ID --set KEY=VALUE... --add KEY=VALUE... --unset KEY...`.

    A list key given several times in `set` is set to all those values; `add` appends
    to a list key what it does not hold yet."""

    kind: str
    target: str
    today: dt.date  # what `--set date=today` means
    set: Sequence[tuple[str, str]] = ()
    add: Sequence[tuple[str, str]] = ()
    unset: Sequence[str] = ()


@dataclass(frozen=True)
class SignRequest:
    """`sisterctl sign AGREEMENT --date DATE ...`: a planned agreement is now signed."""

    agreement: Sequence[str]  # its id, or a tie (with `title`)
    date: PartialDate
    title: str | None = None  # part of its title, to pick it among the tie's
    signatories: Sequence[str] = ()
    mode: str | None = None
    venue: str | None = None
    sources: Sequence[str] = ()


@dataclass(frozen=True)
class RecordEdit:
    """The new values of one record (None: the key goes), in the table's key order."""

    table: str
    index: int
    name: str  # `the agreement taipei-daegu/2021-memorandum`
    values: Mapping[str, Any]
    order: tuple[str, ...]

    @property
    def keys(self) -> list[str]:
        return list(self.values)


def plan_edit(registry: Registry, data: Mapping[str, Any], request: EditRequest) -> RecordEdit:
    """The change `edit` makes to one record as `data` (the parsed file) holds it, or a
    RefusedError: a key the record cannot have, a value `add` would refuse."""
    table = EDIT_KINDS.get(request.kind)
    if table is None:
        raise RefusedError(
            f"there is no kind of record {request.kind!r}: edit a city, tie, agreement or exchange"
        )
    index, name = _find_record(registry, table, request.target)
    raw: Mapping[str, Any] = data[table][index]
    types = dict(EDITABLE[table])
    what = "a tie" if table == "partnership" else f"an {table}" if table[0] in "ae" else "a city"
    wanted: dict[str, list[str]] = {}
    added: dict[str, list[str]] = {}
    for pairs, into in ((request.set, wanted), (request.add, added)):
        for key_text, text in pairs:
            key = _editable_key(key_text, types, raw, what)
            if into is added and types[key] not in _LISTS:
                raise RefusedError(
                    (
                        Param.ADD,
                        f" appends to a list ({_list_keys(types)}); '{key}' holds one value: use ",
                        Param.SET,
                        f" {key}=...",
                    ),
                    key=key,
                )
            if into is wanted and key in wanted and types[key] not in _LISTS:
                raise RefusedError(
                    (f"'{key}' holds one value: give ", Param.SET, f" {key}=... once"), key=key
                )
            into.setdefault(key, []).append(text)
    removed: list[str] = []
    for key_text in request.unset:
        key = _key_name(key_text)
        if key not in raw:
            hint = _closest_key(key, list(raw))
            raise RefusedError(
                f"{name} has no '{key}' to remove{hint}; its keys are {', '.join(raw)}"
            )
        if types.get(key) is FieldType.FIXED:
            raise RefusedError(_fixed(key, table))
        if key in wanted or key in added:
            raise RefusedError(f"'{key}' is both set and removed: give one of them")
        removed.append(key)
    values: dict[str, Any] = {}
    for key, texts in wanted.items():
        values[key] = _value(key, types[key], texts, request.today)
    for key, texts in added.items():
        old = raw.get(key, [])
        base = values.get(key, [old] if isinstance(old, str | dict) else list(old))
        if not isinstance(base, list):
            base = [base]
        new = _value(key, types[key], texts, request.today)
        values[key] = _merge(base, new if isinstance(new, list) else [new])
    for key in removed:
        values[key] = None
    # A value unchanged, or a date set to `unknown` that is not there, is no change.
    changes = {
        key: value
        for key, value in values.items()
        if value != raw.get(key) and not (value is None and key not in raw)
    }
    for key, value in changes.items():
        if value is None and types.get(key) is FieldType.REQUIRED:
            raise RefusedError(f"'{key}' is required: {name} cannot be without it")
    order = tuple(key for key, _ in EDITABLE[table])
    return RecordEdit(table, index, name, dict(sorted(changes.items(), key=_rank(order))), order)


def plan_sign(registry: Registry, data: Mapping[str, Any], request: SignRequest) -> RecordEdit:
    """A planned agreement, now signed on `request.date`: its date, its status, and
    who signed it, how and where; the source that reports it joins its sources."""
    agreement = find_agreement(registry, request.agreement, request.title)
    agreement_id = registry.record_id(agreement)
    index = next(i for i, a in enumerate(registry.agreements) if a is agreement)
    ref = RecordRef("agreement", index, agreement_id)
    if not agreement.planned:
        when = f" on {agreement.date}" if agreement.date else ""
        raise RefusedError(
            (
                f"{agreement_id} is already signed{when}: only a planned agreement is signed "
                "(to correct it, ",
                Hint.EDIT,
                ")",
            ),
            record=ref,
            code="signed",
        )
    tie = registry.by_id[agreement.partnership]
    if tie.established is not None and request.date.certainly_before(tie.established):
        raise RefusedError(
            f"{tie.id} was established {_when(tie.established)}; a signing dated "
            f"{request.date} would come before it (check the date)",
            record=ref,
            key="date",
            code="before-founding",
        )
    raw: Mapping[str, Any] = data["agreement"][index]
    values: dict[str, Any] = {"date": request.date.iso(), "status": "signed"}
    if request.signatories:
        values["signatories"] = [parse_signatory(s) for s in request.signatories]
    if request.mode is not None:
        values["mode"] = mode_word(request.mode)
    if request.venue is not None:
        values["venue"] = line(request.venue, "venue", required=True)
    if request.sources:
        old = raw.get("sources", [])
        values["sources"] = _merge(
            [old] if isinstance(old, str) else list(old), _sources(request.sources)
        )
    order = tuple(key for key, _ in EDITABLE["agreement"])
    changes = {k: v for k, v in values.items() if v != raw.get(k)}
    return RecordEdit(
        "agreement",
        index,
        f"the agreement {agreement_id}",
        dict(sorted(changes.items(), key=_rank(order))),
        order,
    )


def find_agreement(registry: Registry, words: Sequence[str], title: str | None = None) -> Agreement:
    """The agreement a user names: its id (`taipei-daegu/2021-memorandum`), or a tie
    and part of its title; a tie alone names its one planned agreement."""
    if len(words) == 1 and "/" in words[0]:
        wanted = words[0].strip()
        found = registry.agreements_by_id.get(wanted) or registry.agreements_by_id.get(
            wanted.lower()
        )
        if found is None:
            from sisterctl.text import closest

            raise NotFoundError("agreement", wanted, closest(wanted, registry.agreements_by_id))
        return found
    tie = find_tie(registry, words)
    agreements = registry.agreements_of(tie)
    if title is not None:
        part = fold(title)
        matches = [a for a in agreements if part in fold(a.title)]
        what = f"whose title has {title!r}"
    else:
        matches = [a for a in agreements if a.planned]
        what = "planned"
    if len(matches) == 1:
        return matches[0]
    if not matches:
        if title is None:
            raise RefusedError(
                (
                    f"{tie.id} has no planned agreement; name the agreement by its id, as ",
                    Hint.SHOW,
                    " shows it",
                ),
                record=RecordRef("partnership", None, tie.id),
            )
        raise RefusedError(f"{tie.id} has no agreement {what}")
    ids = ", ".join(registry.record_id(a) for a in matches)
    raise RefusedError(f"{tie.id} has {len(matches)} agreements {what}: {ids}; give its id")


def _find_record(registry: Registry, table: str, target: str) -> tuple[int, str]:
    """The record's position in its table, and how to name it."""
    from sisterctl.core.query import cities_named
    from sisterctl.text import closest

    text = target.strip()
    if table == "city":
        ids = list(registry.cities)
        if text not in registry.cities:
            named = cities_named(registry, text)
            if len(named) != 1:
                if named:
                    choices = " or ".join(c.id for c in named)
                    raise RefusedError(f"{text!r} could be {choices}; give the city's id")
                raise NotFoundError("city", text, closest(text, ids))
            text = named[0].id
        return ids.index(text), f"the city {text}"
    if table == "partnership":
        tie = find_tie(registry, [text])
        index = next(i for i, p in enumerate(registry.partnerships) if p is tie)
        return index, f"the tie {tie.id}"
    by_id = registry.agreements_by_id if table == "agreement" else registry.exchanges_by_id
    records: Sequence[Any] = registry.agreements if table == "agreement" else registry.exchanges
    found = by_id.get(text) or by_id.get(text.lower())
    if found is None:
        hint = closest(text, by_id)
        if not hint and "/" not in text:
            raise RefusedError(
                (
                    f"an {table} is named by its id, as ",
                    Hint.SHOW,
                    f" shows it (taipei-daegu/2021-03-26-reaffirmation), not {text!r}",
                )
            )
        raise NotFoundError(table, text, hint)
    return next(i for i, r in enumerate(records) if r is found), f"the {table} {text}"


def _key_name(text: str) -> str:
    return text.strip().replace("-", "_")


def _editable_key(
    text: str, types: Mapping[str, FieldType], raw: Mapping[str, Any], what: str
) -> str:
    key = _key_name(text)
    if key not in types:
        hint = _closest_key(key, list(types))
        raise RefusedError(
            f"{what} has no key '{key}'{hint}; its keys are "
            f"{', '.join(k for k, t in types.items() if t is not FieldType.FIXED)}"
        )
    if types[key] is FieldType.FIXED:
        table = next(t for t, fields in EDITABLE.items() if dict(fields) == dict(types))
        raise RefusedError(_fixed(key, table))
    return key


def _fixed(key: str, table: str) -> str:
    if key == "id":
        return "'id' is not edited in place: other records name the record by it"
    return (
        f"'{key}' is not edited in place: it says which "
        f"{'cities the tie binds' if key == 'cities' else 'tie the record belongs to'}; "
        "record the right one anew instead"
    )


def _closest_key(key: str, keys: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, keys, n=1, cutoff=0.7)
    return f" (did you mean {close[0]}?)" if close else ""


def _list_keys(types: Mapping[str, FieldType]) -> str:
    return ", ".join(k for k, t in types.items() if t in _LISTS)


def _rank(order: Sequence[str]) -> Any:
    position = {key: i for i, key in enumerate(order)}
    return lambda item: position.get(item[0], len(position))


def _merge(old: list[Any], new: list[Any]) -> list[Any]:
    out = list(old)
    for value in new:
        if value not in out:
            out.append(value)
    return out


def _value(key: str, kind: FieldType, texts: Sequence[str], today: dt.date) -> Any:
    """The value `--set key=text` stands for, checked as `add` checks it; None for a
    date set to `unknown`."""
    if kind in _LISTS:
        if kind is FieldType.SOURCES:
            return _sources(texts)
        if kind is FieldType.SIGNATORIES:
            return [parse_signatory(t) for t in texts]
        return _lines(texts, key.rstrip("s").replace("_", " "))
    [text] = texts
    what = key.replace("_", " ")
    if kind is FieldType.TEXT:
        return line(text, what)
    if kind is FieldType.REQUIRED:
        return line(text, what, required=True)
    if kind is FieldType.PARAGRAPH:
        return paragraph(text, what)
    if kind is FieldType.MODE:
        return mode_word(text)
    if kind is FieldType.DATE:
        from sisterctl.dates import date_option

        date = date_option(text, option=key, today=today, unknown=True)
        return date.iso() if date is not None else None
    if kind is FieldType.COUNTRY:
        from sisterctl.core.query import country_code

        return country_code(text)
    if kind in (FieldType.LATITUDE, FieldType.LONGITUDE):
        limit = 90 if kind is FieldType.LATITUDE else 180
        try:
            number = float(text)
        except ValueError:
            number = float("nan")
        if not -limit <= number <= limit:
            raise RefusedError(f"{key} must be a number of degrees from {-limit} to {limit}")
        return number
    if kind is FieldType.FLAG:
        flag = text.strip().lower()
        if flag not in ("true", "false"):
            raise RefusedError(f"{key} is true or false, not {text!r}")
        return flag == "true"
    choices = (
        [s.value for s in Status] if kind is FieldType.TIE_STATUS else list(_AGREEMENT_STATUSES)
    )
    word = text.strip().lower()
    if word not in choices:
        *first, last = choices
        raise RefusedError(f"{key} is {', '.join(first)} or {last}, not {text!r}")
    return word


_AGREEMENT_STATUSES = ("signed", "planned")
