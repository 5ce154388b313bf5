"""`sisterctl list` and `sisterctl show`."""

# Real annotations, not strings: Typer reads them (cli/startup.py).
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sisterctl.cli import printer
from sisterctl.cli.app import app, as_of_date, not_empty, note, open_view, state
from sisterctl.cli.options import (
    AsOfOption,
    CityOption,
    CountryOption,
    FieldOption,
    FormatOption,
    FormulaGuardOption,
    HtmlOption,
    KindOption,
    OutputFormat,
    SinceOption,
    StatusOption,
    SvgOption,
    UntilOption,
    WidthOption,
    chosen_fields,
    tie_filters,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sisterctl.model import Registry
    from sisterctl.output.rows import FactsRow, ListRow


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
    fields: Annotated[
        str | None,
        typer.Option(
            "--fields",
            metavar="A,B,...",
            show_default=False,
            callback=not_empty,
            help="The columns of --format json, csv or tsv, in this order (default: id, "
            "city_a, country_a, city_b, country_b, kind, established, precision, years, "
            "status); also city_a_id, local_name_a, country_a_name (and _b), kind_as_founded, "
            "years_max, status_date, status_reason, fields, notes, sources, lat_a, lon_a, "
            "lat_b, lon_b.",
        ),
    ] = None,
    formula_guard: FormulaGuardOption = True,
    as_of: AsOfOption = None,
    svg: SvgOption = None,
    html: HtmlOption = None,
    width: WidthOption = 100,
) -> None:
    """List partnerships, oldest first.

    Example: sisterctl list --city Taipei --since 2010
    """
    from sisterctl.core.query import SortKey, select, sort_facts, sort_ties
    from sisterctl.output.rows import (
        LIST_ALL_FIELDS,
        LIST_FIELDS,
        facts_list_rows,
        list_dicts,
        list_rows,
    )

    columns = chosen_fields(fields, LIST_ALL_FIELDS, LIST_FIELDS)
    if fields is not None and output is OutputFormat.TABLE:
        from sisterctl.errors import UsageError

        raise UsageError("--fields chooses the columns of --format json, csv or tsv")
    filters = tie_filters(
        city=city, country=country, kind=kind, status=status, field=field, since=since, until=until
    )
    view = open_view(ctx)
    day = as_of_date(as_of)
    # The columns of a table or of the default fields: from the ties' facts in the
    # index, without a model record, when the filters need no records to decide.
    facts = view.list_facts(filters) if set(columns) <= set(LIST_FIELDS) else None
    registry: Registry | None
    rows: Sequence[ListRow | FactsRow]
    if facts is not None:
        registry = None
        rows = facts_list_rows(sort_facts(facts, SortKey(sort.value)), day)
    else:
        registry = view.select(filters)
        ties = sort_ties(registry, select(registry, filters), SortKey(sort.value))
        rows = list_rows(registry, ties, day)
    if output is OutputFormat.TABLE:
        from sisterctl.output import tables

        if not rows:
            # A table of headers alone says nothing; say why it is empty.
            note(
                "no tie matches these filters"
                if view.tie_count()
                else "the registry holds no ties yet: record one with 'sisterctl add "
                "partnership' or bring some in with 'sisterctl import'"
            )
            if svg is None and html is None:
                return
        printer.emit_view(
            tables.list_table(rows), svg=svg, html=html, width=width, page=state(ctx).pager
        )
        return
    _no_picture(svg, html)
    _write_plain(output, list_dicts(registry, rows, columns), columns, formula_guard=formula_guard)


def _no_picture(svg: Path | None, html: Path | None) -> None:
    """Pictures are of what a person sees: the table, not the data for scripts."""
    if svg is not None or html is not None:
        from sisterctl.errors import UsageError

        raise UsageError("--svg and --html picture the table: leave out --format")


def _write_plain(
    output: OutputFormat,
    rows: list[dict[str, object]],
    fields: tuple[str, ...],
    *,
    formula_guard: bool = True,
) -> None:
    from sisterctl.output import plain

    if output is OutputFormat.JSON:
        plain.write_json(rows, sys.stdout)
    elif output is OutputFormat.CSV:
        plain.write_csv(rows, fields, sys.stdout, formula_guard=formula_guard)
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
    from sisterctl.errors import UsageError

    registry, found = open_view(ctx).find(tie)
    day = as_of_date(as_of)
    if output is OutputFormat.TABLE:
        from sisterctl.output import render

        printer.emit(
            render.tie_view(registry, found, day, links=printer.hyperlinks()),
            svg=svg,
            html=html,
            width=width,
            title=found.title,
            page=state(ctx).pager,
        )
        return
    _no_picture(svg, html)
    if output is OutputFormat.JSON:
        from sisterctl.output import plain
        from sisterctl.output.serialize import tie_detail

        plain.write_json(tie_detail(registry, found, day), sys.stdout)
    else:
        raise UsageError("show prints a table or JSON (--format json)")
