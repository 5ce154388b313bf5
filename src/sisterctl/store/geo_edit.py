"""Adding keys to existing `[[city]]` records in place: the coordinates `geocode` fills.

An append cannot give a city that is already written a `lat`: the key must go inside
its table. This inserts new key lines (`lat = 25.05306`) right after the city's last
key line, before the blank lines and comments that lead to the next table, and leaves
every other byte as it was. It is locked, verified and atomic as appends are
(`sisterctl.store.appends`): the new text is parsed again and must hold exactly the
old data plus those keys, and it replaces the old file in one rename.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from sisterctl.errors import RegistryError
from sisterctl.model import Registry
from sisterctl.records.build import build
from sisterctl.records.locator import record_lines
from sisterctl.records.toml import decode, parse_toml
from sisterctl.store.appends import (
    ATTEMPTS,
    LOCK_TIMEOUT,
    _acquire_lock,
    _check_writable,
)
from sisterctl.store.atomic import (
    Signature,
    remove_stale,
    replace_unless_changed,
    signature,
    temp_prefix,
)
from sisterctl.store.read import parse_and_build, read_bytes

#: city id → the keys to add to it, in order.
CityKeys = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Edited:
    """What an edit wrote (or, in a dry run, would write)."""

    path: Path
    changes: dict[str, dict[str, Any]]
    written: bool


def add_city_keys(
    path: Path,
    plan: Callable[[Registry], CityKeys],
    *,
    dry_run: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
) -> Edited:
    """Add the keys that `plan` returns for the registry as it is now to its cities.

    `plan` runs with the write lock held, on the registry read under it, and may run
    more than once (when the file changes on disk meanwhile): it must have no side
    effects. A key the city already has is refused: this adds, it never changes."""
    target = path.resolve() if path.is_symlink() else path
    if dry_run:
        done = _edit_once(target, plan, dry_run=True)
        assert done is not None
        return done
    _check_writable(target)
    lock = _acquire_lock(target, path, lock_timeout)
    try:
        remove_stale(target.parent, temp_prefix(target))
        for _ in range(ATTEMPTS):
            done = _edit_once(target, plan, dry_run=False)
            if done is not None:
                return done
    finally:
        lock.release()
    raise RegistryError(
        "the file kept changing on disk while sisterctl edited it (is an editor saving "
        "it?); nothing was written; try again",
        path,
    )


def _edit_once(path: Path, plan: Callable[[Registry], CityKeys], *, dry_run: bool) -> Edited | None:
    try:
        before = signature(path)
    except OSError:
        before = Signature(0, 0, 0, 0, 0)
    raw = read_bytes(path)
    text = decode(raw, path)
    result, old = parse_and_build(raw, path)
    if result.errors:
        first = result.errors[0]
        raise RegistryError(
            f"{first.message} (fix the registry before editing it)", path, first.line, first.column
        )
    changes = {cid: dict(keys) for cid, keys in plan(result.registry).items() if keys}
    if not changes:
        return Edited(path, {}, written=False)
    new_text = insert_keys(text, old, changes, path)
    new = _verify(path, old, changes, new_text)
    after = build(new, text=new_text)
    if after.errors:
        raise RegistryError(f"{after.errors[0].message}; nothing was written", path)
    if dry_run:
        return Edited(path, changes, written=False)
    # decode() drops a byte-order mark: the file keeps its own.
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    new_raw = bom + new_text.encode("utf-8")
    if not replace_unless_changed(path, new_raw, unchanged=before, read=raw):
        return None
    from sisterctl.store import index as store_index

    store_index.write(
        path,
        source=store_index.hasher(new_raw).hexdigest(),
        size=len(new_raw),
        text=new_text,
        data=new,
        registry=after.registry,
    )
    return Edited(path, changes, written=True)


def insert_keys(text: str, data: Mapping[str, Any], changes: CityKeys, path: Path) -> str:
    """The text with each city's new keys inserted after its last key line."""
    from sisterctl.records.toml import key_lines

    cities = data.get("city")
    headers = record_lines(text).get("city", [])
    if not isinstance(cities, list) or len(headers) != len(cities):
        _unusual(path)
    index = {rec.get("id"): i for i, rec in enumerate(cities) if isinstance(rec, dict)}
    crlf = "\r\n" in text and text.count("\r\n") == text.count("\n")
    cr = "\r" if crlf else ""  # lines are split at "\n": a CRLF file's lines end in "\r"
    lines = text.split("\n")
    inserts: dict[int, list[str]] = {}  # line index → the lines to put after it
    for cid, keys in changes.items():
        if cid not in index:
            raise RegistryError(f"the registry holds no city {cid!r}; nothing was written", path)
        record = cities[index[cid]]
        taken = [key for key in keys if key in record]
        if taken:
            raise RegistryError(
                f"the city {cid!r} already has {', '.join(taken)}; nothing was written", path
            )
        after = _last_key_line(lines, headers[index[cid]] - 1)
        inserts[after] = [line + cr for line in key_lines(keys)]
    out: list[str] = []
    last = len(lines) - 1
    for number, line in enumerate(lines):
        added = inserts.get(number)
        if added and number == last:
            # The table ends a file that has no final line break: the old last line
            # gets one, the new last line none.
            out.extend([line + cr, *added[:-1], added[-1].removesuffix("\r")])
        else:
            out.append(line)
            out.extend(added or ())
    return "\n".join(out)


def _last_key_line(lines: list[str], header: int) -> int:
    """The index of the last line of the table whose header is at `header`: before
    the next table header, past blank lines and comments that lead to it."""
    end = len(lines)
    for number in range(header + 1, len(lines)):
        if lines[number].lstrip(" \t").startswith("["):
            end = number
            break
    last = header
    for number in range(header + 1, end):
        body = lines[number].strip(" \t\r")
        if body and not body.startswith("#"):
            last = number
    return last


def _verify(path: Path, old: Mapping[str, Any], changes: CityKeys, new_text: str) -> dict[str, Any]:
    try:
        new = parse_toml(new_text, path)
    except RegistryError as exc:
        raise RegistryError(
            f"the edit would not read back ({exc.detail}); nothing was written", path
        ) from None
    expected = dict(old)
    expected["city"] = [
        {**rec, **changes.get(str(rec.get("id")), {})} if isinstance(rec, dict) else rec
        for rec in old.get("city", [])
    ]
    if new != expected:
        _unusual(path)
    return new


def _unusual(path: Path) -> NoReturn:
    raise RegistryError(
        "the new keys would not read back as intended (are [[city]] tables written "
        "unusually, or does a text hold a line that looks like a table?); nothing was "
        "written; add them by hand",
        path,
    )
