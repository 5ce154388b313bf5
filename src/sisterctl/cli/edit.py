"""The commands that change values in place: `sign` and `edit`.

Each hands the core (`core.edits.plan_sign`, `plan_edit`) a request and lets
`store.edit` rewrite exactly those values under the lock, verified.
"""

# Real annotations, not strings: Typer reads them (cli/startup.py).
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from sisterctl.cli.app import app, cli_words, lock_timeout, today, writable_path
from sisterctl.cli.options import (
    EditDryRunOption,
    ModeOption,
    SignatoryOption,
    SourceOption,
    VenueOption,
    date_option,
    repeated_option,
    text_option,
)
from sisterctl.cli.write import _ask_words, _date, _message
from sisterctl.errors import UsageError

if TYPE_CHECKING:
    from sisterctl.store.edit import Edited, Plan


def _change(ctx: typer.Context, plan: "Plan", dry_run: bool) -> "Edited":
    from sisterctl.store.edit import edit

    done = edit(
        writable_path(ctx), plan, as_of=today(), dry_run=dry_run, lock_timeout=lock_timeout()
    )
    if dry_run and done.changed:
        import difflib

        name = str(done.path)
        diff = difflib.unified_diff(
            done.old_text.splitlines(keepends=True),
            done.new_text.splitlines(keepends=True),
            f"a/{name}",
            f"b/{name}",
        )
        sys.stdout.writelines(line if line.endswith("\n") else line + "\n" for line in diff)
        sys.stdout.flush()
    for warning in done.warnings:
        said = warning.render(cli_words)
        _message(f"sisterctl: note: after this change, check warns: {said}")
    return done


def _keys(done: "Edited") -> str:
    keys = done.edit.keys
    return ", ".join(keys[:-1]) + f" and {keys[-1]}" if len(keys) > 1 else keys[0]


@app.command("sign")
def sign_command(
    ctx: typer.Context,
    agreement: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="AGREEMENT",
            show_default=False,
            help="The planned agreement's id, as 'show' prints it "
            "(taipei-daegu/2021-memorandum), or its tie (with --title when the tie has "
            "several planned agreements).",
        ),
    ] = None,
    date: Annotated[
        str | None,
        date_option(
            "When it was signed: YYYY-MM-DD, YYYY-MM or YYYY, as precise as the "
            "source, or today, yesterday, tomorrow (required)."
        ),
    ] = None,
    title: Annotated[
        str | None,
        text_option(
            "--title", "-t", help="Part of its title, to pick it among the tie's agreements."
        ),
    ] = None,
    signatory: SignatoryOption = None,
    mode: ModeOption = None,
    venue: VenueOption = None,
    source: SourceOption = None,
    dry_run: EditDryRunOption = False,
) -> None:
    """Record that a planned agreement was signed: the same agreement, now signed.

    Its date becomes the day of the signing and its status signed;
    --signatory, --mode and --venue say who signed it, how and where;
    --source joins its sources. Only the values that change are rewritten.

    Example: sisterctl sign taipei-daegu/2021-memorandum --date 2021-11-05
    """
    from sisterctl.core.edits import SignRequest, plan_sign

    words = _ask_words(ctx, agreement, "AGREEMENT", "Agreement (its id, or its tie)")
    when = _date(ctx, date, "--date")
    request = SignRequest(
        agreement=words,
        date=when,
        title=title,
        signatories=signatory or (),
        mode=mode,
        venue=venue,
        sources=source or (),
    )
    done = _change(ctx, lambda reg, data: plan_sign(reg, data, request), dry_run)
    new_id = done.registry.record_id(done.registry.agreements[done.edit.index])
    old_id = done.edit.name.removeprefix("the agreement ")
    now = f"; its id is now {new_id}" if new_id != old_id else ""
    if dry_run:
        _message(
            f"Would record the signing of {done.edit.name} on {when}{now}, in {done.path} "
            "(dry run: nothing was written)."
        )
    else:
        _message(f"Recorded the signing of {done.edit.name} on {when}{now}, in {done.path}.")


def _pairs(values: list[str] | None, option: str) -> list[tuple[str, str]]:
    pairs = []
    for text in values or ():
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{option} takes KEY=VALUE (such as local_name=臺北市), not {text!r}")
        pairs.append((key.strip(), value))
    return pairs


@app.command("edit")
def edit_command(
    ctx: typer.Context,
    kind: Annotated[
        str,
        typer.Argument(
            metavar="KIND", show_default=False, help="city, tie, agreement or exchange."
        ),
    ],
    record: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            show_default=False,
            help="The record's id, as 'show' prints it: daegu-kr, taipei-daegu, "
            "taipei-daegu/2021-03-26-reaffirmation.",
        ),
    ],
    set_: Annotated[
        list[str] | None,
        repeated_option(
            "--set",
            "-s",
            metavar="KEY=VALUE",
            help="A new value (a list key given several times: all of them); repeatable.",
        ),
    ] = None,
    add: Annotated[
        list[str] | None,
        repeated_option(
            "--add",
            "-a",
            metavar="KEY=VALUE",
            help="A value added to a list (aliases, sources, fields, signatories); repeatable.",
        ),
    ] = None,
    unset: Annotated[
        list[str] | None,
        repeated_option("--unset", metavar="KEY", help="A key to remove; repeatable."),
    ] = None,
    dry_run: EditDryRunOption = False,
) -> None:
    """Correct values of one record in place: a typo in a title, a name to add.

    Only the bytes of the values that change are rewritten: every comment,
    blank line and key order stays. The result is checked as a new record
    would be; an edit that would make 'sisterctl check' report an error is
    refused.

    Example: sisterctl edit city daegu-kr --add aliases=Taegu
    """
    from sisterctl.core.edits import EditRequest, plan_edit

    if not (set_ or add or unset):
        raise UsageError(
            f"say what to change with --set KEY=VALUE, --add KEY=VALUE or --unset KEY "
            f"(see '{ctx.command_path} --help')"
        )
    request = EditRequest(
        kind=kind.strip().lower(),
        target=record,
        today=today(),
        set=_pairs(set_, "--set"),
        add=_pairs(add, "--add"),
        unset=list(unset or ()),
    )
    done = _change(ctx, lambda reg, data: plan_edit(reg, data, request), dry_run)
    if not done.changed:
        _message(f"Nothing to change: {done.edit.name} already holds these values.")
    elif dry_run:
        _message(
            f"Would change {_keys(done)} of {done.edit.name} in {done.path} "
            "(dry run: nothing was written)."
        )
    else:
        _message(f"Changed {_keys(done)} of {done.edit.name} in {done.path}.")
