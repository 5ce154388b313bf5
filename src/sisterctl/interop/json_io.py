"""sisterctl's own JSON: the whole registry in one documented, stable schema
(docs/json-format.md), written by `export json` and read by `import json`.

Export then import into an empty registry gives the same registry: every record,
every id, every date at its precision, and the keys sisterctl does not know (under
"extra"). Import into a registry that already holds records merges: a city already
there (same name, alias or local name, same country) is reused, a tie already there
is left as it is, and only the agreements, exchanges and status changes it does not
hold yet are added to it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sisterctl.core.geocode import Gazetteer
from sisterctl.core.identity import model_key
from sisterctl.dates import PartialDate
from sisterctl.errors import Hint, RefusedError
from sisterctl.ids import new_city_id
from sisterctl.interop.plan import (
    Outcome,
    Placer,
    Progress,
    Skip,
    SkipReason,
    dated_before_founding,
    geocoded,
    status_before_founding,
)
from sisterctl.model import Agreement, Exchange, Registry, StatusChange
from sisterctl.output.serialize import (
    agreement_dict,
    city_dict,
    exchange_dict,
    partnership_dict,
    status_change_dict,
)
from sisterctl.records.fields import FREE_TEXT_KEYS
from sisterctl.records.fields import TABLES as RECORD_TABLES
from sisterctl.text import closest_one, entered_text, text_problem

FORMAT = "sisterctl"
SCHEMA_VERSION = 1

# JSON array → registry table, in the order they are written and read.
TABLES = {
    "cities": "city",
    "partnerships": "partnership",
    "agreements": "agreement",
    "exchanges": "exchange",
    "status_changes": "status_change",
}
_TOP_KEYS = ("format", "schema_version", "settings", *TABLES)


# ---------------------------------------------------------------------------
# Export


def export(registry: Registry) -> dict[str, Any]:
    """The whole registry as JSON-ready data, records in registry order."""
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "settings": {"leap_day": registry.leap_day.value},
        "cities": [_stored(city_dict(city)) for city in registry.cities.values()],
        "partnerships": [_stored(partnership_dict(tie)) for tie in registry.partnerships],
        "agreements": [
            _stored(agreement_dict(a, registry.record_id(a))) for a in registry.agreements
        ],
        "exchanges": [_stored(exchange_dict(e, registry.record_id(e))) for e in registry.exchanges],
        "status_changes": [_stored(status_change_dict(c)) for c in registry.status_changes],
    }


def _stored(record: dict[str, Any]) -> dict[str, Any]:
    """A record as the registry stores it (`registry.clean_record`: an empty value is
    no value, as sisterctl writes none), with the TOML values JSON cannot hold (dates
    and times, inf, nan) as strings."""
    from sisterctl.records.toml import clean_record

    out = clean_record({k: v for k, v in record.items() if k != "extra"})
    extra = clean_record(record.get("extra", {}))
    if extra:
        out["extra"] = extra
    return {k: _json_value(v) for k, v in out.items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dt.date | dt.time):  # dt.datetime is a dt.date
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


# ---------------------------------------------------------------------------
# Import


@dataclass(frozen=True)
class Incoming:
    """A sisterctl JSON file, checked: its records as registry records, and as model."""

    tables: Mapping[str, list[dict[str, Any]]]  # registry table → records
    registry: Registry
    leap_day: str


def read(text: str, name: str) -> Incoming:
    """Read and check a sisterctl JSON export; a RefusedError names the first problem
    and where it is (`partnerships[3]: ...`)."""
    from sisterctl.records.build import build

    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise RefusedError(
            f"{name}: line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg})"
        ) from None
    except RecursionError:
        raise RefusedError(f"{name}: not valid JSON: values are nested too deeply") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RefusedError(
            (
                f'{name}: not a sisterctl export (no "format": "{FORMAT}"); write one with ',
                Hint.EXPORT_JSON,
            )
        )
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise RefusedError(
            f"{name}: schema_version {version!r} is not one this sisterctl reads "
            f"(it reads {SCHEMA_VERSION}); upgrade sisterctl"
        )
    _no_unknown_keys(data, _TOP_KEYS, name, "the top level")
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise RefusedError(f'{name}: "settings" must be an object')
    _no_unknown_keys(settings, ("leap_day",), name, "settings")
    tables: dict[str, list[dict[str, Any]]] = {}
    for array, table in TABLES.items():
        records = data.get(array, [])
        if not isinstance(records, list):
            raise RefusedError(f'{name}: "{array}" must be an array')
        tables[table] = [
            _registry_record(record, table, f"{name}: {array}[{i}]")
            for i, record in enumerate(records)
        ]
    leap_day = settings.get("leap_day", "feb28")
    result = build({"schema_version": 1, "settings": {"leap_day": leap_day}, **tables})
    if result.errors:
        problem = result.errors[0]
        where = ""
        message = problem.message
        if problem.record is not None:
            array = next(a for a, t in TABLES.items() if t == problem.record.table)
            where = f"{array}[{problem.record.index}]: "
            message = message.removeprefix(problem.record.describe() + ": ")
        message = message.replace("settings.leap_day", '"settings": "leap_day"')
        raise RefusedError(f"{name}: {where}{message}")
    return Incoming(tables, result.registry, str(leap_day))


def _no_constant(name: str) -> Any:
    """NaN, Infinity and -Infinity, which Python's json reads but JSON has not."""
    raise json.JSONDecodeError(f"{name} is not a JSON value", name, 0)


