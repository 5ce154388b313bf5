"""Writing a file so that a reader or a crash sees the old file or the new one,
never half of one."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from sisterctl.errors import RegistryError

if TYPE_CHECKING:
    pass

TEMP_MARK = ".sisterctl-"  # in the name of a temporary file: .partnerships.toml.sisterctl-*.tmp


def signature(path: Path) -> tuple[int, int, int]:
    """What changes when a file is written or replaced."""
    st = path.stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def replace_unless_changed(path: Path, data: bytes, *, unchanged: tuple[int, int, int]) -> bool:
    """Write `data` to a temporary file beside `path`, flush it to disk and rename it
    over `path`, unless `path` changed since it was read (then False)."""
    import stat
    import tempfile

    old_stat = path.stat()
    fd, tmp_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}{TEMP_MARK}", suffix=".tmp"
    )
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(stat.S_IMODE(old_stat.st_mode))
        # Keep the owner where we may (root writing a user's file); the mode is kept
        # all the same. There is no os.chown on Windows.
        with contextlib.suppress(PermissionError, AttributeError):
            os.chown(tmp, old_stat.st_uid, old_stat.st_gid)
        if signature(path) != unchanged:
            # Someone (an editor, not sisterctl: we hold the lock) saved the file
            # since we read it; writing now would lose their change.
            tmp.unlink(missing_ok=True)
            return False
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise RegistryError(f"cannot write the registry: {exc.strerror or exc}", path) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return True


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
        from sisterctl.errors import RefusedError

        raise RefusedError(
            f"{path}: a file is already there; sisterctl init never overwrites"
        ) from None
    except IsADirectoryError:
        raise RegistryError("is a directory; name a file for the new registry", path) from None
    except OSError as exc:
        raise RegistryError(f"cannot create the registry: {exc.strerror or exc}", path) from None
    fsync_dir(path.parent)
