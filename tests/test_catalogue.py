"""A catalogue of bad input, and what sisterctl makes of it.

Each row is a command line and the registry it runs on, with the exit code and the
message a user should get. Every row also asserts what holds for all bad input: no
Python traceback; a refusal is one line on standard error that names the problem; and
the registry file is byte for byte what it was (the files beside it too).

In a row's command line, `{reg}` stands for the registry's path and `{tmp}` for the
test's folder. Commands take the registry from `-r {reg}` unless the row says otherwise.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import stat
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sisterctl import store
from sisterctl.core.check import CheckExit
from sisterctl.errors import ExitCode
from sisterctl.store.location import bundled_path
from tests.conftest import Run

GOOD = """\
schema_version = 1

[[city]]
id = "taipei-tw"
name = "Taipei"
country = "TW"
local_name = "臺北市"

[[city]]
id = "daegu-kr"
name = "Daegu"
country = "KR"
aliases = ["Taegu"]

[[partnership]]
id = "taipei-daegu"
cities = ["taipei-tw", "daegu-kr"]
established = "2010-11-04"
sources = ["https://example.org/taipei-daegu"]

[[agreement]]
partnership = "taipei-daegu"
date = "2021-03-26"
title = "Agreement to Reaffirm Sister City Friendship"
"""
MB = 1024 * 1024


def with_tie(**values: str) -> str:
    """GOOD with the tie's keys replaced or added (values are TOML)."""
    text = GOOD
    for key, value in values.items():
        lines = text.split("\n")
        start = lines.index("[[partnership]]")
        for i in range(start, len(lines)):
            if lines[i].startswith(f"{key} = "):
                lines[i] = f"{key} = {value}"
                break
            if lines[i] == "":
                lines.insert(i, f"{key} = {value}")
                break
        text = "\n".join(lines)
    return text


def renamed(name: str) -> str:
    """GOOD with Taipei's name and the agreement's title set to `name` (a TOML string)."""
    return GOOD.replace('name = "Taipei"', f"name = {name}").replace(
        'title = "Agreement to Reaffirm Sister City Friendship"', f"title = {name}"
    )


Setup = Callable[[Path], Path]  # given the registry's path, prepares the case, returns it


def no_file(reg: Path) -> Path:
    reg.unlink()
    return reg


def a_directory(reg: Path) -> Path:
    reg.unlink()
    reg.mkdir()
    return reg


def a_dangling_symlink(reg: Path) -> Path:
    reg.unlink()
    reg.symlink_to(reg.parent / "gone.toml")
    return reg


def read_only(reg: Path) -> Path:
    reg.chmod(0o444)
    return reg


def a_symlink(reg: Path) -> Path:
    link = reg.parent / "link.toml"
    link.symlink_to(reg)
    return link


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    content: str | bytes
    exit_code: int
    message: str
    #: Where the message is: "stderr" for a refusal (one line), "stdout" where what the
    #: command prints is its answer (check's findings; text shown safely), "note" for
    #: the one line on stderr that a write prints when it is done.
    stream: str = "stderr"
    setup: Setup | None = None
    #: Strings that must not appear in the output (an escape sequence that reached it).
    absent: tuple[str, ...] = field(default=())
    #: The command is expected to write: the registry then holds its old bytes, and
    #: more after them. Otherwise every file is left as it was.
    writes: bool = False
    #: Other input files, by name in the test's folder.
    files: tuple[tuple[str, str | bytes], ...] = ()
    #: Another process holds the registry's write lock while the command runs.
    lock_held: bool = False
    #: Files (names in the test's folder) the command writes: outputs, or the registry
    #: as a row's `patch` edits it. Every other file is left as it was.
    outputs: tuple[str, ...] = ()
    #: What more must hold after the run: given the test's folder, stdout and stderr.
    check: Callable[[Path, str, str], None] | None = None
    #: Something to arrange in the process for the run (a full disk, Ctrl-C): given
    #: pytest's monkeypatch and the registry's path.
    patch: Callable[[pytest.MonkeyPatch, Path], None] | None = None


def case(
    id: str,
    args: str | tuple[str, ...],
    content: str | bytes,
    exit_code: int,
    message: str,
    **kwargs: object,
) -> Case:
    argv = tuple(args.split()) if isinstance(args, str) else args
    return Case(id, argv, content, exit_code, message, **kwargs)  # type: ignore[arg-type]


