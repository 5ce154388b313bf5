"""Where the registry is: an option, $SISTERCTL_REGISTRY, the user's registry, or the
bundled one; and where the registry's JSON Schema is."""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from sisterctl.records.toml import SCHEMA_FILE

if TYPE_CHECKING:
    pass


ENV_VAR = "SISTERCTL_REGISTRY"
FILE_NAME = "partnerships.toml"

# ---------------------------------------------------------------------------
# Where the registry is


class Origin(StrEnum):
    OPTION = "option"  # named by the caller (on the command line, with --registry)
    ENV = ENV_VAR
    USER = "user registry"
    BUNDLED = "bundled registry"


class Location(NamedTuple):
    """The registry a command uses, and how it was found (`origin`). (A named tuple:
    every command makes one, and a dataclass costs start-up a millisecond.)"""

    path: Path
    origin: Origin

    @property
    def bundled(self) -> bool:
        return self.origin is Origin.BUNDLED


def bundled_path() -> Path:
    """The registry that ships with sisterctl (the repository's data/partnerships.toml)."""
    from importlib import import_module

    # The data package's own folder: importlib.resources would cost 3 ms at start-up.
    data = import_module("sisterctl.data").__file__
    assert data is not None
    return Path(data).with_name(FILE_NAME)


def is_bundled(path: Path) -> bool:
    """Whether `path` names the registry bundled with sisterctl, by whatever name
    (--registry, $SISTERCTL_REGISTRY, a link to it)."""
    from sisterctl.store.atomic import same_file

    return same_file(path, bundled_path())


def schema_path() -> Path:
    """The registry format's JSON Schema as installed with sisterctl
    (the repository's schema/registry.schema.json)."""
    from importlib import resources

    return Path(str(resources.files("sisterctl.schema").joinpath(SCHEMA_FILE)))


def copy_schema_beside(registry: Path) -> bool | None:
    """Put a copy of the installed JSON Schema beside `registry`, for the `#:schema`
    line of a registry that `init` made: True when copied, None when the same file is
    there already, False when another file of that name is there (it is kept)."""
    import os

    data = schema_path().read_bytes()
    target = registry.parent / SCHEMA_FILE
    try:
        with target.open("xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except FileExistsError:
        try:
            return None if target.read_bytes() == data else False
        except OSError:
            return False
    except OSError:
        return False
    return True


def user_registry_path() -> Path:
    """The user's own registry, created by `sisterctl init` with no path."""
    from sisterctl.store.dirs import user_data_path

    return user_data_path() / "sisterctl" / FILE_NAME


def locate(option: str | Path | None = None, env: Mapping[str, str] | None = None) -> Location:
    """Which registry to use: --registry, then $SISTERCTL_REGISTRY, then the user's
    own registry if it exists, then the bundled one."""
    environ = os.environ if env is None else env
    if option is not None and str(option) != "":
        return Location(Path(option).expanduser(), Origin.OPTION)
    if environ.get(ENV_VAR):
        return Location(Path(environ[ENV_VAR]).expanduser(), Origin.ENV)
    user = user_registry_path()
    if user.is_file():
        return Location(user, Origin.USER)
    return Location(bundled_path(), Origin.BUNDLED)
