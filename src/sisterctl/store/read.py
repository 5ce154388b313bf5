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
    """The registry file's exact bytes, or a RegistryError that says what is wrong.

    Only a regular file is read: a FIFO would wait for a writer for ever and a device
    such as /dev/zero never ends. The file is opened without waiting (O_NONBLOCK) and
    looked at before a byte is read, so that neither can hang sisterctl."""
    try:
        return _regular_file_bytes(path)
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


def _regular_file_bytes(path: Path) -> bytes:
    import os
    import stat

    def refuse_unless_regular(mode: int) -> None:
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        problem = not_a_regular_file(mode)
        if problem is not None:
            raise RegistryError(problem, path)

    # Looked at before it is opened (opening some devices does something), and again
    # once open (it may have been replaced in between).
    refuse_unless_regular(path.stat().st_mode)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        refuse_unless_regular(os.fstat(fd).st_mode)
        return handle.read()


def not_a_regular_file(mode: int) -> str | None:
    """Why a file of this mode cannot be a registry, or None for a regular file."""
    import stat

    if stat.S_ISREG(mode):
        return None
    from sisterctl.store.atomic import describe_mode

    return f"is {describe_mode(mode)}, not a registry file"


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
