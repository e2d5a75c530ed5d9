"""Every table a plan writes reconciles with every other, recomputed from the written files alone.

`check_reconciliation(out_dir)` reads the `--out` folder of a `wateralloc solve` run, or the
chosen portfolio's plan tables of a `wateralloc options` run (the CSV files and summary.json), and raises AssertionError, naming the table, row and figures, at the
first figure that disagrees with another table. The physics invariants (tests/invariants.py)
ask whether a plan obeys the rules; this asks whether the report tells one story:

- uses.csv by kind of source (outside supply too, in a portfolio's plan) = allocation.csv
  summed; supplied = demand - shortage
- trains.csv: treated = feeds.csv; delivered = allocation.csv from the train; product =
  recovery x (treated - boosted) + boost_recovery x boosted; effective_recovery = product /
  treated; delivered + stored <= product; utilization = treated / capacity (blank without
  capacity)
- tank_levels.csv: end = start + days x (charge - discharge), start = the previous end (the
  initial contents first), end <= capacity; a recycled tank's discharge = allocation.csv from
  it; its charge = the trains' stored product
- campus recycled = train deliveries + tank deliveries (+ direct reuse, counted apart)
- periods.csv = uses.csv summed per period; *_m3 = per day x days; trucks = tanker m3 / 20
- summary.json: horizon totals = periods.csv; day-weighted figures = uses.csv and trains.csv
  (the campus's treated water = its trains', 0 without one); its per-period list =
  periods.csv; the water balance closes (tap + trucked + outside water = consumed +
  discharged + stored)
- plants.csv = uses.csv day-weighted per plant (each optional column listed exactly when some
  use has it); shortages.csv = uses.csv (shortage, trucked water, demand;
  the fraction short 0 where there is no demand)
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

RTOL, ATOL = 1e-7, 1e-5  # m3/day; flows within HiGHS's 1e-7 tolerance are listed as 0
TRUCK_M3 = 20.0


def _close(a, b, what: str) -> None:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ok = np.isclose(a, b, rtol=RTOL, atol=ATOL)
    assert ok.all(), f"{what}: {a[~ok] if a.ndim else a} != {b[~ok] if b.ndim else b}"


def _kind(source: pd.Series, trains: set[str], tanks: set[str]) -> pd.Series:
    kind = source.str.split(":").str[0]
    return kind.where(~source.isin(trains), "train").where(~source.isin(tanks), "tank")


def _read(out: Path, name: str) -> pd.DataFrame | None:
    path = out / name
    return pd.read_csv(path, keep_default_na=True) if path.exists() else None


def _by(df: pd.DataFrame, keys: list[str], column: str = "m3_per_day") -> pd.Series:
    return df.groupby(keys)[column].sum() if len(df) else pd.Series(dtype=float)


def _aligned(index, series: pd.Series) -> np.ndarray:
    return series.reindex(index, fill_value=0.0).to_numpy(dtype=float)


def _check_uses(alloc: pd.DataFrame, uses: pd.DataFrame) -> None:
    key = ["plant", "use", "period"]
    idx = pd.MultiIndex.from_frame(uses[key].astype(str))
    a = alloc.assign(**{k: alloc[k].astype(str) for k in key})
    for kind, column in [("tap", "tap_m3_per_day"), ("tanker", "tanker_m3_per_day"),
                         ("direct", "direct_reuse_m3_per_day")]:
        _close(uses[column], _aligned(idx, _by(a[a.kind == kind], key)), f"uses.csv {column}")
    recycled = a[a.kind.isin(["train", "tank"])]
    _close(uses.recycled_m3_per_day, _aligned(idx, _by(recycled, key)),
           "uses.csv recycled = allocation from trains and tanks")
    if "outside_supply_m3_per_day" in uses:  # a portfolio's plan (wateralloc options --out)
        _close(uses.outside_supply_m3_per_day, _aligned(idx, _by(a[a.kind == "supply"], key)),
               "uses.csv outside_supply_m3_per_day = allocation from supply:<name>")
    _close(uses.supplied_m3_per_day, _aligned(idx, _by(a, key)), "uses.csv supplied")
    _close(uses.supplied_m3_per_day, uses.demand_m3_per_day - uses.shortage_m3_per_day,
           "uses.csv supplied = demand - shortage")


def _check_trains(trains: pd.DataFrame, feeds: pd.DataFrame, alloc: pd.DataFrame) -> None:
    if trains.empty:
        return
    idx = pd.MultiIndex.from_frame(trains[["train", "period"]].astype(str))
    f = feeds.assign(train=feeds.train.astype(str), period=feeds.period.astype(str))
    _close(trains.treated_m3_per_day, _aligned(idx, _by(f, ["train", "period"])),
           "trains.csv treated = feeds.csv")
    a = alloc[alloc.kind == "train"]
    a = a.assign(train=a.source.astype(str), period=a.period.astype(str))
    _close(trains.delivered_m3_per_day, _aligned(idx, _by(a, ["train", "period"])),
           "trains.csv delivered = allocation.csv from the train")
    boosted = trains.boosted_feed_m3_per_day
    boost = trains.boost_recovery.fillna(trains.recovery)
    _close(trains.product_m3_per_day,
           trains.recovery * (trains.treated_m3_per_day - boosted) + boost * boosted,
           "trains.csv product = recovery x unboosted feed + boost recovery x boosted feed")
    assert (boosted <= trains.treated_m3_per_day * (1 + RTOL) + ATOL).all(), \
        "trains.csv: boosted feed above the feed"
    treated = trains.treated_m3_per_day > ATOL
    _close(trains.effective_recovery[treated],
           (trains.product_m3_per_day / trains.treated_m3_per_day)[treated],
           "trains.csv effective_recovery = product / treated")
    used = trains.delivered_m3_per_day + trains.stored_m3_per_day
    assert (used <= trains.product_m3_per_day * (1 + RTOL) + ATOL).all(), \
        "trains.csv: delivered + stored above the product made"
    sized = trains.capacity_m3_per_day > 0
    _close(trains.utilization[sized],
           (trains.treated_m3_per_day / trains.capacity_m3_per_day)[sized],
           "trains.csv utilization = treated / capacity")
    assert trains.utilization[~sized].isna().all(), "trains.csv: utilization without capacity"


def _check_tanks(levels: pd.DataFrame | None, trains: pd.DataFrame,
                 alloc: pd.DataFrame) -> None:
    if levels is None:
        assert alloc[alloc.kind == "tank"].empty and (trains.stored_m3_per_day == 0).all()
        return
    for tank, rows in levels.groupby("tank", sort=False):
        _close(rows.end_level_m3, rows.start_level_m3 + rows.days * (
            rows.charge_m3_per_day - rows.discharge_m3_per_day),
            f"tank_levels.csv {tank}: end = start + days x (charge - discharge)")
        _close(rows.start_level_m3.iloc[0], rows.initial_m3.iloc[0], f"{tank}: first start")
        _close(rows.start_level_m3.iloc[1:], rows.end_level_m3.iloc[:-1],
               f"tank_levels.csv {tank}: start = the previous period's end")
        assert (rows.end_level_m3 <= rows.capacity_m3 * (1 + RTOL) + ATOL).all(), tank
        if rows.holds.iloc[0] == "recycled":
            out = alloc[alloc.source == tank]
            _close(rows.discharge_m3_per_day.to_numpy(),
                   _aligned(rows.period.astype(str), _by(out.assign(
                       period=out.period.astype(str)), ["period"])),
                   f"tank_levels.csv {tank} discharge = allocation.csv from the tank")
    recycled = levels[levels.holds == "recycled"]
    charge = recycled.groupby(recycled.period.astype(str)).charge_m3_per_day.sum()
    stored = trains.groupby(trains.period.astype(str)).stored_m3_per_day.sum()
    _close(_aligned(stored.index, charge), stored, "tank charges = the trains' stored product")


def _check_periods(periods: pd.DataFrame, uses: pd.DataFrame) -> None:
    sums = uses.groupby(uses.period.astype(str), sort=False)[
        ["tap_m3_per_day", "recycled_m3_per_day", "tanker_m3_per_day",
         "shortage_m3_per_day"]].sum()
    p = periods.set_index(periods.period.astype(str))
    for column in sums.columns:
        _close(p[column], sums.loc[p.index, column], f"periods.csv {column} = uses.csv summed")
        volume = column.replace("_per_day", "")
        _close(p[volume], p[column] * p.days, f"periods.csv {volume} = per day x days")
    _close(p.tanker_trucks, p.tanker_m3 / TRUCK_M3, "periods.csv trucks = tanker m3 / 20")
    # whole loads: the fewest 20 t trucks that carry a day's water (a solver's 1e-6 of a load
    # is not another truck), every day of a whole-day period
    loads, need = p.tanker_truckloads_per_day, p.tanker_m3_per_day / TRUCK_M3
    assert (loads == loads.round()).all(), "periods.csv truckloads per day are whole"
    assert (loads >= need - 1e-6).all() and (loads - 1 < need - 1e-6).all(), \
        "periods.csv truckloads per day = the fewest 20 t loads carrying the day's water"
    whole_days = p.days == p.days.round()
    _close(p.tanker_truckloads[whole_days], (loads * p.days)[whole_days],
           "periods.csv truckloads = loads per day x days")


def _check_summary(s: dict, periods: pd.DataFrame, uses: pd.DataFrame,
                   trains: pd.DataFrame, alloc: pd.DataFrame) -> None:
    days = periods.days.sum()
    _close(s["days"], days, "summary days")
    for key in ("tap_m3", "recycled_m3", "shortage_m3", "tanker_m3", "tanker_trucks",
                "tanker_truckloads"):
        _close(s[key], periods[key].sum(), f"summary {key} = periods.csv summed")
    weighted = uses[["tap_m3_per_day", "recycled_m3_per_day", "demand_m3_per_day",
                     "direct_reuse_m3_per_day", "supplied_m3_per_day"]].mul(uses.days, axis=0)
    for column in weighted.columns:
        _close(s[column], weighted[column].sum() / days, f"summary {column} = uses.csv")
    by_kind = alloc.assign(w=alloc.m3_per_day * alloc.period.astype(str).map(
        periods.set_index(periods.period.astype(str)).days)).groupby("kind").w.sum() / days
    _close(s["recycled_m3_per_day"], by_kind.get("train", 0.0) + by_kind.get("tank", 0.0),
           "campus recycled = train deliveries + tank deliveries")
    _close(s["recycled_m3_per_day"] + s["direct_reuse_m3_per_day"],
           by_kind.get("train", 0.0) + by_kind.get("tank", 0.0) + by_kind.get("direct", 0.0),
           "campus recycled + direct reuse = trains + tanks + direct reuse")
    listed = pd.DataFrame(s["periods"])
    for key in ("tap_m3", "recycled_m3", "shortage_m3", "tanker_m3", "days"):
        _close(listed[key], periods[key], f"summary periods {key} = periods.csv")
    b = s["discharge_breakdown_m3_per_day"]
    _close(s["discharged_m3_per_day"], sum(b.values()), "discharged = its breakdown")
    tanker = s["tanker_m3"] / days
    outside = s.get("outside_supply_m3_per_day", 0.0)  # a portfolio's outside water, if any
    _close(s["tap_m3_per_day"] + tanker + outside, s["consumed_m3_per_day"]
           + s["discharged_m3_per_day"] + s["storage_gain_m3_per_day"],
           "tap + tanker + outside supply = consumed + discharged + gain")
    if "outside_supply_m3_per_day" in uses:
        _close(outside, (uses.outside_supply_m3_per_day * uses.days).sum() / days,
               "summary outside_supply_m3_per_day = uses.csv")
    # the campus's treated water is its trains' (none without a train)
    _close(s["treated_m3_per_day"], (trains.treated_m3_per_day * trains.days).sum() / days,
           "summary treated = trains.csv day-weighted, summed")
    for t in s["trains"]:
        rows = trains[trains.train.astype(str) == str(t["train"])]
        for key in ("treated_m3_per_day", "capacity_m3_per_day", "delivered_m3_per_day",
                    "product_m3_per_day", "stored_m3_per_day", "boosted_feed_m3_per_day"):
            _close(t[key], (rows[key] * rows.days).sum() / days,
                   f"summary train {t['train']} {key} = trains.csv day-weighted")


def _check_plants(plants: pd.DataFrame, uses: pd.DataFrame, days: float) -> None:
    # trucked water, direct reuse, outside supply and shortage are listed when some use has any
    optional = [c for c in ("tanker_m3_per_day", "direct_reuse_m3_per_day",
                            "outside_supply_m3_per_day", "shortage_m3_per_day")
                if c in uses and (uses[c].abs() > 1e-7).any()]
    listed = [c for c in plants.columns if c.endswith("_m3_per_day")]
    assert listed == ["demand_m3_per_day", "tap_m3_per_day", "recycled_m3_per_day"] + optional, \
        f"plants.csv columns {listed}, uses.csv has {optional}"
    for column in ("demand_m3_per_day", "tap_m3_per_day", "recycled_m3_per_day", *optional):
        by_plant = (uses[column] * uses.days).groupby(uses.plant.astype(str)).sum() / days
        _close(plants[column], by_plant.loc[plants.plant.astype(str)].to_numpy(),
               f"plants.csv {column} = uses.csv day-weighted")


def _check_shortages(shortages: pd.DataFrame | None, uses: pd.DataFrame) -> None:
    if shortages is None:
        assert (uses.shortage_m3_per_day == 0).all(), "shortage without shortages.csv"
        return
    _close(shortages.shortage_m3_per_day, uses.shortage_m3_per_day, "shortages.csv = uses.csv")
    _close(shortages.tanker_m3_per_day, uses.tanker_m3_per_day, "shortages.csv trucked = uses.csv")
    _close(shortages.demand_m3_per_day, uses.demand_m3_per_day, "shortages.csv demand = uses.csv")
    positive = shortages.demand_m3_per_day > 0
    _close(shortages.shortage_fraction[positive],
           (shortages.shortage_m3_per_day / shortages.demand_m3_per_day)[positive],
           "shortages.csv fraction = shortage / demand")
    _close(shortages.shortage_fraction[~positive], 0.0, "shortages.csv fraction 0 without demand")


def check_reconciliation(out_dir: Path) -> None:
    """Recompute every reconciliation between the files of an `--out` folder (module docstring);
    AssertionError at the first disagreement."""
    out = Path(out_dir)
    summary = json.loads((out / "summary.json").read_text())
    alloc, feeds, trains = _read(out, "allocation.csv"), _read(out, "feeds.csv"), \
        _read(out, "trains.csv")
    uses, periods, plants = _read(out, "uses.csv"), _read(out, "periods.csv"), \
        _read(out, "plants.csv")
    levels = _read(out, "tank_levels.csv")
    tanks = set() if levels is None else set(levels.tank.astype(str))
    alloc["kind"] = _kind(alloc.source.astype(str), set(trains.train.astype(str)), tanks)
    _check_uses(alloc, uses)
    _check_trains(trains, feeds, alloc)
    _check_tanks(levels, trains, alloc)
    _check_periods(periods, uses)
    _check_summary(summary, periods, uses, trains, alloc)
    _check_plants(plants, uses, periods.days.sum())
    _check_shortages(_read(out, "shortages.csv"), uses)
