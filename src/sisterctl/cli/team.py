"""The commands of a team that keeps its registry in git: `merge` (git's merge
driver) and `git setup` (which makes it so)."""

# Real annotations, not strings: Typer reads them (cli/startup.py).
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sisterctl.cli.app import app, location, not_empty, state
from sisterctl.errors import SisterctlError

if TYPE_CHECKING:
    from sisterctl.store.atomic import Signature

git_app = typer.Typer(
    name="git",
    help="Set up a git repository to merge registries record by record.",
    no_args_is_help=True,
)
app.add_typer(git_app)

#: Merge exit codes, as git reads a merge driver's: 0 merged, anything else a conflict.
MERGED, CONFLICT = 0, 1


def _say(text: str) -> None:
    from sisterctl.text import safe_display

    sys.stderr.write(safe_display(text) + "\n")
    sys.stderr.flush()


@app.command("merge")
def merge_command(
    base: Annotated[
        Path, typer.Argument(metavar="BASE", help="The common ancestor's file (git's %O).")
    ],
    ours: Annotated[
        Path,
        typer.Argument(
            metavar="OURS", help="Our side's file (git's %A); the merged file replaces it."
        ),
    ],
    theirs: Annotated[Path, typer.Argument(metavar="THEIRS", help="Their side's file (git's %B).")],
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="[PATH]",
            show_default=False,
            callback=not_empty,
            help="The registry's path in the repository (git's %P), for messages.",
        ),
    ] = None,
) -> None:
    """Merge two versions of a registry record by record, as git's merge driver.

    Records added on both sides are all kept (the same record once);
    a record changed on one side takes that change; a record changed
    differently on both sides, added on both sides with other details,
    or that would make the registry fail 'check' is left between
    conflict markers. OURS keeps its comments and formatting; what
    THEIRS added is appended. Exit status: 0 merged, 1 conflicts.

    Example: sisterctl merge base.toml ours.toml theirs.toml partnerships.toml
    """
    from sisterctl import store
    from sisterctl.cli.app import today
    from sisterctl.core.merge import merge
    from sisterctl.records.toml import decode
    from sisterctl.store.atomic import replace_unless_changed, signature

    label = name or str(ours)
    raw = store.read_bytes(ours)
    try:
        before = signature(ours)
    except OSError as exc:
        raise SisterctlError(f"{ours}: cannot read it: {exc.strerror or exc}") from None
    texts = [decode(store.read_bytes(p), p) for p in (base, ours, theirs)]
    result = merge(*texts, path=label, as_of=today())
    if not result.mergeable:
        from sisterctl.store.gitrepo import merge_by_line

        _say(f"sisterctl merge: {label}: cannot merge by record ({result.reason}); merging by line")
        by_line = merge_by_line(base, ours, theirs)
        if by_line is None:
            _say(f"sisterctl merge: {label}: git cannot be run; our side is left as it is")
            raise typer.Exit(CONFLICT)
        data, clean = by_line
        _replace(ours, data, before, raw)
        raise typer.Exit(MERGED if clean else CONFLICT)
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    data = bom + result.text.encode("utf-8")
    if data != raw and not replace_unless_changed(ours, data, unchanged=before, read=raw):
        _say(f"sisterctl merge: {label}: the file changed while it was merged; try again")
        raise typer.Exit(CONFLICT)
    for conflict in result.conflicts:
        _say(f"sisterctl merge: {label}: conflict: {conflict.describe()}")
    if result.conflicts:
        count = len(result.conflicts)
        _say(
            f"sisterctl merge: {label}: {count} conflict{'s' if count > 1 else ''} left "
            "between <<<<<<< and >>>>>>> lines; resolve them, then run 'sisterctl check'"
        )
        raise typer.Exit(CONFLICT)
    brought = [
        (len(result.added), "added"),
        (len(result.changed), "changed"),
        (len(result.deleted), "deleted"),
    ]
    words = ", ".join(f"{n} {verb}" for n, verb in brought if n)
    _say(f"sisterctl merge: {label}: merged by record ({words or 'nothing new'} from theirs)")
    raise typer.Exit(MERGED)


def _replace(path: Path, data: bytes, before: "Signature", raw: bytes) -> None:
    from sisterctl.store.atomic import replace_unless_changed

    if not replace_unless_changed(path, data, unchanged=before, read=raw):
        _say(f"sisterctl merge: {path}: the file changed while it was merged")
        raise typer.Exit(CONFLICT)


@git_app.command("setup")
def git_setup(
    ctx: typer.Context,
    pattern: Annotated[
        str | None,
        typer.Option(
            "--pattern",
            metavar="PATTERN",
            show_default=False,
            callback=not_empty,
            help="The files to merge by record, as .gitattributes writes them (default: "
            "the registry's path, when --registry or $SISTERCTL_REGISTRY names one in "
            "this repository, else partnerships.toml, in any folder).",
        ),
    ] = None,
) -> None:
    """Make git merge the registry record by record, with 'sisterctl merge'.

    Writes 'PATTERN merge=sisterctl' to the repository's .gitattributes
    and the merge driver to its git configuration, unless they are there
    already, and says what it did. Run it in every clone (git does not
    share its configuration), and commit .gitattributes.

    Example: sisterctl git setup
    """
    from sisterctl.store.gitrepo import repository_root, setup

    root = repository_root(Path.cwd())
    chosen = pattern or _registry_pattern(ctx, root) or "partnerships.toml"
    done = setup(root, chosen, _driver_command())
    for line in (*done.done, *done.already):
        _say(line + ".")
    if done.done:
        _say(
            f"Git now merges {chosen} in {root} record by record. Commit .gitattributes, "
            "and run 'sisterctl git setup' in every clone."
        )
    else:
        _say(f"Nothing to do: git already merges {chosen} in {root} record by record.")


def _registry_pattern(ctx: typer.Context, root: Path) -> str | None:
    """`/data/partnerships.toml` when the registry named by --registry or
    $SISTERCTL_REGISTRY is in this repository."""
    import os

    from sisterctl.store.location import ENV_VAR

    if state(ctx).registry is None and not os.environ.get(ENV_VAR):
        return None
    path = location(ctx).path
    try:
        relative = path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return None
    return "/" + relative.as_posix()


def _driver_command() -> str:
    """How git runs the driver: this sisterctl, by the Python it is installed in, so
    that a merge finds it whatever PATH the merge runs with."""
    import shlex

    return f"{shlex.quote(sys.executable)} -m sisterctl merge %O %A %B %P"
