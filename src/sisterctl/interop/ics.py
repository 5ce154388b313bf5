"""Anniversaries as an iCalendar file (RFC 5545), for Outlook, Google and Apple Calendar,
imported once or subscribed to as a feed.

Pure: builds the file's bytes from an `UpcomingReport`; the CLI writes them. Each
anniversary becomes an all-day event: on its day when the day is known; spanning its
month when only the month is; as a note on 1 January when only the year is (no day
is ever invented, and the summary says the precision). Its UID is derived from the
tie and the ordinal (`taipei-daegu-20@sisterctl`), so importing a newer export updates
the events already in a calendar instead of adding copies.

Nothing here reads the clock: the same registry and reference day always give the
same bytes. DTSTAMP is the reference day at midnight UTC. SEQUENCE and LAST-MODIFIED
come from the registry (`Revision`): SEQUENCE counts the tie's dated records that
change its events (status changes, upgrades) plus the precision of the date (0 year,
1 month, 2 day), so ending a tie or refining a date raises it; LAST-MODIFIED is the
latest day of those records or of the date commemorated, never after DTSTAMP. The
anniversaries a tie loses when it ends or is suspended (`UpcomingReport.lapsed`) are
written with STATUS:CANCELLED under the UIDs they had, so that calendars drop them.
"""

from __future__ import annotations

import calendar as month_names
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from sisterctl import __version__
from sisterctl.core.anniversaries import Anniversary, Revision, UpcomingReport, ordinal
from sisterctl.dates import Precision
from sisterctl.errors import Param, UsageError
from sisterctl.model import Status
from sisterctl.text import safe_display, slug

UID_DOMAIN = "sisterctl"
# The most events sisterctl writes in one calendar (README: export ics). Each takes
# icalendar a third of a millisecond: 50,000 take about 20 seconds and make 17 MB.
MAX_EVENTS = 50_000
CALENDAR_NAME = "Sister-city anniversaries"

#: How often a subscribed calendar is fetched again, unless --refresh says otherwise.
REFRESH = dt.timedelta(days=1)

_LENGTH_RE = re.compile(r"\s*(\d+)\s*([dwh]?)\s*", re.IGNORECASE)
_LENGTH_UNITS = {"d": "days", "w": "weeks", "h": "hours"}


def _parse_length(text: str, param: Param, what: str, *, zero: bool) -> dt.timedelta:
    match = _LENGTH_RE.fullmatch(text)
    if match is None or (not zero and int(match.group(1)) == 0):
        raise UsageError(
            (param, f" takes {what}: days (14d), weeks (2w) or hours (12h), not {text!r}")
        )
    unit = _LENGTH_UNITS[match.group(2).lower() or "d"]
    try:
        return dt.timedelta(**{unit: int(match.group(1))})
    except OverflowError:
        raise UsageError((param, f" {text!r} is too far ahead")) from None


def parse_reminder(text: str) -> dt.timedelta:
    """How long before an anniversary to be reminded: `14d`, `2w`, `12h`, `3` (days).

    `0` reminds at the start of the day itself.
    """
    return _parse_length(text, Param.REMIND, "a time before the anniversary", zero=True)


def parse_refresh(text: str) -> dt.timedelta:
    """How often a subscribed calendar should be fetched again: `1d`, `12h`, `1w`."""
    return _parse_length(text, Param.REFRESH, "a positive length of time", zero=False)


class Imprecise(StrEnum):
    """Which anniversaries known to less than the day become events."""

    YEAR = "year"  # those known to the month (spanning it) and to the year (on 1 January)
    MONTH = "month"  # those known to the month only
    NONE = "none"  # neither: only anniversaries known to the day


_SHOWN = {
    Imprecise.YEAR: (Precision.DAY, Precision.MONTH, Precision.YEAR),
    Imprecise.MONTH: (Precision.DAY, Precision.MONTH),
    Imprecise.NONE: (Precision.DAY,),
}
# SEQUENCE grows with the precision of the date, so that refining a founding date
# from its year to its month or day updates the event already in a calendar.
_PRECISION_SEQUENCE = {Precision.YEAR: 0, Precision.MONTH: 1, Precision.DAY: 2}


