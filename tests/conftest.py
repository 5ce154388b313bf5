"""Shared fixtures: registries written into tmp_path, a CLI runner, a terminal.

The registries tests share are here (texts and fixtures) or in tests/data/; a registry
written inline in a test is one whose content is the point of that test."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from sisterctl.cli import app, load_all

load_all()  # main() registers only the command it runs; tests invoke them all

DATA = Path(__file__).parent / "data"
# The shared data sets sit beside the repository (../shared); $SISTERCTL_SHARED names
# them elsewhere (from a git worktree, or a CI cache).
SHARED = Path(os.environ.get("SISTERCTL_SHARED") or Path(__file__).resolve().parents[2] / "shared")
TWIN_CITIES = SHARED / "data" / "twin-cities" / "twin_cities_raw.csv"

Run = Callable[..., Result]

# An empty registry: what `sisterctl init` writes, less its comments.
EMPTY = "schema_version = 1\n"

# Taipei–Daegu alone: two cities, one tie known to the day.
TAIPEI_DAEGU = """\
schema_version = 1
[[city]]
id = "taipei-tw"
name = "Taipei"
country = "TW"
[[city]]
id = "daegu-kr"
name = "Daegu"
country = "KR"
[[partnership]]
id = "taipei-daegu"
cities = ["taipei-tw", "daegu-kr"]
established = "2010-11-04"
"""

# Three cities and two ties, with nothing else: Taipei–Daegu known to the day,
# Daegu–São Paulo to the year; Daegu also known as Taegu, Taipei as 臺北市.
TWO_TIES = """\
schema_version = 1

[[city]]
id = "taipei-tw"
name = "Taipei"
country = "TW"
local_name = "臺北市"

[[city]]
id = "daegu-kr"
name = "Daegu"
country = "KR"
aliases = ["Taegu"]

[[city]]
id = "sao-paulo-br"
name = "São Paulo"
country = "BR"

[[partnership]]
id = "taipei-daegu"
cities = ["taipei-tw", "daegu-kr"]
established = "2010-11-04"

[[partnership]]
id = "daegu-sao-paulo"
cities = ["daegu-kr", "sao-paulo-br"]
established = "1997"
"""


def one_tie(name_a: str, name_b: str, tie: str = "a-b", **keys: str) -> str:
    """A registry of one tie, between a city of Taiwan (a-tw) and one of South Korea
    (b-kr), named as given; `keys` are more of the tie's keys, with their values as
    TOML (`established='"2010-11-04"'`)."""
    import json

    more = "".join(f"{key} = {value}\n" for key, value in keys.items())
    return (
        EMPTY
        + f'[[city]]\nid = "a-tw"\nname = {json.dumps(name_a)}\ncountry = "TW"\n'
        + f'[[city]]\nid = "b-kr"\nname = {json.dumps(name_b)}\ncountry = "KR"\n'
        + f'[[partnership]]\nid = "{tie}"\ncities = ["a-tw", "b-kr"]\n{more}'
    )


@pytest.fixture
def small_registry(tmp_path: Path) -> Path:
    """A copy of tests/data/small.toml: Taipei–Daegu, Daegu–São Paulo, Prague–Beijing."""
    path = tmp_path / "partnerships.toml"
    shutil.copy(DATA / "small.toml", path)
    return path


@pytest.fixture
def empty_registry(tmp_path: Path) -> Path:
    """An empty registry file in tmp_path (empty.toml, beside small_registry's)."""
    path = tmp_path / "empty.toml"
    path.write_text(EMPTY, encoding="utf-8")
    return path


@pytest.fixture
def write_registry(tmp_path: Path) -> Callable[[str], Path]:
    """Write registry text to a file in tmp_path and return its path."""

    def write(text: str, name: str = "registry.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Run:
    """Run sisterctl in-process with separate stdout and stderr, at a fixed width,
    with no user registry and no SISTERCTL_REGISTRY from the environment."""
    monkeypatch.delenv("SISTERCTL_REGISTRY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("NO_COLOR", raising=False)
    runner = CliRunner()

    def invoke(
        *args: str | Path, input: str | None = None, env: dict[str, str] | None = None
    ) -> Result:
        return runner.invoke(app, [str(a) for a in args], input=input, env=env)

    return invoke


GAZETTEER = DATA / "gazetteer.json"


@pytest.fixture(autouse=True)
def no_gazetteer(monkeypatch: pytest.MonkeyPatch) -> None:
    """No gazetteer unless a test asks for one (the `gazetteer` fixture, or the real
    one): commands that add cities then write no coordinates, as without the extra."""
    monkeypatch.setenv("SISTERCTL_GAZETTEER", "none")


@pytest.fixture
def gazetteer(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small gazetteer of tests/data/gazetteer.json: Taipei, Daegu, São Paulo,
    Prague, Beijing, two Perths (Australia, Scotland) and two Portlands (Oregon, Maine)."""
    monkeypatch.setenv("SISTERCTL_GAZETTEER", str(GAZETTEER))
    return GAZETTEER


@pytest.fixture(autouse=True)
def cache_home(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The user cache folder of every test: a temporary folder of its own, beside
    tmp_path rather than in it, so that tests that compare tmp_path before and after a
    command see only the files a user sees (the registry cache is the user's cache)."""
    from sisterctl.store import dirs

    home = tmp_path_factory.mktemp("cache-home")
    monkeypatch.delenv("SISTERCTL_NO_CACHE", raising=False)
    monkeypatch.setattr(dirs, "user_cache_path", lambda: home)
    # And for the sisterctl a test runs as a program (on Linux, where the cache folder
    # follows $XDG_CACHE_HOME), so that it, too, writes nothing to the user's cache.
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def _gc_thawed() -> Iterator[None]:
    """`sisterctl.cli.main` freezes what the garbage collector has seen when its command
    ends (cli/startup.py: collector_paused), which a process that ends with the command
    can afford; a test session thaws it after each test."""
    import gc

    yield
    gc.unfreeze()


Terminal = Callable[..., str]


@pytest.fixture
def terminal(tmp_path: Path) -> Terminal:
    """Run `python -m sisterctl ARGS` on a pseudo-terminal `columns` wide (and with
    COLUMNS unset, so that sisterctl asks the terminal) and return what it showed, with
    the terminal's line ends made plain; with no pager (tests/test_pager.py runs one).
    Skips where there are no pseudo-terminals."""
    if sys.platform == "win32":
        pytest.skip("needs a pseudo-terminal")

    def show(*args: str | Path, columns: int = 80, env: dict[str, str] | None = None) -> str:
        import fcntl
        import pty
        import struct
        import subprocess
        import termios

        leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
        environ = {
            k: v
            for k, v in os.environ.items()
            if k not in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "SISTERCTL_REGISTRY")
        }
        environ.update(
            {
                "TERM": "xterm-256color",
                "SISTERCTL_PAGER": "",
                "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
                "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
                **(env or {}),
            }
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "sisterctl", *(str(a) for a in args)],
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env=environ,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the other end closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait(timeout=60)
        os.close(leader)
        return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")

    return show
