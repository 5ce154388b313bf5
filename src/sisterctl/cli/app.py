"""The Typer application, its global options, and the one place errors are caught.

(No `from __future__ import annotations` here: Typer reads the annotations of the
app's callback and of the option callbacks below each time it builds the command
line, and real objects spare it compiling and evaluating each string. Names imported
only for type checking are quoted.)
"""

import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from sisterctl import __version__
from sisterctl.errors import ExitCode, Hint, HintOn, Param, SisterctlError, Term, UsageError

if TYPE_CHECKING:
    from sisterctl.core.geocode import Gazetteer
    from sisterctl.dates import PartialDate, Precision
    from sisterctl.model import Registry
    from sisterctl.store.location import Location
    from sisterctl.store.view import View

PROG = "sisterctl"


class State:
    """Global options, passed to every command through the Typer context. (A plain
    class: importing dataclasses would cost `sisterctl --version` 2 ms.)"""

    __slots__ = ("debug", "pager", "registry")

    def __init__(
        self, registry: Path | None = None, debug: bool = False, pager: bool = True
    ) -> None:
        self.registry = registry
        self.debug = debug
        self.pager = pager


_debug = False  # set by --debug; read when an unexpected error reaches the top

# The options of `sisterctl` itself, which go before the command, as an example shows them.
GLOBAL_OPTIONS = {
    "--debug": "--debug",
    "--version": "--version",
}


# The options that give the values a request takes (errors.Param).
OPTIONS = {
    Param.WITHIN: "--within",
    Param.REMIND: "--remind",
    Param.REFRESH: "--refresh",
    Param.MAPPING: "--map",
    Param.GEONAMES: "--geonames",
    Param.LAT: "--lat",
    Param.LON: "--lon",
    Param.CITY: "--city",
    Param.CITY_NAMES: "--local-name, --alias, --city-kind, --city-source and --city-note",
    Param.SET: "--set",
    Param.ADD: "--add",
    Param.AS_OF: "--as-of",
}

# How `edit` names the kind of a record, by its table.
EDIT_KINDS = {
    "city": "city",
    "partnership": "tie",
    "agreement": "agreement",
    "exchange": "exchange",
}


def cli_words(term: Term, error: SisterctlError) -> str:
    """What the command line calls the terms of a message (errors.Hint, errors.Param):
    `Hint.FORCE` is "run again with --force"."""
    if isinstance(term, Param):
        return OPTIONS[term]
    subject = term.subject if isinstance(term, HintOn) else None
    hint = term.hint if isinstance(term, HintOn) else term
    tie = error.record.id if error.record is not None else "TIE"
    city = error.record.id if error.record is not None and error.record.id else "NAME"
    words = {
        Hint.FORCE: "run again with --force",
        Hint.INIT: f"'{PROG} init'",
        Hint.CREATE: f"'{PROG} init {error.path}'",
        Hint.NAME_REGISTRY: f"--registry or ${_registry_var()}",
        Hint.ADD_AGREEMENT: f"'{PROG} add agreement {tie}'",
        Hint.EXPORT_JSON: f"'{PROG} export json'",
        Hint.MAP_COLUMN: f"--map, such as --map {error.key}=COLUMN",
        Hint.GEOCODE: f"'{PROG} geocode --city NAME --geonames ID'",
        Hint.ADD_CITY: f"'{PROG} add city \"NAME, COUNTRY\" ...'",
        Hint.EDIT: _edit_words(error),
        Hint.SHOW: f"'{PROG} show {tie}'",
        Hint.SIGN: f"'{PROG} sign {subject or 'AGREEMENT'} --date ...'",
        Hint.GEOCODE_ALL: f"run {PROG} geocode",
        Hint.GEOCODE_CITY: f"run {PROG} geocode --city {city}",
        Hint.CHECK: f"'{PROG} check'",
        Hint.CHOOSE_PLACE: f"{PROG} geocode --city NAME --geonames ID",
    }
    return words[hint]


def _edit_words(error: SisterctlError) -> str:
    ref = error.record
    if ref is None:
        return f"'{PROG} edit KIND ID --set KEY=VALUE'"
    kind = EDIT_KINDS.get(ref.table, ref.table)
    return f"'{PROG} edit {kind} {ref.id or 'ID'} --set KEY=VALUE'"


def _registry_var() -> str:
    from sisterctl.store.location import ENV_VAR

    return ENV_VAR


