"""How long timelines and charts take to render as they grow.

Builds registries in memory (no file, no parse: this measures the timeline core and
the rendering alone) and renders each view to a 100-column console writing to memory,
several times, interleaved with a baseline: the small Taipei–Daegu timeline (9 events).
Prints the median of each and its ratio to the baseline measured in the same run;
absolute times on a shared machine are noise, ratios and "well under a second" are the
result. Then the same as whole `sisterctl` processes on registry files written to a
temporary folder, as a user runs them, against `sisterctl --version`.

    python benchmarks/render_scale.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sisterctl.cli import printer
from sisterctl.core.stats import registry_stats
from sisterctl.core.timeline import city_network, tie_timeline
from sisterctl.dates import PartialDate
from sisterctl.model import Agreement, City, Exchange, Partnership, Registry, Signatory
from sisterctl.output import render

AS_OF = dt.date(2026, 3, 1)
KINDS = ("visit", "delegation", "festival", "forum", "summit", "exhibition")


def taipei_daegu() -> tuple[Registry, Partnership]:
    taipei = City("taipei-tw", "Taipei", "TW", local_name="臺北市")
    daegu = City("daegu-kr", "Daegu", "KR", local_name="대구광역시")
    tie = Partnership("taipei-daegu", (taipei, daegu), established=PartialDate(2010, 11, 4))
    agreement = Agreement(
        "taipei-daegu",
        "Agreement to Reaffirm Sister City Friendship",
        PartialDate(2021, 3, 26),
        kind="reaffirmation",
        signatories=(Signatory("Ko Wen-je", "Mayor of Taipei"), Signatory("Kwon Young-jin")),
        mode="video-conference",
    )
    exchange = Exchange("taipei-daegu", "delegation", "Universiade", PartialDate(2017))
    registry = Registry(
        cities={c.id: c for c in (taipei, daegu)},
        partnerships=(tie,),
        agreements=(agreement,),
        exchanges=(exchange,),
    )
    return registry, tie


def busy_tie(events: int) -> tuple[Registry, Partnership]:
    """A tie founded in 1961 with `events` agreements and exchanges over 65 years,
    a third of them in Korean, at every precision."""
    taipei = City("taipei-tw", "Taipei", "TW", local_name="臺北市")
    daegu = City("daegu-kr", "Daegu", "KR", local_name="대구광역시")
    tie = Partnership("taipei-daegu", (taipei, daegu), established=PartialDate(1961, 3, 23))
    agreements: list[Agreement] = []
    exchanges: list[Exchange] = []
    for n in range(events):
        year = 1961 + n * 65 // events
        date = [PartialDate(year, n % 12 + 1, n % 28 + 1), PartialDate(year, n % 12 + 1)][n % 2]
        title = f"대구광역시 대표단 臺北市 방문 {n}" if n % 3 == 0 else f"Exchange number {n}"
        if n % 10 == 0:
            agreements.append(
                Agreement(
                    tie.id,
                    f"Memorandum {n} on tourism, culture and smart cities",
                    date,
                    kind="memorandum",
                    signatories=(Signatory("A Mayor", "Mayor of Taipei"), Signatory("B Mayor")),
                    mode="video-conference",
                    fields=("tourism", "culture"),
                    status="planned" if n % 20 == 0 else "signed",
                )
            )
        else:
            exchanges.append(
                Exchange(tie.id, KINDS[n % len(KINDS)], title, date, details="Details " * 12)
            )
    registry = Registry(
        cities={c.id: c for c in (taipei, daegu)},
        partnerships=(tie,),
        agreements=tuple(agreements),
        exchanges=tuple(exchanges),
    )
    return registry, tie


def network(ties: int) -> tuple[Registry, City]:
    taipei = City("taipei-tw", "Taipei", "TW", local_name="臺北市")
    partners = [
        City(f"city-{n}", f"City {n}", ("KR", "JP", "US", "FR")[n % 4], local_name="대구광역시")
        for n in range(ties)
    ]
    partnerships = tuple(
        Partnership(
            f"taipei-city-{n}",
            (taipei, partner),
            established=PartialDate(1961 + n) if n % 7 else None,
        )
        for n, partner in enumerate(partners)
    )
    cities = {c.id: c for c in (taipei, *partners)}
    return Registry(cities=cities, partnerships=partnerships), taipei


def registry_toml(registry: Registry) -> str:
    """The registry as a registry file (only what these builders use)."""

    def date(value: PartialDate | None) -> str:
        return f'"{value.iso()}"' if value else ""

    lines = ["schema_version = 1"]
    for c in registry.cities.values():
        lines += [
            "",
            "[[city]]",
            f'id = "{c.id}"',
            f'name = "{c.name}"',
            f'country = "{c.country}"',
        ]
        if c.local_name:
            lines.append(f'local_name = "{c.local_name}"')
    for p in registry.partnerships:
        lines += ["", "[[partnership]]", f'id = "{p.id}"']
        lines.append(f'cities = ["{p.cities[0].id}", "{p.cities[1].id}"]')
        if p.established:
            lines.append(f"established = {date(p.established)}")
    for a in registry.agreements:
        lines += ["", "[[agreement]]", f'partnership = "{a.partnership}"', f'title = "{a.title}"']
        lines += [f"date = {date(a.date)}", f'kind = "{a.kind}"', f'status = "{a.status}"']
        people = ", ".join(f'{{ name = "{s.name}" }}' for s in a.signatories)
        lines += [f"signatories = [{people}]", f'mode = "{a.mode}"']
    for e in registry.exchanges:
        lines += ["", "[[exchange]]", f'partnership = "{e.partnership}"', f'kind = "{e.kind}"']
        lines += [f'title = "{e.title}"', f"date = {date(e.date)}", f'details = "{e.details}"']
    return "\n".join(lines) + "\n"


def process(*args: str | Path) -> Callable[[], None]:
    command: Sequence[str] = [sys.executable, "-m", "sisterctl", *map(str, args)]

    def run() -> None:
        subprocess.run(
            command, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "100"}
        )

    return run


def measure(title: str, cases: dict[str, Callable[[], None]], repeat: int) -> None:
    """Run every case `repeat` times, interleaved, and print medians and ratios to the
    first case."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    for case in cases.values():  # warm up: imports, caches
        case()
    for _ in range(repeat):
        for name, case in cases.items():
            start = time.perf_counter()
            case()
            times[name].append(time.perf_counter() - start)
    baseline = statistics.median(next(iter(times.values())))
    print(f"\n{title} (median of {repeat} runs)")
    print(f"{'case':<44} {'median':>10} {'ratio':>8}")
    for name, runs in times.items():
        median = statistics.median(runs)
        print(f"{name:<44} {median * 1000:>8.1f}ms {median / baseline:>7.1f}x")


