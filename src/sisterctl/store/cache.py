"""A cache of checked registries, so that a large registry opens in a fraction of the
time it takes to parse and check.

Reading a registry of 26,000 ties means parsing 4 MB of TOML and checking every record:
about a second. The cache keeps the result, the checked model, in the user's cache folder
(`~/.cache/sisterctl/registries/` on Linux), one entry per registry file, keyed by:

- a BLAKE2b hash (256 bits) of the registry file's bytes, so that an entry is used only
  for exactly the bytes it was made from and can never serve data the file no longer
  holds;
- a fingerprint of this sisterctl: its version, the registry schema version, the format
  of the entry, the Python version, and a hash of the source of the modules that build
  the model, so that an entry written by another version (or an edited checkout) is
  never read as if it were this one's.

Each entry also carries a CRC-32 of its own payload, and is read by an unpickler that
builds nothing but the model's classes. Anything unexpected (a missing,
truncated, corrupt, foreign or unreadable entry, an unwritable cache folder) is ignored:
the registry is read from its file, and the entry is written again if it can be. No
error about the cache ever reaches the user. The registry file stays the one source of
truth; deleting the cache folder loses nothing. `SISTERCTL_NO_CACHE=1` turns the cache
off.

After `sisterctl add ...` appends records to a registry whose entry was valid, the new
entry is the old model plus the appended records (checked as they were appended), so a
write does not have to store the whole model again. After `MAX_APPENDED` such records
the next write stores the whole model.

This module opens only cache files; `sisterctl.store` opens the registry.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import struct
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Start-up matters (see the README's Performance): the C modules behind hashlib's
# blake2b and pickle's classes, without the 3 ms hashlib takes to load OpenSSL or the
# 1.5 ms of pickle's pure-Python pickler.
try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover  (Python builds without the module)
    from hashlib import blake2b
try:
    import _pickle as pickle
except ImportError:  # pragma: no cover
    import pickle  # type: ignore[no-redef]

from sisterctl import __version__
from sisterctl.dates import PartialDate

if TYPE_CHECKING:
    from sisterctl.model import Registry

DISABLE_VAR = "SISTERCTL_NO_CACHE"
FORMAT = 1  # bump when the layout of an entry changes
MAGIC = b"sisterctl registry cache\n"
MAX_APPENDED = 200  # records kept as appended before the whole model is stored again
MAX_ENTRIES = 64  # entries kept; the least recently written go first

# The modules whose code decides what a registry file loads as. A change to any of them
# (a new field, a new default, a new check) makes every existing entry stale.
_MODEL_SOURCES = ("model", "dates", "records/fields", "records/build", "countries", "store/cache")

# An entry: the magic line; a header of three BLAKE2b digests (fingerprint, registry
# bytes, canonical parsed data), the payload's CRC-32 and its length; the payload: an
# 8-byte length L, L bytes of pickled appended records, then the pickled base model.
_HEADER = struct.Struct(">32s32s32sIQ")
_LEN = struct.Struct(">Q")

Record = tuple[str, dict[str, Any]]


def enabled() -> bool:
    return os.environ.get(DISABLE_VAR, "") in ("", "0")


def digest(data: bytes) -> bytes:
    """The key of a registry's bytes (BLAKE2b, 256 bits)."""
    key: bytes = hasher(data).digest()
    return key


def hasher(data: bytes) -> Any:
    """The hash that gives `digest(data)`, to be updated with bytes that follow them."""
    return blake2b(data, digest_size=32)


def data_digest(parsed: Any) -> bytes:
    """A hash of parsed TOML that is equal for equal data and differs otherwise.

    The data is pickled without a memo (`fast` mode), so the bytes depend only on the
    values, their types and the order of keys, never on which objects happen to be
    shared; `registry.append` compares the data of the file it writes with the data of
    the file it read through this hash, when the cache holds the latter.
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo: equal values always give equal bytes
    pickler.dump(parsed)
    return blake2b(buffer.getbuffer(), digest_size=32).digest()


# ---------------------------------------------------------------------------
# Where entries live, and whose they are


def folder() -> Path:
    """sisterctl's folder of the user cache (platformdirs), `registries/` in it."""
    from sisterctl.store.dirs import user_cache_path

    return user_cache_path() / "sisterctl" / "registries"


