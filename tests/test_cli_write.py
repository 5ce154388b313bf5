"""`sisterctl init`, `add partnership|agreement|exchange`, `end` and `resume`."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import tomli

from sisterctl import store
from sisterctl.errors import ExitCode
from sisterctl.records.toml import SCHEMA_URL
from tests.conftest import TWO_TIES, Run

README = Path(__file__).resolve().parents[1] / "README.md"

TIE = "# Taipei and Daegu\n" + TWO_TIES


@pytest.fixture
def reg(tmp_path: Path) -> Path:
    path = tmp_path / "partnerships.toml"
    path.write_text(TIE, encoding="utf-8")
    return path


def show(run: Run, path: Path, tie: str) -> dict[str, Any]:
    result = run("-r", path, "show", tie, "--format", "json", "--as-of", "2026-01-01")
    assert result.exit_code == ExitCode.OK, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_the_write_commands_exist() -> None:
    from tests.test_cli_help import command_paths

    names = {" ".join(path) for path in command_paths()}
    assert {"init", "add partnership", "add agreement", "add exchange", "end", "resume"} <= names


# ---------------------------------------------------------------------------
# init


def test_init_creates_an_empty_registry_with_a_header(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "new" / "ties.toml"
    result = run("init", path)
    assert result.exit_code == ExitCode.OK, result.stderr
    text = path.read_text(encoding="utf-8")
    first, second = text.splitlines()[:2]
    # Editors validate it against the JSON Schema, which init copies beside it, so
    # that the line resolves offline.
    assert first == "#:schema ./registry.schema.json"
    schema = path.parent / "registry.schema.json"
    assert schema.read_bytes() == store.schema_path().read_bytes()
    assert json.loads(schema.read_text(encoding="utf-8"))["$id"] == SCHEMA_URL
    assert second.startswith("# A sisterctl registry")
    assert "docs/registry-format.md" in text
    assert tomli.loads(text) == {"schema_version": 1}
    assert result.stdout == ""
    assert result.stderr == (
        f"Created an empty registry {path}. Use it with sisterctl --registry {path} ... "
        f"or by setting SISTERCTL_REGISTRY={path}.\n"
    )
    listed = run("-r", path, "list", "--format", "json")
    assert (listed.exit_code, json.loads(listed.stdout)) == (ExitCode.OK, [])


def test_init_from_bundled_starts_from_the_bundled_registry(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "office" / "partnerships.toml"
    result = run("init", "--from-bundled", path)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(f"Created a registry {path} from the bundled one. Use it")
    bundled = store.bundled_path().read_text(encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    # The same text but the first line, whose schema path holds only in the package.
    assert bundled.startswith("#:schema ../schema/registry.schema.json\n")
    assert text == "#:schema ./registry.schema.json\n" + bundled.split("\n", 1)[1]
    assert store.load(path) == store.load(store.bundled_path())
    assert (path.parent / "registry.schema.json").is_file()
    check = run("check", "--strict", path)
    assert check.exit_code == 0, check.stdout
    # A team then adds to it as to any registry.
    added = run("-r", path, "add", "exchange", "taipei-daegu", "-d", "2026", "-k", "visit",
                "-t", "A visit")  # fmt: skip
    assert added.exit_code == 0, added.stderr


def test_init_keeps_a_schema_file_already_there(run: Run, tmp_path: Path) -> None:
    (tmp_path / "registry.schema.json").write_text("{}")
    result = run("init", tmp_path / "a.toml")
    assert result.exit_code == 0
    assert result.stderr.startswith(f"Kept the {tmp_path / 'registry.schema.json'} that was")
    assert (tmp_path / "registry.schema.json").read_text() == "{}"
    # A second registry in the same folder shares the copy, silently.
    (tmp_path / "registry.schema.json").unlink()
    assert run("init", tmp_path / "a2.toml").exit_code == 0
    result = run("init", tmp_path / "b.toml")
    assert result.stderr.startswith("Created an empty registry")


def test_init_quotes_a_path_with_spaces_so_its_advice_can_be_copied(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "my ties" / "ties.toml"
    result = run("init", path)
    assert result.exit_code == ExitCode.OK, result.stderr
    assert result.stderr == (
        f"Created an empty registry {path}. Use it with sisterctl --registry '{path}' "
        f"... or by setting SISTERCTL_REGISTRY='{path}'.\n"
    )


def test_init_never_overwrites(run: Run, reg: Path) -> None:
    before = reg.read_bytes()
    result = run("init", reg)
    assert result.exit_code == ExitCode.REFUSED  # refused, as any request sisterctl will not act on
    assert "a file is already there; sisterctl init never overwrites" in result.stderr
    assert reg.read_bytes() == before


def test_init_in_a_folder_creates_partnerships_toml(run: Run, tmp_path: Path) -> None:
    result = run("init", tmp_path)
    assert result.exit_code == ExitCode.OK, result.stderr
    assert (tmp_path / "partnerships.toml").is_file()


def test_init_in_a_new_folder_named_with_a_slash_creates_it(run: Run, tmp_path: Path) -> None:
    result = run("init", f"{tmp_path}/ties/")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "ties" / "partnerships.toml").is_file()
    assert "Created an empty registry" in result.stderr and "ties/partnerships.toml" in (
        result.stderr
    )
    # Without the slash, the name is the file's.
    assert run("init", tmp_path / "other").exit_code == 0
    assert (tmp_path / "other").is_file()


def test_init_without_a_path_makes_the_users_registry_which_is_then_used(
    run: Run, tmp_path: Path
) -> None:
    # The run fixture points XDG_DATA_HOME into tmp_path.
    user = tmp_path / "xdg-data" / "sisterctl" / "partnerships.toml"
    result = run("init")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert user.is_file()
    assert f"Created your registry {user}. sisterctl reads it from now on" in result.stderr
    added = run("add", "partnership", "Taipei, TW", "Daegu, KR", "--established", "2010-11-04")
    assert added.exit_code == ExitCode.OK, added.stderr
    assert f"in {user}." in added.stderr
    assert "taipei-daegu" in user.read_text(encoding="utf-8")


def test_writes_never_go_to_the_bundled_registry(run: Run) -> None:
    result = run("add", "exchange", "taipei-daegu", "-d", "2017", "-k", "visit", "-t", "x")
    assert result.exit_code == ExitCode.REFUSED
    assert result.stderr == (
        "sisterctl: the bundled registry is read-only: make your own with 'sisterctl init', "
        "or name one with --registry PATH\n"
    )


# ---------------------------------------------------------------------------
# The README's example and each command's one line


def readme_commands() -> list[list[str]]:
    """The commands of the README's `add agreement` example block."""
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
    block = next(b for b in blocks if "sisterctl add agreement taipei-daegu --date 2021-03-26" in b)
    joined = block.replace("\\\n", " ")
    return [shlex.split(line)[1:] for line in joined.splitlines() if line.startswith("sisterctl ")]


