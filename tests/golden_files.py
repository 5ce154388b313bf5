"""Golden files: whole rendered outputs kept as text in tests/golden/.

A test compares what sisterctl prints with the file of the same name. After a change
that is meant to alter the output, regenerate the files and review the diff in git:

    SISTERCTL_REGEN_GOLDEN=1 pytest tests/test_golden.py tests/test_cli_timeline.py \
        tests/test_tables.py

(tests/test_golden.py also checks that every file in tests/golden/ is in use.)
"""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("SISTERCTL_REGEN_GOLDEN") == "1"


def assert_golden(name: str, text: str) -> None:
    """`text` equals tests/golden/NAME, or the file is rewritten when regenerating."""
    path = GOLDEN / name
    if REGENERATE:
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing: run with SISTERCTL_REGEN_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), f"output differs from {path}"
