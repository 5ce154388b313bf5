"""Shell completion: commands, options, and values from the registry, never parsed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sisterctl.store import complete as store_complete
from tests.conftest import Run


def complete(run: Run, line: str, *, shell: str = "bash", **env: str) -> list[str]:
    """What sisterctl offers for the last word of `line` (after a space: a new word)."""
    words = line.split(" ")
    environ = {"_SISTERCTL_COMPLETE": f"complete_{shell}", **env}
    if shell == "bash":
        environ |= {"COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)}
    else:
        environ |= {"_TYPER_COMPLETE_ARGS": line, "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    result = run(env=environ)
    assert result.exit_code == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line]


@pytest.fixture
def known(run: Run, small_registry: Path) -> Path:
    """tests/data/small.toml, read once (as any command reads it), so that completion
    finds what the store keeps of it."""
    assert run("-r", small_registry, "list").exit_code == 0
    return small_registry


def test_commands_and_subcommands_complete(run: Run) -> None:
    assert complete(run, "sisterctl ex") == ["export"]
    assert complete(run, "sisterctl export q") == ["quickstatements"]
    assert "completion" in complete(run, "sisterctl c")
    assert complete(run, "sisterctl list --fo") == ["--format", "--formula-guard"]


def test_tie_ids_complete(run: Run, known: Path) -> None:
    assert complete(run, f"sisterctl -r {known} show ") == [
        "taipei-daegu",
        "daegu-sao-paulo",
        "prague-beijing",
    ]
    assert complete(run, f"sisterctl -r {known} timeline tai") == ["taipei-daegu"]
    # The registry named after the command, as sisterctl takes it there too.
    assert complete(run, f"sisterctl add agreement -r {known} d") == ["daegu-sao-paulo"]
    assert complete(run, f"sisterctl end --registry={known} p") == ["prague-beijing"]


def test_cities_kinds_and_countries_complete_from_the_registry(run: Run, known: Path) -> None:
    # Typed without its accent, a name is completed in the letters typed (and quoted,
    # as a value with a space is for bash, so that it stays one word).
    assert complete(run, f"sisterctl -r {known} list --city sao") == ["'sao Paulo'"]
    assert complete(run, f"sisterctl -r {known} list --city 臺") == ["臺北市"]
    assert complete(run, f"sisterctl -r {known} stats --kind fr") == ["'friendship city'"]
    assert complete(run, f"sisterctl -r {known} list --country ") == ["BR", "CN", "CZ", "KR", "TW"]
    assert complete(run, f"sisterctl -r {known} list --status ") == [
        "active",
        "suspended",
        "ended",
        "unknown",
    ]


def test_zsh_and_fish_get_the_same_values(run: Run, known: Path) -> None:
    assert complete(run, f"sisterctl -r {known} show tai", shell="zsh") == [
        "_arguments '*: :((\"taipei-daegu\"))'"
    ]
    assert complete(run, f"sisterctl -r {known} show tai", shell="fish") == ["taipei-daegu"]


def test_completion_never_parses_the_registry(
    run: Run, small_registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sisterctl.store import read

    def refuse(*args: object) -> None:
        raise AssertionError("completion parsed the registry")

    monkeypatch.setattr(read, "parse_and_build", refuse)
    monkeypatch.setattr(read, "parse_toml", refuse)
    # Nothing kept of this registry yet: only what needs no registry.
    assert complete(run, f"sisterctl -r {small_registry} show ") == []
    kinds = complete(run, f"sisterctl -r {small_registry} list --kind ")
    assert kinds == ["'sister city'", "'friendship city'", "'partner city'", "'twin town'"]
    assert "KR" in complete(run, f"sisterctl -r {small_registry} list --country K")
    assert store_complete.completion_values(small_registry).from_registry is False


def test_a_registry_that_is_not_there_completes_nothing_and_says_nothing(
    run: Run, tmp_path: Path
) -> None:
    assert complete(run, f"sisterctl -r {tmp_path / 'none.toml'} show ") == []


@pytest.mark.parametrize(
    ("shell", "expected"),
    [
        ("bash", "_SISTERCTL_COMPLETE=complete_bash"),
        ("zsh", "_SISTERCTL_COMPLETE=complete_zsh"),
        ("fish", "_SISTERCTL_COMPLETE=complete_fish"),
    ],
)
def test_completion_prints_the_script_of_each_shell(run: Run, shell: str, expected: str) -> None:
    result = run("completion", shell)
    assert result.exit_code == 0, result.stderr
    assert expected in result.stdout
    assert "sisterctl" in result.stdout


def test_bash_itself_completes_tie_ids_with_the_script(known: Path, tmp_path: Path) -> None:
    """The script `sisterctl completion bash` prints, sourced in a real bash, fills
    COMPREPLY from a real sisterctl process."""
    bash = shutil.which("bash")
    sisterctl = Path(sys.executable).with_name("sisterctl")
    if bash is None or not sisterctl.exists():
        pytest.skip("needs bash and the installed sisterctl script")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SISTERCTL_", "_SISTERCTL"))}
    env |= {
        "PATH": f"{sisterctl.parent}{os.pathsep}{env.get('PATH', '')}",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    subprocess.run([sisterctl, "-r", known, "list"], env=env, check=True, capture_output=True)
    script = f"""
eval "$(sisterctl completion bash)"
COMP_WORDS=(sisterctl -r {known} show tai)
COMP_CWORD=4
_sisterctl_completion sisterctl
printf '%s\\n' "${{COMPREPLY[@]}}"
COMP_WORDS=(sisterctl ex)
COMP_CWORD=1
_sisterctl_completion sisterctl
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    done = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["taipei-daegu", "export"]
