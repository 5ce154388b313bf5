"""Links in what a terminal shows: never cut by a line break.

A URL in a table cell, beside a timeline's rail or in a wrapped paragraph is cut where
the text wraps, and a cut URL can be neither clicked nor copied whole. So the views of
`show` and `timeline` put a numbered mark, `[1]`, where a source or a URL in a note
would stand, and list the URLs after the view, each on a line of its own that is
never wrapped: a URL longer than the terminal runs on, and the terminal wraps it
softly, so that a double click or a copy still takes all of it. On terminals that
show them, the URLs are also hyperlinks (OSC 8; see `cli/printer.py`).

Pure: no Rich, no terminal.
"""

from __future__ import annotations

import re

from sisterctl.text import safe_display

# A URL in running text: up to a space or a character that cannot end one (brackets
# too, which stand around URLs in markup and in the marks), with balanced parentheses
# kept (Wikipedia's `Foo_(bar)`), trailing punctuation left out.
_URL = re.compile(r"https?://(?:[^\s()<>\"\[\]]|\([^\s()<>\"\[\]]*\))+")
_TRAILING = ".,;:!?'"


class Footnotes:
    """The URLs of one view, numbered in the order they are first marked."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self._numbers: dict[str, int] = {}

    def number(self, url: str) -> int:
        """The URL's number, given it on first sight."""
        found = self._numbers.get(url)
        if found is None:
            self.urls.append(url)
            found = self._numbers[url] = len(self.urls)
        return found

    def marks(self, urls: tuple[str, ...] | list[str]) -> str:
        """`[1] [2]`: the marks of some sources."""
        return " ".join(f"[{self.number(url)}]" for url in urls)

    def mark(self, text: str) -> str:
        """`text` with each URL in it replaced by its mark: `(Taipei Times, [3])`."""

        def replace(match: re.Match[str]) -> str:
            url = match.group().rstrip(_TRAILING)
            rest = match.group()[len(url) :]
            return f"[{self.number(url)}]{rest}"

        return _URL.sub(replace, text)

    def lines(self) -> list[tuple[str, str]]:
        """(mark, URL as shown) for each URL, in number order."""
        return [(f"[{n}]", safe_display(url)) for n, url in enumerate(self.urls, 1)]


def linkable(url: str) -> bool:
    """Whether a URL can be a terminal hyperlink as it is: an http(s) URL with no space,
    control or invisible character, which could break out of the escape sequence."""
    return (
        url.startswith(("http://", "https://"))
        and safe_display(url) == url
        and not any(ch.isspace() for ch in url)
        and url.isprintable()
    )


def split_urls(text: str) -> list[tuple[str, bool]]:
    """`text` cut into pieces, each (piece, is_url): the URLs of running text (as
    `Footnotes.mark` finds them, trailing punctuation left out) and the text between,
    so that a web page can make each URL a link and escape the rest."""
    pieces: list[tuple[str, bool]] = []
    start = 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(_TRAILING)
        if match.start() > start:
            pieces.append((text[start : match.start()], False))
        pieces.append((url, True))
        start = match.start() + len(url)
    if start < len(text):
        pieces.append((text[start:], False))
    return pieces
