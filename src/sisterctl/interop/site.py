"""A static website of ties, whole: the pages (`output/site.py`), the registry's JSON,
CSV and GeoJSON exports and the calendar feed, and the manifest that marks the folder
as sisterctl's.

Pure: the registry in, {relative path: bytes} out; `sisterctl site` writes them
(cli/site.py). The downloads and the feed hold exactly the ties the site publishes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence

from sisterctl.core.anniversaries import Span, Unit, upcoming_anniversaries
from sisterctl.dates import MAX_YEAR
from sisterctl.errors import Param, RefusedError
from sisterctl.interop import csv_export, geojson, ics, json_io
from sisterctl.model import Partnership, Registry
from sisterctl.output.map_svg import Point
from sisterctl.output.plain import json_text
from sisterctl.output.site import (
    DEFAULT_TITLE,
    FEED,
    MANIFEST,
    UPCOMING_MONTHS,
    Download,
    SiteInput,
    build_pages,
)

FEED_YEARS = 10  # as `export ics` by default
FEED_CANCELLED_FOR = 365  # days, as `export ics --cancelled-for` by default
MANIFEST_VERSION = 1


def published(registry: Registry, ties: Sequence[Partnership]) -> Registry:
    """The registry of the ties chosen alone: their cities and records, in file order."""
    chosen = {tie.id for tie in ties}
    if len(chosen) == len(registry.partnerships):
        return registry
    partnerships = tuple(t for t in registry.partnerships if t.id in chosen)
    cities = {c.id for t in partnerships for c in t.cities}
    return dataclasses.replace(
        registry,
        cities={cid: city for cid, city in registry.cities.items() if cid in cities},
        partnerships=partnerships,
        agreements=tuple(a for a in registry.agreements if a.partnership in chosen),
        exchanges=tuple(e for e in registry.exchanges if e.partnership in chosen),
        status_changes=tuple(s for s in registry.status_changes if s.partnership in chosen),
    )


def site_files(
    registry: Registry,
    ties: Sequence[Partnership],
    *,
    as_of: dt.date,
    land: Sequence[Sequence[Point]],
    title: str | None = None,
    base_url: str | None = None,
    selection: str = "",
) -> dict[str, bytes]:
    """Every file of the site, by path relative to its root (`/` between folders)."""
    whole = len(ties) == len(registry.partnerships)
    sub = published(registry, ties)
    if base_url is not None and not base_url.endswith("/"):
        base_url += "/"
    downloads = {
        "downloads/registry.json": (json_text(json_io.export(sub)) + "\n").encode("utf-8"),
        "downloads/ties.csv": csv_export.to_csv(sub, ties).encode("utf-8"),
        "downloads/ties.geojson": geojson.to_text(
            geojson.feature_collection(sub).collection
        ).encode("utf-8"),
    }
    try:
        feed_report = upcoming_anniversaries(
            sub,
            as_of,
            Span(FEED_YEARS, Unit.YEAR),
            limit=ics.MAX_EVENTS,
            lapsed_for=FEED_CANCELLED_FOR,
        )
    except RefusedError:
        raise RefusedError(
            (
                f"the site's calendar holds the {FEED_YEARS} years from ",
                Param.AS_OF,
                f" {as_of.isoformat()}, which end after the year {MAX_YEAR}; choose an earlier day",
            )
        ) from None
    # A site's own title names its calendar: "Taipei's ties: anniversaries".
    name = f"{title}: anniversaries" if title else ics.CALENDAR_NAME
    feed = ics.anniversary_calendar(feed_report, name=name)
    downloads[FEED] = feed.data
    described = [
        (
            "downloads/registry.json",
            "registry.json",
            "the ties of this site with their cities, agreements, exchanges and "
            "changes of status, in sisterctl's JSON, which sisterctl imports back",
        ),
        ("downloads/ties.csv", "ties.csv", "one row per tie, safe to open in a spreadsheet"),
        (
            "downloads/ties.geojson",
            "ties.geojson",
            "a line between the two cities of each "
            "tie whose cities have coordinates, for GIS and web maps",
        ),
        (
            FEED,
            "anniversaries.ics",
            f"the anniversaries of the next {FEED_YEARS} years as an iCalendar feed, "
            "to import or subscribe to",
        ),
    ]
    page_input = SiteInput(
        registry=sub,
        ties=ties,
        as_of=as_of,
        upcoming=upcoming_anniversaries(sub, as_of, Span(UPCOMING_MONTHS, Unit.MONTH)),
        land=land,
        title=title or DEFAULT_TITLE,
        base_url=base_url,
        downloads=[Download(p, label, text, len(downloads[p])) for p, label, text in described],
        feed_events=feed.events,
        feed_years=FEED_YEARS,
        whole=whole,
        selection=selection,
    )
    files = build_pages(page_input)
    files.update(downloads)
    files[MANIFEST] = manifest(sorted(files))
    return dict(sorted(files.items()))


def manifest(paths: Sequence[str]) -> bytes:
    """The manifest: what sisterctl wrote, so that a later build may replace it."""
    data = {"sisterctl_site": MANIFEST_VERSION, "files": [p for p in paths if p != MANIFEST]}
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def manifest_files(data: bytes) -> list[str] | None:
    """The files a manifest lists; None when `data` is no manifest of sisterctl's."""
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(parsed, dict) or parsed.get("sisterctl_site") != MANIFEST_VERSION:
        return None
    files = parsed.get("files")
    if not isinstance(files, list) or not all(isinstance(f, str) and _inside(f) for f in files):
        return None
    return files


def _inside(path: str) -> bool:
    """A path that stays inside the site's folder: `ties/a-b.html`, never `../x`."""
    return all(
        part not in ("", ".", "..") and "\\" not in part and "\0" not in part
        for part in path.split("/")
    )
