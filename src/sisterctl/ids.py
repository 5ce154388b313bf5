"""Ids for new records: readable, stable, and unique in their registry.

A city is `slug(name)-cc` (`sao-paulo-br`); a tie is its two cities' name slugs
(`taipei-daegu`), with their country codes when that is taken
(`springfield-us-tralee-ie`), then a number (`-2`). A name with no Latin letters
(`대구`) gets a stable id from a short hash of the name: `city-1a2b3c-kr`.

An agreement or an exchange has no id of its own in the file: it is named by its tie,
its date and its kind, `taipei-daegu/2021-03-26-reaffirmation` (`.../undated-festival`
when it has no date), with a number when two of a tie share them
(`...-reaffirmation-2`, in file order). `show` prints these ids; `sign` and `edit` take
them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Container, Iterable

from sisterctl.text import slug


def city_slug(name: str) -> str | None:
    """The id part for a name, or None when it has no Latin letter to make one of."""
    part = slug(name)
    return part if any("a" <= c <= "z" for c in part) else None


def new_city_id(name: str, country: str, taken: Container[str]) -> str:
    """A free id for a new city: `chengdu-cn`, `city-1a2b3c-kr`, then `-2`, `-3`..."""
    part = city_slug(name)
    if part is None:
        import hashlib  # rarely needed; loading it (OpenSSL) costs every write 3 ms

        digest = hashlib.sha256(unicodedata.normalize("NFC", name).encode("utf-8")).hexdigest()
        part = f"city-{digest[:6]}"
    return unique(f"{part}-{country.lower()}", taken)


def new_tie_id(first: tuple[str, str], second: tuple[str, str], taken: Container[str]) -> str:
    """A free id for a new tie between two cities, each given as (id part, country
    code): `taipei-daegu`, else `paris-us-rome-us`, else with a number."""
    (a, cc_a), (b, cc_b) = first, second
    plain = f"{a}-{b}"
    if plain not in taken:
        return plain
    return unique(f"{a}-{cc_a.lower()}-{b}-{cc_b.lower()}", taken)


def tie_id_part(name: str, city_id: str) -> str:
    """What a city gives a tie's id: its name's slug, or its id when the name has none."""
    return city_slug(name) or city_id


def record_id_base(tie_id: str, date: str | None, kind: str, default_kind: str) -> str:
    """`taipei-daegu/2021-03-26-reaffirmation`, before a number is added to tell two
    apart; a kind with no Latin letters is named as the record's default kind."""
    return f"{tie_id}/{date or 'undated'}-{slug(kind) or default_kind}"


def unique(base: str, taken: Container[str]) -> str:
    """`base`, or `base-2`, `base-3`... the first not taken. With an `IdPool`, the
    count for each base goes on from where it stopped, so that giving ids to 8,000
    cities of one name takes 8,000 steps, not 32 million."""
    if base not in taken:
        return base
    if isinstance(taken, IdPool):
        return taken.unique(base)
    return _first_free(base, taken, 2)


def _first_free(base: str, taken: Container[str], n: int) -> str:
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


class IdPool:
    """The ids taken in a registry (and by records being added to it), and for each
    base id the number `unique` last gave it: numbers below it are all taken, since
    ids only ever come and never go while records are being added."""

    __slots__ = ("_numbers", "_taken")

    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._taken = set(ids)
        self._numbers: dict[str, int] = {}

    def __contains__(self, value: object) -> bool:
        return value in self._taken

    def __len__(self) -> int:
        return len(self._taken)

    def add(self, value: str) -> None:
        self._taken.add(value)

    def unique(self, base: str) -> str:
        """`base-N` for the first N from the last one given that is not taken."""
        found = _first_free(base, self._taken, self._numbers.get(base, 2))
        self._numbers[base] = int(found.rsplit("-", 1)[1])
        return found
