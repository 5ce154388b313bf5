"""The small, rich views, built with Rich: `show`, `timeline`, `stats`, import summaries.

(The views of many rows, `list` and `upcoming`, are laid out by `sisterctl.output.tables`.)
Every function builds a renderable from data the core returned; text from the registry
goes through `_t`, so that markup in a title is shown literally and control characters
cannot reach the terminal.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from sisterctl.core.query import age
from sisterctl.errors import Words, library_words, render_parts
from sisterctl.model import Partnership, Registry, Status
from sisterctl.output.links import Footnotes, linkable
from sisterctl.output.serialize import sorted_by_date
from sisterctl.output.tables import STATUS_STYLE, date_text, status_words, years_text
from sisterctl.text import fold, safe_display

# The timeline and the charts' core is imported where they are drawn: `show` needs neither.
if TYPE_CHECKING:
    from sisterctl.core.stats import Count, RegistryStats
    from sisterctl.core.timeline import (
        CityNetwork,
        EventKind,
        NetworkTie,
        TieTimeline,
        TimelineEvent,
    )
    from sisterctl.interop.plan import Outcome as ImportOutcome


def _t(value: str | None, style: str = "") -> Text:
    return Text(safe_display(value or ""), style=style)


def _city_line(city: Any) -> Text:
    line = _t(city.name, "bold")
    if city.local_name:
        line.append(" ")
        line.append_text(_t(city.local_name))
    line.append(f", {city.country_name}")
    if city.type and city.type != "city":
        line.append(f" ({safe_display(city.type)})", style="dim")
    if city.aliases:
        line.append("  also " + ", ".join(safe_display(a) for a in city.aliases), style="dim")
    return line


def _link_list(notes: Footnotes, *, links: bool = True) -> RenderableType:
    """The URLs of a view, numbered, each on a line of its own that is never wrapped
    nor cut (`output.links`); hyperlinks where `links`."""
    lines = []
    for mark, url in notes.lines():
        line = Text(no_wrap=True, overflow="ignore", end="")
        line.append(f"{mark} ", style="dim")
        line.append(url, style=Style(link=url) if links and linkable(url) else None)
        lines.append(line)
    return _Unwrapped(*lines)


class _Unwrapped:
    """Lines as they are, however long: the terminal wraps them softly (printed with
    `crop=False`, see cli/printer.py)."""

    def __init__(self, *lines: Text) -> None:
        self.lines = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        return _as_segments(console, self.lines)


def tie_view(
    registry: Registry, tie: Partnership, as_of: dt.date, *, links: bool = True
) -> RenderableType:
    """Everything about one tie, as `sisterctl show` prints it. Sources, and URLs in
    notes, are numbered marks (`[1]`) listed in full at the end (`output.links`)."""
    notes = Footnotes()
    state = registry.state(tie)
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column()
    facts.add_row("Cities", _city_line(tie.cities[0]))
    facts.add_row("", _city_line(tie.cities[1]))
    kind = registry.kind_on(tie, as_of)
    kind_text = _t(kind)
    if kind != tie.kind:
        kind_text.append(f" (founded as {safe_display(tie.kind)})", style="dim")
    facts.add_row("Kind", kind_text)
    established = Text(date_text(tie.established))
    if tie.established is not None:
        years = years_text(age(tie, as_of))
        established.append(
            f" ({tie.established.precision.value} precision; {years} years)", style="dim"
        )
    facts.add_row("Established", established)
    status = Text(state.status.value, style=STATUS_STYLE.get(state.status.value, ""))
    if state.status is not Status.ACTIVE or state.since:
        if state.since:
            status.append(f" since {state.since.iso()}")
        if state.reason:
            status.append(": ")
            status.append_text(_t(notes.mark(state.reason)))
    facts.add_row("Status", status)
    if tie.fields:
        facts.add_row("Fields", _t(", ".join(tie.fields)))
    if tie.sources:
        facts.add_row("Sources", Text(notes.marks(tie.sources)))
    facts.add_row("Id", _t(tie.id, "cyan"))

    parts: list[RenderableType] = [
        Text(f"{safe_display(tie.title)}", style="bold"),
        facts,
    ]
    agreements = sorted_by_date(registry.agreements_of(tie))
    if agreements:
        parts.append(_agreements_table(registry, agreements, as_of, notes))
    exchanges = sorted_by_date(registry.exchanges_of(tie))
    if exchanges:
        parts.append(_exchanges_table(registry, exchanges, notes))
    changes = registry.status_changes_of(tie)
    if changes:
        table = _section("Status changes", ("Date", "Status", "Reason"))
        for change in changes:
            reason = _t(notes.mark(change.reason or ""))
            _append_sources(reason, change.sources, notes)
            table.add_row(change.date.iso(), change.status.value, reason)
        parts.append(table)
    if tie.notes:
        parts.append(Group(Text("Notes", style="bold"), _t(notes.mark(tie.notes))))
    if notes.urls:
        parts.append(Group(Text("Sources", style="bold"), _link_list(notes, links=links)))
    return Group(*_spaced(parts))


def _append_sources(text: Text, sources: Sequence[str], notes: Footnotes) -> None:
    """`sources [2] [3]` on a line of its own at the end of a cell."""
    if sources:
        if text:
            text.append("\n")
        text.append("sources " + notes.marks(list(sources)), style="dim")


def _spaced(parts: list[RenderableType]) -> list[RenderableType]:
    spaced: list[RenderableType] = []
    for part in parts:
        if spaced:
            spaced.append(Text(""))
        spaced.append(part)
    return spaced


def _section(title: str, columns: Sequence[str]) -> Table:
    table = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        header_style="bold",
        pad_edge=False,
        expand=False,
    )
    for column in columns:
        table.add_column(column, no_wrap=column == "Date")
    return table


def _record_id(registry: Registry, record: Any) -> Text:
    """The id `sign` and `edit` take: `taipei-daegu/2021-03-26-reaffirmation`."""
    return _t(registry.record_id(record), "cyan")


def _agreements_table(
    registry: Registry, agreements: Sequence[Any], as_of: dt.date, notes: Footnotes
) -> Table:
    table = _section("Agreements", ("Date", "Agreement", "Signed"))
    for agreement in agreements:
        what = _t(agreement.title, "bold")
        what.overflow = "fold"  # an id longer than the column goes on, not cut off
        kind = agreement.kind + (f" → {agreement.to_kind}" if agreement.to_kind else "")
        what.append("\n")
        what.append_text(_t(kind, "dim"))
        if agreement.planned:
            overdue = agreement.overdue(as_of)
            what.append(" (planned, overdue)" if overdue else " (planned)", style="yellow")
        what.append("\n")
        what.append_text(_record_id(registry, agreement))
        if agreement.fields:
            what.append("\n")
            what.append_text(_t("fields: " + ", ".join(agreement.fields)))
        if agreement.notes:
            what.append("\n")
            what.append_text(_t(notes.mark(agreement.notes), "dim"))
        _append_sources(what, agreement.sources, notes)
        how = Text()
        for person in agreement.signatories:
            if how:
                how.append("\n")
            how.append_text(_t(str(person)))
        where = ", ".join(
            x for x in (agreement.mode and agreement.mode.replace("-", " "), agreement.venue) if x
        )
        if where:
            if how:
                how.append("\n")
            how.append_text(_t(where, "italic"))
        table.add_row(date_text(agreement.date), what, how)
    return table


def _exchanges_table(registry: Registry, exchanges: Sequence[Any], notes: Footnotes) -> Table:
    table = _section("Exchanges", ("Date", "Kind", "Exchange"))
    for exchange in exchanges:
        what = _t(exchange.title, "bold")
        what.overflow = "fold"
        what.append("\n")
        what.append_text(_record_id(registry, exchange))
        where = ", ".join(
            x for x in (exchange.mode and exchange.mode.replace("-", " "), exchange.venue) if x
        )
        if where:
            what.append("\n")
            what.append_text(_t(where, "italic"))
        if exchange.fields:
            what.append("\n")
            what.append_text(_t("fields: " + ", ".join(exchange.fields)))
        if exchange.details:
            what.append("\n")
            what.append_text(_t(notes.mark(exchange.details)))
        _append_sources(what, exchange.sources, notes)
        table.add_row(date_text(exchange.date), _t(exchange.kind), what)
    return table


# ---------------------------------------------------------------------------
# Imports: progress while they run, and what they did


_TABLE_WORDS = {
    "partnership": ("tie", "ties"),
    "city": ("new city", "new cities"),
    "agreement": ("agreement", "agreements"),
    "exchange": ("exchange", "exchanges"),
    "status_change": ("status change", "status changes"),
}


def _count(n: int, words: tuple[str, str]) -> str:
    return f"{n:,} {words[0] if n == 1 else words[1]}"


def import_summary(
    outcome: ImportOutcome,
    *,
    source: str,
    written: bool,
    dry_run: bool,
    show: int = 10,
    words: Words = library_words,
) -> RenderableType:
    """What an import added (or would add), what it found already there, and what it
    skipped and why, with the first `show` skipped rows (the terms of its notes in
    `words`)."""
    added = [
        _count(outcome.added(table), words)
        for table, words in _TABLE_WORDS.items()
        if outcome.added(table) or table in ("partnership", "city")
    ]
    verb = "Would add" if dry_run else "Added"
    if not outcome.records:
        verb, added = "Nothing to add", []
    listed = ", ".join(added[:-1]) + f" and {added[-1]}" if len(added) > 1 else "".join(added)
    head = Text(f"{verb} {listed}" if added else verb)
    units = outcome.unit if outcome.rows == 1 else f"{outcome.unit}s"
    head.append(f" from {safe_display(source)} ({outcome.rows:,} {units} read)")
    parts: list[RenderableType] = [head]
    counts = Table.grid(padding=(0, 2))
    counts.add_column()
    counts.add_column(justify="right")
    counts.add_row("already in the registry", f"{outcome.present:,}")
    if outcome.present_records:
        counts.add_row("  agreements, exchanges, status changes", f"{outcome.present_records:,}")
    counts.add_row("given earlier in this file", f"{outcome.repeated:,}")
    counts.add_row("skipped", f"{len(outcome.skipped):,}")
    for reason, n in outcome.skipped_by_reason():
        counts.add_row(f"  {reason.value}", f"{n:,}")
    parts.append(counts)
    if outcome.skipped and show > 0:
        shown = outcome.skipped[:show]
        title = (
            "Skipped"
            if len(shown) == len(outcome.skipped)
            else f"Skipped (the first {len(shown)} of {len(outcome.skipped):,})"
        )
        lines = [Text(title, style="bold")]
        wheres = [outcome.where(skip) for skip in shown]
        width = max(map(len, wheres))
        reason_width = max(len(skip.reason.value) for skip in shown)
        for where, skip in zip(wheres, shown, strict=True):
            line = Text(f"{where:<{width}}  {skip.reason.value:<{reason_width}}  ")
            line.append_text(_t(skip.detail))
            lines.append(line)
        parts.append(Group(*lines))
    for note in outcome.notes:
        said = render_parts(note, words)
        parts.append(Text(f"Note: {safe_display(said)}", style="yellow"))
    if dry_run:
        parts.append(Text("Nothing was written (--dry-run).", style="dim"))
    elif not written and outcome.records:
        parts.append(Text("Nothing was written.", style="dim"))
    return Group(*parts)


# ---------------------------------------------------------------------------
# Timelines and charts: `sisterctl timeline` and `sisterctl stats`
#
# Drawn as plain lines of text laid out here, measured in terminal cells
# (`rich.cells.cell_len`), so that wide characters (臺北市, 대구광역시) keep the rail and
# the columns straight at any width. Every marker has a word beside it, so that a
# timeline reads the same without colour. (The pieces of a rail are named tuples:
# making a dataclass costs `show` and every other view a millisecond at import.)


class _Marker(NamedTuple):
    """How an event is marked on the rail: a symbol, its ASCII stand-in, a style."""

    symbol: str
    ascii: str  # for consoles that cannot show the symbol
    style: str


@functools.cache
def _event_markers() -> tuple[dict[EventKind, _Marker], dict[EventKind, _Marker]]:
    """The marker of each kind of event, and of the kinds that may be planned when they
    are: (events, planned events)."""
    from sisterctl.core.timeline import EventKind

    events = {
        EventKind.FOUNDING: _Marker("◆", "*", "bold green"),
        EventKind.ANNIVERSARY: _Marker("★", "*", "yellow"),
        EventKind.AGREEMENT: _Marker("■", "#", "blue"),
        EventKind.UPGRADE: _Marker("▲", "^", "magenta"),
        EventKind.EXCHANGE: _Marker("●", "o", "cyan"),
        EventKind.SUSPENDED: _Marker("◐", "/", "yellow"),
        EventKind.ENDED: _Marker("✕", "x", "red"),
        EventKind.RESUMED: _Marker("↺", "+", "green"),
        EventKind.NEXT_ANNIVERSARY: _Marker("☆", ">", "yellow"),
    }
    planned = {
        EventKind.AGREEMENT: _Marker("□", "#", "blue"),
        EventKind.UPGRADE: _Marker("△", "^", "magenta"),
    }
    return events, planned


_STATUS_MARKERS = {
    Status.ACTIVE: _Marker("●", "o", "green"),
    Status.SUSPENDED: _Marker("◐", "/", "yellow"),
    Status.ENDED: _Marker("✕", "x", "red"),
    Status.UNKNOWN: _Marker("○", "?", "magenta"),
}
_RAIL, _RAIL_ASCII = "│", "|"
_LOOSE_RAIL, _LOOSE_RAIL_ASCII = "┆", ":"  # events of unknown date hang loose
_INDENT = 2  # the rail's column
_DATE_WIDTH = 10  # "2021-03-26"
_WORD_WIDTH = 16  # the widest column of words before they wrap
_MIN_BODY = 26  # narrower than this, the word joins the text
_BAR_WIDTH = 48  # the longest bar of a chart, in cells


class _RailRow(NamedTuple):
    """One event on the rail: its marker, date, word and text."""

    marker: _Marker
    date: str
    word: str
    body: Text


class _RailLayout(NamedTuple):
    """How a rail is laid out at the console's width."""

    ascii_only: bool
    inline: bool  # the word leads the text instead of having its own column
    word_width: int
    body_width: int


