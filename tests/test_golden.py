"""`show` and `check` as whole text, compared with golden files (see
tests/golden_files.py), and every golden file in use."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rich.cells import cell_len

from sisterctl.core.check import CheckExit
from sisterctl.errors import ExitCode
from tests.conftest import DATA, Run
from tests.golden_files import GOLDEN, assert_golden

# (golden file, registry in tests/data, arguments, columns or exit code)
SHOW_CASES = [
    ("show-taipei-daegu-100.txt", "small.toml", ("show", "taipei-daegu"), 100),
    ("show-taipei-daegu-60.txt", "small.toml", ("show", "Daegu", "Taipei"), 60),
    ("show-prague-beijing-100.txt", "small.toml", ("show", "prague-beijing"), 100),
    ("show-daegu-ningbo-100.txt", "timeline.toml", ("show", "daegu-ningbo"), 100),
    ("show-daegu-ningbo-44.txt", "timeline.toml", ("show", "daegu-ningbo"), 44),
]
CHECK_CASES = [
    ("check-example.txt", "check-example.toml", ("check",), CheckExit.ERRORS),
    ("check-example-json.txt", "check-example.toml", ("check", "-f", "json"), CheckExit.ERRORS),
    ("check-timeline.txt", "timeline.toml", ("check",), CheckExit.CLEAN),
    ("check-timeline-strict.txt", "timeline.toml", ("check", "--strict"), CheckExit.ERRORS),
    ("check-small.txt", "small.toml", ("check",), CheckExit.CLEAN),
]


@pytest.mark.parametrize(
    ("name", "registry", "args", "columns"), SHOW_CASES, ids=[c[0] for c in SHOW_CASES]
)
def test_show_matches_its_golden_file(
    run: Run, tmp_path: Path, name: str, registry: str, args: tuple[str, ...], columns: int
) -> None:
    path = tmp_path / registry
    shutil.copy(DATA / registry, path)
    result = run("-r", path, *args, "--as-of", "2026-03-01", env={"COLUMNS": str(columns)})
    assert result.exit_code == ExitCode.OK, result.stderr
    assert result.stderr == ""
    assert all(cell_len(line) <= columns for line in result.stdout.splitlines())
    assert "\x1b[" not in result.stdout
    assert_golden(name, result.stdout)


@pytest.mark.parametrize(
    ("name", "registry", "args", "code"), CHECK_CASES, ids=[c[0] for c in CHECK_CASES]
)
def test_check_matches_its_golden_file(
    run: Run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    registry: str,
    args: tuple[str, ...],
    code: CheckExit,
) -> None:
    # Run beside the file, so that the report names it as a user would see it.
    shutil.copy(DATA / registry, tmp_path / registry)
    monkeypatch.chdir(tmp_path)
    result = run(*args, registry, "--as-of", "2026-03-01")
    assert result.exit_code == code, result.stderr
    assert_golden(name, result.stdout + result.stderr)


def test_golden_files_are_all_in_use() -> None:
    from tests.test_cli_timeline import GOLDEN_CASES
    from tests.test_tables import GOLDEN_NAMES

    used = {case[0] for case in GOLDEN_CASES} | GOLDEN_NAMES
    used |= {case[0] for case in SHOW_CASES} | {case[0] for case in CHECK_CASES}
    assert {p.name for p in GOLDEN.glob("*")} == used
