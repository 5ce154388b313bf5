"""The registry cache: used only for the very bytes it was made from, rebuilt silently
when anything is wrong with it, and kept up to date by appends."""

from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sisterctl import store
from sisterctl.errors import ExitCode, RegistryError
from sisterctl.model import Registry
from sisterctl.output.serialize import tie_detail
from sisterctl.records import build as records_build
from sisterctl.records import toml as records_toml
from sisterctl.store import appends as store_append
from sisterctl.store import cache, dirs
from sisterctl.store import read as store_read
from tests.conftest import DATA, Run

AS_OF = "2026-11-28"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each time a registry file is parsed (rather than taken from the cache)."""
    calls: list[str] = []
    real = store.parse_toml

    def counting(text: str, path: Path | str) -> dict[str, Any]:
        calls.append(str(path))
        return real(text, path)

    monkeypatch.setattr(store_read, "parse_toml", counting)
    monkeypatch.setattr(store_append, "parse_toml", counting)
    return calls


def entries() -> list[Path]:
    where = cache.folder()
    return sorted(where.glob("*.pickle")) if where.is_dir() else []


def same(a: Registry, b: Registry) -> bool:
    """Equal in every field, the unknown keys (`extra`, not compared by ==) included."""
    import datetime as dt

    day = dt.date(2026, 11, 28)
    return (
        a == b
        and [tie_detail(a, t, day) for t in a] == [tie_detail(b, t, day) for t in b]
        and [c.extra for c in a.cities.values()] == [c.extra for c in b.cities.values()]
    )


def built(path: Path) -> Registry:
    text = path.read_text(encoding="utf-8")
    result = records_build.build(store.parse_toml(text, path), text=text)
    assert not result.errors
    return result.registry


def test_the_cache_lives_in_the_user_cache_folder(cache_home: Path) -> None:
    # tests/conftest.py gives every test a user cache folder of its own
    assert cache.folder() == cache_home / "sisterctl" / "registries"


def test_second_load_comes_from_the_cache_and_is_the_same(
    small_registry: Path, parses: list[str]
) -> None:
    first = store.load(small_registry)
    assert len(parses) == 1 and len(entries()) == 1
    second = store.load(small_registry)
    assert len(parses) == 1  # not parsed again
    assert same(first, second)
    assert same(second, built(small_registry))


def test_the_bundled_registry_round_trips_through_the_cache(parses: list[str]) -> None:
    first = store.load(store.bundled_path())
    second = store.load(store.bundled_path())
    assert len(parses) == 1
    assert same(first, second)


def test_an_edited_registry_is_never_served_from_the_cache(
    small_registry: Path, parses: list[str]
) -> None:
    store.load(small_registry)
    stat = small_registry.stat()
    text = small_registry.read_text(encoding="utf-8")
    # Same size, same modification time: only the bytes tell.
    small_registry.write_text(text.replace('"Taipei"', '"Taipej"'), encoding="utf-8")
    os.utime(small_registry, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert small_registry.stat().st_size == stat.st_size
    again = store.load(small_registry)
    assert again.cities["taipei-tw"].name == "Taipej"
    assert len(parses) == 2


def test_an_invalid_registry_is_not_cached_and_still_refused(write_registry: Any) -> None:
    path = write_registry('schema_version = 1\n[[city]]\nid = "x"\n')
    for _ in range(2):
        with pytest.raises(RegistryError, match="'name' is missing"):
            store.load(path)
    assert entries() == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),
        lambda data: b"not a cache at all",
        lambda data: data[:40] + b"\0" * 32 + data[72:],  # the fingerprint
    ],
    ids=["empty", "truncated", "flipped-bit", "garbage", "zeroed-header"],
)
def test_a_damaged_entry_is_rebuilt_silently(
    small_registry: Path, parses: list[str], damage: Callable[[bytes], bytes]
) -> None:
    expected = store.load(small_registry)
    (entry,) = entries()
    entry.write_bytes(damage(entry.read_bytes()))
    assert same(store.load(small_registry), expected)
    assert len(parses) == 2
    assert same(store.load(small_registry), expected)  # and the entry is whole again
    assert len(parses) == 2


def test_an_entry_that_is_a_folder_is_harmless(small_registry: Path) -> None:
    expected = store.load(small_registry)
    (entry,) = entries()
    entry.unlink()
    entry.mkdir()
    assert same(store.load(small_registry), expected)


def test_an_entry_written_by_another_version_is_ignored(
    small_registry: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.load(small_registry)
    monkeypatch.setattr(cache, "_fingerprint", b"another sisterctl".ljust(32, b"\0"))
    store.load(small_registry)
    assert len(parses) == 2


def test_the_fingerprint_covers_version_and_model_code(monkeypatch: pytest.MonkeyPatch) -> None:
    original = cache.fingerprint()
    monkeypatch.setattr(cache, "_fingerprint", None)
    monkeypatch.setattr(cache, "__version__", "99.0")
    assert cache.fingerprint() != original
    monkeypatch.setattr(cache, "_fingerprint", None)
    monkeypatch.setattr(cache, "__version__", cache.__version__)
    monkeypatch.setattr(cache, "_MODEL_SOURCES", ("model",))
    assert cache.fingerprint() != original


def test_the_fingerprint_reads_every_module_that_decides_what_a_registry_loads_as() -> None:
    # A name that no longer names a file (after a module moved) would leave its code
    # out of the fingerprint: a cache made by older code would then pass for current.
    package = Path(cache.__file__).parents[1]
    for name in cache._MODEL_SOURCES:
        assert (package / f"{name}.py").is_file(), name


def test_an_unwritable_cache_folder_is_harmless(
    small_registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setattr(dirs, "user_cache_path", lambda: blocker)
    expected = built(small_registry)
    for _ in range(2):
        assert same(store.load(small_registry), expected)
    assert len(parses) == 1 + 2  # built(), then both loads
    assert blocker.read_text() == "a file where the cache folder would be"


def test_sisterctl_no_cache_turns_it_off(
    small_registry: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    monkeypatch.setenv("SISTERCTL_NO_CACHE", "1")
    store.load(small_registry)
    store.load(small_registry)
    assert len(parses) == 2 and entries() == []


def test_an_entry_is_never_made_to_run_code(small_registry: Path, tmp_path: Path) -> None:
    """A planted entry with a valid header and hash that would call a function when
    unpickled is refused, and the registry read from its file."""
    marker = tmp_path / "ran"
    expected = store.load(small_registry)
    (entry,) = entries()

    class Evil:
        def __reduce__(self) -> tuple[Any, ...]:
            return (shutil.copyfile, (str(small_registry), str(marker)))

    meta = pickle.dumps((), protocol=5)
    payload = cache._LEN.pack(len(meta)) + meta + pickle.dumps(Evil(), protocol=5)
    source = cache.digest(small_registry.read_bytes())
    entry.write_bytes(
        cache.MAGIC
        + cache._HEADER.pack(
            cache.fingerprint(),
            source,
            b"\0" * 32,
            __import__("zlib").crc32(payload),
            len(payload),
        )
        + payload
    )
    assert same(store.load(small_registry), expected)
    assert not marker.exists()


def test_old_entries_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    for n in range(5):
        path = tmp_path / f"r{n}.toml"
        shutil.copy(DATA / "small.toml", path)
        store.load(path)
    assert len(entries()) == 3


def test_the_cli_uses_and_survives_the_cache(run: Run, small_registry: Path) -> None:
    first = run("-r", small_registry, "list", "--as-of", AS_OF)
    (entry,) = entries()
    second = run("-r", small_registry, "list", "--as-of", AS_OF)
    entry.write_bytes(b"junk")
    third = run("-r", small_registry, "list", "--as-of", AS_OF)
    assert first.exit_code == second.exit_code == third.exit_code == ExitCode.OK
    assert first.stdout == second.stdout == third.stdout
    assert third.stderr == ""


# ---------------------------------------------------------------------------
# Appends


def exchange(title: str, tie: str = "taipei-daegu") -> tuple[str, dict[str, Any]]:
    return ("exchange", {"partnership": tie, "date": "2026-11", "kind": "visit", "title": title})


def append(path: Path, *records: tuple[str, dict[str, Any]]) -> store.Appended:
    return store.append(path, lambda reg: list(records))


def test_an_append_refreshes_the_cache(small_registry: Path, parses: list[str]) -> None:
    store.load(small_registry)
    append(small_registry, exchange("A visit"))
    assert len(parses) == 2  # the check of the new text; the old came from the cache
    after = store.load(small_registry)
    assert len(parses) == 2  # the new file's entry was written by the append
    assert [e.title for e in after.exchanges][-1] == "A visit"
    assert same(after, built(small_registry))


def test_appends_in_a_row_then_a_full_entry(
    small_registry: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "MAX_APPENDED", 2)
    store.load(small_registry)
    for n in range(5):
        append(small_registry, exchange(f"Visit {n}"))
        assert same(store.load(small_registry), built(small_registry))
    assert len(parses) == 1 + 5 + 5  # first load; each append's check; built() each time
    titles = [e.title for e in store.load(small_registry).exchanges]
    assert titles[-5:] == [f"Visit {n}" for n in range(5)]


def test_an_append_without_a_cache_entry_writes_one(
    small_registry: Path, parses: list[str]
) -> None:
    append(small_registry, exchange("First"))
    assert len(parses) == 2  # the old file and the new text
    assert same(store.load(small_registry), built(small_registry))
    assert len(parses) == 3  # only built() above


def test_an_append_after_a_hand_edit_reads_the_file(
    small_registry: Path, parses: list[str]
) -> None:
    store.load(small_registry)
    with small_registry.open("a", encoding="utf-8") as handle:
        handle.write(
            '\n# a note written by hand\n[[exchange]]\npartnership = "taipei-daegu"\n'
            'kind = "forum"\ntitle = "By hand"\n'
        )
    append(small_registry, exchange("By sisterctl"))
    titles = [e.title for e in store.load(small_registry).exchanges]
    assert titles[-2:] == ["By hand", "By sisterctl"]
    assert "# a note written by hand" in small_registry.read_text(encoding="utf-8")


def test_a_new_tie_with_new_cities_through_the_cache(
    small_registry: Path, parses: list[str]
) -> None:
    store.load(small_registry)
    append(
        small_registry,
        ("city", {"id": "chengdu-cn", "name": "Chengdu", "country": "CN"}),
        (
            "partnership",
            {
                "id": "daegu-chengdu",
                "cities": ["daegu-kr", "chengdu-cn"],
                "established": "2015-11-10",
            },
        ),
        (
            "agreement",
            {
                "partnership": "daegu-chengdu",
                "date": "2015-11-10",
                "title": "Founding",
                "kind": "founding",
                "signatories": [{"name": "A", "role": "Mayor"}],
            },
        ),
        (
            "status_change",
            {"partnership": "daegu-chengdu", "date": "2024-01-01", "status": "suspended"},
        ),
    )
    after = store.load(small_registry)
    assert after.by_id["daegu-chengdu"].cities[1].name == "Chengdu"
    assert after.state(after.by_id["daegu-chengdu"]).status.value == "suspended"
    assert same(after, built(small_registry))


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([exchange("To nowhere", tie="taipei-nowhere")], "names partnership 'taipei-nowhere'"),
        ([("city", {"id": "taipei-tw", "name": "Taipei", "country": "TW"})], "duplicate id"),
        ([("exchange", {"partnership": "taipei-daegu", "kind": "visit"})], "'title' is missing"),
    ],
)
def test_an_invalid_append_is_refused_with_or_without_the_cache(
    small_registry: Path, records: list[tuple[str, dict[str, Any]]], message: str
) -> None:
    before = small_registry.read_bytes()
    for warm in (False, True):
        if warm:
            store.load(small_registry)
        with pytest.raises(RegistryError, match=message):
            append(small_registry, *records)
        assert small_registry.read_bytes() == before


def test_extend_is_build_of_the_longer_file(small_registry: Path) -> None:
    """extend(old, new) is build(old + new), record for record, problem for problem."""
    batches: list[list[tuple[str, dict[str, Any]]]] = [
        [exchange("A")],
        [
            ("city", {"id": "rome-it", "name": "Rome", "country": "IT", "aliases": ["Roma"]}),
            (
                "partnership",
                {
                    "id": "prague-rome",
                    "cities": ["prague-cz", "rome-it"],
                    "kind": "partner city",
                    "mystery": 1,
                },
            ),
        ],
        [
            (
                "agreement",
                {
                    "partnership": "taipei-daegu",
                    "title": "Upgrade",
                    "kind": "upgrade",
                    "to_kind": "friendship city",
                    "date": "2030",
                },
            )
        ],
        [("partnership", {"id": "taipei-daegu", "cities": ["taipei-tw", "daegu-kr"]})],
        [("partnership", {"id": "x-y", "cities": ["taipei-tw", "nowhere"]})],
        [
            (
                "status_change",
                {"partnership": "taipei-daegu", "date": "2021-02-30", "status": "ended"},
            )
        ],
    ]
    old = built(small_registry)
    text = small_registry.read_text(encoding="utf-8")
    for batch in batches:
        longer = text + records_toml.fragment_for(batch)
        expected = records_build.build(store.parse_toml(longer, "x"))
        result = records_build.extend(old, batch)
        assert [p.message.split(": ", 1)[-1] for p in result.errors] == [
            p.message.split(": ", 1)[-1] for p in expected.errors
        ]
        if not expected.errors:
            assert same(result.registry, expected.registry)


def test_append_compares_the_data_not_its_spelling(write_registry: Any) -> None:
    """A value that is not equal to itself (nan) does not stop an append."""
    path = write_registry(
        (DATA / "small.toml").read_text(encoding="utf-8").replace("mystery = 3", "mystery = nan")
    )
    for _ in range(2):
        append(path, exchange("After nan"))
    assert [e.title for e in store.load(path).exchanges][-2:] == ["After nan"] * 2


def test_an_append_to_a_static_array_is_refused(write_registry: Any) -> None:
    text = (DATA / "small.toml").read_text(encoding="utf-8")
    text = text.replace("[[exchange]]", "[[agreement]]").replace('kind = "delegation"', "")
    path = write_registry(
        text.replace("schema_version = 1\n", "schema_version = 1\nexchange = []\n")
    )
    before = path.read_bytes()
    store.load(path)
    with pytest.raises(RegistryError, match="would not read back"):
        append(path, exchange("Lost?"))
    assert path.read_bytes() == before


def test_verify_refuses_a_file_that_is_not_the_cached_data_plus_the_new(
    small_registry: Path,
) -> None:
    store.load(small_registry)
    raw = small_registry.read_bytes()
    entry = cache.get(small_registry, cache.digest(raw), records_build.extend_checked)
    assert entry is not None
    wrong = cache.Entry(entry.registry, b"\1" * 32, entry.base, entry.appended)
    text = raw.decode() + "\n" + records_toml.fragment_for([exchange("X")])
    with pytest.raises(RegistryError, match="would not read back as written"):
        store_append._verify(small_registry, wrong, [exchange("X")], text)
    store_append._verify(small_registry, entry, [exchange("X")], text)  # the true data passes