def render_to_memory(build: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        console = printer.make_console(io.StringIO(), width=100)
        console.print(build())  # type: ignore[arg-type]

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of each case")
    args = parser.parse_args()

    small, small_tie = taipei_daegu()
    busy, busy_one = busy_tie(300)
    city_registry, taipei = network(50)
    many, _ = network(1000)
    cases: dict[str, Callable[[], None]] = {
        "baseline: Taipei–Daegu (9 events)": render_to_memory(
            lambda: render.timeline_view(tie_timeline(small, small_tie, AS_OF))
        ),
        "timeline of a tie with 300 events": render_to_memory(
            lambda: render.timeline_view(tie_timeline(busy, busy_one, AS_OF))
        ),
        "timeline of a city with 50 ties": render_to_memory(
            lambda: render.network_view(city_network(city_registry, taipei, AS_OF))
        ),
        "stats of 1,000 ties": render_to_memory(
            lambda: render.stats_view(registry_stats(many, many.partnerships, AS_OF))
        ),
    }
    events = len(tie_timeline(busy, busy_one, AS_OF).events)
    print(
        f"The tie with 300 agreements and exchanges shows {events} events with its anniversaries."
    )
    measure("Rendering to a 100-column console in memory", cases, args.repeat)

    with tempfile.TemporaryDirectory() as folder:
        busy_file, city_file = Path(folder) / "busy.toml", Path(folder) / "city.toml"
        busy_file.write_text(registry_toml(busy), encoding="utf-8")
        city_file.write_text(registry_toml(city_registry), encoding="utf-8")
        as_of = ("--as-of", AS_OF.isoformat())
        processes = {
            "baseline: sisterctl --version": process("--version"),
            "sisterctl timeline (300 events)": process(
                "-r", busy_file, "timeline", "taipei-daegu", *as_of
            ),
            "sisterctl timeline --city (50 ties)": process(
                "-r", city_file, "timeline", "--city", "Taipei", *as_of
            ),
            "sisterctl timeline (300 events) --svg": process(
                "-r", busy_file, "timeline", "taipei-daegu", *as_of, "--svg", Path(folder) / "t.svg"
            ),
        }
        measure("Whole sisterctl processes", processes, args.repeat)


if __name__ == "__main__":
    main()
