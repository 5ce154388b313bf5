"""Locked, atomic, verified appends to a registry file.

The new file is always the old file's bytes, untouched, plus the new records. How
that is verified (docs/store.md):

- with an index made from exactly the old bytes, only the appended text is read back:
  it is proved to mean, after the old text, exactly the new records (the tables it
  appends to are arrays of tables that a `[[table]]` header extends; the text parsed
  alone gives the records; they are valid where they stand), and the old bytes are
  copied to the new file while their hash is checked again;
- otherwise, or when that proof is out of reach (a table the index cannot vouch for),
  the whole new text is parsed and compared with the old data plus the new records.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from sisterctl.errors import RegistryError
from sisterctl.model import Record, Registry
from sisterctl.records.build import extend
from sisterctl.records.toml import clean_record, decode, fragment_for, parse_toml
from sisterctl.store import atomic, index_records
from sisterctl.store import index as store_index
from sisterctl.store.atomic import not_a_regular_file
from sisterctl.store.read import (
    parse_and_build,
    raise_first_error,
    read_bytes,
    read_text,
)

if TYPE_CHECKING:
    pass


LOCK_TIMEOUT = 10.0  # seconds a writer waits for another writer before giving up
ATTEMPTS = 3  # times an append is tried again when the file changes under it
FIX_FIRST = " (fix the registry before adding to it)"


@dataclass(frozen=True)
class Appended:
    """What an append wrote (or, in a dry run, would write)."""

    path: Path
    records: tuple[Record, ...]
    fragment: str
    written: bool


def lock_path(path: Path) -> Path:
    """The write lock of the registry file `path` names, where git does not see it.

    It is named after the file's identity (its device and inode), so every path that
    names the file (a symbolic link, a relative path, a hard link) takes the same
    lock; it lies in the git directory of the repository that holds the file
    (`.git/sisterctl/locks/`, shared by everyone who may write the repository), or,
    outside a repository, in the user's cache folder (`~/.cache/sisterctl/locks/`).
    No lock file appears in a working tree, and none is left once a writer is done.
    """
    target = path.resolve()
    st = target.stat()
    git_dir = _git_dir(target.parent)
    if git_dir is not None:
        folder = git_dir / "sisterctl" / "locks"
    else:
        from sisterctl.store.dirs import user_cache_path

        folder = user_cache_path() / "sisterctl" / "locks"
    return folder / f"{st.st_dev:x}-{st.st_ino:x}.lock"


def _git_dir(folder: Path) -> Path | None:
    """The git directory of the repository whose working tree holds `folder`: its
    `.git` folder, or where a `.git` file points (a linked worktree, a submodule)."""
    for candidate in (folder, *folder.parents):
        dot_git = candidate / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():
            try:
                first = dot_git.read_text(encoding="utf-8").splitlines()[:1]
            except (OSError, UnicodeDecodeError):
                return None
            if first and first[0].startswith("gitdir:"):
                found = Path(first[0].removeprefix("gitdir:").strip())
                found = found if found.is_absolute() else candidate / found
                return found if found.is_dir() else None
            return None
    return None


Plan = Callable[[Registry], Sequence[Record]]


def append(
    path: Path,
    plan: Plan,
    *,
    dry_run: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
    tie: Sequence[str] | None = None,
    index: bool = False,
) -> Appended:
    """Append the records that `plan` returns for the registry as it is now.

    `plan` runs while the write lock is held, on the registry read under that lock, so
    its checks (a tie exists, a tie is not already there) cannot race with another
    writer. It raises a SisterctlError to refuse; then nothing is written. It may be
    called more than once (when the file changes on disk during the append), so it
    must not have side effects. With `tie` (words naming one tie, as
    `core.query.find_tie` takes them), `plan` is given a registry holding that tie
    with all its records (and perhaps no other: from the index, that is all that is
    read); the tie is looked up first, so a tie not found is refused with suggestions
    from the whole registry. With `index`, the registry's index is used and kept up
    to date.

    The new file is the old file's bytes, untouched, plus the new records, verified
    to read back as exactly those records (module docstring). It is written to a
    temporary file beside the registry, flushed to disk, and renamed over it, so a
    reader or a crash sees the old registry or the new one, never half of one. A
    symbolic link is followed: the file it points to is replaced and the link is kept.
    """

    def once(target: Path, dry: bool) -> Appended | None:
        return _append_once(target, plan, dry_run=dry, tie=tie, index=index)

    return locked_write(path, once, dry_run=dry_run, lock_timeout=lock_timeout, doing="added to")


_Done = TypeVar("_Done")


def locked_write(
    path: Path,
    once: Callable[[Path, bool], _Done | None],
    *,
    dry_run: bool,
    lock_timeout: float,
    doing: str,
) -> _Done:
    """What every write of the registry does around one try of it (`once(target,
    dry_run)`, None when the file changed on disk before it could be replaced): the
    file a symbolic link names, checked writable, under the write lock, stale
    temporary files removed, tried again when the file changes meanwhile. A dry run
    takes no lock and tries once. `doing`: what the message says sisterctl was doing
    to the file when it kept changing ("added to", "edited")."""
    # (realpath, not resolve: a loop of links, like a folder that cannot be entered,
    # is then the usual "cannot read" below.)
    try:
        linked = path.is_symlink()
    except OSError:
        linked = False
    target = Path(os.path.realpath(path)) if linked else path
    if dry_run:
        done = once(target, True)
        assert done is not None
        return done
    _check_writable(target)
    lock = _acquire_lock(target, path, lock_timeout)
    try:
        atomic.remove_stale(target.parent, atomic.temp_prefix(target))
        for _ in range(ATTEMPTS):
            done = once(target, False)
            if done is not None:
                return done
    finally:
        lock.release()
    raise RegistryError(
        f"the file kept changing on disk while sisterctl {doing} it (is an editor saving "
        "it?); nothing was written; try again",
        path,
    )


class _Lock:
    """A held write lock; `release` removes its file, so none is left behind. (The
    file is removed while still held: filelock sees that a file it has just locked
    has no name any more, and takes the lock again, anew.)"""

    __slots__ = ("_lock", "path")

    def __init__(self, lock: Any, path: Path) -> None:
        self._lock = lock
        self.path = path

    def release(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()
        self._lock.release()


def take_file_lock(where: Path, timeout: float, mode: int = 0o644) -> Any:
    """A `filelock.FileLock` on the file `where` (its folder made if missing), taken
    within `timeout` seconds; filelock's Timeout or an OSError when it cannot be."""
    import warnings

    from filelock import FileLock

    where.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(where), timeout=timeout, mode=mode)
    with warnings.catch_warnings():
        # On a file system without flock (some network and FUSE ones) filelock falls
        # back to a lock file of its own, and says so as a Python warning, which is no
        # message for the person at the terminal.
        warnings.filterwarnings("ignore", "flock not supported", UserWarning)
        lock.acquire()
    return lock


