"""`sisterctl import csv|wikidata|json` and `sisterctl export csv|json|geojson`."""

# Real annotations, not strings: Typer reads them (cli/startup.py).
import stat
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sisterctl.cli import printer
from sisterctl.cli.app import (
    a_file,
    as_of_date,
    cli_words,
    export_app,
    import_app,
    location,
    lock_timeout,
    not_empty,
    note,
    open_registry,
    refuse_the_registry,
    writable_path,
    write_output,
    writing_files,
)
from sisterctl.cli.app import gazetteer as gazetteer_of
from sisterctl.cli.options import (
    AsOfOption,
    CityOption,
    CountryOption,
    FieldOption,
    FormulaGuardOption,
    OutputOption,
    SinceOption,
    StatusOption,
    UntilOption,
    tie_filters,
)
from sisterctl.cli.options import KindOption as TieKindOption

if TYPE_CHECKING:
    from sisterctl.interop.json_io import Incoming
    from sisterctl.interop.plan import Outcome, Progress, Reading
    from sisterctl.model import Registry


class SummaryFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


FileArgument = Annotated[
    str,
    typer.Argument(
        metavar="FILE",
        show_default=False,
        callback=not_empty,
        help="The file to import; - reads standard input.",
    ),
]
DryRunOption = Annotated[
    bool,
    typer.Option("--dry-run", "-n", help="Say what would be added and skipped, and write nothing."),
]
ShowSkippedOption = Annotated[
    int,
    typer.Option(
        "--show-skipped",
        metavar="N",
        min=0,
        help="List the first N skipped rows with their reasons (--format json lists all).",
    ),
]
SummaryOption = Annotated[
    SummaryFormat,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="text for people, json for scripts: the summary of what was done.",
    ),
]
KindOption = Annotated[
    str | None,
    typer.Option(
        "--kind",
        "-k",
        show_default=False,
        callback=not_empty,
        help="The kind of tie for rows that give none ('sister city', 'friendship city'...).",
    ),
]
NoGeocodeOption = Annotated[
    bool,
    typer.Option(
        "--no-geocode",
        help="Give new cities no coordinates from the gazetteer (those in the file are kept).",
    ),
]
PROGRESS_FROM = 1000  # ties in a file from which a progress bar is worth showing


# ---------------------------------------------------------------------------
# Import


@import_app.command("csv")
def import_csv(
    ctx: typer.Context,
    file: FileArgument,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            "-m",
            metavar="FIELD=COLUMN",
            show_default=False,
            help="Read FIELD from the column named COLUMN (established=date_signed); "
            "repeat for more fields.",
        ),
    ] = None,
    kind: KindOption = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="URL",
            show_default=False,
            callback=not_empty,
            help="A source for every tie whose row gives none (where the list comes from).",
        ),
    ] = None,
    dry_run: DryRunOption = False,
    show_skipped: ShowSkippedOption = 10,
    output: SummaryOption = SummaryFormat.TEXT,
    no_geocode: NoGeocodeOption = False,
) -> None:
    """Import ties from a CSV file of city pairs (city1, country1, city2, country2).

    Optional columns are read when present: established, kind, status, source, and
    lat1/lng1/lat2/lng2. Ties already in the registry, in either order, are not added
    again; rows that cannot be placed are skipped and reported by line.

    Example: sisterctl import csv twin_cities_raw.csv --dry-run
    """
    from sisterctl.interop import csv_import

    options = csv_import.Options(csv_import.parse_mapping(mapping or []), kind, source)
    name, text = _read_input(file)
    reading = csv_import.read(text, name, options)
    _import(
        ctx,
        name,
        reading,
        dry_run=dry_run,
        show_skipped=show_skipped,
        output=output,
        geocode=not no_geocode,
    )


@import_app.command("wikidata")
def import_wikidata(
    ctx: typer.Context,
    file: FileArgument,
    kind: KindOption = None,
    dry_run: DryRunOption = False,
    show_skipped: ShowSkippedOption = 10,
    output: SummaryOption = SummaryFormat.TEXT,
    no_geocode: NoGeocodeOption = False,
) -> None:
    """Import ties from Wikidata query results (JSON), with their start and end times.

    The file holds the results of the SPARQL query in the README: "twinned
    administrative body" (P190), with its start (P580) and end (P582) times.

    Example: sisterctl import wikidata query.json --dry-run
    """
    from dataclasses import replace

    from sisterctl.interop import wikidata

    name, text = _read_input(file)
    reading = wikidata.read(text, name)
    if kind:
        reading = replace(
            reading, candidates=tuple(replace(c, kind=kind) for c in reading.candidates)
        )
    _import(
        ctx,
        name,
        reading,
        dry_run=dry_run,
        show_skipped=show_skipped,
        output=output,
        geocode=not no_geocode,
    )


