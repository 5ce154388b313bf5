"""Writing a static website into a folder (`sisterctl site -o DIR`), without harm to
what else the folder holds.

- `DIR` is made when it is missing (with its parents). `DIR` itself may be a symbolic
  link to a folder (a web server's document root); no link *inside* it is followed:
  a link where a page or a subfolder goes is refused, before anything is written.
- A folder that is empty, or holds a site sisterctl wrote (its manifest,
  `.sisterctl-site`, lists the files it wrote), is written into. Files the earlier
  site had and the new one has not (the page of a tie no longer published) are
  removed; nothing else is. A file the new site would replace that the manifest does
  not list (an `index.html` of someone else's) is refused, unless `force`.
- A folder that holds other files and no manifest is refused unless `force`; with
  `force`, the site's files are written beside them, replacing files of the same
  names, and nothing else is touched.
- One build at a time: a build holds a lock on the folder (named after its device
  and inode, where the registry's write lock would be: the repository's git
  directory, else the user's cache folder), so two builds into one folder never
  remove each other's pages; a build that waits longer than the lock timeout is
  refused as busy (exit code 4).
- Each file is replaced atomically (a temporary file beside it, renamed over it).
  The manifest is written first listing both sites' files, and last listing the new
  site's alone, so that a build cut short leaves a folder the next build may finish.
"""

from __future__ import annotations

import contextlib
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sisterctl.errors import Hint, RefusedError
from sisterctl.interop.site import manifest, manifest_files
from sisterctl.output.site import MANIFEST
from sisterctl.store import atomic

_MANIFEST_LIMIT = 16 * 1024 * 1024


@dataclass(frozen=True)
class SiteWritten:
    written: int
    removed: int
    replaced_site: bool  # the folder held a site of sisterctl's before


def write_site(
    root: Path,
    files: Mapping[str, bytes],
    *,
    force: bool = False,
    keep: Path | None = None,
    lock_timeout: float = 10.0,
) -> SiteWritten:
    """Write `files` (relative path -> bytes, the manifest among them) into `root`.
    `keep` (the registry) is never replaced nor removed, whatever a manifest lists."""
    if keep is not None:
        for path in files:
            if atomic.same_file(root / path, keep):
                raise RefusedError(f"{root / path} is the registry itself; name another folder")
    _make_root(root)
    with _folder_lock(root, lock_timeout), atomic.folder(root) as folder:
        entries = _entries(root)
        data = folder.read(MANIFEST, _MANIFEST_LIMIT)
        old = manifest_files(data) if data is not None else None
        if entries and old is None and not force:
            raise RefusedError(
                (
                    f"{root} holds files and no site sisterctl wrote (no {MANIFEST} in "
                    "it): name a new or empty folder, or ",
                    Hint.FORCE,
                    " to write the site beside them (files of the same names are "
                    "replaced; no other file is touched)",
                )
            )
        known = set(old or ())
        for path in files:
            mode = folder.kind(path)  # refuses a link where a subfolder goes
            if mode is None:
                continue
            if not stat.S_ISREG(mode):
                what = "a symbolic link" if stat.S_ISLNK(mode) else atomic.describe_mode(mode)
                raise RefusedError(
                    f"cannot write {root / path}: it is {what}; sisterctl replaces files only "
                    "and follows no link inside the folder it writes"
                )
            if old is not None and path != MANIFEST and path not in known and not force:
                raise RefusedError(
                    (
                        f"{root / path} is not a file of the site sisterctl wrote in "
                        f"{root} (its {MANIFEST} does not list it): move it away, or ",
                        Hint.FORCE,
                        " to replace it",
                    )
                )
        new = [p for p in files if p != MANIFEST]
        stale = sorted(known - set(new) - {MANIFEST})
        # A manifest is a file in the folder, edited or not: it never removes the registry.
        stale = [p for p in stale if keep is None or not atomic.same_file(root / p, keep)]
        if old is not None:
            folder.write(MANIFEST, manifest(sorted(known | set(new))))
        for path in new:
            folder.write(path, files[path])
        removed = sum(1 for path in stale if folder.remove(path))
        folder.write(MANIFEST, files.get(MANIFEST) or manifest(sorted(new)))
    return SiteWritten(len(new), removed, old is not None)


@contextlib.contextmanager
def _folder_lock(root: Path, timeout: float) -> Iterator[None]:
    """Hold the lock of the folder `root` while a site is written into it."""
    from filelock import Timeout

    from sisterctl.errors import RegistryBusyError
    from sisterctl.store.appends import lock_path, take_file_lock

    try:
        lock = take_file_lock(lock_path(root).with_suffix(".site.lock"), timeout)
    except Timeout:
        raise RegistryBusyError(
            f"{root}: another sisterctl process is writing a site into this folder (it "
            f"has held the folder's lock for over {timeout:g} s); try again"
        ) from None
    except OSError as exc:
        raise RefusedError(f"cannot lock the folder {root}: {exc.strerror or exc}") from None
    # The lock file stays (in the git directory or the cache, never in the folder):
    # removing it while another build waits on it would let a third take a new one.
    try:
        yield
    finally:
        lock.release()


def _make_root(root: Path) -> None:
    try:
        mode = root.stat().st_mode
    except FileNotFoundError:
        try:
            root.mkdir(parents=True)
        except OSError as exc:
            raise RefusedError(f"cannot make the folder {root}: {exc.strerror or exc}") from None
        return
    except OSError as exc:
        raise RefusedError(f"cannot write into {root}: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(mode):
        raise RefusedError(
            f"cannot write the site into {root}: it is {atomic.describe_mode(mode)}, "
            "not a folder; name a folder"
            if not stat.S_ISREG(mode)
            else f"cannot write the site into {root}: it is a file; name a folder"
        )


def _entries(root: Path) -> list[str]:
    try:
        return sorted(entry.name for entry in root.iterdir())
    except OSError as exc:
        raise RefusedError(f"cannot read the folder {root}: {exc.strerror or exc}") from None
