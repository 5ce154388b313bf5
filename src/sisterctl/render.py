"""Rendering with Rich: tables, detail views and the console they are printed on.

The only module that imports Rich. Every function builds a renderable from data the
core returned; text from the registry goes through `_t`, so that markup in a title is
shown literally and control characters cannot reach the terminal.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from sisterctl.dates import PartialDate
from sisterctl.model import Partnership, Registry, Status
from sisterctl.query import age
from sisterctl.serialize import ListRow, sorted_by_date
from sisterctl.text import safe_display

if TYPE_CHECKING:
    from sisterctl.interop.plan import Outcome as ImportOutcome

STATUS_STYLE = {"active": "green", "suspended": "yellow", "ended": "red"}


def make_console(
    file: IO[str] | None = None,
    *,
    width: int | None = None,
    record: bool = False,
    stderr: bool = False,
) -> Console:
    """A console that writes no colour or escape codes when its output is not a
    terminal or NO_COLOR is set (Rich's own rules)."""
    return Console(
        file=file,
        width=width,
        record=record,
        stderr=stderr,
        highlight=False,
        emoji=False,
        markup=False,
    )


def _t(value: str | None, style: str = "") -> Text:
    return Text(safe_display(value or ""), style=style)


def date_text(date: PartialDate | None) -> str:
    return date.iso() if date is not None else "unknown"


def years_text(years: tuple[int, int] | None) -> str:
    if years is None:
        return ""
    low, high = years
    return str(low) if low == high else f"{max(low, 0)}–{high}"


def list_table(rows: Sequence[ListRow], *, title: str | None = None) -> Table:
    table = Table(
        title=title, box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, collapse_padding=True
    )
    table.add_column("Tie", style="cyan", no_wrap=True)
    table.add_column("City", min_width=10, ratio=3)
    table.add_column("City", min_width=10, ratio=3)
    table.add_column("Kind", min_width=8, ratio=2)
    table.add_column("Established", no_wrap=True)
    table.add_column("Years", justify="right", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    for row in rows:
        a, b = row.tie.cities
        table.add_row(
            _t(row.tie.id),
            _place(a),
            _place(b),
            _t(row.kind),
            date_text(row.tie.established),
            years_text(row.years),
            Text(row.status, style=STATUS_STYLE.get(row.status, "")),
        )
    return table


def _place(city: Any) -> Text:
    text = _t(city.name)
    text.append(f", {city.country_name}", style="dim")
    return text


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


def tie_view(registry: Registry, tie: Partnership, as_of: dt.date) -> RenderableType:
    """Everything about one tie, as `sisterctl show` prints it."""
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
            status.append_text(_t(state.reason))
    facts.add_row("Status", status)
    if tie.fields:
        facts.add_row("Fields", _t(", ".join(tie.fields)))
    facts.add_row("Id", _t(tie.id, "cyan"))

    parts: list[RenderableType] = [
        Text(f"{safe_display(tie.title)}", style="bold"),
        facts,
    ]
    agreements = sorted_by_date(registry.agreements_of(tie))
    if agreements:
        parts.append(_agreements_table(agreements))
    exchanges = sorted_by_date(registry.exchanges_of(tie))
    if exchanges:
        parts.append(_exchanges_table(exchanges))
    changes = registry.status_changes_of(tie)
    if changes:
        table = _section("Status changes", ("Date", "Status", "Reason"))
        for change in changes:
            table.add_row(change.date.iso(), change.status.value, _t(change.reason))
        parts.append(table)
    if tie.notes:
        parts.append(Group(Text("Notes", style="bold"), _t(tie.notes)))
    if tie.sources:
        parts.append(Group(Text("Sources", style="bold"), *(_t(s) for s in tie.sources)))
    return Group(*_spaced(parts))


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


def _agreements_table(agreements: Sequence[Any]) -> Table:
    table = _section("Agreements", ("Date", "Agreement", "Signed"))
    for agreement in agreements:
        what = _t(agreement.title, "bold")
        kind = agreement.kind + (f" → {agreement.to_kind}" if agreement.to_kind else "")
        what.append("\n")
        what.append_text(_t(kind, "dim"))
        if agreement.planned:
            what.append(" (planned)", style="yellow")
        if agreement.fields:
            what.append("\n")
            what.append_text(_t("fields: " + ", ".join(agreement.fields)))
        if agreement.notes:
            what.append("\n")
            what.append_text(_t(agreement.notes, "dim"))
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


def _exchanges_table(exchanges: Sequence[Any]) -> Table:
    table = _section("Exchanges", ("Date", "Kind", "Exchange"))
    for exchange in exchanges:
        what = _t(exchange.title, "bold")
        if exchange.details:
            what.append("\n")
            what.append_text(_t(exchange.details))
        table.add_row(date_text(exchange.date), _t(exchange.kind), what)
    return table


def emit(
    renderable: RenderableType,
    *,
    svg: Path | None = None,
    html: Path | None = None,
    width: int = 100,
    title: str = "sisterctl",
) -> None:
    """Print to standard output; with `svg` or `html`, also write what was shown as a
    picture of a fixed width, so that the file looks the same on every machine."""
    make_console().print(renderable)
    if svg is None and html is None:
        return
    import io

    recorder = Console(
        file=io.StringIO(),
        width=width,
        record=True,
        force_terminal=True,
        color_system="truecolor",
        highlight=False,
        emoji=False,
        markup=False,
    )
    recorder.print(renderable)
    if svg is not None:
        _save(svg, recorder.export_svg(title=title, clear=False))
    if html is not None:
        _save(html, recorder.export_html(clear=False))


def _save(path: Path, text: str) -> None:
    from sisterctl.errors import RefusedError

    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise RefusedError(f"cannot write {path}: {exc.strerror or exc}") from None


# ---------------------------------------------------------------------------
# Imports: progress while they run, and what they did


class ProgressDisplay:
    """Progress through the phases of a long job, on standard error. This base class
    shows nothing: it stands in when standard error is not a terminal."""

    def phase(self, description: str, total: int | None = None) -> None:
        """Start a phase: counted up to `total`, or open-ended when None."""

    def advance(self, steps: int = 1) -> None:
        """Count `steps` more done in the current phase."""


class _RichProgress(ProgressDisplay):
    def __init__(self, bar: Any) -> None:
        self._bar = bar
        self._task: Any = None

    def phase(self, description: str, total: int | None = None) -> None:
        # Each phase is a task of its own: the one before is shown finished, then hidden.
        if self._task is not None:
            self._bar.refresh()
            self._bar.update(self._task, visible=False)
        self._task = self._bar.add_task(description, total=total)
        self._bar.refresh()

    def advance(self, steps: int = 1) -> None:
        self._bar.advance(self._task, steps)


@contextlib.contextmanager
def progress(*, enabled: bool = True) -> Iterator[ProgressDisplay]:
    """A progress bar on standard error while the block runs, cleared at its end; a
    display that shows nothing when standard error is not a terminal (a pipe, a log
    file, a test) or `enabled` is False."""
    console = make_console(stderr=True)
    if not enabled or not console.is_terminal:
        yield ProgressDisplay()
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        yield _RichProgress(bar)


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
    outcome: ImportOutcome, *, source: str, written: bool, dry_run: bool, show: int = 10
) -> RenderableType:
    """What an import added (or would add), what it found already there, and what it
    skipped and why, with the first `show` skipped rows."""
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
        parts.append(Text(f"Note: {safe_display(note)}", style="yellow"))
    if dry_run:
        parts.append(Text("Nothing was written (--dry-run).", style="dim"))
    elif not written and outcome.records:
        parts.append(Text("Nothing was written.", style="dim"))
    return Group(*parts)
