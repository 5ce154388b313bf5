"""The index: used only for the very bytes it was made from, ignored (and made again)
when anything about it is wrong, kept up to date by appends, and giving exactly what a
full read of the file gives."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sisterctl import store
from sisterctl.errors import ExitCode
from sisterctl.store import index as store_index
from sisterctl.store import index_records
from sisterctl.store import read as store_read
from tests.conftest import DATA, Run

AS_OF = "2026-11-28"
COMMANDS = (
    ("list", "--city", "Daegu"),
    ("list", "--kind", "sister city"),
    # A kind by its words (`core.query.kind_matcher`), not its whole text.
    ("list", "--kind", "sister"),
    ("list", "--kind", "friendship", "--format", "tsv"),
    ("upcoming", "--within", "1y", "--kind", "sister"),
    ("list", "--status", "ended"),
    ("list", "--city", "sao"),
    ("list", "--city", "Praha"),
    ("list", "--city", "taegu", "--format", "tsv"),
    ("list", "--country", "KR"),
    ("show", "taipei-daegu"),
    ("show", "Daegu", "Taipei"),
    ("show", "taipei-dageu"),
    ("show", "Taipei"),
    ("upcoming", "--within", "1y"),
    ("upcoming", "--within", "30"),
    ("upcoming", "--within", "1y", "--city", "taegu"),
    ("list",),
)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each time a registry file is parsed whole (rather than read from the index)."""
    calls: list[str] = []
    real = store_read.parse_toml

    def counting(text: str, path: Path | str) -> dict[str, Any]:
        calls.append(str(path))
        return real(text, path)

    monkeypatch.setattr(store_read, "parse_toml", counting)
    return calls


def index_files() -> list[Path]:
    where = store_index.folder()
    return sorted(where.glob("*.sqlite")) if where.is_dir() else []


def outputs(
    run: Run, registry: Path, commands: tuple[tuple[str, ...], ...] = COMMANDS
) -> list[Any]:
    """What each command prints and exits with."""
    found = []
    for words in commands:
        as_of = ["--as-of", AS_OF] if words[0] in ("list", "show", "upcoming") else []
        result = run("-r", registry, *words, *as_of)
        found.append((words, result.exit_code, result.stdout, result.stderr))
    return found


