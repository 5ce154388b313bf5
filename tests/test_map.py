"""`sisterctl map`: a designed SVG of where the ties reach, well-formed, with the arcs
and labels expected, and rendered by a real browser where one is installed."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sisterctl.core.geocode import great_circle
from sisterctl.store.location import bundled_path
from sisterctl.store.read import load
from tests.conftest import Run

SVG = "{http://www.w3.org/2000/svg}"
PICTURE = Path(__file__).parents[1] / "docs" / "images" / "map-taipei.svg"
PICTURE_COMMAND = ("map", "Taipei", "--as-of", "2026-03-01")


def draw(run: Run, tmp_path: Path, *args: str) -> tuple[ET.Element, str, str]:
    out = tmp_path / "map.svg"
    result = run(*args, "--svg", out)
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    return ET.fromstring(text), text, result.stderr


def test_map_of_taipei_draws_all_its_ties_with_labels_legend_and_title(
    run: Run, tmp_path: Path
) -> None:
    root, text, stderr = draw(run, tmp_path, *PICTURE_COMMAND)
    registry = load(bundled_path())
    taipei = registry.cities["taipei-tw"]
    ties = [t for t in registry.partnerships if taipei in t.cities]
    located = [t for t in ties if all(c.located for c in t.cities)]
    assert located == ties  # every city of the bundled registry has coordinates
    arcs = root.findall(f".//{SVG}path[@class='tie']")
    assert sorted(a.get("data-tie") for a in arcs) == sorted(t.id for t in located)
    assert all(re.fullmatch(r"(M[-\d. ]+(L[-\d. ]+)+)+", a.get("d") or "") for a in arcs)
    labels = {"".join(t.itertext()) for t in root.iter(f"{SVG}text")}
    partners = {c.name for t in located for c in t.cities if c.id != "taipei-tw"}
    assert partners <= labels
    assert "Taipei 臺北市" in labels
    assert root.get("width") == "1200" and root.get("height", "").isdigit()
    assert root.findtext(f"{SVG}title") == "Taipei's ties as of 2026-03-01"
    desc = root.findtext(f"{SVG}desc") or ""
    assert desc.startswith("A world map of the ties of Taipei 臺北市, Taiwan: 42 ties:")
    assert "Yokohama 横浜市 (Japan, partner city, active)" in desc
    assert {"Kind of tie (line)", "Status (colour and mark)", "sister city", "ended"} <= labels
    assert "Not drawn" not in text
    # Gyeonggi Province, which GeoNames' populated places do not hold, is credited apart.
    assert (
        "Coordinates: GeoNames, geonames.org (CC BY 4.0). Coordinates of Gyeonggi Province: "
        "from the sources its record names." in text
    )
    # Colour and dash both: Miami Beach ended (grey), Manila suspended (orange),
    # friendship cities dashed.
    style = {a.get("data-tie"): a for a in arcs}
    assert style["taipei-miami-beach"].get("stroke") == "#6f6f6f"
    assert style["taipei-manila"].get("stroke") == "#c2580a"
    assert style["taipei-daegu"].get("stroke-dasharray") is None
    assert any(a.get("stroke-dasharray") == "9 5" for a in arcs)
    # The fonts are named, and none is fetched.
    assert "Noto Sans CJK TC" in (root.get("font-family") or "")
    assert "url(" not in text.replace("url(#globe)", "") and "@import" not in text
    assert "42 of 42 drawn" in stderr


def test_map_of_daegu_draws_all_22_ties(run: Run, tmp_path: Path) -> None:
    root, text, stderr = draw(run, tmp_path, "map", "Daegu")
    arcs = {a.get("data-tie") for a in root.findall(f".//{SVG}path[@class='tie']")}
    assert len(arcs) == 22
    assert {"daegu-minas-gerais", "daegu-bukhara-region", "daegu-bac-ninh-province"} <= arcs
    assert "22 of 22 drawn" in stderr and "Not drawn" not in text
    assert "Coordinates of Bac Ninh Province, Bukhara Region, Minas Gerais: from the" in text


def test_a_map_tells_which_ties_it_cannot_draw(run: Run, tmp_path: Path) -> None:
    text = bundled_path().read_text(encoding="utf-8")
    for point in ("lat = -18.5264844\nlon = -44.1588654\n", "lat = 40.229366\nlon = 63.5470584\n"):
        assert point in text
        text = text.replace(point, "")
    registry = tmp_path / "partnerships.toml"
    registry.write_text(text, encoding="utf-8")
    root, svg, stderr = draw(run, tmp_path, "--registry", registry, "map", "Daegu")
    assert len(root.findall(f".//{SVG}path[@class='tie']")) == 20
    assert "20 of 22 drawn" in stderr
    for left in ("daegu-minas-gerais", "daegu-bukhara-region"):
        assert left in stderr
    assert "Not drawn, for want of coordinates: 2 ties:" in svg
    assert "Minas Gerais is a state" in svg and "Bukhara Region is a region" in svg


def test_map_of_one_tie_of_all_ties_and_with_filters(run: Run, tmp_path: Path) -> None:
    root, _, _ = draw(run, tmp_path, "map", "Taipei", "Daegu")
    assert [a.get("data-tie") for a in root.iter(f"{SVG}path") if a.get("class") == "tie"] == [
        "taipei-daegu"
    ]
    root, _, _ = draw(run, tmp_path, "map", "--status", "ended")
    assert [a.get("data-tie") for a in root.iter(f"{SVG}path") if a.get("class") == "tie"] == [
        "taipei-miami-beach"
    ]
    root, _, _ = draw(run, tmp_path, "map", "--country", "JP", "--kind", "sister city")
    ties = {a.get("data-tie") for a in root.iter(f"{SVG}path") if a.get("class") == "tie"}
    assert ties and all(t for t in ties)
    assert root.findtext(f"{SVG}title", "").startswith("Sister-city ties as of")


def test_map_html_holds_the_picture_and_errors_are_one_line(run: Run, tmp_path: Path) -> None:
    page = tmp_path / "taipei.html"
    assert run("map", "Taipei", "--html", page).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<svg xmlns="http://www.w3.org/2000/svg"' in html
    result = run("map", "Atlantis")
    assert result.exit_code == 1 and result.stderr.startswith("sisterctl: no tie matches")
    result = run("map", "--status", "suspended", "--country", "KR")
    assert result.exit_code == 1
    assert "nothing to draw" in result.stderr
    result = run("map", "Taipei")
    assert result.exit_code == 0 and "--svg FILE draws it" in result.stderr


def test_map_never_writes_over_the_registry(run: Run, small_registry: Path, tmp_path: Path) -> None:
    before = small_registry.read_bytes()
    result = run("-r", small_registry, "map", "--svg", small_registry)
    assert result.exit_code == 1
    assert "is the registry itself" in result.stderr
    assert small_registry.read_bytes() == before


def test_great_circle_points_lie_on_the_way_and_cross_the_pacific() -> None:
    points = great_circle((121.5, 25.0), (-95.4, 29.8))  # Taipei–Houston
    assert points[0] == pytest.approx((121.5, 25.0)) and points[-1] == pytest.approx((-95.4, 29.8))
    assert max(lat for _, lat in points) > 50  # the great circle bows towards the pole
    jumps = sum(1 for a, b in itertools.pairwise(points) if abs(a[0] - b[0]) > 180)
    assert jumps == 1  # over the Pacific, not across Asia and Europe


def test_the_map_in_the_readme_is_up_to_date(run: Run, tmp_path: Path) -> None:
    """docs/images/map-taipei.svg is what `sisterctl map Taipei --as-of 2026-03-01
    --svg docs/images/map-taipei.svg` makes (README, Maps): run that to update it."""
    _, fresh, _ = draw(run, tmp_path, *PICTURE_COMMAND)
    assert fresh == PICTURE.read_text(encoding="utf-8"), "docs/images/map-taipei.svg is stale"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium)")
def test_a_real_browser_renders_the_map(run: Run, tmp_path: Path) -> None:
    _, _, _ = draw(run, tmp_path, *PICTURE_COMMAND)
    shot = tmp_path / "map.png"
    assert CHROMIUM is not None
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'chromium'}",
            "--window-size=1200,820",
            f"--screenshot={shot}",
            (tmp_path / "map.svg").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000  # a picture, not blank
