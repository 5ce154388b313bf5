"""`sisterctl export ics`: the calendar is parsed back with icalendar and checked."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from sisterctl.core.anniversaries import Span, Unit, upcoming_anniversaries
from sisterctl.dates import parse_partial_date
from sisterctl.errors import ExitCode, UsageError
from sisterctl.interop.ics import anniversary_calendar, parse_reminder, summary
from sisterctl.model import Agreement, City, Partnership, Registry
from tests.conftest import DATA, Run


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    path = tmp_path / "partnerships.toml"
    shutil.copy(DATA / "anniversaries.toml", path)
    return path


def events(data: bytes | str) -> list[Any]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    calendar = Calendar.from_ical(raw)
    assert calendar["VERSION"] == "2.0"
    assert str(calendar["PRODID"]).startswith("-//sisterctl//")
    return list(calendar.walk("VEVENT"))


def export(run: Run, registry: Path, *args: str | Path) -> tuple[list[Any], str]:
    result = run("-r", registry, "export", "ics", *args)
    assert result.exit_code == ExitCode.OK, result.stderr
    return events(result.stdout), result.stderr


def test_all_day_events_one_per_anniversary(run: Run, registry: Path) -> None:
    found, _ = export(run, registry, "--as-of", "2020-10-20", "--years", "2", "--imprecise", "none")
    summaries = [(str(e["SUMMARY"]), e.decoded("DTSTART")) for e in found]
    assert summaries == [
        ("Taipei–Daegu: 10th sister-city anniversary", dt.date(2020, 11, 4)),
        ("Houston–Ningbo: 5th sister-city anniversary", dt.date(2020, 11, 30)),
        ("Taipei–São Paulo: 9th sister-city anniversary", dt.date(2021, 2, 28)),
        ("Taipei–Daegu: 11th sister-city anniversary", dt.date(2021, 11, 4)),
        ("Houston–Ningbo: 6th sister-city anniversary", dt.date(2021, 11, 30)),
        ("Taipei–São Paulo: 10th sister-city anniversary", dt.date(2022, 2, 28)),
    ]
    first = found[0]
    # All-day: dates, not times, ending the next day.
    assert type(first.decoded("DTSTART")) is dt.date
    assert first["DTSTART"].params["VALUE"] == "DATE"
    assert first.decoded("DTEND") == dt.date(2020, 11, 5)
    assert str(first["UID"]) == "taipei-daegu-10@sisterctl"
    assert first.decoded("DTSTAMP") == dt.datetime(2020, 10, 20, tzinfo=dt.UTC)
    assert str(first["TRANSP"]) == "TRANSPARENT"
    assert str(first["STATUS"]) == "CONFIRMED"
    # A date known to the day, and no dated record changed the tie: SEQUENCE 0 + 2.
    assert first.decoded("SEQUENCE") == 2
    assert first.decoded("LAST-MODIFIED") == dt.datetime(2010, 11, 4, tzinfo=dt.UTC)
    assert [str(c) for c in first["CATEGORIES"].cats] == ["Anniversary", "Milestone"]
    assert str(first["DESCRIPTION"]) == (
        "Taipei, Taiwan and Daegu, South Korea (sister city), established "
        "2010-11-04. The 10th anniversary, a milestone."
    )
    assert str(found[1]["DESCRIPTION"]).endswith("The tie is suspended.")
    assert [str(c) for c in found[3]["CATEGORIES"].cats] == ["Anniversary"]
    assert not first.walk("VALARM")


def test_ten_years_by_default_and_uids_are_unique(run: Run, registry: Path) -> None:
    found, _ = export(run, registry, "--as-of", "2020-10-20", "--imprecise", "none")
    daegu = [e for e in found if str(e["UID"]).startswith("taipei-daegu-")]
    assert [str(e["UID"]) for e in daegu] == [f"taipei-daegu-{n}@sisterctl" for n in range(10, 20)]
    assert daegu[-1].decoded("DTSTART") == dt.date(2029, 11, 4)
    uids = [str(e["UID"]) for e in found]
    assert len(uids) == len(set(uids)) == 30


def test_the_same_input_gives_the_same_file_and_a_later_export_keeps_uids(
    run: Run, registry: Path
) -> None:
    first = run("-r", registry, "export", "ics", "--as-of", "2020-10-20")
    again = run("-r", registry, "export", "ics", "--as-of", "2020-10-20")
    assert first.stdout_bytes == again.stdout_bytes
    later = run("-r", registry, "export", "ics", "--as-of", "2021-06-01")
    before = {str(e["UID"]): e for e in events(first.stdout)}
    after = {str(e["UID"]): e for e in events(later.stdout)}
    shared = before.keys() & after.keys()
    assert "taipei-daegu-11@sisterctl" in shared and len(shared) > 20
    for uid in shared:
        assert before[uid].decoded("DTSTART") == after[uid].decoded("DTSTART")
        assert after[uid].decoded("DTSTAMP") > before[uid].decoded("DTSTAMP")


def test_lines_end_with_crlf(run: Run, registry: Path) -> None:
    result = run("-r", registry, "export", "ics", "--as-of", "2020-10-20", "--years", "1")
    assert result.stdout_bytes.startswith(b"BEGIN:VCALENDAR\r\n")
    assert result.stdout_bytes.endswith(b"END:VCALENDAR\r\n")


@pytest.mark.parametrize(
    ("remind", "before"),
    [
        ("14d", dt.timedelta(days=14)),
        ("14", dt.timedelta(days=14)),
        ("2w", dt.timedelta(weeks=2)),
        ("12h", dt.timedelta(hours=12)),
        ("0", dt.timedelta(0)),
    ],
)
def test_a_reminder_is_a_display_alarm_before_the_day(
    run: Run, registry: Path, remind: str, before: dt.timedelta
) -> None:
    found, _ = export(run, registry, "--as-of", "2020-10-20", "--years", "1", "--remind", remind)
    assert found
    for event in found:
        (alarm,) = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm.decoded("TRIGGER") == -before
        assert str(alarm["DESCRIPTION"]) == str(event["SUMMARY"])


@pytest.mark.parametrize("remind", ["-3d", "soon", "2m", "1.5d"])
def test_a_bad_reminder_is_refused_in_one_line(run: Run, registry: Path, remind: str) -> None:
    result = run("-r", registry, "export", "ics", "--remind", remind)
    assert result.exit_code == ExitCode.USAGE
    assert result.stdout == ""
    assert result.stderr == (
        "sisterctl: --remind takes a time before the anniversary: days (14d), weeks (2w) or "
        f"hours (12h), not {remind!r}\n"
    )


def test_output_file_and_what_was_left_out(run: Run, registry: Path, tmp_path: Path) -> None:
    out = tmp_path / "anniversaries.ics"
    result = run("-r", registry, "export", "ics", "--as-of", "2020-10-20", "-y", "2", "-o", out)
    assert result.exit_code == ExitCode.OK, result.stderr
    assert result.stdout == ""
    assert len(events(out.read_bytes())) == 11
    # Daegu–Ningbo (2002-11) twice and Taipei–Houston (1961) for 2020, 2021 and 2022.
    assert result.stderr == (
        f"sisterctl: wrote 11 anniversaries from 2020-10-20 through 2022-10-19 to {out} "
        "(2 known only to the month, spanning it; 3 known only to the year, on 1 January); "
        "left out 1 tie with no known founding date\n"
    )
    for imprecise, left_out in (
        ("month", "3 known only to the year"),
        ("none", "5 known only to the month or year"),
    ):
        result = run(
            "-r",
            registry,
            "export",
            "ics",
            "--as-of",
            "2020-10-20",
            "-y",
            "2",
            "--imprecise",
            imprecise,
        )
        assert f"; left out {left_out} (see --imprecise) and 1 tie" in result.stderr


def test_an_unwritable_output_is_refused(run: Run, registry: Path, tmp_path: Path) -> None:
    out = tmp_path / "missing" / "a.ics"
    result = run("-r", registry, "export", "ics", "--as-of", "2020-10-20", "-o", out)
    assert result.exit_code == ExitCode.REFUSED
    assert result.stderr.startswith(f"sisterctl: cannot write {out}: ")
    assert result.stderr.count("\n") == 1


def test_leap_day_ties(run: Run, registry: Path) -> None:
    args = ("--as-of", "2022-01-01", "-y", "3", "--city", "São Paulo")
    found, _ = export(run, registry, *args)
    assert [e.decoded("DTSTART") for e in found] == [
        dt.date(2022, 2, 28),
        dt.date(2023, 2, 28),
        dt.date(2024, 2, 29),
    ]
    assert "Dated 29 February: marked on 28 February in common years." in str(
        found[0]["DESCRIPTION"]
    )
    assert "February in common years" not in str(found[2]["DESCRIPTION"])
    found, _ = export(run, registry, *args, "--leap-day", "mar1")
    assert [e.decoded("DTSTART") for e in found] == [
        dt.date(2022, 3, 1),
        dt.date(2023, 3, 1),
        dt.date(2024, 2, 29),
    ]


def test_agreements_ended_ties_and_milestones(run: Run, registry: Path) -> None:
    base = ("--as-of", "2020-10-20", "-y", "2")
    found, _ = export(run, registry, *base, "--agreements", "--city", "Daegu")
    by_uid = {str(e["UID"]): e for e in found}
    reaffirmed = by_uid["taipei-daegu-reaffirmation-2021-03-26-1@sisterctl"]
    assert str(reaffirmed["SUMMARY"]) == "Taipei–Daegu: 1st anniversary of the reaffirmation"
    assert reaffirmed.decoded("DTSTART") == dt.date(2022, 3, 26)
    assert str(reaffirmed["DESCRIPTION"]).startswith(
        "Agreement to Reaffirm Sister City Friendship (reaffirmation), signed 2021-03-26 by "
        "Taipei, Taiwan and Daegu, South Korea (sister city)."
    )
    assert str(by_uid["daegu-ningbo-upgrade-2013-11-12-7@sisterctl"]["SUMMARY"]) == (
        "Daegu–Ningbo: 7th anniversary of the upgrade"
    )
    without, _ = export(run, registry, *base, "--country", "CZ")
    assert without == []
    ended, _ = export(run, registry, *base, "--country", "CZ", "--all")
    assert [str(e["SUMMARY"]) for e in ended] == [
        "Prague–Beijing: 4th sister-city anniversary",
        "Prague–Beijing: 5th sister-city anniversary",
    ]
    assert str(ended[0]["DESCRIPTION"]).endswith("The tie is ended.")
    milestones, _ = export(run, registry, *base, "--milestones")
    assert [str(e["UID"]) for e in milestones] == [
        "taipei-daegu-10@sisterctl",
        "houston-ningbo-5@sisterctl",
        "taipei-houston-60@sisterctl",  # known only to the year: 1961
        "taipei-sao-paulo-10@sisterctl",
    ]


def test_registry_text_cannot_inject_properties(run: Run, registry: Path) -> None:
    text = registry.read_text(encoding="utf-8")
    # A city name holding a newline, a carriage return and an escape sequence.
    hostile = r'name = "Daegu\nUID:evil\r\nX\u001b[31m"'
    registry.write_text(text.replace('name = "Daegu"', hostile), encoding="utf-8")
    result = run("-r", registry, "export", "ics", "--as-of", "2020-10-20", "-y", "1")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert b"\r\nUID:evil" not in result.stdout_bytes
    found = events(result.stdout_bytes)
    assert all(str(e["UID"]).endswith("@sisterctl") for e in found)
    daegu = next(e for e in found if str(e["UID"]) == "taipei-daegu-10@sisterctl")
    assert str(daegu["SUMMARY"]) == (
        r"Taipei–Daegu UID:evil\x0d X\x1b[31m: 10th sister-city anniversary"
    )


@pytest.mark.parametrize("years", ["0", "-1", "1001", "ten"])
def test_years_out_of_range_is_a_usage_error(run: Run, registry: Path, years: str) -> None:
    result = run("-r", registry, "export", "ics", "--years", years)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.count("\n") == 1 and "--years" in result.stderr


def test_core_summary_uses_the_kind_on_the_day_and_keeps_uids_unique() -> None:
    a, b = City("daegu-kr", "Daegu", "KR"), City("ningbo-cn", "Ningbo", "CN")
    tie = Partnership(
        "daegu-ningbo", (a, b), kind="friendship city", established=parse_partial_date("2002-11-20")
    )
    signed = parse_partial_date("2013-11-12")
    registry = Registry(
        {a.id: a, b.id: b},
        (tie,),
        agreements=(
            Agreement(tie.id, "Upgrade", signed, kind="upgrade", to_kind="sister city"),
            Agreement(tie.id, "Memorandum on tourism", signed, kind="memorandum"),
            Agreement(tie.id, "Memorandum on culture", signed, kind="memorandum"),
        ),
    )
    report = upcoming_anniversaries(
        registry, dt.date(2012, 1, 1), Span(3, Unit.YEAR), include_agreements=True
    )
    found = events(anniversary_calendar(report).data)
    assert [str(e["SUMMARY"]) for e in found if e.decoded("DTSTART").month == 11][:2] == [
        "Daegu–Ningbo: 10th friendship-city anniversary",  # 2012, before the upgrade
        "Daegu–Ningbo: 11th sister-city anniversary",  # 2013-11-20, after it
    ]
    long_kind = replace(report.rows[0], kind="friendship and cooperation city")
    assert summary(long_kind) == (
        "Daegu–Ningbo: 10th anniversary (friendship and cooperation city)"
    )
    assert summary(replace(report.rows[0], kind="partnership")) == (
        "Daegu–Ningbo: 10th partnership anniversary"
    )
    uids = [str(e["UID"]) for e in found]
    assert "daegu-ningbo-memorandum-2013-11-12-1@sisterctl" in uids
    assert "daegu-ningbo-memorandum-2013-11-12-1-2@sisterctl" in uids
    assert len(uids) == len(set(uids))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14d", dt.timedelta(days=14)),
        ("1W", dt.timedelta(weeks=1)),
        (" 6h ", dt.timedelta(hours=6)),
    ],
)
def test_parse_reminder(text: str, expected: dt.timedelta) -> None:
    assert parse_reminder(text) == expected


def test_parse_reminder_refuses_too_far() -> None:
    with pytest.raises(UsageError, match="too far"):
        parse_reminder("99999999999w")
