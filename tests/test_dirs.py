"""The user folders sisterctl finds itself on Linux are the ones platformdirs finds."""

from __future__ import annotations

import sys

import platformdirs
import pytest

from sisterctl.store import dirs

ENVIRONMENTS = [
    {},
    {"XDG_DATA_HOME": "/somewhere/data", "XDG_CACHE_HOME": "/somewhere/cache"},
    {"XDG_DATA_HOME": "relative/data", "XDG_CACHE_HOME": "relative/cache"},
    {"XDG_DATA_HOME": "", "XDG_CACHE_HOME": ""},
    {"HOME": "/home/someone"},
    {"HOME": "/home/someone", "XDG_CACHE_HOME": "/elsewhere"},
]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_folders_are_those_platformdirs_gives(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    monkeypatch.undo()  # the user cache folder tests/conftest.py gives every test
    for variable in ("XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(variable, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert dirs.user_data_path() == platformdirs.user_data_path(appauthor=False)
    assert dirs.user_cache_path() == platformdirs.user_cache_path(appauthor=False)
    assert dirs.user_data_path() / "sisterctl" == platformdirs.user_data_path(
        "sisterctl", appauthor=False
    )


def test_linux_needs_no_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    if sys.platform != "linux":
        pytest.skip("only Linux is answered without platformdirs")
    monkeypatch.undo()  # the user cache folder tests/conftest.py gives every test
    monkeypatch.setenv("HOME", "/home/someone")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setitem(sys.modules, "platformdirs", None)  # importing it would fail
    assert str(dirs.user_cache_path()) == "/home/someone/.cache"
