"""Ties as QuickStatements commands, to add them to Wikidata with their dates and sources.

Wikidata records a tie as "twinned administrative body" (P190) on each city's item,
with "start time" (P580) and "end time" (P582) qualifiers, and references whose
"reference URL" (P854) names a source. QuickStatements (V1 syntax: one command a
line, its parts separated by tabs) adds a statement, or finds the same statement
already there and adds to it what is new:

    Q1867	P190	Q20927	P580	+2010-11-04T00:00:00Z/11	S854	"https://..."

- A tie is written only when both its cities carry a `wikidata` item id; a command
  for each of the two items, as Wikidata states most ties on both.
- Times keep their precision, in Wikibase's codes: 11 a day (`+2010-11-04T00:00:00Z/11`),
  10 a month (`+2002-10-00T00:00:00Z/10`), 9 a year (`+1997-00-00T00:00:00Z/9`). A tie
  with no known founding date gets no start time; an ended tie's end time is the day
  of its ending, or "some value" (`somevalue`) when that is not known.
- Each source is a reference of its own: QuickStatements puts the `S` parts of one
  command into one reference, so a tie with two sources is written twice (the second
  command finds the statement and adds the second reference). The sources are the
  tie's, its founding agreement's and, for the end time, its ending's; Wikidata's own
  pages are left out (Wikidata citing itself is no reference).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sisterctl.dates import PartialDate, Precision
from sisterctl.model import Partnership, Registry, Status

TWINNED = "P190"  # twinned administrative body
START, END = "P580", "P582"
REFERENCE_URL = "S854"  # P854, reference URL, as a source part of a command
PRECISION = {Precision.DAY: 11, Precision.MONTH: 10, Precision.YEAR: 9}
_WIKIDATA_PAGES = ("https://www.wikidata.org/", "http://www.wikidata.org/")


@dataclass(frozen=True)
class Commands:
    """The commands for the ties given, and how many ties were left out because a city
    has no Wikidata id."""

    text: str
    ties: int
    left_out: int
    statements: int


def time_value(date: PartialDate) -> str:
    """A QuickStatements time at the date's precision: `+2002-10-00T00:00:00Z/10`."""
    return (
        f"+{date.year:04d}-{date.month or 0:02d}-{date.day or 0:02d}T00:00:00Z"
        f"/{PRECISION[date.precision]}"
    )


def commands(registry: Registry, ties: Iterable[Partnership]) -> Commands:
    """The commands that state `ties` on Wikidata, in the order given."""
    lines: list[str] = []
    written = left_out = 0
    for tie in ties:
        a, b = tie.cities
        if a.wikidata is None or b.wikidata is None:
            left_out += 1
            continue
        written += 1
        qualifiers = _qualifiers(registry, tie)
        references = [[REFERENCE_URL, _string(url)] for url in _sources(registry, tie)]
        for item, other in ((a.wikidata, b.wikidata), (b.wikidata, a.wikidata)):
            for reference in references or [[]]:
                lines.append("\t".join([item, TWINNED, other, *qualifiers, *reference]))
    text = "".join(line + "\n" for line in lines)
    return Commands(text, written, left_out, 2 * written)


def _qualifiers(registry: Registry, tie: Partnership) -> list[str]:
    parts: list[str] = []
    if tie.established is not None:
        parts += [START, time_value(tie.established)]
    state = registry.state(tie)
    if state.status is Status.ENDED:
        parts += [END, time_value(state.since) if state.since is not None else "somevalue"]
    return parts


def _sources(registry: Registry, tie: Partnership) -> list[str]:
    """The URLs that support the tie and its dates, each once, Wikidata's left out."""
    urls = list(tie.sources)
    for agreement in registry.agreements_of(tie):
        if agreement.kind == "founding":
            urls += agreement.sources
    if registry.state(tie).status is Status.ENDED:
        for change in registry.status_changes_of(tie):
            if change.status is Status.ENDED:
                urls += change.sources
    kept: list[str] = []
    for url in urls:
        if url.startswith(_WIKIDATA_PAGES) or url in kept or not _is_one_line(url):
            continue
        kept.append(url)
    return kept


def _is_one_line(url: str) -> bool:
    """A URL that a command can hold: no tab, line break or other control character,
    which would end the command's part or line."""
    return url.startswith(("http://", "https://")) and all(ch >= " " and ch != "\x7f" for ch in url)


def _string(text: str) -> str:
    """A QuickStatements string; a double quote, which would end it, as %22 (the same
    URL)."""
    return '"' + text.replace('"', "%22") + '"'
