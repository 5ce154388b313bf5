"""Locked, atomic, verified edits of values in place: `sisterctl edit` and `sign`
(one record), and `geocode` (the coordinates it adds to cities).

Only the bytes of the values that change are rewritten (`records.spans`); every other
byte of the file stays, comments, blank lines, key order, quoting, line endings and
byte-order mark included. The same lock as appends (`store.appends`), the same atomic
writer, and the same kind of verification: the new text is parsed again and must
hold the old data with exactly those values changed, load without error, and give
`check` no error it did not give before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sisterctl.core.check import check_parsed
from sisterctl.core.edits import RecordEdit
from sisterctl.errors import Hint, Part, RefusedError, RegistryError
from sisterctl.model import Registry
from sisterctl.problems import LoadResult, Problem, Severity
from sisterctl.records.build import build
from sisterctl.records.spans import (
    Change,
    LayoutError,
    RecordSpan,
    find_record,
    record_spans,
    rewrite_records,
)
from sisterctl.records.toml import decode, parse_toml, toml_value
from sisterctl.store.appends import LOCK_TIMEOUT, locked_write
from sisterctl.store.atomic import Signature, replace_unless_changed, signature
from sisterctl.store.read import parse_and_build, read_bytes

_BOM = "\ufeff".encode()

#: What an edit plans: given the registry and the file's parsed data, the new values.
Plan = Callable[[Registry, Mapping[str, Any]], RecordEdit]
#: The same for several records at once.
PlanMany = Callable[[Registry, Mapping[str, Any]], Sequence[RecordEdit]]
#: city id → the keys to add to it, in order.
CityKeys = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Edited:
    """What an edit wrote (or, in a dry run, would write)."""

    path: Path
    edits: tuple[RecordEdit, ...]
    old_text: str
    new_text: str
    registry: Registry  # as it reads after the edit
    warnings: tuple[Problem, ...]  # check warnings the edit brings
    written: bool

    @property
    def edit(self) -> RecordEdit:
        """The change of a one-record edit (`edit`)."""
        return self.edits[0]

    @property
    def changed(self) -> bool:
        return any(change.values for change in self.edits)


def edit(
    path: Path,
    plan: Plan,
    *,
    as_of: dt.date,
    dry_run: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
) -> Edited:
    """Change the values of one record that `plan` returns for the registry as it is
    now (read under the write lock; it may run more than once, when the file changes
    on disk meanwhile). `as_of` is the day `check` judges the result against."""
    return edit_records(
        path,
        lambda registry, data: (plan(registry, data),),
        as_of=as_of,
        dry_run=dry_run,
        lock_timeout=lock_timeout,
    )


def add_city_keys(
    path: Path,
    plan: Callable[[Registry], CityKeys],
    *,
    as_of: dt.date,
    dry_run: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
) -> Edited:
    """Add the keys that `plan` returns for the registry as it is now to its cities
    (`geocode`), each city's new keys after its last key line. As `edit`, `plan` runs
    under the lock and may run more than once. A key the city already has is refused:
    this adds, it never changes."""

    def edits(registry: Registry, data: Mapping[str, Any]) -> list[RecordEdit]:
        return _city_key_edits(path, data, plan(registry))

    return edit_records(path, edits, as_of=as_of, dry_run=dry_run, lock_timeout=lock_timeout)


def _city_key_edits(path: Path, data: Mapping[str, Any], changes: CityKeys) -> list[RecordEdit]:
    cities = data.get("city")
    records = cities if isinstance(cities, list) else []
    where = {rec.get("id"): i for i, rec in enumerate(records) if isinstance(rec, dict)}
    edits: list[RecordEdit] = []
    for cid, keys in changes.items():
        if not keys:
            continue
        if cid not in where:
            raise RegistryError(f"the registry holds no city {cid!r}; nothing was written", path)
        record = records[where[cid]]
        taken = [key for key in keys if key in record]
        if taken:
            raise RegistryError(
                f"the city {cid!r} already has {', '.join(taken)}; nothing was written", path
            )
        # The new keys go after the city's keys as written (after the last of them).
        order = (*record, *keys)
        edits.append(RecordEdit("city", where[cid], f"the city {cid!r}", dict(keys), order))
    return edits


def edit_records(
    path: Path,
    plan: PlanMany,
    *,
    as_of: dt.date,
    dry_run: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
) -> Edited:
    """Change the values of the records that `plan` returns, in one write: as `edit`
    does for one."""

    def once(target: Path, dry: bool) -> Edited | None:
        return _edit_once(target, plan, as_of, dry_run=dry)

    return locked_write(path, once, dry_run=dry_run, lock_timeout=lock_timeout, doing="edited")


def _edit_once(path: Path, plan: PlanMany, as_of: dt.date, *, dry_run: bool) -> Edited | None:
    try:
        before = signature(path)
    except OSError:
        before = Signature(0, 0, 0, 0, 0)
    raw = read_bytes(path)
    text = decode(raw, path)
    old = _read(path, raw, text)
    data = old.data
    planned = tuple(plan(old.registry, data))
    changes = [change for change in planned if change.values]
    if not changes:
        return Edited(path, planned, text, text, old.registry, (), written=False)
    new_text = _rewritten(path, text, data, changes)
    after, new_data, warnings = _verify(path, old, new_text, changes, as_of)
    if dry_run:
        return Edited(path, planned, text, new_text, after, warnings, written=False)
    bom = _BOM if raw.startswith(_BOM) else b""
    new_raw = bom + new_text.encode("utf-8")
    if not replace_unless_changed(path, new_raw, unchanged=before, read=raw):
        return None
    _remember(path, new_raw, new_text, after, new_data)
    return Edited(path, planned, text, new_text, after, warnings, written=True)


@dataclass
class _Read:
    """A registry's text as read and parsed, and its registry (from the cache when it
    holds these bytes); built again only when `check` must be run on it."""

    text: str
    data: Mapping[str, Any]
    registry: Registry
    result: LoadResult | None = None

    def built(self) -> LoadResult:
        if self.result is None:
            self.result = build(self.data, text=self.text)
        return self.result


def _read(path: Path, raw: bytes, text: str) -> _Read:
    # An edit needs the whole parsed text (to find the values it rewrites), so it
    # parses the file whatever the index holds.
    result, data = parse_and_build(raw, path)
    if result.errors:
        first = result.errors[0]
        raise RegistryError(
            f"{first.message} (fix the registry before editing it)",
            path,
            first.line,
            first.column,
        )
    return _Read(text, data, result.registry, result)


def _refuse(path: Path, why: str | Sequence[Part]) -> RefusedError:
    parts = (why,) if isinstance(why, str) else tuple(why)
    return RefusedError((f"{path}: ", *parts, "; nothing was written"))


def _rewritten(
    path: Path, text: str, data: Mapping[str, Any], changes: Sequence[RecordEdit]
) -> str:
    """The text with the records' values changed: only their bytes rewritten."""
    try:
        if len(changes) == 1:
            one = changes[0]
            found = find_record(text, one.table, one.index)
            spans = {(one.table, one.index): found} if found is not None else {}
        else:
            spans = dict(record_spans(text))
    except LayoutError as exc:
        raise _refuse(path, f"cannot find where the values are written ({exc})") from None
    edits: list[tuple[RecordSpan, list[Change], tuple[str, ...]]] = []
    for change in changes:
        record = spans.get((change.table, change.index))
        if record is None:
            raise _refuse(
                path,
                f"{change.name} is not written as a [[{change.table}]] table of its own, "
                "which is what sisterctl edits in place",
            )
        _placed_exactly(path, text, record, data[change.table][change.index], change)
        values = [
            Change(key, toml_value(value) if value is not None else None)
            for key, value in change.values.items()
        ]
        edits.append((record, values, change.order))
    try:
        return rewrite_records(text, edits)
    except LayoutError as exc:
        name = changes[0].name if len(changes) == 1 else "the records"
        raise _refuse(path, f"cannot edit {name} in place ({exc})") from None


