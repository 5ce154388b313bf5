"""The one atomic writer: every file sisterctl writes (the registry, an export, a
picture, the index) is written whole to a temporary file beside it and renamed over
it, so that a reader or a crash sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sisterctl.errors import RegistryError

if TYPE_CHECKING:
    pass

TEMP_MARK = ".sisterctl-"  # in the name of a temporary file: .partnerships.toml.sisterctl-*.tmp
TEMP_SUFFIX = ".tmp"

Signature = tuple[int, int, int]


def signature(path: Path) -> Signature:
    """What changes when a file is written or replaced."""
    st = path.stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def temp_prefix(path: Path) -> str:
    """How the names of the temporary files beside `path` begin."""
    return f".{path.name}{TEMP_MARK}"


def replace(
    path: Path,
    fill: Callable[[Path], None],
    *,
    mode: int | None = None,
    like: os.stat_result | None = None,
    unchanged: Signature | None = None,
    durable: bool = True,
) -> bool:
    """Make a temporary file beside `path`, let `fill` write it (by its path: a writer
    of bytes, or SQLite), and rename it over `path`.

    The new file gets `mode`, else the mode (and, where allowed, the owner) of `like`,
    the file it replaces, else the usual mode of a new file (0666 less the umask).
    With `unchanged`, nothing is replaced when `path` no longer has that signature
    (someone saved it since it was read): then False. With `durable`, the file and
    the rename are flushed to disk. Raises OSError; the temporary file never stays."""
    import stat
    import tempfile

    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=temp_prefix(path), suffix=TEMP_SUFFIX)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        fill(tmp)
        if durable:
            with tmp.open("rb+") as handle:
                os.fsync(handle.fileno())
        if mode is None and like is not None:
            mode = stat.S_IMODE(like.st_mode)
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        tmp.chmod(mode)
        if like is not None:
            # Keep the owner where we may (root writing a user's file); the mode is
            # kept all the same. There is no os.chown on Windows.
            with contextlib.suppress(PermissionError, AttributeError):
                os.chown(tmp, like.st_uid, like.st_gid)
        if unchanged is not None and signature(path) != unchanged:
            tmp.unlink(missing_ok=True)
            return False
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(path.parent)
    return True


def write_bytes(data: bytes) -> Callable[[Path], None]:
    """A `fill` for `replace` that writes `data`."""

    def fill(tmp: Path) -> None:
        with tmp.open("wb") as handle:
            handle.write(data)

    return fill


def replace_file(path: Path, data: bytes) -> None:
    """Replace (or create) a file that sisterctl writes for the user (an export, a
    picture): it keeps the old file's permissions, or gets the usual ones."""
    try:
        like: os.stat_result | None = path.stat()
    except FileNotFoundError:
        like = None
    replace(path, write_bytes(data), like=like, durable=False)


def replace_unless_changed(path: Path, data: bytes, *, unchanged: Signature) -> bool:
    """Write `data` over the registry `path`, flushed to disk, keeping its mode and
    owner, unless `path` changed since it was read (then False)."""
    try:
        return replace(path, write_bytes(data), like=path.stat(), unchanged=unchanged)
    except OSError as exc:
        raise RegistryError(f"cannot write the registry: {exc.strerror or exc}", path) from None


def remove_stale(folder: Path, prefix: str, *, older_than: float | None = None) -> None:
    """Remove the temporary files named `prefix...tmp` in `folder` that a writer killed
    before it could rename them left behind (those last changed over `older_than`
    seconds ago, when given). Anything that is not a plain file is left alone."""
    import time

    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    now = time.time()
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX)):
            continue
        with contextlib.suppress(OSError):
            if not entry.is_file(follow_symlinks=False):
                continue
            if older_than is not None and now - entry.stat(follow_symlinks=False).st_mtime < (
                older_than
            ):
                continue
            Path(entry.path).unlink()


def fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def create(path: Path, text: str) -> None:
    """Write a new registry file; refuse to overwrite one that exists (or a dangling
    symbolic link: its target would be created behind the user's back)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except FileExistsError:
        raise RegistryError(
            "a file is already there; sisterctl init never overwrites", path
        ) from None
    except IsADirectoryError:
        raise RegistryError("is a directory; name a file for the new registry", path) from None
    except OSError as exc:
        raise RegistryError(f"cannot create the registry: {exc.strerror or exc}", path) from None
    fsync_dir(path.parent)
