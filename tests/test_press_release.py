"""The story this project grew from, recorded from the command line alone.

Taipei's international-affairs officer records every fact of the Taipei City
Government press release of March 2021 (../shared/seed/) into a new registry, with
sisterctl's commands and nothing else, then compares what `show taipei-daegu --format
json` gives with the bundled registry's record of the same facts.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from tests.conftest import Run

PRESS_RELEASE = (
    "https://english.sec.gov.taipei/News_Content.aspx?n=D073F200AC649E35"
    "&sms=2087D8D51C0A9475&s=338128DEF4A74355"
)
AS_OF = "2026-03-01"

# What the officer types, in order ($PR is the press release's address).
SESSION = """
sisterctl init $REG
sisterctl -r $REG add city "Taipei, Taiwan" --local-name 臺北市 --alias "Taipei City" --source $PR
sisterctl -r $REG add partnership Taipei "Daegu, South Korea" --established 2010-11-04 \
    --local-name 대구광역시 --alias Taegu --alias "Daegu Metropolitan City" --city-source $PR \
    --title "Sister City Agreement" \
    --field "smart cities" --field "pandemic prevention" --field sanitation \
    --field tourism --field culture --source $PR
sisterctl -r $REG add agreement taipei-daegu --date 2021-03-26 \
    --title "Agreement to Reaffirm Sister City Friendship" --kind reaffirmation \
    --signatory "Ko Wen-je (Mayor of Taipei)" --signatory "Kwon Young-jin (Mayor of Daegu)" \
    --mode "video conference" \
    --field "smart cities" --field "pandemic prevention" --field sanitation \
    --field tourism --field culture --source $PR \
    --note "Signed during a video conference on the afternoon of 26 March 2021 that celebrated the 10th anniversary of the tie (2020-11-04). The anniversary was celebrated late because of the COVID-19 pandemic: Kwon Young-jin had planned to visit Taiwan for it in 2020 but had to reschedule. The mayors also discussed vaccination progress and invited each other to exchange visits."
sisterctl -r $REG add exchange taipei-daegu --date 2021-03-23 --kind summit \
    --title "2021 Smart Ctiy Leaders Summit" --mode video-conference --source $PR \
    --note "Video-conference summit hosted by Taipei City on 23 March 2021; Daegu Mayor Kwon Young-jin took part by video conference, for which Taipei Mayor Ko Wen-je thanked him on 26 March 2021."
sisterctl -r $REG edit exchange taipei-daegu/2021-03-23-summit --set "title=2021 Smart City Leaders Summit"
sisterctl -r $REG add exchange taipei-daegu --date 2017 --kind delegation \
    --title "Opening ceremony of the Taipei 2017 Universiade" --source $PR \
    --note "Daegu Mayor Kwon Young-jin led a delegation in person to attend the opening ceremony of the Taipei 2017 Universiade."
sisterctl -r $REG add exchange taipei-daegu --kind consultation \
    --title "Taipei consults Daegu on organising the Universiade" --source $PR \
    --note "Taipei City once consulted Daegu City on its experience of organising the Universiade (press release of March 2021; no date given)."
sisterctl -r $REG add exchange taipei-daegu --date unknown --kind festival \
    --title "Taipei takes part in Daegu's Chimaek Festival" --source $PR \
    --note "Taipei City took part several times in the Chimaek Festival organised by Daegu, promoting Taipei's arts and cultural performances (press release of March 2021; no dates given)."
sisterctl -r $REG add exchange taipei-daegu --kind forum \
    --title "Taipei takes part in the World Water Cities Forum organised by Daegu" --source $PR \
    --note "Taipei City took part several times in the World Water Cities Forum organised by Daegu, publicising Taipei's water resource policies (press release of March 2021; no dates given)."
sisterctl -r $REG add exchange taipei-daegu --kind "tourism promotion" \
    --title "Each city posts the other's tourism promotion information" --source $PR \
    --note "As of March 2021 the two cities mutually posted tourism promotion information on each other's public transportation, in public venues and on websites, hoping their citizens would visit each other after the pandemic (press release; no start date given)."
sisterctl -r $REG add agreement taipei-daegu --date 2021 --planned --kind memorandum \
    --title "Memorandum on Mutual Tourism Promotion and Cooperation" --field tourism --source $PR \
    --note "To be signed by the tourism bureaus of the two cities \\"this year\\" (2021), to jointly promote city tourism, per the press release of March 2021."
