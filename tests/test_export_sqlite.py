"""`sisterctl export sqlite FILE`: a relational database for sqlite3 and Datasette."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sisterctl import store
from sisterctl.interop import sqlite as sqlite_export
from sisterctl.store.location import bundled_path
from tests.conftest import Run


@pytest.fixture
def exported(run: Run, small_registry: Path, tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """tests/data/small.toml exported as of 2026-03-01, opened read-only."""
    out = tmp_path / "ties.db"
    result = run("-r", small_registry, "export", "sqlite", out, "--as-of", "2026-03-01")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"sisterctl: wrote 3 ties between 5 cities to {out}\n"
    db = sqlite3.connect(f"file:{out}?mode=ro", uri=True)
    yield db
    db.close()


def test_the_bundled_registry_exports_with_every_foreign_key_holding(tmp_path: Path) -> None:
    registry = store.load(bundled_path())
    path = tmp_path / "bundled.db"
    written = sqlite_export.write(path, registry, dt.date(2026, 3, 1))
    db = sqlite3.connect(path)
    db.execute("PRAGMA foreign_keys = ON")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in written.rows}
    assert counts == written.rows
    assert counts["cities"] == len(registry.cities)
    assert counts["partnerships"] == len(registry.partnerships)
    assert counts["agreements"] == len(registry.agreements)
    assert counts["exchanges"] == len(registry.exchanges)
    assert counts["status_changes"] == len(registry.status_changes)
    assert counts["signatories"] == sum(len(a.signatories) for a in registry.agreements)
    # The 2021 reaffirmation of Taipei and Daegu, with its signatories, in one query.
    signed = db.execute(
        """SELECT s.name, s.role FROM agreements AS a
           JOIN signatories AS s ON s.agreement_id = a.id
           WHERE a.partnership_id = 'taipei-daegu' AND a.date = '2021-03-26'
           ORDER BY s.position"""
    ).fetchall()
    assert signed == [("Ko Wen-je", "Mayor of Taipei"), ("Kwon Young-jin", "Mayor of Daegu")]
    assert db.execute(
        "SELECT city_a, country_a_name, city_b, country_b_name, established FROM ties "
        "WHERE id = 'taipei-daegu'"
    ).fetchone() == ("Taipei", "Taiwan", "Daegu", "South Korea", "2010-11-04")


def test_dates_are_iso_text_at_their_precision_with_their_parts(
    exported: sqlite3.Connection,
) -> None:
    rows = exported.execute(
        "SELECT id, established, established_precision, established_year, established_month, "
        "established_day FROM partnerships ORDER BY id"
    ).fetchall()
    assert rows == [
        ("daegu-sao-paulo", "1997", "year", 1997, None, None),
        ("prague-beijing", "2016-03", "month", 2016, 3, None),
        ("taipei-daegu", "2010-11-04", "day", 2010, 11, 4),
    ]
    assert exported.execute(
        "SELECT status, status_date, status_date_precision, status_reason FROM partnerships "
        "WHERE id = 'prague-beijing'"
    ).fetchone() == ("ended", "2019-10-07", "day", "Prague ended the tie")
    # Unknown keys and lists are JSON, for json_each.
    assert exported.execute(
        "SELECT extra FROM partnerships WHERE id = 'taipei-daegu'"
    ).fetchone() == ('{"mystery": 3}',)
    assert exported.execute(
        "SELECT j.value FROM cities AS c, json_each(c.aliases) AS j WHERE c.id = 'daegu-kr'"
    ).fetchall() == [("Taegu",)]


def test_fields_belong_to_a_tie_or_to_one_of_its_agreements(exported: sqlite3.Connection) -> None:
    rows = exported.execute(
        """SELECT f.partnership_id, a.title, f.field FROM fields AS f
           LEFT JOIN agreements AS a ON a.id = f.agreement_id ORDER BY f.id"""
    ).fetchall()
    assert rows == [
        ("prague-beijing", None, "culture"),
        ("taipei-daegu", "Agreement to Reaffirm Sister City Friendship", "smart cities"),
        ("taipei-daegu", "Agreement to Reaffirm Sister City Friendship", "tourism"),
    ]


def test_full_text_search_over_titles_and_notes_ignores_accents(
    exported: sqlite3.Connection,
) -> None:
    found = exported.execute(
        "SELECT a.title FROM agreements_fts JOIN agreements AS a ON a.id = agreements_fts.rowid "
        "WHERE agreements_fts MATCH 'reaffirm'"
    ).fetchall()
    assert found == [("Agreement to Reaffirm Sister City Friendship",)]
    assert exported.execute(
        "SELECT title FROM exchanges WHERE id IN "
        "(SELECT rowid FROM exchanges_fts WHERE exchanges_fts MATCH 'universiade')"
    ).fetchall() == [("Opening ceremony of the Taipei 2017 Universiade",)]
    assert exported.execute(
        "SELECT c.id FROM cities_fts JOIN cities AS c ON c.rowid = cities_fts.rowid "
        "WHERE cities_fts MATCH 'sao'"
    ).fetchall() == [("sao-paulo-br",)]


def test_the_views_answer_the_common_questions(exported: sqlite3.Connection) -> None:
    assert exported.execute(
        "SELECT partner, partner_country_name, kind FROM city_ties WHERE city = 'Daegu' "
        "ORDER BY partner"
    ).fetchall() == [
        ("São Paulo", "Brazil", "friendship city"),
        ("Taipei", "Taiwan", "sister city"),
    ]
    upcoming = exported.execute(
        "SELECT date, days, ordinal, milestone, what, agreement, id FROM upcoming_anniversaries"
    ).fetchall()
    # As of the export day, 2026-03-01, for a year; ended ties left out, as upcoming does.
    assert upcoming == [
        ("2026-03-26", 25, 5, 1, "reaffirmation", "Agreement to Reaffirm Sister City Friendship",
         "taipei-daegu"),
        ("2026-11-04", 248, 16, 0, "founding", None, "taipei-daegu"),
        ("2026", None, 29, 0, "founding", None, "daegu-sao-paulo"),
        ("2027", None, 30, 1, "founding", None, "daegu-sao-paulo"),
    ]  # fmt: skip
    meta = dict(exported.execute("SELECT key, value FROM meta").fetchall())
    assert (meta["as_of"], meta["anniversaries_through"], meta["format"]) == (
        "2026-03-01",
        "2027-02-28",
        "1",
    )


def test_re_export_replaces_the_database_whole_and_keeps_its_permissions(
    run: Run, small_registry: Path, tmp_path: Path
) -> None:
    out = tmp_path / "ties.db"
    assert run("-r", small_registry, "export", "sqlite", out).exit_code == 0
    out.chmod(0o640)
    small_registry.write_text(
        small_registry.read_text(encoding="utf-8").replace('id = "prague-beijing"', 'id = "p-b"'),
        encoding="utf-8",
    )
    assert run("-r", small_registry, "export", "sqlite", out).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    db = sqlite3.connect(out)
    assert [r[0] for r in db.execute("SELECT id FROM partnerships ORDER BY id")] == [
        "daegu-sao-paulo",
        "p-b",
        "taipei-daegu",
    ]
    db.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["partnerships.toml", "ties.db"]


def test_a_failed_export_leaves_the_old_database_and_no_temporary_file(
    run: Run, small_registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "ties.db"
    assert run("-r", small_registry, "export", "sqlite", out).exit_code == 0
    before = out.read_bytes()

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sqlite_export, "_full_text", fail)
    result = run("-r", small_registry, "export", "sqlite", out)
    assert result.exit_code == 1
    assert result.stderr == f"sisterctl: cannot write {out}: No space left on device\n"
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["partnerships.toml", "ties.db"]


@pytest.mark.parametrize(
    ("target", "code", "message"),
    [
        ("-", 2, "a database is a file, not -: name one (sisterctl export sqlite ties.db)"),
        ("/dev/null", 2, "a database is a file, not /dev/null: name one (sisterctl export "
         "sqlite ties.db)"),
        ("notes.txt", 1, "notes.txt is not an SQLite database, and sisterctl replaces only a "
         "database: name another file, or remove this one first"),
        ("partnerships.toml", 1, "partnerships.toml is the registry itself; name another file "
         "with FILE"),
    ],
)  # fmt: skip
def test_what_export_sqlite_will_not_replace(
    run: Run,
    small_registry: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    code: int,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("my notes\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    result = run("-r", small_registry, "export", "sqlite", target)
    assert (result.exit_code, result.stderr) == (code, f"sisterctl: {message}\n")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


def test_datasette_serves_the_export(run: Run, small_registry: Path, tmp_path: Path) -> None:
    app = pytest.importorskip("datasette.app")
    out = tmp_path / "ties.db"
    assert run("-r", small_registry, "export", "sqlite", out).exit_code == 0

    async def fetch(path: str) -> Any:
        datasette = app.Datasette([str(out)])
        response = await datasette.client.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    ties = asyncio.run(fetch("/ties/ties.json?_shape=array&country_a=KR"))
    assert [(t["id"], t["city_b"], t["country_b_name"]) for t in ties] == [
        ("daegu-sao-paulo", "São Paulo", "Brazil")
    ]
    # Datasette finds the full-text index and searches the table with it.
    found = asyncio.run(fetch("/ties/agreements.json?_search=reaffirm&_shape=array"))
    assert [(a["title"], a["date"]) for a in found] == [
        ("Agreement to Reaffirm Sister City Friendship", "2021-03-26")
    ]
