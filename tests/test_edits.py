"""The edits core: the records `add`, `end` and `resume` append, and what they refuse."""

from __future__ import annotations

from typing import Any

import pytest
import tomli

from sisterctl.cli.app import cli_words
from sisterctl.core.edits import (
    NewAgreement,
    NewExchange,
    NewStatus,
    NewTie,
    change_status,
    describe,
    line,
    mode_word,
    new_agreement,
    new_exchange,
    new_tie,
    paragraph,
    parse_signatory,
    resolve_city,
)
from sisterctl.dates import PartialDate, parse_partial_date
from sisterctl.errors import Hint, NotFoundError, RecordRef, RefusedError
from sisterctl.model import Registry, Status
from sisterctl.records.build import build
from sisterctl.records.toml import registry_template
from tests.conftest import TWO_TIES


def registry(extra: str = "") -> Registry:
    result = build(tomli.loads(TWO_TIES + extra))
    assert not result.errors, result.errors
    return result.registry


def day(text: str) -> PartialDate:
    return parse_partial_date(text)


# ---------------------------------------------------------------------------
# Text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ko Wen-je (Mayor of Taipei)", {"name": "Ko Wen-je", "role": "Mayor of Taipei"}),
        ("  Ko Wen-je   (Mayor of Taipei)  ", {"name": "Ko Wen-je", "role": "Mayor of Taipei"}),
        ("Ko Wen-je", {"name": "Ko Wen-je"}),
        ("Ko Wen-je ()", {"name": "Ko Wen-je"}),
        ("A (Mayor (acting))", {"name": "A", "role": "Mayor (acting)"}),
        ("A (b) (Mayor)", {"name": "A (b)", "role": "Mayor"}),
        ("권영진 (대구광역시장)", {"name": "권영진", "role": "대구광역시장"}),
        ("Mayor) x", {"name": "Mayor) x"}),
    ],
)
def test_a_signatory_is_a_name_and_a_role_in_parentheses(
    text: str, expected: dict[str, str]
) -> None:
    assert parse_signatory(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "(Mayor of Taipei)", "Ko\x1b[31m"])
def test_a_signatory_needs_a_name_in_plain_text(text: str) -> None:
    with pytest.raises(RefusedError):
        parse_signatory(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("video-conference", "video-conference"),
        ("Video Conference", "video-conference"),
        ("video_conference", "video-conference"),
        ("videoconference", "video-conference"),
        ("in person", "in-person"),
        ("In-Person", "in-person"),
        ("exchange of documents", "exchange-of-documents"),
        ("by letter", "by letter"),
    ],
)
def test_the_usual_modes_get_their_usual_spelling(text: str, expected: str) -> None:
    assert mode_word(text) == expected


@pytest.mark.parametrize(
    "text",
    ["a\nb", "a\rb", "a\tb", "a\x00b", "\x1b[2J", "a\x7fb", "a\x85b", "a\x9b31m"],
)
def test_a_line_refuses_every_control_character(text: str) -> None:
    with pytest.raises(RefusedError, match="control character"):
        line(text, "title")


def test_a_paragraph_keeps_line_breaks_and_refuses_other_controls() -> None:
    assert paragraph("one\ntwo", "note") == "one\ntwo"
    assert paragraph("one\r\ntwo", "note") == "one\ntwo"
    assert paragraph("  ", "note") is None
    for bad in ("a\tb", "a\x1bb", "a\rb", "a\x9bb"):
        with pytest.raises(
            RefusedError, match="may hold line breaks but no other control character"
        ):
            paragraph(bad, "note")


def test_text_that_is_not_unicode_is_refused() -> None:
    with pytest.raises(RefusedError, match="not valid text"):
        line("caf\udce9", "title")


def test_bidirectional_marks_and_markup_are_text_like_any_other() -> None:
    assert line("‮evil [bold red]x[/]", "title") == "‮evil [bold red]x[/]"


# ---------------------------------------------------------------------------
# Cities


@pytest.mark.parametrize(
    "text",
    [
        "Daegu",
        "daegu",
        "TAEGU",
        "daegu-kr",
        "Daegu, KR",
        "daegu, South Korea",
        "Daegu,Korea, Republic of",
    ],
)
def test_a_city_the_registry_knows(text: str) -> None:
    city = resolve_city(registry(), text)
    assert (city.id, city.new) == ("daegu-kr", False)


