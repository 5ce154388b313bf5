"""`sisterctl site -o DIR`: the pages' content, escaping, relative links, titles and
headings, languages of local names, determinism, and how the folder is written.
(tests/test_site_browser.py opens the pages in a real browser.)"""

from __future__ import annotations

import html.parser
import json
import os
import posixpath
import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sisterctl.errors import ExitCode
from sisterctl.output.languages import local_language
from sisterctl.store.location import bundled_path
from sisterctl.store.read import load
from tests.conftest import Run, one_tie

AS_OF = "2026-12-01"
ROOT = Path(__file__).resolve().parents[1]


def build(run: Run, out: Path, *args: str, registry: Path | None = None) -> str:
    result = run("-r", registry or bundled_path(), "site", "-o", out, "--as-of", AS_OF, *args)
    assert result.exit_code == ExitCode.OK, result.stderr
    return result.stderr


@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the bundled registry, built once for the module's tests."""
    from typer.testing import CliRunner

    from sisterctl.cli.app import app
    from sisterctl.cli.startup import load_all

    load_all()
    out = tmp_path_factory.mktemp("site") / "public"
    result = CliRunner().invoke(
        app, ["-r", str(bundled_path()), "site", "-o", str(out), "--as-of", AS_OF]
    )
    assert result.exit_code == 0, result.stderr
    return out


