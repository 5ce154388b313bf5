"""Start-up, in one place: how `sisterctl` loads only what the command being run needs,
and keeps the garbage collector out of its way.

- **Lazy commands.** Each command module registers its commands on the one Typer app
  when it is imported, and Typer builds the options of every registered command
  before it runs one; so `main` imports only the modules of the command being run
  (`COMMANDS`); --help, no command, or a command not listed there imports them all
  (`load_all`). A new command module goes in `MODULES`, and each of its commands (or
  command groups) in `COMMANDS`: tests/test_cli_lazy.py checks both.
- **Lazy imports.** Modules import what only some commands use (Rich, tomli-w,
  filelock, icalendar, platformdirs, the core) inside the functions that use it;
  `sisterctl/__init__.py` and `sisterctl/store/__init__.py` import their names on
  first use. `sisterctl --version` imports no command, no store and no Rich.
- **Real annotations in the command modules.** Typer builds a command's options from
  its function's annotations (and those of its option callbacks) on every run; strings
  (`from __future__ import annotations`) it would compile and evaluate, twice each, so
  cli/app.py and the command modules write real ones, quoting only the names they
  import for type checking alone.
- **No cyclic garbage collection while a command runs** (`collector_paused`).
  Importing Typer and the app, loading a command and building its options, then
  reading a registry, make hundreds of thousands of objects and no reference cycles
  worth collecting; each collection pass would walk all of them again (measured:
  10-15% of the time to read a large registry whole, and as much of start-up; about
  5 ms of the ~50 that importing Typer takes). The collector is turned back on when
  the command ends, which matters only where the process goes on (tests); by `main`
  after `gc.freeze()`, else its first pass would walk every object made while it was
  off (3-4 ms, just before the process ends). What was frozen is freed by reference
  counting as ever, only never searched for cycles (tests/conftest.py thaws it after
  each test that calls `main`).

- **`sisterctl --version` before Typer** (`answer_early`): a command line of nothing
  but `--version` (and the flags `--debug`, `--no-pager`, which change nothing there)
  is answered before Typer, Click or the app are imported, with the words and exit
  code the app's own `--version` gives (tests/test_cli_lazy.py compares the two).
  Any other command line, `--version` with `--registry` or a command included, goes
  to the app as it is.

Nothing else in sisterctl switches the collector.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator, Mapping, Sequence

# Every module that registers commands, in the order they are registered.
MODULES = (
    "anniversaries",
    "check",
    "edit",
    "geo",
    "interop",
    "read",
    "site",
    "team",
    "timeline",
    "write",
    "complete",
)

# The modules that register each top-level command or command group.
COMMANDS: dict[str, tuple[str, ...]] = {
    "upcoming": ("anniversaries",),
    "export": ("anniversaries", "interop"),
    "check": ("check",),
    "import": ("interop",),
    "geocode": ("geo",),
    "map": ("geo",),
    "list": ("read",),
    "show": ("read",),
    "site": ("site",),
    "timeline": ("timeline",),
    "stats": ("timeline",),
    "init": ("write",),
    "add": ("write",),
    "end": ("write",),
    "resume": ("write",),
    "sign": ("edit",),
    "edit": ("edit",),
    "merge": ("team",),
    "git": ("team",),
    "completion": ("complete",),
}

# Options of the app itself, before the command; those that take a value.
_GLOBAL_FLAGS = ("--debug", "--no-pager")
_GLOBAL_WITH_VALUE = ("--registry", "-r")


def answer_early(args: Sequence[str]) -> bool:
    """Print the version and say True when `args` ask for nothing else (see the
    module's docstring); else False, and nothing is printed."""
    if "--version" not in args or not set(args) <= {"--version", *_GLOBAL_FLAGS}:
        return False
    import sys

    from sisterctl import __version__

    sys.stdout.write(f"sisterctl {__version__}\n")
    return True


def load(modules: Sequence[str]) -> None:
    for name in modules:
        importlib.import_module(f"sisterctl.cli.{name}")


def load_all() -> None:
    """Register every command (for --help, and for tests that invoke `app`)."""
    load(MODULES)


def load_for(args: Sequence[str], environ: Mapping[str, str] = os.environ) -> None:
    """Register the commands a command line may run; when the shell asks for
    completions, those of the command named by the words typed so far."""
    name = command_of(completed_words(environ) if environ.get(COMPLETE_VAR) else args)
    if name != "":
        load(COMMANDS.get(name, MODULES) if name is not None else MODULES)


COMPLETE_VAR = "_SISTERCTL_COMPLETE"  # set when the shell asks for completions


def completed_words(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The words before the one being completed, as the shell passes them (bash:
    COMP_WORDS and COMP_CWORD; zsh and fish: _TYPER_COMPLETE_ARGS; cli/completing.py)."""
    from typer._click.shell_completion import split_arg_string

    if "COMP_WORDS" in environ:
        words = split_arg_string(environ["COMP_WORDS"])
        try:
            return words[1 : int(environ.get("COMP_CWORD", ""))]
        except ValueError:
            return []
    line = environ.get("_TYPER_COMPLETE_ARGS", "")
    words = split_arg_string(line)[1:]
    return words if line.endswith(" ") else words[:-1]


def command_of(args: Sequence[str]) -> str | None:
    """The command a command line runs: "" for none needed (--version), None when
    that is not clear (--help, no command): then every command is loaded."""
    words = iter(args)
    for word in words:
        if word in _GLOBAL_WITH_VALUE:
            next(words, None)
        elif word.startswith(("--registry=", "-r")) or word in _GLOBAL_FLAGS or word == "--":
            continue
        elif word == "--version":
            return ""
        elif word.startswith("-"):
            return None
        else:
            return word
    return None


@contextlib.contextmanager
def collector_paused(*, freeze: bool = False) -> Iterator[None]:
    """No cyclic garbage collection inside: see the module's docstring. With `freeze`
    (`main`, whose process ends with the command), what is left is frozen before the
    collector is turned back on."""
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            if freeze:
                gc.freeze()
            gc.enable()
