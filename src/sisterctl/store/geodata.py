"""The land that maps draw, shipped inside the package (`sisterctl/output/land.json`,
made by tools/make_land.py from Natural Earth's 1:110m countries, public domain)."""

from __future__ import annotations

import json
from importlib import resources

Ring = list[tuple[float, float]]


def land() -> list[Ring]:
    """The land's rings, as (longitude, latitude) in degrees."""
    text = resources.files("sisterctl.output").joinpath("land.json").read_text(encoding="utf-8")
    data = json.loads(text)
    scale = float(data["scale"])
    return [
        [(flat[i] / scale, flat[i + 1] / scale) for i in range(0, len(flat), 2)]
        for flat in data["rings"]
    ]
