"""Locked, atomic, verified appends to a registry file."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from sisterctl.errors import RegistryError
from sisterctl.model import (
    Record,
    Registry,
)
from sisterctl.records.build import extend, extend_checked
from sisterctl.records.toml import clean_record, decode, fragment_for, parse_toml
from sisterctl.store.atomic import TEMP_MARK, Signature, replace_unless_changed, signature
from sisterctl.store.read import not_a_regular_file, parse_and_build, read_bytes, read_text

if TYPE_CHECKING:
    from sisterctl.store import cache


# ---------------------------------------------------------------------------
# Writing: locked, atomic, verified appends

LOCK_TIMEOUT = 10.0  # seconds a writer waits for another writer before giving up
ATTEMPTS = 3  # times an append is tried again when the file changes under it


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


def append(
    path: Path,
    plan: Callable[[Registry], Sequence[Record]],
    *,
    dry_run: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
) -> Appended:
    """Append the records that `plan` returns for the registry as it is now.

    `plan` runs while the write lock is held, on the registry read under that lock, so
    its checks (a tie exists, a tie is not already there) cannot race with another
    writer. It raises a SisterctlError to refuse; then nothing is written. It may be
    called more than once (when the file changes on disk during the append), so it
    must not have side effects.

    The new file is the old file's bytes, untouched, plus the new records. Before it
    replaces the old one it is parsed again and compared with what was intended: every
    old value unchanged, plus exactly the new records. It is written to a temporary file
    beside the registry, flushed to disk, and renamed over it, so a reader or a crash
    sees the old registry or the new one, never half of one. A symbolic link is
    followed: the file it points to is replaced and the link is kept.
    """
    # (realpath, not resolve: a loop of links, like a folder that cannot be entered,
    # is then the usual "cannot read" below.)
    try:
        linked = path.is_symlink()
    except OSError:
        linked = False
    target = Path(os.path.realpath(path)) if linked else path
    if dry_run:
        done = _append_once(target, plan, dry_run=True)
        assert done is not None
        return done
    _check_writable(target)
    lock = _acquire_lock(target, path, lock_timeout)
    try:
        _remove_stale_temp_files(target)
        for _ in range(ATTEMPTS):
            done = _append_once(target, plan, dry_run=False)
            if done is not None:
                return done
    finally:
        lock.release()
    raise RegistryError(
        "the file kept changing on disk while sisterctl added to it (is an editor saving "
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


def _acquire_lock(target: Path, path: Path, timeout: float) -> _Lock:
    """The write lock of the registry. Its name follows the file's inode, which each
    write replaces (a new file is renamed over the old one): a writer that waited for
    the lock of a file that another writer has since replaced takes the lock of the
    new file instead."""
    import stat
    import time
    import warnings

    from filelock import FileLock, Timeout

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
            where.parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock(str(where), timeout=max(0.0, deadline - time.monotonic()), mode=mode)
            with warnings.catch_warnings():
                # On a file system without flock (some network and FUSE ones) filelock
                # falls back to a lock file of its own, and says so as a Python
                # warning, which is no message for the person at the terminal.
                warnings.filterwarnings("ignore", "flock not supported", UserWarning)
                lock.acquire()
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


def _remove_stale_temp_files(target: Path) -> None:
    """Temporary files left by a writer that was killed. Called with the lock held,
    when no other sisterctl is writing this registry, so any such file is stale."""
    prefix = f".{target.name}{TEMP_MARK}"
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(prefix) and entry.name.endswith(".tmp"):
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False):
                    Path(entry.path).unlink()


def _append_once(
    path: Path, plan: Callable[[Registry], Sequence[Record]], *, dry_run: bool
) -> Appended | None:
    """One try: None when the file changed on disk before it could be replaced."""
    from sisterctl.store import cache

    try:
        before = signature(path)
    except OSError:
        before = Signature(0, 0, 0, 0, 0)
    raw = read_bytes(path)
    old_text = decode(raw, path)
    # The registry as it is now: from the cache when it holds these very bytes (the
    # checked model, a hash of the parsed data its stored base was made from, and the
    # records appended since), else parsed and checked here.
    hasher = cache.hasher(raw)  # goes on to hash the new file: its bytes start with these
    entry = cache.get(path, hasher.copy().digest(), extend_checked)
    if entry is None:
        result, parsed = parse_and_build(raw, path)
        if result.errors:
            first = result.errors[0]
            raise RegistryError(
                f"{first.message} (fix the registry before adding to it)",
                path,
                first.line,
                first.column,
            )
        entry = cache.Entry(result.registry, cache.data_digest(parsed), None, ())
    records = tuple(plan(entry.registry))
    if not records:
        return Appended(path, records, "", written=False)
    fragment = fragment_for(records)
    addition = _addition(old_text, fragment)
    verified = _verify(path, entry, records, old_text + addition)
    if dry_run:
        return Appended(path, records, fragment, written=False)
    # The exact bytes read, byte-order mark included, plus the new records.
    added = addition.encode("utf-8")
    new_raw = raw + added
    if not replace_unless_changed(path, new_raw, unchanged=before, read=raw):
        return None
    hasher.update(added)
    _remember(path, hasher.digest(), entry, verified)
    return Appended(path, records, fragment, written=True)


def _addition(old_text: str, fragment: str) -> str:
    """What goes after the old text: a line break if its last line has none, then the
    records, with the file's own line endings (CRLF when every line has one)."""
    separator = "" if old_text == "" or old_text.endswith(("\n", "\r")) else "\n"
    addition = separator + fragment
    if "\r\n" in old_text:  # (counting a large file's lines takes a while: only then)
        newlines = old_text.count("\n")
        if old_text.count("\r\n") == newlines:
            addition = addition.replace("\n", "\r\n")
    return addition