CATALOGUE = [
    # -- the registry file itself ------------------------------------------------------
    case(
        "missing file",
        "-r {reg} list",
        GOOD,
        ExitCode.REGISTRY,
        "no registry file here",
        setup=no_file,
    ),
    case(
        "missing file, check",
        "check {reg}",
        GOOD,
        CheckExit.UNREADABLE,
        "no registry file here",
        setup=no_file,
    ),
    case(
        "dangling symlink",
        "-r {reg} show taipei-daegu",
        GOOD,
        ExitCode.REGISTRY,
        "no registry file here",
        setup=a_dangling_symlink,
    ),
    case(
        "a directory",
        "-r {reg} list",
        GOOD,
        ExitCode.REGISTRY,
        "is a directory, not a registry file",
        setup=a_directory,
    ),
    case(
        "a directory, check",
        "check {reg}",
        GOOD,
        CheckExit.UNREADABLE,
        "is a directory, not a registry file",
        setup=a_directory,
    ),
    case(
        "empty file",
        "-r {reg} list",
        "",
        ExitCode.REGISTRY,
        "the file is empty: a registry starts with",
    ),
    case(
        "empty file, check",
        "check {reg}",
        "",
        CheckExit.ERRORS,
        ":1:1: error: the file is empty",
        stream="stdout",
    ),
    case(
        "only comments",
        "-r {reg} list",
        "# a registry\n\n",
        ExitCode.REGISTRY,
        "'schema_version' is missing (add 'schema_version = 1' at the top)",
    ),
    case(
        "not UTF-8 (Latin-1)",
        "-r {reg} list",
        GOOD.replace("Daegu", "S\xe3o Paulo").encode("latin-1", "replace").replace(b"?", b""),
        ExitCode.REGISTRY,
        ":11:10: not UTF-8 text (byte 0xe3); save the file as UTF-8",
    ),
    case(
        "not UTF-8 (UTF-16)",
        "check {reg}",
        GOOD.encode("utf-16"),
        CheckExit.UNREADABLE,
        ":1:1: not UTF-8 text (byte 0xff)",
    ),
    case(
        "UTF-8 byte-order mark",
        "-r {reg} list --format csv",
        b"\xef\xbb\xbf" + GOOD.encode(),
        ExitCode.OK,
        "taipei-daegu,Taipei,TW,Daegu,KR,sister city,2010-11-04",
        stream="stdout",
    ),
    case(
        "UTF-8 byte-order mark, check",
        "check {reg}",
        b"\xef\xbb\xbf" + GOOD.encode(),
        CheckExit.CLEAN,
        "no problems in",
        stream="stdout",
    ),
    case(
        "Windows line endings",
        "check {reg}",
        with_tie(established='"2010-11-31"').replace("\n", "\r\n"),
        CheckExit.ERRORS,
        ":18:15: error: [[partnership]] #1 'taipei-daegu': 'established': '2010-11-31' is not "
        "a date: November 2010 has 30 days",
        stream="stdout",
    ),
    case(
        "a 20 MB file",
        "check {reg}",
        GOOD + ("# " + "x" * 1022 + "\n") * 20 * 1024,
        CheckExit.CLEAN,
        "no problems in",
        stream="stdout",
    ),
    case(
        "a 20 MB value",
        "-r {reg} list --format csv",
        GOOD.replace('name = "Daegu"', 'name = "' + "D" * 20 * MB + '"'),
        ExitCode.OK,
        "taipei-daegu,Taipei,TW,DDDDDDDDDD",
        stream="stdout",
    ),
    case(
        "deeply nested arrays",
        "-r {reg} list",
        GOOD + "x = " + "[" * 100_000 + "]" * 100_000 + "\n",
        ExitCode.REGISTRY,
        "not valid TOML: values are nested too deeply",
    ),
    case(
        "deeply nested inline tables",
        "check {reg}",
        GOOD + "x = " + "{a = " * 5_000 + "1" + "}" * 5_000 + "\n",
        CheckExit.UNREADABLE,
        "not valid TOML: values are nested too deeply",
    ),
    case(
        "a very long key",
        "-r {reg} show taipei-daegu",
        GOOD + "k" * MB + " = 1\n",
        ExitCode.OK,
        "Taipei",
        stream="stdout",
    ),
    case(
        "TOML syntax error",
        "-r {reg} list",
        GOOD.replace('[[city]]\nid = "daegu-kr"', '[[city]\nid = "daegu-kr"'),
        ExitCode.REGISTRY,
        ":9:7: not valid TOML: ",
    ),
    case(
        "a key given twice",
        "check {reg}",
        GOOD.replace('country = "TW"', 'country = "TW"\ncountry = "KR"'),
        CheckExit.UNREADABLE,
        "not valid TOML: Cannot overwrite a value",
    ),
    case(
        "JSON, not TOML",
        "-r {reg} list",
        '{"schema_version": 1}\n',
        ExitCode.REGISTRY,
        ":1:1: not valid TOML",
    ),
    case(
        "a NUL byte",
        "-r {reg} list",
        GOOD + 'x = "a\x00b"\n',
        ExitCode.REGISTRY,
        "not valid TOML: Illegal",
    ),
    case(
        "unknown schema version",
        "-r {reg} list",
        GOOD.replace("schema_version = 1", "schema_version = 2"),
        ExitCode.REGISTRY,
        ":1:18: schema_version 2 is not one this sisterctl knows (it reads version 1); "
        "upgrade sisterctl",
    ),
    case(
        "a huge schema version",
        "check {reg}",
        GOOD.replace("schema_version = 1", "schema_version = 99999999999999999999"),
        CheckExit.ERRORS,
        "schema_version 99999999999999999999 is not one this sisterctl knows",
        stream="stdout",
    ),
    # -- dates out of range ------------------------------------------------------------
    case(
        "year 0 in the registry",
        "-r {reg} list",
        with_tie(established='"0000-01-01"'),
        ExitCode.REGISTRY,
        ":18:15: [[partnership]] #1 'taipei-daegu': 'established': '0000-01-01' is not a "
        "date: the year must be 0001 to 9999",
    ),
    case(
        "year 0 as a TOML date",
        "-r {reg} list",
        with_tie(established="0000-01-01"),
        ExitCode.REGISTRY,
        ":18:15: not valid TOML: Invalid date or datetime",
    ),
    case(
        "year 10000 in the registry",
        "check {reg}",
        with_tie(established='"10000-01-01"'),
        CheckExit.ERRORS,
        "'10000-01-01' is not a date: write YYYY-MM-DD, YYYY-MM or YYYY",
        stream="stdout",
    ),
    case(
        "year 0 for --as-of",
        "-r {reg} list --as-of 0000-01-01",
        GOOD,
        ExitCode.REFUSED,
        "--as-of: '0000-01-01' is not a date: the year must be 0001 to 9999",
    ),
    case(
        "year 10000 for --as-of",
        "-r {reg} show taipei-daegu --as-of 10000-01-01",
        GOOD,
        ExitCode.REFUSED,
        "--as-of: '10000-01-01' is not a date: write YYYY-MM-DD",
    ),
    case(
        "a time of day in a date",
        "-r {reg} list",
        with_tie(established="2010-11-04T10:00:00"),
        ExitCode.REGISTRY,
        "'established': a date must not carry a time of day",
    ),
    case(
        "latitude beyond the pole",
        "-r {reg} list",
        GOOD.replace('country = "TW"', 'country = "TW"\nlat = 1e400'),
        ExitCode.REGISTRY,
        ":7:7: [[city]] #1 'taipei-tw': 'lat' must be between -90 and 90",
    ),
    # -- every option given an empty string --------------------------------------------
    case(
        "empty --registry",
        ("-r", "", "list"),
        GOOD,
        ExitCode.USAGE,
        "'--registry' / '-r': must not be",
    ),
    case("empty --city", ("-r", "{reg}", "list", "--city", ""), GOOD, ExitCode.USAGE, "'--city'"),
    case(
        "empty --country",
        ("-r", "{reg}", "list", "--country", ""),
        GOOD,
        ExitCode.USAGE,
        "'--country'",
    ),
    case("empty --kind", ("-r", "{reg}", "list", "--kind", " "), GOOD, ExitCode.USAGE, "'--kind'"),
    case(
        "empty --field", ("-r", "{reg}", "list", "--field", ""), GOOD, ExitCode.USAGE, "'--field'"
    ),
    case(
        "empty --status",
        ("-r", "{reg}", "list", "--status", ""),
        GOOD,
        ExitCode.USAGE,
        "'--status'",
    ),
    case("empty --sort", ("-r", "{reg}", "list", "--sort", ""), GOOD, ExitCode.USAGE, "'--sort'"),
    case(
        "empty --since",
        ("-r", "{reg}", "list", "--since", ""),
        GOOD,
        ExitCode.REFUSED,
        "--since: '' is not a year: write YYYY (e.g. 2010)",
    ),
    case(
        "empty --until",
        ("-r", "{reg}", "list", "--until", ""),
        GOOD,
        ExitCode.REFUSED,
        "--until: '' is not a",
    ),
    case(
        "empty --format",
        ("-r", "{reg}", "list", "--format", ""),
        GOOD,
        ExitCode.USAGE,
        "'--format'",
    ),
    case(
        "empty --as-of",
        ("-r", "{reg}", "list", "--as-of", ""),
        GOOD,
        ExitCode.REFUSED,
        "--as-of: '' is",
    ),
    case("empty tie", ("-r", "{reg}", "show", ""), GOOD, ExitCode.REFUSED, "name a tie: its id"),
    case(
        "empty cities",
        ("-r", "{reg}", "show", "", " "),
        GOOD,
        ExitCode.REFUSED,
        "name a tie: its id",
    ),
    case(
        "empty show --format",
        ("-r", "{reg}", "show", "taipei-daegu", "--format", ""),
        GOOD,
        ExitCode.USAGE,
        "'--format'",
    ),
    case(
        "empty check FILE",
        ("check", ""),
        GOOD,
        CheckExit.UNREADABLE,
        "'[FILE]...': must not be empty",
    ),
    case(
        "empty check --format",
        ("check", "{reg}", "-f", ""),
        GOOD,
        CheckExit.UNREADABLE,
        "'--format'",
    ),
    case(
        "empty check --as-of",
        ("check", "{reg}", "--as-of", ""),
        GOOD,
        CheckExit.ERRORS,
        "--as-of: '' is",
    ),
    case(
        "empty upcoming --within",
        ("-r", "{reg}", "upcoming", "--within", ""),
        GOOD,
        ExitCode.USAGE,
        "--within",
    ),
    case(
        "empty upcoming --city",
        ("-r", "{reg}", "upcoming", "--city", ""),
        GOOD,
        ExitCode.USAGE,
        "'--city'",
    ),
    case(
        "empty upcoming --leap-day",
        ("-r", "{reg}", "upcoming", "--leap-day", ""),
        GOOD,
        ExitCode.USAGE,
        "'--leap-day'",
    ),
    case(
        "empty ics --output",
        ("-r", "{reg}", "export", "ics", "-o", ""),
        GOOD,
        ExitCode.USAGE,
        "'--output'",
    ),
    case(
        "empty ics --remind",
        ("-r", "{reg}", "export", "ics", "--remind", ""),
        GOOD,
        ExitCode.USAGE,
        "--remind",
    ),
    case(
        "empty ics --years",
        ("-r", "{reg}", "export", "ics", "--years", ""),
        GOOD,
        ExitCode.USAGE,
        "'--years'",
    ),
    case(
        "empty ics --name",
        ("-r", "{reg}", "export", "ics", "--name", ""),
        GOOD,
        ExitCode.USAGE,
        "'--name'",
    ),
    case(
        "empty ics --refresh",
        ("-r", "{reg}", "export", "ics", "--refresh", ""),
        GOOD,
        ExitCode.USAGE,
        "--refresh",
    ),
    case(
        "empty ics --imprecise",
        ("-r", "{reg}", "export", "ics", "--imprecise", ""),
        GOOD,
        ExitCode.USAGE,
        "'--imprecise'",
    ),
    case(
        "empty ics --cancelled-for",
        ("-r", "{reg}", "export", "ics", "--cancelled-for", ""),
        GOOD,
        ExitCode.USAGE,
        "'--cancelled-for'",
    ),
    case(
        "empty timeline tie", ("-r", "{reg}", "timeline", ""), GOOD, ExitCode.REFUSED, "name a tie"
    ),
    case(
        "empty timeline --city",
        ("-r", "{reg}", "timeline", "--city", ""),
        GOOD,
        ExitCode.USAGE,
        "name one tie (timeline taipei-daegu) or one city",
    ),
    case(
        "empty stats --top", ("-r", "{reg}", "stats", "--top", ""), GOOD, ExitCode.USAGE, "'--top'"
    ),
    case("empty list --svg", ("-r", "{reg}", "list", "--svg", ""), GOOD, ExitCode.USAGE, "'--svg'"),
    case(
        "empty show --html",
        ("-r", "{reg}", "show", "taipei-daegu", "--html", ""),
        GOOD,
        ExitCode.USAGE,
        "'--html'",
    ),
    case("stats --top 0", "-r {reg} stats --top 0", GOOD, ExitCode.USAGE, "'--top'"),
    case(
        "a picture 10000 columns wide",
        "-r {reg} stats --width 10000",
        GOOD,
        ExitCode.USAGE,
        "'--width'",
    ),
    # -- windows and spans -------------------------------------------------------------
    case(
        "--within -5",
        ("-r", "{reg}", "upcoming", "--within", "-5"),
        GOOD,
        ExitCode.USAGE,
        "--within takes a positive length: days (30), weeks (6w), months (3m) or years (1y), "
        "not '-5'",
    ),
    case(
        "a window past the year 9999",
        "-r {reg} upcoming --within 100000000000000000000d",
        GOOD,
        ExitCode.REFUSED,
        "ends after the year 9999",
    ),
    case(
        "a calendar past the year 9999",
        "-r {reg} export ics --as-of 9999-06-01",
        GOOD,
        ExitCode.REFUSED,
        "a window of 10 years from 9999-06-01 ends after the year 9999",
    ),
    case("--years 0", "-r {reg} export ics --years 0", GOOD, ExitCode.USAGE, "'--years' / '-y'"),
    case(
        "a negative reminder", "-r {reg} export ics --remind -3d", GOOD, ExitCode.USAGE, "not '-3d'"
    ),
    # -- where sisterctl writes --------------------------------------------------------
    case(
        "a calendar written over the registry",
        "-r {reg} export ics -o {reg}",
        GOOD,
        ExitCode.REFUSED,
        "registry.toml is the registry itself; name another file with -o",
    ),
    case(
        "a picture written over the registry, through a link",
        "-r {reg} upcoming --html {tmp}/link.toml",
        GOOD,
        ExitCode.REFUSED,
        "link.toml is the registry itself; name another file with --html",
        setup=lambda reg: (reg.parent / "link.toml").symlink_to(reg) or reg,
    ),
    case(
        "a picture written over the registry",
        "-r {reg} list --svg {reg}",
        GOOD,
        ExitCode.REFUSED,
        "registry.toml is the registry itself; name another file with --svg",
    ),
    case(
        "a calendar into a missing folder",
        "-r {reg} export ics -o {tmp}/nowhere/x.ics",
        GOOD,
        ExitCode.REFUSED,
        "nowhere/x.ics: No such file or directory",
    ),
    # -- writing: init, add, end, resume, import -----------------------------------------
    case(
        "a read-only registry on add",
        "-r {reg} add agreement taipei-daegu --date 2022 --title T",
        GOOD,
        ExitCode.REGISTRY,
        "registry.toml: the registry is read-only; nothing was written",
        setup=read_only,
    ),
    case(
        "a read-only registry on end",
        "-r {reg} end taipei-daegu --date 2022",
        GOOD,
        ExitCode.REGISTRY,
        "the registry is read-only; nothing was written",
        setup=read_only,
    ),
    case(
        "the write lock held by another process",
        "-r {reg} add agreement taipei-daegu --date 2022 --title T",
        GOOD,
        ExitCode.BUSY,
        "another sisterctl process is writing the registry (it has held the write lock "
        "for over 0.5 s); try again",
        lock_held=True,
    ),
    case(
        "the write lock held, on import",
        "-r {reg} import csv {tmp}/ties.csv",
        GOOD,
        ExitCode.BUSY,
        "another sisterctl process is writing the registry",
        lock_held=True,
        files=(("ties.csv", "city1,country1,city2,country2\nSeoul,KR,Taipei,TW\n"),),
    ),
    case(
        "a registry replaced by a symlink, on add",
        "-r {reg} add agreement taipei-daegu --date 2022 --title T",
        GOOD,
        ExitCode.OK,
        'Recorded the agreement "T" on taipei-daegu (2022)',
        stream="note",
        setup=a_symlink,
        writes=True,
    ),
    case(
        "a dangling symlink, on add",
        "-r {reg} add exchange taipei-daegu --date 2022 --kind visit --title V",
        GOOD,
        ExitCode.REGISTRY,
        "gone.toml: no registry file here",
        setup=a_dangling_symlink,
    ),
    case(
        "a directory, on end",
        "-r {reg} end taipei-daegu --date 2022",
        GOOD,
        ExitCode.REGISTRY,
        "is a directory, not a registry file",
        setup=a_directory,
    ),
    case(
        "a registry with errors, on add",
        "-r {reg} add agreement taipei-daegu --date 2022 --title T",
        with_tie(established='"2010-02-30"'),
        ExitCode.REGISTRY,
        ":18:15: [[partnership]] #1 'taipei-daegu': 'established': '2010-02-30' is not a "
        "date: February 2010 has 28 days (fix the registry before adding to it)",
    ),
    case(
        "an empty file, on add",
        "-r {reg} add agreement taipei-daegu --date 2022 --title T",
        "",
        ExitCode.REGISTRY,
        "the file is empty",
    ),
    case(
        "not UTF-8, on resume",
        "-r {reg} resume taipei-daegu --date 2022",
        GOOD.encode("utf-16"),
        ExitCode.REGISTRY,
        "not UTF-8 text (byte 0xff)",
    ),
    case(
        "init over an existing registry",
        "init {reg}",
        GOOD,
        ExitCode.REFUSED,
        "registry.toml: a file is already there; sisterctl init never overwrites",
    ),
    case(
        "year 0 for add --date",
        "-r {reg} add agreement taipei-daegu -d 0000-01-01 -t T",
        GOOD,
        ExitCode.REFUSED,
        "'0000-01-01' is not a date: the year must be 0001 to 9999",
    ),
    case(
        "year 10000 for end --date",
        "-r {reg} end taipei-daegu --date 10000-01-01",
        GOOD,
        ExitCode.REFUSED,
        "'10000-01-01' is not a date",
    ),
    case(
        "empty add --date",
        ("-r", "{reg}", "add", "agreement", "taipei-daegu", "-d", "", "-t", "T"),
        GOOD,
        ExitCode.REFUSED,
        "'' is not a date",
    ),
    case(
        "empty add --title",
        ("-r", "{reg}", "add", "agreement", "taipei-daegu", "-d", "2022", "-t", ""),
        GOOD,
        ExitCode.REFUSED,
        "the title is empty",
    ),
    case(
        "empty add tie",
        ("-r", "{reg}", "add", "agreement", "", "-d", "2022", "-t", "T"),
        GOOD,
        ExitCode.REFUSED,
        "name a tie",
    ),
    case(
        "empty add --mode",
        ("-r", "{reg}", "add", "agreement", "taipei-daegu", "-d", "2022", "-t", "T", "--mode", ""),
        GOOD,
        ExitCode.USAGE,
        "'--mode': must not be empty",
    ),
    case(
        "empty add --venue",
        ("-r", "{reg}", "add", "agreement", "taipei-daegu", "-d", "2022", "-t", "T", "--venue", ""),
        GOOD,
        ExitCode.USAGE,
        "'--venue': must not be empty",
    ),
    case(
        "empty add --note",
        ("-r", "{reg}", "add", "agreement", "taipei-daegu", "-d", "2022", "-t", "T", "--note", ""),
        GOOD,
        ExitCode.USAGE,
        "'--note': must not be empty",
    ),
    case(
        "empty add --signatory",
        (
            "-r",
            "{reg}",
            "add",
            "agreement",
            "taipei-daegu",
            "-d",
            "2022",
            "-t",
            "T",
            "--signatory",
            "",
        ),
        GOOD,
        ExitCode.REFUSED,
        "the signatory is empty",
    ),
    case(
        "empty add --source",
        (
            "-r",
            "{reg}",
            "add",
            "agreement",
            "taipei-daegu",
            "-d",
            "2022",
            "-t",
            "T",
            "--source",
            "",
        ),
        GOOD,
        ExitCode.REFUSED,
        "the source is empty",
    ),
    case(
        "empty add exchange --kind",
        ("-r", "{reg}", "add", "exchange", "taipei-daegu", "-d", "2022", "--kind", "", "-t", "T"),
        GOOD,
        ExitCode.REFUSED,
        "the kind is empty",
    ),
    case(
        "empty add partnership city",
        ("-r", "{reg}", "add", "partnership", "", "Seoul, KR", "--established", "2020"),
        GOOD,
        ExitCode.REFUSED,
        "the city is empty",
    ),
    case(
        "empty end --reason",
        ("-r", "{reg}", "end", "taipei-daegu", "--date", "2022", "--reason", ""),
        GOOD,
        ExitCode.USAGE,
        "'--reason': must not be empty",
    ),
    case(
        "empty resume --date",
        ("-r", "{reg}", "resume", "taipei-daegu", "--date", ""),
        GOOD,
        ExitCode.REFUSED,
        "'' is not a date",
    ),
    case("empty init PATH", ("init", ""), GOOD, ExitCode.USAGE, "'[PATH]': must not be empty"),
    case(
        "empty import FILE",
        ("-r", "{reg}", "import", "csv", ""),
        GOOD,
        ExitCode.USAGE,
        "'FILE': must not be",
    ),
    case(
        "empty import --map",
        ("-r", "{reg}", "import", "csv", "{reg}", "--map", ""),
        GOOD,
        ExitCode.USAGE,
        "--map takes FIELD=COLUMN (such as established=date_signed), not ''",
    ),
    case(
        "empty add agreement --kind",
        ("-r", "{reg}", "add", "agreement", "taipei-daegu", "-d", "2022", "-t", "T", "-k", ""),
        GOOD,
        ExitCode.USAGE,
        "'--kind' / '-k': must not be empty",
    ),
    case(
        "empty add partnership --kind",
        ("-r", "{reg}", "add", "partnership", "Oslo, NO", "Taipei", "-e", "2020", "--kind", ""),
        GOOD,
        ExitCode.USAGE,
        "'--kind' / '-k': must not be empty",
    ),
    case(
        "empty add --to-kind",
        (
            "-r",
            "{reg}",
            "add",
            "agreement",
            "taipei-daegu",
            "-d",
            "2022",
            "-t",
            "T",
            "--to-kind",
            "",
        ),
        GOOD,
        ExitCode.USAGE,
        "'--to-kind': must not be empty",
    ),
    case(
        "empty add --field",
        ("-r", "{reg}", "add", "agreement", "taipei-daegu", "-d", "2022", "-t", "T", "--field", ""),
        GOOD,
        ExitCode.REFUSED,
        "the field is empty",
    ),
    case(
        "empty import --kind",
        ("-r", "{reg}", "import", "csv", "{reg}", "--kind", ""),
        GOOD,
        ExitCode.USAGE,
        "'--kind' / '-k': must not be empty",
    ),
    case(
        "empty import --source",
        ("-r", "{reg}", "import", "csv", "{reg}", "--source", ""),
        GOOD,
        ExitCode.USAGE,
        "'--source': must not be empty",
    ),
    case(
        "empty export --output",
        ("-r", "{reg}", "export", "json", "-o", ""),
        GOOD,
        ExitCode.USAGE,
        "'--output'",
    ),
    case(
        "an ANSI escape in a title",
        ("-r", "{reg}", "add", "agreement", "taipei-daegu", "-d", "2022", "-t", "\x1b[2JRed"),
        GOOD,
        ExitCode.REFUSED,
        "the title must be one line of plain text, without control characters (found U+001B)",
        absent=("\x1b",),
    ),
    case(
        "a right-to-left override in a title",
        ("-r", "{reg}", "add", "agreement", "taipei-daegu", "-d", "2022", "-t", "Re\u202eaffirm"),
        GOOD,
        ExitCode.OK,
        'Recorded the agreement "Re\\u202eaffirm"',
        stream="note",
        absent=("\u202e",),
        writes=True,
    ),
    case(
        "TOML in a title",
        (
            "-r",
            "{reg}",
            "add",
            "agreement",
            "taipei-daegu",
            "-d",
            "2022",
            "-t",
            'x" [[partnership]] id = "evil',
        ),
        GOOD,
        ExitCode.OK,
        "Recorded the agreement",
        stream="note",
        writes=True,
    ),
    case(
        "Rich markup in a venue",
        (
            "-r",
            "{reg}",
            "add",
            "agreement",
            "taipei-daegu",
            "-d",
            "2022",
            "-t",
            "T",
            "--venue",
            "[red]City Hall[/red]",
            "--dry-run",
        ),
        GOOD,
        ExitCode.OK,
        'venue = "[red]City Hall[/red]"',
        stream="stdout",
    ),
    case(
        "an agreement before the founding",
        "-r {reg} add agreement taipei-daegu --date 2009 --title T",
        GOOD,
        ExitCode.REFUSED,
        "an agreement dated 2009 would come before it (check the date, or run again with "
        "--force to record it as it is)",
    ),
    case(
        "an ending before the founding",
        "-r {reg} end taipei-daegu --date 2010-11-03",
        GOOD,
        ExitCode.REFUSED,
        "an ending dated 2010-11-03 would come before the tie began",
    ),
    case(
        "the same tie again, in the other order",
        ("-r", "{reg}", "add", "partnership", "Daegu", "Taipei, TW", "--established", "2020"),
        GOOD,
        ExitCode.REFUSED,
        "Taipei–Daegu is already in the registry as taipei-daegu",
    ),
    case(
        "a city tied to itself",
        ("-r", "{reg}", "add", "partnership", "Taipei", "taipei", "--established", "2020"),
        GOOD,
        ExitCode.REFUSED,
        "a city cannot be tied to itself",
    ),
    # -- editing in place: sign and edit ------------------------------------------------
    case(
        "editing a key that does not exist",
        ("-r", "{reg}", "edit", "city", "taipei-tw", "--set", "localname=臺北"),
        GOOD,
        1,
        "a city has no key 'localname' (did you mean local_name?); its keys are name,",
    ),
    case(
        "removing a key the record does not have",
        "-r {reg} edit tie taipei-daegu --unset notes",
        GOOD,
        1,
        "the tie taipei-daegu has no 'notes' to remove",
    ),
    case(
        "signing an agreement that does not exist",
        "-r {reg} sign taipei-daegu/2021-03-26-undated --date 2021-04",
        GOOD,
        1,
        "no agreement matches 'taipei-daegu/2021-03-26-undated'",
    ),
    case(
        "signing an agreement that is already signed",
        "-r {reg} sign taipei-daegu/2021-03-26-agreement --date 2021-04",
        GOOD,
        1,
        "taipei-daegu/2021-03-26-agreement is already signed on 2021-03-26: only a planned "
        "agreement is signed",
    ),
    case(
        "an edit that would break check",
        "-r {reg} edit agreement taipei-daegu/2021-03-26-agreement --set date=2009-01-01",
        GOOD,
        1,
        "the edit would make 'sisterctl check' report: [[agreement]] #1: dated 2009-01-01, "
        "before its tie 'taipei-daegu' was founded (2010-11-04); if both dates are right, add "
        "before_founding = true; nothing was written",
    ),
    case(
        "an edit that removes a required key",
        "-r {reg} edit agreement taipei-daegu/2021-03-26-agreement --unset title",
        GOOD,
        1,
        "'title' is required",
    ),
    case(
        "an edit of an id",
        "-r {reg} edit tie taipei-daegu --set id=taipei-taegu",
        GOOD,
        1,
        "'id' is not edited in place: other records name the record by it",
    ),
    case(
        "an edit with the write lock held",
        "-r {reg} edit city taipei-tw --set name=Taipei",
        GOOD,
        4,
        "another sisterctl process is writing the registry",
        lock_held=True,
    ),
    case(
        "an edit of a read-only registry",
        "-r {reg} edit city taipei-tw --set name=Taipei",
        GOOD,
        3,
        "the registry is read-only; nothing was written",
        setup=read_only,
    ),
    case(
        "an edit with an escape sequence in a value",
        ("-r", "{reg}", "edit", "city", "taipei-tw", "--set", "name=\x1b[2JTaipei"),
        GOOD,
        1,
        "the name must be one line of plain text, without control characters (found U+001B)",
        absent=("\x1b",),
    ),
    # -- a bad date word --------------------------------------------------------------
    case(
        "a misspelt date word",
        "-r {reg} add agreement taipei-daegu --date tommorow --title T",
        GOOD,
        1,
        "--date: 'tommorow' is not a date: write YYYY-MM-DD, YYYY-MM or YYYY (as precise as "
        "the source), or today, yesterday or tomorrow, or unknown",
    ),
    case(
        "a date word for a month",
        "-r {reg} list --as-of this-month",
        GOOD,
        1,
        "--as-of: 'this-month' is not a date: write YYYY-MM-DD (e.g. 2026-11-28), or today, "
        "yesterday or tomorrow",
    ),
    case(
        "a day for a year",
        "-r {reg} stats --since 2010-06-01",
        GOOD,
        1,
        "--since: '2010-06-01' is a day, not a year: write YYYY (e.g. 2010)",
    ),
    # -- files to import ---------------------------------------------------------------
    case(
        "a CSV with a formula in a cell",
        "-r {reg} import csv {tmp}/ties.csv",
        GOOD,
        ExitCode.OK,
        "Added 1 tie",
        stream="stdout",
        writes=True,
        files=(
            (
                "ties.csv",
                'city1,country1,city2,country2\n"=HYPERLINK(""http://evil.example"",""Click"")",'
                "TW,Daegu,KR\n",
            ),
        ),
    ),
    case(
        "a formula exported to CSV",
        "-r {reg} export csv",
        renamed('"=HYPERLINK(\\"http://evil.example\\")"'),
        ExitCode.OK,
        'taipei-daegu,"\'=HYPERLINK(""http://evil.example"")",TW,Daegu',
        stream="stdout",
    ),
    case(
        "an empty CSV",
        "-r {reg} import csv {tmp}/ties.csv",
        GOOD,
        ExitCode.REFUSED,
        "the file is empty; a CSV file starts with a header line",
        files=(("ties.csv", ""),),
    ),
    case(
        "a CSV that is not UTF-8",
        "-r {reg} import csv {tmp}/ties.csv",
        GOOD,
        ExitCode.REFUSED,
        "line 2: not UTF-8 text (byte 0xe3); save the file as UTF-8",
        files=(("ties.csv", b"city1,country1,city2,country2\nS\xe3o Paulo,BR,Daegu,KR\n"),),
    ),
    case(
        "a CSV without the columns",
        "-r {reg} import csv {tmp}/ties.csv",
        GOOD,
        ExitCode.REFUSED,
        "no column for city1, country1, city2, country2 (the columns are: a, b)",
        files=(("ties.csv", "a,b\n1,2\n"),),
    ),
    case(
        "a missing CSV",
        "-r {reg} import csv {tmp}/nope.csv",
        GOOD,
        ExitCode.REFUSED,
        "nope.csv: no such file",
    ),
    case(
        "CSV given to import json",
        "-r {reg} import json {tmp}/ties.csv",
        GOOD,
        ExitCode.REFUSED,
        "line 1 column 1: not valid JSON",
        files=(("ties.csv", "city1,country1,city2,country2\n"),),
    ),
    case(
        "a CSV export over the registry",
        "-r {reg} export csv -o {reg}",
        GOOD,
        ExitCode.REFUSED,
        "registry.toml is the registry itself; name another file with -o",
    ),
    # -- what people and programs type --------------------------------------------------
    case("a typo in a command", "-r {reg} lsit", GOOD, ExitCode.USAGE, "No such command 'lsit'"),
    case(
        "an unknown option",
        "-r {reg} list --colour",
        GOOD,
        ExitCode.USAGE,
        "No such option: --colour",
    ),
    case("three words for a tie", "-r {reg} show a b c", GOOD, ExitCode.REFUSED, "not 3 words"),
    case(
        "a misspelt tie",
        "-r {reg} show taipei-dageu",
        GOOD,
        ExitCode.REFUSED,
        "no tie matches 'taipei-dageu'; did you mean taipei-daegu?",
    ),
    case(
        "an unknown country",
        "-r {reg} list --country Atlantis",
        GOOD,
        ExitCode.REFUSED,
        "unknown country",
    ),
    # -- text that could fool a terminal ------------------------------------------------
    case(
        "Rich markup in a city name",
        "-r {reg} list",
        renamed('"[bold red]Taipei[/]"'),
        ExitCode.OK,
        "[bold red]Taipei[/], Taiwan",
        stream="stdout",
    ),
    case(
        "Rich markup in a title",
        "-r {reg} show taipei-daegu",
        renamed('"[link=https://evil.example]click[/link]"'),
        ExitCode.OK,
        "[link=https://evil.example]click[/link]",
        stream="stdout",
    ),
    case(
        "ANSI escapes in a city name",
        "-r {reg} list --format tsv",
        renamed('"\\u001b[2J\\u001b[31mTaipei"'),
        ExitCode.OK,
        "\\x1b[2J\\x1b[31mTaipei",
        stream="stdout",
        absent=("\x1b",),
    ),
    case(
        "ANSI escapes in a title",
        "-r {reg} show taipei-daegu",
        renamed('"\\u001b]8;;https://evil.example\\u0007click"'),
        ExitCode.OK,
        "\\x1b]8;;https://evil.example\\x07click",
        stream="stdout",
        absent=("\x1b", "\x07"),
    ),
    case(
        "ANSI escapes in upcoming anniversaries",
        "-r {reg} upcoming --as-of 2026-11-01 --within 30",
        renamed('"\\u001b[2JTaipei"'),
        ExitCode.OK,
        "\\x1b[2JTaipei–Daegu",
        stream="stdout",
        absent=("\x1b",),
    ),
    case(
        "ANSI escapes in a calendar",
        "-r {reg} export ics --as-of 2026-11-01",
        renamed('"\\u001b[2JTaipei"'),
        ExitCode.OK,
        "SUMMARY:\\\\x1b[2JTaipei–Daegu: 16th sister-city anniversary",
        stream="stdout",
        absent=("\x1b",),
    ),
    case(
        "ANSI escapes in a timeline",
        "-r {reg} timeline taipei-daegu --as-of 2026-11-01",
        renamed('"\\u001b]8;;https://evil.example\\u0007Reaffirm"'),
        ExitCode.OK,
        "\\x1b]8;;https://evil.example\\x07Reaffirm",
        stream="stdout",
        absent=("\x1b", "\x07"),
    ),
    case(
        "Rich markup in a city's timeline",
        "-r {reg} timeline --city Daegu --as-of 2026-11-01",
        renamed('"[blink]Taipei[/blink]"'),
        ExitCode.OK,
        "[blink]Taipei[/blink]",
        stream="stdout",
    ),
    case(
        "a right-to-left override in a name",
        "-r {reg} list",
        renamed('"\\u202eiepiaT"'),
        ExitCode.OK,
        "\\u202eiepiaT",
        stream="stdout",
        absent=("\u202e",),
    ),
    case(
        "zero-width characters in a title",
        "-r {reg} show taipei-daegu",
        renamed('"Re\\u200baffirm\\u2060ation"'),
        ExitCode.OK,
        "Re\\u200baffirm\\u2060ation",
        stream="stdout",
        absent=("\u200b", "\u2060"),
    ),
    case(
        "invisible characters, check",
        "check {reg}",
        renamed('"Tai\\u200bpei"'),
        CheckExit.CLEAN,
        ":5:8: warning: [[city]] #1 'taipei-tw': 'name' holds an invisible or control "
        "character (U+200B)",
        stream="stdout",
    ),
    case(
        "an escape sequence in a path",
        ("-r", "{tmp}/\x1b[2Jx.toml", "list"),
        GOOD,
        ExitCode.REGISTRY,
        "\\x1b[2Jx.toml: no registry file here",
        absent=("\x1b",),
    ),
    case(
        "an escape sequence in a tie asked for",
        ("-r", "{reg}", "show", "\x1b[31mred"),
        GOOD,
        ExitCode.REFUSED,
        "no tie matches '\\x1b[31mred'",
        absent=("\x1b",),
    ),
    # -- a registry that reads but does not hold together ------------------------------
    case(
        "a tie naming no city",
        "-r {reg} list",
        GOOD.replace('"daegu-kr"]', '"seoul-kr"]'),
        ExitCode.REGISTRY,
        "names city 'seoul-kr', which has no [[city]] record",
    ),
    case(
        "the same tie twice, check",
        "check {reg}",
        GOOD.replace(
            "[[agreement]]",
            '[[partnership]]\nid = "daegu-taipei"\ncities = '
            '["daegu-kr", "taipei-tw"]\nsources = ["s"]\n\n[[agreement]]',
        ),
        CheckExit.ERRORS,
        "the same tie as 'taipei-daegu' (line 15)",
        stream="stdout",
    ),
    case(
        "a symlink to the registry",
        "-r {reg} show taipei-daegu --format json",
        GOOD,
        ExitCode.OK,
        '"established": "2010-11-04"',
        stream="stdout",
        setup=a_symlink,
    ),
]


