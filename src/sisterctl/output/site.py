"""The pages of a static website of ties (`sisterctl site`): an index, a page per tie,
a page per city of several ties, the anniversaries ahead, the downloads.

Pure: the registry's data in, the files out as {relative path: bytes}; the CLI writes
them (cli/site.py through store/atomic.py). The pages are Jinja2 templates
(`output/templates/`) with autoescaping on, so every text from the registry is
escaped where it is written; nothing here marks registry text safe. What the
templates show is prepared here as plain values (`_tie_page`, `_city`...), so that the
templates hold layout only.

Every link between pages is relative (`../ties/taipei-daegu.html`): the folder works
opened from disk as well as served from any path of a web server. Only the calendar's
`webcal:` link and the canonical links are absolute, and only with a base URL.
The same registry, reference day and options give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sisterctl import __version__
from sisterctl.core.anniversaries import Anniversary, UpcomingReport, ordinal, when_text
from sisterctl.core.maps import map_view
from sisterctl.core.query import Filters, age
from sisterctl.core.timeline import (
    CityNetwork,
    EventKind,
    TimelineEvent,
    city_network,
    group_by_year,
    tie_timeline,
)
from sisterctl.dates import PartialDate
from sisterctl.model import City, Partnership, Registry, Status
from sisterctl.output.languages import local_language
from sisterctl.output.links import linkable, split_urls
from sisterctl.output.map_svg import Point, render_svg
from sisterctl.output.tables import status_words, years_text
from sisterctl.text import safe_display

DEFAULT_TITLE = "Sister-city ties"
ASSETS = ("site.css", "site.js", "icon.svg")
#: The file that marks a folder as a site sisterctl wrote, listing what it wrote.
MANIFEST = ".sisterctl-site"
FEED = "downloads/anniversaries.ics"
UPCOMING_MONTHS = 12  # the anniversaries page looks this far ahead


@dataclass(frozen=True)
class Download:
    """A file offered on the downloads page."""

    path: str  # relative to the site's root
    label: str
    description: str
    size: int


@dataclass(frozen=True)
class SiteInput:
    """Everything the pages show."""

    registry: Registry  # the ties published, with their cities and records
    ties: Sequence[Partnership]  # in the order of the index
    as_of: dt.date
    upcoming: UpcomingReport  # the anniversaries of the coming months
    land: Sequence[Sequence[Point]]
    title: str = DEFAULT_TITLE
    base_url: str | None = None  # where the site is published, ending in /
    downloads: Sequence[Download] = ()
    feed_events: int = 0
    feed_years: int = 0
    whole: bool = True  # every tie of the registry, or a selection
    selection: str = ""  # the filters that chose them, in words


def build_pages(site: SiteInput) -> dict[str, bytes]:
    """The site's pages, pictures and assets, by path relative to its root; the caller
    adds the downloads and the manifest."""
    env = _environment()
    files: dict[str, bytes] = {}
    by_city: dict[str, list[Partnership]] = {}
    for tie in site.ties:
        for city_id in dict.fromkeys(c.id for c in tie.cities):
            by_city.setdefault(city_id, []).append(tie)
    cities = _cities_with_pages(site.registry, by_city)

    def render(path: str, template: str, **context: Any) -> None:
        depth = path.count("/")
        root = "../" * depth
        page = {
            "root": root,
            "site_title": site.title,
            "as_of": site.as_of.isoformat(),
            "version": __version__,
            "canonical": site.base_url + path if site.base_url else None,
            "current": path,
        }
        text = env.get_template(template).render(**page, **context)
        files[path] = text.encode("utf-8")

    city_pages = {city.id: f"cities/{city.id}.html" for city in cities}
    subscribe = _subscribe(site)
    statuses = {_status(site.registry, t) for t in site.ties}
    render(
        "index.html",
        "index.html",
        title=site.title,
        rows=[_index_row(site.registry, tie, site.as_of, city_pages) for tie in site.ties],
        cities=[{**_city(c, city_pages), "ties": len(by_city[c.id])} for c in cities],
        whole=site.whole,
        selection=site.selection,
        kinds=sorted({site.registry.kind_on(t, site.as_of) for t in site.ties}),
        statuses=[s.value for s in Status if s in statuses],
    )
    for tie in site.ties:
        render(
            f"ties/{tie.id}.html",
            "tie.html",
            title=tie.title,
            tie=_tie_page(site.registry, tie, site.as_of, city_pages),
        )
    for city in cities:
        of_city = _city_registry(site.registry, by_city[city.id])
        network = city_network(of_city, city, site.as_of)
        picture = render_svg(
            map_view(of_city, [city.id], Filters(), site.as_of), site.land, width=1200
        )
        files[f"cities/{city.id}.svg"] = picture.encode("utf-8")
        render(
            f"cities/{city.id}.html",
            "city.html",
            title=f"{city.name}'s ties",
            city=_city(city, city_pages),
            network=_network(network, city_pages),
            map=f"{city.id}.svg",
            map_alt=_map_alt(network),
        )
    render(
        "upcoming.html",
        "upcoming.html",
        title="Anniversaries ahead",
        # As `upcoming` prints them: those known to the day or the month in one table,
        # soonest first, then for each year the window touches the ties known only to
        # their year, which have no place among dated rows.
        rows=[_upcoming_row(row, site.as_of) for row in site.upcoming.rows if row.on.month],
        yearly=_yearly(site.upcoming.rows, site.as_of),
        count=len(site.upcoming.rows),
        window=(site.upcoming.window.start.isoformat(), site.upcoming.window.last.isoformat()),
        subscribe=subscribe,
    )
    render(
        "downloads.html",
        "downloads.html",
        title="Downloads",
        downloads=[
            {"href": d.path, "label": d.label, "description": d.description, "size": _size(d.size)}
            for d in site.downloads
        ],
        subscribe=subscribe,
    )
    for name in ASSETS:
        files[f"assets/{name}"] = _asset(name)
    return files


# ---------------------------------------------------------------------------
# The template engine


def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sisterctl.output", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Control characters and invisible reordering marks from the registry are shown
        # as escapes on a page too (`text.safe_display`), after which Jinja escapes.
        finalize=lambda value: safe_display(value) if isinstance(value, str) else value,
    )
    return env


def _asset(name: str) -> bytes:
    return resources.files("sisterctl.output").joinpath("templates", "assets", name).read_bytes()


# ---------------------------------------------------------------------------
# What the pages show, as plain values


def _status(registry: Registry, tie: Partnership) -> Status:
    return registry.state(tie).status


def _cities_with_pages(
    registry: Registry, by_city: Mapping[str, Sequence[Partnership]]
) -> list[City]:
    """The cities of more than one published tie, those with most ties first."""
    counts = {cid: len(ties) for cid, ties in by_city.items()}
    chosen = [cid for cid, n in counts.items() if n > 1]
    chosen.sort(key=lambda cid: (-counts[cid], registry.cities[cid].name, cid))
    return [registry.cities[cid] for cid in chosen]


def _city_registry(registry: Registry, own: Sequence[Partnership]) -> Registry:
    """The registry of one city's ties, for the core's views of a city (which read
    every tie of the registry they are given): a city's page then costs what its
    ties do, not what the whole registry does."""
    import dataclasses

    return dataclasses.replace(
        registry,
        partnerships=tuple(own),
        agreements=tuple(a for t in own for a in registry.agreements_of(t)),
        exchanges=(),
        status_changes=tuple(s for t in own for s in registry.status_changes_of(t)),
    )


def _city(city: City, pages: Mapping[str, str]) -> dict[str, Any]:
    return {
        "id": city.id,
        "name": city.name,
        "local_name": city.local_name,
        "lang": local_language(city.local_name, city.country),
        "country": city.country,
        "country_name": city.country_name,
        "type": city.type if city.type != "city" else None,
        "aliases": list(city.aliases),
        "page": pages.get(city.id),
        "notes": _pieces(city.notes),
        "sources": [_link(url) for url in city.sources],
    }


def _date(date: PartialDate | None) -> dict[str, Any] | None:
    if date is None:
        return None
    return {"iso": date.iso(), "precision": date.precision.value}


def _link(url: str) -> dict[str, Any]:
    """A source: a link when it is an http(s) URL that can be one as it is; any other
    text (a `javascript:` URL, a citation) is shown as text."""
    return {"text": url, "href": url if linkable(url) else None}


def _pieces(text: str | None) -> list[dict[str, Any]]:
    """Running text with its URLs made links (`links.split_urls`)."""
    if not text:
        return []
    return [
        {"text": piece, "href": piece if is_url and linkable(piece) else None}
        for piece, is_url in split_urls(text)
    ]


def _search_text(tie: Partnership, kind: str) -> str:
    words = [tie.id, tie.title, kind, *tie.fields]
    for city in tie.cities:
        words += [*city.names, city.country, city.country_name]
    return " ".join(words)


def _index_row(
    registry: Registry, tie: Partnership, as_of: dt.date, pages: Mapping[str, str]
) -> dict[str, Any]:
    kind = registry.kind_on(tie, as_of)
    years = age(tie, as_of)
    status = _status(registry, tie).value
    return {
        "id": tie.id,
        "href": f"ties/{tie.id}.html",
        "title": tie.title,
        "cities": [_city(c, pages) for c in tie.cities],
        "kind": kind,
        "established": _date(tie.established),
        "sort_established": tie.established.iso() if tie.established else "9999",
        "years": years_text(years),
        "sort_years": years[0] if years else -1,
        "status": status,
        "status_words": status_words(status),
        "search": _search_text(tie, kind),
    }


def _tie_page(
    registry: Registry, tie: Partnership, as_of: dt.date, pages: Mapping[str, str]
) -> dict[str, Any]:
    timeline = tie_timeline(registry, tie, as_of)
    state = timeline.state
    sources = _SourceFinder(registry, tie)
    events = [_event(registry, e, sources) for e in timeline.events]
    ahead = [e for e in timeline.events if e.kind is EventKind.NEXT_ANNIVERSARY]
    next_anniversary = _ahead(ahead[0], as_of) if ahead else None
    milestones = [e for e in ahead if e.milestone]
    next_milestone = _ahead(milestones[0], as_of) if milestones else None
    groups = group_by_year(timeline.events)
    by_event = dict(zip((id(e) for e in timeline.events), events, strict=True))
    return {
        "id": tie.id,
        "title": tie.title,
        "cities": [_city(c, pages) for c in tie.cities],
        "kind": timeline.kind,
        "founded_as": tie.kind if tie.kind != timeline.kind else None,
        "established": _date(tie.established),
        "years": years_text(timeline.years),
        "status": state.status.value,
        "status_words": status_words(state.status.value),
        "status_since": state.since.iso() if state.since else None,
        "status_reason": _pieces(state.reason),
        "fields": list(tie.fields),
        "sources": [_link(url) for url in tie.sources],
        "notes": _pieces(tie.notes),
        "next_anniversary": next_anniversary,
        "next_milestone": next_milestone
        if next_milestone and next_milestone != next_anniversary
        else None,
        "years_groups": [
            {
                "year": group.year,
                "events": [by_event[id(e)] for e in group.events],
            }
            for group in groups
        ],
    }


def _ahead(event: TimelineEvent, as_of: dt.date) -> dict[str, Any]:
    assert event.date is not None and event.ordinal is not None
    if event.days_away is not None:
        when = (
            "today"
            if event.days_away == 0
            else "tomorrow"
            if event.days_away == 1
            else f"in {event.days_away} days"
        )
    else:
        when = f"known to the {event.date.precision.value}"
    return {
        "ordinal": ordinal(event.ordinal),
        "date": _date(event.date),
        "when": when,
        "milestone": event.milestone,
    }


class _SourceFinder:
    """The sources of the record a timeline event tells (the core's events carry the
    words of their records, not the records): found by what the event shares with
    its record, each record used once."""

    def __init__(self, registry: Registry, tie: Partnership) -> None:
        self._records: dict[tuple[str, str, str], list[Any]] = {}
        for agreement in registry.agreements_of(tie):
            self._add("agreement", agreement.title, agreement.date, agreement)
        for exchange in registry.exchanges_of(tie):
            self._add("exchange", exchange.title, exchange.date, exchange)
        for change in registry.status_changes_of(tie):
            self._add("status", change.status.value, change.date, change)

    def _add(self, table: str, what: str, date: PartialDate | None, record: Any) -> None:
        key = (table, what, date.iso() if date else "")
        self._records.setdefault(key, []).append(record)

    def take(self, table: str, what: str, date: PartialDate | None) -> Any:
        found = self._records.get((table, what, date.iso() if date else ""))
        return found.pop(0) if found else None


_STATUS_OF_EVENT = {
    EventKind.SUSPENDED: Status.SUSPENDED,
    EventKind.ENDED: Status.ENDED,
    EventKind.RESUMED: Status.ACTIVE,
}


def _event(registry: Registry, event: TimelineEvent, sources: _SourceFinder) -> dict[str, Any]:
    record: Any = None
    if event.kind in (EventKind.FOUNDING, EventKind.AGREEMENT, EventKind.UPGRADE):
        record = sources.take("agreement", event.title, event.date)
        if record is None and event.kind is EventKind.FOUNDING:
            record = sources.take("agreement", event.title, None)
    elif event.kind is EventKind.EXCHANGE:
        record = sources.take("exchange", event.title, event.date)
    elif event.kind in _STATUS_OF_EVENT:
        record = sources.take("status", _STATUS_OF_EVENT[event.kind].value, event.date)
    where = ", ".join(x for x in (event.mode and event.mode.replace("-", " "), event.venue) if x)
    anchor = (
        registry.record_id(record)
        if record is not None and event.kind not in (_STATUS_OF_EVENT)
        else None
    )
    return {
        "kind": event.kind.value.replace(" ", "-"),
        "label": event.label,
        "title": event.title,
        "date": _date(event.date),
        "signatories": [str(s) for s in event.signatories],
        "where": where,
        "details": _pieces(event.details),
        "notes": _pieces(event.notes),
        "fields": list(event.fields),
        "sources": [_link(url) for url in record.sources] if record is not None else [],
        "planned": event.planned,
        "overdue": event.overdue,
        "milestone": event.milestone,
        "ahead": event.kind is EventKind.NEXT_ANNIVERSARY,
        "anchor": anchor,
    }


def _network(network: CityNetwork, pages: Mapping[str, str]) -> dict[str, Any]:
    return {
        "count": len(network.ties),
        "first_year": network.first_year,
        "active": network.count(Status.ACTIVE),
        "per_decade": [{"label": c.label, "count": c.count} for c in network.per_decade],
        "ties": [
            {
                "href": f"../ties/{t.tie.id}.html",
                "title": t.tie.title,
                "partner": _city(t.partner, pages),
                "kind": t.kind,
                "established": _date(t.tie.established),
                "status": t.state.status.value,
                "status_words": status_words(t.state.status.value),
            }
            for t in network.ties
        ],
    }


def _map_alt(network: CityNetwork) -> str:
    located = [t for t in network.ties if t.partner.located and network.city.located]
    partners = ", ".join(t.partner.name for t in located)
    text = f"World map of {network.city.name}'s ties: lines from {network.city.name} to "
    text += f"{len(located)} partner " + ("city" if len(located) == 1 else "cities")
    return text + (f" ({partners})." if partners else ".")


def _yearly(rows: Sequence[Anniversary], as_of: dt.date) -> list[tuple[int, list[dict[str, Any]]]]:
    """The anniversaries known only to their year, by year, in the report's order."""
    by_year: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        if row.on.month is None:
            by_year.setdefault(row.on.year, []).append(_upcoming_row(row, as_of))
    return list(by_year.items())


def _upcoming_row(row: Anniversary, as_of: dt.date) -> dict[str, Any]:
    return {
        "date": _date(row.on),
        "when": when_text(row, as_of),
        "href": f"ties/{row.tie.id}.html",
        "title": row.tie.title,
        "ordinal": ordinal(row.ordinal),
        "milestone": row.milestone,
        "what": row.what,
        "agreement": row.agreement.title if row.agreement is not None else None,
        "kind": row.kind,
        "status": row.status.value,
        "status_words": status_words(row.status.value),
    }


def _subscribe(site: SiteInput) -> dict[str, Any]:
    """How to subscribe to the calendar: a `webcal:` link when the site knows where it
    is published, else the file to download and how to publish it."""
    webcal = None
    if site.base_url:
        scheme, _, rest = site.base_url.partition("://")
        if scheme in ("http", "https") and rest:
            webcal = f"webcal://{rest}{FEED}"
    return {
        "feed": FEED,
        "webcal": webcal,
        "events": site.feed_events,
        "years": site.feed_years,
    }


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
