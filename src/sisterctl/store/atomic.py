"""Writing files: atomically, so that a reader or a crash sees the old file or the new
one, never half of one; and into what is not a file (a terminal, a pipe, standard
output) as the shell would, never replacing it.

Every file sisterctl writes goes through here: the registry (`replace_unless_changed`,
`replace`, `create`), outputs (`write_output`, for `-o`, `--svg`, `--html`) and the
index (`replace`, which lets SQLite write the temporary file). Where an output
path leads is decided in one place, `destination`:

- a regular file, or a path where nothing is yet: replaced whole, atomically;
- a symbolic link: the file it points to is replaced (or created) and the link kept;
- `-`, `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`: written into that open stream;
- a character device (a terminal, `/dev/null`) or a FIFO: written into, never replaced;
- a folder, a block device, a socket, a symbolic-link loop, a name too long, a folder
  that cannot be entered: refused with one line, before anything is written.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import sys
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import NamedTuple

from sisterctl.errors import RefusedError, RegistryError

TEMP_MARK = ".sisterctl-"  # in the name of a temporary file: .partnerships.toml.sisterctl-*.tmp
TEMP_SUFFIX = ".tmp"

# Files this process has renamed into place, in order: what an interruption (Ctrl-C)
# came after (see `written`).
_WRITTEN: list[Path] = []


def written() -> tuple[Path, ...]:
    """The files this process has written (renamed into place) so far."""
    return tuple(_WRITTEN)


def forget_written() -> None:
    """Start counting again (a new command in the same process, as in tests)."""
    _WRITTEN.clear()


# ---------------------------------------------------------------------------
# The registry: replaced only if nobody changed it since it was read


class Signature(NamedTuple):
    """What changes when a file is written, replaced, or unlinked and made again: the
    change time moves on every write and every metadata change, even one that sets the
    modification time back, and a new file made at the same inode has a new one."""

    dev: int
    ino: int
    size: int
    mtime_ns: int
    ctime_ns: int


def signature(path: Path) -> Signature:
    """The file's signature now (follows a symbolic link)."""
    st = path.stat()
    return Signature(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def replace_unless_changed(
    path: Path, data: bytes, *, unchanged: Signature, read: bytes | None = None
) -> bool:
    """Write `data` to a temporary file beside `path`, flush it to disk and rename it
    over `path`, unless `path` changed since it was read (then False, and nothing is
    written).

    `unchanged` is the file's signature when it was read; `read`, when given, the bytes
    read then: they are compared with the file's bytes just before the rename, which
    catches an edit that the signature cannot see (one made within the file system's
    tick, same size, at the same inode)."""
    old_stat = path.stat()
    tmp = _temporary(path, data, stat.S_IMODE(old_stat.st_mode))
    try:
        # Keep the owner where we may (root writing a user's file); the mode is kept
        # all the same. There is no os.chown on Windows.
        with contextlib.suppress(PermissionError, AttributeError):
            os.chown(tmp, old_stat.st_uid, old_stat.st_gid)
        if _changed(path, unchanged, read):
            # Someone (an editor, not sisterctl: we hold the lock) saved the file
            # since we read it; writing now would lose their change.
            tmp.unlink(missing_ok=True)
            return False
        _rename(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise RegistryError(f"cannot write the registry: {exc.strerror or exc}", path) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return True


def replace(
    path: Path,
    fill: Callable[[Path], None],
    *,
    mode: int | None = None,
    like: os.stat_result | None = None,
    unchanged: Signature | None = None,
    durable: bool = True,
    derived: bool = False,
) -> bool:
    """Make a temporary file beside `path`, let `fill` write it (by its path: a writer
    of bytes copied from elsewhere, or SQLite), and rename it over `path`.

    The new file gets `mode`, else the mode (and, where allowed, the owner) of `like`,
    the file it replaces, else the usual mode of a new file (0666 less the umask).
    With `unchanged`, nothing is replaced when `path` no longer has that signature
    (then False). With `durable`, the file and the rename are flushed to disk. A
    `derived` file (the index: data sisterctl keeps for itself) is not one the user's
    command writes, so an interruption does not report it. Raises
    OSError (or what `fill` raises); the temporary file never stays."""
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
            with contextlib.suppress(PermissionError, AttributeError):
                os.chown(tmp, like.st_uid, like.st_gid)
        if unchanged is not None and _changed(path, unchanged, None):
            tmp.unlink(missing_ok=True)
            return False
        _rename(tmp, path, noted=not derived)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(path.parent)
    return True


def temp_prefix(path: Path) -> str:
    """How the names of the temporary files beside `path` begin."""
    return f".{path.name}{TEMP_MARK}"


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
            age = now - entry.stat(follow_symlinks=False).st_mtime
            if older_than is not None and age < older_than:
                continue
            Path(entry.path).unlink()


def _changed(path: Path, unchanged: Signature, read: bytes | None) -> bool:
    try:
        if signature(path) != unchanged:
            return True
        return read is not None and path.read_bytes() != read
    except FileNotFoundError:
        return True


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
        from sisterctl.errors import RefusedError

        raise RefusedError(
            f"{path}: a file is already there; sisterctl init never overwrites"
        ) from None
    except IsADirectoryError:
        raise RegistryError("is a directory; name a file for the new registry", path) from None
    except OSError as exc:
        raise RegistryError(f"cannot create the registry: {exc.strerror or exc}", path) from None
    fsync_dir(path.parent)


# ---------------------------------------------------------------------------
# Outputs: where a path leads, and writing there


class Kind(Enum):
    FILE = "file"  # replaced whole, atomically (`path` is the real file, links followed)
    STREAM = "stream"  # written into: a device, a FIFO (`path` is opened for writing)
    DESCRIPTOR = "descriptor"  # an open file descriptor of this process (`fd`)


class Destination(NamedTuple):
    kind: Kind
    path: Path
    fd: int = -1


STANDARD_STREAMS = {"-": 1, "/dev/stdout": 1, "/dev/stderr": 2}
_FD_FOLDERS = ("/dev/fd/", "/proc/self/fd/")


def destination(path: Path) -> Destination:
    """Where writing to `path` leads; a RefusedError (one line, exit 1) when sisterctl
    will not write there."""
    name = str(path)
    fd = _descriptor(name)
    if fd is not None:
        try:
            os.fstat(fd)
        except OSError:
            raise RefusedError(f"cannot write {name}: no such open file descriptor") from None
        return Destination(Kind.DESCRIPTOR, path, fd)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise _refusal(path, exc) from None
    if mode is None:
        # A new file; or a dangling link, whose target is made (as the shell's `>` does).
        real = Path(os.path.realpath(path)) if path.is_symlink() else path
        return Destination(Kind.FILE, real)
    if stat.S_ISREG(mode):
        return Destination(Kind.FILE, Path(os.path.realpath(path)) if path.is_symlink() else path)
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return Destination(Kind.STREAM, path)
    what = describe_mode(mode)
    raise RefusedError(f"cannot write {name}: it is {what}; name a file")


def describe_mode(mode: int) -> str:
    """What a file that is not a regular file is, in words: `a folder`, `a FIFO`..."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (a named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _descriptor(name: str) -> int | None:
    """The file descriptor a name stands for: `-` and /dev/stdout are 1, /dev/fd/3 is 3."""
    if name in STANDARD_STREAMS:
        return STANDARD_STREAMS[name]
    for folder in _FD_FOLDERS:
        number = name.removeprefix(folder)
        if number != name and number.isdigit():
            return int(number)
    return None


def _refusal(path: Path, exc: OSError) -> RefusedError:
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ELOOP:
        reason = "a loop of symbolic links"
    return RefusedError(f"cannot write {path}: {reason}")


def write_output(path: Path, data: bytes) -> Destination:
    """Write `data` where `path` leads (`destination`): a file is replaced whole or not
    at all, keeping its permissions; a stream is written into. Returns where it went."""
    where = destination(path)
    try:
        if where.kind is Kind.DESCRIPTOR:
            write_descriptor(where.fd, data)
        elif where.kind is Kind.STREAM:
            write_stream(where.path, data)
        else:
            replace_file(where.path, data)
    except BrokenPipeError:
        raise  # a reader that went away: the command ends quietly (cli/app.py)
    except OSError as exc:
        raise _refusal(path, exc) from None
    return where


def write_descriptor(fd: int, data: bytes) -> None:
    """Write all of `data` to an open file descriptor: standard output and error
    through Python's own streams (after what they hold, so that the order of what was
    printed is kept), another one directly."""
    stream = {1: sys.stdout, 2: sys.stderr}.get(fd)
    if stream is not None:
        stream.flush()
        try:
            fd = stream.fileno()
        except (AttributeError, ValueError, OSError):  # a stream in memory (a test)
            binary = getattr(stream, "buffer", None)
            if binary is not None:
                binary.write(data)
                binary.flush()
            else:
                stream.write(data.decode("utf-8"))
                stream.flush()
            return
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_stream(path: Path, data: bytes) -> None:
    """Write into a device or a FIFO, as the shell's `>` does (without replacing it)."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        write_descriptor(fd, data)
    finally:
        os.close(fd)


def replace_file(path: Path, data: bytes) -> None:
    """Replace (or create) the regular file `path` with `data`, atomically: a temporary
    file beside it, flushed to disk, renamed over it. The file keeps the old one's
    permissions, or gets the usual ones (0666 less the umask). On any failure (a full
    disk) the old file is left as it was."""
    tmp = _temporary(path, data, _mode_for(path))
    try:
        _rename(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def replace_by(path: Path, fill: Callable[[Path], None]) -> None:
    """Replace (or create) the regular file `path` with one that `fill` makes, as
    `replace_file` does with bytes: `fill` is given the path of an empty temporary file
    beside `path` (for a writer that opens the file itself, as SQLite does), which is
    then flushed to disk and renamed over `path`. If `fill` fails, `path` is left as it
    was and the temporary file (with any file `fill` made beside it, such as SQLite's
    journal) is removed."""
    import tempfile

    mode = _mode_for(path)
    fd, tmp_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}{TEMP_MARK}", suffix=".tmp"
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        fill(tmp)
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        tmp.chmod(mode)
        _rename(tmp, path)
    except BaseException:
        for leftover in (tmp, *(tmp.with_name(tmp.name + s) for s in ("-journal", "-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def _mode_for(path: Path) -> int:
    """The permissions of a file that replaces `path`: its own, or the usual ones (0666
    less the umask) for a new file. A file made read-only is refused: a rename would
    replace it; the shell's `>` would not, and nor does sisterctl (the write bits count
    even for root, as for the registry)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
    if not mode & 0o222 or not os.access(path, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    return mode


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (links followed); False when either cannot be
    reached."""
    try:
        return Path(a).samefile(b)
    except (OSError, ValueError):
        try:
            return os.path.realpath(a) == os.path.realpath(b)
        except (OSError, ValueError):
            return False


# ---------------------------------------------------------------------------
# The parts every atomic write shares


def _temporary(path: Path, data: bytes, mode: int) -> Path:
    """A temporary file beside `path` holding `data`, flushed to disk, with `mode`."""
    import tempfile

    fd, tmp_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}{TEMP_MARK}", suffix=".tmp"
    )
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _rename(tmp: Path, path: Path, *, noted: bool = True) -> None:
    """Rename `tmp` over `path`, and (when `noted`) note that `path` was written. An
    interruption that comes just after the rename still counts it: the temporary file
    is gone."""
    try:
        tmp.replace(path)
    except BaseException:
        if noted and not tmp.exists():
            _WRITTEN.append(path)
        raise
    if noted:
        _WRITTEN.append(path)


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


def open_regular_file(path: Path) -> io.FileIO:
    """`path` opened for reading (unbuffered) if it is a regular file; else an
    OSError (IsADirectoryError for a folder) or a RegistryError that says what it is.

    It is looked at before it is opened (opening a FIFO waits for a writer, opening
    some devices does something), opened without waiting, and looked at again once
    open (it may have been replaced in between). Everything that reads the registry
    file opens it here."""
    import os
    import stat

    def refuse_unless_regular(mode: int) -> None:
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        problem = not_a_regular_file(mode)
        if problem is not None:
            raise RegistryError(problem, path)

    refuse_unless_regular(path.stat().st_mode)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    handle = io.FileIO(fd, "rb")
    try:
        refuse_unless_regular(os.fstat(fd).st_mode)
    except BaseException:
        handle.close()
        raise
    return handle


def not_a_regular_file(mode: int) -> str | None:
    """Why a file of this mode cannot be a registry, or None for a regular file."""
    import stat

    if stat.S_ISREG(mode):
        return None
    return f"is {describe_mode(mode)}, not a registry file"


# ---------------------------------------------------------------------------
# A folder of files (`sisterctl site -o DIR`): no link inside it is followed


def _folder_part(part: str, path: str) -> str:
    if part in ("", ".", "..") or "\\" in part or "\0" in part:
        raise ValueError(f"not a relative path inside the folder: {path!r}")
    return part


class _Folder:
    """Open folders under a root, each opened without following a symbolic link
    (O_NOFOLLOW), so that a link planted inside the root leads nowhere."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._fds: dict[tuple[str, ...], int] = {}
        flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            self._fds[()] = os.open(root, flags)
        except OSError as exc:
            raise _refusal(root, exc) from None

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def fd(self, parts: tuple[str, ...], *, make: bool) -> int | None:
        """The folder `parts` under the root (made when `make`), or None when missing."""
        found = self._fds.get(parts)
        if found is not None:
            return found
        parent = self.fd(parts[:-1], make=make)
        if parent is None:
            return None
        name = parts[-1]
        flags = (
            os.O_RDONLY
            | getattr(os, "O_DIRECTORY", 0)
            | getattr(os, "O_NOFOLLOW", 0)
            | getattr(os, "O_CLOEXEC", 0)
        )
        shown = self.root.joinpath(*parts)
        try:
            fd = os.open(name, flags, dir_fd=parent)
        except FileNotFoundError:
            if not make:
                return None
            try:
                os.mkdir(name, dir_fd=parent)
                fd = os.open(name, flags, dir_fd=parent)
            except OSError as exc:
                raise _refusal(shown, exc) from None
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                raise RefusedError(
                    f"cannot write {shown}: it is {self.describe(parts)}, not a folder; "
                    "sisterctl follows no link inside the folder it writes"
                ) from None
            raise _refusal(shown, exc) from None
        self._fds[parts] = fd
        return fd

    def describe(self, parts: tuple[str, ...]) -> str:
        try:
            mode = os.stat(parts[-1], dir_fd=self._fds[parts[:-1]], follow_symlinks=False).st_mode
        except (OSError, KeyError):
            return "not a folder"
        return "a symbolic link" if stat.S_ISLNK(mode) else describe_mode(mode)

    def kind(self, path: str) -> int | None:
        """The mode of `path` under the root, links not followed; None when missing."""
        parts = tuple(_folder_part(p, path) for p in path.split("/"))
        folder = self.fd(parts[:-1], make=False)
        if folder is None:
            return None
        try:
            return os.stat(parts[-1], dir_fd=folder, follow_symlinks=False).st_mode
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _refusal(self.root / path, exc) from None

    def read(self, path: str, limit: int) -> bytes | None:
        """The bytes of the regular file `path` (at most `limit`); None when it is
        missing or is not a regular file."""
        mode = self.kind(path)
        if mode is None or not stat.S_ISREG(mode):
            return None
        parts = path.split("/")
        folder = self.fd(tuple(parts[:-1]), make=False)
        assert folder is not None
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(parts[-1], flags, dir_fd=folder)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as handle:
            return handle.read(limit)

    def write(self, path: str, data: bytes) -> None:
        """Replace (or create) the regular file `path` under the root, atomically."""
        import secrets

        parts = tuple(_folder_part(p, path) for p in path.split("/"))
        folder = self.fd(parts[:-1], make=True)
        assert folder is not None
        name = parts[-1]
        target = self.root / path
        mode = self.kind(path)
        if mode is not None and not stat.S_ISREG(mode):
            what = "a symbolic link" if stat.S_ISLNK(mode) else describe_mode(mode)
            raise RefusedError(
                f"cannot write {target}: it is {what}; sisterctl replaces files only"
            )
        tmp = f".{name}{TEMP_MARK}{secrets.token_hex(6)}{TEMP_SUFFIX}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(tmp, flags | getattr(os, "O_CLOEXEC", 0), 0o666, dir_fd=folder)
        except OSError as exc:
            raise _refusal(target, exc) from None
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.rename(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=folder)
            if isinstance(exc, OSError):
                raise _refusal(target, exc) from None
            raise
        _WRITTEN.append(target)

    def remove(self, path: str) -> bool:
        """Remove the regular file `path` under the root (never a link's target, never
        a folder); False when there is no such file."""
        parts = tuple(_folder_part(p, path) for p in path.split("/"))
        mode = self.kind(path)
        if mode is None or not stat.S_ISREG(mode):
            return False
        folder = self.fd(parts[:-1], make=False)
        assert folder is not None
        try:
            os.unlink(parts[-1], dir_fd=folder)
        except OSError as exc:
            raise _refusal(self.root / path, exc) from None
        return True

    def sync(self) -> None:
        for fd in self._fds.values():
            with contextlib.suppress(OSError):
                os.fsync(fd)


@contextlib.contextmanager
def folder(root: Path) -> Iterator[_Folder]:
    """The folder `root` (which must exist), to read and write files under it without
    following any symbolic link inside it (`root` itself may be one)."""
    opened = _Folder(root)
    try:
        yield opened
        opened.sync()
    finally:
        opened.close()