# ---------------------------------------------------------------------------
# Hostile paths and hostile text: where outputs go, what reaches a terminal or a
# spreadsheet, writes that must not lose an edit, limits and interruptions.


def needs_root() -> None:
    """Device nodes (made inside the test's folder) need root, and a kernel that lets
    root make them."""
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")


def device(path: Path, minor: int) -> Path:
    """A character device node at `path`: the kernel's null (1, 3) or zero (1, 5)."""
    needs_root()
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except OSError as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    return path


def a_fifo(reg: Path) -> Path:
    reg.unlink()
    os.mkfifo(reg)
    return reg


def a_device(reg: Path) -> Path:
    reg.unlink()
    return device(reg, 5)


def a_hard_link(reg: Path) -> Path:
    os.link(reg, reg.parent / "other-name.toml")
    return reg


def a_link_loop(reg: Path) -> Path:
    (reg.parent / "loop-a").symlink_to(reg.parent / "loop-b")
    (reg.parent / "loop-b").symlink_to(reg.parent / "loop-a")
    return reg


def a_link_to_an_old_file(name: str) -> Setup:
    def setup(reg: Path) -> Path:
        (reg.parent / "target").write_bytes(b"old contents\n")
        (reg.parent / name).symlink_to(reg.parent / "target")
        return reg

    return setup