"""  # noqa: E501 (the notes as typed, each on one line)


def session(registry: Path) -> list[list[str]]:
    text = SESSION.replace("\\\n", " ").replace("$REG", shlex.quote(str(registry)))
    text = text.replace("$PR", shlex.quote(PRESS_RELEASE))
    return [shlex.split(line)[1:] for line in text.splitlines() if line.startswith("sisterctl ")]


def show(run: Run, *args: str | Path) -> dict[str, Any]:
    result = run(*args, "show", "taipei-daegu", "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    tie: dict[str, Any] = json.loads(result.stdout)
    return tie


def by_title(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record["title"]: record for record in records}


def test_the_whole_press_release_is_recorded_with_commands_alone(run: Run, tmp_path: Path) -> None:
    registry = tmp_path / "taipei" / "partnerships.toml"
    registry.parent.mkdir()
    for command in session(registry):
        result = run(*command)
        assert result.exit_code == 0, (command, result.stderr)
    recorded = show(run, "-r", registry)
    bundled = show(run)  # the registry bundled with sisterctl

    # The tie: its two cities with their local names and aliases, kind, founding date,
    # status and fields of cooperation, as the bundled registry has them.
    for key in ("id", "kind", "established", "precision", "status", "fields"):
        assert recorded[key] == bundled[key], key
    for mine, theirs in zip(recorded["cities"], bundled["cities"], strict=True):
        for key in ("id", "name", "country", "local_name", "aliases"):
            assert mine[key] == theirs[key], (mine["id"], key)
        assert PRESS_RELEASE in theirs["sources"] and mine["sources"] == [PRESS_RELEASE]

    # The reaffirmation, every detail of it; the memorandum planned for that year.
    mine_a, theirs_a = by_title(recorded["agreements"]), by_title(bundled["agreements"])
    title = "Agreement to Reaffirm Sister City Friendship"
    assert mine_a[title] == theirs_a[title]
    memo = "Memorandum on Mutual Tourism Promotion and Cooperation"
    for key in ("id", "date", "precision", "kind", "status", "fields", "sources", "overdue"):
        assert mine_a[memo][key] == theirs_a[memo][key], key
    assert mine_a[memo]["overdue"] is True  # planned for 2021, seen in 2026
    assert theirs_a[memo]["notes"].startswith(mine_a[memo]["notes"].removesuffix("."))
    # The founding, on the day the tie was established.
    assert mine_a["Sister City Agreement"]["date"] == theirs_a["Sister City Agreement"]["date"]

    # The exchanges: the summit (its title's typo corrected in place) and the four the
    # press release gives no date for, as the bundled registry records them; the summit
    # also says how it took place.
    mine_e, theirs_e = by_title(recorded["exchanges"]), by_title(bundled["exchanges"])
    summit = mine_e.pop("2021 Smart City Leaders Summit")
    assert summit.pop("mode") == "video-conference"
    assert summit == theirs_e["2021 Smart City Leaders Summit"]
    for title in (
        "Taipei consults Daegu on organising the Universiade",
        "Taipei takes part in Daegu's Chimaek Festival",
        "Taipei takes part in the World Water Cities Forum organised by Daegu",
        "Each city posts the other's tourism promotion information",
    ):
        assert mine_e.pop(title) == theirs_e[title], title
    # Kwon's delegation to the Universiade: the press release gives the year; the
    # bundled registry has the day from a report published before the trip.
    [(title, delegation)] = mine_e.items()
    [universiade] = [e for e in bundled["exchanges"] if "Universiade opening" in e["title"]]
    assert (delegation["kind"], delegation["date"]) == ("delegation", "2017")
    assert universiade["kind"] == "delegation" and universiade["date"].startswith("2017")
    assert PRESS_RELEASE in universiade["sources"]

    # Recorded in the story's order of commands, shown in date order, with no planned
    # memorandum missed: the registry checks clean but for the one overdue warning.
    check = run("check", registry, "--as-of", AS_OF)
    assert check.exit_code == 0, check.stdout
    assert check.stdout.count("warning:") == 1 and "[overdue-planned]" in check.stdout
