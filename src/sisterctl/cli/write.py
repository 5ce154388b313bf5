"""The commands that write: `init`, `add partnership|agreement|exchange`, `end`, `resume`.

Each parses its options, hands the core (`sisterctl.core.edits`) a request, and lets
`store.append` write the records under the lock. A required option left out is
asked for when standard input is a terminal, and is a usage error otherwise.
"""

# Real annotations, not strings: Typer reads them (cli/startup.py).
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sisterctl.cli.app import add_app, app, cli_words, lock_timeout, not_empty, state, writable_path
from sisterctl.cli.app import gazetteer as gazetteer_of
from sisterctl.cli.options import (
    AliasOption,
    DateOption,
    DryRunOption,
    FieldsOption,
    ForceOption,
    LocalNameOption,
    ModeOption,
    NoteOption,
    OldReasonOption,
    ReasonOption,
    SignatoryOption,
    SourceOption,
    TieArgument,
    VenueOption,
    geonames_option,
    hidden_text_option,
    repeated_option,
    text_option,
)
from sisterctl.errors import UsageError, render_parts

if TYPE_CHECKING:
    from sisterctl.dates import PartialDate
    from sisterctl.model import Record, Registry, Status

# ---------------------------------------------------------------------------
# Shared steps


def interactive() -> bool:
    """Whether a person can be asked for what is missing."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _ask(
    ctx: typer.Context,
    value: str | None,
    option: str,
    prompt: str,
    check: Callable[[str], object] | None = None,
) -> str:
    """The option's value; asked for in a terminal when it is missing, and asked again,
    after the same one-line message a bad option gets, while `check` refuses it."""
    if value is not None:
        return value
    if not interactive():
        what = f"argument {option}" if option.isupper() else f"option '{option}'"
        raise UsageError(f"missing {what} (see '{ctx.command_path} --help')")
    from sisterctl.cli.app import note
    from sisterctl.errors import SisterctlError

    while True:
        answer: str = typer.prompt(prompt, err=True)
        if check is None:
            return answer
        try:
            check(answer)
        except SisterctlError as exc:
            note(str(exc))
            continue
        return answer


def _ask_words(ctx: typer.Context, words: list[str] | None, what: str, prompt: str) -> list[str]:
    """A TIE (or CITY) argument; asked for in a terminal when it is missing."""
    if words:
        return words
    if not interactive():
        raise UsageError(f"missing argument {what} (see '{ctx.command_path} --help')")
    import shlex

    answer: str = typer.prompt(prompt, err=True)
    try:
        return shlex.split(answer) or [answer]
    except ValueError:
        return [answer]


#: The prompt for a date, saying what it takes (as the option's help does).
DATE_PROMPT = "Date (YYYY-MM-DD, YYYY-MM or YYYY, or today)"


def _date(
    ctx: typer.Context, value: str | None, option: str, prompt: str = DATE_PROMPT
) -> "PartialDate":
    """A required date option: given, or asked for in a terminal."""
    date = _maybe_date(ctx, value, option, prompt, unknown=False)
    assert date is not None
    return date


def _maybe_date(
    ctx: typer.Context, value: str | None, option: str, prompt: str, *, unknown: bool = True
) -> "PartialDate | None":
    """A date option that may be `unknown` (None); given, or asked for in a terminal."""
    from sisterctl.cli.app import read_date

    def check(answer: str) -> object:
        return read_date(option, answer, unknown=unknown)

    return read_date(option, _ask(ctx, value, option, prompt, check), unknown=unknown)


def _one(value: str | None, alias: str | None, option: str, old: str) -> str | None:
    """An option and its hidden old name (`--note` and `--details`): either, not both."""
    if value is not None and alias is not None:
        raise UsageError(f"{old} is the old name of {option}: give one of them")
    return value if value is not None else alias


def _message(text: str) -> None:
    from sisterctl.text import safe_display

    sys.stderr.write(safe_display(text) + "\n")
    sys.stderr.flush()


def _write(
    ctx: typer.Context,
    plan: "Callable[[Registry], Sequence[Record]]",
    dry_run: bool,
    tie: Sequence[str] | None = None,
) -> "Sequence[Record]":
    """Append what `plan` returns (`tie`: the words that name the one tie it is about,
    so that only that tie is read from the index)."""
    from sisterctl import store
    from sisterctl.core.edits import describe

    done = store.append(
        writable_path(ctx),
        plan,
        dry_run=dry_run,
        lock_timeout=lock_timeout(),
        tie=tie,
        index=True,
    )
    what = describe(done.records)
    if dry_run:
        from sisterctl.output.plain import escape_invisible

        sys.stdout.write(escape_invisible(done.fragment.lstrip("\n")))
        sys.stdout.flush()
        _message(f"Would record {what} in {done.path} (dry run: nothing was written).")
    else:
        _message(f"Recorded {what} in {done.path}.")
    records: Sequence[Record] = done.records
    return records


# ---------------------------------------------------------------------------
# init


@app.command("init")
def init_command(
    ctx: typer.Context,
    path: Annotated[
        str | None,
        typer.Argument(
            metavar="[PATH]",
            show_default=False,
            callback=not_empty,
            help="Where to create it: a file, or a folder to hold partnerships.toml "
            "(an existing folder, or a name ending in /, which is created); default: your "
            "own registry in your user data folder.",
        ),
    ] = None,
    from_bundled: Annotated[
        bool,
        typer.Option(
            "--from-bundled",
            help="Start from the bundled registry (the sourced ties of Taipei and Daegu) "
            "instead of an empty one.",
        ),
    ] = False,
) -> None:
    """Create a new registry, empty or from the bundled one; never overwrites a file.

    Beside it goes a copy of the registry format's JSON Schema, which its
    first line names, so that editors validate it as it is typed, offline.

    Example: sisterctl init ~/ties/partnerships.toml
    """
    from sisterctl import store
    from sisterctl.records.toml import SCHEMA_FILE, registry_template, with_schema_line

    chosen = Path(path) if path is not None else state(ctx).registry
    target = chosen.expanduser() if chosen is not None else store.user_registry_path()
    # `init ties/` names a folder, whether it is there yet or not (Path drops the slash).
    folder = path is not None and path.endswith(("/", os.sep))
    if folder or target.is_dir():
        target = target / store.FILE_NAME
    if from_bundled:
        text = with_schema_line(store.read_text(store.bundled_path()))
        what = "a registry"
        source = " from the bundled one"
    else:
        text, what, source = registry_template(), "an empty registry", ""
    store.create(target, text)
    copied = store.copy_schema_beside(target)
    schema = target.parent / SCHEMA_FILE
    if copied is False:
        _message(
            f"Kept the {schema} that was there already; the new registry's first line "
            "names it for editors."
        )
    if chosen is not None:
        import shlex

        # Quoted as a shell needs it, so that the commands can be copied as they are.
        word = shlex.quote(str(target))
        _message(
            f"Created {what} {target}{source}. Use it with sisterctl --registry {word} "
            f"... or by setting {store.ENV_VAR}={word}."
        )
        return
    note = ""
    env = os.environ.get(store.ENV_VAR)
    if env:
        note = f" Note: {store.ENV_VAR} is set (to {env}) and comes first while it is."
    _message(
        f"Created your registry {target}{source}. sisterctl reads it from now on, unless "
        f"--registry or {store.ENV_VAR} names another.{note}"
    )


# ---------------------------------------------------------------------------
# add


@add_app.command("partnership")
def add_partnership(
    ctx: typer.Context,
    cities: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="CITY CITY",
            show_default=False,
            help="The two cities, each 'NAME, COUNTRY' ('Chengdu, China', 'Daegu, KR'), "
            "or a name or id the registry already knows.",
        ),
    ] = None,
    established: Annotated[
        str | None,
        text_option(
            "--established",
            "-e",
            metavar="DATE",
            blank_ok=True,
            help="The day the founding agreement was signed: YYYY-MM-DD, YYYY-MM or "
            "YYYY, or today, yesterday, tomorrow (required).",
        ),
    ] = None,
    kind: Annotated[
        str | None,
        text_option(
            "--kind",
            "-k",
            metavar="KIND",
            help="The kind of tie as founded: 'sister city' (default), 'friendship city', "
            "'partner city', 'twin town', ...",
        ),
    ] = None,
    field: FieldsOption = None,
    source: SourceOption = None,
    note: NoteOption = None,
    title: Annotated[
        str | None,
        text_option(
            "--title",
            blank_ok=True,
            help="The founding agreement's title (default: 'Sister city agreement', "
            "after the kind).",
        ),
    ] = None,
    signatory: SignatoryOption = None,
    mode: ModeOption = None,
    venue: VenueOption = None,
    local_name: LocalNameOption = None,
    alias: AliasOption = None,
    city_kind: Annotated[
        str | None,
        text_option(
            "--city-kind",
            metavar="KIND",
            help="The new city's kind: city (default), province, state, region, county, ...",
        ),
    ] = None,
    city_source: Annotated[
        list[str] | None,
        repeated_option(
            "--city-source", metavar="URL", help="A source about the new city; repeatable."
        ),
    ] = None,
    city_notes: Annotated[
        str | None, text_option("--city-note", help="Free text about the new city.")
    ] = None,
    geonames: Annotated[
        list[int] | None,
        geonames_option(
            "A new city's place in the gazetteer, chosen by its GeoNames id when "
            "several places have its name; repeatable."
        ),
    ] = None,
    no_geocode: Annotated[
        bool,
        typer.Option("--no-geocode", help="Give the new cities no coordinates."),
    ] = False,
    dry_run: DryRunOption = False,
) -> None:
    """Record a new tie, founded by the agreement signed that day.

    Appends the cities the registry does not hold yet, the tie, and its
    founding agreement (kind founding). A new city gets coordinates (lat, lon,
    geonames) from the GeoNames gazetteer when its name and country match
    exactly one place; when several do, none is taken and they are listed
    (choose with --geonames ID). --local-name, --alias and the --city-...
    options describe the one new city of the two.

    Example: sisterctl add partnership "Taipei, TW" "Chengdu, China" --established 2015-11-10
    """
    from sisterctl.core.edits import CityNames, NewTie, new_tie

    words = list(cities or [])
    if len(words) > 2:
        raise UsageError(
            f"a tie binds two cities, not {len(words)} (quote a name that has spaces: "
            '"Sao Paulo, BR")'
        )
    while len(words) < 2:
        which = "first" if not words else "second"
        words.append(_ask(ctx, None, "CITY CITY", f"The {which} city (NAME, COUNTRY)"))
    when = _date(ctx, established, "--established", "Established (YYYY-MM-DD, YYYY-MM or YYYY)")
    request = NewTie(
        cities=(words[0], words[1]),
        established=when,
        kind=kind,
        fields=field or (),
        sources=source or (),
        notes=note,
        title=title,
        signatories=signatory or (),
        mode=mode,
        venue=venue,
        geonames=geonames or (),
        city=CityNames(local_name, alias or (), city_kind, city_source or (), city_notes),
    )
    gazetteer = None if no_geocode else gazetteer_of(required=bool(geonames))
    records = _write(ctx, lambda reg: new_tie(reg, request, gazetteer), dry_run)
    _say_coordinates(records, gazetteer, no_geocode)


def _say_coordinates(records: "Sequence[Record]", gazetteer: Any, no_geocode: bool) -> None:
    """Where the gazetteer placed the new cities, or that it could not."""
    from sisterctl.store import gazetteer as gazetteers

    new_cities = [record for table, record in records if table == "city"]
    if gazetteer is not None:
        from sisterctl.core.geocode import city_note

        for record in new_cities:
            for line in render_parts(city_note(gazetteer, record), cli_words).split("\n"):
                _message(line)
    elif new_cities and not no_geocode and not gazetteers.installed():
        from sisterctl.core.geocode import GEO_HINT

        which = "The new city has" if len(new_cities) == 1 else "The new cities have"
        _message(f"{which} no coordinates: {GEO_HINT}.")


@add_app.command("city")
def add_city(
    ctx: typer.Context,
    city: Annotated[
        str | None,
        typer.Argument(
            metavar="'NAME, COUNTRY'",
            show_default=False,
            help="The city and its country, an ISO code or an English name: "
            "'Taipei, TW', 'Daegu, South Korea'.",
        ),
    ] = None,
    local_name: LocalNameOption = None,
    alias: AliasOption = None,
    kind: Annotated[
        str | None,
        text_option(
            "--kind",
            "-k",
            metavar="KIND",
            help="city (default), province, state, region, county, prefecture, ...",
        ),
    ] = None,
    source: SourceOption = None,
    note: NoteOption = None,
    wikidata: Annotated[
        str | None,
        text_option(
            "--wikidata",
            metavar="QID",
            help="Its Wikidata item (Q20927), for 'sisterctl export quickstatements'.",
        ),
    ] = None,
    geonames: Annotated[
        int | None,
        geonames_option(
            "Its place in the gazetteer, by its GeoNames id, when several places have its name."
        ),
    ] = None,
    no_geocode: Annotated[
        bool, typer.Option("--no-geocode", help="Give the city no coordinates.")
    ] = False,
    dry_run: DryRunOption = False,
) -> None:
    """Record a new city, province or region, with its local name and aliases.

    It gets coordinates from the GeoNames gazetteer as a new city of
    'add partnership' does.

    Example: sisterctl add city "Daegu, KR" --local-name 대구광역시 --alias Taegu
    """
    from sisterctl.core.edits import CityNames, NewCity, new_city

    where = _ask(ctx, city, "'NAME, COUNTRY'", "City (NAME, COUNTRY)")
    names = CityNames(local_name, alias or (), kind, source or (), note, wikidata)
    request = NewCity(where, names, (geonames,) if geonames is not None else ())
    gazetteer = None if no_geocode else gazetteer_of(required=geonames is not None)
    records = _write(ctx, lambda reg: new_city(reg, request, gazetteer), dry_run)
    _say_coordinates(records, gazetteer, no_geocode)


@add_app.command("agreement")
def add_agreement(
    ctx: typer.Context,
    tie: TieArgument = None,
    date: DateOption = None,
    title: Annotated[
        str | None, text_option("--title", "-t", blank_ok=True, help="Its title (required).")
    ] = None,
    kind: Annotated[
        str | None,
        text_option(
            "--kind",
            "-k",
            metavar="KIND",
            help="founding, reaffirmation, renewal, upgrade, memorandum, 'letter of intent', "
            "... (default: agreement).",
        ),
    ] = None,
    to_kind: Annotated[
        str | None,
        text_option(
            "--to-kind",
            metavar="KIND",
            help="For an upgrade: the tie's kind from this date ('sister city').",
        ),
    ] = None,
    signatory: SignatoryOption = None,
    mode: ModeOption = None,
    venue: VenueOption = None,
    field: FieldsOption = None,
    planned: Annotated[
        bool, typer.Option("--planned", help="Not signed yet: planned for that date.")
    ] = False,
    source: SourceOption = None,
    note: NoteOption = None,
    force: ForceOption = False,
    dry_run: DryRunOption = False,
) -> None:
    """Record an agreement signed (or planned) on a tie.

    Example: sisterctl add agreement taipei-daegu -d 2021-11 -t "Tourism memorandum" -k memorandum
    """
    from sisterctl.core.edits import NewAgreement, new_agreement

    words = _ask_words(ctx, tie, "TIE", "Tie (its id, or its two cities)")
    when = _maybe_date(ctx, date, "--date", DATE_PROMPT[:-1] + "; unknown if not known)")
    what = _ask(ctx, title, "--title", "Title")
    request = NewAgreement(
        tie=words,
        date=when,
        title=what,
        kind=kind,
        to_kind=to_kind,
        signatories=signatory or (),
        mode=mode,
        venue=venue,
        fields=field or (),
        planned=planned,
        notes=note,
        sources=source or (),
        force=force,
    )
    _write(ctx, lambda reg: new_agreement(reg, request), dry_run, tie=words)


@add_app.command("exchange")
def add_exchange(
    ctx: typer.Context,
    tie: TieArgument = None,
    date: DateOption = None,
    kind: Annotated[
        str | None,
        text_option(
            "--kind",
            "-k",
            metavar="KIND",
            blank_ok=True,
            help="visit, delegation, festival, forum, summit, ceremony, anniversary, "
            "exhibition, gift, ... (required).",
        ),
    ] = None,
    title: Annotated[
        str | None, text_option("--title", "-t", blank_ok=True, help="What happened (required).")
    ] = None,
    mode: Annotated[
        str | None,
        text_option(
            "--mode",
            metavar="MODE",
            help="How it took place: in-person, video-conference, or other words.",
        ),
    ] = None,
    venue: Annotated[str | None, text_option("--venue", metavar="PLACE", help="Where.")] = None,
    field: FieldsOption = None,
    note: NoteOption = None,
    details: Annotated[str | None, hidden_text_option("--details")] = None,
    source: SourceOption = None,
    force: ForceOption = False,
    dry_run: DryRunOption = False,
) -> None:
    """Record an exchange on a tie: a visit, a delegation, a festival, a forum...

    Without --date (or with --date unknown) it is recorded undated, as a
    source that says "took part several times" gives it.

    Example: sisterctl add exchange taipei-daegu -d 2017-08-19 -k delegation -t "Universiade"
    """
    from sisterctl.cli.app import read_date
    from sisterctl.core.edits import NewExchange, new_exchange

    words = _ask_words(ctx, tie, "TIE", "Tie (its id, or its two cities)")
    when = read_date("--date", date, unknown=True) if date is not None else None
    what_kind = _ask(ctx, kind, "--kind", "Kind (visit, delegation, festival, ...)")
    what = _ask(ctx, title, "--title", "Title")
    request = NewExchange(
        tie=words,
        date=when,
        kind=what_kind,
        title=what,
        details=_one(note, details, "--note", "--details"),
        sources=source or (),
        force=force,
        venue=venue,
        mode=mode,
        fields=field or (),
    )
    _write(ctx, lambda reg: new_exchange(reg, request), dry_run, tie=words)


# ---------------------------------------------------------------------------
# end and resume


@app.command("end")
def end_command(
    ctx: typer.Context,
    tie: TieArgument = None,
    date: DateOption = None,
    note: ReasonOption = None,
    reason: OldReasonOption = None,
    suspend: Annotated[
        bool,
        typer.Option(
            "--suspend", help="Suspended, not ended: 'sisterctl resume' can lift it later."
        ),
    ] = False,
    source: SourceOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Record that a tie ended, or with --suspend that it was suspended.

    Example: sisterctl end prague-beijing --date 2019-10-07 --note "Prague ended the tie"
    """
    from sisterctl.terms import Status

    status = Status.SUSPENDED if suspend else Status.ENDED
    reason = _one(note, reason, "--note", "--reason")
    _status(ctx, tie, date, status, reason, source, False, dry_run)