@import_app.command("json")
def import_json(
    ctx: typer.Context,
    file: FileArgument,
    dry_run: DryRunOption = False,
    show_skipped: ShowSkippedOption = 10,
    output: SummaryOption = SummaryFormat.TEXT,
    no_geocode: NoGeocodeOption = False,
) -> None:
    """Import a registry written by 'sisterctl export json', to move or merge it.

    Into an empty registry it moves the registry; into one with records it merges them.

    Example: sisterctl import json registry.json --dry-run
    """
    from sisterctl.interop import json_io

    name, text = _read_input(file)
    incoming = json_io.read(text, name)
    _import(
        ctx,
        name,
        incoming,
        dry_run=dry_run,
        show_skipped=show_skipped,
        output=output,
        geocode=not no_geocode,
    )


def _read_input(name: str) -> tuple[str, str]:
    """The name to report and the UTF-8 text of FILE (`-`: standard input)."""
    from sisterctl.errors import RefusedError
    from sisterctl.interop.plan import decode_text

    if name == "-":
        return "<stdin>", decode_text(sys.stdin.buffer.read(), "<stdin>")
    file = Path(name)
    try:
        mode = file.stat().st_mode
        # A file, or a pipe (`import csv <(curl ...)`); a device such as /dev/zero
        # never ends, and waiting on a terminal is what `-` is for.
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
            from sisterctl.store.atomic import describe_mode

            raise RefusedError(
                f"{file}: is {describe_mode(mode)}, not a file (- reads standard input)"
            )
        data = file.read_bytes()
    except FileNotFoundError:
        raise RefusedError(f"{file}: no such file") from None
    except IsADirectoryError:
        raise RefusedError(f"{file}: is a directory, not a file") from None
    except OSError as exc:
        raise RefusedError(f"{file}: cannot read it: {exc.strerror or exc}") from None
    return str(file), decode_text(data, str(file))


def _import(
    ctx: typer.Context,
    name: str,
    read: "Reading | Incoming",
    *,
    dry_run: bool,
    show_skipped: int,
    output: SummaryFormat,
    geocode: bool = True,
) -> None:
    """Add what was read to the registry, in one locked, atomic, verified write, and
    say what was done. New cities without coordinates get them from the gazetteer,
    unless `geocode` is False."""
    from sisterctl import store as registry_file
    from sisterctl.interop import json_io
    from sisterctl.interop.plan import Reading, place_ties
    from sisterctl.output import render

    gazetteer = gazetteer_of() if geocode else None

    def place(held: "Registry", progress: "Progress") -> "Outcome":
        if isinstance(read, Reading):
            return place_ties(held, read, progress=progress, gazetteer=gazetteer)
        return json_io.place(held, read, progress=progress, gazetteer=gazetteer)

    size = len(read.candidates) if isinstance(read, Reading) else len(read.registry.partnerships)

    path = location(ctx).path if dry_run else writable_path(ctx)
    outcomes: list[Outcome] = []
    with printer.progress(enabled=size >= PROGRESS_FROM) as display:
        display.phase("Reading the registry")

        def plan(registry: "Registry") -> list[tuple[str, dict[str, Any]]]:
            display.phase("Placing ties", size)
            outcome = place(registry, display.advance)
            outcomes[:] = [outcome]
            display.phase("Writing and checking the registry")
            return outcome.records

        appended = registry_file.append(
            path, plan, dry_run=dry_run, lock_timeout=lock_timeout(), index=True
        )
    outcome = outcomes[0]
    if output is SummaryFormat.JSON:
        from sisterctl.interop.plan import summary_dict
        from sisterctl.output import plain

        summary = summary_dict(
            outcome,
            source=name,
            registry=str(path),
            dry_run=dry_run,
            written=appended.written,
            words=cli_words,
        )
        plain.write_json(summary, sys.stdout)
        return
    printer.emit(
        render.import_summary(
            outcome,
            source=name,
            written=appended.written,
            dry_run=dry_run,
            show=show_skipped,
            words=cli_words,
        )
    )


# ---------------------------------------------------------------------------
# Export


@export_app.command("csv")
def export_csv(
    ctx: typer.Context,
    output: OutputOption = None,
    bom: Annotated[
        bool,
        typer.Option(
            "--bom",
            help="Begin with a UTF-8 byte-order mark, which Excel needs to read accents "
            "and non-Latin names.",
        ),
    ] = False,
    formula_guard: FormulaGuardOption = True,
    city: CityOption = None,
    country: CountryOption = None,
    kind: TieKindOption = None,
    status: StatusOption = None,
    field: FieldOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
) -> None:
    """Write one row per tie as CSV, safe to open in a spreadsheet.

    A cell that would start a formula (=, +, -, @) begins with a single quote, unless
    --no-formula-guard. The filters of 'list' choose the ties (all of them by default).

    Example: sisterctl export csv --country KR -o ties.csv
    """
    from sisterctl.core.query import select
    from sisterctl.interop import csv_export

    filters = tie_filters(
        city=city, country=country, kind=kind, status=status, field=field, since=since, until=until
    )
    registry = open_registry(ctx)
    text = csv_export.to_csv(registry, select(registry, filters), formula_guard=formula_guard)
    write_output(ctx, (("\ufeff" if bom else "") + text).encode("utf-8"), output)


