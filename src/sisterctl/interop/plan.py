"""Placing imported ties in a registry: the cities they name, which of those are new,
which ties are already there, and the records to append.

Every importer reads its file into `Candidate` ties and `Skip`s (rows it could not
read); `place_ties` then decides, against the registry as it is under the write lock,
what to append. Pure: no I/O, no printing.

Cities are matched by name and country: a candidate's city is a registry city when
its name, ignoring case and accents, is the city's name, an alias or its local name,
in the same country. Nothing cleverer: "Daegu – Seo" (a district) stays a city of its
own, and two towns of one name in one country become one city.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sisterctl.core.geocode import Gazetteer, Match, located_record
from sisterctl.core.query import CityIndex
from sisterctl.dates import PartialDate
from sisterctl.errors import Hint, Part, RefusedError, Words, library_words, render_parts
from sisterctl.ids import IdPool, new_city_id, new_tie_id, tie_id_part
from sisterctl.model import Record, Registry, Status
from sisterctl.records.fields import record
from sisterctl.text import NOT_TEXT, entered_text, fold, safe_display, text_problem

Progress = Callable[[int], None]  # called with a number of candidates done

PROGRESS_STEP = 500  # candidates between two calls of a progress callback


class SkipReason(StrEnum):
    """Why a row could not be placed. The values are what the summary shows."""

    MISSING_CITY = "one city only"
    NO_NAME = "a city with no English name"
    NO_COUNTRY = "no country"
    UNKNOWN_COUNTRY = "unknown country"
    SAME_CITY = "a city tied to itself"
    BAD_VALUE = "a value not understood"
    NO_TIE = "its tie was not imported"


@dataclass(frozen=True, slots=True)
class Place:
    """A city as an import names it: a name and an ISO country code."""

    name: str
    country: str
    lat: float | None = None
    lon: float | None = None
    sources: tuple[str, ...] = ()
    wikidata: str | None = None  # its Wikidata item, when the import knows it

    @property
    def key(self) -> tuple[str, str]:
        return (fold(self.name), self.country)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A tie read from an import file, not yet placed. `where` is its line (CSV) or
    result number (Wikidata)."""

    where: int
    a: Place
    b: Place
    id: str | None = None
    kind: str | None = None
    established: PartialDate | None = None
    status: Status | None = None
    status_date: PartialDate | None = None
    fields: tuple[str, ...] = ()
    notes: str | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Skip:
    """A row that could not be placed, where it is, and why. `where` counts in the
    reading's unit (line 12); `label` names the place otherwise (partnerships[3])."""

    where: int
    reason: SkipReason
    detail: str
    label: str | None = None


@dataclass(frozen=True)
class Reading:
    """What a reader got from an import file."""

    candidates: tuple[Candidate, ...]
    skipped: tuple[Skip, ...]
    rows: int
    unit: str = "line"  # what `where` counts: "line", "result"
    repeated: int = 0  # rows the reader merged into an earlier one (the same tie)


@dataclass
class Outcome:
    """What an import adds (or, in a dry run, would add), and what it leaves out."""

    rows: int
    unit: str = "line"
    records: list[Record] = field(default_factory=list)
    present: int = 0  # ties already in the registry
    repeated: int = 0  # ties given earlier in the same file
    present_records: int = 0  # agreements, exchanges, changes already in the registry
    skipped: list[Skip] = field(default_factory=list)
    notes: list[str | tuple[Part, ...]] = field(default_factory=list)  # errors.render_parts
    geocoded: int = 0  # new cities given coordinates from the gazetteer
    not_geocoded: list[Match] = field(default_factory=list)  # new cities it could not place
    gazetteer: str | None = None  # the gazetteer's name, when there was one

    def geocode_note(self) -> tuple[Part, ...] | None:
        """What the gazetteer did for the new cities, in one line (whose terms each
        front end words: `errors.render_parts`)."""
        if self.gazetteer is None or not (self.geocoded or self.not_geocoded):
            return None
        several = [m for m in self.not_geocoded if m.ambiguous]
        missing = len(self.not_geocoded) - len(several)
        parts: list[Part] = [
            f"new cities: {_cities(self.geocoded)} given coordinates from {self.gazetteer}"
        ]
        if several:
            from sisterctl.countries import country_name

            named = "; ".join(f"{m.name}, {country_name(m.country)}" for m in several[:5])
            more = f"; and {len(several) - 5:,} more" if len(several) > 5 else ""
            parts += [
                f"; {_cities(len(several))} left without, for several places have the name "
                f"({named}{more}: choose with ",
                Hint.CHOOSE_PLACE,
                ")",
            ]
        if missing:
            parts.append(f"; {_cities(missing)} not in the gazetteer")
        return tuple(parts)

    def added(self, table: str) -> int:
        return sum(1 for t, _ in self.records if t == table)

    def where(self, skip: Skip) -> str:
        """Where a skipped row is, as the summary says it: `line 12`."""
        return skip.label or f"{self.unit} {skip.where}"

    def skipped_by_reason(self) -> list[tuple[SkipReason, int]]:
        """Counts of skipped rows by reason, most frequent first."""
        counts = Counter(skip.reason for skip in self.skipped)
        order = list(SkipReason)
        return sorted(counts.items(), key=lambda item: (-item[1], order.index(item[0])))


