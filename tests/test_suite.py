"""The test suite itself: a newcomer runs it with plain `pytest` as well as with
`python -m pytest`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sisterctl.errors import ExitCode

ROOT = Path(__file__).resolve().parents[1]


def test_plain_pytest_collects_the_suite_from_the_repository_root() -> None:
    """`python -m pytest` puts the current folder on sys.path, the `pytest` script
    does not: the tests' `from tests.conftest import ...` must work for both."""
    script = Path(sys.executable).with_name("pytest.exe" if os.name == "nt" else "pytest")
    if not script.exists():
        pytest.skip("no pytest script beside this Python")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(script), "--collect-only", "-q", "-p", "no:cacheprovider", "tests/test_tables.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == ExitCode.OK, result.stdout + result.stderr
    assert "test_tables.py::test_list_on_a_pipe_is_one_line_per_row" in result.stdout
