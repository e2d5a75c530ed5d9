"""Turn a solved model into pandas tables and a summary dict. No Pyomo object leaks out.

Volumes are m3/day within each period. Campus figures in the summary are day-weighted averages
over the periods (for a steady-state case, simply the day's figures).

Water balance used throughout (day-weighted over the horizon):
    supplied        = demand - shortage = tap + tanker + recycled + direct reuse
    collectable   W = sum_u return_fraction[u] * supplied[u]
    consumed        = supplied - W                (evaporation, product, losses)
    storage gain    = (final - initial contents of all tanks and basins) / days
    discharged      = W - recycled - direct - storage gain
                    = untreated + reject + surplus product
    tap + tanker    = consumed + discharged + storage gain     (a check the tests recompute)
where recycled counts water delivered from trains and from recycled-water tanks.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pyomo.environ as pyo

from model.quality_results import (direct_reuse_rows, operation_flow, quality_summary,
                                    quality_table)
from model.rationing import boost_extra_product
from model.solve import SolveReport

FLOW_EPS = 1e-9  # m3/day: flows below this are solver noise and are not listed


@dataclass(frozen=True)
class Results:
    summary: dict
    allocation: pd.DataFrame  # plant, use, zone, period, source, generation, m3_per_day
    feeds: pd.DataFrame       # train, zone, generation, period, m3_per_day
    trains: pd.DataFrame      # per train and period
    plants: pd.DataFrame      # per plant, day-weighted over periods
    uses: pd.DataFrame        # per use and period
    quality: pd.DataFrame | None = None  # per use, period, contaminant (model.quality_results)
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)  # more --out tables


def _allocation(m) -> pd.DataFrame:
    rows = []
    for (p, u, t), var in m.tap_m3_per_day.items():
        rows.append((p, u, m.use_of[p, u].zone, t, "tap", 0, var.value or 0.0))
    for (p, u, s, g, t), var in m.recycled_m3_per_day.items():
        rows.append((p, u, m.use_of[p, u].zone, t, s, g, var.value or 0.0))
    rows += direct_reuse_rows(m)  # source "direct:<plant>/<use>"
    for (k, p, u, t), var in m.tanker_m3_per_day.items():
        rows.append((p, u, m.use_of[p, u].zone, t, f"tanker:{k}", 0, var.value or 0.0))
    df = pd.DataFrame(rows, columns=["plant", "use", "zone", "period", "source", "generation",
                                     "m3_per_day"])
    return df[df.m3_per_day > FLOW_EPS].reset_index(drop=True)


def _feeds(m) -> pd.DataFrame:
    rows = [(s, z, g, t, var.value or 0.0) for (s, z, g, t), var in m.feed_m3_per_day.items()]
    df = pd.DataFrame(rows, columns=["train", "zone", "generation", "period", "m3_per_day"])
    return df[df.m3_per_day > FLOW_EPS].reset_index(drop=True)


def source_kind(source: pd.Series) -> pd.Series:
    """tap, tanker, direct (untreated reuse) or recycled (from a train or a recycled tank)."""
    kind = source.str.split(":").str[0]
    return kind.where(kind.isin(["tap", "tanker", "direct"]), "recycled")


def _uses(m, case, allocation: pd.DataFrame) -> pd.DataFrame:
    kind = source_kind(allocation.source)
    supplied = allocation.assign(**{
        k: allocation.m3_per_day.where(kind == k, 0.0)
        for k in ["tap", "tanker", "direct", "recycled"]})
    by_use = supplied.groupby(["plant", "use", "period"], sort=False).agg(
        supplied_m3_per_day=("m3_per_day", "sum"), tap_m3_per_day=("tap", "sum"),
        tanker_m3_per_day=("tanker", "sum"),
        direct_reuse_m3_per_day=("direct", "sum"), recycled_m3_per_day=("recycled", "sum"))
    rows = []
    for u in case.uses:
        for period in case.periods:
            rows.append((u.plant, u.use, u.zone, period.name, period.days,
                         case.demand(u, period.name) + operation_flow(m, u.key, period.name),
                         u.return_fraction, u.max_recycles))
    df = pd.DataFrame(rows, columns=["plant", "use", "zone", "period", "days",
                                     "demand_m3_per_day", "return_fraction", "max_recycles"])
    df = df.join(by_use, on=["plant", "use", "period"]).fillna(
        {"supplied_m3_per_day": 0.0, "tap_m3_per_day": 0.0, "tanker_m3_per_day": 0.0,
         "direct_reuse_m3_per_day": 0.0, "recycled_m3_per_day": 0.0})
    df["shortage_m3_per_day"] = [
        float(m.shortage_m3_per_day[p, u, t].value or 0.0)
        if (p, u, t) in m.shortage_m3_per_day else 0.0
        for p, u, t in zip(df.plant, df.use, df.period)]
    return df


def _trains(m, case, feeds: pd.DataFrame, allocation: pd.DataFrame) -> pd.DataFrame:
    """Per train and period: treated, product delivered and marginal values.

    capacity_value = -dual(treatment_capacity[s, t]) / days_t
        tap m3/day saved per extra m3/day of capacity in that period
    recovery_value = -sum_g dual(recovery[s, g, t]) * feed[s, g, t] * 0.01 / days_t
        tap m3/day saved per extra percentage point of recovery (envelope theorem: raising
        recovery by dr relaxes the recovery row by feed * dr)
    """
    fed = feeds.groupby(["train", "period", "generation"]).m3_per_day.sum()
    delivered = allocation[allocation.source != "tap"].groupby(["source", "period"]).m3_per_day.sum()
    rows = []
    for train in case.trains:
        s = train.name
        for period in case.periods:
            t = period.name
            cap = case.capacity(train, t)
            treated = float(fed.loc[s, t].sum()) if (s, t) in fed.index.droplevel(2) else 0.0
            cap_row = m.treatment_capacity[s, t] if (s, t) in m.treatment_capacity else None
            cap_value = -m.dual[cap_row] / period.days if cap_row is not None else 0.0
            rec_value = 0.0
            for g in (g for s2, g in m.PASSES if s2 == s):
                feed_g = float(fed.get((s, t, g), 0.0))
                rec_value += -m.dual[m.recovery[s, g, t]] * feed_g * 0.01 / period.days
            rows.append((s, t, period.days, treated, cap,
                         treated / cap if cap > 0 else None,
                         case.recovery(train, t), float(delivered.get((s, t), 0.0)),
                         cap_value + 0.0, rec_value + 0.0))
    return pd.DataFrame(rows, columns=[
        "train", "period", "days", "treated_m3_per_day", "capacity_m3_per_day", "utilization",
        "recovery", "delivered_m3_per_day", "capacity_value", "recovery_value"])


def _plants(uses: pd.DataFrame) -> pd.DataFrame:
    """Per plant, day-weighted over the periods; trucked water, direct reuse and shortage are
    listed only when some plant has them."""
    columns = ["demand_m3_per_day", "tap_m3_per_day", "recycled_m3_per_day"] + [
        c for c in ["tanker_m3_per_day", "direct_reuse_m3_per_day", "shortage_m3_per_day"]
        if (uses[c].abs() > FLOW_EPS).any()]
    weighted = uses.assign(**{c: uses[c] * uses.days for c in columns})
    days = uses.drop_duplicates("period").days.sum()
    df = weighted.groupby(["plant", "zone"], sort=False)[columns].sum() / days
    df["tap_share"] = df.tap_m3_per_day / df.demand_m3_per_day.where(df.demand_m3_per_day > 0)
    return df.reset_index()


def _per_day(df: pd.DataFrame, column: str, days: float) -> float:
    return float((df[column] * df.days).sum() / days)


def collect(m: pyo.ConcreteModel, report: SolveReport) -> Results:
    """Read a solved model into tables and a summary. Only call after an optimal solve."""
    case = m.case
    total_days = case.total_days
    allocation = _allocation(m)
    feeds = _feeds(m)
    uses = _uses(m, case, allocation)
    trains = _trains(m, case, feeds, allocation)
    plants = _plants(uses)

    demand = _per_day(uses, "demand_m3_per_day", total_days)
    supplied = _per_day(uses, "supplied_m3_per_day", total_days)
    tap = _per_day(uses, "tap_m3_per_day", total_days)
    recycled = _per_day(uses, "recycled_m3_per_day", total_days)
    direct = _per_day(uses, "direct_reuse_m3_per_day", total_days)
    collectable = _per_day(uses.assign(w=uses.return_fraction * uses.supplied_m3_per_day),
                           "w", total_days)
    treated = _per_day(trains, "treated_m3_per_day", total_days) if len(trains) else 0.0
    store = _storage(m, total_days)
    from_trains = float((allocation.m3_per_day * allocation.period.map(m.days))[
        allocation.source.isin(m.train_of)].sum()) / total_days
    summary = {
        "case": case.name,
        "status": report.status,
        "periods": len(case.periods),
        "days": total_days,
        "tap_m3_per_day": tap,
        "demand_m3_per_day": demand,
        "recycled_m3_per_day": recycled,
        "treated_m3_per_day": treated,
        "direct_reuse_m3_per_day": direct,
        "supplied_m3_per_day": supplied,
        "discharged_m3_per_day": collectable - recycled - direct - store["gain"],
        "discharge_breakdown_m3_per_day": {
            "untreated_wastewater": collectable - treated - direct - store["basin_gain"],
            "treatment_reject": treated - store["product"],
            "surplus_product": store["product"] - from_trains - store["tank_charge"],
        },
        "consumed_m3_per_day": supplied - collectable,
        "storage_gain_m3_per_day": store["gain"],
        "tap_share": tap / demand if demand > 0 else None,
        "uses_per_drop": demand / tap if tap > 0 else None,
        "tap_cap_m3_per_day": case.tap_cap_m3_per_day,
        "second_stage": "cost" if case.costed else "treated volume",
        "cost_per_day": report.objectives["total_cost"] / total_days if case.costed else None,
        "tap_tolerance_m3": report.tap_tolerance_m3,
        "stages_not_applied": list(report.skipped_stages),
        "trains": [
            {k: (None if pd.isna(v) else v) for k, v in row.items()}
            for row in _train_summary(trains, total_days).to_dict("records")
        ],
        "solve_seconds": {k: round(v, 4) for k, v in report.seconds.items()},
    }
    quality = quality_table(m)
    summary.update(quality_summary(m, quality))
    return Results(summary, allocation, feeds, trains, plants, uses, quality)


def _storage(m, total_days: float) -> dict[str, float]:
    """Day-weighted figures (m3/day over the horizon) of treatment product and of storage.

    product      recovery x feed, plus the extra product of boosted feed (model.rationing)
    tank_charge  product put into recycled-water tanks
    basin_gain, gain   end minus start contents of wastewater basins, of all tanks, per day
    """
    value = pyo.value
    product = sum(m.days[t] * m.case.recovery(m.train_of[s], t) * (v.value or 0.0)
                  for (s, z, g, t), v in m.feed_m3_per_day.items())
    if hasattr(m, "BOOSTED"):
        product += sum(m.days[t] * value(boost_extra_product(m, s, g, t))
                       for s, g, t in m.BOOSTED)
    tank_charge = basin_gain = gain = 0.0
    if hasattr(m, "TANK_LAYERS") and len(m.TANK_LAYERS):
        last = list(m.PERIODS)[-1]
        tank_charge = sum(m.days[t] * (v.value or 0.0)
                          for (s, k, g, t), v in m.tank_charge_m3_per_day.items())
        for tank in m.case.tanks:
            change = sum(m.tank_level_m3[k, g, last].value or 0.0
                         for k, g in m.TANK_LAYERS if k == tank.name) - tank.initial_m3
            gain += change
            basin_gain += change if tank.holds == "wastewater" else 0.0
    return {"product": product / total_days, "tank_charge": tank_charge / total_days,
            "basin_gain": basin_gain / total_days, "gain": gain / total_days}


def _train_summary(trains: pd.DataFrame, total_days: float) -> pd.DataFrame:
    """Day-weighted train figures over all periods (the steady-state figures as they are)."""
    if trains.empty:
        return pd.DataFrame(columns=["train"])
    w = trains.assign(**{c: trains[c] * trains.days for c in
                         ["treated_m3_per_day", "capacity_m3_per_day", "delivered_m3_per_day",
                          "capacity_value", "recovery_value"]})
    df = w.groupby("train", sort=False)[["treated_m3_per_day", "capacity_m3_per_day",
                                         "delivered_m3_per_day", "capacity_value",
                                         "recovery_value"]].sum() / total_days
    df["utilization"] = df.treated_m3_per_day / df.capacity_m3_per_day.where(
        df.capacity_m3_per_day > 0)
    return df.reset_index()[["train", "treated_m3_per_day", "capacity_m3_per_day", "utilization",
                             "delivered_m3_per_day", "capacity_value", "recovery_value"]]
