"""`sisterctl upcoming` and `sisterctl export ics`: anniversaries to plan for."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sisterctl.cli import printer
from sisterctl.cli.app import app, as_of_date, export_app, note, open_view, write_output
from sisterctl.cli.options import (
    AsOfOption,
    CityOption,
    CountryOption,
    FormatOption,
    FormulaGuardOption,
    HtmlOption,
    KindOption,
    OutputFormat,
    OutputOption,
    SvgOption,
    WidthOption,
)

if TYPE_CHECKING:
    from sisterctl.core.anniversaries import Span, UpcomingReport
    from sisterctl.interop.ics import CalendarExport


class LeapDayChoice(StrEnum):
    FEB28 = "feb28"
    MAR1 = "mar1"


MilestonesOption = Annotated[
    bool,
    typer.Option(
        "--milestones", help="Only the anniversaries people celebrate: the 1st and every 5th."
    ),
]
AgreementsOption = Annotated[
    bool,
    typer.Option(
        "--agreements",
        help="Also the anniversaries of agreements signed after the founding "
        "(a reaffirmation, a renewal, an upgrade...).",
    ),
]
AllOption = Annotated[
    bool,
    typer.Option("--all", "-a", help="Include ended ties (they are left out by default)."),
]
LeapDayOption = Annotated[
    LeapDayChoice | None,
    typer.Option(
        "--leap-day",
        case_sensitive=False,
        show_default=False,
        help="When a tie founded on 29 February is marked in common years: feb28 or mar1 "
        "(default: the registry's settings.leap_day, else feb28).",
    ),
]


def _report(
    ctx: typer.Context,
    *,
    as_of: str | None,
    span: Span,
    city: str | None,
    country: str | None,
    kind: str | None,
    milestones: bool,
    agreements: bool,
    include_ended: bool,
    leap_day: LeapDayChoice | None,
    limit: int | None = None,
) -> UpcomingReport:
    from sisterctl.core.query import Filters
    from sisterctl.model import LeapDay

    day = as_of_date(as_of)
    return open_view(ctx).upcoming(
        day,
        span,
        filters=Filters(city=city, country=country, kind=kind),
        include_agreements=agreements,
        include_ended=include_ended,
        milestones_only=milestones,
        leap_day=LeapDay(leap_day.value) if leap_day else None,
        limit=limit,
    )


@app.command("upcoming")
def upcoming_command(
    ctx: typer.Context,
    within: Annotated[
        str,
        typer.Option(
            "--within",
            "-w",
            metavar="LENGTH",
            help="How far ahead to look, counting the reference day: days (30), "
            "weeks (6w), calendar months (3m) or years (1y).",
        ),
    ] = "30",
    as_of: AsOfOption = None,
    city: CityOption = None,
    country: CountryOption = None,
    kind: KindOption = None,
    milestones: MilestonesOption = False,
    agreements: AgreementsOption = False,
    include_ended: AllOption = False,
    leap_day: LeapDayOption = None,
    output: FormatOption = OutputFormat.TABLE,
    formula_guard: FormulaGuardOption = True,
    svg: SvgOption = None,
    html: HtmlOption = None,
    width: WidthOption = 100,
) -> None:
    """List the anniversaries of ties coming up, soonest first.

    Example: sisterctl upcoming --within 3m --milestones
    """
    from sisterctl.core.anniversaries import UPCOMING_FIELDS, parse_span
    from sisterctl.errors import UsageError

    span = parse_span(within)
    if output is not OutputFormat.TABLE and (svg or html):
        raise UsageError("--svg and --html picture the table: leave out --format")
    report = _report(
        ctx,
        as_of=as_of,
        span=span,
        city=city,
        country=country,
        kind=kind,
        milestones=milestones,
        agreements=agreements,
        include_ended=include_ended,
        leap_day=leap_day,
    )
    if output is OutputFormat.TABLE:
        from sisterctl.output import tables

        printer.emit_view(tables.upcoming_view(report), svg=svg, html=html, width=width)
        return
    from sisterctl.output import plain

    rows = [row.as_dict() for row in report.rows]
    if output is OutputFormat.JSON:
        plain.write_json(rows, sys.stdout)
    elif output is OutputFormat.CSV:
        plain.write_csv(rows, UPCOMING_FIELDS, sys.stdout, formula_guard=formula_guard)
    else:
        plain.write_tsv(rows, UPCOMING_FIELDS, sys.stdout)


@export_app.command("ics")
def export_ics_command(
    ctx: typer.Context,
    years: Annotated[
        int,
        typer.Option(
            "--years", "-y", min=1, max=1000, help="How many years of anniversaries, from --as-of."
        ),
    ] = 10,
    as_of: AsOfOption = None,
    remind: Annotated[
        str | None,
        typer.Option(
            "--remind",
            metavar="TIME",
            show_default=False,
            help="Add a reminder this long before each anniversary: 14d, 2w, 12h.",
        ),
    ] = None,
    out: OutputOption = None,
    city: CityOption = None,
    country: CountryOption = None,
    kind: KindOption = None,
    milestones: MilestonesOption = False,
    agreements: AgreementsOption = False,
    include_ended: AllOption = False,
    leap_day: LeapDayOption = None,
) -> None:
    """Write the anniversaries of the coming years as an iCalendar file of all-day events.

    Re-importing a newer export updates the events rather than adding copies. Only
    anniversaries known to the day become events.

    Example: sisterctl export ics --years 10 --remind 14d -o anniversaries.ics
    """
    from sisterctl.core.anniversaries import Span, TooManyAnniversaries, Unit
    from sisterctl.errors import RefusedError
    from sisterctl.interop.ics import MAX_EVENTS, anniversary_calendar, parse_reminder

    reminder = parse_reminder(remind) if remind is not None else None
    try:
        report = _report(
            ctx,
            as_of=as_of,
            span=Span(years, Unit.YEAR),
            city=city,
            country=country,
            kind=kind,
            milestones=milestones,
            agreements=agreements,
            include_ended=include_ended,
            leap_day=leap_day,
            limit=MAX_EVENTS,
        )
    except TooManyAnniversaries:
        raise RefusedError(
            f"{years} years of anniversaries are more than {MAX_EVENTS:,} events, the most "
            "sisterctl writes in one calendar (and more than calendars import well): ask "
            "for fewer --years, or narrow it with --milestones, --city, --country or --kind"
        ) from None
    export = anniversary_calendar(report, remind=reminder)
    # The bytes as built (CRLF line ends, UTF-8), not re-encoded by the text layer.
    write_output(ctx, export.data, out)
    note(_summary(export, report, out))


def _summary(export: CalendarExport, report: UpcomingReport, out: Path | None) -> str:
    window = report.window
    events = "1 anniversary" if export.events == 1 else f"{export.events} anniversaries"
    line = f"{events} from {window.start} through {window.last}"
    if out is not None:
        line = f"wrote {line} to {out}"
    left_out = []
    if export.skipped:
        left_out.append(f"{export.skipped} known only to the month or year (an event needs a day)")
    if export.undated:
        ties = "1 tie" if export.undated == 1 else f"{export.undated} ties"
        left_out.append(f"{ties} with no known founding date")
    if left_out:
        line += "; left out " + " and ".join(left_out)
    return line