def _acquire_lock(target: Path, path: Path, timeout: float) -> _Lock:
    """The write lock of the registry. Its name follows the file's inode, which each
    write replaces (a new file is renamed over the old one): a writer that waited for
    the lock of a file that another writer has since replaced takes the lock of the
    new file instead."""
    import stat
    import time

    from filelock import Timeout

    from sisterctl.errors import RegistryBusyError

    # The lock file gets the registry's permissions, so that whoever may write the
    # registry may also take its lock.
    mode = (stat.S_IMODE(target.stat().st_mode) & 0o666) | 0o600
    deadline = time.monotonic() + timeout
    while True:
        try:
            where = lock_path(target)
        except OSError as exc:
            raise RegistryError(f"cannot read the registry: {exc.strerror or exc}", path) from None
        try:
            lock = take_file_lock(where, max(0.0, deadline - time.monotonic()), mode)
        except Timeout:
            raise RegistryBusyError(
                f"{path}: another sisterctl process is writing the registry "
                f"(it has held the write lock for over {timeout:g} s); try again"
            ) from None
        except OSError as exc:
            raise RegistryError(
                f"cannot create the lock file {where}: {exc.strerror or exc}", path
            ) from None
        held = _Lock(lock, where)
        try:
            same = lock_path(target) == where
        except OSError:
            same = False
        if same:
            return held
        held.release()  # the file was replaced while this writer waited: lock the new one