def test_the_readme_records_every_detail_of_the_2021_reaffirmation(run: Run, reg: Path) -> None:
    commands = readme_commands()
    assert len(commands) == 3
    for command in commands:
        result = run("-r", reg, *command)
        assert result.exit_code == ExitCode.OK, (command, result.stderr)
    tie = show(run, reg, "taipei-daegu")
    # As the timeline orders them: the memorandum planned for 2021 after what was
    # signed in 2021.
    reaffirmation, memo = tie["agreements"]
    assert reaffirmation == {
        "id": "taipei-daegu/2021-03-26-reaffirmation",
        "partnership": "taipei-daegu",
        "date": "2021-03-26",
        "precision": "day",
        "title": "Agreement to Reaffirm Sister City Friendship",
        "kind": "reaffirmation",
        "signatories": [
            {"name": "Ko Wen-je", "role": "Mayor of Taipei"},
            {"name": "Kwon Young-jin", "role": "Mayor of Daegu"},
        ],
        "mode": "video-conference",
        "fields": ["smart cities", "pandemic prevention", "sanitation", "tourism", "culture"],
        "status": "signed",
        "notes": "Signed on the afternoon of the day, for the 10th anniversary of the tie: the "
        "mayors met by video conference because the pandemic kept Kwon from visiting Taiwan.",
        "sources": [
            "https://english.sec.gov.taipei/News_Content.aspx?n=D073F200AC649E35"
            "&sms=2087D8D51C0A9475&s=338128DEF4A74355"
        ],
    }
    assert (memo["title"], memo["status"], memo["date"]) == (
        "Memorandum on Mutual Tourism Promotion and Cooperation",
        "planned",
        "2021",
    )
    [summit] = tie["exchanges"]
    assert (summit["kind"], summit["date"]) == ("summit", "2021-03-23")
    table = run("-r", reg, "show", "taipei-daegu", "--as-of", "2026-01-01")
    for seen in ("Ko Wen-je (Mayor of Taipei)", "video conference", "(planned", "pandemic"):
        assert seen in table.stdout
    assert table.stdout.index("Agreement to Reaffirm") < table.stdout.index("Memorandum on")


