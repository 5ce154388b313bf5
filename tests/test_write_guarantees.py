"""Writes that lose nothing: byte for byte, verified, atomic, concurrent, crash-safe,
and text that stays text."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import tomli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sisterctl import store
from sisterctl.errors import ExitCode, RegistryBusyError, RegistryError
from sisterctl.model import RECORD_TABLES, Record
from sisterctl.records import toml as store_fragment
from sisterctl.records.toml import fragment_for
from sisterctl.store.appends import append
from sisterctl.store.read import load
from tests.conftest import TAIPEI_DAEGU, Run

# A registry as people write it: comments everywhere, blank lines, literal and
# multi-line strings, odd spacing, a dotted key, an inline table, unknown keys, and
# tables in no particular order.
HAND = """\
# Sister cities of Taipei — kept by hand, reviewed in git.
#   Please keep the comments!

schema_version = 1   # do not change
settings.leap_day = 'mar1'

# ---- cities ----

[[city]]   # the capital
id    = "taipei-tw"
name  = 'Taipei'
country = "TW"
local_name = "臺北市"
aliases = [ 'Taipei City',
            "Taibei",   # pinyin
]
coordinates = { lat = 25.03, lon = 121.56 }   # an unknown key, kept

[[partnership]]
id = "taipei-daegu"
cities = ["taipei-tw", "daegu-kr"]   # a city defined below
established = 2010-11-04
notes = '''
Founded in Taipei.
  Indented second line with a "quote" and a \\backslash.'''
reviewed_by = "someone"

[[city]]
id = "daegu-kr"
name = "Daegu"
country = "KR"


# the last record, with a comment after it
[[exchange]]
partnership = "taipei-daegu"
kind = "delegation"
title = "Universiade"  # 2017
date = "2017"
# end of file"""

COMMANDS = [
    ["add", "partnership", "Taipei", "Chengdu, China", "-e", "2015-11-10", "--field", "tourism"],
    ["add", "agreement", "taipei-daegu", "-d", "2021-03-26", "-t", "Reaffirmation",
     "--signatory", "Ko Wen-je (Mayor of Taipei)", "--note", "two\nlines"],
    ["add", "exchange", "Daegu", "Taipei", "-d", "2019", "-k", "festival", "-t", "Chimaek"],
    ["end", "taipei-chengdu", "-d", "2022-03", "--suspend", "--reason", "pandemic"],
    ["resume", "taipei-chengdu", "-d", "2023"],
]  # fmt: skip


@pytest.mark.parametrize(
    "variant", ["as written", "with a final line break", "with a byte-order mark", "with CRLF"]
)
def test_a_hand_formatted_registry_is_kept_byte_for_byte(
    run: Run, tmp_path: Path, variant: str
) -> None:
    text = HAND + ("\n" if variant == "with a final line break" else "")
    if variant == "with CRLF":
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    if variant == "with a byte-order mark":
        data = b"\xef\xbb\xbf" + data
    path = tmp_path / "partnerships.toml"
    path.write_bytes(data)
    old = tomli.loads(text)
    for command in COMMANDS:
        before = path.read_bytes()
        result = run("-r", path, *command)
        assert result.exit_code == ExitCode.OK, (command, result.stderr)
        after = path.read_bytes()
        # Every byte that was there is still there, in place; the new record follows.
        assert after.startswith(before)
        added = after[len(before) :].decode("utf-8")
        if variant == "with CRLF":
            assert "\n" not in added.replace("\r\n", "")
        else:
            assert "\r" not in added
        assert added.lstrip("\r\n").startswith("[[")
    assert path.read_bytes().startswith(data)
    new = tomli.loads(path.read_bytes().decode("utf-8-sig"))
    # The old data is unchanged, unknown keys included, and the new records follow.
    for key, value in old.items():
        if isinstance(value, list):
            assert new[key][: len(value)] == value
        else:
            assert new[key] == value
    assert len(new["city"]) == 3 and len(new["partnership"]) == 2
    assert new["agreement"][1]["notes"] == "two\nlines"
    assert [c["status"] for c in new["status_change"]] == ["suspended", "active"]
    assert load(path).by_id["taipei-chengdu"].cities[1].name == "Chengdu"


