"""What the index keeps of each tie for the commands that list many of them
(`upcoming`, `list`): `TieFacts`, made from a tie's records by `TieFacts.of`, read
back without them (docs/store.md)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sisterctl.dates import PartialDate
from sisterctl.terms import Status
from sisterctl.text import fold

TYPE_CHECKING = False
if TYPE_CHECKING:
    from sisterctl.model import Partnership, Registry


class TieFacts:
    """What an anniversary row shows of a tie: its id, cities and countries, its kind
    as founded and each upgrade's (`steps`: the earliest day each may take effect and
    the kind from then, in the order `Registry.kind_on` applies them), its status as
    of now (`Registry.state`), its founding date (`founded`: year, month and day, the
    last two None when not known) and `fold(title)`."""

    __slots__ = ("countries", "founded", "id", "kind", "names", "sort", "status", "steps")

    def __init__(
        self,
        id: str,
        names: tuple[str, str],
        countries: tuple[str, str],
        kind: str,
        steps: tuple[tuple[dt.date, str], ...],
        status: Status,
        founded: tuple[int, int | None, int | None] | None,
        sort: str,
    ) -> None:
        self.id, self.names, self.countries, self.kind = id, names, countries, kind
        self.steps, self.status, self.founded, self.sort = steps, status, founded, sort

    @classmethod
    def of(cls, registry: Registry, tie: Partnership) -> TieFacts:
        """The facts of a tie of `registry`."""
        a, b = tie.cities
        since = tie.established
        return cls(
            tie.id,
            (a.name, b.name),
            (a.country, b.country),
            tie.kind,
            upgrades_of(registry, tie),
            registry.state(tie).status,
            (since.year, since.month, since.day) if since else None,
            folded_title(tie),
        )

    @property
    def since(self) -> PartialDate | None:
        """The founding date."""
        return PartialDate(*self.founded) if self.founded else None

    @property
    def title(self) -> str:
        """`Taipei–Daegu`, as `Partnership.title`."""
        return f"{self.names[0]}–{self.names[1]}"

    @property
    def order(self) -> tuple[str, str]:
        """How ties are ordered among the anniversaries of a day: by title, then id."""
        return (self.sort, self.id)

    def kind_on(self, day: dt.date | None = None) -> str:
        """The kind on `day` (after every upgrade when None), as `Registry.kind_on`
        gives it."""
        kind = self.kind
        for since, to_kind in self.steps:
            if day is not None and since > day:
                break
            kind = to_kind
        return kind

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TieFacts) and all(
            getattr(self, name) == getattr(other, name) for name in self.__slots__
        )

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"TieFacts({self.id!r})"


class CityNames(NamedTuple):
    """A city as finding it by name sees it (`core.query.cities_meant`): what the
    index reads from the records of the cities a `--city` may mean, without making
    model records of them."""

    id: str
    names: tuple[str, ...]
    country: str


def upgrades_of(registry: Registry, tie: Partnership) -> tuple[tuple[dt.date, str], ...]:
    """A tie's upgrades as `TieFacts.steps`: the earliest day each may take effect and
    the kind from then, in the order `Registry.kind_on` applies them."""
    agreements = registry.agreements_of(tie)
    if not agreements:
        return ()
    upgrades = sorted(
        (a for a in agreements if a.to_kind and not a.planned and a.date is not None),
        key=lambda a: a.date.sort_key if a.date else (0, 0, 0),
    )
    return tuple((u.date.earliest(), u.to_kind) for u in upgrades if u.date and u.to_kind)


def folded_title(tie: Partnership, folds: dict[str, str] | None = None) -> str:
    """fold(tie.title), the sort key of a tie, from the folds of its cities' names,
    which ties share (fold keeps them; `folds` holds those made): for ASCII names with
    no blank at the en dash the two are the same, as fold only lowers ASCII and joins
    its words with one space. tests/test_upcoming_fast.py holds them to the same
    results."""
    first, second = tie.cities[0].name, tie.cities[1].name
    if (
        first.isascii()
        and second.isascii()
        and first == first.rstrip()
        and second == second.lstrip()
    ):
        if folds is None:
            return f"{fold(first)}–{fold(second)}"
        a = folds.get(first)
        if a is None:
            a = folds[first] = fold(first)
        b = folds.get(second)
        if b is None:
            b = folds[second] = fold(second)
        return f"{a}–{b}"
    return fold(tie.title)