def _cities(n: int) -> str:
    return "1 city" if n == 1 else f"{n:,} cities"


class Placer:
    """Places cities and ties in a registry, collecting the records to append.

    The registry's own cities and ties come first: a city or tie is new only when the
    registry does not hold it and no earlier candidate added it.
    """

    def __init__(self, registry: Registry, gazetteer: Gazetteer | None = None) -> None:
        self.registry = registry
        self.gazetteer = gazetteer
        self.geocoded = 0
        self.not_geocoded: list[Match] = []
        self.records: list[Record] = []
        self._city_ids = IdPool(registry.cities)
        self._tie_ids = IdPool(registry.by_id)
        # The registry's cities by name, and the cities this import adds.
        self._cities = CityIndex(registry.cities.values())
        self._new_cities = CityIndex()
        # city id → (what it gives a tie's id, country code)
        self._id_parts: dict[str, tuple[str, str]] = {
            city.id: (tie_id_part(city.name, city.id), city.country)
            for city in registry.cities.values()
        }
        self._registry_pairs: dict[frozenset[str], str] = {
            tie.pair_key(): tie.id for tie in registry.partnerships
        }
        self._new_pairs: dict[frozenset[str], str] = {}

    # -- cities ----------------------------------------------------------------
    def find_city(self, names: Iterable[str], country: str, *, new: bool = True) -> str | None:
        """The id of the city with one of these names in this country: a registry city,
        or (unless `new` is False) one this import adds."""
        names = tuple(names)
        for index in (self._cities, self._new_cities) if new else (self._cities,):
            for name in names:
                found = index.ids(name, country)
                if found:
                    return found[0]
        return None

    @property
    def city_ids(self) -> Container[str]:
        """The ids of the registry's cities and of those this import adds."""
        return self._city_ids

    def add_city(self, record: dict[str, Any], names: Iterable[str] = ()) -> str:
        """Append a new [[city]] record (its `id` must be free) and return its id. A
        city without coordinates gets them from the gazetteer, when there is one and
        its name and country match exactly one place."""
        cid: str = record["id"]
        if cid in self._city_ids:
            raise ValueError(f"city id {cid!r} is taken")
        if self.gazetteer is not None:
            record, match = located_record(self.gazetteer, record)
            if match is not None and match.place is not None:
                self.geocoded += 1
            elif match is not None:
                self.not_geocoded.append(match)
        self._city_ids.add(cid)
        self._new_cities.add(cid, (record["name"], *names), record["country"])
        self._id_parts[cid] = (tie_id_part(record["name"], cid), record["country"])
        self.records.append(("city", record))
        return cid

    def place_city(self, place: Place) -> str:
        """The city `place` names: a registry city, one added earlier, or a new one."""
        found = self.find_city((place.name,), place.country)
        if found is not None:
            return found
        located = place.lat is not None and place.lon is not None
        _, city = record(
            "city",
            id=new_city_id(place.name, place.country, self._city_ids),
            name=place.name,
            country=place.country,
            lat=place.lat if located else None,
            lon=place.lon if located else None,
            wikidata=place.wikidata,
            sources=list(place.sources),
        )
        return self.add_city(city)

    # -- ties ------------------------------------------------------------------
    def existing_tie(self, a: str, b: str) -> tuple[str | None, bool]:
        """The id of the tie between cities `a` and `b`, and whether the registry holds
        it (True) or an earlier candidate added it (False); (None, False) if neither."""
        pair = frozenset((a, b))
        if pair in self._registry_pairs:
            return self._registry_pairs[pair], True
        return self._new_pairs.get(pair), False

    def tie_id(self, a: str, b: str, preferred: str | None = None) -> str:
        """A free id for a new tie between cities `a` and `b`: `preferred` if it is a
        valid free id, else as `ids.new_tie_id` makes them (`taipei-daegu`)."""
        from sisterctl.records.build import ID_RE

        if preferred and ID_RE.fullmatch(preferred) and preferred not in self._tie_ids:
            return preferred
        return new_tie_id(self._id_parts[a], self._id_parts[b], self._tie_ids)

    def add_tie(self, record: dict[str, Any]) -> str:
        """Append a new [[partnership]] record (its `id` must be free)."""
        tid: str = record["id"]
        if tid in self._tie_ids:
            raise ValueError(f"tie id {tid!r} is taken")
        a, b = record["cities"]
        self._tie_ids.add(tid)
        self._new_pairs[frozenset((a, b))] = tid
        self.records.append(("partnership", record))
        return tid

    def add(self, table: str, record: dict[str, Any]) -> None:
        """Append any other record (an agreement, an exchange, a status change)."""
        self.records.append((table, record))