def _placed_exactly(
    path: Path, text: str, record: RecordSpan, old: Mapping[str, Any], change: RecordEdit
) -> None:
    """Each value that changes must be written exactly where the scanner found it."""
    import tomli

    for key in change.values:
        span = record.keys.get(key)
        if span is None:
            continue
        written = text[span.value_start : span.value_end]
        try:
            same = tomli.loads(f"v = {written}")["v"] == old.get(key)
        except tomli.TOMLDecodeError:
            same = False
        if not same:  # the scanner placed the value wrongly: never write on a guess
            raise _refuse(path, f"cannot place the value of '{key}' in {change.name} exactly")


def _verify(
    path: Path, old: _Read, new_text: str, changes: Sequence[RecordEdit], as_of: dt.date
) -> tuple[Registry, dict[str, Any], tuple[Problem, ...]]:
    """The new text parsed again: exactly the old data with those values changed, a
    registry that loads, and no error from `check` that it did not have before; and
    the warnings of the edited records that they did not have."""
    try:
        new_data = parse_toml(new_text, path)
    except RegistryError as exc:
        raise _refuse(path, f"the edit would not read back ({exc.detail})") from None
    # The old data with those values changed (copied only where they change).
    expected = dict(old.data)
    for change in changes:
        if expected[change.table] is old.data[change.table]:
            expected[change.table] = list(expected[change.table])
        record = dict(expected[change.table][change.index])
        for key, value in change.values.items():
            if value is None:
                record.pop(key, None)
            else:
                record[key] = value
        expected[change.table][change.index] = record
    if new_data != expected:
        raise _refuse(path, "the edit would not read back as meant")
    loaded = build(new_data, text=new_text)
    if loaded.errors:
        raise _refuse(path, f"the edit would make the registry wrong: {loaded.errors[0].message}")
    after = check_parsed(new_text, new_data, loaded, str(path), as_of).problems
    edited = {(change.table, change.index) for change in changes}
    mine = [
        p
        for p in after
        if p.severity is Severity.WARNING
        and p.record is not None
        and (p.record.table, p.record.index) in edited
    ]
    if not mine and not any(p.severity is Severity.ERROR for p in after):
        return loaded.registry, new_data, ()  # (most edits: no need to check the old text)
    before = check_parsed(old.text, old.data, old.built(), str(path), as_of).problems
    errors = _new(before, after, Severity.ERROR)
    if errors:
        raise _refuse(
            path, ("the edit would make ", Hint.CHECK, " report: ", *errors[0].message_parts())
        )
    return loaded.registry, new_data, tuple(_new(before, tuple(mine), Severity.WARNING))


def _new(
    before: tuple[Problem, ...], after: tuple[Problem, ...], severity: Severity
) -> list[Problem]:
    """The problems of `after` that `before` did not have (by code and record: lines
    move when an edit adds or removes one)."""
    from collections import Counter

    def key(problem: Problem) -> tuple[Any, ...]:
        ref = problem.record
        return (problem.code, ref.table if ref else None, ref.index if ref else None)

    seen = Counter(key(p) for p in before if p.severity is severity)
    found: list[Problem] = []
    for problem in after:
        if problem.severity is not severity:
            continue
        if seen[key(problem)]:
            seen[key(problem)] -= 1
        else:
            found.append(problem)
    return found


def _remember(
    path: Path, new_raw: bytes, new_text: str, registry: Registry, parsed: dict[str, Any]
) -> None:
    """The index of the file just written, so that the next command need not read it
    again."""
    from sisterctl.store import index as store_index
    from sisterctl.store import index_records

    index_records.write(
        path,
        source=store_index.hasher(new_raw).hexdigest(),
        size=len(new_raw),
        text=new_text,
        data=parsed,
        registry=registry,
    )
