"""The synthetic case generator of `benchmarks/` writes valid, deterministic, solvable cases."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

from model import load_case, plan

GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "generate_case.py"
# benchmarks/ is a folder of scripts, not a package; dataclasses need the module registered
_spec = importlib.util.spec_from_file_location("benchmarks_generate_case", GENERATOR)
_module = sys.modules.setdefault("benchmarks_generate_case", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(_module)
generate_case = _module.generate_case

# HiGHS's default primal feasibility tolerance is 1e-7 m3/day on bounds and rows; 1e-6 leaves
# room for it and nothing more.
FEASIBILITY_M3_PER_DAY = 1e-6


@pytest.mark.parametrize("seed,costed", [(1, True), (2, False)])
def test_tiny_generated_case_is_consistent_and_solves(tmp_path, seed, costed):
    folder = generate_case(tmp_path / "case", plants=5, max_recycles=3, zones=3, trains=2,
                           seed=seed, costed=costed)
    # the raw tables, read independently of the model's reader
    plants = pd.read_csv(folder / "plants.csv", dtype=str)
    uses = pd.read_csv(folder / "uses.csv", dtype={"plant": str})
    trains = pd.read_csv(folder / "treatment.csv")

    assert len(plants) == 5 and plants.plant.is_unique
    assert set(uses.plant) <= set(plants.plant)
    assert set(plants.plant) <= set(uses.plant)  # every plant has at least one use
    served = {z for zones in trains.zones for z in zones.split(";")}
    assert served <= set(plants.zone)
    assert served == set(plants.zone)  # every zone can send and receive recycled water
    assert (uses.demand_m3_per_day > 0).all()
    assert ("cost_per_m3" in trains.columns) == costed

    case = load_case(folder)
    assert len(case.plants) == 5 and len(case.uses) == len(uses)
    assert all(t.recovery > 0 for t in case.trains)

    result = plan(case)
    per_use = result.uses.set_index(["plant", "use"])
    assert (per_use.tap_m3_per_day <= per_use.demand_m3_per_day + FEASIBILITY_M3_PER_DAY).all()
    # Recovery > 0 and every zone has a process rinse that returns >= 95% and accepts recycled
    # water (K = 3), so some recycled water must displace tap in a least-tap plan.
    recycled = result.allocation.loc[result.allocation.source != "tap", "m3_per_day"].sum()
    assert recycled > 0
    assert result.summary.tap_m3_per_day < result.summary.demand_m3_per_day


def test_generator_is_deterministic_for_a_seed(tmp_path):
    first = generate_case(tmp_path / "a", plants=30, max_recycles=5, zones=4, trains=3, seed=7)
    again = generate_case(tmp_path / "b", plants=30, max_recycles=5, zones=4, trains=3, seed=7)
    other = generate_case(tmp_path / "c", plants=30, max_recycles=5, zones=4, trains=3, seed=8)
    files = ["case.toml", "plants.csv", "uses.csv", "treatment.csv"]
    assert [(first / f).read_bytes() for f in files] == [(again / f).read_bytes() for f in files]
    assert (first / "uses.csv").read_bytes() != (other / "uses.csv").read_bytes()