def _check_writable(path: Path) -> None:
    import stat

    try:
        st = path.stat()
        mode, links = st.st_mode, st.st_nlink
    except FileNotFoundError:
        read_text(path)  # raises the usual "no registry file here"
        raise
    except OSError as exc:
        raise RegistryError(f"cannot read the registry: {exc.strerror or exc}", path) from None
    if stat.S_ISDIR(mode):
        raise RegistryError("is a directory, not a registry file", path)
    not_regular = not_a_regular_file(mode)
    if not_regular is not None:
        raise RegistryError(not_regular, path)
    if links > 1:
        # Replacing the file would leave its other names holding the old registry:
        # two files that go their own ways, silently.
        raise RegistryError(
            f"the registry has {links} hard links (other names for this very file); "
            "sisterctl writes a new file and renames it, which would split them: remove "
            "the other links (a symbolic link is followed and kept); nothing was written",
            path,
        )
    # The write bits count even for root: a registry someone made read-only stays so.
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        raise RegistryError("the registry is read-only; nothing was written", path)
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise RegistryError(
            f"cannot write in the folder {folder} (sisterctl writes the new registry beside "
            "the old one, then renames it); nothing was written",
            path,
        )


class _Unsure(Exception):
    """The index cannot prove this append: read the whole file instead."""


def _append_once(
    path: Path, plan: Plan, *, dry_run: bool, tie: Sequence[str] | None, index: bool
) -> Appended | None:
    """One try: None when the file changed on disk before it could be replaced."""
    try:
        st = path.stat()
        before = _signature(st)
    except OSError:
        st, before = None, atomic.Signature(0, 0, 0, 0, 0)
    if index and st is not None and store_index.enabled():
        found = store_index.open_index(path, source=None, size=st.st_size, writable=True)
        if found is not None:
            try:
                return _append_indexed(path, found, plan, dry_run=dry_run, tie=tie, like=st)
            except _Unsure:
                pass
            finally:
                found.close()
    return _append_whole(path, plan, dry_run=dry_run, tie=tie, before=before, index=index)


# ---------------------------------------------------------------------------
# With the index: the old bytes are known good, only the appended text is read back