def entry_path(registry_path: Path) -> Path:
    """The entry for a registry file: named by a hash of its absolute path."""
    try:
        where = str(registry_path.resolve())
    except OSError:
        where = str(registry_path.absolute())
    name = blake2b(where.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return folder() / f"{name}.pickle"


_fingerprint: bytes | None = None


def fingerprint() -> bytes:
    """Who wrote an entry: this sisterctl's version and model code, and this Python."""
    global _fingerprint
    if _fingerprint is None:
        from sisterctl.model import SCHEMA_VERSION

        h = blake2b(digest_size=32)
        h.update(f"{__version__}|{SCHEMA_VERSION}|{FORMAT}|{sys.version_info[:2]}".encode())
        package = Path(__file__).parents[1]  # sisterctl/
        for name in _MODEL_SOURCES:
            try:
                h.update((package / f"{name}.py").read_bytes())
            except OSError:
                h.update(f"{name}: no source".encode())
        _fingerprint = h.digest()
    return _fingerprint


# ---------------------------------------------------------------------------
# Pickling the model compactly


def _model_class(cls: type) -> bool:
    return cls.__module__ in ("sisterctl.model", "sisterctl.dates") and dataclasses.is_dataclass(
        cls
    )


_NO_DEFAULT = object()


# (field names, defaults) of a model class's constructor
_Shape = tuple[tuple[str, ...], tuple[Any, ...]]
_shapes: dict[type, _Shape | None] = {}


def _shape(cls: type) -> _Shape | None:
    """The constructor arguments of a model class, or None when it cannot be rebuilt
    from them (a field that is not an argument)."""
    if cls not in _shapes:
        fields = dataclasses.fields(cls)
        if any(not f.init for f in fields):
            _shapes[cls] = None
        else:
            defaults = []
            for f in fields:
                if f.default is not dataclasses.MISSING:
                    defaults.append(f.default)
                elif f.default_factory is not dataclasses.MISSING:
                    defaults.append(f.default_factory())
                else:
                    defaults.append(_NO_DEFAULT)
            _shapes[cls] = (tuple(f.name for f in fields), tuple(defaults))
    return _shapes[cls]


class _ModelPickler(pickle.Pickler):
    """Pickles model records as their constructor calls, with trailing default
    arguments left out and equal dates and strings stored once.

    A frozen dataclass otherwise pickles through a Python-level __setstate__ for each
    record, which is several times slower to load."""

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=5)
        self._shared: dict[Any, Any] = {}

    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        if not _model_class(cls):
            return NotImplemented
        shape = _shape(cls)
        if shape is None:
            return NotImplemented
        names, defaults = shape
        shared = self._shared
        args = []
        for name in names:
            value = getattr(obj, name)
            if type(value) is str or type(value) is PartialDate:
                value = shared.setdefault(value, value)
            args.append(value)
        while args:
            default = defaults[len(args) - 1]
            last = args[-1]
            if default is _NO_DEFAULT or type(last) is not type(default) or last != default:
                break
            args.pop()
        return cls, tuple(args)


_ALLOWED_GLOBALS = {
    "datetime": frozenset({"date", "datetime", "time", "timezone", "timedelta"}),
}


class _ModelUnpickler(pickle.Unpickler):
    """Loads only sisterctl's model classes and plain data: never any other code."""

    def find_class(self, module: str, name: str) -> Any:
        if module in ("sisterctl.model", "sisterctl.dates") or name in _ALLOWED_GLOBALS.get(
            module, ()
        ):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a registry")


def _dumps(value: Any) -> bytes:
    buffer = io.BytesIO()
    _ModelPickler(buffer).dump(value)
    return buffer.getvalue()


