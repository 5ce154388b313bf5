"""`sisterctl export ics` imported by a real calendar program, khal.

khal is not a dependency of sisterctl: `.ci/run` installs it into a virtual
environment of its own and names it in $SISTERCTL_KHAL; elsewhere the tests use the
`khal` on PATH, and skip without one. khal's configuration, its calendar folder and
its database are all in tmp_path, and HOME and XDG_* point there too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from sisterctl.errors import ExitCode
from tests.conftest import DATA, Run

KHAL = os.environ.get("SISTERCTL_KHAL") or shutil.which("khal")
pytestmark = pytest.mark.skipif(KHAL is None, reason="khal is not installed")

# One line an event, once even when it spans days: [CANCELLED ]START END TITLE.
FORMAT = "{cancelled}{start-date} {end-date} {title}"

Khal = Callable[..., str]


@pytest.fixture
def khal(tmp_path: Path) -> Khal:
    home = tmp_path / "khal-home"
    folder = home / "calendar"
    folder.mkdir(parents=True)
    config = home / "config"
    config.write_text(
        "[calendars]\n"
        "[[anniversaries]]\n"
        f"path = {folder}\n"
        "[locale]\n"
        "dateformat = %Y-%m-%d\n"
        "longdateformat = %Y-%m-%d\n"
        "timeformat = %H:%M\n"
        "datetimeformat = %Y-%m-%d %H:%M\n"
        "longdatetimeformat = %Y-%m-%d %H:%M\n"
        "default_timezone = UTC\n"
        "local_timezone = UTC\n"
        "[sqlite]\n"
        f"path = {home / 'khal.db'}\n",
        encoding="utf-8",
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config-home"),
        "XDG_DATA_HOME": str(home / "data-home"),
        "XDG_CACHE_HOME": str(home / "cache-home"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
    }

    def run_khal(*args: str | Path) -> str:
        assert KHAL is not None
        done = subprocess.run(
            [KHAL, "-c", str(config), *map(str, args)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run_khal


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    path = tmp_path / "partnerships.toml"
    shutil.copy(DATA / "anniversaries.toml", path)
    return path


def export(run: Run, registry: Path, out: Path, *args: str) -> Path:
    result = run("-r", registry, "export", "ics", "-o", out, *args)
    assert result.exit_code == ExitCode.OK, result.stderr
    return out


def listed(khal: Khal, first: str, last: str) -> list[str]:
    text = khal("list", "--once", "--day-format", "", "--format", FORMAT, first, last)
    return [line for line in text.splitlines() if line.strip()]


def test_khal_imports_the_calendar_and_shows_cancelled_anniversaries_as_cancelled(
    run: Run, registry: Path, tmp_path: Path, khal: Khal
) -> None:
    first = export(run, registry, tmp_path / "first.ics", "--as-of", "2020-10-20", "-y", "2")
    khal("import", "--batch", first)
    # The note for 2020 is on 1 January, before the export's first day.
    assert listed(khal, "2020-01-01", "2022-10-19") == [
        "2020-01-01 2020-01-01 Taipei–Houston: 59th sister-city anniversary, sometime in 2020",
        "2020-11-01 2020-11-30 Daegu–Ningbo: 18th sister-city anniversary, "
        "sometime in November 2020",
        "2020-11-04 2020-11-04 Taipei–Daegu: 10th sister-city anniversary",
        "2020-11-30 2020-11-30 Houston–Ningbo: 5th sister-city anniversary",
        "2021-01-01 2021-01-01 Taipei–Houston: 60th sister-city anniversary, sometime in 2021",
        "2021-02-28 2021-02-28 Taipei–São Paulo: 9th sister-city anniversary",
        "2021-11-01 2021-11-30 Daegu–Ningbo: 19th sister-city anniversary, "
        "sometime in November 2021",
        "2021-11-04 2021-11-04 Taipei–Daegu: 11th sister-city anniversary",
        "2021-11-30 2021-11-30 Houston–Ningbo: 6th sister-city anniversary",
        "2022-01-01 2022-01-01 Taipei–Houston: 61st sister-city anniversary, sometime in 2022",
        "2022-02-28 2022-02-28 Taipei–São Paulo: 10th sister-city anniversary",
    ]
    # The tie ends; the next export, imported over the first, cancels what follows.
    result = run("-r", registry, "end", "taipei-daegu", "--date", "2021-01-05")
    assert result.exit_code == ExitCode.OK, result.stderr
    second = export(run, registry, tmp_path / "second.ics", "--as-of", "2021-01-06", "-y", "2")
    khal("import", "--batch", second)
    # khal keeps a cancelled event, updated in place (no copy), and marks it so:
    # "CANCELLED " before it ({cancelled} in khal's formats, there by default).
    assert listed(khal, "2021-01-06", "2022-10-19") == [
        "2021-02-28 2021-02-28 Taipei–São Paulo: 9th sister-city anniversary",
        "2021-11-01 2021-11-30 Daegu–Ningbo: 19th sister-city anniversary, "
        "sometime in November 2021",
        "CANCELLED 2021-11-04 2021-11-04 Taipei–Daegu: 11th sister-city anniversary",
        "2021-11-30 2021-11-30 Houston–Ningbo: 6th sister-city anniversary",
        "2022-01-01 2022-01-01 Taipei–Houston: 61st sister-city anniversary, sometime in 2022",
        "2022-02-28 2022-02-28 Taipei–São Paulo: 10th sister-city anniversary",
    ]
    # Revived (resume --force), the tie's anniversary is confirmed again in khal.
    result = run("-r", registry, "resume", "taipei-daegu", "--date", "2021-02-01", "--force")
    assert result.exit_code == ExitCode.OK, result.stderr
    third = export(run, registry, tmp_path / "third.ics", "--as-of", "2021-02-02", "-y", "2")
    khal("import", "--batch", third)
    assert [line for line in listed(khal, "2021-02-02", "2022-10-19") if "Daegu:" in line] == [
        "2021-11-04 2021-11-04 Taipei–Daegu: 11th sister-city anniversary"
    ]


def test_khal_imports_an_empty_calendar(
    run: Run, registry: Path, tmp_path: Path, khal: Khal
) -> None:
    empty = export(
        run, registry, tmp_path / "empty.ics", "--as-of", "2020-10-20", "--country", "CZ"
    )
    assert b"BEGIN:VEVENT" not in empty.read_bytes()
    khal("import", "--batch", empty)
    assert listed(khal, "2020-10-20", "2030-10-19") == []
