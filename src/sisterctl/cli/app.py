"""The Typer application, its global options, and the one place errors are caught."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from sisterctl import __version__
from sisterctl.errors import ExitCode, SisterctlError, UsageError, internal_error_message

if TYPE_CHECKING:
    from sisterctl.dates import PartialDate, Precision
    from sisterctl.model import Registry
    from sisterctl.store.location import Location

PROG = "sisterctl"


class State:
    """Global options, passed to every command through the Typer context. (A plain
    class: importing dataclasses would cost `sisterctl --version` 2 ms.)"""

    __slots__ = ("debug", "registry")

    def __init__(self, registry: Path | None = None, debug: bool = False) -> None:
        self.registry = registry
        self.debug = debug


_debug = False  # set by --debug; read when an unexpected error reaches the top

# The options of `sisterctl` itself, which go before the command, as an example shows them.
GLOBAL_OPTIONS = {
    "-r": "-r PATH",
    "--registry": "--registry PATH",
    "--debug": "--debug",
    "--version": "--version",
}


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
# then anniversaries and checks, then writing, then moving data in and out.
COMMAND_ORDER = (
    "list",
    "show",
    "timeline",
    "stats",
    "upcoming",
    "check",
    "init",
    "add",
    "sign",
    "end",
    "resume",
    "edit",
    "import",
    "export",
)


class SisterctlGroup(TyperGroup):
    """Runs a command and turns every failure into one line and an exit code."""

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
        import gc

        from typer._click import exceptions as click_exc

        global _debug
        argv = list(sys.argv[1:] if args is None else args)
        _debug = "--debug" in argv
        collecting = gc.isenabled()  # open_registry turns it off for the command
        try:
            result = super().main(
                args=argv,
                prog_name=prog_name,
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
            return int(result) if isinstance(result, int) else ExitCode.OK
        except SisterctlError as exc:
            if _debug:
                import traceback

                traceback.print_exc()
            _say(str(exc))
            return int(exc.exit_code)
        except click_exc.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx is not None else prog_name
            option = getattr(exc, "option_name", None)
            if option in GLOBAL_OPTIONS and command != prog_name:
                # `sisterctl list --registry x.toml`: said as Click says it, "No such
                # option: --registry (Possible options: --city)", it reads as a bug.
                rest = command.removeprefix(prog_name).strip()
                example = f"{prog_name} {GLOBAL_OPTIONS[option]}"
                if option != "--version":
                    example += f" {rest} ..."
                _say(
                    f"{option} is an option of {prog_name} itself: put it before the command "
                    f"({example})"
                )
                return ExitCode.USAGE
            _say(f"{exc.format_message()} (see '{command} --help')")
            return ExitCode.USAGE
        except click_exc.ClickException as exc:
            _say(exc.format_message())
            return exc.exit_code
        except typer.Abort:
            _say("aborted")
            return ExitCode.REFUSED
        except typer.Exit as exc:
            return int(exc.exit_code)
        except KeyboardInterrupt:
            _say("interrupted")
            return 130
        except BrokenPipeError:
            # The reader went away (`sisterctl list | head`): not an error worth a message.
            _silence_stdout()
            return ExitCode.OK
        except UnicodeEncodeError as exc:
            # Output to a terminal or file whose encoding cannot hold a name (臺北市 in
            # ASCII, or in cp1252 on Windows): the user's setting, not a bug.
            if _debug:
                raise
            text = exc.object if isinstance(exc.object, str) else ""
            _say(
                f"cannot write {text[exc.start : exc.end]!r} in the output's encoding "
                f"({exc.encoding}): set PYTHONIOENCODING=utf-8, or use a UTF-8 locale"
            )
            return ExitCode.REFUSED
        except Exception as exc:
            if _debug:
                raise
            _say(internal_error_message(exc))
            return ExitCode.INTERNAL
        finally:
            if collecting:
                gc.enable()


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
    help="Write the registry as CSV, JSON, GeoJSON or an iCalendar of anniversaries.",
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
    of Typer parsed it (0.29 refuses it itself)."""
    if value is not None and value.is_dir():
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
    registry = location(ctx).path
    try:
        same = value.resolve() == registry.resolve() or (
            value.exists() and registry.exists() and value.samefile(registry)
        )
    except OSError:
        same = False
    if same:
        from sisterctl.errors import RefusedError

        option = param.opts[0] if param.opts else "another option"
        raise RefusedError(f"{value} is the registry itself; name another file with {option}")
    return value


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
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    ctx.obj = State(registry=Path(registry) if registry is not None else None, debug=debug)


# ---------------------------------------------------------------------------
# Helpers the commands share


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, State) else State()


def location(ctx: typer.Context) -> Location:
    from sisterctl.store.location import locate

    return locate(state(ctx).registry)


def open_registry(ctx: typer.Context) -> Registry:
    import gc

    from sisterctl.store.read import load

    # The registry is kept until the command ends, and what a command makes of it (rows,
    # cells, lines) holds no reference cycles: the cyclic garbage collector, which would
    # walk the registry's (for a large one, hundreds of thousands of) objects again and
    # again, stays off until the command ends (SisterctlGroup._run turns it back on).
    gc.disable()
    try:
        return load(location(ctx).path)
    finally:
        gc.freeze()


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
    option: str, text: str, *, precision: Precision | None = None, unknown: bool = False
) -> PartialDate | None:
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

    found = location(ctx)
    if found.bundled:
        raise RefusedError(
            "the bundled registry is read-only: make your own with 'sisterctl init', "
            "or name one with --registry PATH"
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


def write_output(ctx: typer.Context, data: bytes, output: Path | None) -> None:
    """What an export made, as bytes: on standard output, or in the file `output`
    (`-o`), replaced whole or not at all. The registry itself is never overwritten."""
    if output is None or str(output) == "-":
        binary = getattr(sys.stdout, "buffer", None)
        sys.stdout.flush()
        if binary is not None:
            binary.write(data)
            binary.flush()
        else:
            sys.stdout.write(data.decode("utf-8"))
        return
    from sisterctl.errors import RefusedError

    if output.resolve() == location(ctx).path.resolve():
        raise RefusedError(f"{output} is the registry itself; name another file with -o")
    try:
        _replace_file(output, data)
    except OSError as exc:
        raise RefusedError(f"cannot write {output}: {exc.strerror or exc}") from None


def _replace_file(path: Path, data: bytes) -> None:
    """Write a temporary file beside `path` and rename it over `path`, so that a reader
    never sees half a file. The file keeps the old one's permissions, or gets the usual
    ones."""
    import stat
    import tempfile

    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        tmp.chmod(mode)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