class _RailGroup(NamedTuple):
    """The rows under one heading (a year) of the rail."""

    heading: Text
    rows: Sequence[_RailRow]
    loose: bool = False  # undated: drawn on a dotted rail


class _Rail:
    """A vertical timeline: a heading per group, then a marker on the rail per row with
    its date, its word and its text, wrapped to the width of the console."""

    def __init__(self, groups: Sequence[_RailGroup]) -> None:
        self.groups = groups

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(_DATE_WIDTH + 20, options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        return _as_segments(console, self._lines(console, options))

    def _lines(self, console: Console, options: ConsoleOptions) -> Iterable[Text]:
        ascii_only = options.ascii_only
        width = options.max_width
        words = [cell_len(row.word) for group in self.groups for row in group.rows]
        word_width = min(max(words, default=0), _WORD_WIDTH)
        prefix = _INDENT + 2 + _DATE_WIDTH + 2
        inline = width - prefix - word_width - 2 < _MIN_BODY
        layout = _RailLayout(
            ascii_only=ascii_only,
            inline=inline,
            word_width=word_width,
            body_width=max(width - prefix - (0 if inline else word_width + 2), 8),
        )
        last = len(self.groups) - 1
        for number, group in enumerate(self.groups):
            rail = _LOOSE_RAIL if group.loose else _RAIL
            if ascii_only:
                rail = _LOOSE_RAIL_ASCII if group.loose else _RAIL_ASCII
            if number:
                yield Text(" " * _INDENT + rail, style="dim")
            yield group.heading
            for index, row in enumerate(group.rows):
                more = index < len(group.rows) - 1 or number < last
                yield from self._row(console, row, rail if more else " ", layout)

    @staticmethod
    def _row(console: Console, row: _RailRow, rail: str, layout: _RailLayout) -> Iterable[Text]:
        """The lines of one row: the marker and date on the first, the rail below."""
        inline, word_width, body_width = layout.inline, layout.word_width, layout.body_width
        body = row.body
        if inline:
            body = Text.assemble(Text(row.word, style=row.marker.style), ": ", row.body)
        body_lines = list(body.wrap(console, body_width))
        word_lines: list[Text] = []
        if not inline:
            word_lines = list(Text(row.word, style=row.marker.style).wrap(console, word_width))
        symbol = row.marker.ascii if layout.ascii_only else row.marker.symbol
        for number in range(max(len(body_lines), len(word_lines))):
            line = Text(" " * _INDENT)
            if number == 0:
                line.append(symbol, style=row.marker.style)
                line.append(" " + row.date.ljust(_DATE_WIDTH) + "  ")
            else:
                line.append(rail, style="dim")
                line.append(" " * (_DATE_WIDTH + 3))
            if not inline:
                word = word_lines[number].copy() if number < len(word_lines) else Text()
                word.align("left", word_width)
                line.append_text(word)
                line.append("  ")
            if number < len(body_lines):
                line.append_text(body_lines[number])
            line.rstrip()
            yield line


class _Wrapped:
    """Lines of text wrapped at spaces to the console's width, with no trailing spaces
    (so that golden files survive editors that strip them)."""

    def __init__(self, *lines: Text) -> None:
        self.lines = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        return _as_segments(console, self._lines(console, options))

    def _lines(self, console: Console, options: ConsoleOptions) -> Iterable[Text]:
        for text in self.lines:
            for line in text.wrap(console, options.max_width):
                line.rstrip()
                yield line


def _as_segments(console: Console, lines: Iterable[Text]) -> RenderResult:
    """Lines already laid out to the width, as segments, so Rich need not wrap them again
    (which would cost as much as laying them out)."""
    new_line = Segment.line()
    for line in lines:
        yield from line.render(console)
        yield new_line


def _mode_phrase(mode: str | None) -> str:
    """`video-conference` → `by video conference`."""
    if not mode:
        return ""
    words = safe_display(mode).replace("-", " ").replace("_", " ").strip()
    if fold(words) == "in person":
        return "in person"
    return f"by {words}"


def _event_body(event: TimelineEvent, notes: Footnotes) -> Text:
    from sisterctl.core.timeline import EventKind

    body = _t(event.title, "bold")
    if event.planned:
        body.append(" · planned, overdue" if event.overdue else " · planned", style="yellow")
    if event.kind is EventKind.NEXT_ANNIVERSARY:
        body.append_text(_ahead_note(event))
    if event.details:
        body.append("\n")
        body.append_text(_t(notes.mark(event.details)))
    how: list[str] = []
    if event.signatories:
        verb = "to be signed by" if event.planned else "signed by"
        people = [safe_display(str(person)) for person in event.signatories]
        how.append(
            f"{verb} "
            + (", ".join(people[:-1]) + " and " + people[-1] if len(people) > 1 else people[0])
        )
    if event.mode:
        how.append(_mode_phrase(event.mode))
    if event.venue:
        how.append("at " + safe_display(event.venue))
    if how:
        body.append("\n" + " ".join(how))
    if event.fields:
        body.append("\n")
        body.append_text(_t("fields: " + ", ".join(event.fields), "dim"))
    if event.notes:
        body.append("\n")
        body.append_text(_t(notes.mark(event.notes), "dim"))
    return body


def _ahead_note(event: TimelineEvent) -> Text:
    days = event.days_away
    when = ""
    if days is not None:
        when = {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")
    label = "next milestone" if event.milestone else "next"
    return Text(f" · {label}" + (f", {when}" if when else ""), style="yellow")


def _event_marker(event: TimelineEvent) -> _Marker:
    """Hollow for a planned agreement; a milestone ahead is a star like one passed."""
    from sisterctl.core.timeline import EventKind

    markers, planned = _event_markers()
    if event.planned and event.kind in planned:
        return planned[event.kind]
    if event.kind is EventKind.NEXT_ANNIVERSARY and event.milestone:
        return markers[EventKind.ANNIVERSARY]
    return markers[event.kind]


def _year_heading(year: int | None) -> Text:
    return Text(str(year) if year is not None else "date unknown", style="bold")


def _places(tie: Partnership) -> Text:
    line = Text()
    for number, city in enumerate(tie.cities):
        if number:
            line.append(" – ")
        line.append_text(_t(city.name, "bold"))
        if city.local_name:
            line.append(" ")
            line.append_text(_t(city.local_name))
        line.append(f", {city.country_name}")
    return line


def timeline_view(timeline: TieTimeline, *, links: bool = True) -> RenderableType:
    """The life of one tie, as `sisterctl timeline TIE` prints it. URLs in notes are
    numbered marks (`[1]`), listed in full at the end (`output.links`)."""
    notes = Footnotes()
    tie = timeline.tie
    title = _t(tie.title, "bold")
    title.append(f"  as of {timeline.as_of.isoformat()}", style="dim")
    facts = _t(timeline.kind)
    if timeline.kind != tie.kind:
        facts.append(f" (founded as {safe_display(tie.kind)})", style="dim")
    if tie.established is not None:
        facts.append(f" · established {tie.established.iso()}")
    else:
        facts.append(" · date of founding unknown")
    state = timeline.state
    facts.append(" · ")
    facts.append(status_words(state.status.value), style=STATUS_STYLE.get(state.status.value, ""))
    if state.status is not Status.ACTIVE and state.since:
        facts.append(f" {state.since.iso()}")
    if timeline.years is not None and state.status is not Status.ENDED:
        facts.append(f" · {years_text(timeline.years)} years")
    groups = [
        _RailGroup(
            _year_heading(group.year),
            [
                _RailRow(
                    _event_marker(event),
                    date_text(event.date),
                    safe_display(event.label),
                    _event_body(event, notes),
                )
                for event in group.events
            ],
            loose=group.year is None,
        )
        for group in timeline.groups
    ]
    parts: list[RenderableType] = [_Wrapped(title, _places(tie), facts), Text(""), _Rail(groups)]
    if notes.urls:
        parts += [Text(""), Text("Links", style="bold"), _link_list(notes, links=links)]
    return Group(*parts)


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def network_title(network: CityNetwork) -> str:
    """`Taipei's sister cities, 1961–2026`."""
    kinds = {fold(t.kind) for t in network.ties}
    what = "sister cities" if kinds <= {"sister city"} else "sister cities and other ties"
    title = f"{_possessive(network.city.name)} {what}"
    first = network.first_year
    if first is not None:
        last = max(network.as_of.year, first)
        title += f", {first}" if last == first else f", {first}–{last}"
    return title


def network_view(network: CityNetwork) -> RenderableType:
    """A city's ties over time, as `sisterctl timeline --city` prints it."""
    counts = [f"{len(network.ties)} tie{'s' if len(network.ties) != 1 else ''}"]
    counts += [
        f"{network.count(status)} {status.value}"
        for status in Status
        if network.count(status) or status is Status.ACTIVE
    ]
    summary = Text(": ".join([counts[0], ", ".join(counts[1:])]) if network.ties else "no ties")
    summary.append(f" · as of {network.as_of.isoformat()}", style="dim")
    by_decade: dict[str, list[_RailRow]] = {}
    for entry in network.ties:
        date = entry.tie.established
        decade = f"{date.year // 10 * 10}s" if date else "date unknown"
        by_decade.setdefault(decade, []).append(_network_row(entry))
    groups = [
        _RailGroup(Text(decade, style="bold"), rows, loose=decade == "date unknown")
        for decade, rows in by_decade.items()
    ]
    parts: list[RenderableType] = [
        _Wrapped(Text(safe_display(network_title(network)), style="bold"), summary),
    ]
    if groups:
        parts += [Text(""), _Rail(groups)]
    if network.per_decade:
        parts += [
            Text(""),
            Text("Ties founded per decade", style="bold"),
            _Bars(network.per_decade),
        ]
    return Group(*parts)


def _network_row(entry: NetworkTie) -> _RailRow:
    partner = entry.partner
    body = _t(partner.name, "bold")
    if partner.local_name:
        body.append(" ")
        body.append_text(_t(partner.local_name))
    body.append(f", {partner.country_name}")
    status = entry.state.status
    if status is not Status.ACTIVE:
        body.append(f" · {status_words(status.value)}", style=STATUS_STYLE[status.value])
        if entry.state.since:
            body.append(f" {entry.state.since.iso()}", style=STATUS_STYLE[status.value])
    return _RailRow(
        _STATUS_MARKERS[status], date_text(entry.tie.established), safe_display(entry.kind), body
    )


class _Bars:
    """A horizontal bar chart: label, count (and share), and a bar in eighths of a cell.

    Bars of parts of a whole (`shares`) are scaled to the whole, others to the largest
    count; the longest bar fills the width left, up to `_BAR_WIDTH` cells.
    """

    _EIGHTHS = " ▏▎▍▌▋▊▉█"

    def __init__(self, counts: Sequence[Count], *, shares: bool = False, style: str = "cyan"):
        self.counts = counts
        self.shares = shares
        self.style = style

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(30, options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        return _as_segments(console, self._lines(console, options))

    def _lines(self, console: Console, options: ConsoleOptions) -> Iterable[Text]:
        width = options.max_width
        indent = 2
        labels = [_t(count.label) for count in self.counts]
        label_width = min(
            max((cell_len(label.plain) for label in labels), default=0), max(10, width * 2 // 5)
        )
        number_width = max((len(f"{c.count:,}") for c in self.counts), default=1)
        total = sum(c.count for c in self.counts)
        share_width = 6 if self.shares else 0  # "  100%"
        bar_width = max(width - indent - label_width - 2 - number_width - share_width - 2, 4)
        bar_width = min(bar_width, _BAR_WIDTH)
        scale = total if self.shares else max((c.count for c in self.counts), default=0)
        for label, count in zip(labels, self.counts, strict=True):
            label_lines = label.wrap(console, label_width)
            for number, part in enumerate(label_lines):
                line = Text(" " * indent)
                cell = part.copy()
                cell.align("left", label_width)
                line.append_text(cell)
                if number == 0:
                    line.append("  " + f"{count.count:,}".rjust(number_width))
                    if self.shares:
                        share = round(100 * count.count / total) if total else 0
                        line.append(f"  {share:3d}%")
                    line.append("  ")
                    line.append(
                        self._bar(count.count, scale, bar_width, options.ascii_only),
                        style=self.style,
                    )
                line.rstrip()
                yield line

    @classmethod
    def _bar(cls, count: int, scale: int, width: int, ascii_only: bool) -> str:
        if not count or not scale:
            return ""
        eighths = max(round(8 * width * count / scale), 1)
        if ascii_only:
            return "#" * max(eighths // 8, 1)
        return "█" * (eighths // 8) + (cls._EIGHTHS[eighths % 8] if eighths % 8 else "")


_PRECISION_LABELS = {
    "day": "to the day",
    "month": "to the month",
    "year": "to the year",
    "unknown": "not known",
}


def stats_view(stats: RegistryStats) -> RenderableType:
    """The registry at a glance, as `sisterctl stats` prints it."""
    from sisterctl.core.stats import Count

    if not stats.ties:
        return Text("No ties to count.")
    headline = Text(
        f"{stats.ties:,} ties between {stats.cities:,} cities in {stats.countries:,} "
        f"{'country' if stats.countries == 1 else 'countries'}"
    )
    headline.append(f" · as of {stats.as_of.isoformat()}", style="dim")
    parts: list[RenderableType] = [_Wrapped(headline)]

    def chart(title: str, counts: Sequence[Count], others: int = 0, **options: Any) -> None:
        parts.extend((Text(""), Text(title, style="bold"), _Bars(counts, **options)))
        if others:
            parts.append(Text(f"  and {others:,} more", style="dim"))

    chart("Ties founded per decade", stats.per_decade)
    chart(
        "Top countries, by ties with a city there",
        stats.countries_top.top,
        stats.countries_top.others,
    )
    chart("Top cities, by ties", stats.cities_top.top, stats.cities_top.others)
    chart("Kinds of tie", stats.kinds.top, stats.kinds.others, shares=True)
    chart("Status", stats.statuses, shares=True, style="green")
    precisions = [Count(_PRECISION_LABELS.get(c.label, c.label), c.count) for c in stats.precisions]
    chart(
        "Founding dates, by how precisely they are known", precisions, shares=True, style="magenta"
    )
    return Group(*parts)