def _append_indexed(
    path: Path,
    found: store_index.Index,
    plan: Plan,
    *,
    dry_run: bool,
    tie: Sequence[str] | None,
    like: os.stat_result,
) -> Appended | None:
    from sisterctl.core.query import find_tie

    try:
        state = store_index.file_state(like)
        trusted = bool(state) and found.meta["seen"] == state
        if trusted:
            # The settled stat the index has seen: its bytes are the index's (`fill`
            # below hashes them again as it copies them, and replaces nothing if not).
            source, size = found.meta["source"], like.st_size
        else:
            source, size = store_index.digest_of(path)
        last = _last_bytes(path)
    except OSError:
        raise _Unsure from None
    if source != found.meta["source"] or size != like.st_size:
        raise _Unsure  # a stale index: the whole file is read, and indexed again
    if size <= 3:
        raise _Unsure  # (perhaps a byte-order mark alone: its last bytes are not text)
    whole: Registry | None = None
    try:
        if tie is not None:
            from sisterctl.store.view import _tie_sql

            where, cities = _tie_sql(found, tie)
            registry = index_records.registry(found, where, cities=cities)
            find_tie(registry, tie, all_ids=found.tie_ids)
        else:
            registry = whole = index_records.registry(found)
    except Exception as exc:
        from sisterctl.errors import SisterctlError

        if isinstance(exc, SisterctlError):
            raise
        raise _Unsure from exc
    records = tuple(plan(registry))
    if not records:
        return Appended(path, records, "", written=False)
    fragment = fragment_for(records)
    addition, read_back = prove_alone(path, last, found.appendable, found.crlf, records, fragment)
    base = registry
    if whole is None and not all(
        table in ("agreement", "exchange", "status_change")
        and record.get("partnership") in registry.by_id
        for table, record in read_back
    ):
        try:
            base = index_records.registry(found)
        except Exception as exc:
            raise _Unsure from exc
    after = extend(base, read_back)
    if after.errors:
        raise RegistryError(f"{after.errors[0].message}; nothing was written", path)
    if dry_run:
        return Appended(path, tuple(read_back), fragment, written=False)
    added = addition.encode("utf-8")
    new_source: list[str] = []

    def fill(tmp: Path) -> None:
        """The old bytes, copied while hashed again (the file may have changed since it
        was read: then nothing is replaced), then the new records."""
        h = store_index.hasher()
        with path.open("rb") as src, tmp.open("wb") as out:
            while chunk := src.read(store_index.CHUNK):
                h.update(chunk)
                out.write(chunk)
            out.write(added)
        if h.hexdigest() != source:
            raise _Changed
        h.update(added)
        new_source.append(h.hexdigest())

    try:
        replaced = atomic.replace(path, fill, like=like, unchanged=_signature(like))
    except _Changed:
        if trusted:
            raise _Unsure from None  # not the bytes its stat promised: read them all
        return None
    except OSError as exc:
        raise RegistryError(f"cannot write the registry: {exc.strerror or exc}", path) from None
    if not replaced:
        return None
    with contextlib.suppress(Exception):  # a stale index is read again; nothing is lost
        index_records.append(
            found,
            old_source=source,
            new_source=new_source[0],
            new_size=size + len(added),
            records=read_back,
            after=after.registry,
        )
    return Appended(path, tuple(read_back), fragment, written=True)


class _Changed(Exception):
    """The registry's bytes changed while they were copied."""


