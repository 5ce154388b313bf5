"""A map of ties as an SVG picture: land, great-circle arcs to the partners, labels,
a legend and a title. Pure: a `MapView` and the land's rings in, SVG text out.

- The projection is Equal Earth (Šavrič, Patterson and Jenny, 2018), an equal-area
  projection made for world maps, centred on the map's city (or on the city with
  most ties), so that no arc from it is cut at the map's edge.
- Each tie is drawn along its great circle, the shortest way round the Earth; an arc
  that leaves one edge of the map comes back at the other (the same path is drawn
  shifted by 360° of longitude, and the map's outline clips both).
- A tie's status is both its colour and the mark at its partner (● active, ○
  suspended, × ended); its kind is the line's dash (solid sister city, dashed
  friendship city, dotted any other kind): a printout in black and white reads the same.
- Text is text, in a font stack that covers Chinese, Japanese and Korean with fonts
  installed on the reader's computer (no web fonts are fetched).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from sisterctl.core.geocode import great_circle
from sisterctl.core.maps import MapTie, MapView
from sisterctl.model import City
from sisterctl.text import safe_display

FONTS = (
    "'Noto Sans', 'Noto Sans CJK TC', 'Noto Sans CJK KR', 'Noto Sans CJK JP', "
    "'Noto Sans CJK SC', 'Source Han Sans', 'PingFang TC', 'Hiragino Sans', "
    "'Microsoft JhengHei', 'Malgun Gothic', 'Yu Gothic', 'DejaVu Sans', Arial, sans-serif"
)
STATUS_COLOURS = {"active": "#1d5fa6", "suspended": "#c2580a", "ended": "#6f6f6f"}
OTHER_COLOUR = "#6a3d9a"
KIND_DASHES = {"sister city": None, "friendship city": "9 5"}
OTHER_DASH = "2 4"
MAX_LABELS = 60  # cities tried for a label on a map of more than 80, without a centre
LAND, OCEAN, GRID, EDGE = "#dfe3e6", "#ffffff", "#eef1f3", "#9aa3ab"

Point = tuple[float, float]

# Equal Earth's constants
_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2
_XMAX, _YMAX = 2.7206990419, 1.3173627591


def _equal_earth(lon: float, lat: float) -> Point:
    """Equal Earth (x, y) of a longitude and latitude in degrees (lon may pass ±180)."""
    theta = math.asin(_M * math.sin(math.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = (2 * math.sqrt(3) * math.radians(lon) * math.cos(theta)) / (
        3 * (9 * _A4 * t6 * t2 + 7 * _A3 * t6 + 3 * _A2 * t2 + _A1)
    )
    y = theta * (_A4 * t6 * t2 + _A3 * t6 + _A2 * t2 + _A1)
    return x, y


@dataclass(frozen=True)
class _Frame:
    """Where the map stands in the picture: its centre meridian and scale."""

    centre_lon: float
    left: float
    top: float
    scale: float

    def xy(self, lon: float, lat: float) -> Point:
        """Picture coordinates; `lon` already relative to the centre meridian."""
        x, y = _equal_earth(lon, lat)
        return (
            self.left + (x + _XMAX) * self.scale,
            self.top + (_YMAX - y) * self.scale,
        )

    def relative(self, lon: float) -> float:
        return (lon - self.centre_lon + 180) % 360 - 180


def render_svg(view: MapView, land: Sequence[Sequence[Point]], *, width: int = 1200) -> str:
    """The picture, as SVG text."""
    margin = 24
    scale = (width - 2 * margin) / (2 * _XMAX)
    map_height = 2 * _YMAX * scale
    top = 84
    legend_top = top + map_height + 18
    centre_lon = _centre_lon(view)
    frame = _Frame(centre_lon, margin, top, scale)
    ties = view.drawn
    kinds = _kinds(ties)
    statuses = [s for s in ("active", "suspended", "ended") if any(t.status == s for t in ties)]
    statuses += sorted({t.status for t in ties} - set(statuses))
    notes = [line for note in _notes(view) for line in _wrap(note, width - 2 * margin, 11)]
    legend_rows = max(len(kinds), len(statuses), 1)
    height = int(legend_top + 22 + 20 * legend_rows + 18 * len(notes) + 24)

    out: list[str] = []
    title = safe_display(view.title)
    desc = _description(view)
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONTS}" role="img" '
        f'aria-labelledby="map-title map-desc">'
    )
    out.append(f'<title id="map-title">{escape(title)} as of {view.as_of.isoformat()}</title>')
    out.append(f'<desc id="map-desc">{escape(desc)}</desc>')
    out.append(
        "<style>"
        ".halo{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}"
        ".label{font-size:12px;fill:#1b1b1b}"
        ".centre{font-size:14px;font-weight:bold;fill:#000}"
        ".small{font-size:11px;fill:#444}"
        "</style>"
    )
    out.append(f'<rect width="{width}" height="{height}" fill="#fff"/>')
    out.append(
        f'<text x="{margin}" y="34" font-size="22" font-weight="bold" fill="#111">'
        f"{escape(title)}</text>"
    )
    out.append(
        f'<text x="{margin}" y="58" font-size="14" fill="#333">{escape(view.subtitle)} · as of '
        f"{view.as_of.isoformat()}</text>"
    )
    outline = _outline(frame)
    out.append(f'<defs><clipPath id="globe"><path d="{outline}"/></clipPath></defs>')
    out.append(f'<path d="{outline}" fill="{OCEAN}" stroke="{EDGE}" stroke-width="1"/>')
    out.append('<g clip-path="url(#globe)">')
    out.append(_graticule(frame))
    out.append(_land(frame, land))
    out.append("</g>")
    out.append('<g clip-path="url(#globe)" fill="none" stroke-linecap="round">')
    for tie in sorted(ties, key=lambda t: _STATUS_ORDER.get(t.status, 3), reverse=True):
        out.append(_arc(frame, tie))
    out.append("</g>")
    out.append(_marks_and_labels(frame, view, width, top + map_height))
    out.append(_legend(kinds, statuses, margin, legend_top))
    y = legend_top + 22 + 20 * legend_rows + 6
    for note in notes:
        out.append(f'<text x="{margin}" y="{y:.0f}" class="small">{escape(note)}</text>')
        y += 18
    out.append("</svg>")
    return "\n".join(out) + "\n"


def render_html(view: MapView, svg: str) -> str:
    """A page that holds the picture."""
    title = escape(f"{safe_display(view.title)} as of {view.as_of.isoformat()}")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<style>body{margin:0;background:#fff}svg{max-width:100%;height:auto;display:block;"
        "margin:0 auto}</style>\n</head>\n<body>\n"
        f"{svg}</body>\n</html>\n"
    )


_STATUS_ORDER = {"active": 0, "suspended": 1, "ended": 2}


def _centre_lon(view: MapView) -> float:
    if view.centre is not None and view.centre.lon is not None:
        return view.centre.lon
    cities = view.cities()
    if cities and cities[0].lon is not None:
        return cities[0].lon
    return 0.0


OTHER_KINDS = "other kinds (below)"


def _kinds(ties: Sequence[MapTie]) -> list[str]:
    known = [k for k in KIND_DASHES if any(t.kind == k for t in ties)]
    others = {t.kind for t in ties} - set(KIND_DASHES)
    return known + ([OTHER_KINDS] if others else [])


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of `text` that fit `width` pixels at `size`."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if line and _text_width(candidate, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def _notes(view: MapView) -> list[str]:
    notes = []
    others = sorted({t.kind for t in view.drawn} - set(KIND_DASHES))
    if others:
        notes.append("Other kinds of tie (dotted): " + ", ".join(others) + ".")
    left = view.left_out
    if left:
        names = ", ".join(f"{t.tie.title}" + (f" ({_why(t)})" if _why(t) else "") for t in left[:6])
        more = f" and {len(left) - 6} more" if len(left) > 6 else ""
        ties = "1 tie" if len(left) == 1 else f"{len(left)} ties"
        notes.append(f"Not drawn, for want of coordinates: {ties}: {names}{more}.")
    credits = ["Land: Natural Earth (public domain)."]
    if view.sources:
        credits.append("Coordinates: GeoNames, geonames.org (CC BY 4.0).")
    placed = view.placed_otherwise
    if placed:
        names = ", ".join(c.name for c in placed[:4])
        more = f" and {len(placed) - 4} more" if len(placed) > 4 else ""
        whose = "its record names" if len(placed) == 1 else "their records name"
        credits.append(f"Coordinates of {names}{more}: from the sources {whose}.")
    credits.append("Made with sisterctl.")
    notes.append(" ".join(credits))
    return [safe_display(n) for n in notes]


def _why(tie: MapTie) -> str:
    for city in (tie.a, tie.b):
        if not city.located and (city.type or "city") != "city":
            return f"{city.name} is a {city.type}"
    return ""


def _description(view: MapView) -> str:
    drawn = view.drawn
    partners = ", ".join(
        f"{t.b.name}{' ' + t.b.local_name if t.b.local_name else ''} ({t.b.country_name}, "
        f"{t.kind}, {t.status})"
        for t in drawn[:40]
    )
    more = f", and {len(drawn) - 40} more" if len(drawn) > 40 else ""
    if view.centre is not None:
        centre = view.centre
        head = (
            f"A world map of the ties of {centre.name}"
            f"{' ' + centre.local_name if centre.local_name else ''}, {centre.country_name}: "
        )
        lines = "great-circle lines to "
    else:
        head = "A world map of sister-city ties: "
        lines = "great-circle lines between "
    return safe_display(
        f"{head}{view.subtitle}, as of {view.as_of.isoformat()}; {lines}{partners}{more}."
    )


# ---------------------------------------------------------------------------
# Geometry


def _path(points: Iterable[Point], closed: bool = False) -> str:
    parts = []
    for i, (x, y) in enumerate(points):
        parts.append(f"{'M' if i == 0 else 'L'}{x:.1f} {y:.1f}")
    return "".join(parts) + ("Z" if closed else "")


def _outline(frame: _Frame) -> str:
    east = [frame.xy(180, lat) for lat in range(-90, 91, 5)]
    west = [frame.xy(-180, lat) for lat in range(90, -91, -5)]
    return _path([*east, *west], closed=True)


def _graticule(frame: _Frame) -> str:
    lines = []
    for lon in range(-180, 181, 30):
        lines.append(_path(frame.xy(lon, lat) for lat in range(-90, 91, 5)))
    for lat in range(-60, 61, 30):
        lines.append(_path(frame.xy(lon, lat) for lon in range(-180, 181, 5)))
    return f'<path d="{"".join(lines)}" fill="none" stroke="{GRID}" stroke-width="1"/>'


def _unwrapped(frame: _Frame, points: Iterable[Point]) -> list[Point]:
    """(lon, lat) relative to the centre meridian, continuous: no jump of 360°."""
    out: list[Point] = []
    for lon, lat in points:
        rel = frame.relative(lon)
        if out:
            previous = out[-1][0]
            rel += 360 * round((previous - rel) / 360)
        out.append((rel, lat))
    return out


def _shifts(points: Sequence[Point]) -> list[float]:
    """The shifts of 360° that bring every part of a path onto the map."""
    low, high = min(p[0] for p in points), max(p[0] for p in points)
    shifts = [0.0]
    if high > 180:
        shifts.append(-360.0)
    if low < -180:
        shifts.append(360.0)
    return shifts


def _land(frame: _Frame, land: Sequence[Sequence[Point]]) -> str:
    paths = []
    for ring in land:
        points = _unwrapped(frame, ring)
        for shift in _shifts(points):
            paths.append(_path((frame.xy(lon + shift, lat) for lon, lat in points), closed=True))
    return f'<path d="{"".join(paths)}" fill="{LAND}" stroke="{LAND}" stroke-width="0.6"/>'


def _style(tie: MapTie) -> str:
    colour = STATUS_COLOURS.get(tie.status, OTHER_COLOUR)
    dash = KIND_DASHES.get(tie.kind, OTHER_DASH)
    width = 1.3 if tie.status == "ended" else 1.9
    style = f'stroke="{colour}" stroke-width="{width}"'
    return style + (f' stroke-dasharray="{dash}"' if dash else "")


def _arc(frame: _Frame, tie: MapTie) -> str:
    assert tie.a.lat is not None and tie.a.lon is not None
    assert tie.b.lat is not None and tie.b.lon is not None
    points = _unwrapped(frame, great_circle((tie.a.lon, tie.a.lat), (tie.b.lon, tie.b.lat)))
    d = "".join(
        _path(frame.xy(lon + shift, lat) for lon, lat in points) for shift in _shifts(points)
    )
    name = f"{tie.a.name}–{tie.b.name}"
    local = " ".join(n for n in (tie.a.local_name, tie.b.local_name) if n)
    when = f", since {tie.tie.established}" if tie.tie.established else ""
    hover = safe_display(
        f"{name}{' (' + local + ')' if local else ''}: {tie.kind}, {tie.status}{when}"
    )
    return (
        f'<path class="tie" data-tie={quoteattr(safe_display(tie.tie.id))} '
        f'data-status="{escape(tie.status)}" d="{d}" {_style(tie)}>'
        f"<title>{escape(hover)}</title></path>"
    )


# ---------------------------------------------------------------------------
# Marks and labels


def _text_width(text: str, size: float) -> float:
    wide = sum(1 for c in text if ord(c) >= 0x1100)
    return (len(text) - wide) * size * 0.56 + wide * size * 1.0


_OFFSETS = [
    (7, 4, "start"),
    (-7, 4, "end"),
    (0, -8, "middle"),
    (0, 16, "middle"),
    (6, -6, "start"),
    (6, 14, "start"),
    (-6, -6, "end"),
    (-6, 14, "end"),
]


def _marks_and_labels(frame: _Frame, view: MapView, width: int, bottom: float) -> str:
    ties = view.drawn
    status_of: dict[str, list[str]] = {}
    for tie in ties:
        for city in (tie.a, tie.b):
            status_of.setdefault(city.id, []).append(tie.status)
    cities = view.cities()
    if view.centre is not None:
        cities = [c for c in cities if c.id == view.centre.id] + [
            c for c in cities if c.id != view.centre.id
        ]
    spots: dict[str, Point] = {}
    for city in cities:
        assert city.lat is not None and city.lon is not None
        spots[city.id] = frame.xy(frame.relative(city.lon), city.lat)
    taken = _Boxes()
    for x, y in spots.values():
        taken.append((x - 4, y - 4, x + 4, y + 4))
    marks, labels = [], []
    must_label = view.centre is not None or len(cities) <= 80
    labelled = 0
    for city in cities:
        x, y = spots[city.id]
        centre = view.centre is not None and city.id == view.centre.id
        marks.append(_mark(city, x, y, status_of[city.id], centre))
        if not must_label:
            if labelled >= MAX_LABELS:
                continue  # a map of thousands of cities names the most tied only
            labelled += 1
        text = city.name + (f" {city.local_name}" if centre and city.local_name else "")
        size = 14 if centre else 12
        placed = _place_label(text, size, x, y, taken, width, bottom, force=must_label)
        if placed is None:
            continue
        lx, ly, anchor, leader = placed
        if leader:
            labels.append(
                f'<path d="M{x:.1f} {y:.1f}L{leader[0]:.1f} {leader[1]:.1f}" '
                'stroke="#555" stroke-width="0.6" fill="none"/>'
            )
        labels.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" '
            f'class="halo {"centre" if centre else "label"}">{escape(safe_display(text))}</text>'
        )
    return "<g>" + "".join(marks) + "</g>\n<g>" + "".join(labels) + "</g>"


def _mark(city: City, x: float, y: float, statuses: list[str], centre: bool) -> str:
    if centre:
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5.5" fill="#000" stroke="#fff" '
            'stroke-width="1.5"/>'
        )
    status = min(statuses, key=lambda s: _STATUS_ORDER.get(s, 3))
    colour = STATUS_COLOURS.get(status, OTHER_COLOUR)
    return _status_mark(status, colour, x, y)


def _status_mark(status: str, colour: str, x: float, y: float) -> str:
    if status == "ended":
        a, b, c, e = x - 3.5, y - 3.5, x + 3.5, y + 3.5
        d = f"M{a:.1f} {b:.1f}L{c:.1f} {e:.1f}M{a:.1f} {e:.1f}L{c:.1f} {b:.1f}"
        return f'<path d="{d}" stroke="{colour}" stroke-width="2" fill="none"/>'
    fill = "#fff" if status == "suspended" else colour
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.6" fill="{fill}" stroke="{colour}" '
        'stroke-width="1.6"/>'
    )


def _place_label(
    text: str,
    size: float,
    x: float,
    y: float,
    taken: _Boxes,
    width: float,
    bottom: float,
    *,
    force: bool,
) -> tuple[float, float, str, Point | None] | None:
    w, h = _text_width(text, size), size * 1.05
    best = None
    for radius in (1.0, 2.2, 3.6, 5.2):
        for dx, dy, anchor in _OFFSETS:
            lx, ly = x + dx * radius, y + dy * radius
            left = lx - (w if anchor == "end" else w / 2 if anchor == "middle" else 0)
            box = (left - 1, ly - h + 2, left + w + 1, ly + 3)
            if box[0] < 2 or box[2] > width - 2 or box[1] < 70 or box[3] > bottom + 14:
                continue
            overlap = sum(_overlap(box, other) for other in taken.near(box))
            if overlap == 0:
                taken.append(box)
                return lx, ly, anchor, _leader(box, x, y) if radius > 1 else None
            if best is None or overlap < best[0]:
                best = (overlap, lx, ly, anchor, box, radius)
    if not force or best is None:
        return None
    _, lx, ly, anchor, box, radius = best
    taken.append(box)
    return lx, ly, anchor, _leader(box, x, y) if radius > 1 else None


def _leader(box: tuple[float, float, float, float], x: float, y: float) -> Point:
    """The point of a label's box nearest to its mark, where a leader line ends."""
    return (min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3]))


