"""The site of the bundled registry in a real browser (headless Chromium, driven
through the DevTools protocol: tests/browser.py): every page loads with no console
error (script errors, refused resources, Content-Security-Policy violations, files
not found), the index's filter and sorting work with scripts on, and the table is
complete with scripts off. Skips where Chromium is not installed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sisterctl.store.location import bundled_path
from sisterctl.store.read import load
from tests.browser import CHROMIUM, Browser

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium installed (apt-get install chromium)"
)

AS_OF = "2026-12-01"
ROWS = "document.querySelectorAll('#ties tbody tr')"
SHOWN = "document.querySelectorAll('#ties tbody tr:not([hidden])')"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
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


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    opened = Browser(tmp_path_factory.mktemp("chromium"))
    try:
        yield opened
    finally:
        opened.close()


def test_the_browser_reports_what_goes_wrong(browser: Browser, tmp_path: Path) -> None:
    """The check below can fail: a page with a script error and a missing picture."""
    (tmp_path / "bad.js").write_text('throw new Error("boom");\n')
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>x</title>'
        '<script src="bad.js"></script></head><body><img src="missing.png" alt="x">'
        "</body></html>"
    )
    errors = browser.open((tmp_path / "bad.html").as_uri())
    assert any("boom" in e for e in errors)
    assert any("ERR_FILE_NOT_FOUND" in e or "missing.png" in e for e in errors), errors


def test_every_page_loads_without_a_console_error(browser: Browser, site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 60
    for page in pages:
        errors = browser.open(page.as_uri())
        assert errors == [], (page.relative_to(site), errors)
        # Every picture arrived (a map that failed to load has no natural width).
        broken = browser.evaluate(
            "Array.from(document.images).filter(i => !i.complete || !i.naturalWidth).length"
        )
        assert broken == 0, page


def test_the_table_is_complete_without_scripts(browser: Browser, site: Path) -> None:
    ties = len(load(bundled_path()).partnerships)
    assert browser.open((site / "index.html").as_uri() + "?q=daegu", scripts=False) == []
    assert browser.evaluate(f"{ROWS}.length") == ties
    assert browser.evaluate(f"{SHOWN}.length") == ties
    assert browser.evaluate("document.getElementById('filter').hidden") is True  # no dead form
    assert browser.evaluate("document.documentElement.dataset.filter") is None
    # Nothing offers what needs the script: the headings are no buttons, and say so.
    assert browser.evaluate("document.querySelector('#ties caption').textContent") == (
        "Ties, oldest first"
    )
    assert browser.evaluate("document.querySelectorAll('#ties th button').length") == 0


def test_the_filter_works_with_scripts(browser: Browser, site: Path) -> None:
    registry = load(bundled_path())
    daegu = [t for t in registry.partnerships if "daegu-kr" in {c.id for c in t.cities}]
    assert browser.open((site / "index.html").as_uri() + "?q=Daegu") == []
    assert browser.evaluate("document.documentElement.dataset.filter") == "ready"
    assert browser.evaluate("document.getElementById('filter').hidden") is False
    caption = browser.evaluate("document.querySelector('#ties caption').textContent")
    assert caption.endswith("choose a column heading to sort by it")
    assert browser.evaluate(f"{SHOWN}.length") == len(daegu)
    count = browser.evaluate("document.getElementById('filter-count').textContent")
    assert count == f"{len(daegu)} of {len(registry.partnerships)} ties"
    # A local name finds its city too, and accents are ignored: 대구 is Daegu, sao Sao.
    browser.evaluate(
        "(() => { const f = document.getElementById('filter-text'); f.value = '대구광역시';"
        " f.dispatchEvent(new Event('input')); })()"
    )
    assert browser.evaluate(f"{SHOWN}.length") == len(daegu)
    # Status and text together.
    browser.evaluate(
        "(() => { document.getElementById('filter-text').value = 'taipei';"
        " const s = document.getElementById('filter-status'); s.value = 'ended';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    shown = browser.evaluate(f"Array.from({SHOWN}).map(r => r.cells[0].textContent.trim())")
    ended = [
        t.title
        for t in registry.partnerships
        if registry.state(t).status.value == "ended" and "taipei-tw" in {c.id for c in t.cities}
    ]
    assert sorted(shown) == sorted(ended) and shown


def test_a_column_heading_sorts_the_table(browser: Browser, site: Path) -> None:
    assert browser.open((site / "index.html").as_uri()) == []
    first = "document.querySelector('#ties tbody tr').cells[0].textContent.trim()"
    assert browser.evaluate(first) == "Taipei–Houston"  # oldest first, as built
    years = "document.querySelectorAll('#ties thead th')[5]"
    browser.evaluate(f"{years}.querySelector('button').click()")
    assert browser.evaluate(f"{years}.getAttribute('aria-sort')") == "ascending"
    browser.evaluate(f"{years}.querySelector('button').click()")
    assert browser.evaluate(f"{years}.getAttribute('aria-sort')") == "descending"
    assert browser.evaluate(first) == "Taipei–Houston"  # 65 years, the most
    assert browser.evaluate(f"{ROWS}.length") == len(load(bundled_path()).partnerships)


def test_local_names_carry_their_language_in_the_page(browser: Browser, site: Path) -> None:
    assert browser.open((site / "ties" / "taipei-daegu.html").as_uri()) == []
    tagged = browser.evaluate(
        "Array.from(document.querySelectorAll('main [lang]')).map(e => [e.lang, e.textContent])"
    )
    assert ["zh-Hant", "臺北市"] in tagged and ["ko", "대구광역시"] in tagged


def test_the_pages_print(browser: Browser, site: Path) -> None:
    """Printing hides the navigation and the filter and keeps every row."""
    assert browser.open((site / "index.html").as_uri() + "?q=daegu") == []
    browser.call("Emulation.setEmulatedMedia", session=True, media="print")
    try:
        nav = browser.evaluate("getComputedStyle(document.querySelector('nav')).display")
        hidden_rows = browser.evaluate(
            f"Array.from({ROWS}).filter(r => getComputedStyle(r).display === 'none').length"
        )
    finally:
        browser.call("Emulation.setEmulatedMedia", session=True, media="")
    assert nav == "none"
    assert hidden_rows == 0


def test_a_very_long_name_wraps_on_a_phone(browser: Browser, tmp_path: Path) -> None:
    """A name of one long word (Llanfairpwllgwyngyll...) breaks rather than pushing
    the page wider than a phone's screen."""
    from typer.testing import CliRunner

    from sisterctl.cli.app import app
    from sisterctl.cli.startup import load_all

    long = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch" * 2
    registry = tmp_path / "r.toml"
    registry.write_text(
        "schema_version = 1\n"
        f'[[city]]\nid = "long-gb"\nname = "{long}"\ncountry = "GB"\n'
        '[[city]]\nid = "taipei-tw"\nname = "Taipei"\ncountry = "TW"\n'
        '[[partnership]]\nid = "long-taipei"\ncities = ["long-gb", "taipei-tw"]\n'
        'established = "2000-02-29"\n'
    )
    out = tmp_path / "public"
    load_all()
    result = CliRunner().invoke(
        app, ["-r", str(registry), "site", "-o", str(out), "--as-of", AS_OF]
    )
    assert result.exit_code == 0, result.stderr
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        session=True,
        width=375,
        height=800,
        deviceScaleFactor=1,
        mobile=True,
    )
    try:
        assert browser.open((out / "ties" / "long-taipei.html").as_uri()) == []
        width = browser.evaluate("document.documentElement.scrollWidth")
    finally:
        browser.call("Emulation.clearDeviceMetricsOverride", session=True)
    assert width <= 375


