#!/usr/bin/env python3
"""How fast sisterctl is on a registry of every known sister-city tie.

    python benchmarks/bench.py [--size N ...] [--runs K]

Builds a large registry (by default all 26,114 pairs of the shared twin-cities data set,
imported with `sisterctl import csv`, with founding dates, agreements and exchanges
spread over them by a fixed random seed; a synthetic registry of the same size and shape
when that file or that command is absent), then times whole `sisterctl` processes as a
user runs them, several runs each, interleaved with the baselines they are compared
with. Absolute times on a shared machine are noise; the ratios to the baselines,
measured in the same run, are the result. Prints one table and writes
benchmarks/results.json. See "Performance" in README.md.

The children run without PYTHONDONTWRITEBYTECODE (and without the other PYTHON*
variables): an installed package has its bytecode compiled, and a run that recompiles
every module it imports measures the compiler, not sisterctl. One warm-up run of every
command comes first, so that bytecode and sisterctl's registry cache exist.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
RESULTS = HERE / "results.json"
SEED = 20101104  # Taipei and Daegu became sister cities on 4 November 2010
REAL_SIZE = 26_114
AGREEMENTS_PER_TIE = 10_000 / REAL_SIZE
EXCHANGES_PER_TIE = 10_000 / REAL_SIZE
CSV_NAME = Path("data", "twin-cities", "twin_cities_raw.csv")


def default_csv() -> Path | None:
    """../shared/data/twin-cities/twin_cities_raw.csv beside the repository (or beside
    the folder that holds it, for a git worktree one level down)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        path = base / "shared" / CSV_NAME
        if path.is_file():
            return path
    return None


# ---------------------------------------------------------------------------
# Building the registry