def test_accents_and_local_names_find_a_known_city() -> None:
    assert resolve_city(registry(), "Sao Paulo").id == "sao-paulo-br"
    assert resolve_city(registry(), "SAO PAULO, Brazil").id == "sao-paulo-br"
    assert resolve_city(registry(), "臺北市").id == "taipei-tw"


def test_a_new_city_gets_an_id_from_its_name_and_country() -> None:
    city = resolve_city(registry(), "Chengdu, China")
    assert (city.id, city.name, city.country, city.new) == ("chengdu-cn", "Chengdu", "CN", True)
    assert city.record() == {"id": "chengdu-cn", "name": "Chengdu", "country": "CN"}
    assert list(city.record()) == ["id", "name", "country"]


def test_a_known_name_in_another_country_is_a_new_city() -> None:
    city = resolve_city(registry(), "Daegu, US")
    assert (city.id, city.new) == ("daegu-us", True)


def test_a_name_with_no_latin_letters_gets_a_stable_id() -> None:
    first = resolve_city(registry(), "대구, KR")
    again = resolve_city(registry(), "대구, South Korea")
    assert first.id == again.id
    assert first.id.startswith("city-") and first.id.endswith("-kr")
    assert first.name == "대구"
    assert resolve_city(registry(), "광주, KR").id != first.id


def test_a_new_city_id_never_takes_one_in_use() -> None:
    reg = registry('\n[[city]]\nid = "chengdu-cn"\nname = "Chengdu (old)"\ncountry = "CN"\n')
    assert resolve_city(reg, "Chengdu, CN").id == "chengdu-cn-2"


def test_a_bare_name_of_two_cities_is_refused_with_both() -> None:
    reg = registry(
        '\n[[city]]\nid = "springfield-il-us"\nname = "Springfield"\ncountry = "US"\n'
        '\n[[city]]\nid = "springfield-au"\nname = "Springfield"\ncountry = "AU"\n'
    )
    with pytest.raises(RefusedError) as caught:
        resolve_city(reg, "Springfield")
    assert "springfield-il-us" in str(caught.value) and "springfield-au" in str(caught.value)
    assert "add the country" in str(caught.value)
    assert resolve_city(reg, "Springfield, AU").id == "springfield-au"


def test_an_unknown_bare_name_says_how_to_add_it() -> None:
    with pytest.raises(RefusedError, match="write it as 'Chengdu, COUNTRY'"):
        resolve_city(registry(), "Chengdu")
    with pytest.raises(RefusedError, match="did you mean Daegu"):
        resolve_city(registry(), "Daegoo")


def test_an_unknown_country_is_refused() -> None:
    with pytest.raises(RefusedError, match="unknown country 'Atlantis'"):
        resolve_city(registry(), "Chengdu, Atlantis")


def test_a_comma_in_a_name_is_kept_when_the_country_comes_last() -> None:
    city = resolve_city(registry(), "Washington, D.C., US")
    assert (city.name, city.country, city.id) == ("Washington, D.C.", "US", "washington-d-c-us")


# ---------------------------------------------------------------------------
# A new tie


def test_a_new_tie_appends_its_new_cities_the_tie_and_its_founding_agreement() -> None:
    records = new_tie(
        registry(),
        NewTie(
            cities=("Taipei", "Chengdu, China"),
            established=day("2015-11-10"),
            fields=["tourism", "culture", "Tourism"],
            sources=["https://example.org/a", "https://example.org/a"],
            notes="Signed in Taipei.",
            signatories=["Ko Wen-je (Mayor of Taipei)"],
            mode="in person",
            venue="Taipei City Hall",
        ),
    )
    assert records == [
        ("city", {"id": "chengdu-cn", "name": "Chengdu", "country": "CN"}),
        (
            "partnership",
            {
                "id": "taipei-chengdu",
                "cities": ["taipei-tw", "chengdu-cn"],
                "kind": "sister city",
                "established": "2015-11-10",
                "fields": ["tourism", "culture"],
                "notes": "Signed in Taipei.",
                "sources": ["https://example.org/a"],
            },
        ),
        (
            "agreement",
            {
                "partnership": "taipei-chengdu",
                "date": "2015-11-10",
                "title": "Sister city agreement",
                "kind": "founding",
                "signatories": [{"name": "Ko Wen-je", "role": "Mayor of Taipei"}],
                "mode": "in-person",
                "venue": "Taipei City Hall",
            },
        ),
    ]
    # Keys in the documented order.
    assert list(records[1][1]) == [
        "id", "cities", "kind", "established", "fields", "notes", "sources"
    ]  # fmt: skip