def place_ties(
    registry: Registry,
    reading: Reading,
    *,
    progress: Progress | None = None,
    gazetteer: Gazetteer | None = None,
) -> Outcome:
    """The records that add `reading`'s candidates to `registry`, and what was left out.

    A candidate whose tie the registry holds, in either order, or that an earlier
    candidate gave, is counted and left out; so is one that ties a city to itself.
    New cities are appended just before the first tie that names them, with
    coordinates from `gazetteer` when the file gives none (`Placer.add_city`).
    """
    placer = Placer(registry, gazetteer)
    outcome = Outcome(
        rows=reading.rows,
        unit=reading.unit,
        repeated=reading.repeated,
        skipped=list(reading.skipped),
    )
    for done, candidate in enumerate(reading.candidates, 1):
        if progress is not None and done % PROGRESS_STEP == 0:
            progress(PROGRESS_STEP)
        _place_one(placer, candidate, outcome)
    if progress is not None:
        progress(len(reading.candidates) % PROGRESS_STEP)
    outcome.records = placer.records
    outcome.skipped.sort(key=lambda skip: skip.where)
    geocoded(placer, outcome)
    return outcome


def geocoded(placer: Placer, outcome: Outcome) -> None:
    """What the gazetteer did, from the placer to the outcome and its notes."""
    outcome.geocoded, outcome.not_geocoded = placer.geocoded, placer.not_geocoded
    outcome.gazetteer = placer.gazetteer.name if placer.gazetteer is not None else None
    note = outcome.geocode_note()
    if note:
        outcome.notes.append(note)


