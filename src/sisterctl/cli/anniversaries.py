"""`sisterctl upcoming` and `sisterctl export ics`: anniversaries to plan for."""

# Real annotations, not strings: Typer reads them (cli/startup.py).

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sisterctl.cli import printer
from sisterctl.cli.app import (
    app,
    as_of_date,
    export_app,
    not_empty,
    note,
    open_view,
    write_output,
)
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
    import datetime as dt

    from sisterctl.core.anniversaries import Listing, Span, UpcomingReport
    from sisterctl.core.query import Filters
    from sisterctl.interop.ics import CalendarExport
    from sisterctl.store.view import View
    from sisterctl.terms import LeapDay


class LeapDayChoice(StrEnum):
    FEB28 = "feb28"
    MAR1 = "mar1"


class ImpreciseChoice(StrEnum):
    """interop.ics.Imprecise, for Typer (which the CLI alone imports)."""

    YEAR = "year"
    MONTH = "month"
    NONE = "none"


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
    span: "Span",
    city: str | None,
    country: str | None,
    kind: str | None,
    milestones: bool,
    agreements: bool,
    include_ended: bool,
    leap_day: LeapDayChoice | None,
    limit: int | None = None,
    lapsed_for: int | None = None,
) -> "UpcomingReport":
    view, day, filters, rule = _asked(ctx, as_of, city, country, kind, leap_day)
    return view.upcoming(
        day,
        span,
        filters=filters,
        include_agreements=agreements,
        include_ended=include_ended,
        milestones_only=milestones,
        leap_day=rule,
        limit=limit,
        lapsed_for=lapsed_for,
    )


def _asked(
    ctx: typer.Context,
    as_of: str | None,
    city: str | None,
    country: str | None,
    kind: str | None,
    leap_day: LeapDayChoice | None,
) -> "tuple[View, dt.date, Filters, LeapDay | None]":
    """What `upcoming` and `export ics` ask the registry with: its view, the reference
    day, the filters and the leap-day rule, from their options."""
    from sisterctl.core.query import Filters
    from sisterctl.terms import LeapDay

    rule = LeapDay(leap_day.value) if leap_day else None
    return open_view(ctx), as_of_date(as_of), Filters(city=city, country=country, kind=kind), rule


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
    from sisterctl.core.listing import UPCOMING_FIELDS
    from sisterctl.core.windows import parse_span
    from sisterctl.errors import UsageError

    span = parse_span(within)
    if output is not OutputFormat.TABLE and (svg or html):
        raise UsageError("--svg and --html picture the table: leave out --format")
    report: UpcomingReport | Listing
    if agreements:
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
    else:
        # The founding anniversaries alone: the index answers without model records.
        view, day, filters, rule = _asked(ctx, as_of, city, country, kind, leap_day)
        report = view.listing(
            day,
            span,
            filters=filters,
            include_ended=include_ended,
            milestones_only=milestones,
            leap_day=rule,
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
    imprecise: Annotated[
        ImpreciseChoice,
        typer.Option(
            "--imprecise",
            case_sensitive=False,
            help="Anniversaries not known to the day: 'year' shows those known to the "
            "month as events spanning it and those known to the year as a note on "
            "1 January; 'month' only the first; 'none' neither.",
        ),
    ] = ImpreciseChoice.YEAR,
    cancelled_for: Annotated[
        int,
        typer.Option(
            "--cancelled-for",
            metavar="DAYS",
            min=0,
            max=100_000,
            help="For this many days after a tie ends or is suspended, keep its later "
            "anniversaries as cancelled events, so that calendars remove them.",
        ),
    ] = 365,
    name: Annotated[
        str,
        typer.Option(
            "--name", callback=not_empty, help="The calendar's name, as calendars list it."
        ),
    ] = "Sister-city anniversaries",
    refresh: Annotated[
        str,
        typer.Option(
            "--refresh",
            metavar="TIME",
            help="How often a subscribed calendar should be fetched again: 1d, 12h, 1w.",
        ),
    ] = "1d",
    out: OutputOption = None,
    city: CityOption = None,
    country: CountryOption = None,
    kind: KindOption = None,
    milestones: MilestonesOption = False,
    agreements: AgreementsOption = False,
    include_ended: AllOption = False,
    leap_day: LeapDayOption = None,
) -> None:
    """Write the anniversaries of the coming years as an iCalendar file or feed.

    One all-day event each: on its day, spanning its month, or on 1 January
    of its year, as precisely as the registry knows it. Re-importing a newer
    export updates the events rather than adding copies; the anniversaries of
    a tie that ended or was suspended are kept for a while as cancelled, so
    that calendars remove them.

    Example: sisterctl export ics --years 10 --remind 14d -o anniversaries.ics
    """
    from sisterctl.core.anniversaries import Span, TooManyAnniversaries, Unit
    from sisterctl.errors import RefusedError
    from sisterctl.interop.ics import (
        MAX_EVENTS,
        Imprecise,
        anniversary_calendar,
        parse_refresh,
        parse_reminder,
    )

    reminder = parse_reminder(remind) if remind is not None else None
    interval = parse_refresh(refresh)
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
            lapsed_for=cancelled_for,
        )
    except TooManyAnniversaries:
        raise RefusedError(
            f"{years} years of anniversaries are more than {MAX_EVENTS:,} events, the most "
            "sisterctl writes in one calendar (and more than calendars import well): ask "
            "for fewer --years, or narrow it with --milestones, --city, --country or --kind"
        ) from None
    export = anniversary_calendar(
        report,
        remind=reminder,
        imprecise=Imprecise(imprecise.value),
        name=name,
        refresh=interval,
    )
    # The bytes as built (CRLF line ends, UTF-8), not re-encoded by the text layer.
    write_output(ctx, export.data, out)
    note(_summary(export, report, out, imprecise))


def _summary(
    export: "CalendarExport",
    report: "UpcomingReport",
    out: Path | None,
    imprecise: ImpreciseChoice,
) -> str:
    window = report.window
    live = export.events - export.cancelled
    events = "1 anniversary" if live == 1 else f"{live} anniversaries"
    if not export.events:
        events = "no anniversaries (an empty calendar)"
    if export.cancelled:
        events += f" and {export.cancelled} cancelled (of ties ended or suspended)"
    line = f"{events} from {window.start} through {window.last}"
    if out is not None:
        line = f"wrote {line} to {out}"
    kept = []
    if export.months:
        kept.append(f"{export.months} known only to the month, spanning it")
    if export.years:
        kept.append(f"{export.years} known only to the year, on 1 January")
    if kept:
        line += " (" + "; ".join(kept) + ")"
    left_out = []
    if export.skipped:
        shows = "month or year" if imprecise is ImpreciseChoice.NONE else "year"
        left_out.append(f"{export.skipped} known only to the {shows} (see --imprecise)")
    if export.undated:
        ties = "1 tie" if export.undated == 1 else f"{export.undated} ties"
        left_out.append(f"{ties} with no known founding date")
    if left_out:
        line += "; left out " + " and ".join(left_out)
    return line