Box = tuple[float, float, float, float]


class _Boxes:
    """The boxes already taken on the picture, in a grid, so that a label is checked
    against its neighbours only (a map may hold thousands of marks)."""

    CELL = 48.0

    def __init__(self) -> None:
        self._cells: dict[tuple[int, int], list[Box]] = {}

    def _keys(self, box: Box) -> list[tuple[int, int]]:
        x0, y0 = int(box[0] // self.CELL), int(box[1] // self.CELL)
        x1, y1 = int(box[2] // self.CELL), int(box[3] // self.CELL)
        return [(i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1)]

    def append(self, box: Box) -> None:
        for key in self._keys(box):
            self._cells.setdefault(key, []).append(box)

    def near(self, box: Box) -> set[Box]:
        return {other for key in self._keys(box) for other in self._cells.get(key, ())}


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


# ---------------------------------------------------------------------------
# Legend


def _legend(kinds: Sequence[str], statuses: Sequence[str], left: float, top: float) -> str:
    out = [
        f'<text x="{left}" y="{top + 12:.0f}" font-size="13" font-weight="bold" fill="#222">'
        "Kind of tie (line)</text>"
    ]
    for i, kind in enumerate(kinds):
        y = top + 30 + 20 * i
        dash = KIND_DASHES.get(kind, OTHER_DASH)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<path d="M{left:.0f} {y - 4:.0f}h44" stroke="#222" stroke-width="1.9"{dashed}/>'
            f'<text x="{left + 54:.0f}" y="{y:.0f}" font-size="12" fill="#222">'
            f"{escape(safe_display(kind))}</text>"
        )
    x = left + 260
    out.append(
        f'<text x="{x:.0f}" y="{top + 12:.0f}" font-size="13" font-weight="bold" fill="#222">'
        "Status (colour and mark)</text>"
    )
    for i, status in enumerate(statuses):
        y = top + 30 + 20 * i
        colour = STATUS_COLOURS.get(status, OTHER_COLOUR)
        out.append(
            f'<path d="M{x:.0f} {y - 4:.0f}h30" stroke="{colour}" stroke-width="1.9"/>'
            + _status_mark(status, colour, x + 40, y - 4)
            + f'<text x="{x + 54:.0f}" y="{y:.0f}" font-size="12" fill="#222">'
            f"{escape(status)}</text>"
        )
    return "<g>" + "".join(out) + "</g>"
