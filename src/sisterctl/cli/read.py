"""`sisterctl list` and `sisterctl show`."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sisterctl.cli import printer
from sisterctl.cli.app import app, as_of_date, note, open_registry
from sisterctl.cli.options import (
    AsOfOption,
    CityOption,
    CountryOption,
    FieldOption,
    FormatOption,
    HtmlOption,
    KindOption,
    OutputFormat,
    SinceOption,
    StatusOption,
    SvgOption,
    UntilOption,
    WidthOption,
    tie_filters,
)


class SortChoice(StrEnum):
    """`query.SortKey` again, for Typer: importing the core here would slow every
    command's start-up (a test holds the two equal)."""

    ESTABLISHED = "established"
    CITY = "city"
    COUNTRY = "country"
    KIND = "kind"
    STATUS = "status"
    ID = "id"


@app.command("list")
def list_command(
    ctx: typer.Context,
    city: CityOption = None,
    country: CountryOption = None,
    kind: KindOption = None,
    status: StatusOption = None,
    field: FieldOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    sort: Annotated[
        SortChoice, typer.Option("--sort", case_sensitive=False, help="Order of the rows.")
    ] = SortChoice.ESTABLISHED,
    output: FormatOption = OutputFormat.TABLE,
    as_of: AsOfOption = None,
    svg: SvgOption = None,
    html: HtmlOption = None,
    width: WidthOption = 100,
) -> None:
    """List partnerships, oldest first.

    Example: sisterctl list --city Taipei --since 2010
    """
    from sisterctl.core.query import SortKey, select, sort_ties
    from sisterctl.output.serialize import LIST_FIELDS, list_rows

    filters = tie_filters(
        city=city, country=country, kind=kind, status=status, field=field, since=since, until=until
    )
    registry = open_registry(ctx)
    ties = sort_ties(registry, select(registry, filters), SortKey(sort.value))
    rows = list_rows(registry, ties, as_of_date(as_of))
    if output is OutputFormat.TABLE:
        from sisterctl.output import tables

        if not rows:
            # A table of headers alone says nothing; say why it is empty.
            note(
                "no tie matches these filters"
                if registry.partnerships
                else "the registry holds no ties yet: record one with 'sisterctl add "
                "partnership' or bring some in with 'sisterctl import'"
            )
            if svg is None and html is None:
                return
        printer.emit_view(tables.list_table(rows), svg=svg, html=html, width=width)
        return
    _no_picture(svg, html)
    _write_plain(output, [row.as_dict() for row in rows], LIST_FIELDS)


def _no_picture(svg: Path | None, html: Path | None) -> None:
    """Pictures are of what a person sees: the table, not the data for scripts."""
    if svg is not None or html is not None:
        from sisterctl.errors import UsageError

        raise UsageError("--svg and --html picture the table: leave out --format")


def _write_plain(
    output: OutputFormat, rows: list[dict[str, object]], fields: tuple[str, ...]
) -> None:
    from sisterctl.output import plain

    if output is OutputFormat.JSON:
        plain.write_json(rows, sys.stdout)
    elif output is OutputFormat.CSV:
        plain.write_csv(rows, fields, sys.stdout)
    else:
        plain.write_tsv(rows, fields, sys.stdout)


@app.command("show")
def show_command(
    ctx: typer.Context,
    tie: Annotated[
        list[str],
        typer.Argument(
            metavar="TIE",
            show_default=False,
            help="The tie's id (taipei-daegu) or its two cities (Taipei Daegu).",
        ),
    ],
    output: FormatOption = OutputFormat.TABLE,
    as_of: AsOfOption = None,
    svg: SvgOption = None,
    html: HtmlOption = None,
    width: WidthOption = 100,
) -> None:
    """Show everything about one tie: cities, agreements, exchanges, notes, sources.

    Example: sisterctl show taipei-daegu
    """
    from sisterctl.core.query import find_tie
    from sisterctl.errors import UsageError

    registry = open_registry(ctx)
    found = find_tie(registry, tie)
    day = as_of_date(as_of)
    if output is OutputFormat.TABLE:
        from sisterctl.output import render

        printer.emit(
            render.tie_view(registry, found, day),
            svg=svg,
            html=html,
            width=width,
            title=found.title,
        )
        return
    _no_picture(svg, html)
    if output is OutputFormat.JSON:
        from sisterctl.output import plain
        from sisterctl.output.serialize import tie_detail

        plain.write_json(tie_detail(registry, found, day), sys.stdout)
    else:
        raise UsageError("show prints a table or JSON (--format json)")