def toml_str(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def toml_array(values: Iterable[str]) -> str:
    return "[" + ", ".join(toml_str(v) for v in values) + "]"


def random_date(rng: random.Random, low: int = 1950, high: int = 2025) -> str:
    """A date at day (50%), month (25%) or year (25%) precision."""
    year = rng.randint(low, high)
    roll = rng.random()
    if roll < 0.25:
        return f"{year:04d}"
    month = rng.randint(1, 12)
    if roll < 0.5:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{rng.randint(1, 28):02d}"


FIELDS = (
    "culture",
    "tourism",
    "education",
    "trade",
    "sport",
    "youth",
    "smart cities",
    "health",
    "environment",
    "urban planning",
)
AGREEMENT_KINDS = ("reaffirmation", "renewal", "memorandum", "letter of intent", "declaration")
EXCHANGE_KINDS = ("visit", "delegation", "festival", "forum", "exhibition", "ceremony")
MODES = ("in-person", "video-conference", "exchange-of-documents")
SOURCE = "https://en.wikipedia.org/wiki/List_of_twin_towns_and_sister_cities_in_{}"


def activity_text(rng: random.Random, tie_ids: Sequence[str], count: int) -> tuple[str, str]:
    """`count` agreements and `count` exchanges on ties picked at random, as TOML: a
    date, a kind and a short title each, and for one agreement in ten its mode,
    signatories and fields."""
    agreements = []
    for _ in range(count):
        tie = rng.choice(tie_ids)
        fields = rng.sample(FIELDS, rng.randint(1, 4))
        kind = rng.choice(AGREEMENT_KINDS)
        text = (
            "\n[[agreement]]\n"
            f"partnership = {toml_str(tie)}\n"
            f"date = {toml_str(random_date(rng, 1990, 2025))}\n"
            f"title = {toml_str(kind.capitalize() + ' on ' + fields[0])}\n"
            f"kind = {toml_str(kind)}\n"
        )
        if rng.random() < 0.1:
            text += (
                f"mode = {toml_str(rng.choice(MODES))}\n"
                "signatories = [\n"
                f'    {{ name = "Mayor {rng.randint(1, 9999)}", role = "Mayor" }},\n'
                f'    {{ name = "Mayor {rng.randint(1, 9999)}", role = "Mayor" }},\n'
                "]\n"
                f"fields = {toml_array(fields)}\n"
            )
        agreements.append(text)
    exchanges = []
    for _ in range(count):
        tie = rng.choice(tie_ids)
        kind = rng.choice(EXCHANGE_KINDS)
        exchanges.append(
            "\n[[exchange]]\n"
            f"partnership = {toml_str(tie)}\n"
            f"date = {toml_str(random_date(rng, 1990, 2026))}\n"
            f"kind = {toml_str(kind)}\n"
            f"title = {toml_str(kind.capitalize() + ': ' + rng.choice(FIELDS))}\n"
        )
    return "".join(agreements), "".join(exchanges)


_SYLLABLES = (
    "ber at ams ya fer mo da gu tai pei ko re na lis bon ri ga vil ni us ma na gua war saw "
    "pre to ri kyo to sa ka ha ve li bra ti sla va no vi sad lju blja ze gre bo lo gna "
    "san ti a go que re ta ro mon te vi de o"
)
SYLLABLES = tuple(_SYLLABLES.split())
ACCENTS = {"a": "á", "e": "é", "o": "ö", "u": "ü", "i": "í"}
_COUNTRIES = (
    "US FR DE JP CN IT PL GB RU ES KR UA TR BR MX RO HU CZ SK BG RS HR SI AT NL BE SE NO FI "
    "DK IE PT GR LT LV EE BY IL IN AR CL CO PE CA AU NZ ZA NG EG MA TW PH VN TH ID"
)
COUNTRIES = tuple(_COUNTRIES.split())


def synthetic_text(size: int, seed: int = SEED) -> str:
    """A registry of `size` ties in the shape an import of the twin-cities data gives
    (about 0.68 cities per tie, a few cities with many ties), every tie with a founding
    date at mixed precision, and agreements and exchanges spread over the ties."""
    rng = random.Random(seed)
    n_cities = max(4, round(size * 17_820 / REAL_SIZE))  # 0.68 cities per tie
    cities: list[tuple[str, str, str]] = [
        ("taipei-tw", "Taipei", "TW"),
        ("daegu-kr", "Daegu", "KR"),
    ]
    seen = {c[0] for c in cities}
    while len(cities) < n_cities:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        if rng.random() < 0.1:
            i = rng.randrange(1, len(name))
            name = name[:i] + ACCENTS.get(name[i], name[i]) + name[i + 1 :]
        if rng.random() < 0.1:
            name += " " + "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize()
        country = rng.choice(COUNTRIES)
        cid = f"{name.lower().replace(' ', '-')}-{country.lower()}"
        cid = cid.translate(str.maketrans("áéöüí", "aeoui"))
        if cid in seen or name in ("Taipei", "Daegu"):
            continue
        seen.add(cid)
        cities.append((cid, name, country))

    # Degrees as in the twin-cities data: most cities have one or two ties, a few
    # (capitals) dozens: P(k) ~ 1/k^2 up to 75; Taipei has 52 ties and Daegu 12.
    ks = range(1, 76)
    k_weights = list(itertools.accumulate(1 / k**2 for k in ks))
    degrees = {"taipei-tw": 52, "daegu-kr": 12}
    for city in cities[2:]:
        degrees[city[0]] = rng.choices(ks, cum_weights=k_weights)[0]
    stubs = [cid for cid, degree in degrees.items() for _ in range(degree)]
    rng.shuffle(stubs)
    ties: list[tuple[str, str, str]] = []
    pairs: set[frozenset[str]] = set()
    tie_ids: set[str] = set()

    def add_tie(a: str, b: str) -> None:
        base = f"{a.rsplit('-', 1)[0]}-{b.rsplit('-', 1)[0]}"
        tid, n = base, 2
        while tid in tie_ids:
            tid, n = f"{base}-{n}", n + 1
        tie_ids.add(tid)
        pairs.add(frozenset((a, b)))
        ties.append((tid, a, b))

    add_tie("taipei-tw", "daegu-kr")
    for a, b in zip(stubs[::2], stubs[1::2], strict=False):
        if len(ties) >= size:
            break
        if a != b and frozenset((a, b)) not in pairs:
            add_tie(a, b)
    while len(ties) < size:  # stubs left over: pair cities at random
        a, b = rng.sample(cities, 2)
        if frozenset((a[0], b[0])) not in pairs:
            add_tie(a[0], b[0])

    out = [
        "# A synthetic registry for sisterctl's benchmark (benchmarks/bench.py).\n",
        "schema_version = 1\n",
    ]
    for cid, name, country in cities:
        out.append(
            f'\n[[city]]\nid = {toml_str(cid)}\nname = {toml_str(name)}\ncountry = "{country}"\n'
        )
    for tid, a, b in ties:
        lines = [
            f"\n[[partnership]]\nid = {toml_str(tid)}\ncities = [{toml_str(a)}, {toml_str(b)}]\n"
        ]
        lines.append(f"established = {toml_str(random_date(rng))}\n")  # every tie dated
        out.append("".join(lines))
    count = round(size * AGREEMENTS_PER_TIE)
    agreements, exchanges = activity_text(rng, [t[0] for t in ties], count)
    out.append(agreements)
    out.append(exchanges)
    return "".join(out)


@dataclass
class Built:
    path: Path
    source: str
    ties: int
    cities: int
    agreements: int
    exchanges: int
    bytes: int
    taipei_daegu: str
    note: str = ""  # how it was made: the import's summary, its time


def describe(path: Path, source: str, note: str = "") -> Built:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    ids = {c["id"]: c for c in data.get("city", [])}
    target = "taipei-daegu"
    for tie in data.get("partnership", []):
        names = {ids[c]["name"] for c in tie["cities"]}
        if names == {"Taipei", "Daegu"}:
            target = tie["id"]
            break
    return Built(
        path,
        source,
        len(data.get("partnership", [])),
        len(data.get("city", [])),
        len(data.get("agreement", [])),
        len(data.get("exchange", [])),
        path.stat().st_size,
        target,
        note,
    )


def build_registry(
    size: int, work: Path, source: Path | None, command: list[str], env: dict[str, str]
) -> Built:
    """The large registry: imported from the twin-cities CSV when there is one and this
    sisterctl can import it, else synthetic."""
    path = work / f"registry-{size}.toml"
    path.unlink(missing_ok=True)
    if source is not None and available(command, ["import", "csv"], env):
        try:
            return import_registry(size, work, path, source, command, env)
        except RuntimeError as exc:
            print(f"import csv failed ({exc}); using a synthetic registry", file=sys.stderr)
    path.write_text(synthetic_text(size), encoding="utf-8")
    return describe(path, "synthetic")


# English names of countries, for pairs made up beyond the data set (--size over 26,114).
EXTRA_COUNTRIES = (
    "France",
    "Germany",
    "Japan",
    "China",
    "Italy",
    "Poland",
    "United States",
    "Brazil",
    "South Korea",
    "Ukraine",
    "Spain",
    "Mexico",
)


def import_registry(
    size: int, work: Path, path: Path, source: Path, command: list[str], env: dict[str, str]
) -> Built:
    """`sisterctl init`, then `sisterctl import csv` of `size` pairs of the twin-cities
    data (a seeded sample, every Taipei and Daegu pair included; beyond its 26,114 pairs,
    made-up ones), with founding dates at mixed precision for every one; then
    agreements and exchanges appended as TOML, as `add` would write them."""
    rng = random.Random(SEED)
    with source.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle)]
    if size <= len(rows):
        hubs = [r for r in rows if {r["city1"], r["city2"]} & {"Taipei", "Daegu"}]
        others = [r for r in rows if r not in hubs] if size < len(rows) else []
        chosen = (
            rows if size == len(rows) else hubs[:size] + rng.sample(others, size - len(hubs[:size]))
        )
    else:
        chosen = list(rows)
        while len(chosen) < size:
            names = ["".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize() for _ in "ab"]
            chosen.append(
                {
                    "city1": names[0],
                    "country1": rng.choice(EXTRA_COUNTRIES),
                    "city2": names[1],
                    "country2": rng.choice(EXTRA_COUNTRIES),
                }
            )
    table = work / f"pairs-{size}.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["city1", "country1", "city2", "country2", "established"])
        for row in chosen:
            established = random_date(rng)  # every tie dated
            writer.writerow(
                [row["city1"], row["country1"], row["city2"], row["country2"], established]
            )
    run = [*command, "-r", str(path)]
    subprocess.run([*command, "init", str(path)], capture_output=True, env=env, check=False)
    start = time.perf_counter()
    result = subprocess.run(
        [*run, "import", "csv", str(table), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip()[-300:])
    try:
        summary = json.loads(result.stdout)
    except ValueError:
        summary = {}
    with path.open("rb") as handle:
        ties = [t["id"] for t in tomllib.load(handle).get("partnership", [])]
    if not ties:
        raise RuntimeError("the import added no ties")
    count = round(size * AGREEMENTS_PER_TIE)
    agreements, exchanges = activity_text(rng, ties, count)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(agreements + exchanges)
    skipped = summary.get("skipped", {})
    reasons = skipped.get("by_reason", {}) if isinstance(skipped, dict) else {}
    note = (
        f"import csv of {len(chosen):,} pairs: {len(ties):,} ties, "
        f"{skipped.get('count', '?') if isinstance(skipped, dict) else '?'} rows skipped"
        + (f" ({', '.join(f'{n} {why}' for why, n in reasons.items())})" if reasons else "")
        + f"; {seconds:.1f} s"
    )
    return describe(path, "twin-cities data, imported", note)


# ---------------------------------------------------------------------------
# Timing


def child_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.pop("SISTERCTL_REGISTRY", None)
    env.pop("SISTERCTL_NO_INDEX", None)
    env.pop("SISTERCTL_NO_CACHE", None)
    env.pop("NO_COLOR", None)
    env["XDG_CACHE_HOME"] = str(work / "cache")
    env["XDG_DATA_HOME"] = str(work / "data")  # no user registry: the bundled one is used
    env["COLUMNS"] = "120"
    env["LC_ALL"] = env.get("LC_ALL") or "C.UTF-8"
    return env


@dataclass
class Case:
    name: str
    argv: list[str]
    baseline: str | None = None  # the name of the case this one is compared with
    target: float | None = None
    out: Path | None = None  # standard output goes here (else /dev/null)
    env: dict[str, str] = field(default_factory=dict)
    before: Callable[[], None] | None = None  # run before each run, not timed
    tty: bool = False  # standard output is a pseudo-terminal of 120 columns
    memory_target: float | None = None  # peak memory against the baseline's
    times: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)  # KiB
    error: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def peak(self) -> int:
        return max(self.peaks)


