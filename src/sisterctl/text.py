"""Text helpers: matching that ignores case and accents, readable ids, safe display."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_NON_SLUG = re.compile(r"[^a-z0-9]+")
# C0 and C1 control characters other than tab and newline, DEL, the line and paragraph
# separators, and the bidirectional and zero-width format characters that can reorder
# or hide text on a terminal; each as the escape `safe_display` shows. (A table for
# str.translate: a regular expression of these ranges takes half a millisecond to
# compile, at the start of every command that prints; tests/test_safe_display.py holds
# the two equal.)
_UNSAFE_RANGES = (
    (0x00, 0x08),
    (0x0B, 0x1F),
    (0x7F, 0x9F),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x2069),
    (0xFEFF, 0xFEFF),
)
_ESCAPES = {
    code: f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}"
    for low, high in _UNSAFE_RANGES
    for code in range(low, high + 1)
}
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Text as compared for matching: no accents, no case, single spaces.

    >>> fold("  São  Paulo ")
    'sao paulo'
    """
    if text.isascii():  # most names: nothing to decompose, case folding is lower()
        return " ".join(text.lower().split())
    stripped = unicodedata.normalize("NFKD", text).translate(_NO_MARKS)
    return " ".join(stripped.casefold().split())


class _Marks(dict[int, int | None]):
    """A str.translate table that drops combining marks and keeps every other
    character, learning each character the first time it is seen."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_NO_MARKS = _Marks()


# Latin letters that NFKD leaves whole, and apostrophes, which ids leave out:
# `Łódź` → `lodz`, `Yıldırım` → `yildirim`, `Nukuʻalofa` → `nukualofa`.
_SLUG_LETTERS = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "ı": "i",
        "ð": "d",
        "đ": "d",
        "ħ": "h",
        "ə": "e",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "'": "",
        "’": "",
        "ʻ": "",
        "ʼ": "",
    }
)


def slug(text: str) -> str:
    """A readable ascii id part: `São Paulo` → `sao-paulo`, `Łódź` → `lodz`; empty when
    nothing is left (a name in a script with no ascii letters)."""
    return _NON_SLUG.sub("-", fold(text).translate(_SLUG_LETTERS)).strip("-")


def safe_display(text: str) -> str:
    """Text from a registry as it may be written to a terminal: control characters,
    escape sequences and invisible reordering marks become visible `\\x..` escapes."""
    if text.isprintable():  # most text; none of the characters above is printable
        return text
    return text.translate(_ESCAPES)


def has_control_characters(text: str, *, allow_newline: bool = False) -> bool:
    """True when `text` holds a control character (newline excepted if allowed)."""
    if allow_newline:
        return _CONTROL.search(text) is not None
    return _CONTROL.search(text) is not None or "\n" in text


# ---------------------------------------------------------------------------
# Text that enters the registry: the one rule, for every way in (add, end, resume,
# import csv, import wikidata, import json).


def entered_text(text: str, *, multiline: bool = False) -> str:
    """Text as the registry stores it: in free text (notes, details) a Windows line
    break (CRLF) is a line break (LF); anything else is kept as it is."""
    return text.replace("\r\n", "\n") if multiline and "\r" in text else text


NOT_TEXT = "is not valid text (it holds bytes that are not UTF-8)"


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why `text` may not enter the registry, said after what it is ("the title ..."),
    or None when it may. One-line text (a name, a title, a kind, a source) holds no
    control character at all; free text (`multiline`: notes, details) may hold line
    breaks but no other control character. Either must be text that UTF-8 can hold
    (no lone surrogate, which JSON can smuggle in as "\\ud800")."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return NOT_TEXT
    text = entered_text(text, multiline=multiline)
    if not has_control_characters(text, allow_newline=multiline):
        return None
    found = _CONTROL.search(text)
    char = f"U+{ord(found.group()):04X}" if found is not None else "a line break"
    if multiline:
        return f"may hold line breaks but no other control character (found {char})"
    return f"must be one line of plain text, without control characters (found {char})"


#: A suggestion this much less alike than the best one is noise: for `taipei-dageu`,
#: taipei-daegu (0.92) but not taipei-prague (0.80) or taipei-seoul (0.75).
_SUGGESTION_MARGIN = 0.1
#: No typo of a key, an id or a name is longer; difflib would take long on it.
_LONGEST_TYPO = 64


def closest(word: str, candidates: Iterable[str], *, n: int = 3, cutoff: float = 0.6) -> list[str]:
    """At most `n` candidates most like `word` (difflib's ratio, at least `cutoff`),
    best first and equals in alphabetical order, leaving out those far less alike than
    the best: what every "did you mean" of sisterctl suggests."""
    import difflib

    if len(word) > _LONGEST_TYPO:
        return []
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    scored = []
    for candidate in candidates:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            ratio = matcher.ratio()
            if ratio >= cutoff:
                scored.append((ratio, candidate))
    best = sorted(scored, key=lambda item: (-item[0], item[1]))[:n]  # equals alphabetically
    return [c for ratio, c in best if ratio >= best[0][0] - _SUGGESTION_MARGIN]


def closest_one(word: str, candidates: Iterable[str], *, cutoff: float = 0.75) -> str | None:
    """The one candidate most like `word` (a key or an id mistyped), or None."""
    found = closest(word, candidates, n=1, cutoff=cutoff)
    return found[0] if found else None
