"""GeoJSON: a line per tie whose cities have coordinates, [lon, lat] as RFC 7946 has it."""

from __future__ import annotations

import json
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
                    "status": "active",
                },
            }
        ],
    }


def city(lat: float, lon: float) -> City:
    return City("x", "X", "JP", lat=lat, lon=lon)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # Tokyo–San Francisco: the short way crosses the Pacific, cut at 180°.
        (
            (35.0, 140.0),
            (37.0, -122.0),
            [[[140.0, 35.0], [180.0, 35.816327]], [[-180.0, 35.816327], [-122.0, 37.0]]],
        ),
        (
            (37.0, -122.0),
            (35.0, 140.0),
            [[[-122.0, 37.0], [-180.0, 35.816327]], [[180.0, 35.816327], [140.0, 35.0]]],
        ),
    ],
)
def test_a_line_across_the_antimeridian_is_cut_in_two(
    a: tuple[float, float], b: tuple[float, float], expected: list[list[list[float]]]
) -> None:
    assert geojson.geometry(city(*a), city(*b)) == {
        "type": "MultiLineString",
        "coordinates": expected,
    }


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