def _say(message: str) -> None:
    """A one-line message on standard error."""
    from sisterctl.text import safe_display

    # A message may quote a path or a value as typed: no escape sequence reaches the terminal.
    line = safe_display(" ".join(message.split("\n")))
    try:
        sys.stderr.write(f"{PROG}: {line}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


# The order `sisterctl --help` lists the commands in, as the README tells them: reading,
# then anniversaries and checks, then writing, then moving data in and out, then
# working as a team in git.
COMMAND_ORDER = (
    "list",
    "show",
    "timeline",
    "stats",
    "map",
    "upcoming",
    "check",
    "init",
    "add",
    "sign",
    "end",
    "resume",
    "edit",
    "geocode",
    "import",
    "export",
    "site",
    "merge",
    "git",
    "completion",
)


class SisterctlGroup(TyperGroup):
    """Runs a command and turns every failure into one line and an exit code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _share_global_options(self)

    def list_commands(self, ctx: Any) -> list[str]:
        """The commands in COMMAND_ORDER, not in the order their modules are imported."""
        names = super().list_commands(ctx)
        rank = {name: i for i, name in enumerate(COMMAND_ORDER)}
        return sorted(names, key=lambda name: (rank.get(name, len(rank)), name))

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        code = self._run(args, prog_name or PROG, complete_var, extra)
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(
        self,
        args: Sequence[str] | None,
        prog_name: str,
        complete_var: str | None,
        extra: dict[str, Any],
    ) -> int:
        from sisterctl.cli.startup import collector_paused

        with collector_paused():
            return self._run_command(args, prog_name, complete_var, extra)

    def _run_command(
        self,
        args: Sequence[str] | None,
        prog_name: str,
        complete_var: str | None,
        extra: dict[str, Any],
    ) -> int:
        global _debug
        from sisterctl.cli.startup import COMPLETE_VAR

        if os.environ.get(COMPLETE_VAR):
            # The shell asks for completions (cli/completing.py): no command runs.
            from sisterctl.cli import completing

            return completing.run(self, prog_name, os.environ[COMPLETE_VAR])
        argv = list(sys.argv[1:] if args is None else args)
        _debug = "--debug" in argv
        _forget_writes()
        try:
            # Click's own main() (and Typer's) would end the process on a closed pipe
            # with exit 1 and swallow Ctrl-C: the command runs here, and every way it
            # can end is handled below, once.
            with self.make_context(prog_name, argv, **extra) as ctx:
                result = self.invoke(ctx)
            sys.stdout.flush()  # a reader that went away is found here, not at exit
            return int(result) if isinstance(result, int) else ExitCode.OK
        except BaseException as exc:
            return self._ended_by(exc, prog_name)

    def _ended_by(self, exc: BaseException, prog_name: str) -> int:
        """The exit code (and the one line) for a command that ended by `exc`."""
        from typer._click import exceptions as click_exc

        if isinstance(exc, SisterctlError):
            if _debug:
                import traceback

                traceback.print_exception(exc)
            _say(exc.render(cli_words))
            return int(exc.exit_code)
        if isinstance(exc, click_exc.NoArgsIsHelpError):
            # `sisterctl` or `sisterctl add` alone: the help, and nothing more.
            help_text = exc.format_message()  # empty when Rich has printed it already
            if help_text.strip():
                sys.stdout.write(help_text.rstrip("\n") + "\n")
            return ExitCode.USAGE
        if isinstance(exc, click_exc.UsageError):
            return _usage_error(exc, prog_name)
        if isinstance(exc, click_exc.ClickException):
            _say(exc.format_message())
            return exc.exit_code
        if isinstance(exc, typer.Exit):
            return int(exc.exit_code)
        if isinstance(exc, KeyboardInterrupt) or (
            isinstance(exc, typer.Abort) and isinstance(exc.__context__, KeyboardInterrupt)
        ):
            return _interrupted()
        if isinstance(exc, typer.Abort | EOFError):
            _say("aborted")
            return ExitCode.REFUSED
        if isinstance(exc, BrokenPipeError) or (
            # Rich ends the process itself when the pipe it prints to is closed.
            isinstance(exc, SystemExit) and isinstance(exc.__context__, BrokenPipeError)
        ):
            # The reader went away (`sisterctl list | head`): not an error worth a
            # message. Whatever is still to be written goes nowhere (Python's advice:
            # the docs of `signal`, "Note on SIGPIPE").
            _silence_stdout()
            return ExitCode.OK
        if isinstance(exc, SystemExit):
            raise exc
        if isinstance(exc, UnicodeEncodeError) and not _debug:
            # Output to a terminal or file whose encoding cannot hold a name (臺北市 in
            # ASCII, or in cp1252 on Windows): the user's setting, not a bug.
            text = exc.object if isinstance(exc.object, str) else ""
            _say(
                f"cannot write {text[exc.start : exc.end]!r} in the output's encoding "
                f"({exc.encoding}): set PYTHONIOENCODING=utf-8, or use a UTF-8 locale"
            )
            return ExitCode.REFUSED
        if _debug or not isinstance(exc, Exception):
            raise exc
        _say(internal_error_message(exc))
        return ExitCode.INTERNAL


def _usage_error(exc: Any, prog_name: str) -> int:
    command = exc.ctx.command_path if exc.ctx is not None else prog_name
    option = getattr(exc, "option_name", None)
    if option in GLOBAL_OPTIONS and command != prog_name:
        # `sisterctl list --registry x.toml`: said as Click says it, "No such
        # option: --registry (Possible options: --city)", it reads as a bug.
        rest = command.removeprefix(prog_name).strip()
        example = f"{prog_name} {GLOBAL_OPTIONS[option]}"
        if option != "--version":
            example += f" {rest} ..."
        _say(f"{option} is an option of {prog_name} itself: put it before the command ({example})")
        return ExitCode.USAGE
    _say(f"{exc.format_message()} (see '{command} --help')")
    return ExitCode.USAGE


# Whether the command writes files (the registry, or an output): then an interruption
# says whether the write happened.
_writes_files = False


def _forget_writes() -> None:
    global _writes_files
    _writes_files = False
    atomic = sys.modules.get("sisterctl.store.atomic")
    if atomic is not None:
        atomic.forget_written()


def _interrupted() -> int:
    """Ctrl-C: one line that says whether a file was written, exit 130 (128 + SIGINT)."""
    atomic = sys.modules.get("sisterctl.store.atomic")
    done = atomic.written() if atomic is not None else ()
    if done:
        _say(f"interrupted after {done[-1]} was written (that write is complete)")
    elif _writes_files:
        _say("interrupted; nothing was written")
    else:
        _say("interrupted")
    return ExitCode.INTERRUPTED


# Global options that every command takes after its name too, as gh and kubectl take
# theirs (`sisterctl list -r x.toml` is `sisterctl -r x.toml list`): the commands that
# take each, by name (None: all of them).
PAGED_COMMANDS = ("list", "show", "timeline")


def _share_global_options(group: Any) -> None:
    """Give each command of `group`, and of its groups, the options of sisterctl itself
    that may come after the command: --registry on all, --no-pager on those that page."""
    from typer.core import TyperOption

    for name, command in (getattr(group, "commands", None) or {}).items():
        if getattr(command, "commands", None) is not None:
            _share_global_options(command)
            continue
        _attach_completers(name, command)
        names = {opt for param in command.params for opt in getattr(param, "opts", ())}
        if "--registry" not in names:
            command.params.append(
                TyperOption(
                    param_decls=["--registry", "-r"],
                    metavar="PATH",
                    expose_value=False,
                    is_eager=True,  # before --svg and -o, which compare their file with it
                    callback=_registry_after_command,
                    help="The registry file to use, as 'sisterctl --registry PATH' before "
                    "the command names it.",
                )
            )
        if name in PAGED_COMMANDS and "--no-pager" not in names:
            command.params.append(
                TyperOption(
                    param_decls=["--no-pager"],
                    is_flag=True,
                    default=False,
                    expose_value=False,
                    callback=_no_pager_after_command,
                    help="Print straight to the terminal, never through $PAGER.",
                )
            )


# Values that shell completion offers from the registry, by the name of the parameter
# that takes them (cli/completing.py). `--kind` of an agreement or an exchange is its own
# kind, not a tie's.
_COMPLETED = {"tie": "tie", "city": "city", "country": "country", "kind": "kind", "to_kind": "kind"}
_OWN_KINDS = ("agreement", "exchange")


def _attach_completers(name: str, command: Any) -> None:
    """Give the parameters of `command` that name a tie, a city, a kind of tie or a
    country their completer, in one place rather than in every command's signature.
    (Click keeps a parameter's completer in `_custom_shell_complete`, which Typer sets
    too.)"""
    for param in command.params:
        what = _COMPLETED.get(param.name or "")
        if what is None or (name in _OWN_KINDS and param.name == "kind"):
            continue
        if getattr(param, "_custom_shell_complete", None) is None:
            param._custom_shell_complete = _completer(what)


def _completer(what: str) -> Any:
    def complete(ctx: Any, param: Any, incomplete: str) -> list[Any]:
        from typer._click.shell_completion import CompletionItem

        from sisterctl.cli.completing import offer

        return [CompletionItem(value) for value in offer(what, ctx, incomplete)]

    return complete


def _registry_after_command(ctx: Any, param: Any, value: str | None) -> None:
    if value is None:
        return
    ctx.meta["sisterctl.registry"] = value  # for shell completion, which runs no command
    not_empty(value)
    held = state(ctx)
    path = Path(value)
    if held.registry is not None and held.registry != path:
        raise UsageError(
            f"two registries named: {held.registry} before the command and {path} after it"
        )
    held.registry = path


def _no_pager_after_command(ctx: Any, param: Any, value: bool) -> None:
    if value:
        state(ctx).pager = False


def internal_error_message(exc: BaseException) -> str:
    """The one line shown for an unexpected exception (a bug)."""
    return (
        f"internal error: {type(exc).__name__}: {exc}. "
        "Run again with --debug for details, and please report it."
    )


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


app = typer.Typer(
    name=PROG,
    cls=SisterctlGroup,
    help="A registry of sister-city ties: list them, record agreement signings, "
    "and never miss an anniversary.",
    epilog="Example: sisterctl list --city Taipei",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


# Command groups; their commands live in the modules that add to them.
add_app = typer.Typer(
    name="add",
    help="Record a new tie, city, agreement signed on a tie, or exchange.",
    no_args_is_help=True,
)
import_app = typer.Typer(
    name="import", help="Bring ties in from CSV, Wikidata or sisterctl JSON.", no_args_is_help=True
)
export_app = typer.Typer(
    name="export",
    help="Write the registry as CSV, JSON, GeoJSON, SQLite, QuickStatements for Wikidata, "
    "or an iCalendar of anniversaries.",
    no_args_is_help=True,
)


app.add_typer(add_app)
app.add_typer(import_app)
app.add_typer(export_app)


def not_empty(value: str | None) -> str | None:
    """An option callback: an empty value (`--city "$CITY"` with CITY unset) is refused
    rather than read as "no filter"."""
    if value is not None and not value.strip():
        raise typer.BadParameter("must not be empty")
    return value


def a_file(value: Path | None) -> Path | None:
    """An option callback for a file sisterctl writes: an empty name (which reads as
    the current folder) or a folder is a mistake on the command line, whichever version
    of Typer parsed it (0.29 refuses it itself). Where else the path leads is the
    writer's to judge (store/atomic.py: `destination`)."""
    import stat

    if value is None:
        return value
    try:
        folder = stat.S_ISDIR(Path(value).stat().st_mode)
    except (OSError, ValueError):
        folder = False
    if folder or str(value) in ("", "."):
        raise typer.BadParameter("must name a file, not a folder (or nothing)")
    return value


def not_the_registry(
    ctx: typer.Context, param: typer.CallbackParam, value: Path | None
) -> Path | None:
    """An option callback for a picture sisterctl writes (--svg, --html): never the
    registry itself, which `list --svg partnerships.toml` would replace. (`-o` is
    guarded where the file is written, by `write_output`.)"""
    if value is None:
        return value
    a_file(value)
    refuse_the_registry(ctx, value, param.opts[0] if param.opts else "another option")
    return value


def refuse_the_registry(ctx: typer.Context, output: Path, option: str) -> None:
    """Refuse to write an output over the registry, by any name (a link to it too)."""
    from sisterctl.store.atomic import same_file

    if same_file(output, location(ctx).path):
        from sisterctl.errors import RefusedError

        raise RefusedError(f"{output} is the registry itself; name another file with {option}")


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"{PROG} {__version__}\n")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    registry: Annotated[
        str | None,
        typer.Option(
            "--registry",
            "-r",
            metavar="PATH",
            show_default=False,
            callback=not_empty,
            help="The registry file to use (default: $SISTERCTL_REGISTRY, then "
            "your own registry made by 'sisterctl init', then the bundled one).",
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an internal error.")
    ] = False,
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            help="Print long output (show, timeline, list) straight to the terminal, "
            "never through $PAGER (or set SISTERCTL_PAGER to nothing).",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    ctx.obj = State(
        registry=Path(registry) if registry is not None else None, debug=debug, pager=not no_pager
    )


# ---------------------------------------------------------------------------
# Helpers the commands share


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, State) else State()


