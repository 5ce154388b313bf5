"""Tests for sisterctl.countries: names, codes, and lookup of the spellings real data uses."""

import ast
import csv
import re
import sys
from pathlib import Path

import pytest

from sisterctl import countries
from sisterctl.countries import NAMES, country_name, is_known, lookup
from tests.conftest import SHARED, TWIN_CITIES

TWIN_CITIES_CSV = TWIN_CITIES  # found as conftest finds it: ../shared or $SISTERCTL_SHARED
TIES_CSV = SHARED / "facts" / "ties.csv"

# Country values in twin_cities_raw.csv that deliberately get no code, and why.
TWIN_CITIES_UNPLACED = {
    "Northern Cyprus": "recognised only by Turkey; its towns would be CY or a guess",
}


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("TW", "Taiwan"),
        ("KR", "South Korea"),
        ("KP", "North Korea"),
        ("US", "United States"),
        ("GB", "United Kingdom"),
        ("RU", "Russia"),
        ("VN", "Vietnam"),
        ("CZ", "Czech Republic"),
        ("IR", "Iran"),
        ("SY", "Syria"),
        ("LA", "Laos"),
        ("MD", "Moldova"),
        ("BO", "Bolivia"),
        ("VE", "Venezuela"),
        ("TZ", "Tanzania"),
        ("FM", "Micronesia"),
        ("PS", "Palestine"),
        ("CD", "DR Congo"),
        ("CG", "Republic of the Congo"),
        ("CI", "Ivory Coast"),
        ("CV", "Cape Verde"),
        ("SZ", "Eswatini"),
        ("MK", "North Macedonia"),
        ("TR", "Turkey"),
        ("VA", "Vatican City"),
        ("BN", "Brunei"),
        ("MO", "Macau"),
        ("HK", "Hong Kong"),
        ("XK", "Kosovo"),
        ("CN", "China"),
        ("JP", "Japan"),
        ("DE", "Germany"),
        ("AX", "Åland Islands"),
        ("RE", "Réunion"),
        ("ST", "São Tomé and Príncipe"),
    ],
)
def test_country_name(code: str, name: str) -> None:
    assert NAMES[code] == name
    assert country_name(code) == name
    assert is_known(code)


@pytest.mark.parametrize("code", ["ZZ", "EU", "UK", "tw", "", "TWN"])
def test_unknown_code_is_its_own_name(code: str) -> None:
    assert country_name(code) == code
    assert not is_known(code)


def test_names_cover_iso_3166_1_and_kosovo() -> None:
    assert len(NAMES) == 250  # 249 officially assigned codes, and XK
    assert all(re.fullmatch(r"[A-Z]{2}", code) for code in NAMES)
    assert list(NAMES) == sorted(NAMES)
    assert len(set(NAMES.values())) == len(NAMES)


