"""The fixed words of the registry format, apart from the records that use them (so
that a command that reads no record need not import `sisterctl.model`): the schema
version, the record tables, a tie's status and the leap-day rule. `sisterctl.model`
gives the same names."""

from __future__ import annotations

from enum import StrEnum

SCHEMA_VERSION = 1
RECORD_TABLES = ("city", "partnership", "agreement", "exchange", "status_change")
DEFAULT_KIND = "sister city"


class Status(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"
    UNKNOWN = "unknown"  # no source states the tie's present status


#: The statuses a change of status records (`end`, `end --suspend`, `resume`).
CHANGE_STATUSES = (Status.ACTIVE, Status.SUSPENDED, Status.ENDED)
#: What a tie with no `status` key may read as (`settings.default_status`).
DEFAULT_STATUSES = (Status.ACTIVE, Status.UNKNOWN)


class LeapDay(StrEnum):
    """When a tie founded on 29 February celebrates in common years."""

    FEB28 = "feb28"
    MAR1 = "mar1"