def _no_unknown_keys(obj: Mapping[str, Any], known: tuple[str, ...], name: str, where: str) -> None:
    for key in obj:
        if key not in known:
            close = closest_one(key, known, cutoff=0.7)
            hint = f" (did you mean {close!r}?)" if close else ""
            raise RefusedError(f"{name}: {where}: unknown key {key!r}{hint}")


def _registry_record(record: Any, table: str, where: str) -> dict[str, Any]:
    """A JSON record as the registry record it stands for: derived keys dropped, the
    keys under "extra" beside the others."""
    if not isinstance(record, dict):
        raise RefusedError(f"{where}: must be an object")
    stored, derived = RECORD_TABLES[table].keys, RECORD_TABLES[table].derived_keys
    _no_unknown_keys(record, (*sorted(stored), *derived, "extra"), where, "a record")
    out = {k: v for k, v in record.items() if k in stored}
    extra = record.get("extra", {})
    if not isinstance(extra, dict):
        raise RefusedError(f'{where}: "extra" must be an object')
    for key, value in extra.items():
        if key in stored or key in derived or key == "extra":
            raise RefusedError(f'{where}: "extra" holds {key!r}, a key of the record itself')
        out[key] = value
    for key, value in out.items():
        free = key in FREE_TEXT_KEYS or key not in stored
        out[key] = _check_storable(value, f"{where}: {key!r}", multiline=free)
    # Defaults the export spells out are left out of the registry, as people write it.
    for key, default in _DEFAULTS.get(table, ()):
        if out.get(key) == default:
            del out[key]
    return out


_DEFAULTS = {
    "city": (("type", "city"),),
    "agreement": (("status", "signed"),),
}


MAX_DEPTH = 32  # levels of arrays and objects in a value (the registry's need a few)


