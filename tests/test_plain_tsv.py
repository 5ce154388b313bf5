"""TSV is written a row at a time (one search for unsafe characters a row): the same
text as writing each cell by its own rule."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sisterctl.output import plain

FIELDS = ("a", "b", "c")
TEXT = st.text(alphabet=st.sampled_from("ab é臺\t\n\r\x1b\u202e\x7f;'=-"), max_size=8)
VALUE = st.one_of(
    st.none(),
    TEXT,
    st.integers(-5, 5000),
    st.booleans(),
    st.floats(allow_nan=False),
    st.lists(TEXT, max_size=3),
)


def by_cell(rows: list[dict[str, Any]]) -> str:
    """The definition: each cell by plain._tsv_cell."""
    lines = ["\t".join(FIELDS)]
    lines += ["\t".join(plain._tsv_cell(row.get(f)) for f in FIELDS) for row in rows]
    return "".join(line + "\n" for line in lines)


@given(st.lists(st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, VALUE)), max_size=6))
def test_tsv_rows_are_what_each_cell_gives(rows: list[dict[str, Any]]) -> None:
    out = io.StringIO()
    plain.write_tsv(rows, FIELDS, out)
    assert out.getvalue() == by_cell(rows)
    assert out.getvalue().count("\n") == len(rows) + 1


def test_a_tab_or_a_control_character_in_a_cell_is_not_written_raw() -> None:
    out = io.StringIO()
    plain.write_tsv([{"a": "x\ty", "b": "\x1b[2J", "c": 3}], FIELDS, out)
    assert out.getvalue() == "a\tb\tc\nx y\t\\x1b[2J\t3\n"