def a_dangling_output_link(reg: Path) -> Path:
    (reg.parent / "out.csv").symlink_to(reg.parent / "made.csv")
    return reg


def an_old_file(name: str) -> Setup:
    def setup(reg: Path) -> Path:
        (reg.parent / name).write_bytes(b"old contents\n")
        return reg

    return setup


def a_fifo_with_a_reader(reg: Path) -> Path:
    """A FIFO, out.fifo, and a reader that copies what comes through it to got.txt."""
    import threading

    fifo = reg.parent / "out.fifo"
    os.mkfifo(fifo)

    def read() -> None:
        with fifo.open("rb") as handle:
            (reg.parent / "got.txt").write_bytes(handle.read())

    threading.Thread(target=read, daemon=True).start()
    return reg


def a_null_device(reg: Path) -> Path:
    device(reg.parent / "null", 3)
    return reg


def still(name: str, kind: str, starts: bytes | None = None) -> Callable[[Path, str, str], None]:
    """A check: `name` is still a link (to `target`), a FIFO or a device, and the file
    written through it starts with `starts`."""

    def check(tmp: Path, stdout: str, stderr: str) -> None:
        path = tmp / name
        mode = path.lstat().st_mode
        assert {"link": stat.S_ISLNK, "fifo": stat.S_ISFIFO, "device": stat.S_ISCHR}[kind](mode)
        if starts is None:
            return
        if kind == "fifo":
            got = tmp / "got.txt"
            for _ in range(200):  # the reader thread writes it when the FIFO closes
                if got.exists() and got.stat().st_size:  # (made, then written: both)
                    break
                time.sleep(0.05)
            assert got.read_bytes().startswith(starts)
        else:
            assert path.read_bytes().startswith(starts)

    return check