def test_the_founding_agreement_is_named_after_the_kind_unless_titled() -> None:
    records = new_tie(
        registry(), NewTie(("Taipei", "Ningbo, CN"), day("2002-10"), kind="friendship city")
    )
    assert records[-1][1]["title"] == "Friendship city agreement"
    assert records[-2][1]["kind"] == "friendship city"
    records = new_tie(registry(), NewTie(("Taipei", "Ningbo, CN"), day("2002"), title="Accord"))
    assert records[-1][1]["title"] == "Accord"
    assert records[-1][1]["date"] == "2002"


def test_two_new_cities_are_both_appended() -> None:
    records = new_tie(registry(), NewTie(("Prague, CZ", "Beijing, China"), day("2016-03")))
    assert [t for t, _ in records] == ["city", "city", "partnership", "agreement"]
    assert records[2][1]["id"] == "prague-beijing"


@pytest.mark.parametrize(
    "cities",
    [
        ("Taipei", "Daegu"),
        ("Daegu", "Taipei"),
        ("DAEGU, south korea", "taipei, Taiwan"),
        ("Taegu, KR", "臺北市"),
        ("sao paulo, BR", "Daegu"),
        ("Daegu", "SÃO PAULO"),
    ],
)
def test_a_tie_already_there_is_refused_in_either_order_case_or_accents(
    cities: tuple[str, str],
) -> None:
    with pytest.raises(RefusedError, match="already in the registry as"):
        new_tie(registry(), NewTie(cities, day("2020")))


def test_a_tie_between_same_named_cities_of_two_records_is_refused() -> None:
    # A second record for São Paulo, spelt without the accent: still the same tie.
    reg = registry('\n[[city]]\nid = "sampa-br"\nname = "Sao Paulo"\ncountry = "BR"\n')
    with pytest.raises(RefusedError, match="already in the registry as daegu-sao-paulo"):
        new_tie(reg, NewTie(("sampa-br", "daegu-kr"), day("2020")))


@pytest.mark.parametrize(
    "cities", [("Taipei", "taipei-tw"), ("Chengdu, CN", "chengdu, China"), ("Daegu", "Taegu")]
)
def test_a_city_tied_to_itself_is_refused(cities: tuple[str, str]) -> None:
    with pytest.raises(RefusedError, match="cannot be tied to itself"):
        new_tie(registry(), NewTie(cities, day("2020")))


def test_a_tie_id_takes_country_codes_then_a_number_only_when_needed() -> None:
    reg = registry(
        '\n[[city]]\nid = "paris-fr"\nname = "Paris"\ncountry = "FR"\n'
        '\n[[city]]\nid = "rome-it"\nname = "Rome"\ncountry = "IT"\n'
        '\n[[partnership]]\nid = "paris-rome"\ncities = ["paris-fr", "rome-it"]\n'
        '\n[[partnership]]\nid = "paris-us-rome-us"\ncities = ["taipei-tw", "rome-it"]\n'
    )
    records = new_tie(reg, NewTie(("Paris, US", "Rome, US"), day("2020")))
    assert records[2][1]["id"] == "paris-us-rome-us-2"
    records = new_tie(reg, NewTie(("Paris, CA", "Rome, US"), day("2020")))
    assert records[2][1]["id"] == "paris-ca-rome-us"
    records = new_tie(reg, NewTie(("Lyon, FR", "Rome"), day("2020")))
    assert records[1][1]["id"] == "lyon-rome"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", ""),
        ("kind", "sister\ncity"),
        ("title", " "),
        ("venue", "a\x1bb"),
        ("notes", "\x07"),
    ],
)
def test_a_new_tie_with_bad_text_is_refused(field: str, value: str) -> None:
    with pytest.raises(RefusedError):
        new_tie(registry(), NewTie(("Taipei", "Chengdu, CN"), day("2020"), **{field: value}))


# ---------------------------------------------------------------------------
# Agreements and exchanges