_RUN = itertools.count(1)


def run_once(case: Case, env: dict[str, str]) -> None:
    """Run a case once; `{n}` in its arguments becomes a number unique to the run (an
    exchange recorded twice is refused as a duplicate)."""
    argv = [arg.replace("{n}", str(next(_RUN))) if "{n}" in arg else arg for arg in case.argv]
    if case.before is not None:
        case.before()
    if case.tty:
        elapsed, status, usage, err = _run_on_a_terminal(argv, {**env, **case.env})
    else:
        out = (case.out or Path(os.devnull)).open("wb")
        with out:
            start = time.perf_counter()
            proc = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.PIPE, env={**env, **case.env}
            )
            assert proc.stderr is not None
            err = proc.stderr.read()
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        case.error = f"exit {code}: {err.decode(errors='replace').strip()[-300:]}"
        return
    case.times.append(elapsed)
    case.peaks.append(usage.ru_maxrss)


def _run_on_a_terminal(argv: list[str], env: dict[str, str]) -> tuple[float, int, Any, bytes]:
    """Run with standard output on a pseudo-terminal of 120 columns, read as fast as
    the child writes (as a terminal emulator would)."""
    import fcntl
    import pty
    import struct
    import termios
    import threading

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 120, 0, 0))

    def drain() -> None:
        while True:
            try:
                if not os.read(master, 1 << 16):
                    return
            except OSError:
                return

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE, env=env
    )
    os.close(slave)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    os.close(master)
    reader.join(timeout=5)
    return elapsed, status, usage, err


