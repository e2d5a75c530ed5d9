"""Per-period volumes, tank levels, shortages, and how long the campus holds.

A steady-state case is one period of one day, so every plan has a period table.
"""
from __future__ import annotations

import pandas as pd

import numpy as np

from model.formulation import Formulation
from model.results.tables import value

TRUCK_M3 = 20.0  # one tanker truck carries 20 t (Taiwan News, 2021-03-04: 20-tonne trucks)
# A load's fraction at or below this is solver tolerance, not another truck: 40 m3/day computed
# as 40.0000001 is two loads, not three (2e-8 m3 of a 20 m3 load, far above HiGHS's 1e-9).
LOAD_EPS = 1e-6
# A period's shortage at or below max(SHORTAGE_EPS_M3, SHORTAGE_REL_EPS x its demand in m3) is
# solver tolerance, not a shortage: each shortage stage is held within 1e-10 of its optimum
# (formulation/stages.py HoldRule), and a plan has at most a handful of such stages, so the later
# stages may trade up to about 1e-9 of the demand for less tap, in any period.
SHORTAGE_EPS_M3 = 1e-6
SHORTAGE_REL_EPS = 1e-9
VOLUMES = ("demand", "tap", "recycled", "tanker", "shortage")


def period_table(f: Formulation, uses: pd.DataFrame) -> pd.DataFrame:
    """Per period: its dates and drought stage, and campus volumes per day and in total (m3).
    Recycled water counts deliveries from trains and tanks (not direct reuse)."""
    case, r = f.case, f.case.rationing
    rationed = r is not None and r.enabled
    starts = case.by_period.starts if case.by_period is not None else {}
    sums = uses.groupby("period", sort=False)[
        ["tap_m3_per_day", "recycled_m3_per_day", "tanker_m3_per_day", "shortage_m3_per_day"]
    ].sum()
    rows = []
    for period in case.periods:
        t = period.name
        start = starts.get(t)
        per_day = {"demand": sum(case.demand(u, t) for u in case.uses),
                   **{k: float(sums.at[t, f"{k}_m3_per_day"])
                      for k in ("tap", "recycled", "tanker", "shortage")}}
        rows.append({
            "period": t, "start": start.isoformat() if start else None, "days": period.days,
            "stage": r.stage(t) if rationed else None, "cut": r.cut(t) if rationed else None,
            "tap_cap_m3_per_day": case.tap_cap(t),
            **{f"{k}_m3_per_day": per_day[k] for k in VOLUMES},
            **{f"{k}_m3": per_day[k] * period.days for k in VOLUMES}})
    periods = pd.DataFrame(rows)
    periods["tanker_trucks"] = periods.tanker_m3 / TRUCK_M3
    periods["tanker_trucks_per_day"] = periods.tanker_m3_per_day / TRUCK_M3
    per_day = periods.tanker_m3_per_day.to_numpy(dtype=float)
    days = periods.days.to_numpy(dtype=float)
    whole = np.floor(days)
    periods["tanker_truckloads_per_day"] = truckloads(per_day)
    periods["tanker_truckloads"] = (whole * truckloads(per_day)
                                    + truckloads((days - whole) * per_day))
    return periods


def truckloads(m3: np.ndarray) -> np.ndarray:
    """Whole 20 t loads that carry `m3` (one day's trucked water): a part-filled truck is still
    a truck, so ceil(m3 / 20), where a fraction of a load up to LOAD_EPS is solver tolerance.
    `tanker_trucks` (m3 / 20) counts truck-equivalents of volume and understates the loads
    whenever a day's volume is not a whole number of loads (25 m3/day is 1.25 trucks, two
    loads). A period of d days takes floor(d) x the daily loads, plus the loads of its last
    part-day's water."""
    return np.maximum(np.ceil(np.asarray(m3, dtype=float) / TRUCK_M3 - LOAD_EPS), 0).astype(int)