class Page(html.parser.HTMLParser):
    """What the tests read of a page: links, headings, title, tagged languages."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.headings: list[int] = []
        self.title = ""
        self.html_lang: str | None = None
        self.lang_text: list[tuple[str, str]] = []  # (lang, text) of elements with lang
        self.ids: set[str] = set()
        self.alts: list[str | None] = []
        self._in_title = False
        self._lang_stack: list[tuple[str, str | None]] = []
        self._text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"] or "")
        for name in ("href", "src"):
            if found.get(name) is not None:
                self.links.append((tag, found[name] or ""))
        if tag == "html":
            self.html_lang = found.get("lang")
        elif tag == "title":
            self._in_title = True
        elif tag == "img":
            self.alts.append(found.get("alt"))
        elif len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        if tag not in ("br", "img", "meta", "link", "input"):
            self._lang_stack.append((tag, found.get("lang")))
            self._text.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if self._lang_stack and self._lang_stack[-1][0] == tag:
            _, lang = self._lang_stack.pop()
            text = self._text.pop()
            if lang is not None and tag != "html":
                self.lang_text.append((lang, text))
            if self._text:
                self._text[-1] += text

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._text:
            self._text[-1] += data


def pages(site: Path) -> dict[str, str]:
    return {
        path.relative_to(site).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(site.rglob("*.html"))
    }


# ---------------------------------------------------------------------------
# The bundled registry's site


def test_every_tie_has_a_page_and_a_row_in_the_index(bundled_site: Path) -> None:
    registry = load(bundled_path())
    index = (bundled_site / "index.html").read_text(encoding="utf-8")
    for tie in registry.partnerships:
        page = bundled_site / "ties" / f"{tie.id}.html"
        assert page.is_file(), tie.id
        assert f'href="ties/{tie.id}.html"' in index
    assert index.count("<tr data-search=") == len(registry.partnerships)
    # Cities of several ties have pages with a map; Atlanta's two ties make one too.
    for city in ("taipei-tw", "daegu-kr", "atlanta-us"):
        assert (bundled_site / "cities" / f"{city}.html").is_file()
        assert (bundled_site / "cities" / f"{city}.svg").read_text().startswith("<svg")
    assert not (bundled_site / "cities" / "seoul-kr.html").exists()


def test_the_tie_page_tells_the_whole_story_with_its_sources(bundled_site: Path) -> None:
    text = (bundled_site / "ties" / "taipei-daegu.html").read_text(encoding="utf-8")
    registry = load(bundled_path())
    tie = registry.by_id["taipei-daegu"]
    for agreement in registry.agreements_of(tie):
        assert agreement.title in text
        for person in agreement.signatories:
            assert person.name in text
    for exchange in registry.exchanges_of(tie):
        assert exchange.title.replace("'", "&#39;").replace('"', "&#34;") in text
    for url in {
        u
        for r in (*registry.agreements_of(tie), *registry.exchanges_of(tie), tie)
        for u in r.sources
    }:
        assert f'<a href="{url.replace("&", "&amp;")}" rel="external">' in text, url
    assert "Signed by Ko Wen-je (Mayor of Taipei); Kwon Young-jin (Mayor of Daegu)" in text
    assert "video conference" in text
    assert "planned, overdue" in text  # the tourism memorandum of 2021
    # The next anniversary and the next milestone, as of 2026-12-01.
    assert '17th, <time datetime="2027-11-04">2027-11-04</time> (in 338 days)' in text
    assert '20th, <time datetime="2030-11-04">2030-11-04</time>' in text
    assert '<a href="../cities/taipei-tw.html">Taipei</a>' in text
    assert 'id="taipei-daegu/2021-03-26-reaffirmation"' in text


def test_status_changes_are_on_the_tie_page(bundled_site: Path) -> None:
    registry = load(bundled_path())
    changed = [t for t in registry.partnerships if registry.status_changes_of(t)]
    assert changed
    for tie in changed:
        text = (bundled_site / "ties" / f"{tie.id}.html").read_text(encoding="utf-8")
        for change in registry.status_changes_of(tie):
            assert f'<time datetime="{change.date.iso()}">' in text
            for url in change.sources:
                assert url.replace("&", "&amp;") in text


def test_every_internal_link_resolves_and_is_relative(bundled_site: Path) -> None:
    for name, text in pages(bundled_site).items():
        page = Page(text)
        for tag, url in page.links:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https"):
                assert tag == "a", (name, url)  # sources are links; nothing is loaded
                continue
            assert not parts.scheme and not parts.netloc, (name, url)
            assert not url.startswith("/"), (name, url)  # works from a folder too
            path = parts.path or posixpath.basename(name)  # `#main`: this page
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), path))
            assert (bundled_site / target).is_file(), (name, url)
            if parts.fragment:
                assert parts.fragment in Page((bundled_site / target).read_text()).ids


def test_every_page_has_a_title_a_language_and_headings_in_order(bundled_site: Path) -> None:
    for name, text in pages(bundled_site).items():
        page = Page(text)
        assert page.html_lang == "en", name
        assert page.title.strip(), name
        assert page.headings[0] == 1 and page.headings.count(1) == 1, name
        for before, after in zip(page.headings, page.headings[1:], strict=False):
            assert after <= before + 1, (name, page.headings)
        assert all(alt for alt in page.alts), name
    tie = Page((bundled_site / "ties" / "taipei-daegu.html").read_text())
    assert tie.title == "Taipei–Daegu · Sister-city ties"


def test_local_names_are_tagged_with_their_language(bundled_site: Path) -> None:
    index = Page((bundled_site / "index.html").read_text(encoding="utf-8"))
    tagged = set(index.lang_text)
    assert ("zh-Hant", "臺北市") in tagged
    assert ("ko", "대구광역시") in tagged
    assert ("ja", "横浜市") in tagged
    assert ("zh-Hans", "青岛市") in tagged
    assert ("mn", "Улаанбаатар") in tagged
    assert ("th", "กรุงเทพมหานคร") in tagged
    # Kazakh or Russian? The data does not say: no tag.
    assert all(text != "Алматы" for _, text in tagged)
    assert "Алматы" in (bundled_site / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "country", "lang"),
    [
        ("臺北市", "TW", "zh-Hant"),
        ("青岛市", "CN", "zh-Hans"),
        ("대구광역시", "KR", "ko"),
        ("横浜市", "JP", "ja"),
        ("さいたま市", "JP", "ja"),
        ("Praha", "CZ", "cs"),
        ("Санкт-Петербург", "RU", "ru"),
        ("Алматы", "KZ", None),  # two languages in one script
        ("Taipei", "TW", None),  # not the country's script
        ("東京", "KR", "ko"),  # Hanja is Korean's too
        ("Москва", "JP", None),
        ("Zürich", "CH", None),  # a country of several languages: not listed
        ("", "TW", None),
        (None, "TW", None),
    ],
)
def test_the_language_of_a_local_name(name: str | None, country: str, lang: str | None) -> None:
    assert local_language(name, country) == lang


def test_the_downloads_and_the_feed(bundled_site: Path) -> None:
    registry = load(bundled_path())
    data = json.loads((bundled_site / "downloads" / "registry.json").read_text())
    assert len(data["partnerships"]) == len(registry.partnerships)
    csv_lines = (bundled_site / "downloads" / "ties.csv").read_text().splitlines()
    assert len(csv_lines) == 1 + len(registry.partnerships)
    geo = json.loads((bundled_site / "downloads" / "ties.geojson").read_text())
    assert geo["type"] == "FeatureCollection" and geo["features"]
    feed = (bundled_site / "downloads" / "anniversaries.ics").read_bytes()
    assert feed.startswith(b"BEGIN:VCALENDAR\r\n") and b"taipei-daegu-20@sisterctl" in feed
    downloads = (bundled_site / "downloads.html").read_text()
    for name in ("registry.json", "ties.csv", "ties.geojson", "anniversaries.ics"):
        assert f'href="downloads/{name}"' in downloads


def test_without_a_base_url_no_webcal_link_but_how_to_subscribe(bundled_site: Path) -> None:
    for text in pages(bundled_site).values():
        assert "webcal:" not in text
        assert 'rel="canonical"' not in text
    upcoming = (bundled_site / "upcoming.html").read_text()
    assert 'href="downloads/anniversaries.ics" download>Download the calendar</a>' in upcoming
    assert "Taipei–Daegu" in upcoming  # 2027-11-04 is within the twelve months


def test_a_base_url_gives_the_subscribe_link_and_canonical_links(run: Run, tmp_path: Path) -> None:
    build(run, tmp_path / "s", "--base-url", "https://example.org/ties")
    upcoming = (tmp_path / "s" / "upcoming.html").read_text()
    assert 'href="webcal://example.org/ties/downloads/anniversaries.ics"' in upcoming
    tie = (tmp_path / "s" / "ties" / "taipei-daegu.html").read_text()
    assert '<link rel="canonical" href="https://example.org/ties/ties/taipei-daegu.html">' in tie
    assert 'href="../index.html"' in tie  # links between pages stay relative


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/",
        "example.org",
        "https://x.org/?a=1",
        "https://x.org/a b/",
        "https://x.org:99999/",
        "https://x.org/\u202e/",
    ],
)
def test_a_base_url_must_be_a_web_address(run: Run, tmp_path: Path, url: str) -> None:
    result = run("site", "-o", tmp_path / "s", "--base-url", url)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.startswith("sisterctl: --base-url takes")
    assert not (tmp_path / "s").exists()


def test_the_print_stylesheet_and_no_network_at_view_time(bundled_site: Path) -> None:
    css = (bundled_site / "assets" / "site.css").read_text()
    assert "@media print" in css
    assert "url(" not in css and "@import" not in css  # no fonts, nothing fetched
    for text in pages(bundled_site).values():
        assert "default-src 'none'" in text  # the page may load nothing from elsewhere
        assert "<script>" not in text  # no inline script: the filter is assets/site.js


def test_the_same_registry_and_day_give_the_same_bytes(
    run: Run, tmp_path: Path, bundled_site: Path
) -> None:
    build(run, tmp_path / "again")

    def files(site: Path) -> dict[Path, bytes]:
        return {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}

    first, second = files(bundled_site), files(tmp_path / "again")
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


# ---------------------------------------------------------------------------
# Subsets


def test_the_filters_of_list_publish_a_subset(run: Run, tmp_path: Path) -> None:
    build(run, tmp_path / "s", "--city", "Daegu", "--title", "Daegu's ties")
    site = tmp_path / "s"
    registry = load(bundled_path())
    daegu = {t.id for t in registry.partnerships if "daegu-kr" in {c.id for c in t.cities}}
    assert {p.stem for p in (site / "ties").iterdir()} == daegu
    index = (site / "index.html").read_text()
    assert "<title>Daegu&#39;s ties</title>" in index
    assert f"{len(daegu)} ties (city Daegu)" in index
    data = json.loads((site / "downloads" / "registry.json").read_text())
    assert {p["id"] for p in data["partnerships"]} == daegu
    assert len((site / "downloads" / "ties.csv").read_text().splitlines()) == 1 + len(daegu)
    assert {p.stem for p in (site / "cities").glob("*.html")} == {"daegu-kr"}
    feed = (site / "downloads" / "anniversaries.ics").read_text(encoding="utf-8")
    assert "X-WR-CALNAME:Daegu's ties: anniversaries\r\n" in feed.replace("\n", "\r\n")
    assert "taipei-daegu-" in feed  # Daegu's ties only
    assert "taipei-houston-" not in feed


def test_a_filter_that_matches_nothing_makes_an_empty_site(run: Run, tmp_path: Path) -> None:
    build(run, tmp_path / "s", "--since", "2100")
    index = (tmp_path / "s" / "index.html").read_text()
    assert "0 ties" in index and "No tie is published here." in index


# ---------------------------------------------------------------------------
# Registry text is escaped


HOSTILE = one_tie(
    '<script>alert("a")</script>',
    'O\'Brien "{{ 7*7 }}" {% raw %}',
    notes=json.dumps(
        "See <b>this</b> & {{ config }} javascript:alert(1) https://example.org/a?b=1&c=2."
    ),
    sources='["javascript:alert(1)", "https://example.org/\\"><script>x</script>"]',
)


def test_registry_text_arrives_escaped(run: Run, tmp_path: Path, write_registry) -> None:  # type: ignore[no-untyped-def]
    registry = write_registry(HOSTILE)
    build(run, tmp_path / "s", registry=registry)
    every = "".join(pages(tmp_path / "s").values())
    assert "<script>alert" not in every and "<script>x" not in every
    assert "&lt;script&gt;alert(&#34;a&#34;)&lt;/script&gt;" in every
    assert "<b>this</b>" not in every and "&lt;b&gt;this&lt;/b&gt;" in every
    assert "{{ 7*7 }}" in every and "49" not in every  # text, never a template
    assert "{{ config }}" in every and "{% raw %}" in every
    assert 'href="javascript:' not in every
    assert '<span class="not-a-link">javascript:alert(1)</span>' in every
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="external">' in every
    # A source with a quote in it is no link (not a URL as it is), and breaks nothing.
    assert 'href="https://example.org/\\"' not in every


def test_control_characters_are_shown_not_written(run: Run, tmp_path: Path, write_registry) -> None:  # type: ignore[no-untyped-def]
    registry = write_registry(one_tie("Evil\x1b[31m", "B\u202eC"))
    build(run, tmp_path / "s", registry=registry)
    every = "".join(pages(tmp_path / "s").values())
    assert "\x1b" not in every and "\u202e" not in every
    assert "Evil\\x1b[31m" in every


# ---------------------------------------------------------------------------
# The folder


def test_a_folder_of_other_files_is_refused_without_force(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "www"
    out.mkdir()
    (out / "index.html").write_text("mine")
    result = run("-r", bundled_path(), "site", "-o", out)
    assert result.exit_code == ExitCode.REFUSED
    assert "holds files and no site sisterctl wrote" in result.stderr
    assert result.stderr.count("\n") == 1
    assert [p.name for p in out.iterdir()] == ["index.html"]
    assert (out / "index.html").read_text() == "mine"
    build(run, out, "--force")
    assert "Sister-city ties" in (out / "index.html").read_text()


def test_an_earlier_site_is_brought_up_to_date_and_others_files_kept(
    run: Run, tmp_path: Path
) -> None:
    out = tmp_path / "public"
    build(run, out)
    (out / "CNAME").write_text("ties.example.org\n")  # GitHub Pages' own file
    (out / "ties" / "notes.txt").write_text("mine")
    stderr = build(run, out, "--city", "Atlanta")
    assert "removed" in stderr
    assert {p.name for p in (out / "ties").iterdir()} == {
        "taipei-atlanta.html",
        "daegu-atlanta.html",
        "notes.txt",
    }
    assert (out / "CNAME").read_text() == "ties.example.org\n"
    listed = json.loads((out / ".sisterctl-site").read_text())["files"]
    assert "ties/taipei-atlanta.html" in listed and "CNAME" not in listed


def test_a_file_the_manifest_does_not_list_is_not_replaced(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(run, out, "--city", "Atlanta")
    (out / "ties" / "taipei-daegu.html").write_text("mine")
    result = run("-r", bundled_path(), "site", "-o", out)
    assert result.exit_code == ExitCode.REFUSED
    assert "is not a file of the site sisterctl wrote" in result.stderr
    assert (out / "ties" / "taipei-daegu.html").read_text() == "mine"


@pytest.mark.parametrize("planted", ["ties", "index.html", "downloads/ties.csv"])
def test_a_symbolic_link_planted_in_the_folder_is_never_followed(
    run: Run, tmp_path: Path, planted: str
) -> None:
    out = tmp_path / "public"
    build(run, out)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "index.html").write_text("outside")
    (outside / "ties.csv").write_text("outside")
    target = outside if planted == "ties" else outside / Path(planted).name
    link = out / planted
    if link.is_dir():
        for child in link.iterdir():
            child.unlink()
        link.rmdir()
    else:
        link.unlink()
    link.symlink_to(target)
    before = {p.name: p.read_text() for p in outside.iterdir()}
    result = run("-r", bundled_path(), "site", "-o", out, "--as-of", AS_OF)
    assert result.exit_code == ExitCode.REFUSED, result.stderr
    assert "symbolic link" in result.stderr and result.stderr.count("\n") == 1
    assert {p.name: p.read_text() for p in outside.iterdir()} == before
    result = run("-r", bundled_path(), "site", "-o", out, "--force")
    assert result.exit_code == ExitCode.REFUSED  # not even with --force
    assert {p.name: p.read_text() for p in outside.iterdir()} == before


def test_the_folder_may_itself_be_a_link(run: Run, tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "www").symlink_to(tmp_path / "real")
    build(run, tmp_path / "www")
    assert (tmp_path / "real" / "index.html").is_file()


def test_a_file_is_no_folder(run: Run, tmp_path: Path) -> None:
    (tmp_path / "public").write_text("x")
    result = run("-r", bundled_path(), "site", "-o", tmp_path / "public")
    assert result.exit_code in (ExitCode.REFUSED, ExitCode.USAGE)
    assert result.stderr.startswith("sisterctl: ") and result.stderr.count("\n") == 1
    assert (tmp_path / "public").read_text() == "x"


def test_a_manifest_that_names_paths_outside_is_no_manifest(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(run, out)
    (tmp_path / "victim").write_text("keep")
    manifest = out / ".sisterctl-site"
    data = json.loads(manifest.read_text())
    data["files"].append("../victim")
    manifest.write_text(json.dumps(data))
    result = run("-r", bundled_path(), "site", "-o", out)
    assert result.exit_code == ExitCode.REFUSED
    assert (tmp_path / "victim").read_text() == "keep"


def test_the_registry_is_never_replaced(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "public"
    (out / "downloads").mkdir(parents=True)
    registry = out / "downloads" / "ties.csv"
    registry.write_text((ROOT / "tests" / "data" / "small.toml").read_text())
    before = registry.read_bytes()
    result = run("-r", registry, "site", "-o", out, "--force")
    assert result.exit_code == ExitCode.REFUSED
    assert "is the registry itself" in result.stderr
    assert registry.read_bytes() == before


def test_a_manifest_that_lists_the_registry_never_removes_it(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "public"
    out.mkdir()
    registry = out / "partnerships.toml"
    registry.write_text((ROOT / "tests" / "data" / "small.toml").read_text())
    before = registry.read_bytes()
    build(run, out, "--force", registry=registry)
    manifest = out / ".sisterctl-site"
    data = json.loads(manifest.read_text())
    data["files"].append("partnerships.toml")
    manifest.write_text(json.dumps(data))
    build(run, out, registry=registry)
    assert registry.read_bytes() == before
    assert "partnerships.toml" not in json.loads(manifest.read_text())["files"]


def test_one_build_at_a_time_into_a_folder(run: Run, tmp_path: Path) -> None:
    from filelock import FileLock

    from sisterctl.store.appends import lock_path

    out = tmp_path / "public"
    registry = tmp_path / "partnerships.toml"
    registry.write_text((ROOT / "tests" / "data" / "small.toml").read_text())
    build(run, out, registry=registry)
    pages = sorted(p.name for p in (out / "ties").iterdir())
    # Another build holds the folder: this one waits, then is refused as busy.
    with FileLock(str(lock_path(out).with_suffix(".site.lock"))):
        result = run(
            "-r",
            registry,
            "site",
            "-o",
            out,
            "--as-of",
            AS_OF,
            "--status",
            "ended",
            env={"SISTERCTL_LOCK_TIMEOUT": "0.2"},
        )
    assert result.exit_code == ExitCode.BUSY
    assert "another sisterctl process is writing a site into this folder" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in (out / "ties").iterdir()) == pages  # nothing removed
    assert not any(p.name.endswith(".lock") for p in out.rglob("*"))
    build(run, out, registry=registry)  # the lock released, the next build goes on


# ---------------------------------------------------------------------------
# The templates ship in the wheel


def test_the_templates_are_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]["sisterctl.output"]
    folder = ROOT / "src" / "sisterctl" / "output"
    shipped = {p for pattern in globs for p in folder.glob(pattern)}
    templates = {p for p in (folder / "templates").rglob("*") if p.is_file()}
    assert templates and templates <= shipped
    assert "jinja2" in " ".join(config["project"]["dependencies"]).lower()
    assert os.sep not in "".join(p.name for p in templates)


def test_upcoming_lists_ties_known_only_to_the_year_apart(bundled_site: Path) -> None:
    upcoming = (bundled_site / "upcoming.html").read_text(encoding="utf-8")
    table, _, after = upcoming.partition("</table>")
    # Dated anniversaries in the table, soonest first; Taipei–Boston (founded "1996")
    # has no day, so it is listed under its years, never in the table.
    assert "Taipei–Daegu</a>" in table and "Taipei–Boston" not in table
    years = re.findall(r"<h2>Known only to the year: anniversaries in (\d{4})</h2>", after)
    assert years == sorted(years) and years
    boston = re.findall(
        r"<li[^>]*><a href=\"ties/taipei-boston.html\">Taipei–Boston</a>: (\d+)th", after
    )
    assert boston  # its anniversary in each year the window touches


def test_a_day_too_late_for_the_sites_calendar_is_refused_in_one_line(
    run: Run, tmp_path: Path
) -> None:
    out = tmp_path / "public"
    result = run("-r", bundled_path(), "site", "-o", out, "--as-of", "9990-06-01")
    assert result.exit_code == ExitCode.REFUSED
    assert result.stderr == (
        "sisterctl: the site's calendar holds the 10 years from --as-of 9990-06-01, which "
        "end after the year 9999; choose an earlier day\n"
    )
    assert not out.exists() or not any(out.iterdir())