def test_links_followed_in_the_browser_reach_their_pages(browser: Browser, site: Path) -> None:
    """From the folder (file:), the browser's own resolution of each relative link of
    a tie page leads to a file that exists."""
    page = site / "ties" / "taipei-daegu.html"
    assert browser.open(page.as_uri()) == []
    resolved = browser.evaluate(
        "Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
        ".filter(h => h.startsWith('file:'))"
    )
    assert resolved
    for url in resolved:
        path = Path(url.removeprefix("file://").split("#")[0])
        assert path.is_file(), url
        assert site in path.parents


def test_the_site_works_served_from_a_web_server(browser: Browser, site: Path) -> None:
    """Served from a server's root over HTTP (on the loopback address), as from disk."""
    import functools
    import http.server
    import threading

    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        for page in ("", "ties/taipei-daegu.html", "cities/taipei-tw.html", "upcoming.html"):
            assert browser.open(base + page) == [], page
        assert browser.evaluate(f"{SHOWN}.length") == 0  # upcoming.html has no #ties
        assert browser.open(base + "index.html?q=daegu") == []
        assert browser.evaluate("document.documentElement.dataset.filter") == "ready"
        assert browser.open(base + "cities/taipei-tw.html") == []
        assert browser.evaluate("document.images[0].naturalWidth") > 0
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _QuietHandler:
    """http.server's handler, without a line on standard error per request."""

    def __new__(cls, *args: object, **kwargs: object) -> object:
        import http.server

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler(*args, **kwargs)  # type: ignore[arg-type]