def tank_level_table(f: Formulation) -> pd.DataFrame | None:
    """Per tank and period: charge and discharge (m3/day), the level at the start and at the end
    of the period (m3), all summed over generations. `initial_m3` is the tank's contents at the
    start of the horizon (tanks.csv), the same in every row; each row reconciles as
    end_level = start_level + days x (charge - discharge). None for a case without tanks."""
    m, net = f.model, f.net
    if not net.TANKS:
        return None
    rows = []
    for tank in f.case.tanks:
        k = tank.name
        layers = [g for k2, g in net.TANK_LAYERS if k2 == k]
        start = tank.initial_m3
        for t in net.PERIODS:
            level = sum(value(m.tank_level_m3[k, g, t]) for g in layers)
            if tank.holds == "wastewater":
                charge = sum(value(m.basin_in_m3_per_day[k, g, t]) for g in layers)
                discharge = sum(value(m.basin_out_m3_per_day[k, g, t]) for g in layers)
            else:
                charge = sum(value(v) for (s, k2, g, t2), v in m.tank_charge_m3_per_day.items()
                             if k2 == k and t2 == t)
                discharge = sum(value(m.recycled_m3_per_day[p, u, k, g, t])
                                for g in layers for p, u in net.deliveries_from.get((k, g), ()))
            rows.append((k, tank.zone, tank.holds, t, net.days[t], tank.capacity_m3,
                         tank.initial_m3, charge, discharge, level, start))
            start = level
    return pd.DataFrame(rows, columns=["tank", "zone", "holds", "period", "days", "capacity_m3",
                                       "initial_m3", "charge_m3_per_day", "discharge_m3_per_day",
                                       "end_level_m3", "start_level_m3"])


def tank_charge_table(f: Formulation) -> pd.DataFrame | None:
    """Product of each train put into each recycled-water tank, by generation and period
    (m3/day). None for a case without recycled-water tanks."""
    if not any(tank.holds == "recycled" for tank in f.case.tanks):
        return None
    rows = [(s, k, g, t, value(v)) for (s, k, g, t), v in
            f.model.tank_charge_m3_per_day.items()]
    return pd.DataFrame(rows, columns=["train", "tank", "generation", "period", "m3_per_day"])


def shortage_table(f: Formulation, uses: pd.DataFrame) -> pd.DataFrame | None:
    """Shortage per use and period, with its priority class and fraction of demand. None
    unless rationing allows shortage."""
    r = f.case.rationing
    if not f.net.SHORTAGES:
        return None
    df = uses[["plant", "use", "zone", "period"]].copy()
    df["priority"] = [r.priority_of(p, u) for p, u in zip(uses.plant, uses.use)]
    df["lost_value_per_m3"] = [r.lost_value_per_m3.get((p, u)) for p, u in zip(uses.plant,
                                                                               uses.use)]
    df["demand_m3_per_day"] = [f.net.demand((p, u), t)
                               for p, u, t in zip(uses.plant, uses.use, uses.period)]
    df["tanker_m3_per_day"] = uses.tanker_m3_per_day
    df["shortage_m3_per_day"] = uses.shortage_m3_per_day
    df["shortage_fraction"] = (df.shortage_m3_per_day / df.demand_m3_per_day.where(
        df.demand_m3_per_day > 0)).fillna(0.0)
    return df.reset_index(drop=True)


def holding(periods: pd.DataFrame) -> dict:
    """How long the campus holds: days from the start of the horizon until the first period
    with a shortage (the whole horizon if there is none), and that period."""
    eps = (SHORTAGE_REL_EPS * periods.demand_m3).clip(lower=SHORTAGE_EPS_M3)
    short = periods.index[periods.shortage_m3 > eps]
    if len(short) == 0:
        return {"days_without_shortage": float(periods.days.sum()), "first_shortage_period": None,
                "first_shortage_start": None}
    first = short[0]
    return {"days_without_shortage": float(periods.days.iloc[:first].sum()),
            "first_shortage_period": periods.period.iloc[first],
            "first_shortage_start": periods.start.iloc[first]}
