"""A registry a team keeps in git, with real `git` in tmp_path: `sisterctl git setup`
and `sisterctl merge` as git's merge driver, across branches that add and edit
records with the CLI and by hand.

The tests never touch the user's git configuration: GIT_CONFIG_GLOBAL names a file in
tmp_path and GIT_CONFIG_NOSYSTEM leaves the system's out. They skip where git is
missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

REG = "partnerships.toml"
HEAD = """\
#:schema ./registry.schema.json
# Our team's registry: edited by hand and with sisterctl.

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

# The tie that started it all.
[[partnership]]
id = "taipei-daegu"
cities = ["taipei-tw", "daegu-kr"]
established = "2010-11-04"
sources = ["https://example.org/taipei-daegu"]   # the city's page
"""


class Repo:
    """A git repository in tmp_path, with sisterctl and git run as a person runs them."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env

    @property
    def registry(self) -> Path:
        return self.root / REG

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            ["git", *args], cwd=self.root, env=self.env, capture_output=True, text=True
        )
        if check and done.returncode != 0:
            raise AssertionError(f"git {' '.join(args)}: {done.stdout}{done.stderr}")
        return done

    def sisterctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "sisterctl", *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"sisterctl {' '.join(args)}: {done.stdout}{done.stderr}")
        return done

    def add(self, *args: str, path: str = REG) -> None:
        self.sisterctl("-r", path, "add", *args)

    def append(self, text: str, path: str = REG) -> None:
        with (self.root / path).open("a", encoding="utf-8") as handle:
            handle.write(text)

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def merge(self, branch: str) -> subprocess.CompletedProcess[str]:
        return self.git("merge", "--no-edit", branch, check=False)

    def data(self, path: str = REG) -> dict[str, list[dict[str, object]]]:
        return tomllib.loads((self.root / path).read_text(encoding="utf-8"))

    def check(self, path: str = REG) -> subprocess.CompletedProcess[str]:
        return self.sisterctl("check", path, "--as-of", "2026-11-28", check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "A. Tester",
        "GIT_AUTHOR_EMAIL": "tester@example.org",
        "GIT_COMMITTER_NAME": "A. Tester",
        "GIT_COMMITTER_EMAIL": "tester@example.org",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "SISTERCTL_NO_CACHE": "1",
    }
    for variable in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "SISTERCTL_REGISTRY"):
        env.pop(variable, None)
    root = tmp_path / "registry"
    root.mkdir()
    r = Repo(root, env)
    r.git("init", "-q", "-b", "main")
    r.registry.write_text(HEAD, encoding="utf-8")
    r.sisterctl("git", "setup")
    r.commit("The registry")
    return r


def exchange(title: str, date: str = "2019", kind: str = "visit") -> str:
    return (
        f'\n[[exchange]]\npartnership = "taipei-daegu"\ndate = "{date}"\nkind = "{kind}"\n'
        f'title = "{title}"\n'
    )


def titles(repo: Repo, table: str = "exchange", path: str = REG) -> list[object]:
    return [r.get("title") for r in repo.data(path).get(table, [])]


def assert_clean(repo: Repo, merged: subprocess.CompletedProcess[str]) -> None:
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert "merged by record" in merged.stderr
    assert repo.git("status", "--porcelain").stdout == ""
    check = repo.check()
    assert check.returncode == 0, check.stdout
    assert "<<<<<<<" not in repo.registry.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------
# git setup


def test_git_setup_writes_the_attribute_and_the_driver_once(repo: Repo) -> None:
    assert (repo.root / ".gitattributes").read_text() == f"{REG} merge=sisterctl\n"
    driver = repo.git("config", "--get", "merge.sisterctl.driver").stdout.strip()
    assert driver == f"{sys.executable} -m sisterctl merge %O %A %B %P"
    assert repo.git("config", "--get", "merge.sisterctl.name").stdout.strip()
    again = repo.sisterctl("git", "setup")
    assert "Nothing to do: git already merges partnerships.toml" in again.stderr
    assert (repo.root / ".gitattributes").read_text() == f"{REG} merge=sisterctl\n"
    # The user's own git configuration is never touched.
    assert not Path(repo.env["GIT_CONFIG_GLOBAL"]).exists()