REAFFIRMATION = NewAgreement(
    tie=["Taipei", "Daegu"],
    date=day("2021-03-26"),
    title="Agreement to Reaffirm Sister City Friendship",
    kind="reaffirmation",
    signatories=["Ko Wen-je (Mayor of Taipei)", "Kwon Young-jin (Mayor of Daegu)"],
    mode="video conference",
    fields=["smart cities", "pandemic prevention", "sanitation", "tourism", "culture"],
    notes="On the afternoon.\nTen years on.",
    sources=["https://example.org/press"],
)


def test_an_agreement_record_in_the_documented_key_order() -> None:
    [(table, record)] = new_agreement(registry(), REAFFIRMATION)
    assert table == "agreement"
    assert record == {
        "partnership": "taipei-daegu",
        "date": "2021-03-26",
        "title": "Agreement to Reaffirm Sister City Friendship",
        "kind": "reaffirmation",
        "to_kind": None,
        "signatories": [
            {"name": "Ko Wen-je", "role": "Mayor of Taipei"},
            {"name": "Kwon Young-jin", "role": "Mayor of Daegu"},
        ],
        "mode": "video-conference",
        "venue": None,
        "fields": ["smart cities", "pandemic prevention", "sanitation", "tourism", "culture"],
        "status": None,
        "notes": "On the afternoon.\nTen years on.",
        "sources": ["https://example.org/press"],
    }
    assert list(record) == [
        "partnership", "date", "title", "kind", "to_kind", "signatories", "mode", "venue",
        "fields", "status", "notes", "sources",
    ]  # fmt: skip


def test_a_planned_upgrade() -> None:
    request = NewAgreement(["taipei-daegu"], day("2027"), "Upgrade", to_kind="friendship city")
    [(_, record)] = new_agreement(registry(), request)
    assert (record["kind"], record["to_kind"]) == ("upgrade", "friendship city")
    request = NewAgreement(["taipei-daegu"], day("2027"), "Memo", kind="memorandum", planned=True)
    [(_, record)] = new_agreement(registry(), request)
    assert (record["kind"], record["status"]) == ("memorandum", "planned")


def test_an_unknown_tie_is_refused_with_the_closest() -> None:
    request = NewAgreement(["taipei-dageu"], day("2021"), "x")
    with pytest.raises(NotFoundError, match="did you mean taipei-daegu"):
        new_agreement(registry(), request)


def test_a_tie_named_by_part_of_a_name_that_fits_several_is_refused() -> None:
    # "a" is part of both Taipei and São Paulo: recording on either would be a guess.
    request = NewExchange(["Daegu", "a"], day("2021"), "visit", "x")
    with pytest.raises(RefusedError, match="'Daegu a' could be 2 ties: taipei-daegu, daegu-sao"):
        new_exchange(registry(), request)
    [(_, record)] = new_exchange(
        registry(), NewExchange(["Daegu", "Tai"], day("2021"), "visit", "x")
    )
    assert record["partnership"] == "taipei-daegu"


@pytest.mark.parametrize("title", ["", "   ", "a\nb", "\x1b[31mred"])
def test_an_empty_or_multiline_title_is_refused(title: str) -> None:
    with pytest.raises(RefusedError, match="title"):
        new_agreement(registry(), NewAgreement(["taipei-daegu"], day("2021"), title))
    with pytest.raises(RefusedError, match="title"):
        new_exchange(registry(), NewExchange(["taipei-daegu"], day("2021"), "visit", title))


@pytest.mark.parametrize(("date", "refused"), [("2010-11-03", True), ("2009", True),
                                               ("2010-10", True), ("2010-11", False),
                                               ("2010", False), ("2010-11-04", False)])  # fmt: skip
def test_an_agreement_certainly_before_the_tie_needs_force(date: str, refused: bool) -> None:
    request = NewAgreement(["taipei-daegu"], day(date), "Letter")
    if refused:
        with pytest.raises(RefusedError, match="or pass force=True to record it as it is") as e:
            new_agreement(registry(), request)
        assert e.value.needs_force and e.value.hint is Hint.FORCE
        assert e.value.record == RecordRef("partnership", None, "taipei-daegu")
        assert "run again with --force to record it" in e.value.render(cli_words)
        forced = NewAgreement(["taipei-daegu"], day(date), "Letter", force=True)
        [(_, record)] = new_agreement(registry(), forced)
        assert record["before_founding"] is True
    else:
        [(_, record)] = new_agreement(registry(), request)
        assert "before_founding" not in record


