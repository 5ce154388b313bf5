"""`sisterctl site -o DIR`: the registry as a static website."""

# Real annotations, not strings: Typer reads them (cli/startup.py).
from pathlib import Path
from typing import Annotated

import typer

from sisterctl.cli.app import (
    app,
    as_of_date,
    location,
    lock_timeout,
    not_empty,
    note,
    open_registry,
    writing_files,
)
from sisterctl.cli.options import (
    AsOfOption,
    CityOption,
    CountryOption,
    FieldOption,
    KindOption,
    SinceOption,
    StatusOption,
    UntilOption,
    tie_filters,
)


def _folder(value: Path | None) -> Path | None:
    if value is not None and str(value) == "":
        raise typer.BadParameter("must name a folder")
    return value


@app.command("site")
def site_command(
    ctx: typer.Context,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            file_okay=False,
            show_default=False,
            callback=_folder,
            help="The folder to write the site into: new, empty, or holding a site "
            "sisterctl wrote (which is brought up to date).",
        ),
    ],
    title: Annotated[
        str | None,
        typer.Option(
            "--title",
            metavar="TEXT",
            show_default=False,
            callback=not_empty,
            help="The site's title, on every page (default: Sister-city ties).",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="URL",
            show_default=False,
            callback=not_empty,
            help="Where the site will be published (https://example.org/ties/): for the "
            "calendar's subscribe link and canonical links. Links between pages are "
            "relative either way.",
        ),
    ] = None,
    as_of: AsOfOption = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a folder that holds other files, replacing those of the "
            "site's names (no other file is touched).",
        ),
    ] = False,
    city: CityOption = None,
    country: CountryOption = None,
    kind: KindOption = None,
    status: StatusOption = None,
    field: FieldOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
) -> None:
    """Write the ties as a static website, to open from disk or publish as it is.

    An index to sort and filter, a page per tie and per city of several
    ties, the anniversaries ahead with a calendar to subscribe to, and the
    registry's JSON, CSV and GeoJSON. The pages fetch nothing from
    elsewhere and link to each other relatively: open DIR/index.html, or
    publish DIR on a web server or GitHub Pages. The filters of 'list'
    publish a subset.

    DIR may be new, empty, or a site sisterctl wrote before (brought up to
    date: pages of ties no longer published are removed). A folder of other
    files is refused without --force; no file sisterctl did not write is
    ever removed, and no link inside DIR is followed.

    Example: sisterctl site -o public --city Taipei --title "Taipei's ties"
    """
    from sisterctl.core.query import SortKey, select, sort_ties
    from sisterctl.interop.site import site_files
    from sisterctl.store.geodata import land
    from sisterctl.store.site_folder import write_site

    filters = tie_filters(
        city=city, country=country, kind=kind, status=status, field=field, since=since, until=until
    )
    _check_base_url(base_url)
    registry = open_registry(ctx)
    ties = sort_ties(registry, select(registry, filters), SortKey.ESTABLISHED)
    chosen = [
        f"{name} {value.value if hasattr(value, 'value') else value}"
        for name, value in (
            ("city", city),
            ("country", country),
            ("kind", kind),
            ("status", status),
            ("field", field),
            ("since", since),
            ("until", until),
        )
        if value is not None
    ]
    files = site_files(
        registry,
        ties,
        as_of=as_of_date(as_of),
        land=land(),
        title=title,
        base_url=base_url,
        selection="; ".join(chosen),
    )
    writing_files()
    result = write_site(
        output, files, force=force, keep=location(ctx).path, lock_timeout=lock_timeout()
    )
    count = "1 tie" if len(ties) == 1 else f"{len(ties):,} ties"
    line = f"wrote a site of {count} ({result.written:,} files) to {output}"
    if result.removed:
        line += f"; removed {result.removed:,} files of the earlier site no longer in it"
    note(line + f"; open {output / 'index.html'}")


def _check_base_url(url: str | None) -> None:
    from urllib.parse import urlsplit

    from sisterctl.errors import UsageError

    if url is None:
        return
    from sisterctl.output.links import linkable

    parts = urlsplit(url)
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # a port out of range or not a number
        port_ok = False
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.query
        or parts.fragment
        or not port_ok
        or not linkable(url)  # a space, a control or an invisible character
    ):
        raise UsageError(
            f"--base-url takes the http or https address the site is published at "
            f"(https://example.org/ties/), not {url!r}"
        )
