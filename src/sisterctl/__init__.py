"""sisterctl: a registry of sister-city ties, as a command line and as a library.

    import sisterctl
    reg = sisterctl.open("partnerships.toml")   # or sisterctl.open() for the bundled one
    reg.ties(city="Taipei")

`open`, `RegistryFile` and the errors (`SisterctlError`, `NotFoundError`, ...) are
imported on first use, so that `sisterctl --version` stays fast. docs/api.md
documents the library.
"""

from __future__ import annotations

# typing is not imported: `sisterctl --version` does without it (mypy reads the names).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"

_ERRORS = (
    "SisterctlError",
    "RefusedError",
    "UsageError",
    "RegistryError",
    "RegistryBusyError",
    "InvalidDateError",
    "NotFoundError",
    "ExitCode",
)
__all__ = ["RegistryFile", "__version__", "open", *_ERRORS]


def __getattr__(name: str) -> Any:
    if name in ("open", "RegistryFile"):
        from sisterctl import api

        return getattr(api, name)
    if name in _ERRORS:
        from sisterctl import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'sisterctl' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
