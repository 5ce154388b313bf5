"""The store: the only code that touches the registry file and its index.

- `location`: which registry file (an option, $SISTERCTL_REGISTRY, the user's, the bundled one);
- `read`: its bytes, text and TOML, and the checked model (`load`) (what the TOML means
  is `sisterctl.records`' job);
- `appends`: locked, atomic, verified appends;
- `edit`: locked, atomic, verified edits of records in place (`sign`, `edit`, `geocode`);
- `atomic`: the one atomic writer, for every file sisterctl writes;
- `view`: a registry read a question at a time (from the index: only the rows it needs);
- `index`, `dirs`: the index of a registry, derived from it, and where it lives.

The names most callers need are importable from here (`from sisterctl import store;
store.load(path)`); each is imported from its module only when first asked for, so
that importing the store costs nothing a command does not use.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "location": (
        "ENV_VAR",
        "FILE_NAME",
        "Origin",
        "Location",
        "bundled_path",
        "schema_path",
        "copy_schema_beside",
        "user_registry_path",
        "locate",
    ),
    "read": ("read_text", "read_bytes", "decode", "parse_toml", "load", "parse_and_build"),
    "view": ("open_view", "View"),
    "appends": ("LOCK_TIMEOUT", "ATTEMPTS", "Appended", "lock_path", "append"),
    "edit": ("Edited", "edit", "edit_records", "add_city_keys"),
    "atomic": ("TEMP_MARK", "signature", "replace_unless_changed", "fsync_dir", "create"),
}
_WHERE = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'sisterctl.store' has no attribute {name!r}")
    return getattr(importlib.import_module(f"sisterctl.store.{module}"), name)


def __dir__() -> list[str]:
    return sorted(_WHERE)