def test_git_setup_replaces_merge_union_and_says_so(tmp_path: Path, repo: Repo) -> None:
    (repo.root / ".gitattributes").write_text("*.md text\npartnerships.toml merge=union")
    done = repo.sisterctl("git", "setup")
    assert "(it had merge=union)" in done.stderr
    assert (repo.root / ".gitattributes").read_text() == (
        "*.md text\npartnerships.toml merge=union\npartnerships.toml merge=sisterctl\n"
    )
    attribute = repo.git("check-attr", "merge", "--", "data/partnerships.toml").stdout
    assert attribute.strip().endswith(": merge: sisterctl")


def test_git_setup_takes_the_registry_named_and_refuses_outside_a_repository(
    repo: Repo, tmp_path: Path
) -> None:
    (repo.root / "data").mkdir()
    (repo.root / "data" / "ties.toml").write_text(HEAD, encoding="utf-8")
    done = repo.sisterctl("-r", "data/ties.toml", "git", "setup")
    assert "Added '/data/ties.toml merge=sisterctl'" in done.stderr
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "sisterctl", "git", "setup"],
        cwd=outside,
        env={**repo.env, "GIT_CEILING_DIRECTORIES": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "is not in a git repository (run 'git init' first" in result.stderr


# ---------------------------------------------------------------------------
# Merges


def test_two_branches_adding_with_the_cli_and_by_hand(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "seoul")
    repo.add("partnership", "Taipei", "Seoul, KR", "--established", "1968-03-23",
             "--source", "https://example.org/seoul")  # fmt: skip
    repo.append("\n# Typed in by hand.\n" + exchange("Hand visit", "2018").lstrip("\n"))
    repo.commit("Seoul, and a visit")
    repo.git("checkout", "-q", "main")
    repo.add("exchange", "taipei-daegu", "--date", "2017-08-19", "--kind", "delegation",
             "--title", "Universiade opening")  # fmt: skip
    repo.append(exchange("Main's own", "2020"))
    repo.commit("A delegation")
    ours = repo.registry.read_text(encoding="utf-8")

    merged = repo.merge("seoul")
    assert_clean(repo, merged)
    text = repo.registry.read_text(encoding="utf-8")
    assert text.startswith(ours)  # our side byte for byte, comments and all
    assert "\n# Typed in by hand.\n[[exchange]]" in text  # theirs, as they wrote it
    assert titles(repo) == ["Universiade opening", "Main's own", "Hand visit"]
    assert [t["id"] for t in repo.data()["partnership"]] == ["taipei-daegu", "taipei-seoul"]
    assert [c["id"] for c in repo.data()["city"]] == ["taipei-tw", "daegu-kr", "seoul-kr"]
    assert titles(repo, "agreement") == ["Sister city agreement"]


def test_without_the_driver_the_same_branches_conflict(repo: Repo) -> None:
    # What teams met before: every pair of branches that add a record conflicts.
    (repo.root / ".gitattributes").write_text("")
    repo.commit("No driver")
    repo.git("checkout", "-q", "-b", "other")
    repo.append(exchange("Theirs"))
    repo.commit("theirs")
    repo.git("checkout", "-q", "main")
    repo.append(exchange("Ours"))
    repo.commit("ours")
    assert repo.merge("other").returncode != 0


def test_a_rename_of_the_file_on_one_side(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "move")
    (repo.root / "data").mkdir()
    repo.git("mv", REG, f"data/{REG}")
    repo.append(exchange("Moved side", "2021"), path=f"data/{REG}")
    repo.commit("Move the registry into data/")
    repo.git("checkout", "-q", "main")
    repo.add("exchange", "taipei-daegu", "-d", "2022", "-k", "forum", "-t", "Stayed side")
    repo.commit("A forum")

    merged = repo.merge("move")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert "merged by record" in merged.stderr
    assert not repo.registry.exists()
    assert titles(repo, path=f"data/{REG}") == ["Stayed side", "Moved side"]
    assert repo.check(f"data/{REG}").returncode == 0


def test_the_same_tie_added_on_both_sides_is_kept_once(repo: Repo) -> None:
    command = ("partnership", "Daegu", "Ningbo, CN", "-e", "2002-10", "--kind",
               "friendship city", "--source", "https://example.org/ningbo")  # fmt: skip
    repo.git("checkout", "-q", "-b", "twin")
    repo.add(*command)
    repo.commit("Ningbo, on a branch")
    repo.git("checkout", "-q", "main")
    repo.add(*command)
    repo.append(exchange("Only ours"))
    repo.commit("Ningbo, on main too")

    assert_clean(repo, repo.merge("twin"))
    data = repo.data()
    assert [t["id"] for t in data["partnership"]] == ["taipei-daegu", "daegu-ningbo"]
    assert [c["id"] for c in data["city"]] == ["taipei-tw", "daegu-kr", "ningbo-cn"]
    assert len(data["agreement"]) == 1
    assert titles(repo) == ["Only ours"]


def test_the_same_tie_added_with_different_details_is_a_conflict(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "twin")
    repo.add("partnership", "Daegu", "Ningbo, CN", "-e", "2002-10")
    repo.commit("Ningbo in 2002")
    repo.git("checkout", "-q", "main")
    repo.add("partnership", "Daegu", "Ningbo, CN", "-e", "2013")
    repo.commit("Ningbo in 2013")
    ours = repo.registry.read_text(encoding="utf-8")

    merged = repo.merge("twin")
    assert merged.returncode != 0
    assert "conflict: [[partnership]] 'daegu-ningbo': added on both sides, differently" in (
        merged.stderr
    )
    text = repo.registry.read_text(encoding="utf-8")
    block = text[text.index("<<<<<<< ours\n") :]
    assert block.startswith('<<<<<<< ours\n[[partnership]]\nid = "daegu-ningbo"\n')
    assert 'established = "2013"\n=======\n[[partnership]]\nid = "daegu-ningbo"\n' in block
    assert 'established = "2002-10"\n>>>>>>> theirs (added on both sides, differently)\n' in (block)
    # The city both sides added alike is there once, outside the conflicts.
    assert text.count('id = "ningbo-cn"') == 1
    assert text.startswith(ours[: ours.index('[[partnership]]\nid = "daegu-ningbo"')])
    check = repo.check()
    assert check.returncode == 2
    assert "unresolved merge conflict" in check.stdout
    # Resolved by keeping one side, it merges and checks.
    repo.git("checkout", "--theirs", REG)
    assert "<<<<<<<" not in repo.registry.read_text(encoding="utf-8")
    repo.commit("Merged, with Ningbo in 2002")
    assert repo.check().returncode == 0


def test_the_same_tie_under_two_ids_is_a_conflict_because_check_fails(repo: Repo) -> None:
    tie = (
        '\n[[city]]\nid = "ningbo-cn"\nname = "Ningbo"\ncountry = "CN"\n'
        '\n[[partnership]]\nid = "{id}"\ncities = {cities}\nestablished = "2002-10"\n'
        'sources = ["https://example.org"]\n'
    )
    repo.git("checkout", "-q", "-b", "other")
    repo.append(tie.format(id="ningbo-daegu", cities='["ningbo-cn", "daegu-kr"]'))
    repo.commit("Ningbo–Daegu")
    repo.git("checkout", "-q", "main")
    repo.append(tie.format(id="daegu-ningbo", cities='["daegu-kr", "ningbo-cn"]'))
    repo.commit("Daegu–Ningbo")

    merged = repo.merge("other")
    assert merged.returncode != 0
    assert "conflict: [[partnership]] 'ningbo-daegu': would not pass check" in merged.stderr
    assert "[duplicate-tie]" in merged.stderr
    text = repo.registry.read_text(encoding="utf-8")
    assert text.count("<<<<<<< ours\n") == 1
    assert '=======\n[[partnership]]\nid = "ningbo-daegu"' in text


def test_an_edit_of_one_record_against_an_addition(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "edit")
    text = repo.registry.read_text(encoding="utf-8")
    repo.registry.write_text(
        text.replace(
            'established = "2010-11-04"\n',
            'established = "2010-11-04"\nnotes = "Founded at City Hall."\n',
        ),
        encoding="utf-8",
    )
    repo.commit("A note on the tie")
    repo.git("checkout", "-q", "main")
    repo.add("exchange", "taipei-daegu", "-d", "2017", "-k", "visit", "-t", "A visit")
    repo.commit("A visit")

    assert_clean(repo, repo.merge("edit"))
    data = repo.data()
    assert data["partnership"][0]["notes"] == "Founded at City Hall."
    assert titles(repo) == ["A visit"]
    # The edited record is as the editing side wrote it, with its comments.
    text = repo.registry.read_text(encoding="utf-8")
    assert '# The tie that started it all.\n[[partnership]]\nid = "taipei-daegu"' in text
    assert "   # the city's page\n" in text


def test_an_edit_against_an_edit_is_a_conflict(repo: Repo) -> None:
    def set_established(value: str) -> None:
        text = repo.registry.read_text(encoding="utf-8")
        repo.registry.write_text(text.replace('"2010-11-04"', f'"{value}"'), encoding="utf-8")

    repo.git("checkout", "-q", "-b", "edit")
    set_established("2010-11")
    repo.append(exchange("Theirs, not in conflict"))
    repo.commit("Only the month is sure")
    repo.git("checkout", "-q", "main")
    set_established("2010-11-05")
    repo.commit("The day after")

    merged = repo.merge("edit")
    assert merged.returncode != 0
    assert (
        "conflict: [[partnership]] 'taipei-daegu': changed on both sides, differently"
        in merged.stderr
    )
    text = repo.registry.read_text(encoding="utf-8")
    ours_side = text[text.index("<<<<<<< ours\n") : text.index("=======\n")]
    theirs_side = text[text.index("=======\n") : text.index(">>>>>>> theirs")]
    assert '"2010-11-05"' in ours_side and '"2010-11"' in theirs_side
    assert "# The tie that started it all." in ours_side  # the whole record, each side
    assert text.endswith(exchange("Theirs, not in conflict"))  # the rest is merged
    assert repo.git("status", "--porcelain").stdout.startswith("UU ")


def test_many_branches_merged_in_turn(repo: Repo) -> None:
    names = ["seoul", "manila", "houston", "warsaw", "prague", "quezon"]
    for n, name in enumerate(names):
        repo.git("checkout", "-q", "-b", name, "main")
        repo.add("exchange", "taipei-daegu", "-d", f"20{10 + n}", "-k", "visit", "-t", name)
        if n % 2:
            repo.append(f"\n# {name}, by hand\n" + exchange(f"{name} by hand", "2024").lstrip())
        repo.commit(name)
    repo.git("checkout", "-q", "main")
    repo.add("exchange", "taipei-daegu", "-d", "2025", "-k", "forum", "-t", "main")
    repo.commit("main")
    for name in names:
        assert_clean(repo, repo.merge(name))
    expected = ["main"]
    for n, name in enumerate(names):
        expected += [name, f"{name} by hand"] if n % 2 else [name]
    assert titles(repo) == expected
    assert len(repo.git("log", "--merges", "--oneline").stdout.splitlines()) == len(names)


def test_a_write_leaves_no_lock_file_in_the_working_tree(repo: Repo) -> None:
    repo.add("exchange", "taipei-daegu", "-d", "2017", "-k", "visit", "-t", "A visit")
    assert repo.git("status", "--porcelain").stdout == f" M {REG}\n"
    assert not list((repo.root / ".git" / "sisterctl" / "locks").iterdir())
