"""What shell completion offers from a registry, without parsing it.

Completion runs at every press of Tab, so it must answer at once, on a registry of
26,000 ties too: it never parses or checks the TOML. It reads what the store already
keeps of exactly the registry's bytes (today the cache, `store/cache.py`; the index
when there is one), and when nothing is kept, offers only what needs no registry:
the usual kinds of tie and every country code. Any command that reads the registry
(`list`, `show`...) keeps what completion then reads.

`completion_values` is the one entry; the CLI (`cli/complete.py`) filters and formats.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from sisterctl.model import DEFAULT_KIND

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


def completion_values(path: Path) -> CompletionValues:
    """The values of the registry at `path`, from what the store keeps of its present
    bytes; the defaults when it keeps nothing (or the file cannot be read)."""
    from sisterctl.records.build import extend_checked
    from sisterctl.store import cache
    from sisterctl.store.read import read_bytes

    try:
        data = read_bytes(path)
    except Exception:  # completion never fails: a missing file completes nothing
        return defaults()
    entry = cache.get(path, cache.digest(data), extend_checked)
    if entry is None:
        return defaults()
    registry = entry.registry
    kinds = dict.fromkeys(registry.kind_on(t) for t in registry.partnerships)
    for kind in (*DEFAULT_KINDS, *(t.kind for t in registry.partnerships)):
        kinds.setdefault(kind)
    names: dict[str, None] = {}
    for city in registry.cities.values():
        names.setdefault(city.name)
        if city.local_name:
            names.setdefault(city.local_name)
    return CompletionValues(
        tuple(t.id for t in registry.partnerships),
        tuple(names),
        tuple(kinds),
        tuple(sorted({c.country for c in registry.cities.values()})),
        True,
    )
