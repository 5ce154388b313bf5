"""The mechanisms behind the catalogue's hostile rows, one by one: where an output goes,
the signature and bytes a write compares, the one rule for text, ids in linear time,
CSV cells that never start a row."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sisterctl.errors import RefusedError
from sisterctl.ids import IdPool, unique
from sisterctl.output.plain import csv_text, guard, unguard
from sisterctl.store import atomic
from sisterctl.text import text_problem

# ---------------------------------------------------------------------------
# Where an output goes


def test_a_new_path_and_a_regular_file_are_replaced(tmp_path: Path) -> None:
    new = tmp_path / "new.csv"
    assert atomic.destination(new) == atomic.Destination(atomic.Kind.FILE, new)
    new.write_text("x")
    assert atomic.destination(new).kind is atomic.Kind.FILE


def test_a_link_leads_to_its_target_even_dangling(tmp_path: Path) -> None:
    (tmp_path / "link").symlink_to(tmp_path / "target")
    assert atomic.destination(tmp_path / "link") == atomic.Destination(
        atomic.Kind.FILE, tmp_path / "target"
    )
    (tmp_path / "target").write_text("x")
    assert atomic.destination(tmp_path / "link").path == tmp_path / "target"


@pytest.mark.parametrize(
    ("name", "fd"), [("-", 1), ("/dev/stdout", 1), ("/dev/stderr", 2), ("/dev/fd/2", 2)]
)
def test_standard_streams_and_descriptors_are_written_into(name: str, fd: int) -> None:
    assert atomic.destination(Path(name)) == atomic.Destination(
        atomic.Kind.DESCRIPTOR, Path(name), fd
    )


def test_a_fifo_is_written_into(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    assert atomic.destination(tmp_path / "fifo").kind is atomic.Kind.STREAM


def test_an_open_descriptor_is_written_at_its_offset(tmp_path: Path) -> None:
    """`3>>log` in a shell: /dev/fd/3 is written where the descriptor stands, never
    truncated nor replaced."""
    log = tmp_path / "log"
    log.write_bytes(b"before\n")
    fd = os.open(log, os.O_WRONLY | os.O_APPEND)
    try:
        where = atomic.write_output(Path(f"/dev/fd/{fd}"), b"after\n")
    finally:
        os.close(fd)
    assert where.kind is atomic.Kind.DESCRIPTOR
    assert log.read_bytes() == b"before\nafter\n"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "it is a folder; name a file"),
        (
            lambda p: socket.socket(socket.AF_UNIX).bind(str(p)),
            "it is a socket; name a file",
        ),
        (
            lambda p: (p.symlink_to(p.with_name("b")), p.with_name("b").symlink_to(p)),
            "a loop of symbolic links",
        ),
    ],
    ids=["folder", "socket", "loop"],
)
def test_what_is_refused(tmp_path: Path, make: object, message: str) -> None:
    path = tmp_path / "a"
    make(path)  # type: ignore[operator]
    with pytest.raises(RefusedError) as error:
        atomic.write_output(path, b"data")
    assert str(error.value) == f"cannot write {path}: {message}"


def test_a_block_device_is_refused(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    path = tmp_path / "disk"
    try:
        os.mknod(path, stat.S_IFBLK | 0o600, os.makedev(7, 0))  # a loop device
    except OSError as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    with pytest.raises(RefusedError, match="it is a block device; name a file"):
        atomic.write_output(path, b"data")
    assert stat.S_ISBLK(path.lstat().st_mode)


def test_a_replaced_file_keeps_its_mode_and_no_temporary_file_stays(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    path.write_text("old")
    path.chmod(0o640)
    atomic.write_output(path, b"new")
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


# ---------------------------------------------------------------------------
# The registry is replaced only when nobody changed it


def test_the_signature_sees_a_write_that_sets_the_time_back(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_bytes(b"abc")
    before = atomic.signature(path)
    st = path.stat()
    with path.open("r+b") as handle:
        handle.write(b"xyz")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = atomic.signature(path)
    assert (after.size, after.mtime_ns, after.ino) == (before.size, before.mtime_ns, before.ino)
    assert after != before  # the change time moved


def test_the_bytes_are_compared_when_the_signature_cannot_tell(tmp_path: Path) -> None:
    """An edit inside one tick of the file system's clock leaves even the change time
    as it was: the bytes read are compared with the file's just before the rename."""
    path = tmp_path / "r.toml"
    path.write_bytes(b"the edit")
    now = atomic.signature(path)
    assert not atomic.replace_unless_changed(path, b"new", unchanged=now, read=b"the read")
    assert path.read_bytes() == b"the edit"
    assert atomic.replace_unless_changed(path, b"new", unchanged=now, read=b"the edit")
    assert path.read_bytes() == b"new"
    assert atomic.written()[-1] == path