def test_names_are_short_names_not_iso_list_forms() -> None:
    iso_forms = [name for name in NAMES.values() if re.search(r", | of$|Republic of", name)]
    assert iso_forms == ["Republic of the Congo"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # Codes, in any case.
        ("KR", "KR"),
        ("kr", "KR"),
        (" tw ", "TW"),
        ("xk", "XK"),
        # Short names.
        ("South Korea", "KR"),
        ("Taiwan", "TW"),
        ("Vietnam", "VN"),
        ("DR Congo", "CD"),
        ("Ivory Coast", "CI"),
        # ISO and official names.
        ("Korea, Republic of", "KR"),
        ("Republic of Korea", "KR"),
        ("Korea, Democratic People's Republic of", "KP"),
        ("Democratic People's Republic of Korea", "KP"),
        ("DPRK", "KP"),
        ("Taiwan, Province of China", "TW"),
        ("Republic of China", "TW"),
        ("People's Republic of China", "CN"),
        ("PRC", "CN"),
        ("Viet Nam", "VN"),
        ("Russian Federation", "RU"),
        ("Czechia", "CZ"),
        ("Iran, Islamic Republic of", "IR"),
        ("Syrian Arab Republic", "SY"),
        ("Lao People's Democratic Republic", "LA"),
        ("Moldova, Republic of", "MD"),
        ("Bolivia, Plurinational State of", "BO"),
        ("Venezuela, Bolivarian Republic of", "VE"),
        ("Tanzania, United Republic of", "TZ"),
        ("Palestine, State of", "PS"),
        ("United States of America", "US"),
        ("USA", "US"),
        ("U.S.", "US"),
        ("U.S.A.", "US"),
        ("UK", "GB"),
        ("Great Britain", "GB"),
        ("Türkiye", "TR"),
        ("The Netherlands", "NL"),
        ("The Gambia", "GM"),
        ("The Bahamas", "BS"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d'Ivoire", "CI"),
        ("Democratic Republic of the Congo", "CD"),
        ("Congo, The Democratic Republic of the", "CD"),
        ("Congo-Kinshasa", "CD"),
        ("Congo", "CG"),
        ("Congo-Brazzaville", "CG"),
        ("Burma", "MM"),
        ("Macedonia", "MK"),
        ("North Macedonia", "MK"),
        ("Swaziland", "SZ"),
        ("East Timor", "TL"),
        ("Timor-Leste", "TL"),
        ("Cabo Verde", "CV"),
        ("Vatican", "VA"),
        ("Holy See", "VA"),
        ("Holy See (Vatican City State)", "VA"),
        ("Federated States of Micronesia", "FM"),
        ("Micronesia, Federated States of", "FM"),
        ("St. Kitts and Nevis", "KN"),
        ("Saint Vincent and the Grenadines", "VC"),
        ("Brunei Darussalam", "BN"),
        ("Macao", "MO"),
        ("Republic of Ireland", "IE"),
        ("Bonaire, Sint Eustatius and Saba", "BQ"),
        ("Virgin Islands, U.S.", "VI"),
        ("Virgin Islands, British", "VG"),
        # UN-style parentheses read like ISO's commas.
        ("Korea (Republic of)", "KR"),
        ("Iran (Islamic Republic of)", "IR"),
        ("Congo (Brazzaville)", "CG"),
        ("Congo (Kinshasa)", "CD"),
        # Countries within a country, and territories with codes of their own.
        ("England", "GB"),
        ("Scotland", "GB"),
        ("Wales", "GB"),
        ("Northern Ireland", "GB"),
        ("Puerto Rico", "PR"),
        ("Greenland", "GL"),
        ("Faroe Islands", "FO"),
        ("Kosovo", "XK"),
        ("Hong Kong", "HK"),
        ("West Bank", "PS"),
        ("Western Sahara", "EH"),
    ],
)
def test_lookup(text: str, code: str) -> None:
    assert lookup(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("  south korea  ", "KR"),
        ("SOUTH KOREA", "KR"),
        ("korea, republic of", "KR"),
        ("Korea Republic Of", "KR"),
        ("COTE D’IVOIRE", "CI"),
        ("Cote d Ivoire", "CI"),
        ("Côte-d'Ivoire", "CI"),
        ("Sao Tome and Principe", "ST"),
        ("SÃO TOMÉ & PRÍNCIPE", "ST"),
        ("Reunion", "RE"),
        ("Curacao", "CW"),
        ("Aland Islands", "AX"),
        ("TÜRKİYE", "TR"),
        ("Turkiye", "TR"),
        ("the netherlands", "NL"),
        ("Netherlands, The", "NL"),
        ("Gambia, The", "GM"),
        ("St Kitts & Nevis", "KN"),
        ("Saint Kitts and Nevis", "KN"),
        ("St. Vincent & the Grenadines", "VC"),
        ("Saint Vincent and Grenadines", "VC"),
        ("Antigua & Barbuda", "AG"),
        ("Trinidad and Tobago", "TT"),
        ("Bosnia-Herzegovina", "BA"),
        ("Bosnia & Herzegovina", "BA"),
        ("Guinea Bissau", "GW"),
        ("Timor Leste", "TL"),
        ("u.k.", "GB"),
        ("Dem. Rep. Congo", "CD"),
        ("Czech Rep.", "CZ"),
        ("Peoples Republic of China", "CN"),
        ("People’s Republic of China", "CN"),
    ],
)
def test_lookup_ignores_case_accents_and_punctuation(text: str, code: str) -> None:
    assert lookup(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("England, United Kingdom", "GB"),
        ("Northern Ireland, UK", "GB"),
        ("Brandenburg, Germany", "DE"),
        ("Ohio, United States", "US"),
        ("Georgia, United States", "US"),
        ("Georgia (U.S. state)", "US"),
        ("Georgia (country)", "GE"),
        ("Rauma, Norway", "NO"),
        ("Varna, Bulgaria", "BG"),
        ("Réunion, France", "RE"),
        ("Åland Islands, Finland", "AX"),
        ("Mariehamn, Åland Islands, Finland", "AX"),
        ("Puerto Rico, United States", "PR"),
        ("Hong Kong, China", "HK"),
        ("Taiwan, China", "TW"),
        ("Kosovo, Serbia", "XK"),
    ],
)
def test_lookup_place_then_state(text: str, code: str) -> None:
    assert lookup(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        ",",
        "Atlantis",
        "Europe",
        "ZZ",
        "Holland",
        "Korea",
        "Northern Cyprus",
        "Turkish Republic of Northern Cyprus",
        "Abkhazia",
        "South Ossetia",
        "Transnistria",
        "Nagorno-Karabakh",
        "Somaliland",
        "Crimea",
        "Crimea, Ukraine",
        "Sevastopol, Crimea, Russia",
        "Kyrenia, Northern Cyprus",
        "Soviet Union",
        "Yugoslavia",
        "Czechoslovakia",
        "Springfield, Atlantis",
    ],
)
def test_lookup_unknown_or_without_code(text: str) -> None:
    assert lookup(text) is None


