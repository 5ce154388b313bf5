"""Long output on a terminal goes through a pager; never in a pipe, never with --no-pager."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from sisterctl.cli.printer import DEFAULT_PAGER, pager_command
from tests.conftest import DATA

pty = pytest.importorskip("pty")  # a terminal to run in: POSIX only


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, shlex.split(DEFAULT_PAGER)),
        ({"PAGER": "most -s"}, ["most", "-s"]),
        ({"PAGER": "most", "SISTERCTL_PAGER": "less -R"}, ["less", "-R"]),
        ({"PAGER": "most", "SISTERCTL_PAGER": ""}, None),
        ({"PAGER": ""}, None),
        ({"PAGER": "cat"}, None),
    ],
)
def test_which_pager(environ: dict[str, str], expected: list[str] | None) -> None:
    assert pager_command(environ) == expected


def _run(
    tmp_path: Path, *args: str, lines: int = 10, pipe: bool = False, **env: str
) -> tuple[str, str | None]:
    """Run sisterctl on a terminal of 80 x `lines` (or into a pipe); its output, and
    what the pager was given (None if no pager ran). The pager is a recorder."""
    paged = tmp_path / "paged.txt"
    paged.unlink(missing_ok=True)
    recorder = shlex.join(
        [
            sys.executable,
            "-c",
            "import sys; open(sys.argv[1], 'wb').write(sys.stdin.buffer.read())",
            str(paged),
        ]
    )
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("SISTERCTL_", "PAGER", "LESS"))
    }
    environ.update(
        COLUMNS="80",
        LINES=str(lines),
        TERM="xterm-256color",
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        SISTERCTL_PAGER=recorder,
    )
    environ.pop("NO_COLOR", None)
    environ.update(env)
    command = [sys.executable, "-m", "sisterctl", *args]
    if pipe:
        done = subprocess.run(command, env=environ, capture_output=True, timeout=60, check=True)
        shown = done.stdout.decode()
    else:
        leader, follower = pty.openpty()
        process = subprocess.Popen(
            command, env=environ, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the process is done
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
        assert process.wait(timeout=60) == 0, b"".join(chunks)
        shown = b"".join(chunks).decode(errors="replace")
    return shown, paged.read_text(encoding="utf-8") if paged.exists() else None


def test_show_of_a_long_tie_goes_through_the_pager(tmp_path: Path) -> None:
    shown, paged = _run(tmp_path, "show", "taipei-daegu")
    assert paged is not None
    assert "Taipei–Daegu" in paged
    assert "\x1b[1m" in paged  # the pager gets the colours (less -R shows them)
    # The sources, whole, as hyperlinks.
    assert "\n\x1b[2m[1] \x1b[0m\x1b]8;id=" in paged
    assert "\x1b\\https://english.sec.gov.taipei/News_Content.aspx?n=D073F200AC649E35" in paged
    assert "Taipei–Daegu" not in shown  # nothing printed beside the pager


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("show", "taipei-daegu", "--no-pager"), {}),
        (("--no-pager", "timeline", "taipei-daegu"), {}),
        (("show", "taipei-daegu"), {"SISTERCTL_PAGER": ""}),
    ],
)
def test_no_pager_and_an_empty_sisterctl_pager_print_straight(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str]
) -> None:
    shown, paged = _run(tmp_path, *args, **env)
    assert paged is None
    assert "Taipei–Daegu" in shown


def test_never_in_a_pipe(tmp_path: Path) -> None:
    shown, paged = _run(tmp_path, "timeline", "taipei-daegu", pipe=True)
    assert paged is None
    assert shown.startswith("Taipei–Daegu  as of ")


def test_list_pages_only_more_rows_than_the_screen(tmp_path: Path) -> None:
    small = str(DATA / "small.toml")
    shown, paged = _run(tmp_path, "-r", small, "list", lines=40)
    assert paged is None
    assert "prague-beijing" in shown
    shown, paged = _run(tmp_path, "-r", small, "list", lines=5)
    assert paged is not None
    assert "prague-beijing" in paged
