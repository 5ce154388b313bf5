"""The registry as GeoJSON (RFC 7946): a line between the two cities of every tie
whose cities both have coordinates, for web maps such as geojson.io.

Each line follows the great circle between the two cities, the shortest way round
the Earth (a point every two degrees of arc, at least eight), as `sisterctl map`
draws it; a straight line in longitude and latitude would be a different path on
every map. Positions are [longitude, latitude], as RFC 7946 orders them. A line that
crosses the antimeridian (Tokyo–San Francisco over the Pacific) is cut in two there,
a MultiLineString, as RFC 7946 (3.1.9) asks.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from sisterctl.core.geocode import great_circle
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
    "precision",
    "status",
    "status_since",
)
DIGITS = 5  # decimal places of the positions: about a metre


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
    state = registry.state(tie)
    row = ListRow(tie, registry.kind_on(tie), state.status.value, None).as_dict()
    return (
        {"id": tie.id, "name": tie.title}
        | {key: row[key] for key in PROPERTIES[2:-1]}
        | {"status_since": state.since.iso() if state.since else None}
    )


def geometry(a: City, b: City, steps: int | None = None) -> dict[str, Any]:
    """The great circle from `a` to `b`: a LineString, or a MultiLineString cut at the
    antimeridian."""
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    points = great_circle((a.lon, a.lat), (b.lon, b.lat), steps)
    lines: list[list[list[float]]] = [[_position(*points[0])]]
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(points):
        if abs(lon2 - lon1) > 180:
            # Crossing ±180°: end at the edge, at the latitude between, and go on
            # from the other edge.
            edge = 180.0 if lon1 > 0 else -180.0
            beyond = lon2 + 360 if edge > 0 else lon2 - 360
            t = (edge - lon1) / (beyond - lon1)
            lat = lat1 + t * (lat2 - lat1)
            lines[-1].append(_position(edge, lat))
            lines.append([_position(-edge, lat)])
        lines[-1].append(_position(lon2, lat2))
    if len(lines) == 1:
        return {"type": "LineString", "coordinates": lines[0]}
    return {"type": "MultiLineString", "coordinates": lines}


def _position(lon: float, lat: float) -> list[float]:
    return [round(lon, DIGITS), round(lat, DIGITS)]


def to_text(collection: dict[str, Any]) -> str:
    """The collection as JSON text with one feature a line: compact for maps, and a
    change to one tie is a change to one line."""
    from sisterctl.output.plain import json_text

    features = [json_text(f, indent=None) for f in collection["features"]]
    if not features:
        return '{"type": "FeatureCollection", "features": []}\n'
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(features) + "\n]}\n"
