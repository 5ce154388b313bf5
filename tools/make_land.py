"""Make src/sisterctl/output/land.json, the land that `sisterctl map` draws.

The land is Natural Earth's 1:110m countries (public domain, naturalearthdata.com),
as the PyPI package pyogrio ships them for its tests
(`pyogrio/tests/fixtures/naturalearth_lowres/naturalearth_lowres.shp`, "copied from
GeoPandas", 177 countries, 180 KB). This script reads that shapefile with nothing but
the standard library, simplifies every ring (Douglas-Peucker, TOLERANCE degrees),
drops rings smaller than MIN_AREA square degrees, and writes the rings as integers in
tenths of a degree, about 50 KB.

    pip download --no-deps --only-binary :all: -d /tmp/ne pyogrio
    python tools/make_land.py /tmp/ne/pyogrio-*.whl

(or give the .shp itself). Run it again only to change the tolerance; commit the
JSON it writes.
"""

from __future__ import annotations

import argparse
import io
import json
import struct
import zipfile
from pathlib import Path

SHAPEFILE = "pyogrio/tests/fixtures/naturalearth_lowres/naturalearth_lowres.shp"
OUT = Path(__file__).resolve().parents[1] / "src" / "sisterctl" / "output" / "land.json"
TOLERANCE = 0.25  # degrees
MIN_AREA = 0.5  # square degrees: smaller islands are left out
SCALE = 10  # tenths of a degree

Ring = list[tuple[float, float]]


def read_shapefile(data: bytes) -> list[list[Ring]]:
    """The polygons (lists of rings of (lon, lat)) of a polygon shapefile."""
    (shape_type,) = struct.unpack("<i", data[32:36])
    if shape_type != 5:
        raise SystemExit(f"not a polygon shapefile (shape type {shape_type})")
    polygons = []
    offset = 100
    while offset < len(data):
        _, length = struct.unpack(">ii", data[offset : offset + 8])
        content = data[offset + 8 : offset + 8 + 2 * length]
        offset += 8 + 2 * length
        (kind,) = struct.unpack("<i", content[:4])
        if kind == 0:
            continue
        parts_count, points_count = struct.unpack("<ii", content[36:44])
        parts = list(struct.unpack(f"<{parts_count}i", content[44 : 44 + 4 * parts_count]))
        start = 44 + 4 * parts_count
        points = [
            struct.unpack("<dd", content[start + 16 * i : start + 16 * i + 16])
            for i in range(points_count)
        ]
        bounds = [*parts, points_count]
        polygons.append([points[bounds[i] : bounds[i + 1]] for i in range(parts_count)])
    return polygons


def simplify(ring: Ring, tolerance: float) -> Ring:
    """Douglas-Peucker, keeping the first and last point."""
    if len(ring) < 3:
        return ring
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = ring[first], ring[last]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        best, index = 0.0, -1
        for i in range(first + 1, last):
            x, y = ring[i]
            if norm == 0:
                d = ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
            else:
                d = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / norm
            if d > best:
                best, index = d, i
        if best > tolerance and index > 0:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(ring, keep, strict=True) if k]


def area(ring: Ring) -> float:
    pairs = zip(ring, ring[1:] + ring[:1], strict=True)
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairs)) / 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="the pyogrio wheel, or the .shp file")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if args.source.suffix == ".whl":
        with zipfile.ZipFile(args.source) as wheel:
            data = wheel.read(SHAPEFILE)
    else:
        data = args.source.read_bytes()
    rings: list[list[int]] = []
    for polygon in read_shapefile(io.BytesIO(data).getvalue()):
        for ring in polygon:
            if area(ring) < MIN_AREA:
                continue
            points = simplify(ring, TOLERANCE)
            flat: list[int] = []
            last = None
            for lon, lat in points:
                point = (round(lon * SCALE), round(lat * SCALE))
                if point != last:
                    flat += point
                    last = point
            if len(flat) >= 8:
                rings.append(flat)
    land = {
        "source": "Natural Earth 1:110m countries (public domain), naturalearthdata.com, as "
        "shipped by the pyogrio package (tests/fixtures/naturalearth_lowres); simplified by "
        f"tools/make_land.py (Douglas-Peucker {TOLERANCE} degrees, rings under {MIN_AREA} "
        "square degrees left out)",
        "scale": SCALE,
        "rings": rings,
    }
    text = json.dumps(land, separators=(",", ":")) + "\n"
    args.out.write_text(text, encoding="utf-8")
    points = sum(len(r) // 2 for r in rings)
    print(f"{args.out}: {len(rings)} rings, {points} points, {len(text) / 1024:.0f} KB")


if __name__ == "__main__":
    main()
