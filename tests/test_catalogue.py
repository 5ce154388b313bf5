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
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

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
    case("missing file", "-r {reg} list", GOOD, 3, "no registry file here", setup=no_file),
    case("missing file, check", "check {reg}", GOOD, 2, "no registry file here", setup=no_file),
    case(
        "dangling symlink",
        "-r {reg} show taipei-daegu",
        GOOD,
        3,
        "no registry file here",
        setup=a_dangling_symlink,
    ),
    case(
        "a directory",
        "-r {reg} list",
        GOOD,
        3,
        "is a directory, not a registry file",
        setup=a_directory,
    ),
    case(
        "a directory, check",
        "check {reg}",
        GOOD,
        2,
        "is a directory, not a registry file",
        setup=a_directory,
    ),
    case("empty file", "-r {reg} list", "", 3, "the file is empty: a registry starts with"),
    case(
        "empty file, check", "check {reg}", "", 1, ":1:1: error: the file is empty", stream="stdout"
    ),
    case(
        "only comments",
        "-r {reg} list",
        "# a registry\n\n",
        3,
        "'schema_version' is missing (add 'schema_version = 1' at the top)",
    ),
    case(
        "not UTF-8 (Latin-1)",
        "-r {reg} list",
        GOOD.replace("Daegu", "S\xe3o Paulo").encode("latin-1", "replace").replace(b"?", b""),
        3,
        ":11:10: not UTF-8 text (byte 0xe3); save the file as UTF-8",
    ),
    case(
        "not UTF-8 (UTF-16)",
        "check {reg}",
        GOOD.encode("utf-16"),
        2,
        ":1:1: not UTF-8 text (byte 0xff)",
    ),
    case(
        "UTF-8 byte-order mark",
        "-r {reg} list --format csv",
        b"\xef\xbb\xbf" + GOOD.encode(),
        0,
        "taipei-daegu,Taipei,TW,Daegu,KR,sister city,2010-11-04",
        stream="stdout",
    ),
    case(
        "UTF-8 byte-order mark, check",
        "check {reg}",
        b"\xef\xbb\xbf" + GOOD.encode(),
        0,
        "no problems in",
        stream="stdout",
    ),
    case(
        "Windows line endings",
        "check {reg}",
        with_tie(established='"2010-11-31"').replace("\n", "\r\n"),
        1,
        ":18:1: error: [[partnership]] #1 'taipei-daegu': 'established': '2010-11-31' is not "
        "a date: November 2010 has 30 days",
        stream="stdout",
    ),
    case(
        "a 20 MB file",
        "check {reg}",
        GOOD + ("# " + "x" * 1022 + "\n") * 20 * 1024,
        0,
        "no problems in",
        stream="stdout",
    ),
    case(
        "a 20 MB value",
        "-r {reg} list --format csv",
        GOOD.replace('name = "Daegu"', 'name = "' + "D" * 20 * MB + '"'),
        0,
        "taipei-daegu,Taipei,TW,DDDDDDDDDD",
        stream="stdout",
    ),
    case(
        "deeply nested arrays",
        "-r {reg} list",
        GOOD + "x = " + "[" * 100_000 + "]" * 100_000 + "\n",
        3,
        "not valid TOML: values are nested too deeply",
    ),
    case(
        "deeply nested inline tables",
        "check {reg}",
        GOOD + "x = " + "{a = " * 5_000 + "1" + "}" * 5_000 + "\n",
        2,
        "not valid TOML: values are nested too deeply",
    ),
    case(
        "a very long key",
        "-r {reg} show taipei-daegu",
        GOOD + "k" * MB + " = 1\n",
        0,
        "Taipei",
        stream="stdout",
    ),
    case(
        "TOML syntax error",
        "-r {reg} list",
        GOOD.replace('[[city]]\nid = "daegu-kr"', '[[city]\nid = "daegu-kr"'),
        3,
        ":9:7: not valid TOML: ",
    ),
    case(
        "a key given twice",
        "check {reg}",
        GOOD.replace('country = "TW"', 'country = "TW"\ncountry = "KR"'),
        2,
        "not valid TOML: Cannot overwrite a value",
    ),
    case("JSON, not TOML", "-r {reg} list", '{"schema_version": 1}\n', 3, ":1:1: not valid TOML"),
    case("a NUL byte", "-r {reg} list", GOOD + 'x = "a\x00b"\n', 3, "not valid TOML: Illegal"),
    case(
        "unknown schema version",
        "-r {reg} list",
        GOOD.replace("schema_version = 1", "schema_version = 2"),
        3,
        ":1:1: schema_version 2 is not one this sisterctl knows (it reads version 1); "
        "upgrade sisterctl",
    ),
    case(
        "a huge schema version",
        "check {reg}",
        GOOD.replace("schema_version = 1", "schema_version = 99999999999999999999"),
        1,
        "schema_version 99999999999999999999 is not one this sisterctl knows",
        stream="stdout",
    ),
    # -- dates out of range ------------------------------------------------------------
    case(
        "year 0 in the registry",
        "-r {reg} list",
        with_tie(established='"0000-01-01"'),
        3,
        ":18:1: [[partnership]] #1 'taipei-daegu': 'established': '0000-01-01' is not a "
        "date: the year must be 0001 to 9999",
    ),
    case(
        "year 0 as a TOML date",
        "-r {reg} list",
        with_tie(established="0000-01-01"),
        3,
        ":18:15: not valid TOML: Invalid date or datetime",
    ),
    case(
        "year 10000 in the registry",
        "check {reg}",
        with_tie(established='"10000-01-01"'),
        1,
        "'10000-01-01' is not a date: write YYYY-MM-DD, YYYY-MM or YYYY",
        stream="stdout",
    ),
    case(
        "year 0 for --as-of",
        "-r {reg} list --as-of 0000-01-01",
        GOOD,
        1,
        "--as-of: '0000-01-01' is not a date: the year must be 0001 to 9999",
    ),
    case(
        "year 10000 for --as-of",
        "-r {reg} show taipei-daegu --as-of 10000-01-01",
        GOOD,
        1,
        "--as-of: '10000-01-01' is not a date: write YYYY-MM-DD",
    ),
    case(
        "a time of day in a date",
        "-r {reg} list",
        with_tie(established="2010-11-04T10:00:00"),
        3,
        "'established': a date must not carry a time of day",
    ),
    case(
        "latitude beyond the pole",
        "-r {reg} list",
        GOOD.replace('country = "TW"', 'country = "TW"\nlat = 1e400'),
        3,
        ":7:1: [[city]] #1 'taipei-tw': 'lat' must be between -90 and 90",
    ),
    # -- every option given an empty string --------------------------------------------
    case("empty --registry", ("-r", "", "list"), GOOD, 2, "'--registry' / '-r': must not be"),
    case("empty --city", ("-r", "{reg}", "list", "--city", ""), GOOD, 2, "'--city'"),
    case("empty --country", ("-r", "{reg}", "list", "--country", ""), GOOD, 2, "'--country'"),
    case("empty --kind", ("-r", "{reg}", "list", "--kind", " "), GOOD, 2, "'--kind'"),
    case("empty --field", ("-r", "{reg}", "list", "--field", ""), GOOD, 2, "'--field'"),
    case("empty --status", ("-r", "{reg}", "list", "--status", ""), GOOD, 2, "'--status'"),
    case("empty --sort", ("-r", "{reg}", "list", "--sort", ""), GOOD, 2, "'--sort'"),
    case(
        "empty --since",
        ("-r", "{reg}", "list", "--since", ""),
        GOOD,
        1,
        "--since: '' is not a year: write YYYY (e.g. 2010)",
    ),
    case("empty --until", ("-r", "{reg}", "list", "--until", ""), GOOD, 1, "--until: '' is not a"),
    case("empty --format", ("-r", "{reg}", "list", "--format", ""), GOOD, 2, "'--format'"),
    case("empty --as-of", ("-r", "{reg}", "list", "--as-of", ""), GOOD, 1, "--as-of: '' is"),
    case("empty tie", ("-r", "{reg}", "show", ""), GOOD, 1, "name a tie: its id"),
    case("empty cities", ("-r", "{reg}", "show", "", " "), GOOD, 1, "name a tie: its id"),
    case(
        "empty show --format",
        ("-r", "{reg}", "show", "taipei-daegu", "--format", ""),
        GOOD,
        2,
        "'--format'",
    ),
    case("empty check FILE", ("check", ""), GOOD, 2, "'[FILE]': must not be empty"),
    case("empty check --format", ("check", "{reg}", "-f", ""), GOOD, 2, "'--format'"),
    case("empty check --as-of", ("check", "{reg}", "--as-of", ""), GOOD, 1, "--as-of: '' is"),
    case(
        "empty upcoming --within", ("-r", "{reg}", "upcoming", "--within", ""), GOOD, 2, "--within"
    ),
    case("empty upcoming --city", ("-r", "{reg}", "upcoming", "--city", ""), GOOD, 2, "'--city'"),
    case(
        "empty upcoming --leap-day",
        ("-r", "{reg}", "upcoming", "--leap-day", ""),
        GOOD,
        2,
        "'--leap-day'",
    ),
    case("empty ics --output", ("-r", "{reg}", "export", "ics", "-o", ""), GOOD, 2, "'--output'"),
    case(
        "empty ics --remind", ("-r", "{reg}", "export", "ics", "--remind", ""), GOOD, 2, "--remind"
    ),
    case(
        "empty ics --years", ("-r", "{reg}", "export", "ics", "--years", ""), GOOD, 2, "'--years'"
    ),
    case("empty timeline tie", ("-r", "{reg}", "timeline", ""), GOOD, 1, "name a tie"),
    case(
        "empty timeline --city",
        ("-r", "{reg}", "timeline", "--city", ""),
        GOOD,
        2,
        "name one tie (timeline taipei-daegu) or one city",
    ),
    case("empty stats --top", ("-r", "{reg}", "stats", "--top", ""), GOOD, 2, "'--top'"),
    case("empty list --svg", ("-r", "{reg}", "list", "--svg", ""), GOOD, 2, "'--svg'"),
    case(
        "empty show --html",
        ("-r", "{reg}", "show", "taipei-daegu", "--html", ""),
        GOOD,
        2,
        "'--html'",
    ),
    case("stats --top 0", "-r {reg} stats --top 0", GOOD, 2, "'--top'"),
    case("a picture 10000 columns wide", "-r {reg} stats --width 10000", GOOD, 2, "'--width'"),
    # -- windows and spans -------------------------------------------------------------
    case(
        "--within -5",
        ("-r", "{reg}", "upcoming", "--within", "-5"),
        GOOD,
        2,
        "--within takes a positive length: days (30), weeks (6w), months (3m) or years (1y), "
        "not '-5'",
    ),
    case(
        "a window past the year 9999",
        "-r {reg} upcoming --within 100000000000000000000d",
        GOOD,
        1,
        "ends after the year 9999",
    ),
    case(
        "a calendar past the year 9999",
        "-r {reg} export ics --as-of 9999-06-01",
        GOOD,
        1,
        "a window of 10 years from 9999-06-01 ends after the year 9999",
    ),
    case("--years 0", "-r {reg} export ics --years 0", GOOD, 2, "'--years' / '-y'"),
    case("a negative reminder", "-r {reg} export ics --remind -3d", GOOD, 2, "not '-3d'"),
    # -- where sisterctl writes --------------------------------------------------------
    case(
        "a calendar written over the registry",
        "-r {reg} export ics -o {reg}",
        GOOD,
        1,
        "registry.toml is the registry itself; name another file with -o",
    ),
    case(
        "a picture written over the registry, through a link",
        "-r {reg} upcoming --html {tmp}/link.toml",
        GOOD,
        1,
        "link.toml is the registry itself; name another file with --html",
        setup=lambda reg: (reg.parent / "link.toml").symlink_to(reg) or reg,
    ),
    case(
        "a picture written over the registry",
        "-r {reg} list --svg {reg}",
        GOOD,
        1,
        "registry.toml is the registry itself; name another file with --svg",
    ),
    case(
        "a calendar into a missing folder",
        "-r {reg} export ics -o {tmp}/nowhere/x.ics",
        GOOD,
        1,
        "nowhere/x.ics: No such file or directory",
    ),
    # -- writing: init, add, end, resume, import -----------------------------------------
    case(
        "a read-only registry on add",
        "-r {reg} add agreement taipei-daegu --date 2022 --title T",
        GOOD,
        3,
        "registry.toml: the registry is read-only; nothing was written",
        setup=read_only,
    ),
    case(
        "a read-only registry on end",
        "-r {reg} end taipei-daegu --date 2022",
        GOOD,
        3,
        "the registry is read-only; nothing was written",
        setup=read_only,
    ),
    case(
        "the write lock held by another process",
        "-r {reg} add agreement taipei-daegu --date 2022 --title T",
        GOOD,
        4,
        "another sisterctl process is writing the registry (lock registry.toml.lock held "
        "for over 0.5 s); try again",
        lock_held=True,
    ),
    case(
        "the write lock held, on import",
        "-r {reg} import csv {tmp}/ties.csv",
        GOOD,
        4,
        "another sisterctl process is writing the registry",
        lock_held=True,
        files=(("ties.csv", "city1,country1,city2,country2\nSeoul,KR,Taipei,TW\n"),),
    ),
    case(
        "a registry replaced by a symlink, on add",
        "-r {reg} add agreement taipei-daegu --date 2022 --title T",
        GOOD,
        0,
        'Recorded the agreement "T" on taipei-daegu (2022)',
        stream="note",
        setup=a_symlink,
        writes=True,
    ),
    case(
        "a dangling symlink, on add",
        "-r {reg} add exchange taipei-daegu --date 2022 --kind visit --title V",
        GOOD,
        3,
        "gone.toml: no registry file here",
        setup=a_dangling_symlink,
    ),
    case(
        "a directory, on end",
        "-r {reg} end taipei-daegu --date 2022",
        GOOD,
        3,
        "is a directory, not a registry file",
        setup=a_directory,
    ),
    case(
        "a registry with errors, on add",
        "-r {reg} add agreement taipei-daegu --date 2022 --title T",
        with_tie(established='"2010-02-30"'),
        3,
        ":18:1: [[partnership]] #1 'taipei-daegu': 'established': '2010-02-30' is not a "
        "date: February 2010 has 28 days (fix the registry before adding to it)",
    ),
    case(
        "an empty file, on add",
        "-r {reg} add agreement taipei-daegu --date 2022 --title T",
        "",
        3,
        "the file is empty",
    ),
    case(
        "not UTF-8, on resume",
        "-r {reg} resume taipei-daegu --date 2022",
        GOOD.encode("utf-16"),
        3,
        "not UTF-8 text (byte 0xff)",
    ),
    case(
        "init over an existing registry",
        "init {reg}",
        GOOD,
        1,
        "registry.toml: a file is already there; sisterctl init never overwrites",
    ),
    case(
        "year 0 for add --date",
        "-r {reg} add agreement taipei-daegu -d 0000-01-01 -t T",
        GOOD,
        1,
        "'0000-01-01' is not a date: the year must be 0001 to 9999",
    ),
    case(
        "year 10000 for end --date",
        "-r {reg} end taipei-daegu --date 10000-01-01",
        GOOD,
        1,
        "'10000-01-01' is not a date",
    ),
    case(
        "empty add --date",
        ("-r", "{reg}", "add", "agreement", "taipei-daegu", "-d", "", "-t", "T"),
        GOOD,
        1,
        "'' is not a date",
    ),
    case(
        "empty add --title",
        ("-r", "{reg}", "add", "agreement", "taipei-daegu", "-d", "2022", "-t", ""),
        GOOD,
        1,
        "the title is empty",
    ),
    case(
        "empty add tie",
        ("-r", "{reg}", "add", "agreement", "", "-d", "2022", "-t", "T"),
        GOOD,
        1,
        "name a tie",
    ),
    case(
        "empty add --mode",
        ("-r", "{reg}", "add", "agreement", "taipei-daegu", "-d", "2022", "-t", "T", "--mode", ""),
        GOOD,
        2,
        "'--mode': must not be empty",
    ),
    case(
        "empty add --venue",
        ("-r", "{reg}", "add", "agreement", "taipei-daegu", "-d", "2022", "-t", "T", "--venue", ""),
        GOOD,
        2,
        "'--venue': must not be empty",
    ),
    case(
        "empty add --note",
        ("-r", "{reg}", "add", "agreement", "taipei-daegu", "-d", "2022", "-t", "T", "--note", ""),
        GOOD,
        2,
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
        1,
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
        1,
        "the source is empty",
    ),
    case(
        "empty add exchange --kind",
        ("-r", "{reg}", "add", "exchange", "taipei-daegu", "-d", "2022", "--kind", "", "-t", "T"),
        GOOD,
        1,
        "the kind is empty",
    ),
    case(
        "empty add partnership city",
        ("-r", "{reg}", "add", "partnership", "", "Seoul, KR", "--established", "2020"),
        GOOD,
        1,
        "the city is empty",
    ),
    case(
        "empty end --reason",
        ("-r", "{reg}", "end", "taipei-daegu", "--date", "2022", "--reason", ""),
        GOOD,
        2,
        "'--reason': must not be empty",
    ),
    case(
        "empty resume --date",
        ("-r", "{reg}", "resume", "taipei-daegu", "--date", ""),
        GOOD,
        1,
        "'' is not a date",
    ),
    case("empty init PATH", ("init", ""), GOOD, 2, "'[PATH]': must not be empty"),
    case("empty import FILE", ("-r", "{reg}", "import", "csv", ""), GOOD, 2, "'FILE': must not be"),
    case(
        "empty import --map",
        ("-r", "{reg}", "import", "csv", "{reg}", "--map", ""),
        GOOD,
        2,
        "--map takes FIELD=COLUMN (such as established=date_signed), not ''",
    ),
    case(
        "empty add agreement --kind",
        ("-r", "{reg}", "add", "agreement", "taipei-daegu", "-d", "2022", "-t", "T", "-k", ""),
        GOOD,
        2,
        "'--kind' / '-k': must not be empty",
    ),
    case(
        "empty add partnership --kind",
        ("-r", "{reg}", "add", "partnership", "Oslo, NO", "Taipei", "-e", "2020", "--kind", ""),
        GOOD,
        2,
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
        2,
        "'--to-kind': must not be empty",
    ),
    case(
        "empty add --field",
        ("-r", "{reg}", "add", "agreement", "taipei-daegu", "-d", "2022", "-t", "T", "--field", ""),
        GOOD,
        1,
        "the field is empty",
    ),
    case(
        "empty import --kind",
        ("-r", "{reg}", "import", "csv", "{reg}", "--kind", ""),
        GOOD,
        2,
        "'--kind' / '-k': must not be empty",
    ),
    case(
        "empty import --source",
        ("-r", "{reg}", "import", "csv", "{reg}", "--source", ""),
        GOOD,
        2,
        "'--source': must not be empty",
    ),
    case(
        "empty export --output", ("-r", "{reg}", "export", "json", "-o", ""), GOOD, 2, "'--output'"
    ),
    case(
        "an ANSI escape in a title",
        ("-r", "{reg}", "add", "agreement", "taipei-daegu", "-d", "2022", "-t", "\x1b[2JRed"),
        GOOD,
        1,
        "the title must be one line of plain text, without control characters (found U+001B)",
        absent=("\x1b",),
    ),
    case(
        "a right-to-left override in a title",
        ("-r", "{reg}", "add", "agreement", "taipei-daegu", "-d", "2022", "-t", "Re\u202eaffirm"),
        GOOD,
        0,
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
        0,
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
        0,
        'venue = "[red]City Hall[/red]"',
        stream="stdout",
    ),
    case(
        "an agreement before the founding",
        "-r {reg} add agreement taipei-daegu --date 2009 --title T",
        GOOD,
        1,
        "an agreement dated 2009 would come before it (check the date, or run again with "
        "--force to record it as it is)",
    ),
    case(
        "an ending before the founding",
        "-r {reg} end taipei-daegu --date 2010-11-03",
        GOOD,
        1,
        "an ending dated 2010-11-03 would come before the tie began",
    ),
    case(
        "the same tie again, in the other order",
        ("-r", "{reg}", "add", "partnership", "Daegu", "Taipei, TW", "--established", "2020"),
        GOOD,
        1,
        "Taipei–Daegu is already in the registry as taipei-daegu",
    ),
    case(
        "a city tied to itself",
        ("-r", "{reg}", "add", "partnership", "Taipei", "taipei", "--established", "2020"),
        GOOD,
        1,
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
        0,
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
        0,
        'taipei-daegu,"\'=HYPERLINK(""http://evil.example"")",TW,Daegu',
        stream="stdout",
    ),
    case(
        "an empty CSV",
        "-r {reg} import csv {tmp}/ties.csv",
        GOOD,
        1,
        "the file is empty; a CSV file starts with a header line",
        files=(("ties.csv", ""),),
    ),
    case(
        "a CSV that is not UTF-8",
        "-r {reg} import csv {tmp}/ties.csv",
        GOOD,
        1,
        "line 2: not UTF-8 text (byte 0xe3); save the file as UTF-8",
        files=(("ties.csv", b"city1,country1,city2,country2\nS\xe3o Paulo,BR,Daegu,KR\n"),),
    ),
    case(
        "a CSV without the columns",
        "-r {reg} import csv {tmp}/ties.csv",
        GOOD,
        1,
        "no column for city1, country1, city2, country2 (the columns are: a, b)",
        files=(("ties.csv", "a,b\n1,2\n"),),
    ),
    case("a missing CSV", "-r {reg} import csv {tmp}/nope.csv", GOOD, 1, "nope.csv: no such file"),
    case(
        "CSV given to import json",
        "-r {reg} import json {tmp}/ties.csv",
        GOOD,
        1,
        "line 1 column 1: not valid JSON",
        files=(("ties.csv", "city1,country1,city2,country2\n"),),
    ),
    case(
        "a CSV export over the registry",
        "-r {reg} export csv -o {reg}",
        GOOD,
        1,
        "registry.toml is the registry itself; name another file with -o",
    ),
    # -- what people and programs type --------------------------------------------------
    case("a typo in a command", "-r {reg} lsit", GOOD, 2, "No such command 'lsit'"),
    case("an unknown option", "-r {reg} list --colour", GOOD, 2, "No such option: --colour"),
    case("three words for a tie", "-r {reg} show a b c", GOOD, 1, "not 3 words"),
    case(
        "a misspelt tie",
        "-r {reg} show taipei-dageu",
        GOOD,
        1,
        "no tie matches 'taipei-dageu'; did you mean taipei-daegu?",
    ),
    case("an unknown country", "-r {reg} list --country Atlantis", GOOD, 1, "unknown country"),
    # -- text that could fool a terminal ------------------------------------------------
    case(
        "Rich markup in a city name",
        "-r {reg} list",
        renamed('"[bold red]Taipei[/]"'),
        0,
        "[bold red]Taipei[/], Taiwan",
        stream="stdout",
    ),
    case(
        "Rich markup in a title",
        "-r {reg} show taipei-daegu",
        renamed('"[link=https://evil.example]click[/link]"'),
        0,
        "[link=https://evil.example]click[/link]",
        stream="stdout",
    ),
    case(
        "ANSI escapes in a city name",
        "-r {reg} list --format tsv",
        renamed('"\\u001b[2J\\u001b[31mTaipei"'),
        0,
        "\\x1b[2J\\x1b[31mTaipei",
        stream="stdout",
        absent=("\x1b",),
    ),
    case(
        "ANSI escapes in a title",
        "-r {reg} show taipei-daegu",
        renamed('"\\u001b]8;;https://evil.example\\u0007click"'),
        0,
        "\\x1b]8;;https://evil.example\\x07click",
        stream="stdout",
        absent=("\x1b", "\x07"),
    ),
    case(
        "ANSI escapes in upcoming anniversaries",
        "-r {reg} upcoming --as-of 2026-11-01 --within 30",
        renamed('"\\u001b[2JTaipei"'),
        0,
        "\\x1b[2JTaipei–Daegu",
        stream="stdout",
        absent=("\x1b",),
    ),
    case(
        "ANSI escapes in a calendar",
        "-r {reg} export ics --as-of 2026-11-01",
        renamed('"\\u001b[2JTaipei"'),
        0,
        "SUMMARY:\\\\x1b[2JTaipei–Daegu: 16th sister-city anniversary",
        stream="stdout",
        absent=("\x1b",),
    ),
    case(
        "ANSI escapes in a timeline",
        "-r {reg} timeline taipei-daegu --as-of 2026-11-01",
        renamed('"\\u001b]8;;https://evil.example\\u0007Reaffirm"'),
        0,
        "\\x1b]8;;https://evil.example\\x07Reaffirm",
        stream="stdout",
        absent=("\x1b", "\x07"),
    ),
    case(
        "Rich markup in a city's timeline",
        "-r {reg} timeline --city Daegu --as-of 2026-11-01",
        renamed('"[blink]Taipei[/blink]"'),
        0,
        "[blink]Taipei[/blink]",
        stream="stdout",
    ),
    case(
        "a right-to-left override in a name",
        "-r {reg} list",
        renamed('"\\u202eiepiaT"'),
        0,
        "\\u202eiepiaT",
        stream="stdout",
        absent=("\u202e",),
    ),
    case(
        "zero-width characters in a title",
        "-r {reg} show taipei-daegu",
        renamed('"Re\\u200baffirm\\u2060ation"'),
        0,
        "Re\\u200baffirm\\u2060ation",
        stream="stdout",
        absent=("\u200b", "\u2060"),
    ),
    case(
        "invisible characters, check",
        "check {reg}",
        renamed('"Tai\\u200bpei"'),
        0,
        ":5:1: warning: [[city]] #1 'taipei-tw': 'name' holds an invisible or control "
        "character (U+200B)",
        stream="stdout",
    ),
    case(
        "an escape sequence in a path",
        ("-r", "{tmp}/\x1b[2Jx.toml", "list"),
        GOOD,
        3,
        "\\x1b[2Jx.toml: no registry file here",
        absent=("\x1b",),
    ),
    case(
        "an escape sequence in a tie asked for",
        ("-r", "{reg}", "show", "\x1b[31mred"),
        GOOD,
        1,
        "no tie matches '\\x1b[31mred'",
        absent=("\x1b",),
    ),
    # -- a registry that reads but does not hold together ------------------------------
    case(
        "a tie naming no city",
        "-r {reg} list",
        GOOD.replace('"daegu-kr"]', '"seoul-kr"]'),
        3,
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
        1,
        "the same tie as 'taipei-daegu' (line 15)",
        stream="stdout",
    ),
    case(
        "a symlink to the registry",
        "-r {reg} show taipei-daegu --format json",
        GOOD,
        0,
        '"established": "2010-11-04"',
        stream="stdout",
        setup=a_symlink,
    ),
]


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every file and link in `folder` (lock files aside) with its bytes or target."""
    files: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            files[name] = f"-> {path.readlink()}"
        elif path.is_file() and not path.name.endswith(".lock"):
            files[name] = path.read_bytes()
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
    args = [a.replace("{reg}", str(reg)).replace("{tmp}", str(tmp_path)) for a in row.args]
    return reg, args


def assert_survived(row: Case, stdout: str, stderr: str, exit_code: int) -> None:
    assert "Traceback" not in stdout + stderr
    assert exit_code == row.exit_code, (stdout[:2000], stderr)
    if row.stream == "stderr":
        assert stderr.startswith("sisterctl: ") and stderr.endswith("\n"), stderr
        assert stderr.count("\n") == 1, stderr  # one line
        assert row.message in stderr
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
def test_bad_input(run: Run, tmp_path: Path, row: Case) -> None:
    reg, args = prepare(row, tmp_path)
    before = snapshot(tmp_path)
    env = {"SISTERCTL_LOCK_TIMEOUT": "0.5"}
    with holding_the_lock(reg) if row.lock_held else contextlib.nullcontext():
        result = run(*args, env=env)
    assert_survived(row, result.stdout, result.stderr, result.exit_code)
    after = snapshot(tmp_path)
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
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from filelock import FileLock; "
            f"lock = FileLock({str(reg) + '.lock'!r}); lock.acquire(); "
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
    case("unreadable file", "-r {reg} list", GOOD, 3, "cannot read the registry: permission"),
    case("unreadable file, check", "check {reg}", GOOD, 2, "cannot read the registry: permission"),
]


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