def _check_storable(value: Any, where: str, *, multiline: bool, depth: int = 0) -> Any:
    """A value as the registry may store it, or a RefusedError: TOML has no null, JSON
    smuggles in what text may not hold (add's rule: `text.text_problem`), and the
    registry's TOML reader refuses values nested too deeply. Free text (notes, details,
    and keys sisterctl does not know) may hold line breaks, read as add reads them."""
    if value is None:
        raise RefusedError(f"{where}: null cannot be stored; leave the key out instead")
    if depth > MAX_DEPTH:
        raise RefusedError(f"{where}: values are nested too deeply (over {MAX_DEPTH} levels)")
    if isinstance(value, str):
        problem = text_problem(value, multiline=multiline)
        if problem is not None:
            raise RefusedError(f"{where}: the text {problem}")
        return entered_text(value, multiline=multiline)
    if isinstance(value, float) and not math.isfinite(value):
        raise RefusedError(f"{where}: {value} is not a number the registry can hold")
    if isinstance(value, dict):
        return {
            k: _check_storable(v, where, multiline=multiline, depth=depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_check_storable(v, where, multiline=multiline, depth=depth + 1) for v in value]
    return value


def place(
    registry: Registry,
    incoming: Incoming,
    *,
    progress: Progress | None = None,
    gazetteer: Gazetteer | None = None,
) -> Outcome:
    """The records that merge `incoming` into `registry`; new cities without
    coordinates get them from `gazetteer` (as in every import)."""
    placer = Placer(registry, gazetteer)
    outcome = Outcome(rows=sum(len(records) for records in incoming.tables.values()), unit="record")
    if incoming.leap_day != registry.leap_day.value:
        outcome.notes.append(
            f"the file celebrates 29 February ties on {incoming.leap_day} and this "
            f"registry on {registry.leap_day.value}; the registry's setting is kept"
        )
    cities: dict[str, str] = {}  # incoming id → id in the registry
    for record, city in zip(
        incoming.tables["city"], incoming.registry.cities.values(), strict=True
    ):
        found = placer.find_city(city.names, city.country, new=False)
        if found is not None:
            cities[city.id] = found
            continue
        cid = city.id
        if cid in placer.city_ids:
            cid = new_city_id(city.name, city.country, placer.city_ids)
        cities[city.id] = placer.add_city({**record, "id": cid}, city.aliases)
    ties: dict[str, str] = {}  # incoming tie id → id in the registry
    present: set[str] = set()  # ties the registry held already
    founded: dict[str, PartialDate | None] = {}  # tie id in the registry → when it began
    records = incoming.tables["partnership"]
    for index, (record, tie) in enumerate(zip(records, incoming.registry, strict=True)):
        if progress is not None:
            progress(1)
        too_early = status_before_founding(tie.status_date, tie.established)
        if too_early is not None:
            label = f"partnerships[{index}]"
            outcome.skipped.append(Skip(index, SkipReason.BAD_VALUE, too_early, label))
            continue
        a, b = (cities[c.id] for c in tie.cities)
        if a == b:
            detail = f"{tie.cities[0].name} and {tie.cities[1].name} are one city here"
            outcome.skipped.append(
                Skip(index, SkipReason.SAME_CITY, detail, f"partnerships[{index}]")
            )
            continue
        found, in_registry = placer.existing_tie(a, b)
        if found is not None:
            ties[tie.id] = found
            if in_registry:
                outcome.present += 1
                present.add(found)
                founded[found] = registry.by_id[found].established
            else:
                outcome.repeated += 1
            continue
        tid = placer.tie_id(a, b, tie.id)
        ties[tie.id] = placer.add_tie({**record, "id": tid, "cities": [a, b]})
        founded[tid] = tie.established
    _place_records(placer, outcome, incoming, ties, present, founded)
    outcome.records = placer.records
    geocoded(placer, outcome)
    return outcome


def _place_records(
    placer: Placer,
    outcome: Outcome,
    incoming: Incoming,
    ties: Mapping[str, str],
    present: set[str],
    founded: Mapping[str, PartialDate | None],
) -> None:
    """Agreements, exchanges and status changes, on the ties they belong to; on a tie
    the registry held already, only those it does not hold yet."""
    registry = placer.registry
    # What the registry holds already, by the rule `add` and `check` apply
    # (core/identity.py); records the file gives twice are kept twice, as it has them.
    held = {model_key(record) for record in registry.agreements}
    held.update(model_key(record) for record in registry.exchanges)
    held.update(model_key(record) for record in registry.status_changes)
    kinds: list[tuple[str, str, tuple[Agreement | Exchange | StatusChange, ...]]] = [
        ("agreement", "agreements", incoming.registry.agreements),
        ("exchange", "exchanges", incoming.registry.exchanges),
        ("status_change", "status_changes", incoming.registry.status_changes),
    ]
    for table, array, models in kinds:
        for index, (record, model) in enumerate(zip(incoming.tables[table], models, strict=True)):
            target = ties.get(model.partnership)
            if target is None:
                outcome.skipped.append(
                    Skip(index, SkipReason.NO_TIE, model.partnership, f"{array}[{index}]")
                )
                continue
            established = founded.get(target)
            if isinstance(model, StatusChange):
                too_early = status_before_founding(model.date, established)
            else:
                marked = model.before_founding
                too_early = dated_before_founding(model.date, established, marked=marked)
            if too_early is not None:
                label = f"{array}[{index}]"
                outcome.skipped.append(Skip(index, SkipReason.BAD_VALUE, too_early, label))
                continue
            if target in present and model_key(replace(model, partnership=target)) in held:
                outcome.present_records += 1
                continue
            placer.add(table, {**record, "partnership": target})