def well_formed_svg(name: str) -> Callable[[Path, str, str], None]:
    def check(tmp: Path, stdout: str, stderr: str) -> None:
        import xml.etree.ElementTree as ET

        ET.parse(tmp / name)  # raises when the SVG is not well-formed XML

    return check


def svg_and_html_safe(tmp: Path, stdout: str, stderr: str) -> None:
    well_formed_svg("t.svg")(tmp, stdout, stderr)
    no_control_characters("t.html")(tmp, stdout, stderr)


def no_control_characters(name: str) -> Callable[[Path, str, str], None]:
    def check(tmp: Path, stdout: str, stderr: str) -> None:
        text = (tmp / name).read_text(encoding="utf-8")
        assert not [c for c in text if ord(c) < 32 and c not in "\t\n\r"]

    return check


def rows_of(
    delimiter: str, count: int, columns: int | None = None
) -> Callable[[Path, str, str], None]:
    """A check: standard output reads as `count` rows of CSV or TSV (header included),
    each as wide as the header."""

    def check(tmp: Path, stdout: str, stderr: str) -> None:
        import csv
        import io

        if delimiter == "\t":  # TSV has no quoting: a row is a line
            rows = [line.split("\t") for line in stdout.split("\n")[:-1]]
        else:
            rows = list(csv.reader(io.StringIO(stdout, newline=""), delimiter=delimiter))
        assert len(rows) == count, rows
        assert {len(row) for row in rows} == {len(rows[0])}
        assert "\r" not in stdout

    return check


def full_disk(monkeypatch: pytest.MonkeyPatch, reg: Path) -> None:
    """Every flush to disk fails as on a full disk (ENOSPC)."""
    import errno

    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)


def an_edit_before_the_rename(*, recreate: bool) -> Callable[[pytest.MonkeyPatch, Path], None]:
    """Someone saves the registry between sisterctl's reading it and its rename, once:
    an edit that keeps the size and the modification time, in place or (`recreate`) as
    a new file at that name."""

    def patch(monkeypatch: pytest.MonkeyPatch, reg: Path) -> None:
        from sisterctl.store import atomic

        original = atomic._temporary
        done: list[bool] = []

        def temporary(path: Path, data: bytes, mode: int) -> Path:
            if not done and path == reg:
                done.append(True)
                st = reg.stat()
                edited = reg.read_bytes().replace(b"to Reaffirm", b"to REAFFIRM")
                if recreate:
                    reg.unlink()
                    reg.write_bytes(edited)
                else:
                    with reg.open("r+b") as handle:
                        handle.write(edited)
                os.utime(reg, ns=(st.st_atime_ns, st.st_mtime_ns))
                assert (reg.stat().st_size, reg.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
            return original(path, data, mode)

        monkeypatch.setattr(atomic, "_temporary", temporary)

    return patch


def kept_the_edit(tmp: Path, stdout: str, stderr: str) -> None:
    text = (tmp / "registry.toml").read_text(encoding="utf-8")
    assert "Agreement to REAFFIRM Sister City Friendship" in text  # the person's edit
    assert 'title = "T"' in text  # and sisterctl's record, after it
    assert text.startswith(GOOD.replace("to Reaffirm", "to REAFFIRM"))


def ctrl_c_in(target: str) -> Callable[[pytest.MonkeyPatch, Path], None]:
    def patch(monkeypatch: pytest.MonkeyPatch, reg: Path) -> None:
        def interrupt(*args: object, **kwargs: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(target, interrupt)

    return patch


def no_flock(monkeypatch: pytest.MonkeyPatch, reg: Path) -> None:
    """A file system without flock (some network and FUSE ones): ENOSYS."""
    import errno
    import fcntl

    def flock(fd: int, operation: int) -> None:
        raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS))

    monkeypatch.setattr(fcntl, "flock", flock)


def help_once(tmp: Path, stdout: str, stderr: str) -> None:
    assert stderr == ""
    assert stdout.count("Usage:") == 1
    assert stdout.rstrip("\n").count("\n") == stdout.strip("\n").count("\n")


def sisterctl_json(**changes: object) -> str:
    """A sisterctl export of one tie, A–B, with `changes` to its top level."""
    data: dict[str, object] = {
        "format": "sisterctl",
        "schema_version": 1,
        "cities": [
            {"id": "a-de", "name": "A", "country": "DE"},
            {"id": "b-fr", "name": "B", "country": "FR"},
        ],
        "partnerships": [{"id": "a-b", "cities": ["a-de", "b-fr"], "established": "2005"}],
    }
    data.update(changes)
    return json.dumps(data)


def wikidata_json(**binding: str) -> str:
    """SPARQL results of one P190 statement, Berlin–Paris, with more bindings."""
    row = {
        "city": "http://www.wikidata.org/entity/Q64",
        "cityLabel": "Berlin",
        "cityCountry": "DE",
        "twin": "http://www.wikidata.org/entity/Q90",
        "twinLabel": "Paris",
        "twinCountry": "FR",
        **binding,
    }
    variables = ["city", "cityLabel", "cityCountry", "twin", "twinLabel", "twinCountry"]
    return json.dumps(
        {
            "head": {"vars": [*variables, "start", "startPrecision", "end", "endPrecision"]},
            "results": {"bindings": [{k: {"value": v} for k, v in row.items()}]},
        }
    )


def dated_ties(count: int) -> str:
    """A registry of `count` ties known to the day."""
    parts = ["schema_version = 1\n"]
    for i in range(count):
        parts.append(
            f'[[city]]\nid = "a{i}-tw"\nname = "A{i}"\ncountry = "TW"\n\n'
            f'[[city]]\nid = "b{i}-kr"\nname = "B{i}"\ncountry = "KR"\n\n'
            f'[[partnership]]\nid = "t{i}"\ncities = ["a{i}-tw", "b{i}-kr"]\n'
            f'established = "19{50 + i % 50}-0{1 + i % 9}-1{i % 9}"\nsources = ["s"]\n\n'
        )
    return "".join(parts)


CR_FORMULA = "\"Taipei\\r=cmd|'/C calc'!A0\""
LONG = "x" * 300