def _place_one(placer: Placer, candidate: Candidate, outcome: Outcome) -> None:
    # As `add` refuses them: a name, a kind, a field or a source is one line of plain
    # text, and notes may hold line breaks but no other control character.
    texts = [
        ("city", candidate.a.name, False),
        ("city", candidate.b.name, False),
        ("kind", candidate.kind or "", False),
        *(("field", f, False) for f in candidate.fields),
        *(("source", s, False) for s in candidate.sources),
        ("notes", candidate.notes or "", True),
    ]
    for what, value, multiline in texts:
        problem = text_problem(value, multiline=multiline)
        if problem is not None:
            shown = safe_display(value).replace("\n", "\\n").replace("\t", "\\t")
            if problem == NOT_TEXT:
                detail = f"the {what} {shown!a} {problem}"
            else:
                detail = f"a control character in the {what} {shown}"
            outcome.skipped.append(Skip(candidate.where, SkipReason.BAD_VALUE, detail))
            return
    too_early = status_before_founding(candidate.status_date, candidate.established)
    if too_early is not None:
        outcome.skipped.append(Skip(candidate.where, SkipReason.BAD_VALUE, too_early))
        return
    a = placer.find_city((candidate.a.name,), candidate.a.country)
    b = placer.find_city((candidate.b.name,), candidate.b.country)
    same = a == b if a is not None or b is not None else candidate.a.key == candidate.b.key
    if same:
        outcome.skipped.append(Skip(candidate.where, SkipReason.SAME_CITY, describe(candidate.a)))
        return
    if a is not None and b is not None:
        found, in_registry = placer.existing_tie(a, b)
        if found is not None:
            if in_registry:
                outcome.present += 1
            else:
                outcome.repeated += 1
            return
    a = a or placer.place_city(candidate.a)
    b = b or placer.place_city(candidate.b)
    status = candidate.status
    if status is placer.registry.default_status and candidate.status_date is None:
        status = None  # the registry's default (settings.default_status), left out
    _, tie = record(
        "partnership",
        id=placer.tie_id(a, b, candidate.id),
        cities=[a, b],
        kind=candidate.kind,
        established=candidate.established.iso() if candidate.established else None,
        status=status.value if status is not None else None,
        status_date=candidate.status_date.iso() if candidate.status_date else None,
        fields=list(candidate.fields),
        notes=entered_text(candidate.notes, multiline=True) if candidate.notes else None,
        sources=list(candidate.sources),
    )
    placer.add_tie(tie)


def status_before_founding(date: PartialDate | None, established: PartialDate | None) -> str | None:
    """Why a change of status dated `date` cannot be recorded on a tie founded on
    `established`, as `end` refuses it and `check` calls it an error (an end time
    before the start time, in Wikidata's words); None when it can."""
    if date is None or established is None or not date.certainly_before(established):
        return None
    return f"a change of status dated {date.iso()} would come before the tie began ({established})"


def dated_before_founding(
    date: PartialDate | None, established: PartialDate | None, *, marked: bool = False
) -> str | None:
    """Why an agreement or exchange dated `date` cannot be recorded on a tie founded
    on `established` (unless `marked` before_founding, as `add --force` marks it);
    None when it can."""
    if marked or date is None or established is None or not date.certainly_before(established):
        return None
    return f"dated {date.iso()}, before its tie was founded ({established})"


def describe(place: Place) -> str:
    from sisterctl.countries import country_name

    return f"{place.name}, {country_name(place.country)}"


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text of an import file (a byte-order mark is dropped), or a RefusedError
    that names the line of the first byte that is not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RefusedError(
            f"{name}: line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
            "save the file as UTF-8"
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def summary_dict(
    outcome: Outcome,
    *,
    source: str,
    registry: str,
    dry_run: bool,
    written: bool,
    words: Words = library_words,
) -> dict[str, Any]:
    """What an import did, as `--format json` prints it: every skipped row listed
    (the terms of its notes in `words`)."""
    return {
        "source": source,
        "registry": registry,
        "dry_run": dry_run,
        "written": written,
        "read": {"count": outcome.rows, "unit": outcome.unit},
        "added": {
            "cities": outcome.added("city"),
            "partnerships": outcome.added("partnership"),
            "agreements": outcome.added("agreement"),
            "exchanges": outcome.added("exchange"),
            "status_changes": outcome.added("status_change"),
        },
        "already_present": outcome.present,
        "already_present_records": outcome.present_records,
        "repeated_in_file": outcome.repeated,
        "skipped": {
            "count": len(outcome.skipped),
            "by_reason": {reason.value: n for reason, n in outcome.skipped_by_reason()},
            "rows": [
                {"where": outcome.where(skip), "reason": skip.reason.value, "detail": skip.detail}
                for skip in outcome.skipped
            ],
        },
        "geocoded": {
            "gazetteer": outcome.gazetteer,
            "cities": outcome.geocoded,
            "several_places": [
                {
                    "name": m.name,
                    "country": m.country,
                    "candidates": [c.geonames for c in m.candidates],
                }
                for m in outcome.not_geocoded
                if m.ambiguous
            ],
            "not_found": [
                {"name": m.name, "country": m.country} for m in outcome.not_geocoded if m.missing
            ],
        },
        "notes": [render_parts(note, words) for note in outcome.notes],
    }