def location(ctx: typer.Context) -> "Location":
    from sisterctl.store.location import locate

    return locate(state(ctx).registry)


def open_view(ctx: typer.Context) -> "View":
    """The registry, to be read a question at a time through its index."""
    from sisterctl.store.view import open_view as open_registry_view

    return open_registry_view(location(ctx).path, index=True)


def open_registry(ctx: typer.Context) -> "Registry":
    """The whole registry (through its index)."""
    return open_view(ctx).registry()


def today() -> dt.date:
    """The reference day when --as-of is not given: the local calendar day."""
    return dt.date.today()


def as_of_date(text: str | None) -> dt.date:
    """The reference day from --as-of, which must be a day (or today, yesterday,
    tomorrow)."""
    if text is None:
        return today()
    from sisterctl.dates import Precision

    date = read_date("--as-of", text, precision=Precision.DAY)
    assert date is not None
    day = date.to_date()
    assert day is not None
    return day


def read_date(
    option: str, text: str, *, precision: "Precision | None" = None, unknown: bool = False
) -> "PartialDate | None":
    """A date option's value (`--date 2021-03-26`, `--as-of today`), read the same way,
    with the same messages, for every option and prompt (`dates.date_option`)."""
    from sisterctl.dates import date_option

    return date_option(text, option=option, today=today(), precision=precision, unknown=unknown)


