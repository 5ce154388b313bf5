"""`text.safe_display` escapes by a str.translate table, with a shortcut for printable
text; it must give what the plain definition, a regular expression, gives."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from sisterctl.text import safe_display

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def by_definition(text: str) -> str:
    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}"

    return UNSAFE.sub(escape, text)


@given(st.text())
def test_safe_display_is_its_definition(text: str) -> None:
    assert safe_display(text) == by_definition(text)


@given(st.text("aé臺 \t\n\r\x1b\x7f\x85\x9f\xa0\xad\u200b\u200e\u2028\u202e\u2066\u2069\ufeff"))
def test_safe_display_is_its_definition_on_tricky_characters(text: str) -> None:
    assert safe_display(text) == by_definition(text)


def test_safe_display_shows_an_escape_sequence_and_keeps_names() -> None:
    assert safe_display("\x1b[31mTaipei\u202e") == "\\x1b[31mTaipei\\u202e"
    assert safe_display("臺北市\tSão Paulo\n") == "臺北市\tSão Paulo\n"
