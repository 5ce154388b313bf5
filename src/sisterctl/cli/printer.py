"""The one module that prints: views on standard output, pictures to files, progress
on standard error.

The output layer (`sisterctl.output`) builds renderables and lines; the commands hand them
here. Rich is imported here and in the output layer only.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sisterctl.text import safe_display

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from sisterctl.output.tables import View


def make_console(
    file: IO[str] | None = None,
    *,
    width: int | None = None,
    record: bool = False,
    stderr: bool = False,
) -> Console:
    """A console that writes no colour or escape codes when its output is not a
    terminal (Rich's own rule) or NO_COLOR is set: Rich drops only the colours for
    NO_COLOR, and keeps bold and dim, so sisterctl turns styles off altogether."""
    from rich.console import Console

    return Console(
        color_system=None if os.environ.get("NO_COLOR") else "auto",
        file=file,
        width=width,
        record=record,
        stderr=stderr,
        highlight=False,
        emoji=False,
        markup=False,
    )


def emit(
    renderable: RenderableType,
    *,
    svg: Path | None = None,
    html: Path | None = None,
    width: int = 100,
    title: str = "sisterctl",
    page: bool = False,
) -> None:
    """Print to standard output; with `svg` or `html`, also write what was shown as a
    picture of a fixed width, so that the file looks the same on every machine. With
    `page`, output longer than the terminal goes through the pager (`pager_command`)."""
    console = make_console()
    if page and console.is_terminal and is_terminal(sys.stdout):
        _write_paged(_captured(console, renderable))
    else:
        # Not cropped: a line longer than the terminal (a URL, `output.links`) is
        # written whole, for the terminal to wrap softly; nothing else is wider.
        console.print(renderable, crop=False)
    if svg is not None or html is not None:
        _picture(renderable, svg=svg, html=html, width=width, title=title)


def _picture(
    renderable: RenderableType, *, svg: Path | None, html: Path | None, width: int, title: str
) -> None:
    import io

    from rich.console import Console

    recorder = Console(
        file=io.StringIO(),
        width=width,
        record=True,
        force_terminal=True,
        color_system="truecolor",
        highlight=False,
        emoji=False,
        markup=False,
    )
    recorder.print(renderable)
    if svg is not None:
        _save(svg, recorder.export_svg(title=safe_display(title), clear=False))
    if html is not None:
        _save(html, recorder.export_html(clear=False))


def _save(path: Path, text: str) -> None:
    """A picture, through the one writer of outputs (a file replaced whole or not at
    all), as well-formed XML whatever the text it shows."""
    from sisterctl.store.atomic import write_output

    write_output(path, xml_safe(text).encode("utf-8"))


# What XML 1.0 cannot hold at all (C0 controls but tab and line breaks; U+FFFE, U+FFFF;
# lone surrogates), and C1 controls, which it discourages: one such character makes an
# SVG unreadable. Rich escapes &, < and >, not these.
# (A string, compiled when a picture is written: compiling it costs half a millisecond.)
_NOT_XML = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]"


def xml_safe(text: str) -> str:
    """`text` with every character XML cannot hold shown as its escape (`\\x1b`), or
    as U+FFFD where it has none (a lone surrogate)."""

    def shown(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else "\ufffd"

    return re.sub(_NOT_XML, shown, text)


def emit_view(
    view: View,
    *,
    svg: Path | None = None,
    html: Path | None = None,
    width: int = 100,
    title: str = "sisterctl",
    out: IO[str] | None = None,
    environ: Mapping[str, str] = os.environ,
    page: bool = False,
) -> None:
    """Print a view of many rows (`sisterctl.output.tables`) on standard output: on a
    terminal, fitted to its width and styled (unless NO_COLOR), through the pager with
    `page` when it has more lines than the screen; elsewhere one line per row at the
    table's natural width, without escape codes. With `svg` or `html`, also write it,
    `width` cells wide, as a picture."""
    from sisterctl.output import tables

    stream = sys.stdout if out is None else out
    terminal = is_terminal(stream)
    lines = tables.lines(
        view,
        console_width(environ) if terminal else None,
        styles=takes_styles(stream, environ),
        rule="─" if _can_show(stream, "─") else "-",
    )
    text = "\n".join(lines) + "\n" if lines else ""
    if page and terminal and stream is sys.stdout:
        _write_paged(text)
    else:
        stream.write(text)
    if svg is None and html is None:
        return
    from rich.text import Text

    picture = "\n".join(tables.lines(view, width, styles=True))
    _picture(Text.from_ansi(picture, no_wrap=True), svg=svg, html=html, width=width, title=title)


# ---------------------------------------------------------------------------
# The pager

PAGER_VAR = "SISTERCTL_PAGER"
DEFAULT_PAGER = "less -FRX"


def pager_command(environ: Mapping[str, str] = os.environ) -> list[str] | None:
    """The pager to run, as gh and git choose theirs: $SISTERCTL_PAGER, else $PAGER,
    else `less -FRX`; None when the one chosen is empty (`SISTERCTL_PAGER=`) or `cat`."""
    import shlex

    if PAGER_VAR in environ:
        text = environ[PAGER_VAR]
    elif "PAGER" in environ:
        text = environ["PAGER"]
    else:
        text = DEFAULT_PAGER
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    if not words or words == ["cat"]:
        return None
    return words


def terminal_height(environ: Mapping[str, str] = os.environ) -> int:
    """The terminal's height in lines: $LINES, else the size of standard output."""
    given = environ.get("LINES")
    if given is not None and given.isdigit() and int(given) > 0:
        return int(given)
    try:
        lines = os.get_terminal_size(sys.stdout.fileno()).lines
    except (AttributeError, ValueError, OSError):
        lines = 0
    return lines if lines > 0 else 24  # a terminal that gives no size (0): the usual


def _captured(console: Console, renderable: RenderableType) -> str:
    """What `console` would print of `renderable`, escape codes and all."""
    import io

    from rich.console import Console as RichConsole

    buffer = io.StringIO()
    RichConsole(
        file=buffer,
        width=console.width,
        color_system=console.color_system,  # type: ignore[arg-type]
        force_terminal=True,
        legacy_windows=False,
        highlight=False,
        emoji=False,
        markup=False,
    ).print(renderable, crop=False)
    return buffer.getvalue()


def _write_paged(text: str) -> None:
    """Write `text` to the terminal: through the pager when it has more lines than the
    screen (and there is a pager to run), else as it is."""
    command = pager_command()
    long = text.count("\n") >= terminal_height()
    if not (command is not None and long and page_text(text, command)):
        sys.stdout.write(text)


def page_text(text: str, command: list[str]) -> bool:
    """Run the pager on `text`; False when it cannot be started (then nothing was
    shown). Ctrl-C is the pager's while it runs, as with git."""
    import signal
    import subprocess

    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    data = text.encode(encoding)  # what the terminal cannot show stops here, as it would
    env = dict(os.environ)
    # As git does: less shows colours and leaves the screen as it was, unless the
    # user's own $LESS says otherwise.
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    sys.stdout.flush()
    try:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, env=env)
    except OSError as exc:
        from sisterctl.cli.app import note

        note(f"cannot run the pager {command[0]!r} ({exc.strerror or exc}): set {PAGER_VAR}")
        return False
    interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert process.stdin is not None
        try:
            process.stdin.write(data)
            process.stdin.close()
        except BrokenPipeError:
            pass  # the pager was quit before it read everything
        process.wait()
    finally:
        signal.signal(signal.SIGINT, interrupt)
    return True


