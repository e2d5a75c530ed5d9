"""The benchmark cases' LP written plainly in linopy: the reference for `wateralloc solve`'s speed.

    python benchmarks/linopy_model.py benchmarks/cases/p2000     # prints tap, cost and seconds

A straightforward linopy model of the same linear program `model.formulation` builds for a
steady case without storage, tankers, boosts, rationing or quality (what `generate_case.py`
writes): the case's CSV files read with pandas, one variable array per flow, the shared balances
as group sums, then two solves with HiGHS (highspy, linopy's direct API):

1. minimise total tap, interior point with crossover (the settings of our first stage);
2. add the row `total tap <= tap* + max(1e-9, 1e-10 tap*)` (our hold rule) and minimise cost.
   linopy builds a new HiGHS model per solve, so this stage cannot start from the first one's
   basis; it runs the method given by `--cost-method` (interior point with crossover by
   default, the fastest from scratch on these cases: see benchmarks/README.md).

Sets, as in model/formulation/sets.py: a use u can take generation g (1..k_u) from every train
serving its zone; a train takes generation g < K from every zone it serves; a pass (s, g)
exists when some use can take its product g + 1.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
import warnings
from pathlib import Path

import linopy
import numpy as np
import pandas as pd
import xarray as xr

# linopy warns that its arithmetic will change in a later version; every sum here aligns
# explicitly (join=), so the warning does not apply
warnings.filterwarnings("ignore", module="linopy")


def read_case(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, int, float]:
    """uses (plant, use, zone, demand, return fraction, reuse limit) and trains (with a row per
    zone served), the site reuse limit K and the tap price."""
    settings = tomllib.loads((folder / "case.toml").read_text())
    K = int(settings["max_recycles"])
    plants = pd.read_csv(folder / "plants.csv", dtype=str)
    uses = pd.read_csv(folder / "uses.csv", dtype={"plant": str, "use": str})
    uses = uses.merge(plants, on="plant")
    uses["k"] = uses.max_recycles.fillna(K).clip(upper=K).astype(int)
    trains = pd.read_csv(folder / "treatment.csv", dtype={"train": str})
    trains["zone"] = trains.zones.str.split(";")
    served = trains.explode("zone")
    return uses, served, K, float(settings.get("tap", {}).get("price_per_m3", 0.0))


def _index(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    return frame.reset_index(drop=True).rename_axis(name)


def _group(variable, labels: pd.Series, dim: str, coefficients=None):
    """sum over `dim` of coefficient x variable, by label (a LinearExpression over 'key')."""
    expr = variable if coefficients is None else variable * xr.DataArray(
        np.asarray(coefficients, dtype=float), dims=dim)
    return expr.groupby(xr.DataArray(labels.to_numpy(), dims=dim, name="key")).sum()


def build(uses: pd.DataFrame, served: pd.DataFrame, K: int, price: float):
    """The linopy model, and its tap and cost expressions."""
    deliveries = uses.reset_index(names="u").merge(served[["train", "zone"]], on="zone")
    deliveries = deliveries.loc[deliveries.index.repeat(deliveries.k)]
    deliveries["g"] = deliveries.groupby(["u", "train"]).cumcount() + 1
    deliveries = _index(deliveries[deliveries.g >= 1], "delivery")
    feeds = served.loc[served.index.repeat(K)].copy()
    feeds["g"] = feeds.groupby(["train", "zone"]).cumcount()
    feeds = _index(feeds, "feed")
    m = linopy.Model()
    tap = m.add_variables(lower=0, coords=[pd.RangeIndex(len(uses), name="use")], name="tap")
    rec = m.add_variables(lower=0, coords=[deliveries.index], name="recycled")
    feed = m.add_variables(lower=0, coords=[feeds.index], name="feed")
    use_key = uses.index.to_series().astype(str)
    supplied = _group(tap, use_key, "use").add(
        _group(rec, deliveries.u.astype(str), "delivery"), join="outer")
    # the demands in the grouped sum's own key order (sorted as text), matched by label
    demand = xr.DataArray(uses.demand_m3_per_day.to_numpy(), dims="key",
                          coords={"key": use_key.to_numpy()})
    m.add_constraints(supplied == demand.sel(key=supplied.data.indexes["key"]),
                      name="demand_balance")
    pool = lambda z, g: z.astype(str) + "|" + g.astype(str)  # noqa: E731
    taken = _group(feed, pool(feeds.zone, feeds.g), "feed")
    returned = _group(tap, pool(uses.zone, pd.Series(0, index=uses.index)), "use",
                      -uses.return_fraction).add(_group(
                          rec, pool(deliveries.zone, deliveries.g), "delivery",
                          -deliveries.return_fraction), join="outer")
    pools = taken.data.indexes["key"]
    m.add_constraints(taken.add(returned.sel(key=returned.data.indexes["key"].intersection(
        pools)), join="left") <= 0, name="wastewater_availability")
    m.add_constraints(_group(feed, feeds.train, "feed") <= xr.DataArray(
        served.drop_duplicates("train").set_index("train").capacity_m3_per_day)
        .rename({"train": "key"}), name="treatment_capacity")
    recovery = feeds.train.map(served.drop_duplicates("train").set_index("train").recovery)
    used = _group(rec, pool(deliveries.train, deliveries.g - 1), "delivery")
    made = _group(feed, pool(feeds.train, feeds.g), "feed", -recovery)
    m.add_constraints(used.add(made.sel(key=used.data.indexes["key"]), join="left") <= 0,
                      name="recovery")
    total_tap = tap.sum()
    cost = feeds.train.map(served.drop_duplicates("train").set_index("train").cost_per_m3)
    total_cost = (feed * xr.DataArray(cost.to_numpy(), dims="feed")).sum() + price * tap.sum()
    return m, total_tap, total_cost


IO_API = "direct"  # highspy's API, no LP file (faster than linopy's default file path)
SETTINGS = {"ipm": {"solver": "ipm", "run_crossover": "on"},
            "simplex": {"solver": "simplex", "simplex_strategy": 4},
            "dual": {"solver": "simplex", "simplex_strategy": 1}}


def solve_two_stages(folder: Path, cost_method: str = "ipm") -> dict:
    """Read, build and solve (tap, then cost held at the tap optimum); times in seconds."""
    t = {"start": time.perf_counter()}
    uses, served, K, price = read_case(folder)
    t["read"] = time.perf_counter()
    m, total_tap, total_cost = build(uses, served, K, price)
    t["build"] = time.perf_counter()
    m.add_objective(total_tap)
    status, _ = m.solve("highs", io_api=IO_API, progress=False, output_flag=False,
                        **SETTINGS["ipm"])
    assert status == "ok", status
    tap = float(m.objective.value)
    t["tap"] = time.perf_counter()
    m.add_constraints(total_tap <= tap + max(1e-9, 1e-10 * abs(tap)), name="hold_tap")
    m.add_objective(total_cost, overwrite=True)
    status, _ = m.solve("highs", io_api=IO_API, progress=False, output_flag=False,
                        **SETTINGS[cost_method])
    assert status == "ok", status
    t["cost"] = time.perf_counter()
    return {"tap_m3": tap, "cost": float(m.objective.value),
            "final_tap_m3": float(m.solution["tap"].sum()),
            "variables": int(m.nvars), "constraints": int(m.ncons),
            "read_s": t["read"] - t["start"], "build_s": t["build"] - t["read"],
            "tap_stage_s": t["tap"] - t["build"], "cost_stage_s": t["cost"] - t["tap"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("case_dir", type=Path)
    parser.add_argument("--cost-method", choices=sorted(SETTINGS), default="ipm")
    args = parser.parse_args(argv)
    print(json.dumps(solve_two_stages(args.case_dir, args.cost_method)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
