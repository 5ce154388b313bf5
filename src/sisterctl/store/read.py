"""Reading a registry file: its bytes, its text, its TOML, and the checked model."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sisterctl.errors import Hint, RegistryError
from sisterctl.model import Registry
from sisterctl.problems import LoadResult
from sisterctl.records.build import build
from sisterctl.records.toml import decode, parse_toml
from sisterctl.store.atomic import open_regular_file

if TYPE_CHECKING:
    pass


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
    with open_regular_file(path) as handle:
        return handle.read()


def load(path: Path, *, index: bool = False) -> Registry:
    """Read and check a registry; raise RegistryError at its first error.

    With `index`, a registry indexed before, byte for byte the same, comes from its
    index (`sisterctl.store.index`) without being parsed or checked again, and one
    that was not is indexed as it is read."""
    from sisterctl.store import index as store_index
    from sisterctl.store import index_records

    use_index = index and store_index.enabled()
    seen = _settled_state(path) if use_index else ""  # (taken before the bytes are read)
    data = read_bytes(path)
    source = store_index.hasher(data).hexdigest() if use_index else ""
    if use_index:
        found = store_index.open_index(path, source=source, size=len(data))
        if found is not None:
            try:
                return index_records.registry(found)
            except Exception:  # anything unexpected: the index is only ever a shortcut
                pass
            finally:
                found.close()
    text = decode(data, path)
    parsed = parse_toml(text, path)
    result = build(parsed, text=text)
    raise_first_error(result, path)
    if use_index:
        index_records.write(
            path,
            source=source,
            size=len(data),
            seen=seen,
            text=text,
            data=parsed,
            registry=result.registry,
        )
    return result.registry


def _settled_state(path: Path) -> str:
    import time

    from sisterctl.store import index as store_index

    now = time.time_ns()
    try:
        return store_index.settled_state(path.stat(), now)
    except OSError:
        return ""  # read_bytes says what is wrong with the file


def raise_first_error(result: LoadResult, path: Path, advice: str = "") -> None:
    if result.errors:
        raise result.errors[0].as_error(path, then=advice)


def parse_and_build(data: bytes, path: Path) -> tuple[LoadResult, dict[str, Any]]:
    """Parse and check a registry's bytes: the model with its problems, and the
    parsed TOML."""
    text = decode(data, path)
    parsed = parse_toml(text, path)
    return build(parsed, text=text), parsed