@app.command("resume")
def resume_command(
    ctx: typer.Context,
    tie: TieArgument = None,
    date: DateOption = None,
    note: ReasonOption = None,
    reason: OldReasonOption = None,
    source: SourceOption = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Revive a tie that ended, not only a suspended one."),
    ] = False,
    dry_run: DryRunOption = False,
) -> None:
    """Record that a suspended tie is active again.

    Example: sisterctl resume taipei-daegu --date 2023-05-01
    """
    from sisterctl.terms import Status

    reason = _one(note, reason, "--note", "--reason")
    _status(ctx, tie, date, Status.ACTIVE, reason, source, force, dry_run)


def _status(
    ctx: typer.Context,
    tie: list[str] | None,
    date: str | None,
    status: "Status",
    reason: str | None,
    source: list[str] | None,
    force: bool,
    dry_run: bool,
) -> None:
    """What `end` and `resume` do: append a status change to the tie."""
    from sisterctl.core.edits import NewStatus, change_status

    words = _ask_words(ctx, tie, "TIE", "Tie (its id, or its two cities)")
    when = _date(ctx, date, "--date")
    request = NewStatus(
        tie=words, date=when, status=status, reason=reason, sources=source or (), force=force
    )
    _write(ctx, lambda reg: change_status(reg, request), dry_run, tie=words)