@pytest.mark.parametrize("code", sorted(NAMES))
def test_names_round_trip(code: str) -> None:
    assert lookup(NAMES[code]) == code
    assert lookup(code) == code
    assert lookup(code.lower()) == code


def test_aliases_round_trip_and_do_not_collide() -> None:
    aliases = countries._ALIASES
    assert {alias: lookup(alias) for alias in aliases if lookup(alias) != aliases[alias]} == {}
    assert all(lookup(name) is None for name in countries._NO_CODE)


def test_territory_table_uses_known_codes() -> None:
    for place, states in countries._WRITTEN_UNDER.items():
        assert is_known(place)
        assert all(is_known(state) and state != place for state in states)


def test_module_imports_only_the_standard_library() -> None:
    tree = ast.parse(Path(countries.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0 and node.module
            imported.add(node.module.split(".")[0])
    assert imported
    assert imported <= sys.stdlib_module_names


# Every spelling in twin_cities_raw.csv that is not simply a name in NAMES, and its code;
# checked whether or not the file is present.
@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Algarve, Portugal", "PT"),
        ("Azores, Portugal", "PT"),
        ("Bosnia and Hercegovina", "BA"),
        ("Brandenburg, Germany", "DE"),
        ("Congo", "CG"),  # Brazzaville, Pointe-Noire
        ("Democratic Republic of the Congo", "CD"),
        ("England", "GB"),
        ("England, United Kingdom", "GB"),
        ("Federated States of Micronesia", "FM"),
        ("French Guiana, France", "GF"),
        ("Georgia", "GE"),  # Tbilisi, Batumi...: all the country
        ("Georgia (country)", "GE"),
        ("Grece", "GR"),
        ("Guadeloupe, France", "GP"),
        ("Island", "IS"),  # Norðurþing
        ("Japa", "JP"),  # Tōmi
        ("Kazakhstah", "KZ"),
        ("Lower Saxony, Germany", "DE"),
        ("Madagaskar", "MG"),
        ("Martinique, France", "MQ"),
        ("Mecklenburg-Vorpommern, Germany", "DE"),
        ("Moldavia", "MD"),  # Comrat, Soroca
        ("New York, United States", "US"),
        ("Northern Ireland, United Kingdom", "GB"),
        ("Ohio, United States", "US"),
        ("Rauma, Norway", "NO"),
        ("Republic of Ireland", "IE"),
        ("Réunion, France", "RE"),
        ("Scotland", "GB"),
        ("Scotland, United Kingdom", "GB"),
        ("Surinam", "SR"),
        ("Timor-Leste", "TL"),
        ("Tinn, Norway", "NO"),
        ("Wales", "GB"),
        ("Wales, United Kingdom", "GB"),
        ("West Bank", "PS"),  # Ariel
        ("in Italy", "IT"),  # Margreid an der Weinstraße
        ("Åland Islands, Finland", "AX"),
    ],
)
def test_lookup_twin_cities_spellings(text: str, code: str) -> None:
    assert lookup(text) == code


def _country_values(path: Path, columns: tuple[str, str]) -> set[str]:
    if not path.exists():
        pytest.skip(f"{path} is not present")
    with path.open(newline="", encoding="utf-8") as file:
        return {row[column] for row in csv.DictReader(file) for column in columns} - {""}


@pytest.mark.slow
def test_every_twin_cities_country_is_placed() -> None:
    values = _country_values(TWIN_CITIES_CSV, ("country1", "country2"))
    unplaced = {value for value in values if lookup(value) is None}
    assert unplaced == set(TWIN_CITIES_UNPLACED) & values
    assert all(lookup(value) is None for value in TWIN_CITIES_UNPLACED)


def test_every_ties_country_is_placed() -> None:
    values = _country_values(TIES_CSV, ("country_a", "country_b"))
    assert {value for value in values if lookup(value) is None} == set()
    assert {lookup(value) for value in values} >= {"KR", "TW", "US", "CN", "JP", "VN"}
