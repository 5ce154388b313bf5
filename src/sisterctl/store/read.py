"""Reading a registry file: its bytes, its text, its TOML, and the checked model."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sisterctl.errors import Hint, RegistryError
from sisterctl.model import (
    Registry,
)
from sisterctl.problems import LoadResult
from sisterctl.records.build import build, extend_checked
from sisterctl.records.toml import decode, parse_toml

if TYPE_CHECKING:
    pass


# ---------------------------------------------------------------------------
# Reading


def read_text(path: Path) -> str:
    """The registry's text, or a RegistryError that says what is wrong with the file."""
    return decode(read_bytes(path), path)


def read_bytes(path: Path) -> bytes:
    """The registry file's exact bytes, or a RegistryError that says what is wrong."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise RegistryError(
            (
                "no registry file here (create one with ",
                Hint.CREATE,
                ", or name another with ",
                Hint.NAME_REGISTRY,
                ")",
            ),
            path,
        ) from None
    except IsADirectoryError:
        raise RegistryError("is a directory, not a registry file", path) from None
    except PermissionError:
        raise RegistryError("cannot read the registry: permission denied", path) from None
    except OSError as exc:
        raise RegistryError(f"cannot read the registry: {exc.strerror or exc}", path) from None


def load(path: Path) -> Registry:
    """Read and check a registry; raise RegistryError at its first error.

    A registry read before, byte for byte the same, comes from the cache
    (`sisterctl.store.cache`) without being parsed or checked again."""
    from sisterctl.store import cache

    data = read_bytes(path)
    key = cache.digest(data)
    entry = cache.get(path, key, extend_checked)
    if entry is not None:
        return entry.registry
    result, parsed = parse_and_build(data, path)
    if result.errors:
        raise result.errors[0].as_error(path)
    cache.put(path, key, result.registry, cache.data_digest(parsed))
    return result.registry


def parse_and_build(data: bytes, path: Path) -> tuple[LoadResult, dict[str, Any]]:
    """Parse and check a registry's bytes: the model with its problems, and the
    parsed TOML."""
    from sisterctl.store.cache import paused_gc

    text = decode(data, path)
    with paused_gc():
        parsed = parse_toml(text, path)
        return build(parsed, text=text), parsed