HOSTILE = [
    # -- -o, --svg, --html: where an output goes --------------------------------------
    case(
        "-o onto a symbolic link",
        "-r {reg} export csv -o {tmp}/out.csv",
        GOOD,
        0,
        "",
        stream="quiet",
        setup=a_link_to_an_old_file("out.csv"),
        outputs=("target",),
        check=still("out.csv", "link", b"id,city_a,country_a"),
    ),
    case(
        "-o onto a dangling symbolic link",
        "-r {reg} export json -o {tmp}/out.csv",
        GOOD,
        0,
        "",
        stream="quiet",
        setup=a_dangling_output_link,
        outputs=("made.csv",),
        check=still("out.csv", "link", b'{\n  "format": "sisterctl"'),
    ),
    case(
        "-o onto a FIFO",
        "-r {reg} export csv -o {tmp}/out.fifo",
        GOOD,
        0,
        "",
        stream="quiet",
        setup=a_fifo_with_a_reader,
        outputs=("got.txt",),
        check=still("out.fifo", "fifo", b"id,city_a,country_a"),
    ),
    case(
        "-o onto a character device",
        "-r {reg} export ics --as-of 2026-01-01 -o {tmp}/null",
        GOOD,
        0,
        "wrote 10 anniversaries from 2026-01-01 through 2035-12-31",
        stream="note",
        setup=a_null_device,
        check=still("null", "device"),
    ),
    case(
        "a picture onto a character device",
        "-r {reg} show taipei-daegu --html {tmp}/null",
        GOOD,
        0,
        "Taipei",
        stream="stdout",
        setup=a_null_device,
        check=still("null", "device"),
    ),
    case(
        "-o /dev/stdout",
        "-r {reg} export csv -o /dev/stdout",
        GOOD,
        0,
        "id,city_a,",
        stream="stdout",
    ),
    case("-o -", "-r {reg} export geojson -o -", GOOD, 0, '"FeatureCollection"', stream="stdout"),
    case(
        "-o /dev/fd/1",
        "-r {reg} export csv -o /dev/fd/1",
        GOOD,
        0,
        "taipei-daegu,",
        stream="stdout",
    ),
    case(
        "-o a descriptor that is not open",
        "-r {reg} export csv -o /dev/fd/987",
        GOOD,
        1,
        "cannot write /dev/fd/987: no such open file descriptor",
    ),
    case(
        "a picture onto a symbolic link",
        "-r {reg} timeline taipei-daegu --as-of 2026-01-01 --svg {tmp}/t.svg",
        GOOD,
        0,
        "Taipei–Daegu",
        stream="stdout",
        setup=a_link_to_an_old_file("t.svg"),
        outputs=("target",),
        check=still("t.svg", "link", b"<svg"),
    ),
    case(
        "a picture on a full disk",
        "-r {reg} list --svg {tmp}/picture.svg",
        GOOD,
        1,
        "cannot write " + "{tmp}/picture.svg: No space left on device",
        setup=an_old_file("picture.svg"),
        patch=full_disk,
    ),
    case(
        "an export on a full disk",
        "-r {reg} export csv -o {tmp}/ties.csv",
        GOOD,
        1,
        "ties.csv: No space left on device",
        setup=an_old_file("ties.csv"),
        patch=full_disk,
    ),
    case(
        "-o a name longer than the file system allows",
        f"-r {{reg}} export csv -o {{tmp}}/{LONG}.csv",
        GOOD,
        1,
        ".csv: File name too long",
    ),
    case(
        "--html a name longer than the file system allows",
        f"-r {{reg}} stats --html {{tmp}}/{LONG}.html",
        GOOD,
        1,
        ".html: File name too long",
    ),
    case(
        "-o a loop of symbolic links",
        "-r {reg} export csv -o {tmp}/loop-a",
        GOOD,
        1,
        "loop-a: a loop of symbolic links",
        setup=a_link_loop,
    ),
    case(
        "--svg a loop of symbolic links",
        "-r {reg} list --svg {tmp}/loop-a",
        GOOD,
        1,
        "loop-a: a loop of symbolic links",
        setup=a_link_loop,
    ),
    case(
        "-o a folder",
        "-r {reg} export csv -o {tmp}",
        GOOD,
        2,
        "'--output' / '-o'",
    ),
    # -- -r naming what is not a registry file -------------------------------------------
    case(
        "-r a FIFO",
        "-r {reg} list",
        GOOD,
        3,
        "registry.toml: is a FIFO (a named pipe), not a registry file",
        setup=a_fifo,
    ),
    case(
        "-r a FIFO, check",
        "check {reg}",
        GOOD,
        2,
        "is a FIFO (a named pipe), not a registry file",
        setup=a_fifo,
    ),
    case(
        "-r a FIFO, on add",
        "-r {reg} add agreement taipei-daegu --date 2022 --title T",
        GOOD,
        3,
        "is a FIFO (a named pipe), not a registry file",
        setup=a_fifo,
    ),
    case(
        "-r a device",
        "-r {reg} upcoming",
        GOOD,
        3,
        "is a character device, not a registry file",
        setup=a_device,
    ),
    case(
        "-r a loop of symbolic links, on end",
        "-r {tmp}/loop-a end taipei-daegu --date 2022",
        GOOD,
        3,
        "cannot read the registry: Too many levels of symbolic links",
        setup=a_link_loop,
    ),
    case(
        "-r the bundled registry, on add",
        "-r {bundled} add agreement taipei-daegu --date 2022 --title T",
        GOOD,
        1,
        "partnerships.toml is the registry bundled with sisterctl, which is read-only",
    ),
    case(
        "-r the bundled registry, on import",
        "-r {bundled} import csv {tmp}/ties.csv",
        GOOD,
        1,
        "is the registry bundled with sisterctl, which is read-only",
        files=(("ties.csv", "city1,country1,city2,country2\nSeoul,KR,Taipei,TW\n"),),
    ),
    # -- text that could start a row, a column or a formula --------------------------------
    case(
        "a carriage return and a formula in a name, list csv",
        "-r {reg} list --format csv",
        renamed(CR_FORMULA),
        0,
        "taipei-daegu,Taipei\\x0d=cmd|'/C calc'!A0,TW",
        stream="stdout",
        check=rows_of(",", 2),
    ),
    case(
        "a carriage return and a formula in a name, export csv",
        "-r {reg} export csv",
        renamed(CR_FORMULA),
        0,
        "taipei-daegu,Taipei\\x0d=cmd|'/C calc'!A0,TW",
        stream="stdout",
        check=rows_of(",", 2),
    ),
    case(
        "a carriage return and a formula in a name, upcoming csv",
        "-r {reg} upcoming --as-of 2026-11-01 --format csv",
        renamed(CR_FORMULA),
        0,
        "taipei-daegu,Taipei\\x0d=cmd|'/C calc'!A0,TW,Daegu",
        stream="stdout",
        check=rows_of(",", 2),
    ),
    case(
        "a carriage return and a tab in a name, tsv",
        "-r {reg} list --format tsv",
        renamed('"Tai\\tpei\\r\\nTaipei"'),
        0,
        "taipei-daegu\tTai pei Taipei\tTW",
        stream="stdout",
        check=rows_of("\t", 2),
    ),
    case(
        "a formula on the second line of a note",
        "-r {reg} export csv",
        with_tie(notes='"First line\\n=HYPERLINK(\\"http://evil.example\\")"'),
        0,
        '"First line\n\'=HYPERLINK(""http://evil.example"")"',
        stream="stdout",
        check=rows_of(",", 2),
    ),
    # -- text that could drive a terminal --------------------------------------------------
    case(
        "C1 and bidirectional controls, export csv",
        "-r {reg} export csv",
        renamed('"Tai\\u009bpei\\u202e\\u001b[2J"'),
        0,
        "Tai\\x9bpei\\u202e\\x1b[2J",
        stream="stdout",
        absent=("\x9b", "\u202e", "\x1b"),
    ),
    case(
        "C1 and bidirectional controls, export json",
        "-r {reg} export json",
        renamed('"Tai\\u009bpei\\u202e\\u001b[2J"'),
        0,
        '"name": "Tai\\u009bpei\\u202e\\u001b[2J"',
        stream="stdout",
        absent=("\x9b", "\u202e", "\x1b"),
    ),
    case(
        "C1 and bidirectional controls, export geojson",
        "-r {reg} export geojson",
        renamed('"Tai\\u009bpei\\u202e"')
        .replace('country = "TW"', 'country = "TW"\nlat = 25.0\nlon = 121.5')
        .replace('country = "KR"', 'country = "KR"\nlat = 35.9\nlon = 128.6'),
        0,
        "Tai\\u009bpei\\u202e",
        stream="stdout",
        absent=("\x9b", "\u202e"),
    ),
    case(
        "C1 and bidirectional controls, a dry run",
        (
            "-r",
            "{reg}",
            "add",
            "agreement",
            "taipei-daegu",
            "-d",
            "2022",
            "-t",
            "Re\u202e\x9baffirm",
            "-n",
        ),
        GOOD,
        1,
        "the title must be one line of plain text, without control characters (found U+009B)",
        absent=("\u202e", "\x9b"),
    ),
    case(
        "a bidirectional control, a dry run",
        (
            "-r",
            "{reg}",
            "add",
            "agreement",
            "taipei-daegu",
            "-d",
            "2022",
            "-t",
            "Re\u202eaffirm",
            "-n",
        ),
        GOOD,
        0,
        'title = "Re\\u202eaffirm"',
        stream="stdout",
        absent=("\u202e",),
    ),
    case(
        "an escape sequence in the name of the file checked",
        ("check", "{tmp}/\x1b[2J\u202ex.toml"),
        GOOD,
        0,
        "no problems in " + "{tmp}/\\x1b[2J\\u202ex.toml (2 cities, 1 tie, 1 agreement)",
        stream="stdout",
        setup=lambda reg: reg.rename(reg.parent / "\x1b[2J\u202ex.toml") or reg,
        absent=("\x1b", "\u202e"),
    ),
    case(
        "a bidirectional control in a city asked for",
        ("-r", "{reg}", "show", "\u202eDaegu\x9b"),
        GOOD,
        1,
        "no tie matches '\\u202eDaegu\\x9b'",
        absent=("\u202e", "\x9b"),
    ),
    case(
        "an escape character in a tie's name, SVG",
        "-r {reg} show taipei-daegu --svg {tmp}/t.svg",
        renamed('"Tai\\u001b[31mpei\\u0000\\u009b"'),
        0,
        "Tai\\x1b[31mpei",
        stream="stdout",
        outputs=("t.svg",),
        check=well_formed_svg("t.svg"),
        absent=("\x1b",),
    ),
    case(
        "an escape character in a tie's name, timeline SVG and HTML",
        "-r {reg} timeline taipei-daegu --as-of 2026-01-01 --svg {tmp}/t.svg --html {tmp}/t.html",
        renamed('"Tai\\u001bpei\\u0007"'),
        0,
        "Tai\\x1bpei\\x07",
        stream="stdout",
        outputs=("t.svg", "t.html"),
        check=svg_and_html_safe,
        absent=("\x1b", "\x07"),
    ),
    # -- text that enters the registry: one rule, every way in --------------------------------
    case(
        "a control character in a name, import json",
        "-r {reg} import json {tmp}/in.json",
        GOOD,
        1,
        "in.json: cities[0]: 'name': the text must be one line of plain text, without "
        "control characters (found U+001B)",
        files=(
            (
                "in.json",
                sisterctl_json(
                    cities=[
                        {"id": "a-de", "name": "A\x1b[2J", "country": "DE"},
                        {"id": "b-fr", "name": "B", "country": "FR"},
                    ]
                ),
            ),
        ),
    ),
    case(
        "a control character in a title, import json",
        "-r {reg} import json {tmp}/in.json",
        GOOD,
        1,
        "agreements[0]: 'title': the text must be one line of plain text, without "
        "control characters (found a line break)",
        files=(("in.json", sisterctl_json(agreements=[{"partnership": "a-b", "title": "T\nx"}])),),
    ),
    case(
        "a control character in notes, import json",
        "-r {reg} import json {tmp}/in.json",
        GOOD,
        1,
        "partnerships[0]: 'notes': the text may hold line breaks but no other control "
        "character (found U+0007)",
        files=(
            (
                "in.json",
                sisterctl_json(
                    partnerships=[{"id": "a-b", "cities": ["a-de", "b-fr"], "notes": "a\n\x07"}]
                ),
            ),
        ),
    ),
    case(
        "a lone surrogate, import json",
        "-r {reg} import json {tmp}/in.json",
        GOOD,
        1,
        "cities[1]: 'name': the text is not valid text (it holds bytes that are not UTF-8)",
        files=(
            (
                "in.json",
                sisterctl_json().replace('"name": "B"', '"name": "B\\ud800"'),
            ),
        ),
    ),
    case(
        "NaN, import json",
        "-r {reg} import json {tmp}/in.json",
        GOOD,
        1,
        "in.json: line 1 column 1: not valid JSON (NaN is not a JSON value)",
        files=(
            (
                "in.json",
                sisterctl_json().replace('"country": "DE"}', '"country": "DE", "lat": NaN}'),
            ),
        ),
    ),
    case(
        "JSON nested hundreds deep",
        "-r {reg} import json {tmp}/in.json",
        GOOD,
        1,
        "in.json: not valid JSON: values are nested too deeply",
        files=(("in.json", "[" * 100_000 + "]" * 100_000),),
    ),
    case(
        "a value nested too deeply, import json",
        "-r {reg} import json {tmp}/in.json",
        GOOD,
        1,
        "cities[0]: 'x_deep': values are nested too deeply (over 32 levels)",
        files=(
            (
                "in.json",
                sisterctl_json().replace(
                    '"country": "DE"}',
                    '"country": "DE", "extra": {"x_deep": ' + "[" * 200 + "]" * 200 + "}}",
                ),
            ),
        ),
    ),
    case(
        "Wikidata nested hundreds deep",
        "-r {reg} import wikidata {tmp}/in.json",
        GOOD,
        1,
        "in.json: not valid JSON: values are nested too deeply",
        files=(("in.json", '{"head": ' + "[" * 100_000 + "]" * 100_000 + "}"),),
    ),
    case(
        "Infinity in Wikidata",
        "-r {reg} import wikidata {tmp}/in.json",
        GOOD,
        1,
        "in.json: line 1: not valid JSON (Infinity is not a JSON value)",
        files=(("in.json", '{"head": {"vars": []}, "results": {"bindings": [Infinity]}}'),),
    ),
    case(
        "a device to import",
        "-r {reg} import csv {tmp}/null",
        GOOD,
        1,
        "null: is a character device, not a file (- reads standard input)",
        setup=a_null_device,
    ),
    case(
        "a CSV field over Python's field limit",
        "-r {reg} import csv {tmp}/ties.csv",
        GOOD,
        0,
        "Added 1 tie",
        stream="stdout",
        writes=True,
        files=(
            (
                "ties.csv",
                "city1,country1,city2,country2,notes\nSeoul,KR,Taipei,TW," + "n" * 200_000 + "\n",
            ),
        ),
    ),
    # -- imports keep check's rules: an ending before the founding -------------------------
    case(
        "an ending before the founding, import csv",
        "-r {reg} import csv {tmp}/ties.csv",
        GOOD,
        0,
        "line 2  a value not understood  a change of status dated 2001 would come before "
        "the tie began (2005)",
        stream="stdout",
        files=(
            (
                "ties.csv",
                "city1,country1,city2,country2,established,status,status_date\n"
                "Seoul,KR,Taipei,TW,2005,ended,2001\n",
            ),
        ),
    ),
    case(
        "an end time before the start time, import wikidata",
        "-r {reg} import wikidata {tmp}/in.json",
        GOOD,
        0,
        "result 1  a value not understood  a change of status dated 1990 would come before "
        "the tie began (1995)",
        stream="stdout",
        files=(
            (
                "in.json",
                wikidata_json(
                    start="1995-01-01T00:00:00Z",
                    startPrecision="9",
                    end="1990-01-01T00:00:00Z",
                    endPrecision="9",
                ),
            ),
        ),
    ),
    case(
        "an agreement before the founding, import json",
        "-r {reg} import json {tmp}/in.json",
        GOOD,
        0,
        "agreements[0]  a value not understood  dated 2001, before its tie was founded (2005)",
        stream="stdout",
        writes=True,  # the tie and its cities; not the agreement
        files=(
            (
                "in.json",
                sisterctl_json(agreements=[{"partnership": "a-b", "title": "T", "date": "2001"}]),
            ),
        ),
        check=lambda tmp, out, err: (
            None
            if 'title = "T"' not in (tmp / "registry.toml").read_text()
            else pytest.fail("written")
        ),
    ),
    case(
        "a change of status before the founding of a tie already there, import json",
        "-r {reg} import json {tmp}/in.json",
        GOOD,
        0,
        "status_changes[0]  a value not understood  a change of status dated 2009 would "
        "come before the tie began "
        "(2010-11-04)",
        stream="stdout",
        files=(
            (
                "in.json",
                sisterctl_json(
                    cities=[
                        {"id": "taipei-tw", "name": "Taipei", "country": "TW"},
                        {"id": "daegu-kr", "name": "Daegu", "country": "KR"},
                    ],
                    partnerships=[{"id": "t-d", "cities": ["taipei-tw", "daegu-kr"]}],
                    status_changes=[{"partnership": "t-d", "date": "2009", "status": "ended"}],
                ),
            ),
        ),
    ),
    # -- writes that never lose an edit ------------------------------------------------------
    case(
        "an edit that keeps the size and the time, between reading and renaming",
        "-r {reg} add agreement taipei-daegu --date 2022 --title T",
        GOOD,
        0,
        'Recorded the agreement "T" on taipei-daegu (2022)',
        stream="note",
        patch=an_edit_before_the_rename(recreate=False),
        outputs=("registry.toml",),
        check=kept_the_edit,
    ),
    case(
        "the file unlinked and made again, same size and time, before the rename",
        "-r {reg} add agreement taipei-daegu --date 2022 --title T",
        GOOD,
        0,
        'Recorded the agreement "T" on taipei-daegu (2022)',
        stream="note",
        patch=an_edit_before_the_rename(recreate=True),
        outputs=("registry.toml",),
        check=kept_the_edit,
    ),
    case(
        "a registry with a hard link",
        "-r {reg} add agreement taipei-daegu --date 2022 --title T",
        GOOD,
        3,
        "the registry has 2 hard links (other names for this very file); sisterctl writes "
        "a new file and renames it, which would split them",
        setup=a_hard_link,
    ),
    # -- limits --------------------------------------------------------------------------------
    case(
        "8,000 names that differ only in punctuation",
        "-r {reg} import csv {tmp}/ties.csv --dry-run",
        GOOD,
        0,
        "8,000",
        stream="stdout",
        files=(
            (
                "ties.csv",
                "city1,country1,city2,country2\n"
                + "".join(
                    f'"Spring{"!" * (i % 40)}{"?" * (i // 40)}field",US,Tralee,IE\n'
                    for i in range(8000)
                ),
            ),
        ),
    ),
    case(
        "a calendar of 2,000 ties over 1,000 years",
        "-r {reg} export ics --years 1000 --as-of 2026-01-01",
        dated_ties(2000),
        1,
        "1000 years of anniversaries are more than 50,000 events, the most sisterctl writes "
        "in one calendar",
    ),
    case("--years over 1000", "-r {reg} export ics --years 1001", GOOD, 2, "'--years' / '-y'"),
    # -- interruptions and the help --------------------------------------------------------------
    case(
        "Ctrl-C while reading",
        "-r {reg} list",
        GOOD,
        130,
        "sisterctl: interrupted\n",
        patch=ctrl_c_in("sisterctl.core.query.select"),
    ),
    case(
        "Ctrl-C before the rename",
        "-r {reg} add agreement taipei-daegu --date 2022 --title T",
        GOOD,
        130,
        "sisterctl: interrupted; nothing was written\n",
        patch=ctrl_c_in("sisterctl.store.atomic._temporary"),
    ),
    case(
        "Ctrl-C after the rename",
        "-r {reg} add agreement taipei-daegu --date 2022 --title T",
        GOOD,
        130,
        "registry.toml was written (that write is complete)\n",
        patch=ctrl_c_in("sisterctl.store.atomic.fsync_dir"),
        writes=True,
    ),
    case(
        "Ctrl-C before an export is written",
        "-r {reg} export csv -o {tmp}/ties.csv",
        GOOD,
        130,
        "sisterctl: interrupted; nothing was written\n",
        patch=ctrl_c_in("sisterctl.store.atomic._temporary"),
    ),
    case(
        "no flock on the file system",
        "-r {reg} add agreement taipei-daegu --date 2022 --title T",
        GOOD,
        0,
        'Recorded the agreement "T" on taipei-daegu (2022)',
        stream="note",
        patch=no_flock,
        writes=True,
    ),
    case("no arguments at all", (), GOOD, 2, "Usage: sisterctl", stream="stdout", check=help_once),
    case(
        "a command group alone",
        "add",
        GOOD,
        2,
        "Usage: sisterctl add",
        stream="stdout",
        check=help_once,
    ),
]
CATALOGUE += HOSTILE


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every file and link in `folder` (lock files aside) with its bytes or target."""
    files: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            files[name] = f"-> {path.readlink()}"
        elif stat.S_ISREG(mode) and not path.name.endswith(".lock"):
            files[name] = path.read_bytes()
        elif not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            files[name] = f"<{stat.filemode(mode)[0]} {os.major(path.lstat().st_rdev)}>"
    return files


def prepare(row: Case, tmp_path: Path) -> tuple[Path, list[str]]:
    reg = tmp_path / "registry.toml"
    if isinstance(row.content, bytes):
        reg.write_bytes(row.content)
    else:
        reg.write_bytes(row.content.encode("utf-8"))
    for name, content in row.files:
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (tmp_path / name).write_bytes(data)
    if row.setup is not None:
        reg = row.setup(reg)
    args = [
        a.replace("{reg}", str(reg))
        .replace("{tmp}", str(tmp_path))
        .replace("{bundled}", str(bundled_path()))
        for a in row.args
    ]
    return reg, args


def assert_survived(row: Case, stdout: str, stderr: str, exit_code: int) -> None:
    assert "Traceback" not in stdout + stderr
    assert exit_code == row.exit_code, (stdout[:2000], stderr)
    if row.stream == "stderr":
        assert stderr.startswith("sisterctl: ") and stderr.endswith("\n"), stderr
        assert stderr.count("\n") == 1, stderr  # one line
        assert row.message in stderr
    elif row.stream == "quiet":  # written to a file: nothing said, nothing printed
        assert (stdout, stderr) == ("", ""), (stdout[:2000], stderr)
    elif row.stream == "note":
        assert stderr.count("\n") == 1, stderr
        assert row.message in stderr
    else:
        assert row.message in stdout, (stdout[:2000], stderr)
        assert stderr.count("\n") <= 1
    for text in row.absent:
        assert text not in stdout + stderr


def test_the_catalogue_is_long_enough() -> None:
    assert len(CATALOGUE) >= 40
    assert len({row.id for row in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("row", CATALOGUE, ids=[row.id for row in CATALOGUE])
def test_bad_input(run: Run, tmp_path: Path, row: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    bundled = bundled_path().read_bytes()
    reg, args = prepare(row, tmp_path)
    before = snapshot(tmp_path)
    env = {"SISTERCTL_LOCK_TIMEOUT": "0.5"}
    if row.patch is not None:
        row.patch(monkeypatch, reg)
    with (
        holding_the_lock(reg) if row.lock_held else contextlib.nullcontext(),
        warnings.catch_warnings(record=True) as warned,
    ):
        warnings.simplefilter("always")
        result = run(*args, env=env)
    monkeypatch.undo()
    row = dataclasses.replace(row, message=row.message.replace("{tmp}", str(tmp_path)))
    assert_survived(row, result.stdout, result.stderr, result.exit_code)
    assert [str(w.message) for w in warned] == []  # no Python warning, ever
    assert bundled_path().read_bytes() == bundled
    if row.check is not None:
        row.check(tmp_path, result.stdout, result.stderr)
    after = snapshot(tmp_path)
    for name in row.outputs:
        before.pop(name, None)
        after.pop(name, None)
    if not row.writes:
        assert after == before
        return
    # Appended to, never rewritten; links still links; nothing else touched.
    assert set(after) >= set(before)
    grown = [name for name in before if after[name] != before[name]]
    assert len(grown) == 1, grown
    old, new = before[grown[0]], after[grown[0]]
    assert isinstance(old, bytes) and isinstance(new, bytes)
    assert new.startswith(old) and len(new) > len(old)


@contextlib.contextmanager
def holding_the_lock(reg: Path) -> Iterator[None]:
    """Another process holds the registry's lock file, as a writer would."""
    store.lock_path(reg).parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from filelock import FileLock; "
            f"lock = FileLock({str(store.lock_path(reg))!r}); lock.acquire(); "
            "print('held', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait(timeout=30)