class Verified:
    """What a new registry text reads back as: the records appended, the registry with
    them, and all the parsed data. (A plain class: start-up pays for every class.)"""

    __slots__ = ("data", "records", "registry")

    def __init__(
        self, records: tuple[Record, ...], registry: Registry, data: dict[str, Any]
    ) -> None:
        self.records = records
        self.registry = registry
        self.data = data


def _verify(path: Path, old: cache.Entry, records: Sequence[Record], new_text: str) -> Verified:
    """Parse the new text; check that it holds exactly the old data plus `records`, and
    that the records are valid where they stand.

    The old data is known by the hash of the data the cached model was first made from
    (`old.data_digest`) and the records appended to it since (`old.appended`), so
    that it need not be parsed again: taking the new records, then those, off the ends
    of their tables must leave data with that hash."""
    from sisterctl.store.cache import data_digest, paused_gc

    try:
        with paused_gc():
            new = parse_toml(new_text, path)
    except RegistryError as exc:
        raise RegistryError(
            f"the new record would not read back ({exc.detail}); nothing was written", path
        ) from None
    base = dict(new)
    now, since = (_take_tails(path, base, batch) for batch in (records, old.appended))
    read_back = _in_order(records, now)
    if [record for _, record in read_back] != [clean_record(r) for _, r in records]:
        _unexpected(path)
    if _in_order(old.appended, since) != list(old.appended):
        _unexpected(path)
    if data_digest(base) != old.data_digest:
        _unexpected(path)
    after = extend(old.registry, read_back)
    if after.errors:
        raise RegistryError(f"{after.errors[0].message}; nothing was written", path)
    return Verified(tuple(read_back), after.registry, new)


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


def _remember(path: Path, key: bytes, old: cache.Entry, verified: Verified) -> None:
    """The cache entry of the file just written: the old entry's stored model plus the
    records appended (so that the model need not be stored again), or, now and then,
    all of it."""
    from sisterctl.store import cache

    appended = (*old.appended, *verified.records)
    if len(appended) > cache.MAX_APPENDED:
        cache.put(path, key, verified.registry, cache.data_digest(verified.data))
    else:
        cache.put(path, key, old.registry, old.data_digest, base=old.base, appended=appended)
