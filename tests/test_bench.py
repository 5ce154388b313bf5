"""The benchmark's synthetic registry (benchmarks/bench.py, used when the shared data
set is absent) is a valid registry of the size and shape asked for."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from sisterctl.records.build import build
from sisterctl.store.read import parse_toml

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sisterctl_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("size", [10, 500])
def test_the_synthetic_registry_is_valid_and_of_its_size(bench: ModuleType, size: int) -> None:
    text = bench.synthetic_text(size)
    result = build(parse_toml(text, "synthetic"), text=text)
    assert result.errors == []
    registry = result.registry
    assert len(registry.partnerships) == size
    assert "taipei-daegu" in registry.by_id
    taipei = [t for t in registry if "taipei-tw" in (t.cities[0].id, t.cities[1].id)]
    assert len(taipei) > 1
    expected = round(size * 10_000 / 26_114)
    assert len(registry.agreements) == len(registry.exchanges) == expected
    dated = [t for t in registry if t.established is not None]
    assert {t.established.precision.value for t in dated if t.established} <= {
        "day",
        "month",
        "year",
    }
    assert text == bench.synthetic_text(size)  # the seed is fixed
