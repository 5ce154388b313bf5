"""Errors reach the user as one line with a documented exit code, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sisterctl.errors import ExitCode
from tests.conftest import Run


def boom(*args: object, **kwargs: object) -> None:
    raise ZeroDivisionError("division by zero")


def test_an_internal_error_is_one_line_with_a_way_to_details(
    run: Run, small_registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sisterctl.core.query.select", boom)
    result = run("-r", small_registry, "list")
    assert result.exit_code == ExitCode.INTERNAL
    assert result.stderr == (
        "sisterctl: internal error: ZeroDivisionError: division by zero. "
        "Run again with --debug for details, and please report it.\n"
    )


def test_debug_shows_the_traceback(
    run: Run, small_registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sisterctl.core.query.select", boom)
    result = run("--debug", "-r", small_registry, "list")
    assert result.exit_code != ExitCode.OK
    assert isinstance(result.exception, ZeroDivisionError)


def test_usage_errors_are_one_line_with_exit_2(run: Run) -> None:
    result = run("stats", "--top", "nineteen")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.count("\n") == 1
    assert "Invalid value for '--top'" in result.stderr
    assert "(see 'sisterctl stats --help')" in result.stderr
    result = run("lsit")
    assert result.exit_code == ExitCode.USAGE
    assert "No such command 'lsit'" in result.stderr and "list" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["show", "taipei-daegu", "--debug"],
            "--debug is an option of sisterctl itself: put it before the command "
            "(sisterctl --debug show ...)",
        ),
        (
            ["timeline", "--version"],
            "--version is an option of sisterctl itself: put it before the command "
            "(sisterctl --version)",
        ),
    ],
)
def test_an_option_of_sisterctl_after_the_command_says_where_it_goes(
    run: Run, args: list[str], message: str
) -> None:
    result = run(*args)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == f"sisterctl: {message}\n"
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ("list", "-f", "csv", "--registry", "{r}"),
        ("list", "-r", "{r}", "-f", "csv"),
        ("show", "taipei-daegu", "-r", "{r}", "-f", "json"),
        ("timeline", "-r", "{r}", "taipei-daegu"),
        ("stats", "--registry={r}"),
        ("upcoming", "--within", "1y", "-r", "{r}"),
        ("check", "-r", "{r}"),
        ("export", "csv", "-r", "{r}"),
        ("add", "exchange", "taipei-daegu", "--date", "2019", "--kind", "visit",
         "--title", "A visit", "--dry-run", "-r", "{r}"),
    ],
)  # fmt: skip
def test_the_registry_may_be_named_after_the_command_too(
    run: Run, small_registry: Path, args: tuple[str, ...]
) -> None:
    after = run(*(a.replace("{r}", str(small_registry)) for a in args))
    assert after.exit_code == 0, after.stderr
    # The same as before the command.
    rest = [a for a in args if "{r}" not in a and a not in ("-r", "--registry")]
    before = run("-r", small_registry, *rest)
    assert (after.stdout, after.stderr) == (before.stdout, before.stderr)
    # ...and not what the bundled registry, the default, gives.
    bundled = run(*rest)
    assert (after.stdout, after.stderr) != (bundled.stdout, bundled.stderr)


def test_two_registries_before_and_after_the_command_are_refused(
    run: Run, small_registry: Path, tmp_path: Path
) -> None:
    result = run("-r", small_registry, "list", "-r", tmp_path / "other.toml")
    assert result.exit_code == 2
    assert result.stderr == (
        f"sisterctl: two registries named: {small_registry} before the command and "
        f"{tmp_path / 'other.toml'} after it\n"
    )


def test_a_picture_after_the_registry_is_checked_against_that_registry(
    run: Run, small_registry: Path
) -> None:
    # --svg comes first on the line, but is compared with the registry named after it.
    result = run("list", "--svg", small_registry, "-r", small_registry)
    assert result.exit_code == 1
    assert "is the registry itself" in result.stderr


def test_as_of_must_be_a_full_date(run: Run, small_registry: Path) -> None:
    result = run("-r", small_registry, "list", "--as-of", "2026-11")
    assert result.exit_code == ExitCode.REFUSED
    assert result.stderr == (
        "sisterctl: --as-of: '2026-11' is a month, not a day: write YYYY-MM-DD "
        "(e.g. 2026-11-28), or today, yesterday or tomorrow\n"
    )
    result = run("-r", small_registry, "list", "--as-of", "2026-02-30")
    assert result.exit_code == ExitCode.REFUSED
    assert "February 2026 has 28 days" in result.stderr


def test_a_closed_pipe_is_not_an_error(small_registry: Path, tmp_path: Path) -> None:
    """`sisterctl list --format csv | head -1` ends quietly."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sisterctl", "-r", str(small_registry), "list", "-f", "csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # the reader goes away before sisterctl writes
    _, err = proc.communicate(timeout=60)
    assert err == b""  # no traceback, no message
    assert proc.returncode == ExitCode.OK


def test_an_output_encoding_that_cannot_hold_a_name_is_one_line(
    small_registry: Path, tmp_path: Path
) -> None:
    """臺北市 or an en dash written to an ASCII (or cp1252) stream: the user's setting,
    not a bug; no traceback, and a way out."""
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0"}
    proc = subprocess.run(
        [sys.executable, "-m", "sisterctl", "-r", str(small_registry), "show", "taipei-daegu"],
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert proc.returncode == ExitCode.REFUSED
    assert proc.stderr.decode("ascii").startswith("sisterctl: cannot write ")
    assert proc.stderr.decode("ascii").endswith(
        "in the output's encoding (ascii): set PYTHONIOENCODING=utf-8, or use a UTF-8 locale\n"
    )
    assert proc.stderr.count(b"\n") == 1