def _loads(data: bytes | memoryview) -> Any:
    return _ModelUnpickler(io.BytesIO(data)).load()


# ---------------------------------------------------------------------------
# Entries


class Entry:
    """A registry as the cache holds it: the checked model, and what `append` needs
    to verify and extend it: the hash of the parsed data the stored model (its base,
    pickled) was made from, and the records appended to that since. (A plain class,
    as are the others here: start-up pays for every class a module creates.)"""

    __slots__ = ("appended", "base", "data_digest", "registry")

    def __init__(
        self,
        registry: Registry,
        data_digest: bytes,
        base: bytes | memoryview | None,
        appended: tuple[Record, ...],
    ) -> None:
        self.registry = registry
        self.data_digest = data_digest
        self.base = base
        self.appended = appended


def get(
    registry_path: Path,
    source_digest: bytes,
    extend: Callable[[Registry, Sequence[Record]], Registry],
) -> Entry | None:
    """The entry for these registry bytes, or None (no entry, or one not to be trusted).

    `extend` applies appended records to the stored model (`registry.extend`)."""
    if not enabled():
        return None
    try:
        with entry_path(registry_path).open("rb") as handle:
            raw = handle.read()
        magic_end = len(MAGIC)
        if raw[:magic_end] != MAGIC:
            return None
        header_end = magic_end + _HEADER.size
        who, source, data_hash, checksum, length = _HEADER.unpack(raw[magic_end:header_end])
        if who != fingerprint() or source != source_digest:
            return None
        payload = memoryview(raw)[header_end:]
        if len(payload) != length or zlib.crc32(payload) != checksum:
            return None
        (meta_length,) = _LEN.unpack_from(payload)
        meta_end = _LEN.size + meta_length
        with paused_gc():
            appended = _loads(payload[_LEN.size : meta_end])
            base = payload[meta_end:]
            registry = _loads(base)
            if appended:
                registry = extend(registry, appended)
        from sisterctl.model import Registry

        if not isinstance(registry, Registry):
            return None
        return Entry(registry, data_hash, base, appended)
    except Exception:  # any failure at all: the cache is only ever a shortcut
        return None


def put(
    registry_path: Path,
    source_digest: bytes,
    registry: Registry,
    parsed_digest: bytes,
    *,
    base: bytes | memoryview | None = None,
    appended: Sequence[Record] = (),
) -> None:
    """Store an entry for these registry bytes: a model made of `base` (a model as an
    earlier entry stored it; when None, `registry` is stored) plus the records
    `appended` to it since, and the hash of the parsed data the base was made from.
    Never raises."""
    if not enabled():
        return
    try:
        target = entry_path(registry_path)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with _atomic_file(target) as handle:
            if base is None:
                base = _dumps(registry)
            meta = pickle.dumps(tuple(appended), protocol=5)
            payload = b"".join((_LEN.pack(len(meta)), meta, base))
            handle.write(MAGIC)
            handle.write(
                _HEADER.pack(
                    fingerprint(),
                    source_digest,
                    parsed_digest,
                    zlib.crc32(payload),
                    len(payload),
                )
            )
            handle.write(payload)
        _prune(target.parent)
    except Exception:  # an unwritable or full cache folder costs speed, nothing else
        return


@contextlib.contextmanager
def _atomic_file(target: Path) -> Iterator[io.BufferedWriter]:
    """A new file that replaces `target` when complete (readers see the old entry or
    the new one, never part of one); mode 0600, like the folder it is in."""
    import tempfile

    fd, name = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _prune(where: Path) -> None:
    entries = list(where.glob("*.pickle"))
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda p: p.stat().st_mtime)
    for old in entries[: len(entries) - MAX_ENTRIES]:
        old.unlink(missing_ok=True)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a registry is being built.

    Building makes hundreds of thousands of objects that are all kept; each collection
    pass would walk all of them again, which more than doubles the time to load a
    large registry. Nothing built here forms reference cycles to collect."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