def test_an_exchange_before_the_tie_needs_force() -> None:
    request = NewExchange(["taipei-daegu"], day("2009-05"), "visit", "Early visit")
    with pytest.raises(RefusedError, match="was established on 2010-11-04; a visit dated 2009-05"):
        new_exchange(registry(), request)
    forced = NewExchange(["taipei-daegu"], day("2009-05"), "visit", "Early visit", force=True)
    assert new_exchange(registry(), forced) == [
        (
            "exchange",
            {
                "partnership": "taipei-daegu",
                "date": "2009-05",
                "kind": "visit",
                "title": "Early visit",
                "venue": None,
                "mode": None,
                "fields": [],
                "details": None,
                "sources": [],
                "before_founding": True,
            },
        )
    ]


def test_an_exchange_keeps_its_details_with_line_breaks() -> None:
    request = NewExchange(
        ["Daegu", "Taipei"], day("2017-08-19"), "delegation", "Universiade", "Led by\nKwon"
    )
    [(_, record)] = new_exchange(registry(), request)
    assert record["details"] == "Led by\nKwon"
    with pytest.raises(RefusedError, match="control character"):
        new_exchange(
            registry(), NewExchange(["taipei-daegu"], day("2017"), "visit", "x", "\x1b]0;")
        )
    with pytest.raises(RefusedError, match="kind is empty"):
        new_exchange(registry(), NewExchange(["taipei-daegu"], day("2017"), "", "x"))


def test_injected_toml_is_just_text_in_the_record() -> None:
    title = 'x" [[partnership]] id = "evil'
    [(_, record)] = new_exchange(
        registry(), NewExchange(["taipei-daegu"], day("2017"), "visit", title, '"\n[[x]]\n')
    )
    assert record["title"] == title and record["details"] == '"\n[[x]]\n'


# ---------------------------------------------------------------------------
# Endings, suspensions, resumptions

CHANGES = """
[[status_change]]
partnership = "taipei-daegu"
date = "2022-03"
status = "suspended"
reason = "pandemic"
"""


def status(tie: str, date: str, wanted: Status, **options: Any) -> dict[str, Any]:
    return {"tie": [tie], "date": day(date), "status": wanted, **options}


def test_end_a_tie() -> None:
    request = NewStatus(["taipei-daegu"], day("2024-01-02"), Status.ENDED, "Reason", ["u"])
    assert change_status(registry(), request) == [
        (
            "status_change",
            {
                "partnership": "taipei-daegu",
                "date": "2024-01-02",
                "status": "ended",
                "reason": "Reason",
                "sources": ["u"],
            },
        )
    ]


@pytest.mark.parametrize(
    ("extra", "request_", "message"),
    [
        ("", status("taipei-daegu", "2009", Status.ENDED), "would come before the tie began"),
        ("", status("daegu-sao-paulo", "1996-12", Status.SUSPENDED), "before the tie began"),
        ("", status("taipei-daegu", "2024", Status.ACTIVE), "no suspension to lift"),
        (CHANGES, status("taipei-daegu", "2022-05", Status.SUSPENDED), "already suspended"),
        (CHANGES, status("taipei-daegu", "2021", Status.ENDED), "would come before that"),
        (CHANGES, status("taipei-daegu", "2022-02-28", Status.ACTIVE), "would come before that"),
        (
            CHANGES.replace("suspended", "ended"),
            status("taipei-daegu", "2024", Status.ENDED),
            "already ended in 2022-03",
        ),
        (
            CHANGES.replace("suspended", "ended"),
            status("taipei-daegu", "2024", Status.SUSPENDED),
            "already ended",
        ),
        (
            CHANGES.replace("suspended", "ended"),
            status("taipei-daegu", "2024", Status.ACTIVE),
            "to record that the ended tie was revived, pass force=True",
        ),
        ("", status("taipei-daegu", "2024", Status.ENDED, reason="a\nb"), "reason"),
    ],
)
def test_status_changes_that_are_refused(
    extra: str, request_: dict[str, Any], message: str
) -> None:
    with pytest.raises(RefusedError, match=message):
        change_status(registry(extra), NewStatus(**request_))


def test_resuming_an_active_tie_says_since_when_it_has_been_active() -> None:
    resumed = CHANGES + '\n[[status_change]]\npartnership = "taipei-daegu"\n'
    resumed += 'date = "2023-05-01"\nstatus = "active"\n'
    with pytest.raises(RefusedError) as refused:
        change_status(registry(resumed), NewStatus(["taipei-daegu"], day("2024"), Status.ACTIVE))
    assert str(refused.value) == (
        "taipei-daegu has been active since 2023-05-01: there is no suspension to lift"
    )
    with pytest.raises(RefusedError) as refused:
        change_status(registry(), NewStatus(["taipei-daegu"], day("2024"), Status.ACTIVE))
    assert str(refused.value) == "taipei-daegu is active: there is no suspension to lift"


