"""Anniversaries as an iCalendar file (RFC 5545), for Outlook, Google and Apple Calendar.

Pure: builds the file's bytes from an `UpcomingReport`; the CLI writes them. Each
anniversary known to the day becomes an all-day event. Its UID is derived from the
tie and the ordinal (`taipei-daegu-20@sisterctl`), so importing a newer export updates
the events already in a calendar instead of adding copies, and its DTSTAMP is the
reference day at midnight UTC, so the same registry and reference day always give
the same file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sisterctl import __version__
from sisterctl.core.anniversaries import Anniversary, UpcomingReport, ordinal
from sisterctl.dates import Precision
from sisterctl.errors import Param, UsageError
from sisterctl.model import Status
from sisterctl.text import safe_display, slug

UID_DOMAIN = "sisterctl"
# The most events sisterctl writes in one calendar (README: export ics). Each takes
# icalendar a third of a millisecond: 50,000 take about 20 seconds and make 17 MB.
MAX_EVENTS = 50_000
CALENDAR_NAME = "Sister-city anniversaries"

_REMIND_RE = re.compile(r"\s*(\d+)\s*([dwh]?)\s*", re.IGNORECASE)
_REMIND_UNITS = {"d": "days", "w": "weeks", "h": "hours"}


def parse_reminder(text: str) -> dt.timedelta:
    """How long before an anniversary to be reminded: `14d`, `2w`, `12h`, `3` (days).

    `0` reminds at the start of the day itself.
    """
    match = _REMIND_RE.fullmatch(text)
    if match is None:
        raise UsageError(
            (
                Param.REMIND,
                " takes a time before the anniversary: days (14d), weeks (2w) or "
                f"hours (12h), not {text!r}",
            )
        )
    unit = _REMIND_UNITS[match.group(2).lower() or "d"]
    try:
        return dt.timedelta(**{unit: int(match.group(1))})
    except OverflowError:
        raise UsageError((Param.REMIND, f" {text!r} is too far ahead")) from None


@dataclass(frozen=True)
class CalendarExport:
    """An iCalendar file and what went into it."""

    data: bytes
    events: int
    # anniversaries known only to the month or the year: a calendar event needs a day
    skipped: int
    undated: int  # ties with no known founding date


def _line(text: str) -> str:
    """Registry text as one line: control characters shown as escapes."""
    return " ".join(safe_display(text).split())


def summary(row: Anniversary) -> str:
    """`Taipei–Daegu: 20th sister-city anniversary`; `Daegu–Bangkok: 5th anniversary
    (friendship and cooperation city)` for kinds of more than two words."""
    title = _line(row.tie.title)
    number = ordinal(row.ordinal)
    if row.agreement is not None:
        return f"{title}: {number} anniversary of the {_line(row.agreement.kind)}"
    words = _line(row.kind).split()
    if len(words) <= 2:
        return f"{title}: {number} {'-'.join(words)} anniversary"
    return f"{title}: {number} anniversary ({' '.join(words)})"


def description(row: Anniversary) -> str:
    """Both cities and countries, the kind of tie, the date commemorated."""
    a, b = row.tie.cities
    tie = f"{a.name}, {a.country_name} and {b.name}, {b.country_name} ({row.kind})"
    if row.agreement is not None:
        agreement = row.agreement
        text = f"{agreement.title} ({agreement.kind}), signed {row.since.iso()} by {tie}."
    else:
        text = f"{tie}, established {row.since.iso()}."
    since, day = row.since.to_date(), row.on.to_date()
    if since is not None and day is not None and (since.month, since.day) != (day.month, day.day):
        month = "February" if day.month == 2 else "March"
        text += f" Dated 29 February: marked on {day.day} {month} in common years."
    text += f" The {ordinal(row.ordinal)} anniversary"
    text += ", a milestone." if row.milestone else "."
    if row.status is Status.UNKNOWN:
        text += " No source states whether the tie is still active."
    elif row.status is not Status.ACTIVE:
        text += f" The tie is {row.status.value}."
    return safe_display(text)


def _uid(row: Anniversary) -> str:
    parts = [row.tie.id]
    if row.agreement is not None:
        parts += [slug(row.agreement.kind) or "agreement", row.since.iso()]
    parts.append(str(row.ordinal))
    return "-".join(parts) + f"@{UID_DOMAIN}"


def anniversary_calendar(
    report: UpcomingReport, *, remind: dt.timedelta | None = None
) -> CalendarExport:
    """An iCalendar of the report's anniversaries known to the day, one all-day event
    each, with a display alarm `remind` before the day when given."""
    from icalendar import Alarm, Calendar, Event

    stamp = dt.datetime.combine(report.as_of, dt.time(), tzinfo=dt.UTC)
    calendar = Calendar()
    calendar.add("prodid", f"-//sisterctl//sisterctl {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    calendar.add("name", CALENDAR_NAME)
    # Each event is serialised as it is built, rather than kept in the calendar until
    # the end: a registry of thousands of ties makes hundreds of thousands of events,
    # and icalendar's objects for them would take gigabytes.
    envelope = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert envelope.endswith(end)
    chunks = [envelope[: -len(end)]]
    skipped = 0
    seen: dict[str, int] = {}
    for row in report.rows:
        day = row.on.to_date()
        if row.precision is not Precision.DAY or day is None:
            skipped += 1
            continue
        uid = _uid(row)
        seen[uid] = seen.get(uid, 0) + 1
        if seen[uid] > 1:  # two agreements of one kind signed on one day
            uid = uid.replace(f"@{UID_DOMAIN}", f"-{seen[uid]}@{UID_DOMAIN}")
        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("summary", summary(row))
        event.add("description", description(row))
        categories = ["Anniversary", "Milestone"] if row.milestone else ["Anniversary"]
        event.add("categories", categories)
        event.add("transp", "TRANSPARENT")  # a day to mark, not time taken
        if remind is not None:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", summary(row))
            alarm.add("trigger", -remind)
            event.add_component(alarm)
        chunks.append(event.to_ical())
    chunks.append(end)
    return CalendarExport(b"".join(chunks), len(chunks) - 2, skipped, report.undated)
