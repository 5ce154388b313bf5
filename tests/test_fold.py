"""`text.fold` takes shortcuts for speed (ASCII text; only non-ASCII characters checked
for combining marks); it must give what the plain definition gives."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from sisterctl.text import fold


def fold_by_definition(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


@given(st.text())
def test_fold_is_its_definition(text: str) -> None:
    assert fold(text) == fold_by_definition(text)


@given(st.text("aAbBéÉßẞ–İı \t\x1c\u0301ﬁ臺北市대구Ǆ"))
def test_fold_is_its_definition_on_tricky_letters(text: str) -> None:
    assert fold(text) == fold_by_definition(text)