def test_a_file_ending_in_a_table_gets_the_record_after_it_not_inside(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text(HAND + "\n[settings.extra]\nx = 1", encoding="utf-8")

    def plan(reg: Any) -> list[Record]:
        return [
            ("status_change", {"partnership": "taipei-daegu", "date": "2024", "status": "ended"})
        ]

    done = append(path, plan)
    data = tomli.loads(path.read_text(encoding="utf-8"))
    assert data["settings"]["extra"] == {"x": 1}
    assert data["status_change"] == [
        {"partnership": "taipei-daegu", "date": "2024", "status": "ended"}
    ]
    assert done.fragment.startswith("\n[[status_change]]\n")


@pytest.mark.parametrize("table", RECORD_TABLES)
def test_every_record_is_written_under_its_own_header(table: str) -> None:
    # tomli-w alone would write a short array of tables inline (`table = [{...}]`),
    # which after the last table of a file would land inside that table.
    fragment = fragment_for([(table, {"id": "a", "title": "b", "n": [1, 2], "sub": {"k": "v"}})])
    assert fragment.startswith(f"\n[[{table}]]\n")
    assert fragment.count("[[") == 1
    assert tomli.loads(fragment) == {
        table: [{"id": "a", "title": "b", "n": [1, 2], "sub": {"k": "v"}}]
    }


def test_a_short_list_of_strings_stays_on_one_line() -> None:
    fragment = fragment_for([("agreement", {"fields": ["smart cities", "tourism"], "x": None})])
    assert fragment == '\n[[agreement]]\nfields = ["smart cities", "tourism"]\n'
    long = [f"field number {i}" for i in range(10)]
    fragment = fragment_for([("agreement", {"fields": long})])
    assert fragment.count("\n") == 14 and tomli.loads(fragment)["agreement"][0]["fields"] == long


# ---------------------------------------------------------------------------
# Verified: a record that would not read back as intended never reaches the disk

EXCHANGE = {"partnership": "taipei-daegu", "date": "2020", "kind": "visit", "title": "t"}


def test_an_append_that_would_not_read_back_is_refused(tmp_path: Path) -> None:
    # `exchange` is a static array here: a [[exchange]] after it cannot extend it.
    path = tmp_path / "r.toml"
    static = 'exchange = [{ partnership = "taipei-daegu", kind = "visit", title = "x" }]\n'
    path.write_text(TAIPEI_DAEGU.replace("\n", "\n" + static, 1), encoding="utf-8")
    assert len(load(path).exchanges) == 1  # a valid registry all the same
    before = path.read_bytes()
    with pytest.raises(RegistryError, match=r"would not read back.*nothing was written"):
        append(path, lambda reg: [("exchange", EXCHANGE)])
    assert path.read_bytes() == before


def test_an_append_that_would_make_the_registry_wrong_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text(HAND, encoding="utf-8")
    before = path.read_bytes()
    bad = {**EXCHANGE, "partnership": "nowhere"}
    with pytest.raises(RegistryError, match=r"names partnership 'nowhere'.*nothing was written"):
        append(path, lambda reg: [("exchange", bad)])
    assert path.read_bytes() == before


# ---------------------------------------------------------------------------
# Atomic: a failed write leaves the old file and no temporary file


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failure_before_the_rename_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    path = tmp_path / "partnerships.toml"
    path.write_text(HAND, encoding="utf-8")

    def fail(self: Path, target: Any) -> None:
        raise failure

    monkeypatch.setattr(Path, "replace", fail)
    with pytest.raises((RegistryError, KeyboardInterrupt)) as caught:
        append(path, lambda reg: [("exchange", EXCHANGE)])
    if isinstance(failure, OSError):
        assert "cannot write the registry: No space left on device" in str(caught.value)
    assert path.read_text(encoding="utf-8") == HAND
    assert temp_files(tmp_path) == []


def test_permissions_are_kept_and_no_lock_file_is_left(tmp_path: Path, cache_home: Path) -> None:
    path = tmp_path / "partnerships.toml"
    path.write_text(HAND, encoding="utf-8")
    path.chmod(0o640)
    lock = store.lock_path(path)
    assert lock.parent == cache_home / "sisterctl" / "locks"
    append(path, lambda reg: [("exchange", EXCHANGE)])
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["partnerships.toml"]
    assert list(lock.parent.iterdir()) == []  # released and removed


def test_a_symbolic_link_is_followed_and_kept(tmp_path: Path) -> None:
    target = tmp_path / "real" / "partnerships.toml"
    target.parent.mkdir()
    target.write_text(HAND, encoding="utf-8")
    link = tmp_path / "link.toml"
    link.symlink_to(target)
    done = append(link, lambda reg: [("exchange", EXCHANGE)])
    assert link.is_symlink() and done.path == target
    assert target.read_text(encoding="utf-8").startswith(HAND)
    assert len(load(link).exchanges) == 2
    assert sorted(p.name for p in target.parent.iterdir()) == ["partnerships.toml"]


def test_every_path_to_the_file_takes_the_same_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "real" / "partnerships.toml"
    target.parent.mkdir()
    target.write_text(HAND, encoding="utf-8")
    link = tmp_path / "link.toml"
    link.symlink_to(target)
    hard = tmp_path / "hard.toml"
    hard.hardlink_to(target)
    monkeypatch.chdir(tmp_path)
    paths = [target, link, hard, Path("real/partnerships.toml"), Path("real/../link.toml")]
    assert len({store.lock_path(p) for p in paths}) == 1
    other = tmp_path / "real" / "other.toml"
    other.write_text(HAND, encoding="utf-8")
    assert store.lock_path(other) != store.lock_path(target)


def test_in_a_git_working_tree_the_lock_is_in_the_git_directory(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    path = repo / "data" / "partnerships.toml"
    path.parent.mkdir()
    path.write_text(HAND, encoding="utf-8")
    assert store.lock_path(path).parent == repo / ".git" / "sisterctl" / "locks"
    # A linked worktree (or a submodule) has a .git file that names its git directory.
    worktree = tmp_path / "worktree"
    worktree.mkdir()
    (worktree / ".git").write_text(f"gitdir: {repo / '.git' / 'worktrees' / 'w'}\n")
    (repo / ".git" / "worktrees" / "w").mkdir(parents=True)
    (worktree / "partnerships.toml").write_text(HAND, encoding="utf-8")
    lock = store.lock_path(worktree / "partnerships.toml")
    assert lock.parent == repo / ".git" / "worktrees" / "w" / "sisterctl" / "locks"
    append(worktree / "partnerships.toml", lambda reg: [("exchange", EXCHANGE)])
    assert sorted(p.name for p in worktree.iterdir()) == [".git", "partnerships.toml"]


def test_a_writer_that_waited_takes_the_lock_of_the_file_as_it_is_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each write replaces the file (a new inode, so a new lock name): a writer that
    waited for the lock of the old file must then wait for the lock of the new one,
    which another writer may hold."""
    import threading

    from filelock import FileLock

    from sisterctl.store import appends

    path = tmp_path / "partnerships.toml"
    path.write_text(HAND, encoding="utf-8")
    first = FileLock(str(store.lock_path(path)))
    store.lock_path(path).parent.mkdir(parents=True, exist_ok=True)
    first.acquire()
    asked = threading.Event()
    real_lock_path = appends.lock_path

    def lock_path(target: Path) -> Path:
        found = real_lock_path(target)
        asked.set()
        return found

    monkeypatch.setattr(appends, "lock_path", lock_path)
    outcome: list[object] = []
    writer = threading.Thread(
        target=lambda: outcome.append(
            append(path, lambda reg: [("exchange", EXCHANGE)], lock_timeout=20)
        )
    )
    writer.start()
    assert asked.wait(timeout=20)  # the writer is after the old file's lock
    # Another writer replaces the file, and holds the lock of the new one.
    replaced = tmp_path / "new.toml"
    replaced.write_text(HAND + "\n# replaced\n", encoding="utf-8")
    replaced.replace(path)
    second = FileLock(str(store.lock_path(path)))
    second.acquire()
    first.release()
    writer.join(timeout=1.0)
    assert writer.is_alive() and outcome == []  # waiting for the new file's lock
    assert path.read_text(encoding="utf-8") == HAND + "\n# replaced\n"
    second.release()
    writer.join(timeout=20)
    assert not writer.is_alive()
    assert path.read_text(encoding="utf-8").startswith(HAND + "\n# replaced\n")
    assert len(load(path).exchanges) == 2


def test_temporary_files_of_a_killed_writer_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "partnerships.toml"
    path.write_text(HAND, encoding="utf-8")
    stale = tmp_path / ".partnerships.toml.sisterctl-abc123.tmp"
    stale.write_text("half a regis")
    other = tmp_path / ".partnerships.toml.swp"
    other.write_text("an editor's")
    append(path, lambda reg: [("exchange", EXCHANGE)])
    assert not stale.exists() and other.exists()


def test_an_edit_saved_during_an_append_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "partnerships.toml"
    path.write_text(HAND, encoding="utf-8")
    calls = []

    def plan(reg: Any) -> list[Record]:
        calls.append(len(reg.exchanges))
        if len(calls) == 1:  # an editor saves the file while sisterctl is working
            with path.open("a", encoding="utf-8") as handle:
                handle.write("\n# a comment saved meanwhile\n")
        return [("exchange", EXCHANGE)]

    done = append(path, plan)
    assert done.written and len(calls) == 2
    text = path.read_text(encoding="utf-8")
    assert text.startswith(HAND + "\n# a comment saved meanwhile\n")
    assert len(load(path).exchanges) == 2


def test_a_file_that_keeps_changing_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "partnerships.toml"
    path.write_text(HAND, encoding="utf-8")

    def plan(reg: Any) -> list[Record]:
        with path.open("a", encoding="utf-8") as handle:
            handle.write("\n# again")
        return [("exchange", EXCHANGE)]

    with pytest.raises(RegistryError, match="kept changing"):
        append(path, plan)
    assert len(load(path).exchanges) == 1
    assert temp_files(tmp_path) == []


def test_a_held_lock_makes_the_writer_give_up(tmp_path: Path) -> None:
    from filelock import FileLock

    path = tmp_path / "partnerships.toml"
    path.write_text(HAND, encoding="utf-8")
    with FileLock(str(store.lock_path(path))), pytest.raises(RegistryBusyError):
        append(path, lambda reg: [("exchange", EXCHANGE)], lock_timeout=0.05)
    assert path.read_text(encoding="utf-8") == HAND


# ---------------------------------------------------------------------------
# Real processes: 20 writers at once, and writers killed at random moments


def child_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SISTERCTL_REGISTRY"}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg-data")
    env["SISTERCTL_LOCK_TIMEOUT"] = "120"
    return env


def sisterctl(path: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "sisterctl", "-r", str(path), *args]


@pytest.mark.slow
def test_twenty_writers_at_once_lose_no_record(tmp_path: Path) -> None:
    path = tmp_path / "partnerships.toml"
    path.write_text(TAIPEI_DAEGU, encoding="utf-8")
    env = child_env(tmp_path)
    procs = [
        subprocess.Popen(
            sisterctl(path, "add", "exchange", "taipei-daegu", "-d", "2020", "-k", "visit",
                      "-t", f"visit {n}"),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(20)
    ]  # fmt: skip
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    for code, _, err in results:
        assert code == 0, err
    titles = sorted(e.title for e in load(path).exchanges)
    assert titles == sorted(f"visit {n}" for n in range(20))
    assert path.read_text(encoding="utf-8").startswith(TAIPEI_DAEGU)


# Appends records as fast as it can until it is killed. The details are long, so that
# a record cut short would show.
WRITER = """
import sys
from pathlib import Path
from sisterctl import store

path, tag = Path(sys.argv[1]), sys.argv[2]
for i in range(100000):
    record = {"partnership": "taipei-daegu", "date": "2020", "kind": "visit",
              "title": f"{tag}-{i}", "details": f"{tag}-{i} " * 200}
    store.append(path, lambda reg, record=record: [("exchange", record)], lock_timeout=120)
"""


def check_whole(path: Path, before: bytes, tags: dict[str, int]) -> None:
    """The registry parses, keeps its old bytes, and each writer's records are whole
    and in sequence (writer `tag` may have added its next ones)."""
    data = path.read_bytes()
    assert data.startswith(before)
    exchanges = load(path).exchanges
    for exchange in exchanges:
        tag, _, number = exchange.title.rpartition("-")
        assert exchange.details == f"{exchange.title} " * 200
        assert tag in tags
        assert int(number) == tags[tag], (exchange.title, tags)
        tags[tag] += 1


@pytest.mark.slow
def test_writers_killed_at_random_moments_leave_whole_records(tmp_path: Path) -> None:
    path = tmp_path / "partnerships.toml"
    path.write_text(TAIPEI_DAEGU, encoding="utf-8")
    env = child_env(tmp_path)
    rng = random.Random(20210326)
    runs = 12
    seen_whole = 0
    for run_number in range(runs):
        before = path.read_bytes()
        # Two writers at once, on the same file, each killed at its own moment.
        tags = [f"r{run_number}a", f"r{run_number}b"]
        procs = [
            subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag], env=env)
            for tag in tags
        ]
        for proc in procs:
            time.sleep(rng.uniform(0.1, 0.5))
            proc.send_signal(signal.SIGKILL)
        for proc in procs:
            proc.wait(timeout=60)
        counts = {t: 0 for t in tags} | {f"r{r}{w}": 0 for r in range(run_number) for w in "ab"}
        check_whole(path, before, counts)
        seen_whole += sum(counts[t] for t in tags)
    # The kills landed while records were being written, not only before.
    assert seen_whole > runs
    # One more write cleans up whatever temporary file a kill left behind.
    append(
        path,
        lambda reg: [("exchange", {**EXCHANGE, "title": "last-0", "details": "last-0 " * 200})],
    )
    assert temp_files(tmp_path) == []


@pytest.mark.slow
def test_the_command_killed_at_random_moments_writes_all_or_nothing(tmp_path: Path) -> None:
    path = tmp_path / "partnerships.toml"
    path.write_text(TAIPEI_DAEGU, encoding="utf-8")
    env = child_env(tmp_path)
    rng = random.Random(20101104)
    started = time.monotonic()
    subprocess.run(sisterctl(path, "add", "exchange", "taipei-daegu", "-d", "2020", "-k", "visit",
                             "-t", "probe"), env=env, check=True, capture_output=True)  # fmt: skip
    duration = time.monotonic() - started
    details = "A long account of the visit. " * 100
    for n in range(10):
        before = load(path).exchanges
        raw = path.read_bytes()
        proc = subprocess.Popen(
            sisterctl(path, "add", "exchange", "taipei-daegu", "-d", "2020", "-k", "visit",
                      "-t", f"visit {n}", "--details", details),
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(rng.uniform(duration * 0.3, duration * 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert path.read_bytes().startswith(raw)
        after = load(path).exchanges
        assert after[: len(before)] == before
        added = after[len(before) :]
        assert len(added) <= 1
        if added:
            assert (added[0].title, added[0].details) == (f"visit {n}", details)


# ---------------------------------------------------------------------------
# Any text round-trips through `add` and `show --format json`

# One line of text: any character but control characters (and lone surrogates).
ONE_LINE = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=40).filter(
    lambda s: s.strip() != ""
)
# Free text: line breaks allowed too.
PARAGRAPH = st.text(
    st.characters(exclude_categories=("Cc", "Cs")) | st.just("\n"), min_size=1, max_size=80
).filter(lambda s: s.strip() != "")
# A person's name: no parentheses (they hold the role) and no space at the ends.
NAME = ONE_LINE.filter(lambda s: "(" not in s and ")" not in s).map(str.strip)

ROUND_TRIP = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def fresh(tmp_path: Path) -> Path:
    path = tmp_path / "round-trip.toml"
    path.write_text(TAIPEI_DAEGU, encoding="utf-8")
    return path


def show_json(run: Run, path: Path, tie: str) -> dict[str, Any]:
    result = run("-r", path, "show", tie, "-f", "json", "--as-of", "2026-01-01")
    assert result.exit_code == ExitCode.OK, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@ROUND_TRIP
@given(title=ONE_LINE, note=PARAGRAPH, name=NAME, role=NAME, venue=ONE_LINE)
def test_agreement_text_round_trips(
    run: Run, tmp_path: Path, title: str, note: str, name: str, role: str, venue: str
) -> None:
    path = fresh(tmp_path)
    result = run("-r", path, "add", "agreement", "taipei-daegu", "-d", "2021-03-26",
                 f"--title={title}", f"--note={note}", f"--signatory={name} ({role})",
                 f"--venue={venue}", f"--field={title}")  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.stderr
    [agreement] = show_json(run, path, "taipei-daegu")["agreements"]
    assert agreement["title"] == title
    assert agreement["notes"] == note
    assert agreement["signatories"] == [{"name": name, "role": role}]
    assert agreement["venue"] == venue
    assert agreement["fields"] == [title]
    assert len(load(path).partnerships) == 1


@ROUND_TRIP
@given(kind=ONE_LINE, title=ONE_LINE, details=PARAGRAPH)
def test_exchange_text_round_trips(
    run: Run, tmp_path: Path, kind: str, title: str, details: str
) -> None:
    path = fresh(tmp_path)
    result = run("-r", path, "add", "exchange", "Taipei", "Daegu", "-d", "2017",
                 f"--kind={kind}", f"--title={title}", f"--details={details}")  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.stderr
    [exchange] = show_json(run, path, "taipei-daegu")["exchanges"]
    assert (exchange["kind"], exchange["title"], exchange["details"]) == (kind, title, details)


@ROUND_TRIP
@given(name=ONE_LINE, kind=ONE_LINE, title=ONE_LINE, note=PARAGRAPH)
def test_new_city_and_tie_text_round_trips(
    run: Run, tmp_path: Path, name: str, kind: str, title: str, note: str
) -> None:
    path = fresh(tmp_path)
    # The cities after "--": a name may start with "-" and is not an option then.
    result = run("-r", path, "add", "partnership", "-e", "2000", f"--kind={kind}",
                 f"--title={title}", f"--note={note}", "--", f"{name}, Japan", "Daegu")  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.stderr
    listed = json.loads(run("-r", path, "list", "-f", "json").stdout)
    [new] = [row for row in listed if row["id"] != "taipei-daegu"]
    tie = show_json(run, path, new["id"])
    assert tie["cities"][0]["name"] == name.strip()
    assert tie["cities"][0]["country"] == "JP"
    assert tie["kind_as_founded"] == kind
    assert tie["notes"] == note
    assert [a["title"] for a in tie["agreements"]] == [title]


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",))))
def test_strings_are_written_as_tomli_w_writes_them(text: str) -> None:
    import tomli_w

    written = store_fragment._toml_string(text)
    assert written == tomli_w.dumps({"v": text})[len("v = ") : -1]
    assert tomli.loads(f"v = {written}") == {"v": text}
