"""What a person sees on an 80- or 60-column terminal, and with NO_COLOR."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.conftest import Run


def header(out: str) -> list[str]:
    return next(line for line in out.splitlines() if line.strip()).split()


def test_list_keeps_every_column_when_it_fits(run: Run, small_registry: Path) -> None:
    out = run("-r", small_registry, "list", "--as-of", "2026-11-28").stdout
    assert header(out) == ["Tie", "City", "City", "Kind", "Established", "Years", "Status"]


def test_list_at_80_columns_never_cuts_the_status(
    run: Run, small_registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    out = run("list", "--as-of", "2026-11-28").stdout  # the bundled registry: long ids
    assert header(out) == ["Tie", "City", "City", "Kind", "Established", "Status"]
    assert all(len(line) <= 80 for line in out.splitlines())
    assert "suspended" in out  # Taipei–Manila, in full
    short = run("-r", small_registry, "list", "--as-of", "2026-11-28").stdout
    assert header(short) == ["Tie", "City", "City", "Kind", "Established", "Years", "Status"]


def test_list_at_60_columns_keeps_dates_and_status(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    out = run("list", "--city", "Taipei", "--since", "2015", "--as-of", "2026-11-28").stdout
    assert header(out) == ["Tie", "City", "City", "Established", "Status"]
    assert "taipei-wellington" in out and "2015-02-12" in out and "active" in out


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_no_color_on_a_terminal_writes_no_escape_codes(small_registry: Path) -> None:
    import pty
    import subprocess

    def on_a_terminal(extra: dict[str, str]) -> bytes:
        leader, follower = pty.openpty()
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
        env.update({"COLUMNS": "100", "TERM": "xterm-256color", **extra})
        proc = subprocess.Popen(
            [sys.executable, "-m", "sisterctl", "-r", str(small_registry), "list"],
            stdout=follower,
            stderr=follower,
            stdin=follower,
            env=env,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait(timeout=60)
        os.close(leader)
        return b"".join(chunks)

    coloured = on_a_terminal({})
    assert b"\x1b[" in coloured  # a terminal gets styles...
    plain = on_a_terminal({"NO_COLOR": "1"})
    assert b"\x1b" not in plain  # ...but not with NO_COLOR
    assert b"taipei-daegu" in plain and b"Established" in plain