def fail(message: str, code: ExitCode = ExitCode.REFUSED) -> NoReturn:
    error = SisterctlError(message)
    error.exit_code = code
    raise error


LOCK_TIMEOUT_VAR = "SISTERCTL_LOCK_TIMEOUT"


def writable_path(ctx: typer.Context) -> Path:
    """The registry to write; never the one bundled inside the installed package."""
    from sisterctl.errors import RefusedError
    from sisterctl.store.location import is_bundled

    global _writes_files
    _writes_files = True
    found = location(ctx)
    if found.bundled:
        raise RefusedError(
            "the bundled registry is read-only: make your own with 'sisterctl init', "
            "or name one with --registry PATH"
        )
    if is_bundled(found.path):
        raise RefusedError(
            f"{found.path} is the registry bundled with sisterctl, which is read-only: "
            "copy it and name the copy with --registry PATH, or make your own with "
            "'sisterctl init'"
        )
    return found.path


def lock_timeout() -> float:
    """How long a write waits for another writer: $SISTERCTL_LOCK_TIMEOUT seconds, or
    the registry's default."""
    from sisterctl.store.appends import LOCK_TIMEOUT

    value = os.environ.get(LOCK_TIMEOUT_VAR)
    if not value:
        return LOCK_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < 1e6:
        raise UsageError(f"{LOCK_TIMEOUT_VAR} must be a number of seconds, not {value!r}")
    return seconds


def note(message: str) -> None:
    """A message for the person at the terminal (not an error), on standard error."""
    _say(message)


def writing_files() -> None:
    """Say that the command writes a file (then an interruption says whether it did)."""
    global _writes_files
    _writes_files = True


def write_output(ctx: typer.Context, data: bytes, output: Path | None) -> None:
    """What an export made, as bytes: on standard output, or where `-o` leads (see
    store/atomic.py: a file replaced whole or not at all, a device or a pipe written
    into). The registry itself is never overwritten."""
    from sisterctl.store import atomic

    global _writes_files
    if output is None:
        atomic.write_descriptor(1, data)
        return
    refuse_the_registry(ctx, output, "-o")
    _writes_files = True
    atomic.write_output(output, data)


def gazetteer(*, required: bool = False) -> "Gazetteer | None":
    """The gazetteer (`sisterctl.store.gazetteer`); the first use, which makes its
    index, says so on standard error."""
    from sisterctl.store.gazetteer import open_gazetteer

    return open_gazetteer(
        required=required,
        on_build=lambda: note(
            "making an index of the GeoNames gazetteer in the user cache (once: about 10 s)"
        ),
    )
