"""`sisterctl geocode` (coordinates from the gazetteer) and `sisterctl map` (a picture
of where the ties reach)."""

# Real annotations, not strings: Typer reads them (cli/startup.py).
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sisterctl.cli.app import (
    a_file,
    app,
    as_of_date,
    cli_words,
    lock_timeout,
    not_empty,
    open_registry,
    today,
    writable_path,
    write_output,
)
from sisterctl.cli.app import gazetteer as gazetteer_of
from sisterctl.cli.options import (
    AsOfOption,
    CountryOption,
    FieldOption,
    KindOption,
    SinceOption,
    StatusOption,
    UntilOption,
    dry_run_option,
    geonames_option,
    tie_filters,
)
from sisterctl.errors import render_parts

if TYPE_CHECKING:
    from sisterctl.core.geocode import GeocodePlan
    from sisterctl.model import Registry


def _message(text: str) -> None:
    from sisterctl.text import safe_display

    sys.stderr.write(safe_display(text) + "\n")
    sys.stderr.flush()


# ---------------------------------------------------------------------------
# geocode


@app.command("geocode")
def geocode_command(
    ctx: typer.Context,
    city: Annotated[
        str | None,
        typer.Option(
            "--city",
            "-c",
            metavar="NAME",
            show_default=False,
            callback=not_empty,
            help="Only this city (its id, name, alias or local name).",
        ),
    ] = None,
    geonames: Annotated[
        int | None,
        geonames_option(
            "With --city: take the gazetteer's place with this GeoNames id (to "
            "choose among several of one name)."
        ),
    ] = None,
    lat: Annotated[
        float | None,
        typer.Option(
            "--lat", metavar="DEGREES", show_default=False, help="With --city and --lon: by hand."
        ),
    ] = None,
    lon: Annotated[
        float | None,
        typer.Option(
            "--lon", metavar="DEGREES", show_default=False, help="With --city and --lat: by hand."
        ),
    ] = None,
    dry_run: Annotated[
        bool, dry_run_option("Print the keys that would be added; write nothing.")
    ] = False,
) -> None:
    """Fill in the coordinates of cities that have none, from the GeoNames gazetteer.

    A city gets lat, lon and its GeoNames id when its name and country match exactly
    one place; when several match, none is taken and they are listed, to choose from
    with --city NAME --geonames ID. Cities it could not place are reported.

    Example: sisterctl geocode --city Perth --geonames 2063523
    """
    from sisterctl.core.geocode import GeocodeRequest, plan_geocode
    from sisterctl.store.edit import add_city_keys

    request = GeocodeRequest(city=city, geonames=geonames, lat=lat, lon=lon)
    by_hand = lat is not None or lon is not None
    gazetteer = None if by_hand else gazetteer_of(required=True)
    plans: list[GeocodePlan] = []

    def plan(registry: "Registry") -> dict[str, dict[str, object]]:
        made = plan_geocode(registry, gazetteer, request)
        plans[:] = [made]
        return made.changes

    path = writable_path(ctx)
    edited = add_city_keys(path, plan, as_of=today(), dry_run=dry_run, lock_timeout=lock_timeout())
    made = plans[0]
    changes = {cid: keys for cid, keys in made.changes.items() if keys}
    if dry_run:
        from sisterctl.records.toml import _toml_key, _toml_value

        for cid, keys in changes.items():
            sys.stdout.write(f"# [[city]] id = {cid!r}\n")
            sys.stdout.write(
                "".join(f"{_toml_key(k)} = {_toml_value(v)}\n" for k, v in keys.items())
            )
        sys.stdout.flush()
    for placed, place in made.placed:
        where = place.describe() if place is not None else "by hand"
        _message(f"{placed.id}: {where}")
    for unplaced, reason in made.unplaced:
        match = made.matches.get(unplaced.id)
        lines = match.explain_lines() if match is not None else [reason]
        said = [render_parts(line, cli_words) for line in lines]
        for line in [f"not placed: {said[0]}", *said[1:]]:
            _message(line)
    if city is not None and made.unplaced:
        # One city asked for and not placed: an error, in one line, after the list.
        unplaced, reason = made.unplaced[0]
        from sisterctl.errors import RefusedError

        match = made.matches.get(unplaced.id)
        if match is not None and match.ambiguous:
            reason = (
                f"{unplaced.label()}: {len(match.candidates)} places of this name, none "
                f"taken; choose with --city {unplaced.id} --geonames ID"
            )
        raise RefusedError(reason)
    count = len(changes)
    cities = "1 city" if count == 1 else f"{count} cities"
    if dry_run:
        _message(f"Would give {cities} coordinates from {made.source} in {edited.path} (dry run).")
    elif count:
        _message(f"Gave {cities} coordinates from {made.source} in {edited.path}.")
    else:
        located = f" ({made.located} already had coordinates)" if made.located else ""
        _message(f"No city was given coordinates{located}; nothing was written.")


