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
) -> None:
    """Print to standard output; with `svg` or `html`, also write what was shown as a
    picture of a fixed width, so that the file looks the same on every machine."""
    make_console().print(renderable)
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
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` with every character XML cannot hold shown as its escape (`\\x1b`), or
    as U+FFFD where it has none (a lone surrogate)."""

    def shown(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else "\ufffd"

    return _NOT_XML.sub(shown, text)


def emit_view(
    view: View,
    *,
    svg: Path | None = None,
    html: Path | None = None,
    width: int = 100,
    title: str = "sisterctl",
    out: IO[str] | None = None,
    environ: Mapping[str, str] = os.environ,
) -> None:
    """Print a view of many rows (`sisterctl.output.tables`) on standard output: on a
    terminal, fitted to its width and styled (unless NO_COLOR); elsewhere one line per
    row at the table's natural width, without escape codes. With `svg` or `html`, also
    write it, `width` cells wide, as a picture."""
    from sisterctl.output import tables

    stream = sys.stdout if out is None else out
    terminal = is_terminal(stream)
    lines = tables.lines(
        view,
        console_width(environ) if terminal else None,
        styles=takes_styles(stream, environ),
        rule="─" if _can_show(stream, "─") else "-",
    )
    stream.write("".join(line + "\n" for line in lines))
    if svg is None and html is None:
        return
    from rich.text import Text

    picture = "\n".join(tables.lines(view, width, styles=True))
    _picture(Text.from_ansi(picture, no_wrap=True), svg=svg, html=html, width=width, title=title)


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