@export_app.command("json")
def export_json(ctx: typer.Context, output: OutputOption = None) -> None:
    """Write the whole registry as JSON, for scripts and for 'sisterctl import json'.

    The format is documented in docs/json-format.md.

    Example: sisterctl export json -o registry.json
    """
    from sisterctl.interop import json_io

    write_output(ctx, _json_text(json_io.export(open_registry(ctx))), output)


@export_app.command("geojson")
def export_geojson(ctx: typer.Context, output: OutputOption = None) -> None:
    """Write a GeoJSON map: a line between the two cities of each tie.

    Ties whose cities lack coordinates (lat, lon) are left out, and counted.

    Example: sisterctl export geojson -o ties.geojson
    """
    from sisterctl.interop import geojson

    result = geojson.feature_collection(open_registry(ctx))
    write_output(ctx, geojson.to_text(result.collection).encode("utf-8"), output)
    if result.left_out:
        ties = "1 tie" if result.left_out == 1 else f"{result.left_out:,} ties"
        note(f"{ties} left out: a city has no coordinates (lat, lon)")


def _json_text(data: Any) -> bytes:
    from sisterctl.output.plain import json_text

    return (json_text(data) + "\n").encode("utf-8")


@export_app.command("sqlite")
def export_sqlite(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            show_default=False,
            dir_okay=False,
            callback=a_file,
            help="The database to write (replaced whole, if it is one already).",
        ),
    ],
    as_of: AsOfOption = None,
) -> None:
    """Write the registry as an SQLite database, for Datasette, sqlite3 and pandas.

    Tables of cities, partnerships, agreements, signatories, fields, exchanges, status
    changes and the year's anniversaries from --as-of, with keys, full-text search and
    the views ties, city_ties and upcoming_anniversaries (see the README).

    Example: sisterctl export sqlite ties.db && datasette ties.db
    """
    from sisterctl.errors import RefusedError, UsageError
    from sisterctl.interop import sqlite
    from sisterctl.store import atomic

    where = atomic.destination(file)  # refuses a folder, a socket, a loop of links...
    if where.kind is not atomic.Kind.FILE:
        raise UsageError(
            f"a database is a file, not {file}: name one (sisterctl export sqlite ties.db)"
        )
    refuse_the_registry(ctx, file, "FILE")
    _refuse_to_replace_what_is_no_database(where.path)
    registry = open_registry(ctx)
    day = as_of_date(as_of)
    written: list[sqlite.Written] = []
    writing_files()
    try:
        atomic.replace_by(where.path, lambda tmp: written.append(sqlite.write(tmp, registry, day)))
    except OSError as exc:
        raise RefusedError(f"cannot write {file}: {exc.strerror or exc}") from None
    rows = written[0].rows
    ties = "1 tie" if rows["partnerships"] == 1 else f"{rows['partnerships']:,} ties"
    cities = "1 city" if rows["cities"] == 1 else f"{rows['cities']:,} cities"
    line = f"wrote {ties} between {cities} to {file}"
    if not written[0].full_text:
        line += " (without full-text search: this SQLite has no FTS5)"
    note(line)


def _refuse_to_replace_what_is_no_database(file: Path) -> None:
    """`export sqlite notes.txt` by mistake must not replace the notes."""
    from sisterctl.errors import RefusedError
    from sisterctl.interop.sqlite import HEADER

    try:
        with file.open("rb") as handle:
            start = handle.read(len(HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise RefusedError(f"cannot write {file}: {exc.strerror or exc}") from None
    if start and start != HEADER:
        raise RefusedError(
            f"{file} is not an SQLite database, and sisterctl replaces only a database: "
            "name another file, or remove this one first"
        )


@export_app.command("quickstatements")
def export_quickstatements(
    ctx: typer.Context,
    output: OutputOption = None,
    city: CityOption = None,
    country: CountryOption = None,
    kind: TieKindOption = None,
    status: StatusOption = None,
    field: FieldOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
) -> None:
    """Write QuickStatements commands that add the ties to Wikidata, with their sources.

    Each tie whose two cities have a Wikidata id (the city key wikidata) becomes
    "twinned administrative body" (P190) on both items, with its start (P580) and end
    (P582) times at their precision and each source as a reference URL (P854). Paste
    the commands into https://quickstatements.toolforge.org and review them there.

    Example: sisterctl export quickstatements --city Taipei -o taipei.qs
    """
    from sisterctl.core.query import select
    from sisterctl.interop import quickstatements

    filters = tie_filters(
        city=city, country=country, kind=kind, status=status, field=field, since=since, until=until
    )
    registry = open_registry(ctx)
    result = quickstatements.commands(registry, select(registry, filters))
    write_output(ctx, result.text.encode("utf-8"), output)
    ties = "1 tie" if result.ties == 1 else f"{result.ties:,} ties"
    line = f"{ties} as {result.statements:,} P190 statements"
    if result.left_out:
        left = "1 tie" if result.left_out == 1 else f"{result.left_out:,} ties"
        line += f"; {left} left out: a city has no Wikidata id (the city key wikidata)"
    note(line)