# ---------------------------------------------------------------------------
# map


@app.command("map")
def map_command(
    ctx: typer.Context,
    what: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[CITY | TIE]",
            show_default=False,
            help="A city (its ties are drawn from it), a tie (its id, or its two cities), "
            "or nothing: every tie that passes the filters.",
        ),
    ] = None,
    svg: Annotated[
        Path | None,
        typer.Option(
            "--svg",
            metavar="FILE",
            dir_okay=False,
            show_default=False,
            callback=a_file,
            help="Write the map as an SVG picture to FILE.",
        ),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            metavar="FILE",
            dir_okay=False,
            show_default=False,
            callback=a_file,
            help="Write the map as an HTML page to FILE.",
        ),
    ] = None,
    width: Annotated[
        int, typer.Option("--width", min=480, max=4000, help="The picture's width in pixels.")
    ] = 1200,
    country: CountryOption = None,
    kind: KindOption = None,
    status: StatusOption = None,
    field: FieldOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Draw a world map of ties: great-circle lines from a city to its partners.

    The land is Natural Earth's; kind and status show as dash, colour and mark, so a
    printout in black and white reads the same. Ties whose cities have no
    coordinates (see 'sisterctl geocode') are listed under the map. Without --svg or
    --html, says what the map would show.

    Example: sisterctl map Taipei --svg taipei.svg
    """
    from sisterctl.core.maps import map_view
    from sisterctl.output.map_svg import render_html, render_svg
    from sisterctl.store.geodata import land

    filters = tie_filters(
        city=None,
        country=country,
        kind=kind,
        status=status,
        field=field,
        since=since,
        until=until,
    )
    view = map_view(open_registry(ctx), what or [], filters, as_of_date(as_of))
    for target in (svg, html):
        if target is not None:
            _not_the_registry(ctx, target)
    picture = render_svg(view, land(), width=width) if svg or html else ""
    if svg is not None:
        write_output(ctx, picture.encode("utf-8"), svg)
    if html is not None:
        write_output(ctx, render_html(view, picture).encode("utf-8"), html)
    drawn, left = len(view.drawn), view.left_out
    what_map = f"{view.title}: {drawn} of {len(view.ties)} drawn"
    if left:
        what_map += "; not drawn, for want of coordinates: " + ", ".join(t.tie.id for t in left)
    written = " and ".join(str(p) for p in (svg, html) if p is not None)
    _message(f"{what_map}." + (f" Wrote {written}." if written else " (--svg FILE draws it.)"))


def _not_the_registry(ctx: typer.Context, path: Path) -> None:
    from sisterctl.cli.app import location
    from sisterctl.errors import RefusedError

    registry = location(ctx).path
    try:
        same = path.resolve() == registry.resolve()
    except OSError:
        same = False
    if same:
        raise RefusedError(f"{path} is the registry itself; name another file")
