"""The git repository a registry is kept in: setting up `sisterctl merge` as its merge
driver, and merging by line when a merge by record cannot be done.

Everything here runs the `git` program, as the person would; nothing reads git's
own files.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sisterctl.errors import RefusedError

DRIVER = "sisterctl"  # the merge driver's name: `merge=sisterctl` in .gitattributes
DRIVER_NAME = "sisterctl: merge registries record by record"


def _git(args: list[str], cwd: Path, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8"
        )
    except FileNotFoundError:
        raise RefusedError("git is not installed (or not on PATH)") from None
    if check and done.returncode != 0:
        detail = done.stderr.strip().splitlines()
        raise RefusedError(f"git {args[0]} failed: {detail[-1] if detail else done.returncode}")
    return done


def repository_root(folder: Path) -> Path:
    """The top folder of the working tree that holds `folder`."""
    done = _git(["rev-parse", "--show-toplevel"], folder, check=False)
    if done.returncode != 0:
        raise RefusedError(
            f"{folder} is not in a git repository (run 'git init' first, or run this "
            "in the registry's repository)"
        )
    return Path(done.stdout.strip())


@dataclass(frozen=True)
class Setup:
    """What `sisterctl git setup` did (or found already done), in words."""

    root: Path
    done: tuple[str, ...]
    already: tuple[str, ...]


def setup(root: Path, pattern: str, driver: str) -> Setup:
    """Make `sisterctl merge` the merge driver of the files `pattern` matches in the
    repository at `root`: a `PATTERN merge=sisterctl` line in its .gitattributes and
    the driver in its configuration (`merge.sisterctl.driver` and `.name`). Each is
    done only when it is not so already."""
    done: list[str] = []
    already: list[str] = []
    current = _merge_attribute(root, pattern)
    attributes = root / ".gitattributes"
    if current == DRIVER:
        already.append(f"Already done: .gitattributes gives {pattern} merge={DRIVER}")
    else:
        line = f"{pattern} merge={DRIVER}\n"
        try:
            old = attributes.read_text(encoding="utf-8") if attributes.exists() else ""
        except (OSError, UnicodeDecodeError) as exc:
            raise RefusedError(f"cannot read {attributes}: {exc}") from None
        separator = "" if old == "" or old.endswith("\n") else "\n"
        _write(attributes, old + separator + line)
        was = f" (it had merge={current})" if current not in ("unspecified", "") else ""
        done.append(f"Added '{line.strip()}' to {attributes}{was}")
    for key, value in (("driver", driver), ("name", DRIVER_NAME)):
        name = f"merge.{DRIVER}.{key}"
        found = _git(["config", "--local", "--get", name], root, check=False)
        if found.returncode == 0 and found.stdout.rstrip("\n") == value:
            already.append(f"Already done: git config {name} is set")
            continue
        _git(["config", "--local", name, value], root)
        done.append(f"Set git config {name} to {value!r}")
    return Setup(root, tuple(done), tuple(already))


def _merge_attribute(root: Path, pattern: str) -> str:
    """The merge attribute git gives a file named as `pattern` (a glob stands for
    itself: git matches the name against the patterns)."""
    probe = pattern.lstrip("/") or pattern
    done = _git(["check-attr", "merge", "--", probe], root, check=False)
    if done.returncode != 0:
        return ""
    return done.stdout.rstrip("\n").rsplit(": ", 1)[-1]


def _write(path: Path, text: str) -> None:
    """Replace (or create) a small text file whole, or not at all."""
    from sisterctl.store.atomic import replace_file

    try:
        replace_file(path, text.encode("utf-8"))
    except OSError as exc:
        raise RefusedError(f"cannot write {path}: {exc.strerror or exc}") from None


def merge_by_line(base: Path, ours: Path, theirs: Path) -> tuple[bytes, bool] | None:
    """git's own merge by line of the three files: the merged bytes and whether it is
    clean; None when git cannot be run."""
    try:
        done = subprocess.run(
            [
                "git",
                "merge-file",
                "-p",
                "-L",
                "ours",
                "-L",
                "base",
                "-L",
                "theirs",
                os.fspath(ours),
                os.fspath(base),
                os.fspath(theirs),
            ],
            capture_output=True,
        )
    except OSError:
        return None
    if done.returncode < 0 or done.returncode > 127:
        return None
    return done.stdout, done.returncode == 0