def recording_section_commands() -> list[list[str]]:
    """Every command in the README's section on recording, in order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Recording signings, exchanges and endings", 1)[1]
    section = section.split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            if line.startswith("sisterctl "):
                commands.append(shlex.split(line, comments=True)[1:])
    return commands


def test_the_readme_recording_examples_run_in_order_on_a_new_registry(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # a relative path in an example lands here
    commands = recording_section_commands()
    assert commands[0] == ["init"]
    assert len(commands) >= 12
    for command in commands:
        # The shell would expand ~; shlex does not.
        args = [str(Path(a).expanduser()) if a.startswith("~/") else a for a in command]
        result = run(*args)
        assert result.exit_code == ExitCode.OK, (command, result.stderr)
    registry = tmp_path / "xdg-data" / "sisterctl" / "partnerships.toml"
    assert (tmp_path / "ties" / "partnerships.toml").is_file()
    office = tmp_path / "ties" / "office.toml"  # --from-bundled
    assert len(run("-r", office, "list", "--format", "json").stdout) > 1000
    listed = run("-r", registry, "list", "--format", "json", "--as-of", "2026-01-01")
    ties = {row["id"]: row for row in json.loads(listed.stdout)}
    assert sorted(ties) == ["daegu-ningbo", "prague-beijing", "taipei-chengdu", "taipei-daegu"]
    assert ties["prague-beijing"]["status"] == "ended"
    assert ties["taipei-daegu"]["status"] == "active"  # suspended, then resumed
    assert ties["daegu-ningbo"]["kind"] == "friendship city"
    assert ties["daegu-ningbo"]["status"] == "unknown"  # edited
    tie = show(run, registry, "taipei-daegu")
    assert [a["kind"] for a in tie["agreements"]] == ["founding", "reaffirmation", "memorandum"]
    assert [e["kind"] for e in tie["exchanges"]] == ["delegation", "summit", "festival"]
    # Signed in place: one memorandum, signed; the delegation's date corrected.
    memorandum = tie["agreements"][-1]
    assert (memorandum["status"], memorandum["date"]) == ("signed", "2021-11-05")
    assert tie["exchanges"][0]["date"] == "2017-08-18" and "details" not in tie["exchanges"][0]
    assert [c["local_name"] for c in tie["cities"]] == ["臺北市", "대구광역시"]


def test_each_write_says_what_it_recorded_and_where(run: Run, reg: Path) -> None:
    cases = [
        (
            ["add", "partnership", "Taipei", "Chengdu, China", "-e", "2015-11-10"],
            "Recorded the new tie taipei-chengdu (sister city, established 2015-11-10) with "
            "its founding agreement and the new city chengdu-cn in {path}.\n",
        ),
        (
            ["add", "agreement", "Taipei", "Daegu", "-d", "2021-03-26", "-t", "Reaffirmation"],
            'Recorded the agreement "Reaffirmation" on taipei-daegu (2021-03-26) in {path}.\n',
        ),
        (
            ["add", "exchange", "taipei-daegu", "-d", "2017", "-k", "delegation", "-t", "U"],
            'Recorded the delegation "U" on taipei-daegu (2017) in {path}.\n',
        ),
        (
            ["end", "taipei-daegu", "-d", "2022-03", "--suspend", "--reason", "pandemic"],
            "Recorded the suspension of taipei-daegu on 2022-03 in {path}.\n",
        ),
        (
            ["resume", "taipei-daegu", "-d", "2023-05-01"],
            "Recorded the resumption of taipei-daegu on 2023-05-01 in {path}.\n",
        ),
        (
            ["end", "taipei-daegu", "-d", "2024"],
            "Recorded the ending of taipei-daegu on 2024 in {path}.\n",
        ),
    ]
    for args, message in cases:
        result = run("-r", reg, *args)
        assert result.exit_code == ExitCode.OK, result.stderr
        assert result.stdout == ""
        assert result.stderr == message.format(path=reg)
    tie = show(run, reg, "taipei-daegu")
    assert tie["status"] == "ended" and tie["status_date"] == "2024"
    assert [c["status"] for c in tie["status_changes"]] == ["suspended", "active", "ended"]
    assert tie["agreements"][0]["title"] == "Reaffirmation"
    chengdu = show(run, reg, "taipei-chengdu")
    assert [a["kind"] for a in chengdu["agreements"]] == ["founding"]
    assert chengdu["cities"][1]["name"] == "Chengdu"


def test_dry_run_prints_the_toml_and_writes_nothing(run: Run, reg: Path) -> None:
    before = reg.read_bytes()
    result = run(
        "-r", reg, "add", "agreement", "taipei-daegu", "-d", "2021-03-26", "-t", "Reaffirmation",
        "--signatory", "Ko Wen-je (Mayor of Taipei)", "--field", "tourism", "--field", "culture",
        "--dry-run",
    )  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.stderr
    assert result.stdout == (
        "[[agreement]]\n"
        'partnership = "taipei-daegu"\n'
        'date = "2021-03-26"\n'
        'title = "Reaffirmation"\n'
        "signatories = [\n"
        '    { name = "Ko Wen-je", role = "Mayor of Taipei" },\n'
        "]\n"
        'fields = ["tourism", "culture"]\n'
    )
    assert result.stderr.startswith('Would record the agreement "Reaffirmation"')
    assert result.stderr.endswith("(dry run: nothing was written).\n")
    assert reg.read_bytes() == before
    assert sorted(p.name for p in reg.parent.iterdir()) == [reg.name]


def test_dry_run_refuses_what_a_real_run_refuses(run: Run, reg: Path) -> None:
    result = run("-r", reg, "end", "taipei-daegu", "-d", "2009", "--dry-run")
    assert result.exit_code == ExitCode.REFUSED
    assert result.stdout == ""


# ---------------------------------------------------------------------------
# Refusals: one line, exit code 1, nothing written

REFUSALS = [
    (
        ["add", "exchange", "taipei-daegu", "-d", "2021-02-30", "-k", "visit", "-t", "x"],
        "'2021-02-30' is not a date: February 2021 has 28 days",
    ),
    (
        ["add", "agreement", "taipei-dageu", "-d", "2021", "-t", "x"],
        "no tie matches 'taipei-dageu'; did you mean taipei-daegu?",
    ),
    (
        ["add", "partnership", "Daegu, South Korea", "TAIPEI", "-e", "2020"],
        "Taipei–Daegu is already in the registry as taipei-daegu",
    ),
    (
        ["add", "partnership", "sao paulo", "Taegu", "-e", "2020"],
        "São Paulo is already in the registry as daegu-sao-paulo",
    ),
    (["add", "partnership", "Taipei", "taipei, Taiwan", "-e", "2020"], "tied to itself"),
    (
        ["add", "agreement", "taipei-daegu", "-d", "2009-12-31", "-t", "x"],
        "taipei-daegu was established on 2010-11-04; an agreement dated 2009-12-31 would come "
        "before it",
    ),
    (
        ["add", "exchange", "taipei-daegu", "-d", "2010-10", "-k", "visit", "-t", "x"],
        "a visit dated 2010-10 would come before it",
    ),
    (["end", "taipei-daegu", "-d", "2010-11-03"], "would come before the tie began"),
    (["add", "agreement", "taipei-daegu", "-d", "2021", "-t", " "], "the title is empty"),
    (["add", "exchange", "taipei-daegu", "-d", "2021", "-k", "visit", "-t", ""], "title is empty"),
    (
        ["add", "exchange", "taipei-daegu", "-d", "2021", "-k", "visit", "-t", "a\nb"],
        "the title must be one line of plain text, without control characters (found a line break)",
    ),
    (
        [
            "add",
            "exchange",
            "taipei-daegu",
            "-d",
            "2021",
            "-k",
            "v",
            "-t",
            "x",
            "--details",
            "\x1b]0;pwned\x07",
        ],
        "the note may hold line breaks but no other control character (found U+001B)",
    ),
    (
        ["add", "agreement", "taipei-daegu", "-d", "2021", "-t", "x", "--note", "tab\there"],
        "the note may hold line breaks but no other control character (found U+0009)",
    ),
    (["resume", "taipei-daegu", "-d", "2021"], "taipei-daegu is active: there is no suspension"),
    (["add", "partnership", "Chengdu", "Taipei", "-e", "2015"], "no city 'Chengdu'"),
    (["add", "partnership", "Chengdu, Atlantis", "Taipei", "-e", "2015"], "unknown country"),
]


@pytest.mark.parametrize(("args", "message"), REFUSALS)
def test_refused_with_one_line_and_nothing_written(
    run: Run, reg: Path, args: list[str], message: str
) -> None:
    before = reg.read_bytes()
    result = run("-r", reg, *args)
    assert result.exit_code == ExitCode.REFUSED, result.stderr
    assert message in result.stderr
    assert result.stderr.startswith("sisterctl: ") and result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert reg.read_bytes() == before


def test_force_records_what_comes_before_the_tie(run: Run, reg: Path) -> None:
    result = run("-r", reg, "add", "exchange", "taipei-daegu", "-d", "2009", "-k", "visit",
                 "-t", "Early", "--force")  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.stderr
    text = reg.read_text(encoding="utf-8")
    assert text.endswith('title = "Early"\nbefore_founding = true\n')


def test_running_the_same_command_twice_records_once(run: Run, reg: Path) -> None:
    command = ["-r", reg, "add", "exchange", "taipei-daegu", "-d", "2017", "-k", "visit", "-t", "U"]
    assert run(*command).exit_code == ExitCode.OK
    before = reg.read_bytes()
    result = run(*command)
    assert (result.exit_code, result.stderr) == (
        1,
        'sisterctl: taipei-daegu already has the visit "U" of 2017 (run again with --force to '
        "record a second one)\n",
    )
    assert reg.read_bytes() == before
    assert run(*command, "--force").exit_code == ExitCode.OK
    assert len(show(run, reg, "taipei-daegu")["exchanges"]) == 2


def test_ending_an_ended_tie_is_refused(run: Run, reg: Path) -> None:
    assert run("-r", reg, "end", "taipei-daegu", "-d", "2019").exit_code == ExitCode.OK
    before = reg.read_bytes()
    result = run("-r", reg, "end", "taipei-daegu", "-d", "2020")
    assert (result.exit_code, result.stderr) == (
        1,
        "sisterctl: taipei-daegu already ended in 2019\n",
    )
    result = run("-r", reg, "resume", "taipei-daegu", "-d", "2020")
    assert result.exit_code == ExitCode.REFUSED and "--force" in result.stderr
    assert reg.read_bytes() == before
    assert (
        run("-r", reg, "resume", "taipei-daegu", "-d", "2020", "--force").exit_code == ExitCode.OK
    )
    assert show(run, reg, "taipei-daegu")["status"] == "active"


# ---------------------------------------------------------------------------
# Usage errors and prompting


@pytest.mark.parametrize(
    ("args", "missing"),
    [
        (["add", "agreement", "taipei-daegu", "-t", "x"], "missing option '--date'"),
        (["add", "agreement", "-d", "2021", "-t", "x"], "missing argument TIE"),
        (["add", "agreement", "taipei-daegu", "-d", "2021"], "missing option '--title'"),
        (["add", "exchange", "taipei-daegu", "-d", "2021", "-t", "x"], "missing option '--kind'"),
        (["add", "partnership", "Taipei", "Chengdu, CN"], "missing option '--established'"),
        (["add", "partnership", "Taipei"], "missing argument CITY CITY"),
        (["end", "taipei-daegu"], "missing option '--date'"),
        (["resume"], "missing argument TIE"),
    ],
)
def test_without_a_terminal_a_missing_value_is_a_usage_error(
    run: Run, reg: Path, args: list[str], missing: str
) -> None:
    before = reg.read_bytes()
    result = run("-r", reg, *args)
    assert result.exit_code == ExitCode.USAGE
    assert missing in result.stderr and "--help" in result.stderr
    assert reg.read_bytes() == before


def test_three_cities_are_a_usage_error(run: Run, reg: Path) -> None:
    result = run("-r", reg, "add", "partnership", "A, KR", "B, KR", "C, KR", "-e", "2020")
    assert result.exit_code == ExitCode.USAGE
    assert "a tie binds two cities, not 3" in result.stderr


AGREEMENT_DATE_PROMPT = "Date (YYYY-MM-DD, YYYY-MM or YYYY, or today; unknown if not known):"


def test_in_a_terminal_missing_values_are_asked_for(
    run: Run, reg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sisterctl.cli.write.interactive", lambda: True)
    answers = "Taipei Daegu\n2021-02-30\n2021-03-26\nReaffirmation\n"
    result = run("-r", reg, "add", "agreement", "--kind", "reaffirmation", input=answers)
    assert result.exit_code == ExitCode.OK, result.stderr
    # The prompts go to standard error; a date that is not one is asked for again.
    assert "Tie (its id, or its two cities):" in result.stderr
    # The prompt says what it takes; the mistake gets the message a bad --date gets.
    assert "sisterctl: --date: '2021-02-30' is not a date: February 2021 has 28 days\n" in (
        result.stderr
    )
    assert result.stderr.count(AGREEMENT_DATE_PROMPT) == 2
    # (CliRunner echoes the answers to stdout, as a terminal would show them typed.)
    assert "[[agreement]]" not in result.stdout
    [agreement] = show(run, reg, "taipei-daegu")["agreements"]
    assert (agreement["date"], agreement["title"]) == ("2021-03-26", "Reaffirmation")


def test_in_a_terminal_a_new_tie_asks_for_its_cities(
    run: Run, reg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sisterctl.cli.write.interactive", lambda: True)
    result = run("-r", reg, "add", "partnership", input="Taipei\nChengdu, China\n2015-11-10\n")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert "The second city (NAME, COUNTRY):" in result.stderr
    assert show(run, reg, "taipei-chengdu")["established"] == "2015-11-10"


def test_ending_the_answers_aborts_and_writes_nothing(
    run: Run, reg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sisterctl.cli.write.interactive", lambda: True)
    before = reg.read_bytes()
    result = run("-r", reg, "end", "taipei-daegu", input="")
    assert result.exit_code == ExitCode.REFUSED
    assert reg.read_bytes() == before


# ---------------------------------------------------------------------------
# Registry problems (3) and a busy lock (4)


def test_a_broken_registry_is_not_written(run: Run, reg: Path) -> None:
    reg.write_text(TIE + "[[exchange]\n", encoding="utf-8")
    before = reg.read_bytes()
    result = run("-r", reg, "end", "taipei-daegu", "-d", "2020")
    assert result.exit_code == ExitCode.REGISTRY
    broken = TIE.count("\n") + 1  # the line of the broken header
    assert f"{reg}:{broken}:" in result.stderr and "not valid TOML" in result.stderr
    assert reg.read_bytes() == before


def test_a_registry_with_errors_is_not_added_to(run: Run, reg: Path) -> None:
    reg.write_text(TIE + '\n[[exchange]]\npartnership = "nowhere"\nkind = "v"\ntitle = "t"\n')
    before = reg.read_bytes()
    result = run("-r", reg, "end", "taipei-daegu", "-d", "2020")
    assert result.exit_code == ExitCode.REGISTRY
    assert "fix the registry before adding to it" in result.stderr
    assert reg.read_bytes() == before


def test_a_missing_registry_says_how_to_make_one(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "none.toml"
    result = run("-r", path, "end", "taipei-daegu", "-d", "2020")
    assert result.exit_code == ExitCode.REGISTRY
    assert f"sisterctl init {path}" in result.stderr
    assert not path.exists()


def test_a_read_only_registry_is_refused(run: Run, reg: Path) -> None:
    reg.chmod(0o444)
    result = run("-r", reg, "end", "taipei-daegu", "-d", "2020")
    assert result.exit_code == ExitCode.REGISTRY
    assert "the registry is read-only; nothing was written" in result.stderr
    assert reg.read_text(encoding="utf-8") == TIE


def test_a_held_lock_is_busy_after_the_timeout(run: Run, reg: Path) -> None:
    from filelock import FileLock

    before = reg.read_bytes()
    from sisterctl import store

    store.lock_path(reg).parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(store.lock_path(reg))):
        result = run(
            "-r", reg, "end", "taipei-daegu", "-d", "2020", env={"SISTERCTL_LOCK_TIMEOUT": "0.2"}
        )
    assert result.exit_code == ExitCode.BUSY
    assert "another sisterctl process is writing the registry" in result.stderr
    assert "(it has held the write lock for over 0.2 s); try again" in result.stderr
    assert reg.read_bytes() == before


def test_a_bad_lock_timeout_is_a_usage_error(run: Run, reg: Path) -> None:
    result = run(
        "-r", reg, "end", "taipei-daegu", "-d", "2020", env={"SISTERCTL_LOCK_TIMEOUT": "x"}
    )
    assert result.exit_code == ExitCode.USAGE
    assert "SISTERCTL_LOCK_TIMEOUT must be a number of seconds" in result.stderr


# ---------------------------------------------------------------------------
# Text from users is data


def test_injected_toml_is_stored_and_shown_as_the_exact_text(run: Run, reg: Path) -> None:
    title = r'x"\n[[partnership]]\nid = "evil"'  # as typed in a shell: backslash, n
    details = 'x"\n[[partnership]]\nid = "evil"\n'  # real line breaks
    result = run("-r", reg, "add", "exchange", "taipei-daegu", "-d", "2021", "-k", "visit",
                 f"--title={title}", f"--details={details}")  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.stderr
    data = tomli.loads(reg.read_text(encoding="utf-8"))
    assert [p["id"] for p in data["partnership"]] == ["taipei-daegu", "daegu-sao-paulo"]
    [exchange] = show(run, reg, "taipei-daegu")["exchanges"]
    assert (exchange["title"], exchange["details"]) == (title, details)
    table = run("-r", reg, "show", "taipei-daegu", "--as-of", "2026-01-01").stdout
    assert title in table
    ids = json.loads(run("-r", reg, "list", "-f", "json").stdout)
    assert [row["id"] for row in ids] == ["daegu-sao-paulo", "taipei-daegu"]


# ---------------------------------------------------------------------------
# Display safety: registry text cannot restyle or take over a terminal

HOSTILE = """schema_version = 1

