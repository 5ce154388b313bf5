"""The registry as GeoJSON (RFC 7946): a line between the two cities of every tie
whose cities both have coordinates, for web maps such as geojson.io.

Positions are [longitude, latitude], as RFC 7946 orders them. A line that would
cross the antimeridian the short way (Tokyo–San Francisco over the Pacific) is cut
in two there, a MultiLineString, as RFC 7946 (3.1.9) asks; a LineString from 140°E
to 122°W would otherwise be drawn the long way round, across Asia and Europe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sisterctl.model import City, Partnership, Registry
from sisterctl.output.serialize import ListRow

PROPERTIES = (
    "id",
    "name",
    "city_a",
    "country_a",
    "city_b",
    "country_b",
    "kind",
    "established",
    "status",
)


@dataclass(frozen=True)
class GeoExport:
    collection: dict[str, Any]
    left_out: int  # ties with a city that has no coordinates


def feature_collection(registry: Registry) -> GeoExport:
    features = []
    left_out = 0
    for tie in registry.partnerships:
        a, b = tie.cities
        if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
            left_out += 1
            continue
        features.append(
            {
                "type": "Feature",
                "id": tie.id,
                "geometry": geometry(a, b),
                "properties": _properties(registry, tie),
            }
        )
    return GeoExport({"type": "FeatureCollection", "features": features}, left_out)


def _properties(registry: Registry, tie: Partnership) -> dict[str, Any]:
    row = ListRow(tie, registry.kind_on(tie), registry.state(tie).status.value, None).as_dict()
    return {"id": tie.id, "name": tie.title} | {key: row[key] for key in PROPERTIES[2:]}


def geometry(a: City, b: City) -> dict[str, Any]:
    """A LineString from `a` to `b`, or a MultiLineString cut at the antimeridian."""
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    start, end = [a.lon, a.lat], [b.lon, b.lat]
    if abs(a.lon - b.lon) <= 180:
        return {"type": "LineString", "coordinates": [start, end]}
    # The short way crosses ±180°: go from `a` east or west to the edge, and on from
    # the opposite edge to `b`, crossing at the latitude on the straight line between.
    edge = 180.0 if a.lon > 0 else -180.0
    b_lon = b.lon + 360 if edge > 0 else b.lon - 360  # `b` as seen past the edge
    t = (edge - a.lon) / (b_lon - a.lon)
    lat = round(a.lat + t * (b.lat - a.lat), 6)
    return {
        "type": "MultiLineString",
        "coordinates": [[start, [edge, lat]], [[-edge, lat], end]],
    }


def to_text(collection: dict[str, Any]) -> str:
    """The collection as JSON text with one feature a line: compact for maps, and a
    change to one tie is a change to one line."""
    from sisterctl.output.plain import json_text

    features = [json_text(f, indent=None) for f in collection["features"]]
    if not features:
        return '{"type": "FeatureCollection", "features": []}\n'
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(features) + "\n]}\n"
