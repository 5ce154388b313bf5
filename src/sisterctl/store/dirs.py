"""The user's data and cache folders, as platformdirs finds them, found faster on Linux.

Importing platformdirs costs about 3 ms, a tenth of the start-up budget of a command
on a small registry (README, Performance). On Linux the folders follow the XDG rules:
`$XDG_DATA_HOME` or `$XDG_CACHE_HOME` when it is an absolute path, else
`~/.local/share` or `~/.cache` under an absolute `$HOME`; this module applies them
itself. Anywhere else (macOS, Windows, Android), and on Linux in any other case, it
asks platformdirs. tests/test_dirs.py holds the two to the same answers.
"""

from __future__ import annotations

import os
import posixpath
import sys
from pathlib import Path


def user_data_path() -> Path:
    """The user data folder (`~/.local/share` on Linux), without the app's name."""
    found = _xdg("XDG_DATA_HOME", ".local/share")
    if found is not None:
        return found
    from platformdirs import user_data_path as platform_data_path

    return platform_data_path(appauthor=False)


def user_cache_path() -> Path:
    """The user cache folder (`~/.cache` on Linux), without the app's name."""
    found = _xdg("XDG_CACHE_HOME", ".cache")
    if found is not None:
        return found
    from platformdirs import user_cache_path as platform_cache_path

    return platform_cache_path(appauthor=False)


def _xdg(variable: str, under_home: str) -> Path | None:
    environ = os.environ
    if sys.platform != "linux" or hasattr(sys, "getandroidapilevel"):
        return None
    if "ANDROID_DATA" in environ or "ANDROID_ROOT" in environ:
        return None
    value = environ.get(variable, "")
    if posixpath.isabs(value):
        return Path(value)
    home = environ.get("HOME", "")
    if posixpath.isabs(home):
        return Path(home) / under_home
    return None