# ---------------------------------------------------------------------------
# Text that enters the registry: one rule


@pytest.mark.parametrize(
    ("text", "multiline", "problem"),
    [
        ("Taipei", False, None),
        ("Re\u202eaffirm", False, None),  # visible to check (a warning), not refused
        ("a\nb", False, "found a line break"),
        ("a\nb", True, None),
        ("a\r\nb", True, None),  # a Windows line break is a line break
        ("a\rb", True, "found U+000D"),
        ("a\tb", False, "found U+0009"),
        ("\x1b[2J", True, "found U+001B"),
        ("\x9b", False, "found U+009B"),
        ("\ud800", False, "is not valid text (it holds bytes that are not UTF-8)"),
    ],
)
def test_the_one_rule_for_text(text: str, multiline: bool, problem: str | None) -> None:
    found = text_problem(text, multiline=multiline)
    assert found == problem if problem is None else problem in (found or "")


# ---------------------------------------------------------------------------
# Ids for many similar names: linear, not quadratic


class CountingSet(set[str]):
    checks = 0

    def __contains__(self, value: object) -> bool:
        CountingSet.checks += 1
        return super().__contains__(value)


def test_numbered_ids_take_a_step_each() -> None:
    """8,000 cities of one slug: each new id is found in a step or two, not by counting
    from 2 again (which took 32 million steps, 27 seconds)."""
    pool = IdPool(["springfield-us"])
    pool._taken = CountingSet(pool._taken)
    CountingSet.checks = 0
    given_ids = []
    for _ in range(8000):
        new = unique("springfield-us", pool)
        pool.add(new)
        given_ids.append(new)
    assert given_ids[:2] == ["springfield-us-2", "springfield-us-3"]
    assert given_ids[-1] == "springfield-us-8001"
    assert len(set(given_ids)) == 8000
    assert CountingSet.checks < 4 * 8000


def test_an_id_taken_by_hand_is_skipped() -> None:
    pool = IdPool(["x", "x-2", "x-4"])
    assert unique("x", pool) == "x-3"
    pool.add("x-3")
    assert unique("x", pool) == "x-5"


# ---------------------------------------------------------------------------
# CSV cells never start a row, and no line of one starts a formula


@given(st.text())
def test_every_line_of_a_csv_cell_is_guarded_and_read_back(text: str) -> None:
    cell = csv_text(text)
    assert "\r" not in cell
    for line in cell.split("\n"):
        assert not line[:1] or line[0] not in "=+-@\t"
    if "\r" not in text and not [c for c in text if ord(c) < 32 and c not in "\n\t"]:
        assert unguard(guard(text)) == text


# ---------------------------------------------------------------------------
# The README documents every exit code and every kind of output path


def test_the_readme_lists_every_exit_code_and_where_outputs_go() -> None:
    import re

    from sisterctl.errors import ExitCode

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Messages and exit codes", 1)[1].split("\n\n| code |", 1)[1]
    codes = {int(n) for n in re.findall(r"^\| (\d+) \|", table.split("\n\n", 1)[0], re.M)}
    assert codes == {int(code) for code in ExitCode}
    where = readme.split("### Where outputs go", 1)[1].split("\n## ", 1)[0]
    for kind in ("a symbolic link", "`-`", "a FIFO", "a character device", "`/dev/fd/N`"):
        assert kind in where
