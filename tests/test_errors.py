"""Errors carry their structure, and the core speaks of its own concepts: the CLI adds
the words of the command line."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import sisterctl
from sisterctl.cli.app import cli_words
from sisterctl.core.anniversaries import parse_span
from sisterctl.core.edits import NewAgreement, new_agreement
from sisterctl.dates import parse_partial_date
from sisterctl.errors import (
    Hint,
    Param,
    RecordRef,
    RefusedError,
    RegistryError,
    UsageError,
    library_words,
)
from sisterctl.store.read import load, read_bytes

PACKAGE = Path(sisterctl.__file__).parent
REGISTRY = """\
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
sources = ["https://example.org"]
"""


def test_an_error_says_its_terms_in_each_front_ends_words() -> None:
    error = RefusedError(("it is so (", Hint.FORCE, " to record it)"), key="date")
    assert error.hint is Hint.FORCE and error.needs_force
    assert str(error) == "it is so (pass force=True to record it)"
    assert error.render(cli_words) == "it is so (run again with --force to record it)"
    assert error.key == "date" and error.record is None and error.path is None


def test_a_text_that_looks_like_a_term_is_only_text() -> None:
    error = RefusedError(("force", " is a word; ", str(Hint.FORCE)))
    assert error.hint is None
    assert error.render(cli_words) == str(error) == "force is a word; force"


def test_a_registry_error_says_where_and_keeps_what_apart() -> None:
    error = RegistryError("not valid TOML: x", Path("r.toml"), 3, 7)
    assert str(error) == "r.toml:3:7: not valid TOML: x"
    assert error.what == error.detail == "not valid TOML: x"
    assert (error.path, error.line, error.column) == (Path("r.toml"), 3, 7)
    assert error.render(cli_words, where=False) == "not valid TOML: x"


def test_a_record_is_described_by_position_or_by_id() -> None:
    assert RecordRef("city", 1, "x-tw").describe() == "[[city]] #2 'x-tw'"
    assert RecordRef("partnership", None, "taipei-daegu").describe() == (
        "[[partnership]] 'taipei-daegu'"
    )


def test_an_invalid_registry_names_the_record_and_the_key(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text(REGISTRY + "kind = 3\n", encoding="utf-8")
    with pytest.raises(RegistryError) as error:
        load(path)
    assert error.value.record == RecordRef("partnership", 0, "taipei-daegu")
    assert error.value.key == "kind" and error.value.code == "type"
    assert error.value.line == 18 and error.value.column == 8  # the value
    assert (
        error.value.what
        == "[[partnership]] #1 'taipei-daegu': 'kind' must be a string, not an integer"
    )
    assert str(error.value) == f"{path}:18:8: {error.value.what}"


def test_a_missing_registry_hints_at_making_one_or_naming_another(tmp_path: Path) -> None:
    path = tmp_path / "gone.toml"
    with pytest.raises(RegistryError) as error:
        read_bytes(path)
    assert error.value.hint is Hint.CREATE and error.value.path == path
    assert "--registry" not in str(error.value)
    assert error.value.render(cli_words) == (
        f"{path}: no registry file here (create one with 'sisterctl init {path}', or name "
        "another with --registry or $SISTERCTL_REGISTRY)"
    )


def test_a_refusal_that_force_would_lift_says_so_in_structure() -> None:
    import tomli

    from sisterctl.records.build import build

    registry = build(tomli.loads(REGISTRY), text=REGISTRY).registry
    request = NewAgreement(["taipei-daegu"], parse_partial_date("2009"), "Letter")
    with pytest.raises(RefusedError) as error:
        new_agreement(registry, request)
    assert error.value.needs_force
    assert error.value.record == RecordRef("partnership", None, "taipei-daegu")
    assert error.value.code == "before-founding"
    assert "--force" not in str(error.value)


def test_a_bad_value_of_a_request_names_the_value() -> None:
    with pytest.raises(UsageError) as error:
        parse_span("soon")
    assert error.value.param is Param.WITHIN
    assert str(error.value).startswith("within takes a positive length")
    assert error.value.render(cli_words).startswith("--within takes a positive length")


@pytest.mark.parametrize("term", [*Hint, *Param])
def test_every_term_has_words_in_the_library_and_on_the_command_line(term: Hint | Param) -> None:
    error = RefusedError(("x ", term), record=RecordRef("partnership", None, "t"), key="k")
    assert library_words(term, error) and cli_words(term, error)


# ---------------------------------------------------------------------------
# No words of the command line in the messages of the core

# Options, "run again", and commands as a user types them (quoted, or after "run" or
# "with": "run sisterctl geocode").
CLI_WORDS = re.compile(r"--[a-z]|run again|(?:'|\brun |\bwith )sisterctl [a-z]")
CORE = ("core", "records", "store", "interop")
# Every string of the core is read, not only those of `...Error(...)` calls: a check's
# warning (`Problem`), a note of an import, the lines of a list of candidates, or a
# message built in a variable or a helper before it is raised are messages too.
# What may name options and commands, and why: (module, how the text begins).
ALLOWED = {
    # The format's documentation (docs/registry-format.md, the JSON Schema) says
    # which command writes a key.
    ("records/fields.py", "`true` when it is rightly dated before the tie was established"),
    # That module's own command line (python -m sisterctl.records.schema).
    ("records/schema.py", "usage: python -m sisterctl.records.schema [--docs"),
    ("records/schema.py", "--docs"),
    # Arguments given to git.
    ("store/gitrepo.py", "--show-toplevel"),
    ("store/gitrepo.py", "--local"),
    ("store/gitrepo.py", "--get"),
}


def _texts(path: Path) -> list[tuple[int, str]]:
    """Every string of a module but its docstrings (f-strings piece by piece)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    )


def _cli_words_in(path: Path, module: str) -> list[str]:
    return [
        f"{module}:{line}: {text!r}"
        for line, text in _texts(path)
        if CLI_WORDS.search(text)
        and not any(m == module and text.startswith(a) for m, a in ALLOWED)
    ]


def test_the_core_names_no_option_or_command_in_its_messages() -> None:
    offending = [
        found
        for folder in CORE
        for path in sorted((PACKAGE / folder).rglob("*.py"))
        for found in _cli_words_in(path, str(path.relative_to(PACKAGE)))
    ]
    assert offending == []


def test_the_check_finds_a_cli_word_where_there_is_one(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""A docstring may say --force."""\n'
        'raise RefusedError(f"{x} (run again with --force)")\n'
        'self.add(Severity.WARNING, ref, "or run sisterctl geocode once both are removed")\n'
        'lines = [f"  --geonames {p.geonames}  {p.short()}" for p in places]\n'
        "reason = f\"choose with 'sisterctl geocode --city {cid}'\"\n"
        'note = "sisterctl reads it; git gets --local"\n'
    )
    assert _cli_words_in(module, "m.py") == [
        "m.py:2: ' (run again with --force)'",
        "m.py:3: 'or run sisterctl geocode once both are removed'",
        "m.py:4: '  --geonames '",
        'm.py:5: "choose with \'sisterctl geocode --city "',
        "m.py:6: 'sisterctl reads it; git gets --local'",
    ]
    # An allowed text is allowed where it stands, and as it begins.
    assert _cli_words_in(module, "store/gitrepo.py")[-1].endswith("git gets --local'")
    git = tmp_path / "gitrepo.py"
    git.write_text('run(["git", "config", "--local", "--get", key])\n')
    assert _cli_words_in(git, "store/gitrepo.py") == []
    assert _cli_words_in(git, "store/other.py") != []
