"""The library's writes (`sisterctl.open(path).add_...`): each is one request that the
store appends under the lock; a dry run or a refused request leaves the file as it was.
(docs/api.md shows the usual calls; a test runs its examples.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import sisterctl
from tests.conftest import TAIPEI_DAEGU

WRITES: list[tuple[str, Callable[..., Any], str]] = [
    (
        "add_partnership",
        lambda reg, **kw: reg.add_partnership("Taipei", "Chengdu, CN", established="2015", **kw),
        '[[partnership]]\nid = "taipei-chengdu"',
    ),
    (
        "add_agreement",
        lambda reg, **kw: reg.add_agreement("Taipei Daegu", date="2021", title="Renewal", **kw),
        '[[agreement]]\npartnership = "taipei-daegu"\ndate = "2021"\ntitle = "Renewal"\n',
    ),
    (
        "add_exchange",
        lambda reg, **kw: reg.add_exchange(
            ("Taipei", "Daegu"), date="2022", kind="visit", title="Visit", **kw
        ),
        '[[exchange]]\npartnership = "taipei-daegu"\ndate = "2022"\nkind = "visit"\n',
    ),
    (
        "end",
        lambda reg, **kw: reg.end("taipei-daegu", date="2023", suspend=True, **kw),
        'partnership = "taipei-daegu"\ndate = "2023"\nstatus = "suspended"\n',
    ),
    (
        "resume",
        lambda reg, **kw: reg.resume("taipei-daegu", date="2024", **kw),
        'partnership = "taipei-daegu"\ndate = "2024"\nstatus = "active"\n',
    ),
]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "partnerships.toml"
    path.write_text(TAIPEI_DAEGU, encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "write", "fragment"), WRITES, ids=[w[0] for w in WRITES])
def test_each_write_dry_runs_then_appends_what_it_said(
    path: Path, name: str, write: Callable[..., Any], fragment: str
) -> None:
    reg = sisterctl.open(path)
    if name == "resume":
        reg.end("taipei-daegu", date="2023", suspend=True)
    before = path.read_text(encoding="utf-8")
    dry = write(reg, dry_run=True)
    assert not dry.written and fragment in dry.fragment
    assert path.read_text(encoding="utf-8") == before
    done = write(reg)
    assert done.written and done.records == dry.records
    assert path.read_text(encoding="utf-8") == before + done.fragment


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda reg: reg.add_agreement("taipei-dageu", date="2021", title="T"),
            sisterctl.NotFoundError,
            "did you mean taipei-daegu?",
        ),
        (
            lambda reg: reg.add_exchange("taipei-daegu", date="2021-02-30", kind="v", title="T"),
            sisterctl.InvalidDateError,
            "2021-02-30",
        ),
        (lambda reg: reg.end("taipei-daegu", date=3), sisterctl.UsageError, "not 3"),
        (
            lambda reg: reg.resume("taipei-daegu", date="2023"),
            sisterctl.RefusedError,
            "there is no suspension to lift",
        ),
    ],
)
def test_a_refused_write_raises_and_leaves_the_file_as_it_was(
    path: Path, call: Callable[[Any], Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        call(sisterctl.open(path))
    assert path.read_text(encoding="utf-8") == TAIPEI_DAEGU
