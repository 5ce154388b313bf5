"""Option types that several commands share."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sisterctl.cli.app import a_file, not_empty, not_the_registry

if TYPE_CHECKING:
    from sisterctl.core.query import Filters


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    TSV = "tsv"


class ViewFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class StatusChoice(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"
    UNKNOWN = "unknown"


FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="table for people; json, csv or tsv for scripts (dates in ISO 8601).",
    ),
]
ViewFormatOption = Annotated[
    ViewFormat,
    typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="table for people; json for scripts (docs/json-format.md, dates in ISO 8601).",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        show_default=False,
        help="The reference day: YYYY-MM-DD, or today, yesterday, tomorrow (default: today).",
    ),
]
CityOption = Annotated[
    str | None,
    typer.Option(
        "--city",
        "-c",
        show_default=False,
        callback=not_empty,
        help="Ties of this city, on either side; any name, alias or local name, "
        "ignoring case and accents.",
    ),
]
CountryOption = Annotated[
    str | None,
    typer.Option(
        "--country",
        show_default=False,
        callback=not_empty,
        help="Ties with a city in this country: ISO code (KR) or English name.",
    ),
]
KindOption = Annotated[
    str | None,
    typer.Option(
        "--kind",
        "-k",
        show_default=False,
        callback=not_empty,
        help="Ties of this kind, by whole words: sister, 'friendship city', ...",
    ),
]
StatusOption = Annotated[
    StatusChoice | None,
    typer.Option(
        "--status", "-s", case_sensitive=False, show_default=False, help="Ties with this status."
    ),
]
FieldOption = Annotated[
    str | None,
    typer.Option(
        "--field",
        show_default=False,
        callback=not_empty,
        help="Ties that cooperate in this field (tourism, culture, ...).",
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since",
        metavar="YEAR",
        show_default=False,
        help="Ties established in this year (YYYY) or later.",
    ),
]
UntilOption = Annotated[
    str | None,
    typer.Option(
        "--until",
        metavar="YEAR",
        show_default=False,
        help="Ties established in this year (YYYY) or earlier.",
    ),
]
SvgOption = Annotated[
    Path | None,
    typer.Option(
        "--svg",
        metavar="FILE",
        show_default=False,
        dir_okay=False,
        callback=not_the_registry,
        help="Also write what is shown as an SVG picture to FILE.",
    ),
]
HtmlOption = Annotated[
    Path | None,
    typer.Option(
        "--html",
        metavar="FILE",
        show_default=False,
        dir_okay=False,
        callback=not_the_registry,
        help="Also write what is shown as an HTML page to FILE.",
    ),
]
WidthOption = Annotated[
    int,
    typer.Option(
        "--width", min=40, max=400, help="Width in columns of the --svg and --html pictures."
    ),
]
FormulaGuardOption = Annotated[
    bool,
    typer.Option(
        "--formula-guard/--no-formula-guard",
        help="In CSV, begin a text cell that a spreadsheet would run as a formula "
        "(=, +, -, @) with a single quote; turn off for pandas, SQLite or R, which run none.",
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        dir_okay=False,
        show_default=False,
        callback=a_file,
        help="Write to FILE instead of standard output.",
    ),
]


def tie_filters(
    *,
    city: str | None,
    country: str | None,
    kind: str | None,
    status: StatusChoice | None,
    field: str | None,
    since: str | None,
    until: str | None,
) -> Filters:
    """The filters `list` and `stats` share, as the core takes them."""
    from sisterctl.core.query import Filters
    from sisterctl.errors import UsageError
    from sisterctl.terms import Status

    first, last = _year("--since", since), _year("--until", until)
    if first is not None and last is not None and first > last:
        raise UsageError(
            f"--since {first} is after --until {last}: no tie is established in between"
        )
    return Filters(
        city=city,
        country=country,
        kind=kind,
        status=Status(status.value) if status else None,
        field=field,
        since=first,
        until=last,
    )


def chosen_fields(
    text: str | None, known: tuple[str, ...], default: tuple[str, ...]
) -> tuple[str, ...]:
    """The fields of `--fields a,b,c`, each one of `known`, in the order given."""
    from sisterctl.errors import UsageError

    if text is None:
        return default
    names = tuple(name.strip() for name in text.split(","))
    for name in names:
        if name not in known:
            import difflib

            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            what = f"unknown field {name!r}{hint}" if name else "an empty field name"
            raise UsageError(f"--fields: {what}; the fields are {', '.join(known)}")
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise UsageError(f"--fields: {twice} is named twice")
    return names


def _year(option: str, text: str | None) -> int | None:
    """A year option (--since, --until), read as every date option is."""
    if text is None:
        return None
    from sisterctl.cli.app import read_date
    from sisterctl.dates import Precision

    date = read_date(option, text, precision=Precision.YEAR)
    assert date is not None
    return date.year


# ---------------------------------------------------------------------------
# The options of the commands that write: add, end, resume, sign, edit


def text_option(*names: str, metavar: str = "TEXT", help: str, blank_ok: bool = False) -> Any:
    """A text option, None when not given; an empty value is refused unless
    `blank_ok` (where the command refuses it in its own words)."""
    return typer.Option(
        *names,
        metavar=metavar,
        show_default=False,
        callback=None if blank_ok else not_empty,
        help=help,
    )


def repeated_option(*names: str, metavar: str, help: str) -> Any:
    """An option that may be given several times (a list, None when not given)."""
    return typer.Option(*names, metavar=metavar, show_default=False, help=help)


def date_option(help: str) -> Any:
    """`--date`/`-d`: the day of what is recorded."""
    return typer.Option("--date", "-d", metavar="DATE", show_default=False, help=help)


def geonames_option(help: str) -> Any:
    """`--geonames ID`: a place of the gazetteer, chosen by hand."""
    return typer.Option("--geonames", metavar="ID", min=1, show_default=False, help=help)


def dry_run_option(help: str) -> Any:
    """`--dry-run`/`-n`: show what would be written; write nothing."""
    return typer.Option("--dry-run", "-n", help=help)


def hidden_text_option(name: str) -> Any:
    """An old name of a text option, kept so that scripts go on working."""
    return typer.Option(name, metavar="TEXT", hidden=True, callback=not_empty)


TieArgument = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="TIE",
        show_default=False,
        help="The tie's id (taipei-daegu) or its two cities (Taipei Daegu).",
    ),
]
DateOption = Annotated[
    str | None,
    date_option(
        "When: YYYY-MM-DD, YYYY-MM or YYYY, as precise as the source, or today, "
        "yesterday, tomorrow (required)."
    ),
]
SourceOption = Annotated[
    list[str] | None,
    repeated_option("--source", metavar="URL", help="A source that states it; repeatable."),
]
#: `--field` of a record (a field of cooperation), not the filter `FieldOption`.
FieldsOption = Annotated[
    list[str] | None,
    repeated_option(
        "--field",
        metavar="FIELD",
        help="A field of cooperation (tourism, culture, ...); repeatable.",
    ),
]
SignatoryOption = Annotated[
    list[str] | None,
    repeated_option(
        "--signatory",
        metavar="'NAME (ROLE)'",
        help="Who signed, with their role in parentheses; repeatable.",
    ),
]
ModeOption = Annotated[
    str | None,
    text_option(
        "--mode",
        metavar="MODE",
        help="How it was signed: in-person, video-conference, exchange-of-documents, "
        "or other words.",
    ),
]
VenueOption = Annotated[
    str | None, text_option("--venue", metavar="PLACE", help="Where it was signed.")
]
NoteOption = Annotated[str | None, text_option("--note", help="Free text; may hold line breaks.")]
#: `--note` of `end` and `resume`, and its old name.
ReasonOption = Annotated[
    str | None, text_option("--note", help="Why, in one line (the record's reason).")
]
OldReasonOption = Annotated[str | None, hidden_text_option("--reason")]
LocalNameOption = Annotated[
    str | None,
    text_option("--local-name", help="The city's name in the local script: 臺北市, 대구광역시."),
]
AliasOption = Annotated[
    list[str] | None,
    repeated_option(
        "--alias", metavar="NAME", help="Another name the city is found by (Taegu); repeatable."
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Record it even when dated before the tie was established (marked "
        "before_founding = true), or when the same one is already recorded.",
    ),
]
DryRunOption = Annotated[
    bool, dry_run_option("Print the TOML that would be appended, and write nothing.")
]
EditDryRunOption = Annotated[
    bool, dry_run_option("Print the change as a unified diff of the registry, and write nothing.")
]
