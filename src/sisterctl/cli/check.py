"""`sisterctl check`: a linter for registries, for people and for CI."""

# Real annotations, not strings: Typer reads them (cli/startup.py).
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sisterctl.cli.app import app, as_of_date, cli_words, location
from sisterctl.cli.app import gazetteer as gazetteer_of
from sisterctl.cli.options import AsOfOption

if TYPE_CHECKING:
    from sisterctl.core.check import CheckReport


class CheckFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"
    SARIF = "sarif"


@app.command("check")
def check_command(
    ctx: typer.Context,
    files: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[FILE]...",
            show_default=False,
            help="The registry files to check (default: the registry sisterctl would use, "
            "as for --registry).",
        ),
    ] = None,
    output: Annotated[
        CheckFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="text: one FILE:LINE:COL line per problem; json: one object, for CI; "
            "github: workflow commands that annotate a pull request; sarif: SARIF 2.1.0, "
            "for code-scanning tools.",
        ),
    ] = CheckFormat.TEXT,
    strict: Annotated[
        bool, typer.Option("--strict", help="Treat warnings as errors (exit 1 on any problem).")
    ] = False,
    as_of: AsOfOption = None,
) -> None:
    """Check registries and report every problem, each with its file, line and column.

    Exit status: 0 no errors, 1 errors (or, with --strict, warnings), 2 a file
    cannot be read or parsed at all.

    Example: sisterctl check --strict data/partnerships.toml
    """
    from sisterctl import store
    from sisterctl.core.check import check_text, unreadable_error, unreadable_report
    from sisterctl.errors import RegistryError, UsageError
    from sisterctl.output import lint

    if files and any(not f.strip() for f in files):
        raise UsageError("invalid value for '[FILE]...': must not be empty")
    paths = [Path(f) for f in files] if files else [location(ctx).path]
    day = as_of_date(as_of)
    gazetteer = gazetteer_of()
    reports: list[CheckReport] = []
    for path in paths:
        try:
            report = check_text(store.read_text(path), str(path), day, gazetteer)
        except RegistryError as exc:
            report = unreadable_report(str(path), exc)
        reports.append(report.strict() if strict else report)
    if output is CheckFormat.JSON:
        from sisterctl.output import plain

        plain.write_json(lint.reports_json(reports, strict, cli_words), sys.stdout)
    elif output is CheckFormat.SARIF:
        from sisterctl import __version__
        from sisterctl.output import plain

        plain.write_json(lint.sarif_log(reports, __version__, cli_words), sys.stdout)
    else:
        if output is CheckFormat.GITHUB:
            lines = lint.github_lines(reports, cli_words)
        else:
            lines = lint.text_lines(reports, cli_words)
        sys.stdout.write("".join(line + "\n" for line in lines))
    sys.stdout.flush()
    unreadable = [r for r in reports if not r.readable]
    if unreadable:
        from sisterctl.cli.app import note

        for report in unreadable[:-1]:
            note(unreadable_error(report).render(cli_words))
        raise unreadable_error(unreadable[-1])
    raise typer.Exit(max(int(r.exit_code) for r in reports))
