"""The pre-commit hook that `.pre-commit-hooks.yaml` defines, run by real pre-commit
and git in tmp_path. The hook runs the installed sisterctl (`language: system`, as a
`repo: local` hook does), so that no package is downloaded; everything else is the
definition as published. Skips where git or pre-commit is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HOOKS = Path(__file__).parents[1] / ".pre-commit-hooks.yaml"
PRE_COMMIT = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(not Path(PRE_COMMIT).exists(), reason="pre-commit is not installed"),
]

GOOD = """\
schema_version = 1

[[city]]
id = "taipei-tw"
name = "Taipei"
country = "TW"

[[city]]
id = "daegu-kr"
name = "Daegu"
country = "KR"

[[partnership]]
id = "taipei-daegu"
cities = ["taipei-tw", "daegu-kr"]
established = "2010-11-04"
sources = ["https://example.org"]
"""


def test_the_hook_definition() -> None:
    yaml = pytest.importorskip("yaml")
    [hook] = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert hook["id"] == "sisterctl-check"
    assert hook["entry"] == "sisterctl check"
    assert hook["pass_filenames"] is True
    import re

    files = re.compile(hook["files"])
    assert files.search("partnerships.toml") and files.search("data/partnerships.toml")
    assert not files.search("pyproject.toml") and not files.search("old-partnerships.toml")


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    yaml = pytest.importorskip("yaml")
    [hook] = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    # The published hook, run by the installed sisterctl instead of one pre-commit
    # would install from the repository.
    local = {**hook, "language": "system"}
    root = tmp_path / "registry"
    root.mkdir()
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "A. Tester",
        "GIT_AUTHOR_EMAIL": "tester@example.org",
        "GIT_COMMITTER_NAME": "A. Tester",
        "GIT_COMMITTER_EMAIL": "tester@example.org",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    for variable in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "SISTERCTL_REGISTRY"):
        env.pop(variable, None)
    (tmp_path / "home").mkdir()
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (root / "partnerships.toml").write_text(GOOD, encoding="utf-8")
    (root / "data").mkdir()
    (root / "data" / "partnerships.toml").write_text(GOOD, encoding="utf-8")
    (root / "pyproject.toml").write_text("not = [toml\n")  # not a registry: not checked
    git(root, env, "init", "-q", "-b", "main")
    subprocess.run([PRE_COMMIT, "install"], cwd=root, env=env, check=True, capture_output=True)
    return root, env


def git(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)


def test_a_commit_with_a_good_registry_passes_and_a_bad_one_is_stopped(
    repo: tuple[Path, dict[str, str]],
) -> None:
    root, env = repo
    git(root, env, "add", "-A")
    first = git(root, env, "commit", "-m", "Two registries")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "sisterctl check" in first.stdout + first.stderr
    assert "Passed" in first.stdout + first.stderr

    bad = GOOD.replace("established", "establised")
    (root / "data" / "partnerships.toml").write_text(bad, encoding="utf-8")
    git(root, env, "add", "-A")
    stopped = git(root, env, "commit", "-m", "A typo")
    output = stopped.stdout + stopped.stderr
    assert stopped.returncode != 0
    assert "Failed" in output
    assert (
        "data/partnerships.toml:16:1: error: [[partnership]] #1 'taipei-daegu': 'establised' "
        "is not a key of [[partnership]]; it looks like a misspelling of 'established'"
    ) in output
    assert git(root, env, "log", "--oneline").stdout.count("\n") == 1  # not committed


def test_pre_commit_passes_every_changed_registry_at_once(
    repo: tuple[Path, dict[str, str]],
) -> None:
    root, env = repo
    (root / "partnerships.toml").write_text(GOOD + '\n[[city]]\nid = "x"\n', encoding="utf-8")
    git(root, env, "add", "-A")
    done = subprocess.run(
        [PRE_COMMIT, "run", "--all-files", "--verbose"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "no problems in data/partnerships.toml (2 cities, 1 tie)" in done.stdout
    assert "partnerships.toml:19:1: error: [[city]] #3 'x': 'name' is missing" in done.stdout
    assert "partnerships.toml:19:1: error: [[city]] #3 'x': 'country' is missing" in done.stdout
    assert "2 errors in 2 files" in done.stdout  # one run of check, for both files
