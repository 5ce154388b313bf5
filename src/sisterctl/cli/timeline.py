"""`sisterctl timeline` and `sisterctl stats`."""

# Real annotations, not strings: Typer reads them (cli/startup.py).
import sys
from pathlib import Path
from typing import Annotated

import typer

from sisterctl.cli import printer
from sisterctl.cli.app import app, as_of_date, open_registry, state
from sisterctl.cli.options import (
    AsOfOption,
    CityOption,
    CountryOption,
    FieldOption,
    HtmlOption,
    KindOption,
    SinceOption,
    StatusOption,
    SvgOption,
    UntilOption,
    ViewFormat,
    ViewFormatOption,
    WidthOption,
    tie_filters,
)


@app.command("timeline")
def timeline_command(
    ctx: typer.Context,
    tie: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="TIE",
            show_default=False,
            help="The tie's id (taipei-daegu) or its two cities (Taipei Daegu).",
        ),
    ] = None,
    city: Annotated[
        str | None,
        typer.Option(
            "--city",
            "-c",
            show_default=False,
            help="Instead of one tie, every tie of this city in the order they were founded; "
            "its id, name, alias or local name.",
        ),
    ] = None,
    output: ViewFormatOption = ViewFormat.TABLE,
    as_of: AsOfOption = None,
    svg: SvgOption = None,
    html: HtmlOption = None,
    width: WidthOption = 100,
) -> None:
    """Show the life of a tie in date order, or a city's ties over time.

    A tie's timeline: its founding, agreements (planned ones marked), exchanges,
    milestone anniversaries passed (1st, 5th, 10th, ...), the next anniversary ahead,
    suspensions and endings, grouped by year; undated events come last.

    Example: sisterctl timeline taipei-daegu --as-of 2021-12-31
    """
    from sisterctl.core.query import find_tie
    from sisterctl.core.timeline import city_network, find_city, tie_timeline
    from sisterctl.errors import UsageError
    from sisterctl.output import render, serialize

    if bool(tie) == bool(city):
        raise UsageError(
            "name one tie (timeline taipei-daegu) or one city (timeline --city Taipei)"
        )
    _no_picture(output, svg, html)
    registry = open_registry(ctx)
    day = as_of_date(as_of)
    if city:
        network = city_network(registry, find_city(registry, city), day)
        if output is ViewFormat.JSON:
            return _print_json(serialize.network_dict(network))
        view, title = render.network_view(network), render.network_title(network)
    else:
        found = find_tie(registry, tie or [])
        timeline = tie_timeline(registry, found, day)
        if output is ViewFormat.JSON:
            return _print_json(serialize.timeline_dict(timeline))
        view = render.timeline_view(timeline, links=printer.hyperlinks())
        title = found.title
    printer.emit(view, svg=svg, html=html, width=width, title=title, page=state(ctx).pager)


def _no_picture(output: ViewFormat, svg: Path | None, html: Path | None) -> None:
    if output is not ViewFormat.TABLE and (svg is not None or html is not None):
        from sisterctl.errors import UsageError

        raise UsageError("--svg and --html picture what is shown: leave out --format")


def _print_json(data: object) -> None:
    from sisterctl.output import plain

    plain.write_json(data, sys.stdout)


@app.command("stats")
def stats_command(
    ctx: typer.Context,
    city: CityOption = None,
    country: CountryOption = None,
    kind: KindOption = None,
    status: StatusOption = None,
    field: FieldOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    top: Annotated[
        int, typer.Option("--top", min=1, help="How many countries, cities and kinds to rank.")
    ] = 10,
    output: ViewFormatOption = ViewFormat.TABLE,
    as_of: AsOfOption = None,
    svg: SvgOption = None,
    html: HtmlOption = None,
    width: WidthOption = 100,
) -> None:
    """Show the registry at a glance, as charts; filters as `list` does.

    Ties per decade, top countries and cities, kinds, statuses, and how precisely
    founding dates are known.

    Example: sisterctl stats --country KR
    """
    from sisterctl.core.query import select
    from sisterctl.core.stats import registry_stats
    from sisterctl.output import render

    filters = tie_filters(
        city=city, country=country, kind=kind, status=status, field=field, since=since, until=until
    )
    _no_picture(output, svg, html)
    registry = open_registry(ctx)
    stats = registry_stats(registry, select(registry, filters), as_of_date(as_of), top=top)
    if output is ViewFormat.JSON:
        from sisterctl.output.serialize import stats_dict

        return _print_json(stats_dict(stats))
    printer.emit(render.stats_view(stats), svg=svg, html=html, width=width, title="sisterctl stats")
