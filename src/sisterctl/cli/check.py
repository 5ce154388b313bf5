"""`sisterctl check`: a linter for registries, for people and for CI."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sisterctl.cli.app import app, as_of_date, cli_words, location, not_empty
from sisterctl.cli.app import gazetteer as gazetteer_of
from sisterctl.cli.options import AsOfOption

if TYPE_CHECKING:
    from sisterctl.core.check import CheckReport
    from sisterctl.problems import Problem


class CheckFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@app.command("check")
def check_command(
    ctx: typer.Context,
    file: Annotated[
        str | None,
        typer.Argument(
            metavar="[FILE]",
            show_default=False,
            callback=not_empty,
            help="The registry file to check (default: the registry sisterctl would use, "
            "as for --registry).",
        ),
    ] = None,
    output: Annotated[
        CheckFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="text: one FILE:LINE:COL line per problem; json: one object, for CI.",
        ),
    ] = CheckFormat.TEXT,
    strict: Annotated[
        bool, typer.Option("--strict", help="Treat warnings as errors (exit 1 on any problem).")
    ] = False,
    as_of: AsOfOption = None,
) -> None:
    """Check a registry and report every problem, each with its file, line and column.

    Exit status: 0 no errors, 1 errors (or, with --strict, warnings), 2 the file
    cannot be read or parsed at all.

    Example: sisterctl check --strict data/partnerships.toml
    """
    from sisterctl import store
    from sisterctl.core.check import check_text, unreadable_error, unreadable_report
    from sisterctl.errors import RegistryError

    path = Path(file) if file is not None else location(ctx).path
    try:
        text = store.read_text(path)
        report = check_text(text, str(path), as_of_date(as_of), gazetteer_of())
    except RegistryError as exc:
        report = unreadable_report(str(path), exc)
    if strict:
        report = report.strict()
    if output is CheckFormat.JSON:
        from sisterctl.output import plain

        plain.write_json(_as_json(report, strict), sys.stdout)
    if not report.readable:
        raise unreadable_error(report)
    if output is CheckFormat.TEXT:
        from sisterctl.text import safe_display

        sys.stdout.write("".join(_line(report.path, p) + "\n" for p in report.problems))
        sys.stdout.write(safe_display(report.summary()) + "\n")
    raise typer.Exit(int(report.exit_code))


def _line(path: str, problem: Problem) -> str:
    """`FILE:LINE:COL: severity: message [code]`; line 1 when no place is known."""
    from sisterctl.text import safe_display

    return (
        f"{safe_display(path)}:{problem.line or 1}:{problem.column or 1}: "
        f"{problem.severity.value}: {safe_display(problem.render(cli_words, path))} "
        f"[{problem.code}]"
    )


def _as_json(report: CheckReport, strict: bool) -> dict[str, Any]:
    return {
        "file": report.path,
        "readable": report.readable,
        "strict": strict,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "problems": [
            {
                "file": report.path,
                "line": p.line,
                "column": p.column,
                "severity": p.severity.value,
                "code": p.code,
                "message": p.render(cli_words, report.path),
                "record": (
                    {
                        "table": p.record.table,
                        "number": p.record.index + 1 if p.record.index is not None else None,
                        "id": p.record.id,
                    }
                    if p.record is not None
                    else None
                ),
            }
            for p in report.problems
        ],
    }
