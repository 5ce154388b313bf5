"""docs/api.md runs as written: its `pycon` examples, in order, on a copy of
tests/data/small.toml in tmp_path (doctest compares what each prints)."""

from __future__ import annotations

import doctest
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import DATA

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def examples() -> str:
    blocks = re.findall(r"```pycon\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 5
    return "\n".join(blocks)


def test_the_examples_of_docs_api_md_run_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(DATA / "small.toml", tmp_path / "partnerships.toml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SISTERCTL_REGISTRY", raising=False)
    test = doctest.DocTestParser().get_doctest(examples(), {}, "docs/api.md", str(DOC), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0 and result.attempted > 10


def test_sisterctl_exposes_the_library_without_importing_it_at_once() -> None:
    import subprocess
    import sys

    code = (
        "import sys, sisterctl\n"
        "assert 'sisterctl.api' not in sys.modules and 'sisterctl.store' not in sys.modules\n"
        "assert sisterctl.open and sisterctl.NotFoundError and sisterctl.__version__\n"
        "assert 'sisterctl.api' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_str_and_a_path_open_the_same_registry(small_registry: Path) -> None:
    import sisterctl

    by_str = sisterctl.open(str(small_registry)).ties()
    by_path = sisterctl.open(small_registry).ties()
    assert [t.id for t in by_str] == [t.id for t in by_path] != []


def test_reading_from_python_writes_nothing_but_writes_the_registry(
    small_registry: Path, cache_home: Path
) -> None:
    import sisterctl

    reg = sisterctl.open(small_registry)
    reg.ties(city="Taipei")
    reg.upcoming(as_of="2026-01-01", within=365)
    assert list(cache_home.iterdir()) == []
    sisterctl.open(small_registry, index=True).ties(city="Taipei")
    assert list(cache_home.iterdir()) != []