def _signature(st: os.stat_result) -> atomic.Signature:
    return atomic.Signature(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _last_bytes(path: Path) -> bytes:
    """The last two bytes of a file (how it ends: a line break, or not)."""
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        end = handle.tell()
        handle.seek(max(0, end - 2))
        return handle.read()


def prove_alone(
    path: Path,
    last: bytes,
    appendable: frozenset[str],
    crlf: bool,
    records: Sequence[Record],
    fragment: str,
) -> tuple[str, list[Record]]:
    """The text that appends `records` (`fragment`, as `fragment_for` writes them) to
    a registry that ends with the bytes `last` (its last two), and the records it
    reads back as, proved without reading the rest
    of the registry (docs/store.md): each table it appends to is one that a
    `[[table]]` header extends (`appendable`, as the index found them), and the text
    parsed alone is exactly the records. `crlf`: the registry's lines end with CRLF.
    Raises _Unsure when that cannot be proved, RegistryError when the text does not
    read back as the records."""
    if last.endswith(b"\r") or not {table for table, _ in records} <= appendable:
        raise _Unsure
    separator = "" if last == b"" or last.endswith(b"\n") else "\n"
    addition = separator + fragment
    if crlf:
        addition = addition.replace("\n", "\r\n")
    return addition, _read_alone(path, addition, records)


def _read_alone(path: Path, addition: str, records: Sequence[Record]) -> list[Record]:
    """The appended text parsed on its own: it must hold exactly `records`."""
    data = _parse_new(path, addition)
    tails = {table: list(values) for table, values in data.items() if isinstance(values, list)}
    if set(tails) != set(data) or set(data) != {table for table, _ in records}:
        _unexpected(path)
    for table, values in tails.items():
        if len(values) != sum(1 for t, _ in records if t == table):
            _unexpected(path)
    read_back = _in_order(records, tails)
    if [record for _, record in read_back] != [clean_record(r) for _, r in records]:
        _unexpected(path)
    return read_back


# ---------------------------------------------------------------------------
# Without the index: the whole file is read, and the whole new text read back


def _append_whole(
    path: Path,
    plan: Plan,
    *,
    dry_run: bool,
    tie: Sequence[str] | None,
    before: atomic.Signature,
    index: bool,
) -> Appended | None:
    raw = read_bytes(path)
    old_text = decode(raw, path)
    result, old = parse_and_build(raw, path)
    raise_first_error(result, path, FIX_FIRST)
    registry = result.registry
    records = tuple(plan(registry))
    if not records:
        return Appended(path, records, "", written=False)
    fragment = fragment_for(records)
    addition = _addition(old_text, fragment)
    new_text = old_text + addition
    new = _parse_new(path, new_text)
    read_back = _compare_whole(path, old, new, records)
    after = extend(registry, read_back)
    if after.errors:
        raise RegistryError(f"{after.errors[0].message}; nothing was written", path)
    if dry_run:
        return Appended(path, tuple(read_back), fragment, written=False)
    # The exact bytes read, byte-order mark included, plus the new records.
    new_raw = raw + addition.encode("utf-8")
    if not atomic.replace_unless_changed(path, new_raw, unchanged=before, read=raw):
        return None
    if index:
        index_records.write(
            path,
            source=store_index.hasher(new_raw).hexdigest(),
            size=len(new_raw),
            text=new_text,
            data=new,
            registry=after.registry,
        )
    return Appended(path, tuple(read_back), fragment, written=True)


def _addition(old_text: str, fragment: str) -> str:
    """What goes after the old text: a line break if its last line has none, then the
    records, with the file's own line endings (CRLF when every line has one)."""
    separator = "" if old_text == "" or old_text.endswith(("\n", "\r")) else "\n"
    addition = separator + fragment
    if store_index.all_crlf(old_text):
        addition = addition.replace("\n", "\r\n")
    return addition


def _parse_new(path: Path, text: str) -> dict[str, Any]:
    try:
        return parse_toml(text, path)
    except RegistryError as exc:
        raise RegistryError(
            f"the new record would not read back ({exc.detail}); nothing was written", path
        ) from None


def _compare_whole(
    path: Path, old: dict[str, Any], new: dict[str, Any], records: Sequence[Record]
) -> list[Record]:
    """The new data must be the old data plus exactly `records` at the ends of their
    tables: take them off, and what is left must equal the old data."""
    base = dict(new)
    tails = _take_tails(path, base, records)
    read_back = _in_order(records, tails)
    if [record for _, record in read_back] != [clean_record(r) for _, r in records]:
        _unexpected(path)
    if base != old and store_index.encode(base) != store_index.encode(old):
        # (the encodings are compared too: NaN, which an unknown key may hold, is not
        # equal to itself)
        _unexpected(path)
    return read_back


def _take_tails(path: Path, data: dict[str, Any], batch: Sequence[Record]) -> dict[str, list[Any]]:
    """Remove from the ends of the tables of `data` as many records as `batch` has in
    each; return them."""
    counts: dict[str, int] = {}
    for table, _ in batch:
        counts[table] = counts.get(table, 0) + 1
    tails: dict[str, list[Any]] = {}
    for table, count in counts.items():
        items = data.get(table)
        if not isinstance(items, list) or len(items) < count:
            _unexpected(path)
        data[table], tails[table] = items[: len(items) - count], items[len(items) - count :]
        if not data[table]:
            del data[table]  # the table was new: one cannot be empty and be appended to
    return tails


def _in_order(batch: Sequence[Record], tails: Mapping[str, list[Any]]) -> list[Record]:
    """The records taken off the tables, in the order of `batch`."""
    taken = {table: iter(records) for table, records in tails.items()}
    return [(table, next(taken[table])) for table, _ in batch]


def _unexpected(path: Path) -> NoReturn:
    raise RegistryError(
        "the new record would not read back as written (is a table at the end of "
        "the file defined unusually?); nothing was written",
        path,
    )