SHORT = 0.25  # seconds: a process this short is run REPEAT times a round
REPEAT = 4


def measure(cases: Sequence[Case], runs: int, env: dict[str, str]) -> None:
    """A warm-up run of every case, then `runs` rounds of all of them, each round
    starting one case further on. A case that took under SHORT seconds in the first
    round (start-up: `import typer`, `--version`, and the reads of a few ties) runs
    REPEAT times in each later round: a scheduling hiccup of a few milliseconds is a
    large part of it, and more runs steady its median. Its repeats are spread over
    the round, in passes over the short cases, so that no case ever runs right after
    itself, warm from its own run, while the one it is compared with runs after
    another. (The warm-up cannot say which cases are short: the first run on a
    registry makes its index.)"""
    for case in cases:  # warm-up: bytecode, the index
        run_once(case, env)
    live = [c for c in cases if c.error is None]
    for case in cases:
        case.times.clear()
        case.peaks.clear()
    short: set[int] = set()
    for round_no in range(runs):
        shift = round_no % len(live)
        order = live[shift:] + live[:shift]
        for case in order:
            run_once(case, env)
        if round_no == 0:
            short = {id(c) for c in live if c.times and c.times[0] < SHORT}
            continue
        for _ in range(REPEAT - 1):
            for case in order:
                if id(case) in short:
                    run_once(case, env)


# ---------------------------------------------------------------------------
# The peers: what a user might pick instead


def peer_sqlite_utils(env: dict[str, str]) -> list[str] | None:
    """The `sqlite-utils` console script beside this Python (pip-installed into this
    environment when missing), or None when it cannot be had."""
    script = Path(sys.executable).with_name("sqlite-utils")
    if not script.is_file():
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "sqlite-utils"],
            capture_output=True,
            check=False,
        )
    return [str(script)] if script.is_file() else None


