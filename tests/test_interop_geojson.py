"""GeoJSON: a line per tie whose cities have coordinates, [lon, lat] as RFC 7946 has it."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from sisterctl import store
from sisterctl.interop import geojson
from sisterctl.model import City

REGISTRY = """\
schema_version = 1

[[city]]
id = "taipei-tw"
name = "Taipei"
country = "TW"
lat = 25.0375
lon = 121.5625

[[city]]
id = "daegu-kr"
name = "Daegu"
country = "KR"
lat = 35.8714
lon = 128.6014

[[city]]
id = "sao-paulo-br"
name = "São Paulo"
country = "BR"

[[partnership]]
id = "taipei-daegu"
cities = ["taipei-tw", "daegu-kr"]
kind = "friendship city"
established = "2010-11"

[[partnership]]
id = "daegu-sao-paulo"
cities = ["daegu-kr", "sao-paulo-br"]

[[agreement]]
partnership = "taipei-daegu"
date = "2013"
title = "Upgrade"
kind = "upgrade"
to_kind = "sister city"
"""


def test_a_feature_per_tie_with_coordinates(write_registry: Callable[[str], Path]) -> None:
    result = geojson.feature_collection(store.load(write_registry(REGISTRY)))
    assert result.left_out == 1  # São Paulo has no coordinates
    [feature] = result.collection["features"]
    line = feature["geometry"]["coordinates"]
    # The great circle, a point every two degrees of arc and at least eight segments,
    # between the two cities.
    assert (line[0], line[-1], len(line)) == ([121.5625, 25.0375], [128.6014, 35.8714], 9)
    assert line[4] == pytest.approx(midpoint(line[0], line[-1]), abs=1e-5)
    feature["geometry"]["coordinates"] = [line[0], line[-1]]
    assert result.collection == {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "taipei-daegu",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[121.5625, 25.0375], [128.6014, 35.8714]],
                },
                "properties": {
                    "id": "taipei-daegu",
                    "name": "Taipei–Daegu",
                    "city_a": "Taipei",
                    "country_a": "TW",
                    "city_b": "Daegu",
                    "country_b": "KR",
                    "kind": "sister city",  # as it stands, after the upgrade
                    "established": "2010-11",
                    "precision": "month",
                    "status": "active",
                    "status_since": None,
                },
            }
        ],
    }


def midpoint(a: list[float], b: list[float]) -> list[float]:
    """The great circle's midpoint, by the aviation formulary's formula."""
    (l1, p1), (l2, p2) = (map(math.radians, point) for point in (a, b))
    bx, by = math.cos(p2) * math.cos(l2 - l1), math.cos(p2) * math.sin(l2 - l1)
    lat = math.atan2(math.sin(p1) + math.sin(p2), math.hypot(math.cos(p1) + bx, by))
    lon = l1 + math.atan2(by, math.cos(p1) + bx)
    return [math.degrees(lon), math.degrees(lat)]


def city(lat: float, lon: float) -> City:
    return City("x", "X", "JP", lat=lat, lon=lon)


@pytest.mark.parametrize(
    ("a", "b", "crossing"),
    [
        # Tokyo–San Francisco: the great circle crosses the Pacific, cut at 180°, far
        # north of both cities (a straight line in degrees would cross at 35.8°N).
        ((35.0, 140.0), (37.0, -122.0), 47.42713),
        ((37.0, -122.0), (35.0, 140.0), 47.42713),
    ],
)
def test_a_line_across_the_antimeridian_is_cut_in_two(
    a: tuple[float, float], b: tuple[float, float], crossing: float
) -> None:
    shape = geojson.geometry(city(*a), city(*b))
    assert shape["type"] == "MultiLineString"
    first, second = shape["coordinates"]
    assert first[0] == [a[1], a[0]] and second[-1] == [b[1], b[0]]
    edge = 180.0 if a[1] > 0 else -180.0
    assert first[-1] == [edge, crossing] and second[0] == [-edge, crossing]
    assert all(-180 <= lon <= 180 for lon, _ in first + second)


def test_the_text_has_one_feature_a_line_and_is_valid_json(
    write_registry: Callable[[str], Path],
) -> None:
    collection = geojson.feature_collection(store.load(write_registry(REGISTRY))).collection
    text = geojson.to_text(collection)
    assert json.loads(text) == collection
    assert len(text.splitlines()) == 3
    assert json.loads(geojson.to_text({"features": []})) == {
        "type": "FeatureCollection",
        "features": [],
    }
