"""Turn a solved model into pandas tables and a summary dict. No Pyomo object leaks out.

Volumes are m3/day within each period. Campus figures in the summary are day-weighted averages
over the periods (for a steady-state case, simply the day's figures).

Water balance used throughout (per period):
    collectable   W = sum_u return_fraction[u] * demand[u]
    consumed        = demand - W                  (evaporation, product, losses)
    discharged      = W - recycled                = untreated + reject + surplus product
    tap             = consumed + discharged       (a check the tests recompute)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pyomo.environ as pyo

from model.quality_results import (direct_reuse_rows, operation_flow, quality_summary,
                                    quality_table)
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
    df = pd.DataFrame(rows, columns=["plant", "use", "zone", "period", "source", "generation",
                                     "m3_per_day"])
    return df[df.m3_per_day > FLOW_EPS].reset_index(drop=True)


def _feeds(m) -> pd.DataFrame:
    rows = [(s, z, g, t, var.value or 0.0) for (s, z, g, t), var in m.feed_m3_per_day.items()]
    df = pd.DataFrame(rows, columns=["train", "zone", "generation", "period", "m3_per_day"])
    return df[df.m3_per_day > FLOW_EPS].reset_index(drop=True)


def _uses(m, case, allocation: pd.DataFrame) -> pd.DataFrame:
    supplied = allocation.assign(
        tap=allocation.m3_per_day.where(allocation.source == "tap", 0.0),
        direct=allocation.m3_per_day.where(allocation.source.str.startswith("direct:"), 0.0))
    supplied["recycled"] = supplied.m3_per_day - supplied.tap - supplied.direct
    by_use = supplied.groupby(["plant", "use", "period"], sort=False).agg(
        supplied_m3_per_day=("m3_per_day", "sum"), tap_m3_per_day=("tap", "sum"),
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
        {"supplied_m3_per_day": 0.0, "tap_m3_per_day": 0.0, "direct_reuse_m3_per_day": 0.0,
         "recycled_m3_per_day": 0.0})
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
    weighted = uses.assign(**{c: uses[c] * uses.days for c in
                              ["demand_m3_per_day", "tap_m3_per_day", "recycled_m3_per_day"]})
    days = uses.drop_duplicates("period").days.sum()
    df = weighted.groupby(["plant", "zone"], sort=False)[
        ["demand_m3_per_day", "tap_m3_per_day", "recycled_m3_per_day"]].sum() / days
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
    tap = _per_day(uses, "tap_m3_per_day", total_days)
    recycled = _per_day(uses, "recycled_m3_per_day", total_days)
    direct = _per_day(uses, "direct_reuse_m3_per_day", total_days)
    collectable = _per_day(uses.assign(w=uses.return_fraction * uses.demand_m3_per_day),
                           "w", total_days)
    treated = _per_day(trains, "treated_m3_per_day", total_days) if len(trains) else 0.0
    product = _per_day(trains.assign(p=trains.recovery * trains.treated_m3_per_day), "p",
                       total_days) if len(trains) else 0.0
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
        "discharged_m3_per_day": collectable - recycled - direct,
        "discharge_breakdown_m3_per_day": {
            "untreated_wastewater": collectable - treated - direct,
            "treatment_reject": treated - product,
            "surplus_product": product - recycled,
        },
        "consumed_m3_per_day": demand - collectable,
        "tap_share": tap / demand if demand > 0 else None,
        "uses_per_drop": demand / tap if tap > 0 else None,
        "tap_cap_m3_per_day": case.tap_cap_m3_per_day,
        "second_stage": "cost" if case.costed else "treated volume",
        "cost_per_day": report.objectives["total_cost"] / total_days if case.costed else None,
        "tap_tolerance_m3": report.tap_tolerance_m3,
        "trains": [
            {k: (None if pd.isna(v) else v) for k, v in row.items()}
            for row in _train_summary(trains, total_days).to_dict("records")
        ],
        "solve_seconds": {k: round(v, 4) for k, v in report.seconds.items()},
    }
    quality = quality_table(m)
    summary.update(quality_summary(m, quality))
    return Results(summary, allocation, feeds, trains, plants, uses, quality)


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