def ties_table(path: Path, db: Path) -> None:
    """The registry's ties as an SQLite table, as a user of sqlite-utils would keep them:
    one row per tie, the names and countries of its two cities, its founding date."""
    import sqlite3

    with path.open("rb") as handle:
        data = tomllib.load(handle)
    cities = {c["id"]: c for c in data.get("city", [])}
    db.unlink(missing_ok=True)
    conn = sqlite3.connect(db)
    conn.execute(
        "CREATE TABLE ties (id TEXT PRIMARY KEY, city_a TEXT, country_a TEXT, "
        "city_b TEXT, country_b TEXT, established TEXT)"
    )
    conn.executemany(
        "INSERT INTO ties VALUES (?, ?, ?, ?, ?, ?)",
        (
            (
                t["id"],
                cities[t["cities"][0]]["name"],
                cities[t["cities"][0]]["country"],
                cities[t["cities"][1]]["name"],
                cities[t["cities"][1]]["country"],
                t.get("established"),
            )
            for t in data.get("partnership", [])
        ),
    )
    conn.execute("CREATE INDEX ties_a ON ties (city_a)")
    conn.execute("CREATE INDEX ties_b ON ties (city_b)")
    conn.commit()
    conn.close()


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def remind_file(path: Path, out: Path) -> None:
    """One `REM` line per tie, on the day of its founding (the 1st of its month, or 1
    January, when only the month or the year is known), for `remind -n`."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    lines = []
    for tie in data.get("partnership", []):
        date = str(tie.get("established") or "")
        if not date:
            continue
        parts = date.split("-")
        month = int(parts[1]) if len(parts) > 1 else 1
        day = int(parts[2]) if len(parts) > 2 else 1
        lines.append(f"REM {day} {MONTHS[month - 1]} MSG {tie['id']} anniversary\n")
    out.write_text("".join(lines), encoding="utf-8")


def peer_remind() -> list[str] | None:
    found = shutil.which("remind")
    return [found] if found else None


def peer_versions(sqlite_utils: list[str] | None, remind: list[str] | None) -> dict[str, str]:
    found: dict[str, str] = {}
    if sqlite_utils:
        out = subprocess.run([*sqlite_utils, "--version"], capture_output=True, text=True)
        found["sqlite-utils"] = out.stdout.strip().rsplit(" ", 1)[-1]
    if remind:
        dpkg = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Version}", "remind"], capture_output=True, text=True
        )
        found["remind"] = dpkg.stdout.strip() or "present"
    return found


# ---------------------------------------------------------------------------
# What is measured


def sisterctl_command() -> list[str]:
    """The installed console script beside this Python, else `python -m sisterctl`."""
    script = Path(sys.executable).with_name("sisterctl")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "sisterctl"]


def available(command: list[str], words: Sequence[str], env: dict[str, str]) -> bool:
    """Whether this build of sisterctl has the command `words` (it may not have landed)."""
    result = subprocess.run([*command, *words, "--help"], capture_output=True, env=env, check=False)
    return result.returncode == 0


EDIT_MARK = "# edited by hand: 0\n"


def hand_edit(path: Path) -> Callable[[], None]:
    """Changes the file (made by --peer-files: the registry after EDIT_MARK) as a person
    would, keeping its size: the digit in its first line goes round 0-9 (so the index
    is stale and must be made again)."""
    state = {"n": 0}

    def edit() -> None:
        state["n"] = (state["n"] + 1) % 10
        with path.open("r+b") as handle:
            handle.seek(len("# edited by hand: "))
            handle.write(str(state["n"]).encode())

    return edit


def floor_case(path: Path) -> Case:
    py = sys.executable
    return Case(
        "parse floor", [py, "-c", f"import tomllib; tomllib.load(open({str(path)!r}, 'rb'))"]
    )


def cases_for(
    built: Built, work: Path, command: list[str], env: dict[str, str], extras: bool
) -> list[Case]:
    path = built.path
    py = sys.executable
    reg = [*command, "-r", str(path)]
    add_copy = work / f"add-{path.name}"
    shutil.copyfile(path, add_copy)
    edit_copy = work / f"edit-{path.name}"
    cases = [
        floor_case(path),
        Case("import typer", [py, "-c", "import typer"]),
        Case(
            "list --city Taipei",
            [*reg, "list", "--city", "Taipei"],
            "parse floor",
            0.12,
            memory_target=0.5,
        ),
        Case(f"show {built.taipei_daegu}", [*reg, "show", built.taipei_daegu], "parse floor", 0.12),
        Case("upcoming --within 1y", [*reg, "upcoming", "--within", "1y"], "parse floor", 0.2),
        Case(
            "add exchange",
            [
                *command,
                "-r",
                str(add_copy),
                "add",
                "exchange",
                built.taipei_daegu,
                "--date",
                "2026-11-28",
                "--kind",
                "visit",
                "--title",
                "Benchmark delegation {n}",
            ],
            "parse floor",
            0.25,
        ),
        Case(
            "list --format tsv > file",
            [*reg, "list", "--format", "tsv"],
            "parse floor",
            0.4,
            out=work / "list.tsv",
        ),
        Case("list on a terminal (120 columns)", [*reg, "list"], "parse floor", 1.0, tty=True),
        Case(
            "first run after a hand edit",
            [*command, "-r", str(edit_copy), "list", "--city", "Taipei"],
            "parse floor",
            1.3,
            before=hand_edit(edit_copy),
        ),
        Case("--version", [*command, "--version"], "import typer", 1.1),
        Case("upcoming (bundled registry)", [*command, "upcoming"], "import typer", 1.3),
        # Not targets: what the index saves.
        Case(
            "list --city Taipei, no index",
            [*reg, "list", "--city", "Taipei"],
            "parse floor",
            env={"SISTERCTL_NO_INDEX": "1"},
        ),
    ]
    # The peers' files are made in another process, so that this one stays small (see
    # build_in_child).
    subprocess.run([sys.executable, __file__, "--peer-files", str(path)], check=True)
    sqlite_utils = peer_sqlite_utils(env)
    if sqlite_utils:
        db = work / f"ties-{path.stem}.db"
        cases.append(
            Case(
                "sqlite-utils query (Taipei's ties)",
                [
                    *sqlite_utils,
                    "query",
                    str(db),
                    "select * from ties where city_a = 'Taipei' or city_b = 'Taipei'",
                ],
            )
        )
    remind = peer_remind()
    if remind:
        rem = work / f"ties-{path.stem}.rem"
        cases.append(Case("remind -n (one REM a tie)", [*remind, "-n", str(rem)]))
    for words, name in (
        ()
        if not extras
        else (
            (["timeline", "--city", "Taipei"], "timeline --city Taipei"),
            (["stats"], "stats"),
            (["check"], "check"),
            (["export", "json"], "export json > file"),
            (["export", "csv"], "export csv > file"),
            (["export", "ics"], "export ics > file"),
            (["site", "-o", str(work / "site"), "--city", "Taipei"], "site -o DIR --city Taipei"),
        )
    ):
        if available(command, words[:1] if words[0] != "export" else words, env):
            cases.append(Case(name, [*reg, *words], "parse floor", out=work / "export.out"))
    if extras:
        cases += similar_names_cases(work, command)
    return cases


SIMILAR = (8_000, 16_000)


def similar_names_cases(work: Path, command: list[str]) -> list[Case]:
    """Importing N ties between cities whose names differ only in punctuation (one id
    slug, numbered -2, -3...): twice the names should take about twice the time (it
    took four times, 27 s for 8,000, when each number was counted up from 2)."""
    empty = work / "empty.toml"
    empty.write_text("schema_version = 1\n", encoding="utf-8")
    cases = []
    for count in SIMILAR:
        rows = "".join(
            f'"Spring{"!" * (i % 100)}{"?" * (i // 100)}field",US,Tralee {i},IE\n'
            for i in range(count)
        )
        source = work / f"similar-{count}.csv"
        source.write_text("city1,country1,city2,country2\n" + rows, encoding="utf-8")
        name = f"import csv of {count:,} similar names, dry run"
        argv = [*command, "-r", str(empty), "import", "csv", str(source), "--dry-run"]
        baseline = f"import csv of {SIMILAR[0]:,} similar names, dry run"
        first = count == SIMILAR[0]
        cases.append(Case(name, argv, None if first else baseline, None if first else 2.5))
    return cases


# Same-run comparisons with the peers: (sisterctl's case, the peer's, the target ratio).
PEERS = (
    ("list --city Taipei", "sqlite-utils query (Taipei's ties)", 0.6),
    ("upcoming --within 1y", "remind -n (one REM a tie)", 2.0),
)


def scale_cases(built: Built, work: Path, command: list[str]) -> list[Case]:
    """At a million ties: reads and an append that cost what they return."""
    path = built.path
    reg = [*command, "-r", str(path)]
    add_copy = work / f"add-{path.name}"
    shutil.copyfile(path, add_copy)
    targets = {"memory_target": 0.5}
    return [
        floor_case(path),
        Case(
            "list --city Taipei", [*reg, "list", "--city", "Taipei"], "parse floor", 0.05, **targets
        ),
        Case(
            f"show {built.taipei_daegu}",
            [*reg, "show", built.taipei_daegu],
            "parse floor",
            0.05,
            **targets,
        ),
        Case(
            "upcoming --within 30",
            [*reg, "upcoming", "--within", "30"],
            "parse floor",
            0.05,
            **targets,
        ),
        Case(
            "add exchange",
            [
                *command,
                "-r",
                str(add_copy),
                "add",
                "exchange",
                built.taipei_daegu,
                "--date",
                "2026-11-28",
                "--kind",
                "visit",
                "--title",
                "Benchmark delegation {n}",
            ],
            "parse floor",
            0.05,
            **targets,
        ),
    ]


# ---------------------------------------------------------------------------
# Reporting


def summarize(cases: Sequence[Case], large: bool) -> list[dict[str, Any]]:
    """Medians, ratios and targets. The targets against the parse floor are set for
    the large registry (the whole data set, or the million ties of --scale): at other
    sizes only the ratios count."""
    by_name = {c.name: c for c in cases}
    rows: list[dict[str, Any]] = []
    for case in cases:
        target = case.target if large or case.baseline != "parse floor" else None
        row: dict[str, Any] = {
            "name": case.name,
            "command": " ".join(case.argv),
            "median_s": round(case.median, 4) if case.times else None,
            "min_s": round(min(case.times), 4) if case.times else None,
            "max_s": round(max(case.times), 4) if case.times else None,
            "runs": len(case.times),
            "peak_mb": round(case.peak / 1024, 1) if case.peaks else None,
            "baseline": case.baseline,
            "ratio": None,
            "target": target,
            "met": None,
            "error": case.error,
        }
        base = by_name.get(case.baseline or "")
        if base is not None and base.times and case.times:
            row["ratio"] = round(case.median / base.median, 3)
            if target is not None:
                row["met"] = row["ratio"] <= target
        rows.append(row)
    for name, peer, target in PEERS:
        mine, theirs = by_name.get(name), by_name.get(peer)
        if mine is None or theirs is None or not mine.times or not theirs.times:
            continue
        ratio = mine.median / theirs.median
        rows.append(
            {
                "name": f"{name} against {peer.split(' (')[0]}",
                "command": " ".join(mine.argv),
                "median_s": round(mine.median, 4),
                "baseline": peer,
                "ratio": round(ratio, 3),
                "target": target,
                "met": ratio <= target,
            }
        )
    base = by_name.get("parse floor")
    for case in cases:
        if case.memory_target is None or base is None or not case.peaks or not base.peaks:
            continue
        ratio = case.peak / base.peak
        rows.append(
            {
                "name": f"peak memory of {case.name}",
                "command": " ".join(case.argv),
                "peak_mb": round(case.peak / 1024, 1),
                "baseline": "peak memory of parse floor",
                "baseline_peak_mb": round(base.peak / 1024, 1),
                "ratio": round(ratio, 3),
                "target": case.memory_target if large else None,
                "met": ratio <= case.memory_target if large else None,
            }
        )
    return rows


def print_table(rows: Sequence[dict[str, Any]], built: Built) -> None:
    print(
        f"\n{built.ties:,} ties, {built.cities:,} cities, {built.agreements:,} agreements, "
        f"{built.exchanges:,} exchanges ({built.source}; {built.bytes / 1e6:.1f} MB)"
    )
    if built.note:
        print(built.note)
    header = f"{'what':<44} {'median':>9} {'peak':>8} {'ratio':>7} {'target':>7}  met  of"
    print(header)
    print("-" * len(header))
    for row in rows:
        median = f"{row['median_s'] * 1000:.0f} ms" if row.get("median_s") is not None else "-"
        peak = f"{row['peak_mb']:.0f} MB" if row.get("peak_mb") is not None else "-"
        ratio = f"{row['ratio']:.2f}" if row.get("ratio") is not None else ""
        target = f"≤{row['target']:.2f}" if row.get("target") is not None else ""
        met = {True: "yes", False: "NO", None: ""}[row.get("met")]
        of = row.get("baseline") or ""
        if row.get("error"):
            median, of = "error", row["error"][:60]
        print(f"{row['name']:<44} {median:>9} {peak:>8} {ratio:>7} {target:>7}  {met:<4} {of}")


def machine() -> dict[str, Any]:
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def versions(command: list[str], env: dict[str, str]) -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "-c", VERSIONS], capture_output=True, text=True, env=env, check=False
    )
    return json.loads(out.stdout) if out.returncode == 0 else {}


VERSIONS = """
import json, sqlite3
from importlib.metadata import version
found = {n: version(n) for n in ("sisterctl", "typer", "rich", "tomli")}
found["sqlite"] = sqlite3.sqlite_version
print(json.dumps(found))
"""


SCALE_SIZE = 1_000_000


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--size",
        type=int,
        action="append",
        metavar="N",
        help=f"ties in the large registry (repeatable; default {REAL_SIZE:,}: the whole "
        "twin-cities data set)",
    )
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each command")
    parser.add_argument(
        "--synthetic",
        action="store_true",
        help="generate the registry even when the twin-cities data set is there",
    )
    parser.add_argument(
        "--csv", type=Path, default=None, help="the twin-cities CSV (default: ../shared/...)"
    )
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write results")
    parser.add_argument(
        "--extras",
        action="store_true",
        help="also time the commands that have no target (timeline, stats, check, export)",
    )
    parser.add_argument(
        "--scale",
        action="store_true",
        help=f"also run the {SCALE_SIZE:,}-tie registry (synthetic; 2 runs: it takes a while)",
    )
    parser.add_argument("--scale-only", action="store_true", help="only the million-tie registry")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--peer-files", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peer_files:
        edit_copy = WORK / f"edit-{args.peer_files.name}"
        with edit_copy.open("wb") as out, args.peer_files.open("rb") as src:
            out.write(EDIT_MARK.encode())
            shutil.copyfileobj(src, out)
        ties_table(args.peer_files, WORK / f"ties-{args.peer_files.stem}.db")
        remind_file(args.peer_files, WORK / f"ties-{args.peer_files.stem}.rem")
        return 0
    sizes = [] if args.scale_only else (args.size or [REAL_SIZE])
    source = None if args.synthetic else (args.csv or default_csv())
    WORK.mkdir(exist_ok=True)
    command = sisterctl_command()
    env = child_env(WORK)
    if args.build_only:
        built = build_registry(sizes[0] if sizes else SCALE_SIZE, WORK, source, command, env)
        print(json.dumps({**vars(built), "path": str(built.path)}))
        return 0
    shutil.rmtree(WORK / "cache", ignore_errors=True)
    sqlite_utils, remind = peer_sqlite_utils(env), peer_remind()
    report: dict[str, Any] = {
        "machine": machine(),
        "versions": {**versions(command, env), **peer_versions(sqlite_utils, remind)},
        "runs": args.runs,
        "sisterctl": " ".join(command),
        "notes": [] if remind else ["remind is not installed: its comparison is left out"],
        "sizes": [],
    }
    for note in report["notes"]:
        print(note, file=sys.stderr)
    runs: list[tuple[int, Callable[[Built], list[Case]], int]] = [
        (size, lambda b: cases_for(b, WORK, command, env, args.extras), args.runs) for size in sizes
    ]
    if args.scale or args.scale_only:
        runs.append((SCALE_SIZE, lambda b: scale_cases(b, WORK, command), 2))
    for size, make, count in runs:
        built = build_in_child(size, args, synthetic=size == SCALE_SIZE)
        cases = make(built)
        measure(cases, count, env)
        rows = summarize(cases, large=size in (REAL_SIZE, SCALE_SIZE))
        print_table(rows, built)
        report["sizes"].append(
            {
                "ties": built.ties,
                "registry": {
                    "source": built.source,
                    "note": built.note,
                    "cities": built.cities,
                    "agreements": built.agreements,
                    "exchanges": built.exchanges,
                    "bytes": built.bytes,
                },
                "results": rows,
            }
        )
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    if len(report["sizes"]) > 1:
        print_scaling(report["sizes"])
    print(f"\nwritten to {args.json}")
    return 0


def build_in_child(size: int, args: argparse.Namespace, *, synthetic: bool = False) -> Built:
    """Build the registry in another process, so that this one stays small: the peak
    memory the kernel reports for a child counts its parent's at the time of the fork."""
    argv = [sys.executable, __file__, "--build-only", "--size", str(size)]
    if args.synthetic or synthetic:
        argv.append("--synthetic")
    if args.csv:
        argv += ["--csv", str(args.csv)]
    result = subprocess.run(argv, capture_output=True, text=True, check=True)
    sys.stderr.write(result.stderr)
    fields = json.loads(result.stdout.splitlines()[-1])
    return Built(**{**fields, "path": Path(fields["path"])})


def print_scaling(per_size: Sequence[dict[str, Any]]) -> None:
    """Median time of each command at each size."""
    names = [r["name"] for r in per_size[-1]["results"] if r.get("median_s") is not None]
    print("\nmedian time by number of ties")
    header = f"{'what':<44}" + "".join(f"{s['ties']:>12,}" for s in per_size)
    print(header)
    print("-" * len(header))
    for name in names:
        cells = []
        for size in per_size:
            row = next((r for r in size["results"] if r["name"] == name), None)
            median = row.get("median_s") if row else None
            cells.append(f"{median * 1000:>9.0f} ms" if median is not None else f"{'-':>12}")
        print(f"{name:<44}" + "".join(cells))


if __name__ == "__main__":
    raise SystemExit(main())