[[city]]
id = "evil-tw"
name = "Evil\\u001b[2J\\u001b]0;owned\\u0007City"
country = "TW"
local_name = "[bold red]Red[/bold red]"

[[city]]
id = "c1-kr"
name = "C1\\u009b31mCity\\u202eTIUCRIC"
country = "KR"

[[partnership]]
id = "evil-c1"
cities = ["evil-tw", "c1-kr"]
kind = "[blink]sister[/blink] city"
established = "2000"
notes = "note \\u001b[31mred\\u001b[0m [link=https://evil.example]click[/link]"

[[agreement]]
partnership = "evil-c1"
date = "2001"
title = "[bold red]Markup[/bold red] \\u001b[5mblink\\u200b"
signatories = [{ name = "\\u009b2J", role = "\\u2066role\\u2069" }]

[[exchange]]
partnership = "evil-c1"
date = "2002"
kind = "visit"
title = "\\u001bP+q\\u001b\\\\"
"""

RAW_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("list", "--format", "json"),
        ("show", "evil-c1"),
        ("show", "evil-c1", "--format", "json"),
    ],
)
def test_registry_text_reaches_the_terminal_escaped(
    run: Run, write_registry: Any, args: tuple[str, ...]
) -> None:
    path = write_registry(HOSTILE)
    result = run("-r", path, *args, "--as-of", "2026-01-01")
    assert result.exit_code == ExitCode.OK, result.stderr
    out = result.stdout
    assert not RAW_CONTROLS.search(out), RAW_CONTROLS.findall(out)
    assert "\\u001b" in out or "\\x1b" in out
    assert "\\u009b" in out or "\\x9b" in out
    if "--format" in args:
        # JSON escapes are lossless: a script gets the exact text back.
        data = json.loads(out)
        cities = data["cities"] if "show" in args else [
            {"name": data[0]["city_a"]}, {"name": data[0]["city_b"]}
        ]  # fmt: skip
        assert cities[0]["name"] == "Evil\x1b[2J\x1b]0;owned\x07City"
        assert cities[1]["name"] == "C1\x9b31mCity\u202eTIUCRIC"
    else:
        # Markup is shown as written, not interpreted.
        assert "[bold red]" in out or "[blink]" in out


def test_show_prints_markup_and_escapes_literally(run: Run, write_registry: Any) -> None:
    path = write_registry(HOSTILE)
    out = run("-r", path, "show", "evil-c1", "--as-of", "2026-01-01").stdout
    assert "Evil\\x1b[2J\\x1b]0;owned\\x07City" in out
    assert "C1\\x9b31mCity\\u202eTIUCRIC" in out
    assert "[bold red]Red[/bold red]" in out
    assert "[bold red]Markup[/bold red] \\x1b[5mblink\\u200b" in out
    assert "[blink]sister[/blink] city" in out
    # The URL is a numbered mark, listed at the end: the markup around it stays text.
    assert "[link=[1]]click[/link]" in out
    assert "\n[1] https://evil.example\n" in out
    assert "\\u2066role\\u2069" in out


# ---------------------------------------------------------------------------
# Undated exchanges, and one option name for one idea


def test_an_exchange_without_a_date_is_recorded_undated(run: Run, reg: Path) -> None:
    result = run(
        "-r", reg, "add", "exchange", "taipei-daegu", "--kind", "festival",
        "--title", "Chimaek Festival", "--note", "Several times.",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert 'Recorded the festival "Chimaek Festival" on taipei-daegu (undated)' in result.stderr
    result = run(
        "-r", reg, "add", "exchange", "taipei-daegu", "--date", "unknown", "--kind", "forum",
        "--title", "World Water Cities Forum",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    exchanges = show(run, reg, "taipei-daegu")["exchanges"]
    assert [(e.get("date"), e["precision"], e.get("details")) for e in exchanges] == [
        (None, "unknown", "Several times."),
        (None, "unknown", None),
    ]
    assert "date =" not in reg.read_text(encoding="utf-8").split("[[exchange]]")[1]
    # Run twice, recorded once.
    again = run(
        "-r", reg, "add", "exchange", "taipei-daegu", "--kind", "festival",
        "--title", "Chimaek Festival",
    )  # fmt: skip
    assert again.exit_code == 1
    assert 'already has the festival "Chimaek Festival" with no date' in again.stderr


def test_an_exchange_takes_venue_mode_and_fields(run: Run, reg: Path) -> None:
    result = run(
        "-r", reg, "add", "exchange", "taipei-daegu", "-d", "2021-03-23", "-k", "summit",
        "-t", "2021 Smart City Leaders Summit", "--mode", "video conference",
        "--venue", "Taipei City Hall", "--field", "smart cities",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    [summit] = show(run, reg, "taipei-daegu")["exchanges"]
    assert (summit["mode"], summit["venue"], summit["fields"]) == (
        "video-conference",
        "Taipei City Hall",
        ["smart cities"],
    )
    timeline = run("-r", reg, "timeline", "taipei-daegu", "--as-of", "2026-01-01").stdout
    assert "by video conference at Taipei City Hall" in timeline
    listed = run("-r", reg, "list", "--field", "smart cities", "-f", "csv").stdout
    assert "taipei-daegu" in listed


def test_the_old_option_names_still_work_hidden(run: Run, reg: Path) -> None:
    result = run(
        "-r", reg, "add", "exchange", "taipei-daegu", "-d", "2017", "-k", "visit", "-t", "V",
        "--details", "Old name",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert show(run, reg, "taipei-daegu")["exchanges"][0]["details"] == "Old name"
    assert (
        run("-r", reg, "end", "taipei-daegu", "-d", "2022", "--suspend", "--reason", "R").exit_code
        == 0
    )
    assert show(run, reg, "taipei-daegu")["status_reason"] == "R"
    assert run("-r", reg, "resume", "taipei-daegu", "-d", "2023", "--note", "N").exit_code == 0
    assert show(run, reg, "taipei-daegu")["status_reason"] == "N"
    for command in (["add", "exchange"], ["end"], ["resume"]):
        help_text = run(*command, "--help").stdout
        assert "--note" in help_text
        assert "--details" not in help_text and "--reason" not in help_text
    both = run("-r", reg, "end", "taipei-daegu", "-d", "2024", "--note", "a", "--reason", "b")
    assert both.exit_code == 2
    assert "--reason is the old name of --note: give one of them" in both.stderr


# ---------------------------------------------------------------------------
# Cities with their names


def test_add_city_records_its_local_name_aliases_kind_sources_and_notes(
    run: Run, reg: Path
) -> None:
    result = run(
        "-r", reg, "add", "city", "Gyeonggi, South Korea", "--local-name", "경기도",
        "--alias", "Gyeonggi Province", "--alias", "Kyonggi", "--kind", "province",
        "--source", "https://example.org/gyeonggi", "--note", "A province, not a city.",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "Recorded the new city gyeonggi-kr (Gyeonggi, KR)" in result.stderr
    assert reg.read_text(encoding="utf-8").endswith(
        '\n[[city]]\nid = "gyeonggi-kr"\nname = "Gyeonggi"\ncountry = "KR"\ntype = "province"\n'
        'local_name = "경기도"\naliases = ["Gyeonggi Province", "Kyonggi"]\n'
        'notes = "A province, not a city."\nsources = ["https://example.org/gyeonggi"]\n'
    )
    assert run("-r", reg, "list", "--city", "경기도").exit_code == 0


def test_add_city_records_its_wikidata_item_for_quickstatements(run: Run, reg: Path) -> None:
    before = reg.read_bytes()
    bad = run("-r", reg, "add", "city", "Chengdu, CN", "--wikidata", "chengdu", "--no-geocode")
    assert bad.exit_code == 1
    assert bad.stderr == (
        "sisterctl: 'chengdu' is not a Wikidata item id: write Q and its number, as in Q1867\n"
    )
    assert reg.read_bytes() == before
    # A bare number is the item of that number.
    result = run("-r", reg, "add", "city", "Chengdu, CN", "--wikidata", "30002", "--no-geocode")
    assert result.exit_code == 0, result.stderr
    assert reg.read_text(encoding="utf-8").endswith(
        '\n[[city]]\nid = "chengdu-cn"\nname = "Chengdu"\ncountry = "CN"\nwikidata = "Q30002"\n'
    )


def test_add_city_refuses_a_city_already_there(run: Run, reg: Path) -> None:
    before = reg.read_bytes()
    result = run("-r", reg, "add", "city", "Taegu, KR", "--local-name", "대구")
    assert result.exit_code == 1
    assert "Daegu, KR is already in the registry as daegu-kr" in result.stderr
    assert "sisterctl edit city daegu-kr" in result.stderr
    assert reg.read_bytes() == before


def test_add_partnership_names_the_one_new_city(run: Run, reg: Path) -> None:
    result = run(
        "-r", reg, "add", "partnership", "Taipei", "Chengdu, CN", "-e", "2015-11-10",
        "--local-name", "成都市", "--alias", "Chengtu", "--city-kind", "prefecture",
        "--city-source", "https://example.org/chengdu", "--city-note", "Capital of Sichuan.",
        "--source", "https://example.org/tie",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    chengdu = show(run, reg, "taipei-chengdu")["cities"][1]
    assert chengdu["local_name"] == "成都市" and chengdu["aliases"] == ["Chengtu"]
    assert chengdu["type"] == "prefecture" and chengdu["notes"] == "Capital of Sichuan."
    assert chengdu["sources"] == ["https://example.org/chengdu"]
    assert show(run, reg, "taipei-chengdu")["sources"] == ["https://example.org/tie"]


@pytest.mark.parametrize(
    ("cities", "message"),
    [
        (["Oslo, NO", "Bergen, NO"], "both Oslo and Bergen are new"),
        (["Taipei", "Sao Paulo"], "describe the new city of a tie, and taipei-tw and sao-paulo"),
    ],
)
def test_city_names_on_add_partnership_need_exactly_one_new_city(
    run: Run, reg: Path, cities: list[str], message: str
) -> None:
    before = reg.read_bytes()
    result = run("-r", reg, "add", "partnership", *cities, "-e", "2020", "--alias", "X")
    assert result.exit_code == 1, result.stderr
    assert message in result.stderr
    assert reg.read_bytes() == before