def hyperlinks(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether sources are written as terminal hyperlinks (OSC 8) where Rich writes
    styles at all (a terminal, colour not turned off): not on the Linux console or a
    dumb terminal, which would show the escape codes; `FORCE_HYPERLINK=0` turns them
    off, as for other tools that follow that convention."""
    if environ.get("FORCE_HYPERLINK", "").strip() == "0":
        return False
    return environ.get("TERM", "") not in ("linux", "dumb")


def is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except ValueError:  # closed
        return False


def takes_styles(stream: IO[str], environ: Mapping[str, str] = os.environ) -> bool:
    """Whether a view's styles are written to `stream` as escape codes: on a terminal
    (or with FORCE_COLOR), never with NO_COLOR or on a dumb terminal. (The Windows
    console of old takes no escape codes: a table there is plain.)"""
    if environ.get("NO_COLOR") or sys.platform == "win32":
        return False
    if environ.get("TERM", "").lower() in ("dumb", "unknown"):
        return False
    return bool(environ.get("FORCE_COLOR")) or is_terminal(stream)


def _can_show(stream: IO[str], text: str) -> bool:
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def console_width(environ: Mapping[str, str] = os.environ) -> int:
    """The width Rich gives its console on this system: $COLUMNS, else the size of the
    first of standard input, output and error that is a terminal, else 80."""
    columns = environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns)
    width = 0
    for fd in (0, 1, 2):
        try:
            width = os.get_terminal_size(fd).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    return width or 80


class ProgressDisplay:
    """Progress through the phases of a long job, on standard error. This base class
    shows nothing: it stands in when standard error is not a terminal."""

    def phase(self, description: str, total: int | None = None) -> None:
        """Start a phase: counted up to `total`, or open-ended when None."""

    def advance(self, steps: int = 1) -> None:
        """Count `steps` more done in the current phase."""


class _RichProgress(ProgressDisplay):
    def __init__(self, bar: Any) -> None:
        self._bar = bar
        self._task: Any = None

    def phase(self, description: str, total: int | None = None) -> None:
        # Each phase is a task of its own: the one before is shown finished, then hidden.
        if self._task is not None:
            self._bar.refresh()
            self._bar.update(self._task, visible=False)
        self._task = self._bar.add_task(description, total=total)
        self._bar.refresh()

    def advance(self, steps: int = 1) -> None:
        self._bar.advance(self._task, steps)


@contextlib.contextmanager
def progress(*, enabled: bool = True) -> Iterator[ProgressDisplay]:
    """A progress bar on standard error while the block runs, cleared at its end; a
    display that shows nothing when standard error is not a terminal (a pipe, a log
    file, a test) or `enabled` is False."""
    console = make_console(stderr=True)
    if not enabled or not console.is_terminal:
        yield ProgressDisplay()
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        yield _RichProgress(bar)
