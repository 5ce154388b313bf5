"""Text helpers: matching that ignores case and accents, readable ids, safe display."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_SLUG = re.compile(r"[^a-z0-9]+")
# C0 and C1 control characters other than tab and newline, DEL, the line and paragraph
# separators, and the bidirectional and zero-width format characters that can reorder
# or hide text on a terminal.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
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
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(
        lambda m: (
            f"\\u{ord(m.group()):04x}" if ord(m.group()) > 0xFF else f"\\x{ord(m.group()):02x}"
        ),
        text,
    )


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
