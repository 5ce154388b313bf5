"""What shell completion offers from a registry, without parsing it.

Completion runs at every press of Tab, so it must answer at once, on a registry of
26,000 ties too: it never parses or checks the TOML. It reads the registry's index
(`store/index.py`), when the index holds exactly the registry's present bytes, with a
few SQL queries; without one it offers only what needs no registry: the usual kinds
of tie and every country code. Any command that reads the registry (`list`, `show`...)
makes the index that completion then reads.

`completion_values` is the one entry; the CLI (`cli/complete.py`) filters and formats.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from sisterctl.model import DEFAULT_KIND

if TYPE_CHECKING:
    from sisterctl.store.index import Index

# Kinds of tie offered even when the registry is not known (docs/registry-format.md).
DEFAULT_KINDS = (DEFAULT_KIND, "friendship city", "partner city", "twin town")


class CompletionValues(NamedTuple):
    """The values completion offers: ties by id, cities by name, kinds, country codes.
    `from_registry` says whether they were read from the registry (else: defaults)."""

    tie_ids: tuple[str, ...]
    city_names: tuple[str, ...]
    kinds: tuple[str, ...]
    countries: tuple[str, ...]
    from_registry: bool


def defaults() -> CompletionValues:
    from sisterctl.countries import NAMES

    return CompletionValues((), (), DEFAULT_KINDS, tuple(sorted(NAMES)), False)


ALL = frozenset({"tie", "city", "kind", "country"})


def completion_values(path: Path, wanted: frozenset[str] = ALL) -> CompletionValues:
    """The values of the registry at `path`, from its index (`store/index.py`) when the
    index holds exactly the file's present bytes; the defaults when there is none (or
    the file cannot be read, or the index says anything unexpected). Only the `wanted`
    ones are read (tie, city, kind, country); the others are left empty."""
    from sisterctl.store import index as store_index

    if not store_index.enabled():
        return defaults()
    try:
        found = store_index.lookup(path)
    except OSError:
        return defaults()
    if found is None:
        return defaults()
    try:
        return _from_index(found, wanted)
    except Exception:  # completion never fails: an index it cannot read offers defaults
        return defaults()
    finally:
        found.close()


def _from_index(found: Index, wanted: frozenset[str]) -> CompletionValues:
    def texts(sql: str) -> list[str]:
        values = [row[0] for row in found.conn.execute(sql)]
        if not all(value is None or type(value) is str for value in values):
            raise ValueError("not text")
        return [value for value in values if value]

    names: list[str] = []
    if "city" in wanted:
        names = texts("SELECT json_extract(data, '$.name') FROM city ORDER BY n")
        names += texts("SELECT json_extract(data, '$.local_name') FROM city ORDER BY n")
    kinds: list[str] = []
    if "kind" in wanted:
        kinds = [
            *texts("SELECT kind_now FROM tie GROUP BY kind_now ORDER BY min(n)"),
            *DEFAULT_KINDS,
            *texts("SELECT kind FROM tie GROUP BY kind ORDER BY min(n)"),
        ]
    countries: list[str] = []
    if "country" in wanted:
        countries = texts("SELECT country_a FROM tie UNION SELECT country_b FROM tie")
    return CompletionValues(
        tuple(found.tie_ids()) if "tie" in wanted else (),
        tuple(dict.fromkeys(names)),
        tuple(dict.fromkeys(kinds)),
        tuple(sorted(countries)),
        True,
    )
