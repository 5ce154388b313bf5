"""`sisterctl list` and `sisterctl show` on registries in tmp_path."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from sisterctl.errors import ExitCode
from tests.conftest import Run, one_tie

AS_OF = ("--as-of", "2026-11-28")


def test_list_table_shows_cities_countries_kind_date_years_status(
    run: Run, small_registry: Path
) -> None:
    result = run("-r", small_registry, "list", *AS_OF)
    assert result.exit_code == ExitCode.OK, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Tie", "City", "City", "Kind", "Established", "Years", "Status"]
    assert set(lines[1]) == {"─"}
    body = lines[2:]
    assert len(body) == 3  # not a terminal: one line per tie
    # Oldest first; the year-only tie shows both possible ages.
    assert "daegu-sao-paulo" in body[0] and "1997" in body[0] and "28–29" in body[0]
    assert "São Paulo, Brazil" in body[0] and "Daegu, South Korea" in body[0]
    assert "taipei-daegu" in body[1] and "Taipei, Taiwan" in body[1] and "2010-11-04" in body[1]
    assert body[1].endswith("16  active")
    assert "prague-beijing" in body[2] and "Czech Republic" in body[2] and "ended" in body[2]
    assert "\x1b[" not in result.stdout  # not a terminal: no escape codes


def list_ids(run: Run, registry: Path, *args: str) -> list[str]:
    result = run("-r", registry, "list", "--format", "json", *AS_OF, *args)
    assert result.exit_code == ExitCode.OK, result.stderr
    return [row["id"] for row in json.loads(result.stdout)]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), ["daegu-sao-paulo", "taipei-daegu", "prague-beijing"]),
        (("--city", "Daegu"), ["daegu-sao-paulo", "taipei-daegu"]),
        (("--city", "TAEGU"), ["daegu-sao-paulo", "taipei-daegu"]),
        (("--city", "sao paulo"), ["daegu-sao-paulo"]),
        (("--city", "臺北"), ["taipei-daegu"]),
        (("--city", "臺北市"), ["taipei-daegu"]),
        (("--city", "대구광역시"), ["daegu-sao-paulo", "taipei-daegu"]),
        (("--city", "praha"), ["prague-beijing"]),
        (("--city", "Atlantis"), []),
        (("--country", "KR"), ["daegu-sao-paulo", "taipei-daegu"]),
        (("--country", "South Korea"), ["daegu-sao-paulo", "taipei-daegu"]),
        (("--country", "taiwan"), ["taipei-daegu"]),
        (("--country", "Czechia"), ["prague-beijing"]),
        (("--kind", "friendship city"), ["daegu-sao-paulo"]),
        (("--kind", "Sister City"), ["taipei-daegu", "prague-beijing"]),
        # Whole words of a kind, as --city takes part of a name.
        (("--kind", "sister"), ["taipei-daegu", "prague-beijing"]),
        (("--kind", "FRIENDSHIP"), ["daegu-sao-paulo"]),
        (("--kind", "city"), ["daegu-sao-paulo", "taipei-daegu", "prague-beijing"]),
        (("--kind", "sist"), []),
        (("--kind", "city sister"), []),
        (("--status", "ended"), ["prague-beijing"]),
        (("--status", "active"), ["daegu-sao-paulo", "taipei-daegu"]),
        (("--field", "tourism"), ["taipei-daegu"]),
        (("--field", "culture"), ["prague-beijing"]),
        (("--since", "2010"), ["taipei-daegu", "prague-beijing"]),
        (("--until", "2010"), ["daegu-sao-paulo", "taipei-daegu"]),
        (("--since", "2011", "--until", "2016"), ["prague-beijing"]),
        (("--sort", "id"), ["daegu-sao-paulo", "prague-beijing", "taipei-daegu"]),
        (("--sort", "country"), ["prague-beijing", "daegu-sao-paulo", "taipei-daegu"]),
        (("--sort", "status"), ["daegu-sao-paulo", "taipei-daegu", "prague-beijing"]),
    ],
)
def test_list_filters_and_sorting(
    run: Run, small_registry: Path, args: tuple[str, ...], expected: list[str]
) -> None:
    assert list_ids(run, small_registry, *args) == expected


def test_an_empty_list_says_why_rather_than_print_bare_headers(
    run: Run, small_registry: Path, empty_registry: Path, tmp_path: Path
) -> None:
    result = run("-r", small_registry, "list", "--city", "Atlantis")
    assert (result.exit_code, result.stdout) == (ExitCode.OK, "")
    assert result.stderr == "sisterctl: no tie matches these filters\n"
    result = run("-r", empty_registry, "list")
    assert (result.exit_code, result.stdout) == (ExitCode.OK, "")
    assert result.stderr == (
        "sisterctl: the registry holds no ties yet: record one with 'sisterctl add "
        "partnership' or bring some in with 'sisterctl import'\n"
    )
    # Scripts get an empty list, and no message.
    result = run("-r", small_registry, "list", "--city", "Atlantis", "--format", "json")
    assert (result.stdout, result.stderr) == ("[]\n", "")
    # A picture asked for is still drawn.
    picture = tmp_path / "empty.svg"
    result = run("-r", small_registry, "list", "--city", "Atlantis", "--svg", picture)
    assert result.exit_code == ExitCode.OK and picture.is_file()


@pytest.mark.parametrize("command", ["list", "stats"])
def test_since_after_until_is_a_usage_error(run: Run, small_registry: Path, command: str) -> None:
    result = run("-r", small_registry, command, "--since", "2020", "--until", "2010")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == (
        "sisterctl: --since 2020 is after --until 2010: no tie is established in between\n"
    )
    assert result.stdout == ""


def test_list_json_has_stable_fields_and_iso_dates(run: Run, small_registry: Path) -> None:
    result = run("-r", small_registry, "list", "-f", "json", "--city", "Taipei", *AS_OF)
    assert json.loads(result.stdout) == [
        {
            "id": "taipei-daegu",
            "city_a": "Taipei",
            "country_a": "TW",
            "city_b": "Daegu",
            "country_b": "KR",
            "kind": "sister city",
            "established": "2010-11-04",
            "precision": "day",
            "years": 16,
            "status": "active",
        }
    ]
    assert result.stderr == ""


def test_list_csv_and_tsv(run: Run, small_registry: Path) -> None:
    csv_out = run("-r", small_registry, "list", "--format", "csv", *AS_OF).stdout
    rows = list(csv.DictReader(io.StringIO(csv_out)))
    assert [r["id"] for r in rows] == ["daegu-sao-paulo", "taipei-daegu", "prague-beijing"]
    assert rows[0]["established"] == "1997" and rows[0]["precision"] == "year"
    assert rows[2]["established"] == "2016-03" and rows[2]["status"] == "ended"
    tsv_out = run("-r", small_registry, "list", "--format", "tsv", *AS_OF).stdout
    lines = tsv_out.splitlines()
    assert lines[0].split("\t") == [
        "id",
        "city_a",
        "country_a",
        "city_b",
        "country_b",
        "kind",
        "established",
        "precision",
        "years",
        "status",
    ]
    assert lines[2].split("\t")[:3] == ["taipei-daegu", "Taipei", "TW"]


def test_list_csv_is_safe_to_open_in_a_spreadsheet(run: Run, write_registry) -> None:  # type: ignore[no-untyped-def]
    registry = one_tie('=HYPERLINK("http://x")', "@Daegu", kind='"-x"', established='"2010-11-04"')
    path = write_registry(registry)
    out = run("-r", path, "list", "--format", "csv", *AS_OF).stdout
    assert out.splitlines()[1] == (
        'a-b,"\'=HYPERLINK(""http://x"")",TW,\'@Daegu,KR,\'-x,2010-11-04,day,16,active'
    )
    # TSV is for scripts (cut, awk): the text as it is.
    tsv = run("-r", path, "list", "--format", "tsv", *AS_OF).stdout
    assert tsv.splitlines()[1].split("\t")[1] == '=HYPERLINK("http://x")'


def test_a_tie_founded_after_the_reference_day_is_0_years_old(run: Run, write_registry) -> None:  # type: ignore[no-untyped-def]
    path = write_registry(one_tie("Aa", "Bb", established='"2030"'))
    rows = json.loads(run("-r", path, "list", "--format", "json", *AS_OF).stdout)
    assert rows[0]["years"] == 0
    shown = run("-r", path, "show", "a-b", *AS_OF).stdout
    assert "2030 (year precision; 0 years)" in shown
    assert "-4" not in shown and "-5" not in shown


def test_unknown_country_is_refused_in_one_line(run: Run, small_registry: Path) -> None:
    result = run("-r", small_registry, "list", "--country", "Narnia")
    assert result.exit_code == ExitCode.REFUSED
    assert result.stderr == (
        "sisterctl: unknown country 'Narnia': give an ISO code such as KR or a name such as "
        "'South Korea'\n"
    )


def test_show_tells_the_whole_tie(run: Run, small_registry: Path) -> None:
    result = run("-r", small_registry, "show", "taipei-daegu", *AS_OF)
    assert result.exit_code == ExitCode.OK, result.stderr
    out = result.stdout
    for expected in [
        "Taipei–Daegu",
        "Taipei 臺北市, Taiwan",
        "Daegu 대구광역시, South Korea",
        "also Taegu",
        "sister city",
        "2010-11-04 (day precision; 16 years)",
        "active",
        "Agreement to Reaffirm Sister City Friendship",
        "reaffirmation",
        "Ko Wen-je (Mayor of Taipei)",
        "Kwon Young-jin (Mayor of Daegu)",
        "video conference",
        "fields: smart cities, tourism",
        "Opening ceremony of the Taipei 2017 Universiade",
        "delegation",
    ]:
        assert expected in out, expected
    assert out.index("Agreements") < out.index("Exchanges") < out.index("\nSources\n")
    # The tie's source is a numbered mark, listed whole at the end.
    assert "Sources      [1]" in out
    assert out.endswith("\nSources\n[1] https://example.org/a\n")


def test_show_by_city_names_in_either_order(run: Run, small_registry: Path) -> None:
    by_id = run("-r", small_registry, "show", "taipei-daegu", *AS_OF).stdout
    assert run("-r", small_registry, "show", "Daegu", "Taipei", *AS_OF).stdout == by_id
    assert run("-r", small_registry, "show", "taipei", "DAEGU", *AS_OF).stdout == by_id


def test_show_ended_tie_says_when_and_why(run: Run, small_registry: Path) -> None:
    out = run("-r", small_registry, "show", "prague-beijing", *AS_OF).stdout
    assert "ended since 2019-10-07: Prague ended the tie" in out
    assert "2016-03 (month precision; 10 years)" in out


def test_show_json_is_one_object_with_everything(run: Run, small_registry: Path) -> None:
    result = run("-r", small_registry, "show", "Taipei", "Daegu", "-f", "json", *AS_OF)
    data = json.loads(result.stdout)
    assert data["id"] == "taipei-daegu"
    assert [c["local_name"] for c in data["cities"]] == ["臺北市", "대구광역시"]
    assert data["established"] == "2010-11-04" and data["precision"] == "day"
    assert data["years"] == 16
    [agreement] = data["agreements"]
    assert agreement["signatories"] == [
        {"name": "Ko Wen-je", "role": "Mayor of Taipei"},
        {"name": "Kwon Young-jin", "role": "Mayor of Daegu"},
    ]
    assert agreement["mode"] == "video-conference"
    assert data["exchanges"][0]["date"] == "2017" and data["exchanges"][0]["precision"] == "year"
    assert data["extra"] == {"mystery": 3}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("taipei-dageu",), "no tie matches 'taipei-dageu'; did you mean taipei-daegu?"),
        (("Taipei", "Atlantis"), "no tie matches 'Taipei Atlantis'"),
        (("a", "b", "c"), "a tie is named by its id or by two cities, not 3 words"),
        # Part of a name that fits several ties: never one of them picked silently.
        (
            ("Daegu", "a"),
            "sisterctl: 'Daegu a' could be 2 ties: taipei-daegu, daegu-sao-paulo; "
            "name the tie by its id\n",
        ),
        # One city: how to name one of its ties, not ids that merely look alike.
        (
            ("taipei",),
            "sisterctl: 'taipei' is a city, not a tie: name its one tie by its id "
            "(taipei-daegu) or by its two cities (Taipei Daegu)\n",
        ),
        (
            ("대구광역시",),
            "sisterctl: '대구광역시' is a city, not a tie: name one of its 2 ties by its id "
            "(taipei-daegu, daegu-sao-paulo) or by its two cities (Daegu Taipei)\n",
        ),
        (
            ("sao paulo",),
            "sisterctl: 'sao paulo' is a city, not a tie: name its one tie by its id "
            "(daegu-sao-paulo) or by its two cities ('São Paulo' Daegu)\n",
        ),
    ],
)
def test_show_unknown_tie(
    run: Run, small_registry: Path, args: tuple[str, ...], message: str
) -> None:
    result = run("-r", small_registry, "show", *args)
    assert result.exit_code == ExitCode.REFUSED
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_cjk_names_stay_aligned(run: Run, write_registry) -> None:  # type: ignore[no-untyped-def]
    path = write_registry(
        "schema_version = 1\n"
        '[[city]]\nid = "a-tw"\nname = "臺北市"\ncountry = "TW"\n'
        '[[city]]\nid = "b-kr"\nname = "대구광역시"\ncountry = "KR"\n'
        '[[city]]\nid = "c-br"\nname = "Sao Paulo"\ncountry = "BR"\n'
        '[[partnership]]\nid = "a-b"\ncities = ["a-tw", "b-kr"]\nestablished = "2010-11-04"\n'
        '[[partnership]]\nid = "c-b"\ncities = ["c-br", "b-kr"]\nestablished = "2011-01-01"\n'
    )
    from rich.cells import cell_len

    out = run("-r", path, "list", *AS_OF).stdout.splitlines()
    rows = [line for line in out if "-b " in line]
    assert len(rows) == 2
    # The Established column starts at the same cell in both rows.
    starts = [cell_len(row[: row.index("20")]) for row in rows]
    assert starts[0] == starts[1]


def test_version_and_help(run: Run) -> None:
    from sisterctl import __version__

    assert run("--version").stdout == f"sisterctl {__version__}\n"
    help_text = run("--help").stdout
    for command in ("list", "show"):
        assert command in help_text


def test_the_sort_choices_are_the_cores_sort_keys() -> None:
    from sisterctl.cli.read import SortChoice
    from sisterctl.core.query import SortKey

    assert [c.value for c in SortChoice] == [k.value for k in SortKey]


def test_the_readme_unknown_tie_message_is_what_the_bundled_registry_gives(run: Run) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    message = "sisterctl: no tie matches 'taipei-dageu'; did you mean taipei-daegu?"
    assert f"`{message}`" in readme
    result = run("show", "taipei-dageu")
    assert (result.exit_code, result.stderr) == (ExitCode.REFUSED, message + "\n")


def test_suggestions_leave_out_those_far_less_alike_than_the_best() -> None:
    from sisterctl.core.query import closest

    ids = ["taipei-daegu", "taipei-prague", "taipei-seoul", "taipei-riga", "daegu-hiroshima"]
    assert closest("taipei-dageu", ids) == ["taipei-daegu"]
    # Alike as much as each other: all of them, best first, at most n.
    assert closest("taipei-r", ["taipei-rome", "taipei-riga", "taipei-roma"], n=2) == [
        "taipei-riga",
        "taipei-roma",
    ]
    assert closest("nowhere", ids) == []


def test_a_tie_id_the_other_way_round_finds_the_tie(run: Run, small_registry: Path) -> None:
    # Ids are made of the two names in the order they were recorded (daegu-taipei from
    # an import); the same two names the other way round name the same tie.
    result = run("-r", small_registry, "show", "sao-paulo-daegu", "--format", "json", *AS_OF)
    assert result.exit_code == ExitCode.OK, result.stderr
    assert json.loads(result.stdout)["id"] == "daegu-sao-paulo"


def test_a_reversed_id_never_finds_a_tie_of_other_cities(run: Run, write_registry) -> None:  # type: ignore[no-untyped-def]
    path = write_registry(one_tie("X", "Y", tie="b-a"))  # the ids' halves name no city
    result = run("-r", path, "show", "a-b")
    assert result.exit_code == ExitCode.REFUSED
    assert result.stderr.startswith("sisterctl: no tie matches 'a-b'")


def test_kind_words_do_not_run_across_other_words() -> None:
    from sisterctl.core.query import kind_matcher

    matches = kind_matcher("friendship city")
    assert matches("Friendship City")
    assert matches("friendship city (友好交流都市)")
    assert not matches("friendship and cooperation city")
    assert kind_matcher("cooperation")("friendship and cooperation city")
    assert kind_matcher("-")("-") and not kind_matcher("-")("sister city")
