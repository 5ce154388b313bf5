"""Edits: the records that `add`, `end` and `resume` append, or why they are refused.

Pure: every function takes the registry as it is (read under the write lock by
`registry.append`) and what the user asked for, and returns the records to append as
`(table, record)` pairs, keys in the order of docs/registry-format.md. A request that
would make the registry wrong raises a RefusedError (or NotFoundError) with a one-line
message; then nothing is written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sisterctl import countries, ids
from sisterctl.core.query import find_tie, suggest_cities
from sisterctl.dates import PartialDate
from sisterctl.errors import RefusedError
from sisterctl.model import DEFAULT_KIND, City, Partnership, Registry, Status
from sisterctl.text import fold, has_control_characters

Record = tuple[str, dict[str, Any]]

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

    def __bool__(self) -> bool:
        return bool(self.local_name or self.aliases or self.type or self.sources or self.notes)


@dataclass(frozen=True)
class NewCity:
    """`sisterctl add city`."""

    city: str  # NAME, COUNTRY
    names: CityNames = CityNames()


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
    _check_encodable(value, what)
    if has_control_characters(value):
        raise RefusedError(
            f"the {what} must be one line of plain text, without control characters "
            f"(found {_first_control(value)})"
        )
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
    _check_encodable(value, what)
    value = value.replace("\r\n", "\n")
    if has_control_characters(value, allow_newline=True):
        raise RefusedError(
            f"the {what} may hold line breaks but no other control character "
            f"(found {_first_control(value)})"
        )
    return value if value.strip() else None


def _check_encodable(value: str, what: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RefusedError(
            f"the {what} is not valid text (it holds bytes that are not UTF-8)"
        ) from None


def _first_control(value: str) -> str:
    for char in value:
        if unicodedata.category(char) == "Cc" and char != "\n":
            return f"U+{ord(char):04X}"
    return "a line break"


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
        record: dict[str, Any] = {"id": self.id, "name": self.name, "country": self.country}
        if names:
            kind = line(names.type, "kind of city") if names.type is not None else None
            record.update(
                {
                    "type": kind if kind and fold(kind) != "city" else None,
                    "local_name": (
                        line(names.local_name, "local name") if names.local_name else None
                    ),
                    "aliases": [a for a in _lines(names.aliases, "alias") if a != self.name],
                    "notes": paragraph(names.notes, "note"),
                    "sources": _sources(names.sources),
                }
            )
        return record


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
        matches = _by_name(registry, value)
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
    matches = [c for c in _by_name(registry, name) if c.country == code]
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


def _by_name(registry: Registry, name: str) -> list[City]:
    wanted = fold(name)
    return [c for c in registry.cities.values() if any(fold(n) == wanted for n in c.names)]


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


def _check_after_founding(
    tie: Partnership, date: PartialDate | None, what: str, force: bool
) -> dict[str, Any]:
    if date is None or tie.established is None or not date.certainly_before(tie.established):
        return {}
    if force:
        return {"before_founding": True}
    raise RefusedError(
        f"{tie.id} was established {_when(tie.established)}; {what} dated {date} would come "
        "before it (check the date, or run again with --force to record it as it is)"
    )


# ---------------------------------------------------------------------------
# The edits


def new_city(registry: Registry, request: NewCity) -> list[Record]:
    """A new `[[city]]`, with its local name, aliases, kind, sources and notes."""
    city = resolve_city(registry, request.city)
    if not city.new:
        raise RefusedError(
            f"{city.name}, {city.country} is already in the registry as {city.id}; give it "
            f"other names with 'sisterctl edit city {city.id} --set local_name=... "
            "--add aliases=...'"
        )
    return [("city", city.record(request.names))]


def new_tie(registry: Registry, request: NewTie) -> list[Record]:
    """A new tie: its new cities, the `[[partnership]]`, and the founding
    `[[agreement]]` (kind "founding", dated the day the tie was established)."""
    first = resolve_city(registry, request.cities[0])
    second = resolve_city(registry, request.cities[1], taken_ids=[first.id])
    if first.id == second.id or first.key == second.key:
        raise RefusedError(f"a city cannot be tied to itself ({first.name}, {first.country})")
    _refuse_existing_tie(registry, first, second)
    named = _named_city(first, second, request.city)
    kind = line(request.kind, "kind", required=True) if request.kind is not None else None
    kind = kind or DEFAULT_KIND
    tie_id = _tie_id(registry, first, second)
    records: list[Record] = [
        ("city", c.record(request.city if c is named else None)) for c in (first, second) if c.new
    ]
    records.append(
        (
            "partnership",
            {
                "id": tie_id,
                "cities": [first.id, second.id],
                "kind": kind,
                "established": request.established.iso(),
                "fields": _lines(request.fields, "field"),
                "notes": paragraph(request.notes, "note"),
                "sources": _sources(request.sources),
            },
        )
    )
    title = (
        request.title if request.title is not None else f"{kind[:1].upper()}{kind[1:]} agreement"
    )
    records.append(
        (
            "agreement",
            {
                "partnership": tie_id,
                "date": request.established.iso(),
                "title": line(title, "title", required=True),
                "kind": "founding",
                "signatories": [parse_signatory(s) for s in request.signatories],
                "mode": mode_word(request.mode),
                "venue": line(request.venue, "venue") if request.venue is not None else None,
            },
        )
    )
    return records


CITY_OPTIONS = "--local-name, --alias, --city-kind, --city-source and --city-note"


def _named_city(first: CityChoice, second: CityChoice, names: CityNames) -> CityChoice | None:
    """The one new city that `--local-name`, `--alias`, ... describe, if they are given."""
    if not names:
        return None
    new = [c for c in (first, second) if c.new]
    if len(new) == 1:
        return new[0]
    if not new:
        raise RefusedError(
            f"{CITY_OPTIONS} describe the new city of a tie, and {first.id} and "
            f"{second.id} are already in the registry (give them names "
            f"with 'sisterctl edit city {second.id} ...')"
        )
    raise RefusedError(
        f"both {first.name} and {second.name} are new, and {CITY_OPTIONS} describe one city: "
        f"add one first with 'sisterctl add city \"{first.name}, {first.country}\" ...'"
    )


def _refuse_existing_tie(registry: Registry, first: CityChoice, second: CityChoice) -> None:
    ids = {first.id, second.id}
    keys = {first.key, second.key}
    for tie in registry.partnerships:
        a, b = tie.cities
        if tie.pair_key() == ids or {(fold(a.name), a.country), (fold(b.name), b.country)} == keys:
            since = f", established {tie.established}" if tie.established else ""
            raise RefusedError(
                f"{a.name}–{b.name} is already in the registry as {tie.id}{since}; "
                f"record a new agreement on it with 'sisterctl add agreement {tie.id}'"
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
    if not request.force and any(
        a.date == request.date and fold(a.title) == fold(title) for a in registry.agreements_of(tie)
    ):
        raise RefusedError(
            f'{tie.id} already has the agreement "{title}" {_of(request.date)} '
            "(run again with --force to record a second one)"
        )
    kind = line(request.kind, "kind") if request.kind is not None else None
    to_kind = line(request.to_kind, "new kind") if request.to_kind is not None else None
    if to_kind and kind is None:
        kind = "upgrade"
    record = {
        "partnership": tie.id,
        "date": request.date.iso() if request.date else None,
        "title": title,
        "kind": kind,
        "to_kind": to_kind,
        "signatories": [parse_signatory(s) for s in request.signatories],
        "mode": mode_word(request.mode),
        "venue": line(request.venue, "venue") if request.venue is not None else None,
        "fields": _lines(request.fields, "field"),
        "status": "planned" if request.planned else None,
        "notes": paragraph(request.notes, "note"),
        "sources": _sources(request.sources),
        **extra,
    }
    return [("agreement", record)]


def new_exchange(registry: Registry, request: NewExchange) -> list[Record]:
    """A visit, delegation, festival, forum... on a tie."""
    tie = find_tie(registry, request.tie)
    kind = line(request.kind, "kind", required=True)
    title = line(request.title, "title", required=True)
    assert kind is not None and title is not None
    extra = _check_after_founding(tie, request.date, f"a {kind}", request.force)
    if not request.force and any(
        e.date == request.date and fold(e.kind) == fold(kind) and fold(e.title) == fold(title)
        for e in registry.exchanges_of(tie)
    ):
        raise RefusedError(
            f'{tie.id} already has the {kind} "{title}" {_of(request.date)} '
            "(run again with --force to record a second one)"
        )
    record = {
        "partnership": tie.id,
        "date": request.date.iso() if request.date else None,
        "kind": kind,
        "title": title,
        "venue": line(request.venue, "venue") if request.venue is not None else None,
        "mode": mode_word(request.mode),
        "fields": _lines(request.fields, "field"),
        "details": paragraph(request.details, "note"),
        "sources": _sources(request.sources),
        **extra,
    }
    return [("exchange", record)]


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
                f"{tie.id} ended{on}; resume lifts a suspension (to record that the "
                "ended tie was revived, run again with --force)"
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
    record = {
        "partnership": tie.id,
        "date": date.iso(),
        "status": wanted.value,
        "reason": line(request.reason, "reason") if request.reason is not None else None,
        "sources": _sources(request.sources),
    }
    return [("status_change", record)]


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