def test_a_suspended_tie_may_be_ended_or_resumed() -> None:
    reg = registry(CHANGES)
    [(_, ended)] = change_status(reg, NewStatus(["taipei-daegu"], day("2023"), Status.ENDED))
    assert ended["status"] == "ended"
    [(_, resumed)] = change_status(reg, NewStatus(["taipei-daegu"], day("2022-03"), Status.ACTIVE))
    assert resumed["status"] == "active" and resumed["date"] == "2022-03"


def test_an_ended_tie_is_revived_only_with_force() -> None:
    reg = registry(CHANGES.replace("suspended", "ended"))
    request = NewStatus(["taipei-daegu"], day("2025"), Status.ACTIVE, force=True)
    [(_, record)] = change_status(reg, request)
    assert record["status"] == "active"


def test_a_tie_ended_in_its_own_record_counts() -> None:
    reg = registry(
        '\n[[city]]\nid = "prague-cz"\nname = "Prague"\ncountry = "CZ"\n'
        '\n[[partnership]]\nid = "prague-daegu"\ncities = ["prague-cz", "daegu-kr"]\n'
        'status = "ended"\nstatus_date = "2019-10-07"\n'
    )
    with pytest.raises(RefusedError, match="prague-daegu already ended on 2019-10-07"):
        change_status(reg, NewStatus(["Prague", "Daegu"], day("2020"), Status.ENDED))


# ---------------------------------------------------------------------------
# Saying what was recorded, and a new registry


def test_describe_says_what_was_recorded() -> None:
    reg = registry()
    tie = new_tie(reg, NewTie(("Taipei", "Chengdu, CN"), day("2015-11-10")))
    assert describe(tie) == (
        "the new tie taipei-chengdu (sister city, established 2015-11-10) with its founding "
        "agreement and the new city chengdu-cn"
    )
    assert describe(new_agreement(reg, REAFFIRMATION)) == (
        'the agreement "Agreement to Reaffirm Sister City Friendship" on taipei-daegu (2021-03-26)'
    )
    exchange = new_exchange(reg, NewExchange(["taipei-daegu"], day("2017"), "delegation", "U"))
    assert describe(exchange) == 'the delegation "U" on taipei-daegu (2017)'
    ended = change_status(reg, NewStatus(["taipei-daegu"], day("2024"), Status.SUSPENDED))
    assert describe(ended) == "the suspension of taipei-daegu on 2024"


def test_the_registry_template_is_an_empty_valid_registry() -> None:
    text = registry_template()
    assert text.startswith("#:schema ./registry.schema.json\n")  # the JSON Schema, for editors
    assert text.splitlines()[1].startswith("# ")
    assert "docs/registry-format.md" in text
    result = build(tomli.loads(text), text=text)
    assert not result.problems
    assert len(result.registry) == 0


def test_the_same_agreement_or_exchange_twice_needs_force() -> None:
    reg = registry(
        '\n[[agreement]]\npartnership = "taipei-daegu"\ndate = "2021-03-26"\n'
        'title = "Agreement to Reaffirm Sister City Friendship"\n'
        '\n[[exchange]]\npartnership = "taipei-daegu"\ndate = "2017"\nkind = "visit"\n'
        'title = "Universiade"\n'
    )
    again = NewAgreement(
        ["taipei-daegu"], day("2021-03-26"), "agreement to reaffirm sister city friendship"
    )
    with pytest.raises(RefusedError, match="already has the agreement"):
        new_agreement(reg, again)
    assert new_agreement(reg, NewAgreement(again.tie, again.date, again.title, force=True))
    assert new_agreement(reg, NewAgreement(again.tie, day("2021-03"), again.title))
    visit = NewExchange(["taipei-daegu"], day("2017"), "Visit", "UNIVERSIADE")
    with pytest.raises(RefusedError, match='already has the Visit "UNIVERSIADE" of 2017'):
        new_exchange(reg, visit)
    assert new_exchange(reg, NewExchange(visit.tie, visit.date, "delegation", visit.title))
