"""Finding ties: filters, sorting, and resolving what a user typed to one tie."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum
from typing import NamedTuple

from sisterctl import countries
from sisterctl.dates import chronological
from sisterctl.errors import NotFoundError, RefusedError
from sisterctl.ids import tie_id_part
from sisterctl.terms import Status
from sisterctl.text import closest, fold

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol, TypeVar

    from sisterctl.core.facts import TieFacts
    from sisterctl.model import City, Partnership, Registry

    class Named(Protocol):
        """What finding a city by name reads of it: a `City`, or a
        `core.facts.CityNames`."""

        @property
        def id(self) -> str: ...
        @property
        def names(self) -> tuple[str, ...]: ...
        @property
        def country(self) -> str: ...

    C = TypeVar("C", bound=Named)


class SortKey(StrEnum):
    ESTABLISHED = "established"
    CITY = "city"
    COUNTRY = "country"
    KIND = "kind"
    STATUS = "status"
    ID = "id"


class Filters(NamedTuple):
    """What `list`, `upcoming`, `stats` and the timeline of a city select by.

    Every filter is optional; given several, a tie must pass them all. (A named
    tuple: every command that lists ties imports this module, and a frozen dataclass
    takes several times as long to create.)
    """

    city: str | None = None
    country: str | None = None
    kind: str | None = None
    status: Status | None = None
    field: str | None = None
    since: int | None = None
    until: int | None = None


def country_code(text: str) -> str:
    """An ISO code from a code or an English name, or a RefusedError."""
    code = countries.lookup(text)
    if code is None:
        raise RefusedError(
            f"unknown country {text!r}: give an ISO code such as KR or a name such as 'South Korea'"
        )
    return code


class CityIndex:
    """Cities by every name they are found by (name, aliases, local name), ignoring case
    and accents, with their country: the one way sisterctl matches a name to a city
    (`find_cities`, `resolve_city`, new ties' cities, imports)."""

    __slots__ = ("_by_name",)

    def __init__(self, cities: Iterable[Named] = ()) -> None:
        self._by_name: dict[str, list[tuple[str, str]]] = {}  # name → [(country, id)]
        for city in cities:
            self.add(city.id, city.names, city.country)

    def add(self, city_id: str, names: Iterable[str], country: str) -> None:
        """A city found by `names`, after those added before it."""
        for name in names:
            entries = self._by_name.setdefault(fold(name), [])
            if (country, city_id) not in entries:
                entries.append((country, city_id))

    def ids(self, name: str, country: str | None = None) -> list[str]:
        """The ids of the cities called `name` (in `country`), in the order added."""
        entries = self._by_name.get(fold(name), ())
        return [cid for code, cid in entries if country is None or code == country]


def find_cities(
    registry: Registry, query: str, *, country: str | None = None, partial: bool = False
) -> list[City]:
    """The cities a user means by `query`, in file order.

    A city is meant when the query is its id, or its name, an alias or its local name,
    ignoring case and accents (`sao paulo` finds São Paulo), in `country` when one is
    given. With `partial`, when no city is meant so, the query may be part of a name
    (`臺北` finds 臺北市).
    """
    return cities_meant(registry.cities, query, country=country, partial=partial)


def cities_meant(
    cities: Mapping[str, C], query: str, *, country: str | None = None, partial: bool = False
) -> list[C]:
    """`find_cities` among `cities` (by id, in file order): a `Registry`'s, or only
    those that may be meant, as the index finds them by name."""
    ids = CityIndex(cities.values()).ids(query, country)
    wanted = fold(query)
    if country is None and wanted in cities and wanted not in ids:
        named = {*ids, wanted}
        return [c for c in cities.values() if c.id in named]
    if not ids and partial and wanted:
        return [
            c
            for c in cities.values()
            if (country is None or c.country == country)
            and any(wanted in fold(name) for name in c.names)
        ]
    return [cities[i] for i in ids]


def kind_matcher(query: str) -> Callable[[str], bool]:
    """A test for the kinds a user means by `query`: those that hold its words as whole
    words, in its order, ignoring case and accents (`sister` finds "sister city",
    `city` finds "friendship city" too, `friendship city` not "friendship and
    cooperation city"). A query with no letters or digits must be the kind exactly."""
    wanted = _words(query)
    folded = fold(query)
    seen: dict[str, bool] = {}  # a registry has few kinds, and many ties of each

    def matches(kind: str) -> bool:
        found = seen.get(kind)
        if found is None:
            words = _words(kind)
            if not wanted:
                found = fold(kind) == folded
            else:
                n = len(wanted)
                found = any(words[i : i + n] == wanted for i in range(len(words) - n + 1))
            seen[kind] = found
        return found

    return matches


def _words(text: str) -> list[str]:
    import re

    return re.findall(r"\w+", fold(text))


def cities_named(registry: Registry, query: str) -> list[City]:
    """The cities whose id, name, alias or local name is `query`, ignoring case and
    accents."""
    return find_cities(registry, query)


def city_matcher(registry: Registry, query: str) -> Callable[[City], bool]:
    """A test for the cities a user means by `query` (`find_cities`, in part)."""
    exact = {c.id for c in find_cities(registry, query, partial=True)}
    return lambda city: city.id in exact


def resolve_city(registry: Registry, query: str) -> City:
    """The one city a user names by id, name, alias or local name (or part of one).

    Refuses a name that fits several cities, listing their ids to choose from, and one
    that fits none, with the names most like it.
    """
    found = find_cities(registry, query, partial=True)
    if not found:
        raise NotFoundError("city", query, suggest_cities(registry, query))
    if len(found) > 1:
        choices = ", ".join(f"{c.id} ({c.label()})" for c in found[:5])
        more = f" and {len(found) - 5} more" if len(found) > 5 else ""
        raise RefusedError(f"{query!r} names {len(found)} cities: {choices}{more}; give one id")
    return found[0]


def select(registry: Registry, filters: Filters) -> list[Partnership]:
    """The ties that pass every filter, in file order."""
    tests: list[Callable[[Partnership], bool]] = []
    if filters.city:
        matches = city_matcher(registry, filters.city)
        tests.append(lambda p: matches(p.cities[0]) or matches(p.cities[1]))
    if filters.country:
        code = country_code(filters.country)
        tests.append(lambda p: code in (p.cities[0].country, p.cities[1].country))
    if filters.kind:
        matches_kind = kind_matcher(filters.kind)
        tests.append(lambda p: matches_kind(p.kind) or matches_kind(registry.kind_on(p)))
    if filters.status:
        status = filters.status
        tests.append(lambda p: registry.state(p).status is status)
    if filters.field:
        wanted = fold(filters.field)
        tests.append(lambda p: any(wanted in fold(f) for f in _fields_of(registry, p)))
    if filters.since is not None:
        since = filters.since
        tests.append(lambda p: p.established is not None and p.established.year >= since)
    if filters.until is not None:
        until = filters.until
        tests.append(lambda p: p.established is not None and p.established.year <= until)
    if not tests:
        return list(registry.partnerships)
    return [p for p in registry.partnerships if all(test(p) for test in tests)]


def _fields_of(registry: Registry, tie: Partnership) -> Iterable[str]:
    yield from tie.fields
    for agreement in registry.agreements_of(tie):
        yield from agreement.fields
    for exchange in registry.exchanges_of(tie):
        yield from exchange.fields


def sort_ties(registry: Registry, ties: Sequence[Partnership], key: SortKey) -> list[Partnership]:
    """Ties in the order asked; ties with no known date come last when sorting by date."""
    keys: dict[SortKey, Callable[[Partnership], tuple[object, ...]]] = {
        SortKey.ESTABLISHED: lambda p: (chronological(p.established), fold(p.title)),
        SortKey.CITY: lambda p: (fold(p.cities[0].name), fold(p.cities[1].name)),
        SortKey.COUNTRY: lambda p: (
            p.cities[0].country_name,
            p.cities[1].country_name,
            fold(p.title),
        ),
        SortKey.KIND: lambda p: (fold(registry.kind_on(p)), fold(p.title)),
        SortKey.STATUS: lambda p: (registry.state(p).status.value, fold(p.title)),
        SortKey.ID: lambda p: (p.id,),
    }
    return sorted(ties, key=keys[key])


def sort_facts(ties: Sequence[TieFacts], key: SortKey) -> list[TieFacts]:
    """Ties' facts in the order `sort_ties` puts the ties they are of (the facts in
    file order, as `select` gives ties)."""
    from sisterctl.dates import MAX_YEAR

    last = (MAX_YEAR + 1, 0, 0)
    keys: dict[SortKey, Callable[[TieFacts], tuple[object, ...]]] = {
        SortKey.ESTABLISHED: lambda t: (
            (t.founded[0], t.founded[1] or 0, t.founded[2] or 0) if t.founded else last,
            t.sort,
        ),
        SortKey.CITY: lambda t: (fold(t.names[0]), fold(t.names[1])),
        SortKey.COUNTRY: lambda t: (
            countries.country_name(t.countries[0]),
            countries.country_name(t.countries[1]),
            t.sort,
        ),
        SortKey.KIND: lambda t: (fold(t.kind_on()), t.sort),
        SortKey.STATUS: lambda t: (t.status.value, t.sort),
        SortKey.ID: lambda t: (t.id,),
    }
    return sorted(ties, key=keys[key])


def find_tie(
    registry: Registry,
    words: Sequence[str],
    *,
    all_ids: Callable[[], Sequence[str]] | None = None,
) -> Partnership:
    """The tie a user names: its id (`taipei-daegu`) or its two cities (`Taipei Daegu`),
    in either order. Raises NotFoundError with the closest matches: of every tie id the
    registry holds, or of `all_ids()` when `registry` holds only some of the ties (a
    selection from the index)."""
    if not words or not any(w.strip() for w in words):
        raise RefusedError("name a tie: its id (such as taipei-daegu) or its two cities")
    if len(words) == 1:
        query = words[0].strip()
        tie = (
            registry.by_id.get(query)
            or registry.by_id.get(query.lower())
            or _reversed_id(registry, query.lower())
        )
        if tie is not None:
            return tie
        # "Taipei–Daegu" and "Taipei-Daegu" as written in titles.
        for sep in ("–", "—"):
            if sep in query:
                return find_tie(
                    registry, [part.strip() for part in query.split(sep, 1)], all_ids=all_ids
                )
        _refuse_a_city(registry, query)
        raise NotFoundError("tie", query, suggest_ties(registry, query, ids=all_ids))
    if len(words) != 2:
        raise RefusedError(
            f"a tie is named by its id or by two cities, not {len(words)} words"
            " (quote a city name that has spaces)"
        )
    first, second = city_matcher(registry, words[0]), city_matcher(registry, words[1])
    found = [
        tie
        for tie in registry.partnerships
        if (first(tie.cities[0]) and second(tie.cities[1]))
        or (first(tie.cities[1]) and second(tie.cities[0]))
    ]
    query = " ".join(words)
    if len(found) == 1:
        return found[0]
    if found:
        # Part of a name (`Daegu an`) or a name several cities share: never pick one
        # of them silently, for a write would then go to the wrong tie.
        ids = ", ".join(t.id for t in found[:5])
        more = f" and {len(found) - 5} more" if len(found) > 5 else ""
        raise RefusedError(
            f"{query!r} could be {len(found)} ties: {ids}{more}; name the tie by its id"
        )
    raise NotFoundError("tie", query, suggest_ties(registry, "-".join(words), ids=all_ids))


def _reversed_id(registry: Registry, query: str) -> Partnership | None:
    """The tie whose id names the same two cities the other way round: `taipei-daegu`
    for a tie recorded (or imported) as `daegu-taipei`. Only a tie of the two cities
    the halves name, so that no other tie is ever taken for it."""
    for cut in (i for i, char in enumerate(query) if char == "-"):
        head, tail = query[:cut], query[cut + 1 :]
        tie = registry.by_id.get(f"{tail}-{head}")
        if tie is not None and {tie_id_part(c.name, c.id) for c in tie.cities} == {head, tail}:
            return tie
    return None


def _refuse_a_city(registry: Registry, query: str) -> None:
    """A tie asked for by one city's name (`show Taipei`): say how to name one of its
    ties, rather than suggest ids that merely look alike."""
    cities = cities_named(registry, query)
    if len(cities) != 1:
        return
    city = cities[0]
    ties = [t for t in registry.partnerships if city.id in (t.cities[0].id, t.cities[1].id)]
    if not ties:
        raise RefusedError(f"{query!r} is a city, not a tie, and the registry holds no tie of it")
    first = ties[0]
    partner = first.cities[1] if first.cities[0].id == city.id else first.cities[0]
    ids = ", ".join(t.id for t in ties[:3]) + (", ..." if len(ties) > 3 else "")
    count = "its one tie" if len(ties) == 1 else f"one of its {len(ties)} ties"
    raise RefusedError(
        f"{query!r} is a city, not a tie: name {count} by its id ({ids}) "
        f"or by its two cities ({_word(city.name)} {_word(partner.name)})"
    )


def _word(name: str) -> str:
    """A name as one shell word."""
    return f"'{name}'" if " " in name else name


def suggest_ties(
    registry: Registry,
    query: str,
    n: int = 3,
    *,
    ids: Callable[[], Sequence[str]] | None = None,
) -> list[str]:
    """The ids closest to what was typed (of `ids()`, when given, else of the registry)."""
    wanted = fold(query).replace(" ", "-")
    candidates = list(registry.by_id) if ids is None else list(ids())
    close = closest(wanted, candidates, n=n)
    if not close:
        close = [i for i in candidates if wanted and wanted in i][:n]
    return close


def suggest_cities(registry: Registry, query: str, n: int = 3) -> list[str]:
    """The names (or aliases, or local names) of cities closest to what was typed."""
    names = {fold(name): name for c in registry.cities.values() for name in c.names}
    return [names[k] for k in closest(fold(query), sorted(names), n=n)]


def age(tie: Partnership, as_of: dt.date) -> tuple[int, int] | None:
    """Completed years of a tie as (fewest, most), or None when its date is unknown."""
    from sisterctl.dates import years_between

    if tie.established is None:
        return None
    return years_between(tie.established, as_of)