# ---------------------------------------------------------------------------
# An unreadable file. Root reads any file whatever its permissions; as root the command
# runs in a child process without the capabilities that let root override them
# (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so that it meets the file's permissions as
# any user would.


def _without_root_override() -> Callable[[], None] | None:
    if os.geteuid() != 0:
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, cap_dac_override, cap_dac_read_search = 24, 1, 2

    def drop() -> None:
        for cap in (cap_dac_override, cap_dac_read_search):
            if libc.prctl(pr_capbset_drop, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return drop


UNREADABLE = [
    case(
        "unreadable file",
        "-r {reg} list",
        GOOD,
        ExitCode.REGISTRY,
        "cannot read the registry: permission",
    ),
    case(
        "unreadable file, check",
        "check {reg}",
        GOOD,
        CheckExit.UNREADABLE,
        "cannot read the registry: permission",
    ),
]


def a_folder(name: str, mode: int) -> Setup:
    """A folder `name` beside the registry, with `mode` (set once the files are seen)."""

    def setup(reg: Path) -> Path:
        (reg.parent / name).mkdir()
        return reg

    setup.mode = (name, mode)  # type: ignore[attr-defined]
    return setup


NO_ACCESS = [
    case(
        "-o into a folder without write access",
        "-r {reg} export csv -o {tmp}/locked/ties.csv",
        GOOD,
        1,
        "locked/ties.csv: Permission denied",
        setup=a_folder("locked", 0o555),
    ),
    case(
        "--svg into a folder that cannot be entered",
        "-r {reg} list --svg {tmp}/shut/list.svg",
        GOOD,
        1,
        "shut/list.svg: Permission denied",
        setup=a_folder("shut", 0o000),
    ),
    case(
        "-o onto a read-only file",
        "-r {reg} export json -o {tmp}/kept.json",
        GOOD,
        1,
        "kept.json: Permission denied",
        files=(("kept.json", "{}\n"),),
        setup=lambda reg: (reg.parent / "kept.json").chmod(0o444) or reg,
    ),
    case(
        "-r in a folder that cannot be entered",
        "-r {tmp}/shut/registry.toml add agreement taipei-daegu --date 2022 --title T",
        GOOD,
        3,
        "registry.toml: cannot read the registry: Permission denied",
        setup=a_folder("shut", 0o000),
    ),
]


@pytest.mark.skipif(sys.platform != "linux", reason="file permissions as on Linux")
@pytest.mark.parametrize("row", NO_ACCESS, ids=[row.id for row in NO_ACCESS])
def test_no_access(tmp_path: Path, row: Case) -> None:
    """Folders and files without access: one line, exit 1 (3 for the registry),
    never an internal error; as root, without root's override of permissions."""
    _reg, args = prepare(row, tmp_path)
    before = snapshot(tmp_path)
    name, mode = getattr(row.setup, "mode", (None, None))
    if name is not None:
        (tmp_path / name).chmod(mode)
    env = {k: v for k, v in os.environ.items() if k != "SISTERCTL_REGISTRY"}
    env.update(XDG_DATA_HOME=str(tmp_path / "xdg"), XDG_CACHE_HOME=str(tmp_path / "xdg"))
    drop = _without_root_override()
    try:
        if drop is not None:
            _skip_unless_dropped(drop, tmp_path)
        proc = subprocess.run(
            [sys.executable, "-m", "sisterctl", *args],
            preexec_fn=drop,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        if name is not None:
            (tmp_path / name).chmod(0o755)
    assert_survived(row, proc.stdout, proc.stderr, proc.returncode)
    after = snapshot(tmp_path)
    after.pop("xdg", None)
    assert {k: v for k, v in after.items() if not k.startswith("xdg")} == before


def _skip_unless_dropped(drop: Callable[[], None], tmp_path: Path) -> None:
    probe_file = tmp_path / "probe"
    probe_file.write_text("x")
    probe_file.chmod(0)
    probe = subprocess.run(
        [sys.executable, "-c", f"open({str(probe_file)!r})"],
        preexec_fn=drop,
        capture_output=True,
        text=True,
    )
    probe_file.unlink()
    if "PermissionError" not in probe.stderr:
        pytest.skip(
            "running as root, and root's override of file permissions cannot be "
            f"dropped here: {probe.stderr.strip()[-200:]}"
        )


@pytest.mark.skipif(sys.platform != "linux", reason="file permissions as on Linux")
@pytest.mark.parametrize("row", UNREADABLE, ids=[row.id for row in UNREADABLE])
def test_unreadable_file(tmp_path: Path, row: Case) -> None:
    reg, args = prepare(row, tmp_path)
    before = snapshot(tmp_path)
    reg.chmod(0)
    env = {k: v for k, v in os.environ.items() if k != "SISTERCTL_REGISTRY"}
    env.update(XDG_DATA_HOME=str(tmp_path / "xdg"))
    drop = _without_root_override()
    if drop is not None:
        probe = subprocess.run(
            [sys.executable, "-c", f"open({str(reg)!r})"],
            preexec_fn=drop,
            capture_output=True,
            text=True,
        )
        if "PermissionError" not in probe.stderr:
            pytest.skip(
                "running as root, and root's override of file permissions cannot be "
                f"dropped here: {probe.stderr.strip()[-200:]}"
            )
    proc = subprocess.run(
        [sys.executable, "-m", "sisterctl", *args],
        preexec_fn=drop,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    reg.chmod(0o644)
    assert_survived(row, proc.stdout, proc.stderr, proc.returncode)
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------------------
# A closed pipe (`sisterctl list --format csv | head -1`): exit 0 and not a word, every
# time, whether the reader goes before sisterctl writes or after its first line.

PIPED = [
    ("list csv", "-r {reg} list --format csv"),
    ("list table", "-r {reg} list"),
    ("check", "check {reg}"),
    ("export csv", "-r {reg} export csv"),
    ("export json to /dev/stdout", "-r {reg} export json -o /dev/stdout"),
    ("upcoming tsv", "-r {reg} upcoming --as-of 2026-01-01 --within 1y --format tsv"),
    ("help", "--help"),
]


@pytest.mark.parametrize("when", ["at once", "after a line"])
@pytest.mark.parametrize(("name", "args"), PIPED, ids=[name for name, _ in PIPED])
def test_a_closed_pipe_ends_quietly(tmp_path: Path, name: str, args: str, when: str) -> None:
    reg = tmp_path / "registry.toml"
    # 2,000 ties without sources: more lines than a pipe holds, a warning each for check.
    reg.write_text(dated_ties(2000).replace('sources = ["s"]\n', ""), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "SISTERCTL_REGISTRY"}
    env.update(XDG_CACHE_HOME=str(tmp_path / "cache"), COLUMNS="100")
    argv = [a.replace("{reg}", str(reg)) for a in args.split()]
    for _ in range(2):
        proc = subprocess.Popen(
            [sys.executable, "-m", "sisterctl", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=tmp_path,
        )
        assert proc.stdout is not None and proc.stderr is not None
        if when == "after a line":
            assert proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read()
        proc.wait(timeout=120)
        assert (proc.returncode, err) == (0, b"")