@dataclass(frozen=True)
class CalendarExport:
    """An iCalendar file and what went into it."""

    data: bytes
    events: int  # every VEVENT, cancelled ones included
    # anniversaries known only to the month or the year that `imprecise` left out
    skipped: int
    undated: int  # ties with no known founding date
    months: int = 0  # events spanning a month (anniversaries known to the month)
    years: int = 0  # notes on 1 January (anniversaries known to the year)
    cancelled: int = 0  # events of ties ended or suspended, written STATUS:CANCELLED


def _line(text: str) -> str:
    """Registry text as one line: control characters shown as escapes."""
    return " ".join(safe_display(text).split())


def summary(row: Anniversary) -> str:
    """`Taipei–Daegu: 20th sister-city anniversary`; `Daegu–Bangkok: 5th anniversary
    (friendship and cooperation city)` for kinds of more than two words; `...,
    sometime in November 2026` or `..., sometime in 2026` when the day is not known."""
    title = _line(row.tie.title)
    number = ordinal(row.ordinal)
    if row.agreement is not None:
        text = f"{title}: {number} anniversary of the {_line(row.agreement.kind)}"
    else:
        words = _line(row.kind).split()
        if len(words) <= 2:
            text = f"{title}: {number} {'-'.join(words)} anniversary"
        else:
            text = f"{title}: {number} anniversary ({' '.join(words)})"
    if row.precision is Precision.DAY:
        return text
    return f"{text}, sometime in {_when(row)}"


def _when(row: Anniversary) -> str:
    """`November 2026`, `2026`: the month or year of an anniversary not known to the day."""
    if row.on.month is None:
        return str(row.on.year)
    return f"{month_names.month_name[row.on.month]} {row.on.year}"


def description(row: Anniversary, *, cancelled: bool = False) -> str:
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
    if row.precision is Precision.MONTH:
        text += f" Known only to the month: it falls on a day of {_when(row)}."
    elif row.precision is Precision.YEAR:
        text += f" Known only to the year: it falls on a day of {_when(row)}."
    if cancelled:
        happened = "ended" if row.status is Status.ENDED else "was suspended"
        text += f" Cancelled: the tie {happened} before it."
    elif row.status is Status.UNKNOWN:
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


def _duration(length: dt.timedelta) -> str:
    """`P1D`, `PT12H`, `P1DT6H`: a length of whole hours as an RFC 5545 duration."""
    days, rest = divmod(int(length.total_seconds()), 86_400)
    hours = rest // 3_600
    return "P" + (f"{days}D" if days else "") + (f"T{hours}H" if hours else "")


def _sequence(row: Anniversary, revision: Revision | None) -> int:
    return (revision.count if revision else 0) + _PRECISION_SEQUENCE[row.precision]


def _last_modified(row: Anniversary, revision: Revision | None, stamp: dt.datetime) -> dt.datetime:
    day = row.since.earliest()
    if revision is not None and revision.last > day:
        day = revision.last
    return min(dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC), stamp)


def _span(row: Anniversary) -> tuple[dt.date, dt.date]:
    """The first day of an all-day event and the day after its last."""
    first, last = row.on.earliest(), row.on.latest()
    if row.precision is Precision.YEAR:
        last = first  # a note on 1 January, not a year-long event
    return first, last + dt.timedelta(days=1)


# A calendar holds at least one component (RFC 5545, 3.4): one with no event holds
# this time zone, which every client knows and none shows (in the order icalendar
# writes it, so that the file reads back and writes out the same).
_EMPTY = (
    b"BEGIN:VTIMEZONE\r\nTZID:UTC\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
    b"TZNAME:UTC\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\n"
    b"END:VTIMEZONE\r\n"
)