def without_index(run: Run, registry: Path, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    with monkeypatch.context() as m:
        m.setenv("SISTERCTL_NO_INDEX", "1")
        return outputs(run, registry)


def test_the_index_lives_in_the_user_cache_folder(cache_home: Path) -> None:
    assert store_index.folder() == cache_home / "sisterctl" / "index"


def test_a_command_indexes_the_registry_and_the_next_reads_the_index(
    run: Run, small_registry: Path, parses: list[str]
) -> None:
    first = run("-r", small_registry, "list", "--as-of", AS_OF)
    assert first.exit_code == 0 and len(parses) == 1 and len(index_files()) == 1
    (made,) = index_files()
    assert made.stat().st_mode & 0o777 == 0o600
    assert made.parent.stat().st_mode & 0o777 == 0o700
    second = run("-r", small_registry, "list", "--as-of", AS_OF)
    assert len(parses) == 1  # not parsed again
    assert second.stdout == first.stdout


def test_loading_from_python_writes_no_index_unless_asked(small_registry: Path) -> None:
    store.load(small_registry)
    assert index_files() == []
    store.load(small_registry, index=True)
    assert len(index_files()) == 1


def test_the_index_can_be_turned_off(
    run: Run, small_registry: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SISTERCTL_NO_INDEX", "SISTERCTL_NO_CACHE"):
        with monkeypatch.context() as m:
            m.setenv(name, "1")
            assert run("-r", small_registry, "list").exit_code == 0
            assert index_files() == []
    assert len(parses) == 2


def test_reads_through_the_index_equal_full_reads(
    run: Run, small_registry: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    expected = without_index(run, small_registry, monkeypatch)
    outputs(run, small_registry)  # makes the index
    count = len(parses)
    assert outputs(run, small_registry) == expected
    assert len(parses) == count  # all of them from the index


def test_list_by_city_makes_no_model_record(
    run: Run, small_registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("-r", small_registry, "list")  # makes the index

    def no_records(*args: object, **kwargs: object) -> None:
        raise AssertionError("model records read")

    monkeypatch.setattr(index_records, "registry", no_records)
    monkeypatch.setattr(store_read, "load", no_records)
    found = run("-r", small_registry, "list", "--city", "대구광역시", "--format", "tsv")
    assert found.exit_code == ExitCode.OK, found.stderr
    ids = [line.split("\t")[0] for line in found.stdout.splitlines()[1:]]
    assert ids == ["daegu-sao-paulo", "taipei-daegu"]
    # A city the index's names point --city at, whose record does not bear the name.
    planted = index_files()[0]
    tamper(planted, "INSERT INTO city_name SELECT n, 'daegu' FROM city WHERE id = 'prague-cz'")
    again = run("-r", small_registry, "list", "--city", "Daegu", "--format", "tsv")
    assert [line.split("\t")[0] for line in again.stdout.splitlines()[1:]] == ids


def test_a_hand_edit_that_keeps_size_and_time_is_seen(
    run: Run, small_registry: Path, parses: list[str]
) -> None:
    assert "Taipei" in run("-r", small_registry, "show", "taipei-daegu").stdout
    before = small_registry.stat()
    text = small_registry.read_text(encoding="utf-8")
    edited = text.replace('name = "Taipei"', 'name = "Taipou"', 1)
    assert edited != text and len(edited) == len(text)
    small_registry.write_text(edited, encoding="utf-8")
    os.utime(small_registry, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert small_registry.stat().st_size == before.st_size
    result = run("-r", small_registry, "show", "taipei-daegu")
    assert result.stdout.startswith("Taipou–Daegu")
    assert len(parses) == 2


# ---------------------------------------------------------------------------
# The settled stat: a registry known again without hashing its bytes


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each time a registry file is hashed to find its index."""
    calls: list[str] = []
    real = store_index.digest_of

    def counting(path: Path) -> tuple[str, int]:
        calls.append(str(path))
        return real(path)

    monkeypatch.setattr(store_index, "digest_of", counting)
    return calls


@pytest.fixture
def settled_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file's stat is trusted however recently it changed (in place of 2 seconds)."""
    monkeypatch.setattr(store_index, "SETTLE_NS", 0)


def seen(registry: Path) -> str:
    (path,) = index_files()
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT value FROM meta WHERE key = 'seen'").fetchone()[0]
    finally:
        conn.close()


def changed_in_place(registry: Path, old: str, new: str) -> None:
    """An edit of the same size that puts the modification time back, written until
    the change time moves on (a coarse clock may give two writes the same one)."""
    before = registry.stat()
    text = registry.read_text(encoding="utf-8")
    edited = text.replace(old, new, 1)
    assert edited != text and len(edited) == len(text)
    for _ in range(200):
        registry.write_text(edited, encoding="utf-8")
        os.utime(registry, ns=(before.st_atime_ns, before.st_mtime_ns))
        after = registry.stat()
        if after.st_ctime_ns != before.st_ctime_ns:
            break
        time.sleep(0.01)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )


@pytest.mark.skipif(os.name != "posix", reason="a change time is a creation time here")
def test_a_settled_registry_is_read_without_hashing_it(
    run: Run, small_registry: Path, settled_at_once: None, hashes: list[str], parses: list[str]
) -> None:
    first = run("-r", small_registry, "show", "taipei-daegu")
    assert len(parses) == 1 and seen(small_registry) == store_index.file_state(
        small_registry.stat()
    )
    hashes.clear()
    again = run("-r", small_registry, "show", "taipei-daegu")
    assert again.stdout == first.stdout and again.stdout.startswith("Taipei–Daegu")
    assert hashes == [] and len(parses) == 1


def test_a_registry_that_changed_within_two_seconds_is_hashed_every_time(
    run: Run, small_registry: Path, hashes: list[str], parses: list[str]
) -> None:
    small_registry.write_bytes(small_registry.read_bytes())  # changed just now
    run("-r", small_registry, "list")
    assert seen(small_registry) == ""  # not settled: not noted
    hashes.clear()
    for _ in range(2):
        assert "Taipei" in run("-r", small_registry, "list").stdout
    assert len(hashes) == 2 and len(parses) == 1


@pytest.mark.skipif(os.name != "posix", reason="a change time is a creation time here")
def test_an_edit_that_keeps_size_and_modification_time_is_seen_after_a_settled_stat(
    run: Run, small_registry: Path, settled_at_once: None, parses: list[str]
) -> None:
    assert run("-r", small_registry, "show", "taipei-daegu").stdout.startswith("Taipei–Daegu")
    assert seen(small_registry) != ""
    changed_in_place(small_registry, 'name = "Taipei"', 'name = "Taipou"')
    result = run("-r", small_registry, "show", "taipei-daegu")
    assert result.stdout.startswith("Taipou–Daegu")
    assert len(parses) == 2


@pytest.mark.skipif(os.name != "posix", reason="a change time is a creation time here")
def test_a_touched_registry_is_hashed_once_and_its_new_stat_noted(
    run: Run, small_registry: Path, settled_at_once: None, hashes: list[str], parses: list[str]
) -> None:
    expected = run("-r", small_registry, "list").stdout
    noted = seen(small_registry)
    os.utime(small_registry, ns=(1_000_000_000, 1_000_000_000))  # the same bytes
    hashes.clear()
    assert run("-r", small_registry, "list").stdout == expected
    assert len(hashes) == 1 and len(parses) == 1  # hashed: the same bytes, no parse
    assert seen(small_registry) not in ("", noted)
    assert run("-r", small_registry, "list").stdout == expected
    assert len(hashes) == 1


@pytest.mark.skipif(os.name != "posix", reason="a change time is a creation time here")
def test_an_append_after_a_settled_stat_writes_the_old_bytes_and_the_new_records(
    run: Run, small_registry: Path, settled_at_once: None, hashes: list[str]
) -> None:
    old = small_registry.read_bytes()
    run("-r", small_registry, "list")
    hashes.clear()
    added = run(
        "-r", small_registry, "add", "exchange", "taipei-daegu",
        "--date", "2026-05-04", "--kind", "youth", "--title", "Summer camp",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    new = small_registry.read_bytes()
    assert new.startswith(old) and b"Summer camp" in new[len(old) :]
    assert hashes == []  # the old bytes were hashed as they were copied, not before
    assert seen(small_registry) == ""  # the new file's stat: not settled, not noted
    assert "Summer camp" in run("-r", small_registry, "show", "taipei-daegu").stdout


@pytest.mark.skipif(os.name != "posix", reason="a change time is a creation time here")
def test_an_append_whose_noted_stat_lies_reads_the_whole_file(
    run: Run, small_registry: Path, settled_at_once: None, parses: list[str]
) -> None:
    run("-r", small_registry, "list")
    (path,) = index_files()
    # The index says it was made from other bytes, and that their stat is the file's.
    tamper(path, "UPDATE meta SET value = 'ab' WHERE key = 'source'")
    old = small_registry.read_bytes()
    added = run(
        "-r", small_registry, "add", "exchange", "taipei-daegu",
        "--date", "2026-05-04", "--kind", "youth", "--title", "Summer camp",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    new = small_registry.read_bytes()
    assert new.startswith(old) and new.count(b"Summer camp") == 1
    assert len(parses) >= 2  # read whole, as without an index


# ---------------------------------------------------------------------------
# Indexes not to be trusted: ignored, never a crash, never a different answer


def planted(run: Run, registry: Path) -> Path:
    assert run("-r", registry, "list").exit_code == 0
    (path,) = index_files()
    return path


def tamper(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        for sql in statements:
            conn.execute(sql)
    conn.close()


HOSTILE = {
    "a trigger": ("CREATE TRIGGER t AFTER INSERT ON city BEGIN DELETE FROM tie; END",),
    "a view": ("CREATE VIEW v AS SELECT * FROM tie",),
    "another table": ("CREATE TABLE extra (x)",),
    "another index": ("CREATE INDEX extra ON tie (kind)",),
    "a meta key too many": ("INSERT INTO meta VALUES ('more', 'x')",),
    "another hash": ("UPDATE meta SET value = 'ab' WHERE key = 'source'",),
    "another fingerprint": ("UPDATE meta SET value = 'ab' WHERE key = 'fingerprint'",),
    "settings that are not a table": ("UPDATE meta SET value = '[1]' WHERE key = 'settings'",),
    "a tie row missing": ("DELETE FROM tie WHERE id = 'taipei-daegu'",),
    "a city row missing": ("DELETE FROM city WHERE n = 0",),
    "JSON that is not": ("UPDATE city SET data = '{' WHERE n = 0",),
    "a row of another type": ("UPDATE tie SET data = 42 WHERE n = 0",),
    "a fast flag out of range": ("UPDATE tie SET fast = 7",),
    "a record that does not build": (
        "UPDATE tie SET fast = 0, data = '{\"id\": 5}' WHERE id = 'taipei-daegu'",
    ),
    "ids swapped": (
        "UPDATE tie SET id = 'x' WHERE id = 'taipei-daegu'",
        "UPDATE tie SET id = 'taipei-daegu' WHERE id = 'prague-beijing'",
        "UPDATE tie SET id = 'prague-beijing' WHERE id = 'x'",
    ),
    # Columns that put a row in a selection it does not belong to. (A column that
    # keeps a row out of one cannot be seen without reading every row: only the
    # index's owner could write it, and it shows wrong data, never runs code.)
    "a city column that lies": (
        "UPDATE tie SET city_b = (SELECT n FROM city WHERE id = 'sao-paulo-br') "
        "WHERE id = 'prague-beijing'",
    ),
    # `list --city` reads the names of the cities it may mean from their records.
    "a city name that lies": (
        "INSERT INTO city_name SELECT n, 'daegu' FROM city WHERE id = 'prague-cz'",
    ),
    "a tie's cities that are not two": (
        "UPDATE tie SET data = json_set(data, '$.cities', 5) WHERE id = 'taipei-daegu'",
    ),
    "a date column that lies": ("UPDATE tie SET month = NULL, day = NULL, precision = 'year'",),
    "a status column that lies": ("UPDATE tie SET status = 'ended'",),
    "a kind column that lies": ("UPDATE tie SET kind = 'sister city'",),
    "another format": ("PRAGMA user_version = 99",),
    # The facts `upcoming` reads in place of the records (store/index.py, tie_facts).
    "facts that are not": ("UPDATE tie SET facts = 'x'",),
    "facts of another shape": ("UPDATE tie SET facts = '[\"a\", 2]'",),
    "facts with a day that does not exist": (
        "UPDATE tie SET facts = replace(facts, '2010-11-04', '2010-02-30')",
    ),
    "facts with a status of their own": ("UPDATE tie SET facts = replace(facts, 'active', 'x')",),
    "a sort column that lies": ("UPDATE tie SET sort = 'a' || sort WHERE id = 'taipei-daegu'",),
}


@pytest.mark.parametrize("how", sorted(HOSTILE))
def test_an_index_with_unexpected_content_is_ignored(
    how: str, run: Run, small_registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = without_index(run, small_registry, monkeypatch)
    path = planted(run, small_registry)
    tamper(path, *HOSTILE[how])
    assert outputs(run, small_registry) == expected


def test_garbage_in_place_of_an_index_is_ignored_and_replaced(
    run: Run, small_registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = without_index(run, small_registry, monkeypatch)
    path = planted(run, small_registry)
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(3000))
    assert outputs(run, small_registry) == expected
    assert store_index.open_index(
        small_registry, source=None, size=small_registry.stat().st_size
    ), "made again"


def test_an_index_that_is_a_symbolic_link_is_not_followed(
    run: Run, small_registry: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    expected = without_index(run, small_registry, monkeypatch)
    path = planted(run, small_registry)
    elsewhere = tmp_path / "elsewhere.sqlite"
    shutil.move(path, elsewhere)
    tamper(elsewhere, "UPDATE tie SET fast = 0")  # (still a valid index)
    path.symlink_to(elsewhere)
    assert store_index.open_index(small_registry, source=None, size=1 << 20) is None
    assert outputs(run, small_registry) == expected
    assert not path.is_symlink()  # replaced by an index of its own
    assert elsewhere.is_file()


def test_a_fifo_in_place_of_an_index_is_ignored(
    run: Run, small_registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    expected = without_index(run, small_registry, monkeypatch)
    path = planted(run, small_registry)
    path.unlink()
    os.mkfifo(path)
    assert outputs(run, small_registry) == expected  # and no read that blocks


def test_an_index_writable_by_others_is_ignored(
    run: Run, small_registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = planted(run, small_registry)
    size = small_registry.stat().st_size
    assert store_index.open_index(small_registry, source=None, size=size) is not None
    path.chmod(0o620)
    assert store_index.open_index(small_registry, source=None, size=size) is None
    path.chmod(0o600)
    path.parent.chmod(0o770)
    assert store_index.open_index(small_registry, source=None, size=size) is None
    path.parent.chmod(0o700)
    assert store_index.open_index(small_registry, source=None, size=size) is not None


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file away"
)
def test_an_index_owned_by_someone_else_is_ignored(
    run: Run, small_registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = without_index(run, small_registry, monkeypatch)
    path = planted(run, small_registry)
    tamper(path, "UPDATE tie SET kind = 'x', kind_now = 'x'")
    os.chown(path, 65534, 65534)
    size = small_registry.stat().st_size
    assert store_index.open_index(small_registry, source=None, size=size) is None
    assert outputs(run, small_registry) == expected
    assert path.stat().st_uid == os.geteuid()  # made again, as the user's own


def test_an_index_far_larger_than_its_registry_is_ignored(small_registry: Path) -> None:
    store.load(small_registry, index=True)
    (path,) = index_files()
    size = small_registry.stat().st_size
    with path.open("ab") as handle:
        handle.truncate(store_index.size_cap(size) + 1)
    assert store_index.open_index(small_registry, source=None, size=size) is None


def test_stale_temporary_files_are_pruned(run: Run, small_registry: Path) -> None:
    folder = store_index.folder()
    folder.mkdir(parents=True, mode=0o700)
    folder.parent.chmod(0o700)
    stale = folder / ".0123.sqlite.sisterctl-dead.tmp"
    fresh = folder / ".4567.sqlite.sisterctl-live.tmp"
    for path in (stale, fresh):
        path.write_bytes(b"half an index")
    old = time.time() - 2 * store_index.STALE_TEMP_SECONDS
    os.utime(stale, (old, old))
    assert run("-r", small_registry, "list").exit_code == 0
    assert not stale.exists()
    assert fresh.exists()  # another process may be writing it


def test_an_unwritable_cache_folder_costs_nothing_but_speed(
    run: Run, small_registry: Path, cache_home: Path
) -> None:
    cache_home.chmod(0o500)
    try:
        result = run("-r", small_registry, "show", "taipei-daegu")
    finally:
        cache_home.chmod(0o700)
    assert result.exit_code == 0 and "Taipei" in result.stdout and result.stderr == ""


# ---------------------------------------------------------------------------
# Appends keep the index up to date


def test_an_append_updates_the_index_and_reads_back_only_what_it_added(
    run: Run, small_registry: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sisterctl.store import appends

    run("-r", small_registry, "list")
    assert len(parses) == 1
    whole: list[str] = []
    real = appends._parse_new

    def counting(path: Path, text: str) -> dict[str, Any]:
        whole.append(text)
        return real(path, text)

    monkeypatch.setattr(appends, "_parse_new", counting)
    added = run(
        "-r",
        small_registry,
        "add",
        "exchange",
        "taipei-daegu",
        "-d",
        "2026-05-01",
        "-k",
        "visit",
        "-t",
        "Spring visit",
    )
    assert added.exit_code == 0, added.stderr
    assert len(whole) == 1 and whole[0].lstrip().startswith("[[exchange]]")  # the fragment only
    assert len(parses) == 1  # the registry itself was not parsed
    shown = run("-r", small_registry, "show", "taipei-daegu")
    assert "Spring visit" in shown.stdout
    assert len(parses) == 1  # the index was brought up to date, not made again
    with monkeypatch.context() as m:
        m.setenv("SISTERCTL_NO_INDEX", "1")
        assert run("-r", small_registry, "show", "taipei-daegu").stdout == shown.stdout


def test_appends_keep_what_upcoming_reads_up_to_date(
    run: Run, small_registry: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`upcoming` reads each tie's facts (kind over time, status) from the index: an
    upgrade, an end and a resumption appended through it change its rows as they
    change those of a full read, without the registry being parsed again."""
    upcoming = ("upcoming", "--within", "2y", "--all", "--as-of", "2026-11-01")
    run("-r", small_registry, "list")
    steps = [
        (
            "add",
            "agreement",
            "taipei-daegu",
            "-d",
            "2026-12-01",
            "-k",
            "upgrade",
            "--to-kind",
            "friendship and cooperation city",
            "-t",
            "An upgrade",
        ),
        ("end", "taipei-daegu", "-d", "2026-12-10", "--suspend"),
        ("resume", "taipei-daegu", "-d", "2026-12-20"),
        ("end", "taipei-daegu", "-d", "2027-01-05"),
    ]
    seen = []
    for words in steps:
        done = run("-r", small_registry, *words)
        assert done.exit_code == 0, done.stderr
        got = run("-r", small_registry, *upcoming).stdout
        with monkeypatch.context() as m:
            m.setenv("SISTERCTL_NO_INDEX", "1")
            assert got == run("-r", small_registry, *upcoming).stdout
        seen.append(got)
    assert len(parses) == 1 + len(steps)  # once at first, and each NO_INDEX read after
    assert "friendship and cooperation city" in seen[0]
    assert "Taipei–Daegu (suspended)" in seen[1] and "Taipei–Daegu (ended)" in seen[3]
    assert "Taipei–Daegu (" not in seen[2] and "Taipei–Daegu " in seen[2]


def test_an_append_with_a_stale_index_reads_the_file(
    run: Run, small_registry: Path, parses: list[str]
) -> None:
    run("-r", small_registry, "list")
    with small_registry.open("a", encoding="utf-8") as handle:
        handle.write("# a comment added by hand\n")
    added = run("-r", small_registry, "end", "taipei-daegu", "-d", "2026-01-01")
    assert added.exit_code == 0, added.stderr
    assert small_registry.read_text(encoding="utf-8").count("# a comment added by hand") == 1
    assert len(parses) == 2
    assert "ended" in run("-r", small_registry, "show", "taipei-daegu").stdout
    assert len(parses) == 2  # indexed as it was written


# ---------------------------------------------------------------------------
# Through the index or not, the same answers, on generated registries

NAMES = ("Daegu", "Taipei", "São Paulo", "Sao Paulo", "Praha", "Beijing", "Ōsaka", "Osaka")
COUNTRIES = ("KR", "TW", "BR", "CZ", "CN", "JP")


@st.composite
def registries(draw: st.DrawFn) -> str:
    n_cities = draw(st.integers(2, 7))
    lines = ["schema_version = 1"]
    if draw(st.booleans()):
        lines += ["[settings]", f'leap_day = "{draw(st.sampled_from(["feb28", "mar1"]))}"']
    cities = []
    for i in range(n_cities):
        name = draw(st.sampled_from(NAMES))
        cid = f"c{i}"
        cities.append(cid)
        lines += ["", "[[city]]", f'id = "{cid}"', f'name = "{name}"']
        lines.append(f'country = "{draw(st.sampled_from(COUNTRIES))}"')
        if draw(st.booleans()):
            lines.append(f'aliases = ["{draw(st.sampled_from(NAMES))}"]')
        if draw(st.booleans()):
            lines.append(f"extra_key = {draw(st.integers(0, 9))}")
    pairs = [(a, b) for a in cities for b in cities if a < b]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, min_size=1, max_size=8))
    ties = []
    for a, b in chosen:
        tid = f"{a}-{b}"
        ties.append(tid)
        lines += ["", "[[partnership]]", f'id = "{tid}"', f'cities = ["{a}", "{b}"]']
        date = draw(
            st.one_of(
                st.none(),
                st.dates(min_value=_date(1990), max_value=_date(2025)).map(str),
                st.integers(1990, 2025).map(str),
                st.dates(min_value=_date(1990), max_value=_date(2025)).map(lambda d: f"{d:%Y-%m}"),
                st.just("2000-02-29"),
            )
        )
        if date is not None:
            lines.append(f'established = "{date}"')
        if draw(st.booleans()):
            lines.append(f'kind = "{draw(st.sampled_from(["friendship city", "sister city"]))}"')
    for _ in range(draw(st.integers(0, 4))):
        tid = draw(st.sampled_from(ties))
        lines += ["", "[[agreement]]", f'partnership = "{tid}"', 'title = "A memorandum"']
        lines.append(f'date = "{draw(st.integers(2000, 2025))}-0{draw(st.integers(1, 9))}-15"')
        if draw(st.booleans()):
            lines += ['kind = "upgrade"', 'to_kind = "sister city"']
    for _ in range(draw(st.integers(0, 2))):
        tid = draw(st.sampled_from(ties))
        lines += ["", "[[status_change]]", f'partnership = "{tid}"', 'date = "2025-01-01"']
        lines.append(f'status = "{draw(st.sampled_from(["ended", "suspended"]))}"')
    return "\n".join(lines) + "\n"


def _date(year: int) -> Any:
    import datetime as dt

    return dt.date(year, 1, 1)


QUERIES = st.lists(
    st.one_of(
        st.tuples(st.just("list"), st.just("--city"), st.sampled_from([*NAMES, "pau", "c1", "x"])),
        # --city from the ties' facts, with the filters decided beside it.
        st.tuples(
            st.just("list"),
            st.just("--city"),
            st.sampled_from(["Daegu", "osaka", "pau", "c2"]),
            st.sampled_from(["--country", "--since", "--status"]),
            st.sampled_from(["KR", "2000", "active"]),
            st.just("--format"),
            st.sampled_from(["tsv", "table"]),
        ),
        st.tuples(
            st.just("list"),
            st.just("--kind"),
            st.sampled_from(["sister city", "sister", "city", "friendship", "-"]),
        ),
        st.tuples(st.just("list"), st.just("--status"), st.sampled_from(["ended", "active"])),
        # From the ties' facts: every order, the table and the data formats.
        st.tuples(
            st.just("list"),
            st.just("--sort"),
            st.sampled_from(["established", "city", "country", "kind", "status", "id"]),
            st.just("--format"),
            st.sampled_from(["table", "tsv", "json"]),
        ),
        st.tuples(st.just("list"), st.just("--country"), st.sampled_from(["KR", "JP", "xx"])),
        st.tuples(st.just("show"), st.sampled_from(["c0-c1", "c1-c0", "c0-c2", "Daegu", "zz"])),
        st.tuples(st.just("show"), st.sampled_from(NAMES), st.sampled_from(NAMES)),
        st.tuples(
            st.just("upcoming"),
            st.just("--within"),
            st.sampled_from(["1", "30", "6w", "3m", "1y", "2y"]),
            st.just("--as-of"),
            st.dates(min_value=_date(2026), max_value=_date(2027)).map(str),
        ),
        st.tuples(
            st.just("upcoming"), st.just("--agreements"), st.just("--city"), st.just("Taipei")
        ),
        # A year or more: the ties the filters choose, read without a selection by date.
        st.tuples(
            st.just("upcoming"),
            st.just("--within"),
            st.sampled_from(["1y", "2y", "400"]),
            st.sampled_from(["--city", "--kind", "--country"]),
            st.sampled_from([*NAMES, "sister city", "KR", "pau"]),
            st.sampled_from(["--agreements", "--all"]),
        ),
    ),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=registries(), queries=QUERIES)
def test_the_index_gives_what_a_full_read_gives(
    text: str,
    queries: list[tuple[str, ...]],
    run: Run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "generated.toml"
    path.write_text(text, encoding="utf-8")
    commands = tuple(queries)
    with monkeypatch.context() as m:
        m.setenv("SISTERCTL_NO_INDEX", "1")
        expected = outputs(run, path, commands)
    run("-r", path, "list")  # makes the index
    assert outputs(run, path, commands) == expected


def test_the_bundled_registry_reads_the_same_through_the_index(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bundled.toml"
    shutil.copy(store.bundled_path(), path)
    commands = (
        *COMMANDS,
        ("list", "--city", "Taipei"),
        ("list", "--format", "json"),
        ("upcoming", "--within", "1y", "--agreements", "--format", "json"),
        ("show", "taipei-daegu", "--format", "json"),
    )
    with monkeypatch.context() as m:
        m.setenv("SISTERCTL_NO_INDEX", "1")
        expected = outputs(run, path, commands)
    run("-r", path, "list")
    assert outputs(run, path, commands) == expected


def test_records_in_unusual_forms_read_back_through_build(
    run: Run, write_registry: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records in forms sisterctl does not write (TOML dates, a single alias as a
    string, unknown keys holding a datetime or a table with a `$` key) come back
    equal, through the plain-form decoder or through records.build."""
    path = write_registry(
        (DATA / "small.toml").read_text(encoding="utf-8")
        + '\n[[city]]\nid = "odd"\nname = "Odd"\ncountry = "JP"\naliases = "Oddo"\n'
        'when = 2020-01-02T03:04:05+09:00\n"$weird" = 1\n'
        '\n[[partnership]]\nid = "odd-taipei"\ncities = ["odd", "taipei-tw"]\n'
        "established = 2001-02-03\n"
        '\n[[exchange]]\npartnership = "odd-taipei"\ndate = 2002-03-04\nkind = "visit"\n'
        'title = "A visit"\nnote = { "$date" = "x" }\n'
    )
    commands = (("show", "odd-taipei", "--format", "json"), ("list", "--city", "Oddo"))
    with monkeypatch.context() as m:
        m.setenv("SISTERCTL_NO_INDEX", "1")
        expected = outputs(run, path, commands)
    run("-r", path, "list")
    assert outputs(run, path, commands) == expected
    # Every record through records.build instead of the plain-form decoder: the same.
    (made,) = index_files()
    tamper(made, *(f"UPDATE {t} SET fast = 0" for t in ("city", "tie", "exchange")))
    assert outputs(run, path, commands) == expected


# A record of each table with every key its field table knows, in the plain form.
EVERY_KEY = """
[[city]]
id = "taipei-tw"
name = "Taipei"
country = "TW"
type = "city"
local_name = "臺北市"
aliases = ["Taihoku"]
lat = 25.05306
lon = 121.52639
geonames = 1668341
wikidata = "Q1867"
notes = "The capital."
sources = ["https://example.org/taipei"]
ignore_warnings = ["no-coordinates"]

[[city]]
id = "daegu-kr"
name = "Daegu"
country = "KR"
geonames = 1835329
wikidata = "Q20927"

[[partnership]]
id = "taipei-daegu"
cities = ["taipei-tw", "daegu-kr"]
kind = "friendship city"
established = "2010-11-04"
status = "active"
status_date = "2010-11-04"
status_reason = "Founded."
fields = ["tourism"]
notes = "A tie."
sources = ["https://example.org/tie"]
ignore_warnings = ["no-sources"]

[[agreement]]
partnership = "taipei-daegu"
date = "2021"
title = "A memorandum"
kind = "upgrade"
to_kind = "sister city"
signatories = ["A Mayor", { name = "B Mayor", role = "mayor" }]
mode = "in-person"
venue = "City Hall"
fields = ["tourism"]
status = "planned"
notes = "Planned."
sources = ["https://example.org/agreement"]
before_founding = false
ignore_warnings = ["overdue-planned"]

[[exchange]]
partnership = "taipei-daegu"
date = "2024-05-01"
kind = "visit"
title = "A visit"
venue = "City Hall"
mode = "in-person"
fields = ["culture"]
details = "A delegation."
sources = ["https://example.org/visit"]
before_founding = false
ignore_warnings = ["before-founding"]

[[status_change]]
partnership = "taipei-daegu"
date = "2025-01-01"
status = "suspended"
reason = "A pause."
sources = ["https://example.org/pause"]
ignore_warnings = ["x"]
"""


def test_records_with_every_known_key_read_back_through_the_plain_form_decoder(
    run: Run, write_registry: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key the field tables know but the plain-form decoder does not would send every
    record that has it through records.build (13,000 cities with a GeoNames id made
    `upcoming --within 1y` twice as slow): each record here, with every known key,
    reads back through the decoder, and as a full read gives it."""
    from sisterctl.records.fields import TABLES

    path = write_registry("schema_version = 1\n" + EVERY_KEY)
    for table in TABLES.values():
        # The first record of the table, one key a line: every key the table knows.
        block = EVERY_KEY.split(f"[[{table.name}]]\n", 1)[1].split("\n\n", 1)[0]
        keys = {line.split(" = ", 1)[0] for line in block.splitlines()}
        assert keys == {field.key for field in table.fields}, table.name
    commands = (("show", "taipei-daegu", "--format", "json"), ("list", "--city", "Taihoku"))
    with monkeypatch.context() as m:
        m.setenv("SISTERCTL_NO_INDEX", "1")
        expected = outputs(run, path, commands)
    run("-r", path, "list")
    (made,) = index_files()
    conn = sqlite3.connect(made)
    slow = {
        table: conn.execute(f"SELECT count(*) FROM {table} WHERE fast = 0").fetchone()[0]
        for table in ("city", "tie", "agreement", "exchange", "status_change")
    }
    conn.close()
    assert slow == dict.fromkeys(slow, 0)
    assert outputs(run, path, commands) == expected


def test_tagged_values_round_trip() -> None:
    import datetime as dt

    record = {
        "a": dt.date(2020, 1, 2),
        "b": dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=9))),
        "c": dt.time(3, 4, 5),
        "$date": "not a date",
        "$$x": [{"$time": 1}],
        "d": float("inf"),
    }
    assert store_index.decode(store_index.encode(record)) == record


@pytest.mark.parametrize("name", ["list.toml", "small.toml", "anniversaries.toml", "timeline.toml"])
def test_every_order_of_list_reads_the_same_through_the_index(
    name: str, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`list` makes its rows from the ties' facts in the index: in every order, as a
    table and as data, the same as from the file read whole."""
    path = tmp_path / name
    shutil.copy(DATA / name, path)
    commands = tuple(
        ("list", "--sort", key, *form)
        for key in ("established", "city", "country", "kind", "status", "id")
        for form in ((), ("--format", "tsv"), ("--format", "json"))
    )
    with monkeypatch.context() as m:
        m.setenv("SISTERCTL_NO_INDEX", "1")
        expected = outputs(run, path, commands)
    run("-r", path, "list")
    assert outputs(run, path, commands) == expected
    orders = {stdout for (words, _, stdout, _) in expected if len(words) == 3}
    assert len(orders) > 2  # the orders differ: the test can tell them apart


def test_a_name_holding_the_facts_separator_reads_back_through_json(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tie's facts are one text split at U+001F; a name that holds that character
    (a hand edit can write it) makes them a JSON list instead, and reads back whole."""
    path = tmp_path / "separator.toml"
    text = (DATA / "small.toml").read_text(encoding="utf-8")
    path.write_text(text.replace('name = "Taipei"', 'name = "Tai\\u001fpei"', 1), encoding="utf-8")
    commands = (
        ("upcoming", "--within", "2y", "--format", "json"),
        ("list", "--format", "tsv"),
    )
    with monkeypatch.context() as m:
        m.setenv("SISTERCTL_NO_INDEX", "1")
        expected = outputs(run, path, commands)
    run("-r", path, "list")
    facts = [row[0] for row in sqlite3.connect(index_files()[0]).execute("SELECT facts FROM tie")]
    assert any(f.startswith("[") and "Tai\\u001fpei" in f for f in facts)
    assert outputs(run, path, commands) == expected
    assert '"city_a": "Tai\\u001fpei"' in expected[0][2]  # the name whole, as JSON writes it


# ---------------------------------------------------------------------------
# A large registry's index is written by two processes


def _index_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the one index there is, table by table, in `n` order."""
    (path,) = index_files()
    conn = sqlite3.connect(path)
    try:
        tables = [
            name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
            for table in tables
        }
    finally:
        conn.close()


# Written by a fresh Python: a process of its own, with no threads that other tests
# left running (with threads, the index is written without a helper).
_WRITER = """
import os, sys
from pathlib import Path
from sisterctl import store
from sisterctl.store import dirs, index_records

dirs.user_cache_path = lambda: Path(sys.argv[4])  # the test's cache folder
index_records.PARALLEL_FROM = int(sys.argv[2])
parent, forks = os.getpid(), []
real_fork, real_others = os.fork, index_records._insert_others

def fork():
    forks.append(1)
    return real_fork()

def others(*args):
    if sys.argv[3] == "fail" and os.getpid() != parent:
        raise RuntimeError("the helper fails")
    print("others in", "parent" if os.getpid() == parent else "child", flush=True)
    real_others(*args)

os.fork, index_records._insert_others = fork, others
store.load(Path(sys.argv[1]), index=True)
print("forks", len(forks), flush=True)
"""


def _written(registry: Path, parallel_from: int, helper: str = "works") -> tuple[Any, str]:
    """The rows of the index a fresh process writes, and what it printed."""
    import subprocess
    import sys

    for path in index_files():
        path.unlink()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _WRITER,
            str(registry),
            str(parallel_from),
            helper,
            str(store_index.folder().parents[1]),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = _index_rows()
    leftovers = [p.name for p in store_index.folder().iterdir() if not p.name.endswith(".sqlite")]
    assert leftovers == []  # no helper's database, no temporary file
    return rows, done.stdout


@pytest.fixture
def forked_registry(tmp_path: Path) -> Path:
    """A copy of the bundled registry (records in every table), where os.fork exists."""
    if not hasattr(os, "fork"):
        pytest.skip("no os.fork here: the index is always written by one process")
    registry = tmp_path / "partnerships.toml"
    shutil.copy(Path(__file__).parents[1] / "data" / "partnerships.toml", registry)
    return registry


def test_an_index_written_with_a_helper_process_equals_one_written_alone(
    forked_registry: Path,
) -> None:
    """From PARALLEL_FROM records a forked helper writes the cities, agreements,
    exchanges and status changes while the ties are written: the index is the same,
    row for row, as one process writes it."""
    registry = forked_registry
    alone, said = _written(registry, 10**9)
    assert said == "others in parent\nforks 0\n"
    helped, said = _written(registry, 1)
    assert said == "others in child\nforks 1\n"
    assert set(helped) == set(alone) and helped == alone
    for table in ("city", "city_name", "agreement", "exchange", "status_change", "tie"):
        assert alone[table], table  # every table has rows: the comparison means something


def test_a_helper_process_that_fails_leaves_the_work_to_this_one(forked_registry: Path) -> None:
    registry = forked_registry
    alone, _ = _written(registry, 10**9)
    helped, said = _written(registry, 1, "fail")
    assert said == "others in parent\nforks 1\n"  # the helper failed; this one wrote them
    assert helped == alone
