"""`sisterctl export ics` as a feed: the calendar's hints, SEQUENCE and LAST-MODIFIED
from the registry, cancelled anniversaries of ended and suspended ties, anniversaries
known to the month or the year, the empty calendar. Parsed back with icalendar."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from sisterctl.errors import ExitCode
from tests.conftest import DATA, Run


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    path = tmp_path / "partnerships.toml"
    shutil.copy(DATA / "anniversaries.toml", path)
    return path


def calendar_of(run: Run, registry: Path, *args: str) -> tuple[Any, bytes, str]:
    result = run("-r", registry, "export", "ics", *args)
    assert result.exit_code == ExitCode.OK, result.stderr
    data = result.stdout_bytes
    return Calendar.from_ical(data), data, result.stderr


def by_uid(calendar: Any) -> dict[str, Any]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def record(run: Run, registry: Path, *args: str) -> None:
    result = run("-r", registry, *args)
    assert result.exit_code == ExitCode.OK, result.stderr


def test_the_calendar_carries_what_subscribed_clients_need(run: Run, registry: Path) -> None:
    calendar, data, _ = calendar_of(run, registry, "--as-of", "2020-10-20", "-y", "2")
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"]) == "Sister-city anniversaries"
    # RFC 7986: REFRESH-INTERVAL takes VALUE=DURATION; X-PUBLISHED-TTL is the older hint.
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:P1D\r\n" in data
    assert calendar.decoded("REFRESH-INTERVAL") == dt.timedelta(days=1)
    assert str(calendar["X-PUBLISHED-TTL"]) == "P1D"
    assert str(calendar["DESCRIPTION"]) == (
        "Anniversaries of sister-city ties, 2020-10-20 through 2022-10-19, "
        "from a sisterctl registry."
    )
    # icalendar reads it and writes it back byte for byte.
    assert calendar.to_ical() == data
    calendar, data, _ = calendar_of(
        run, registry, "--as-of", "2020-10-20", "--name", "Taipei office", "--refresh", "12h"
    )
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"]) == "Taipei office"
    assert calendar.decoded("REFRESH-INTERVAL") == dt.timedelta(hours=12)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT12H"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in data
    calendar, _, _ = calendar_of(run, registry, "--as-of", "2020-10-20", "--refresh", "1w")
    assert str(calendar["X-PUBLISHED-TTL"]) == "P7D"


@pytest.mark.parametrize("refresh", ["0", "0d", "soon", "-1d", "1m"])
def test_a_bad_refresh_is_refused_in_one_line(run: Run, registry: Path, refresh: str) -> None:
    result = run("-r", registry, "export", "ics", "--refresh", refresh)
    assert result.exit_code == ExitCode.USAGE
    assert result.stdout == ""
    assert result.stderr == (
        "sisterctl: --refresh takes a positive length of time: days (14d), weeks (2w) or "
        f"hours (12h), not {refresh!r}\n"
    )


def test_an_empty_name_is_refused(run: Run, registry: Path) -> None:
    result = run("-r", registry, "export", "ics", "--name", " ")
    assert result.exit_code == ExitCode.USAGE
    assert "--name" in result.stderr and result.stdout == ""


def test_same_registry_same_options_same_as_of_same_bytes(
    run: Run, registry: Path, tmp_path: Path
) -> None:
    record(run, registry, "end", "taipei-daegu", "--date", "2021-01-05")
    args = ("--as-of", "2021-01-06", "--agreements", "--remind", "14d")
    first = run("-r", registry, "export", "ics", *args).stdout_bytes
    assert b"STATUS:CANCELLED" in first and b"DTSTART;VALUE=DATE:20211101" in first
    assert run("-r", registry, "export", "ics", *args).stdout_bytes == first
    # The same through a copy in another folder (the index made anew).
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(registry, other / "partnerships.toml")
    assert run("-r", other / "partnerships.toml", "export", "ics", *args).stdout_bytes == first
    # A later day changes DTSTAMP, not SEQUENCE or LAST-MODIFIED: the registry did not change.
    later = by_uid(
        Calendar.from_ical(
            run("-r", registry, "export", "ics", "--as-of", "2021-06-01").stdout_bytes
        )
    )
    before = by_uid(Calendar.from_ical(first))
    for uid in before.keys() & later.keys():
        assert later[uid].decoded("SEQUENCE") == before[uid].decoded("SEQUENCE")
        assert later[uid].decoded("LAST-MODIFIED") == before[uid].decoded("LAST-MODIFIED")
        assert later[uid].decoded("DTSTAMP") > before[uid].decoded("DTSTAMP")


def test_ending_a_tie_cancels_its_later_anniversaries(run: Run, registry: Path) -> None:
    before, _, _ = calendar_of(run, registry, "--as-of", "2020-10-20", "-y", "3")
    old = by_uid(before)["taipei-daegu-11@sisterctl"]
    assert str(old["STATUS"]) == "CONFIRMED"
    record(run, registry, "end", "taipei-daegu", "--date", "2021-01-05")
    after, _, stderr = calendar_of(
        run, registry, "--as-of", "2021-01-06", "-y", "3", "--remind", "1w"
    )
    events = by_uid(after)
    cancelled = {uid: e for uid, e in events.items() if str(e["STATUS"]) == "CANCELLED"}
    assert sorted(cancelled) == [
        "taipei-daegu-11@sisterctl",
        "taipei-daegu-12@sisterctl",
        "taipei-daegu-13@sisterctl",
    ]
    new = cancelled["taipei-daegu-11@sisterctl"]
    # The same event, a later version of it: SEQUENCE up, LAST-MODIFIED the end's day.
    assert new.decoded("DTSTART") == old.decoded("DTSTART") == dt.date(2021, 11, 4)
    assert str(new["SUMMARY"]) == str(old["SUMMARY"])
    assert new.decoded("SEQUENCE") == old.decoded("SEQUENCE") + 1 == 3
    assert old.decoded("LAST-MODIFIED") == dt.datetime(2010, 11, 4, tzinfo=dt.UTC)
    assert new.decoded("LAST-MODIFIED") == dt.datetime(2021, 1, 5, tzinfo=dt.UTC)
    assert str(new["DESCRIPTION"]).endswith("Cancelled: the tie ended before it.")
    assert not new.walk("VALARM")  # no reminder of a cancelled day
    assert events["taipei-sao-paulo-9@sisterctl"].walk("VALARM")
    assert "and 3 cancelled (of ties ended or suspended) from 2021-01-06" in stderr
    # Kept for --cancelled-for days (365 by default), then left out.
    for args in (("--as-of", "2022-01-06"), ("--as-of", "2021-01-06", "--cancelled-for", "0")):
        calendar, _, stderr = calendar_of(run, registry, *args)
        assert not [uid for uid in by_uid(calendar) if uid.startswith("taipei-daegu-")]
        assert "cancelled" not in stderr
    calendar, _, _ = calendar_of(run, registry, "--as-of", "2022-01-05")
    assert "taipei-daegu-12@sisterctl" in by_uid(calendar)
    # --all writes the ended tie's anniversaries as events, as before.
    calendar, _, _ = calendar_of(run, registry, "--as-of", "2021-01-06", "-y", "3", "--all")
    statuses = {str(e["STATUS"]) for uid, e in by_uid(calendar).items() if "daegu-1" in uid}
    assert statuses == {"CONFIRMED"}


def test_an_end_to_come_cancels_only_what_falls_after_it(run: Run, registry: Path) -> None:
    record(run, registry, "end", "taipei-daegu", "--date", "2021-12-01")
    calendar, _, _ = calendar_of(run, registry, "--as-of", "2020-10-20", "-y", "3")
    statuses = {
        uid: str(e["STATUS"]) for uid, e in by_uid(calendar).items() if uid.startswith("taipei-d")
    }
    assert statuses == {
        "taipei-daegu-10@sisterctl": "CONFIRMED",
        "taipei-daegu-11@sisterctl": "CONFIRMED",
        "taipei-daegu-12@sisterctl": "CANCELLED",
    }


def test_a_suspended_tie_is_cancelled_and_a_resumed_one_confirmed_again(
    run: Run, registry: Path
) -> None:
    def daegu_11() -> Any:
        calendar, _, _ = calendar_of(run, registry, "--as-of", "2021-06-01")
        return by_uid(calendar)["taipei-daegu-11@sisterctl"]

    first = daegu_11()
    record(run, registry, "end", "taipei-daegu", "--suspend", "--date", "2021-03")
    suspended = daegu_11()
    record(run, registry, "resume", "taipei-daegu", "--date", "2021-05-10")
    resumed = daegu_11()
    assert [str(e["STATUS"]) for e in (first, suspended, resumed)] == [
        "CONFIRMED",
        "CANCELLED",
        "CONFIRMED",
    ]
    assert [e.decoded("SEQUENCE") for e in (first, suspended, resumed)] == [2, 3, 4]
    assert [e.decoded("LAST-MODIFIED").date() for e in (first, suspended, resumed)] == [
        dt.date(2010, 11, 4),
        dt.date(2021, 3, 1),  # a change known to the month: its first day
        dt.date(2021, 5, 10),
    ]
    assert str(suspended["DESCRIPTION"]).endswith("Cancelled: the tie was suspended before it.")
    assert "Cancelled" not in str(resumed["DESCRIPTION"])


def test_anniversaries_known_to_the_month_or_the_year(run: Run, registry: Path) -> None:
    calendar, _, _ = calendar_of(run, registry, "--as-of", "2020-10-20", "-y", "2")
    events = by_uid(calendar)
    month = events["daegu-ningbo-18@sisterctl"]
    assert str(month["SUMMARY"]) == (
        "Daegu–Ningbo: 18th sister-city anniversary, sometime in November 2020"
    )
    # All day, the whole month: DTEND is the first day after it.
    assert month["DTSTART"].params["VALUE"] == "DATE"
    assert (month.decoded("DTSTART"), month.decoded("DTEND")) == (
        dt.date(2020, 11, 1),
        dt.date(2020, 12, 1),
    )
    assert "Known only to the month: it falls on a day of November 2020." in str(
        month["DESCRIPTION"]
    )
    year = events["taipei-houston-60@sisterctl"]
    assert str(year["SUMMARY"]) == "Taipei–Houston: 60th sister-city anniversary, sometime in 2021"
    assert (year.decoded("DTSTART"), year.decoded("DTEND")) == (
        dt.date(2021, 1, 1),
        dt.date(2021, 1, 2),
    )
    assert year.decoded("SEQUENCE") == 0  # a year, and no dated change
    assert month.decoded("SEQUENCE") == 2  # a month (1) and an upgrade (1)
    assert sorted(u for u in events if "houston-5" in u or "houston-6" in u) == [
        "taipei-houston-59@sisterctl",
        "taipei-houston-60@sisterctl",
        "taipei-houston-61@sisterctl",
    ]
    calendar, _, _ = calendar_of(
        run, registry, "--as-of", "2020-10-20", "-y", "2", "--imprecise", "month"
    )
    uids = set(by_uid(calendar))
    assert "daegu-ningbo-18@sisterctl" in uids and "taipei-houston-60@sisterctl" not in uids
    calendar, _, _ = calendar_of(
        run, registry, "--as-of", "2020-10-20", "-y", "2", "--imprecise", "none"
    )
    assert not [u for u in by_uid(calendar) if "ningbo-1" in u or "houston-6" in u]


def test_refining_a_date_updates_the_event_in_place(run: Run, registry: Path) -> None:
    calendar, _, _ = calendar_of(run, registry, "--as-of", "2020-10-20", "-y", "1")
    month = by_uid(calendar)["daegu-ningbo-18@sisterctl"]
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace('"2002-11"', '"2002-11-20"'), encoding="utf-8")
    calendar, _, _ = calendar_of(run, registry, "--as-of", "2020-10-20", "-y", "1")
    day = by_uid(calendar)["daegu-ningbo-18@sisterctl"]
    assert day.decoded("DTSTART") == dt.date(2020, 11, 20)
    assert str(day["SUMMARY"]) == "Daegu–Ningbo: 18th sister-city anniversary"
    assert day.decoded("SEQUENCE") == month.decoded("SEQUENCE") + 1


def test_an_export_with_no_event_is_still_a_valid_calendar(run: Run, registry: Path) -> None:
    result = run("-r", registry, "export", "ics", "--as-of", "2020-10-20", "--country", "CZ")
    assert result.exit_code == ExitCode.OK
    assert result.stderr == (
        "sisterctl: no anniversaries (an empty calendar) from 2020-10-20 through 2030-10-19\n"
    )
    calendar = Calendar.from_ical(result.stdout_bytes)
    assert calendar.walk("VEVENT") == []
    # RFC 5545 wants one component at least: a time zone, which no client shows.
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "UTC"
    assert calendar.subcomponents == [zone]
    assert str(calendar["NAME"]) == "Sister-city anniversaries"
    assert calendar.to_ical() == result.stdout_bytes