def anniversary_calendar(
    report: UpcomingReport,
    *,
    remind: dt.timedelta | None = None,
    imprecise: Imprecise = Imprecise.YEAR,
    name: str = CALENDAR_NAME,
    refresh: dt.timedelta = REFRESH,
) -> CalendarExport:
    """An iCalendar of the report's anniversaries, one all-day event each, and of its
    lapsed ones as cancelled events, with a display alarm `remind` before the day
    when given.

    `imprecise` says which anniversaries not known to the day become events: by
    default those known to the month (spanning it) and to the year (a note on 1
    January). `name` names the calendar (NAME, X-WR-CALNAME) and `refresh` tells
    subscribed clients how often to fetch it again (REFRESH-INTERVAL, X-PUBLISHED-TTL).
    """
    from icalendar import Alarm, Calendar, Event

    stamp = dt.datetime.combine(report.as_of, dt.time(), tzinfo=dt.UTC)
    title = _line(name) or CALENDAR_NAME
    window = report.window
    about = (
        f"Anniversaries of sister-city ties, {window.start.isoformat()} through "
        f"{window.last.isoformat()}, from a sisterctl registry."
    )
    calendar = Calendar()
    calendar.add("prodid", f"-//sisterctl//sisterctl {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", title)
    calendar.add("name", title)
    calendar.add("x-wr-caldesc", about)
    calendar.add("description", about)
    # RFC 7986 wants VALUE=DURATION on REFRESH-INTERVAL; X-PUBLISHED-TTL is Outlook's
    # and Google's older name for the same hint.
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", _duration(refresh))
    # Each event is serialised as it is built, rather than kept in the calendar until
    # the end: a registry of thousands of ties makes hundreds of thousands of events,
    # and icalendar's objects for them would take gigabytes.
    envelope = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert envelope.endswith(end)
    chunks = [envelope[: -len(end)]]
    shown = _SHOWN[imprecise]
    counts = {Precision.DAY: 0, Precision.MONTH: 0, Precision.YEAR: 0}
    skipped = cancelled = 0
    seen: dict[str, int] = {}
    for rows, is_cancelled in ((report.rows, False), (report.lapsed, True)):
        for row in rows:
            if row.precision not in shown:
                if not is_cancelled:
                    skipped += 1
                continue
            uid = _uid(row)
            seen[uid] = seen.get(uid, 0) + 1
            if seen[uid] > 1:  # two agreements of one kind signed on one day
                uid = uid.replace(f"@{UID_DOMAIN}", f"-{seen[uid]}@{UID_DOMAIN}")
            revision = report.revisions.get(row.tie.id)
            first, after = _span(row)
            event = Event()
            event.add("uid", uid)
            event.add("dtstamp", stamp)
            event.add("last-modified", _last_modified(row, revision, stamp))
            event.add("sequence", _sequence(row, revision))
            event.add("dtstart", first)
            event.add("dtend", after)
            event.add("status", "CANCELLED" if is_cancelled else "CONFIRMED")
            event.add("summary", summary(row))
            event.add("description", description(row, cancelled=is_cancelled))
            categories = ["Anniversary", "Milestone"] if row.milestone else ["Anniversary"]
            event.add("categories", categories)
            event.add("transp", "TRANSPARENT")  # a day to mark, not time taken
            if remind is not None and not is_cancelled:
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", summary(row))
                alarm.add("trigger", -remind)
                event.add_component(alarm)
            chunks.append(event.to_ical())
            if is_cancelled:
                cancelled += 1
            else:
                counts[row.precision] += 1
    if len(chunks) == 1:
        chunks.append(_EMPTY)
    chunks.append(end)
    return CalendarExport(
        b"".join(chunks),
        sum(counts.values()) + cancelled,
        skipped,
        report.undated,
        months=counts[Precision.MONTH],
        years=counts[Precision.YEAR],
        cancelled=cancelled,
    )
