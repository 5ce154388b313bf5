"""The layers of the code: each imports only from the layers below it, with no cycles.

The layers, lowest first (README, Development):

    domain   errors, problems, model, dates, countries, text, ids (and the package's
             own __version__)
    records  the registry format, pure
    core     queries, anniversaries, timelines, stats, checks, edits: pure
    output   views and rows, pure (Rich lives here)
    interop  other formats
    store    the only code that touches files
    api      the library's face (sisterctl/__init__.py, sisterctl/api.py)
    cli      the Typer app (Typer lives here)

Imports inside `if TYPE_CHECKING:` are left out: they name types, they run nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path

import sisterctl

PACKAGE = Path(sisterctl.__file__).parent
LAYERS = ("domain", "records", "core", "output", "interop", "store", "api", "cli")


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts == ["sisterctl"] or parts[1] == "api":
        return "api"
    if parts[1] == "__main__":
        return "cli"
    if parts[1] in ("records", "core", "output", "interop", "store", "cli"):
        return parts[1]
    return "domain"


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path) -> set[str]:
    """The sisterctl modules a module imports, at run time, anywhere in it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("sisterctl"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("sisterctl"):
                continue
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                is_module = (PACKAGE.parent / candidate.replace(".", "/")).with_suffix(
                    ".py"
                ).exists() or (PACKAGE.parent / candidate.replace(".", "/")).is_dir()
                found.add(candidate if is_module else node.module)
    return found


def graph() -> dict[str, set[str]]:
    return {
        module_name(path): imports_of(path)
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.parent.name not in ("data", "schema")
    }


def test_each_layer_imports_only_from_the_layers_below_it() -> None:
    wrong = []
    for module, imported in graph().items():
        here = LAYERS.index(layer_of(module))
        for other in imported:
            if other == "sisterctl":
                continue  # the package itself: __version__
            if LAYERS.index(layer_of(other)) > here:
                wrong.append(f"{module} ({layer_of(module)}) imports {other} ({layer_of(other)})")
    assert wrong == []


def test_there_are_no_import_cycles() -> None:
    edges = graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if nxt not in edges or nxt == "sisterctl":
                continue
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_layer_test_sees_an_upward_import() -> None:
    # The test above would pass on an empty graph: it must see the imports it judges.
    edges = graph()
    assert "sisterctl.core.query" in edges["sisterctl.core.anniversaries"]
    assert "sisterctl.records.build" in edges["sisterctl.store.read"]
    assert LAYERS.index(layer_of("sisterctl.cli.app")) > LAYERS.index(
        layer_of("sisterctl.store.appends")
    )
