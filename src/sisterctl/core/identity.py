"""When two records are the same record: the one rule that `add`, every `import`,
`check` and `merge` apply.

A city and a tie are known by their `id`. An agreement, an exchange or a change of
status has no id; it is known by what it is about:

- a `[[city]]` or a `[[partnership]]`: the same `id`;
- an `[[agreement]]`: the same `partnership`, `date` and `title`; and a tie has one
  founding agreement, so every `kind = "founding"` agreement of a tie is the same;
- an `[[exchange]]`: the same `partnership`, `date`, `kind` and `title`;
- a `[[status_change]]`: the same `partnership`, `date` and `status`.

Titles and kinds are compared ignoring case and accents (`Sister city agreement` is
`Sister City Agreement`), dates at their precision (`2021` is not `2021-03-26`).
Two ties between the same two cities under different ids are a different matter,
which `check` reports as `duplicate-tie` (the cities, not the ids, make a tie).

Pure: records come in as parsed TOML (tables of keys) or as model records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sisterctl.dates import PartialDate, coerce_partial_date
from sisterctl.errors import InvalidDateError
from sisterctl.model import Agreement, Exchange, StatusChange
from sisterctl.text import fold

#: A record's identity: its table first, then what makes it that record.
Key = tuple[Any, ...]

FOUNDING = "founding"


def record_key(table: str, record: Mapping[str, Any]) -> Key:
    """The identity of a record as the file holds it (see the table above). A value of
    the wrong type still gives a key (its repr), so that records with errors can be
    told apart and matched too."""
    if table in ("city", "partnership"):
        return (table, _word(record.get("id")))
    tie, date = record.get("partnership"), record.get("date")
    if table == "agreement":
        return agreement_key(tie, date, record.get("title"), record.get("kind"))
    if table == "exchange":
        return exchange_key(tie, date, record.get("kind"), record.get("title"))
    if table == "status_change":
        return status_change_key(tie, date, record.get("status"))
    raise ValueError(f"not a record table: {table}")


def model_key(record: Agreement | Exchange | StatusChange) -> Key:
    """The identity of a model record: the same as `record_key` of the record it was
    read from."""
    date = record.date
    if isinstance(record, Agreement):
        return agreement_key(record.partnership, date, record.title, record.kind)
    if isinstance(record, Exchange):
        return exchange_key(record.partnership, date, record.kind, record.title)
    return status_change_key(record.partnership, date, record.status.value)


def agreement_key(tie: Any, date: PartialDate | str | None, title: Any, kind: Any) -> Key:
    if isinstance(kind, str) and fold(kind) == FOUNDING:
        return ("agreement", _word(tie), FOUNDING)
    return ("agreement", _word(tie), _date(date), _folded(title))


def exchange_key(tie: Any, date: PartialDate | str | None, kind: Any, title: Any) -> Key:
    return ("exchange", _word(tie), _date(date), _folded(kind), _folded(title))


def status_change_key(tie: Any, date: PartialDate | str | None, status: Any) -> Key:
    return ("status_change", _word(tie), _date(date), _word(status))


def describe_key(key: Key) -> str:
    """What makes records the same, in words: `same tie, date and title`."""
    table = key[0]
    if table in ("city", "partnership"):
        return "same id"
    if table == "agreement" and key[2:] == (FOUNDING,):
        return "a tie has one founding agreement"
    what = {
        "agreement": "same tie, date and title",
        "exchange": "same tie, date, kind and title",
        "status_change": "same tie, date and status",
    }
    return what[table]


def _word(value: Any) -> Any:
    return value if isinstance(value, str) or value is None else repr(value)


def _folded(value: Any) -> Any:
    return fold(value) if isinstance(value, str) else _word(value)


def _date(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, PartialDate):
        return value.iso()
    try:
        return coerce_partial_date(value).iso()
    except (InvalidDateError, TypeError, ValueError):
        return _word(value)
