"""What `sisterctl check` reports, in the forms editors, CI and code-scanning tools
read: text lines, JSON, GitHub Actions workflow commands and SARIF 2.1.0.

Pure: reports come in, lines or JSON-ready data go out; the CLI writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sisterctl.core.check import CODES, CheckReport, plural
from sisterctl.errors import Words, library_words
from sisterctl.problems import Problem, Severity
from sisterctl.text import safe_display

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/sisterctl/sisterctl#check-file"


# ---------------------------------------------------------------------------
# Text: FILE:LINE:COL: severity: message [code]


def text_line(path: str, problem: Problem, words: Words = library_words) -> str:
    """`FILE:LINE:COL: severity: message [code]`; line 1 when no place is known. The
    terms of a message (`errors.Hint`) are in `words`: the command line's, or the
    library's."""
    return (
        f"{safe_display(path)}:{problem.line or 1}:{problem.column or 1}: "
        f"{problem.severity.value}: {safe_display(problem.render(words, path))} "
        f"[{problem.code}]"
    )


def text_lines(reports: Sequence[CheckReport], words: Words = library_words) -> list[str]:
    """Each file's problems and its summary; with several files, a total at the end."""
    lines: list[str] = []
    for report in reports:
        lines += [text_line(report.path, p, words) for p in report.problems]
        lines.append(safe_display(report.summary()))
    if len(reports) > 1:
        lines.append(total(reports))
    return lines


def total(reports: Sequence[CheckReport]) -> str:
    """`2 errors and 1 warning in 3 files (1 not readable)`, or `no problems in 3 files`."""
    errors = sum(len(r.errors) for r in reports)
    warnings = sum(len(r.warnings) for r in reports)
    files = plural(len(reports), "file")
    unreadable = sum(1 for r in reports if not r.readable)
    tail = f" ({unreadable} not readable)" if unreadable else ""
    if not errors and not warnings:
        return f"no problems in {files}"
    found = " and ".join(
        plural(n, what) for what, n in (("error", errors), ("warning", warnings)) if n
    )
    return f"{found} in {files}{tail}"


# ---------------------------------------------------------------------------
# JSON


def report_json(report: CheckReport, strict: bool, words: Words = library_words) -> dict[str, Any]:
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
                "message": p.render(words, report.path),
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


def reports_json(
    reports: Sequence[CheckReport], strict: bool, words: Words = library_words
) -> dict[str, Any]:
    """One file: its report. Several: their reports under `files`, with the totals."""
    if len(reports) == 1:
        return report_json(reports[0], strict, words)
    return {
        "strict": strict,
        "errors": sum(len(r.errors) for r in reports),
        "warnings": sum(len(r.warnings) for r in reports),
        "files": [report_json(r, strict, words) for r in reports],
    }


# ---------------------------------------------------------------------------
# GitHub Actions: workflow commands, which annotate the lines of a pull request


def github_lines(reports: Sequence[CheckReport], words: Words = library_words) -> list[str]:
    """`::error file=F,line=L,col=C,title=[code]::message` for each problem (`::warning`
    for a warning), then each file's summary and the total as plain log lines.

    Values are escaped as the runner reads them back (`%`, CR, LF; and in properties
    `:` and `,` too); control characters are made visible first, so that text from a
    registry cannot start a workflow command of its own."""
    lines: list[str] = []
    for report in reports:
        for p in report.problems:
            properties = [f"file={_property(report.path)}"]
            if p.line is not None:
                properties.append(f"line={p.line}")
                if p.column is not None:
                    properties.append(f"col={p.column}")
            properties.append(f"title={_property(f'sisterctl {p.code}')}")
            message = _data(p.render(words, report.path))
            lines.append(f"::{p.severity.value} {','.join(properties)}::{message}")
        lines.append(safe_display(report.summary()))
    if len(reports) > 1:
        lines.append(total(reports))
    return lines


def _data(text: str) -> str:
    return safe_display(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


# ---------------------------------------------------------------------------
# SARIF 2.1.0, for code-scanning tools


def sarif_log(
    reports: Sequence[CheckReport], version: str, words: Words = library_words
) -> dict[str, Any]:
    """One SARIF run of sisterctl over `reports`: a rule for each problem code, a
    result for each problem, at its file, line and column (columns count Unicode
    code points, as sisterctl's do)."""
    codes = list(CODES)
    used = {p.code for r in reports for p in r.problems}
    codes += sorted(used - set(codes))
    rules = [_rule(code) for code in codes]
    index = {code: i for i, code in enumerate(codes)}
    results = [
        _result(report.path, p, index[p.code], words) for report in reports for p in report.problems
    ]
    artifacts = [{"location": {"uri": _uri(report.path)}} for report in reports]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sisterctl",
                        "version": version,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "artifacts": artifacts,
                "results": results,
            }
        ],
    }


def _rule(code: str) -> dict[str, Any]:
    severity, description = CODES.get(code, (Severity.ERROR, code))
    return {
        "id": code,
        "name": "".join(word.capitalize() for word in code.split("-")),
        "shortDescription": {"text": description},
        "helpUri": INFORMATION_URI,
        "defaultConfiguration": {"level": severity.value},
    }


def _result(path: str, problem: Problem, rule_index: int, words: Words) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(path)}}
    if problem.line is not None:
        region: dict[str, int] = {"startLine": problem.line}
        if problem.column is not None:
            region["startColumn"] = problem.column
        physical["region"] = region
    return {
        "ruleId": problem.code,
        "ruleIndex": rule_index,
        "level": problem.severity.value,
        "message": {"text": problem.render(words, path)},
        "locations": [{"physicalLocation": physical}],
    }


def _uri(path: str) -> str:
    """A file's path as a URI reference: relative paths stay relative (to the folder
    the check ran in, as code-scanning tools expect), absolute ones are `file://`."""
    from pathlib import Path, PurePosixPath
    from urllib.parse import quote

    given = Path(path)
    if given.is_absolute():
        return given.as_uri()
    return quote(str(PurePosixPath(*given.parts)), safe="/")
