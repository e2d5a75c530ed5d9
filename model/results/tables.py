"""A solved formulation as pandas tables: allocation, feeds, uses, trains and plants.

Volumes are m3/day within each period. No Pyomo object leaks out of these tables.
"""
from __future__ import annotations

import dataclasses

import pandas as pd
import pyomo.core as pyo

from model.formulation import Formulation
from model.results.summary import tap_share
from model.solve import SolveReport

# m3/day: flows below HiGHS's primal feasibility tolerance (1e-7) are within the solver's
# tolerance of zero; they are not listed, and count as zero in every table built from them
FLOW_EPS = 1e-7
NOISE = 1e-9  # any reported figure this close to 0 is round-off and is reported as 0
ALLOCATION_COLUMNS = ["plant", "use", "zone", "period", "source", "generation", "m3_per_day"]


def value(var) -> float:
    """A variable's value in the solution (0 for a variable the solver never saw)."""
    return float(var.value or 0.0)


def allocation_table(f: Formulation) -> pd.DataFrame:
    """Water to each use by source and generation: tap, recycled (from a train or a tank),
    direct reuse (`direct:<plant>/<use>`, untreated), trucked water (`tanker:<name>`) and
    outside supply (`supply:<name>`, generation 1)."""
    m, zone = f.model, {u: f.net.use_of[u].zone for u in f.net.USES}
    rows = [(p, u, zone[p, u], t, "tap", 0, x)
            for (p, u, t), x in _flows(m.tap_m3_per_day)]
    rows += [(p, u, zone[p, u], t, s, g, x)
             for (p, u, s, g, t), x in _flows(m.recycled_m3_per_day)]
    rows += [(tp, tu, zone[tp, tu], t, f"direct:{fp}/{fu}", g, x)
             for (fp, fu, tp, tu, g, t), x in _flows(m.direct_reuse_m3_per_day)]
    rows += [(p, u, zone[p, u], t, f"tanker:{k}", 0, x)
             for (k, p, u, t), x in _flows(m.tanker_m3_per_day)]
    rows += [(p, u, zone[p, u], t, f"supply:{k}", 1, x)
             for (k, p, u, t), x in _flows(m.outside_m3_per_day)]
    return _frame(rows, ALLOCATION_COLUMNS)


def _flows(var):
    """(index, value) of each of `var`'s flows above FLOW_EPS; the others are listed nowhere
    (a 2,000-plant plan has 51,370 columns and 10,951 flows: the table is built from these
    alone)."""
    return [(key, x) for key, v in var.items() if (x := v.value) is not None and x > FLOW_EPS]


def feed_table(f: Formulation) -> pd.DataFrame:
    rows = [(s, z, g, t, x) for (s, z, g, t), x in _flows(f.model.feed_m3_per_day)]
    return _frame(rows, ["train", "zone", "generation", "period", "m3_per_day"])


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """A table of flows; with no flow at all, its columns still typed (generation an integer,
    m3_per_day a float), as a table with rows would have them."""
    df = pd.DataFrame(rows, columns=columns)
    numbers = {"generation": "int64", "m3_per_day": "float64"}
    return df if rows else df.astype({c: numbers.get(c, "str") for c in columns})


def source_kind(source: pd.Series) -> pd.Series:
    """tap, tanker, direct (untreated reuse), supply (outside) or recycled (from a train or a
    recycled tank)."""
    kind = source.str.split(":").str[0]
    return kind.where(kind.isin(["tap", "tanker", "direct", "supply"]), "recycled")


def use_table(f: Formulation, allocation: pd.DataFrame) -> pd.DataFrame:
    """Per use and period: demand (an operation's decided flow included), what supplied it by
    kind of source, and shortage."""
    m, case = f.model, f.case
    kind = source_kind(allocation.source)
    supplied = allocation.assign(**{
        k: allocation.m3_per_day.where(kind == k, 0.0)
        for k in ["tap", "tanker", "direct", "recycled", "supply"]})
    outside = {"outside_supply_m3_per_day": ("supply", "sum")} if f.net.SUPPLIES else {}
    by_use = supplied.groupby(["plant", "use", "period"], sort=False).agg(
        supplied_m3_per_day=("m3_per_day", "sum"), tap_m3_per_day=("tap", "sum"),
        tanker_m3_per_day=("tanker", "sum"),
        direct_reuse_m3_per_day=("direct", "sum"), recycled_m3_per_day=("recycled", "sum"),
        **outside)
    operation = {key: value(v) for key, v in m.operation_m3_per_day.items()}
    rows = [(u.plant, u.use, u.zone, p.name, p.days,
             case.demand(u, p.name) + operation.get((u.plant, u.use, p.name), 0.0),
             u.return_fraction, u.max_recycles)
            for u in case.uses for p in case.periods]
    df = pd.DataFrame(rows, columns=["plant", "use", "zone", "period", "days",
                                     "demand_m3_per_day", "return_fraction", "max_recycles"])
    df = df.join(by_use, on=["plant", "use", "period"]).fillna(
        {"supplied_m3_per_day": 0.0, "tap_m3_per_day": 0.0, "tanker_m3_per_day": 0.0,
         "direct_reuse_m3_per_day": 0.0, "recycled_m3_per_day": 0.0,
         **{c: 0.0 for c in outside}})
    shortage = {key: value(v) for key, v in m.shortage_m3_per_day.items()}
    df["shortage_m3_per_day"] = [shortage.get(key, 0.0)
                                 for key in zip(df.plant, df.use, df.period)]
    return df


def tidy(item):
    """`item` with round-off below `NOISE` set to 0 in every float it holds: a table's float
    columns, a dataclass's fields, dicts and lists, recursively."""
    if isinstance(item, float):
        return 0.0 if abs(item) < NOISE else item
    if isinstance(item, pd.DataFrame):
        out = item.copy()
        for c in out.columns:
            if pd.api.types.is_float_dtype(out[c]):
                out[c] = out[c].mask(out[c].abs() < NOISE, 0.0)
        return out
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return dataclasses.replace(item, **{f.name: tidy(getattr(item, f.name))
                                            for f in dataclasses.fields(item) if f.init})
    if isinstance(item, dict):
        return {k: tidy(v) for k, v in item.items()}
    if isinstance(item, list):
        return [tidy(v) for v in item]
    return item


def _train_flows(f: Formulation, s: str, t: str) -> dict[str, float]:
    """Product made by train s in period t (recovery x feed, plus boosts), the part put into
    recycled-water tanks, and the feed run at the boost recovery (m3/day)."""
    m, net = f.model, f.net
    product = sum(float(pyo.value(sum(made))) for (s2, g, t2), made in f.terms.product_made.items()
                  if s2 == s and t2 == t and made)
    stored = sum(value(v) for (s2, k, g, t2), v in m.tank_charge_m3_per_day.items()
                 if s2 == s and t2 == t)
    boosted = sum(value(v) for (s2, g, t2), v in m.boosted_feed_m3_per_day.items()
                  if s2 == s and t2 == t)
    boost = net.boost_of.get(s)
    in_boost = any(s2 == s and t2 == t for s2, g, t2 in net.BOOSTED)
    return {"product_m3_per_day": product, "stored_m3_per_day": stored,
            "boosted_feed_m3_per_day": boosted,
            "boost_recovery": boost.recovery if boost is not None and in_boost else None}


def train_table(f: Formulation, report: SolveReport, feeds: pd.DataFrame,
                allocation: pd.DataFrame) -> pd.DataFrame:
    """Per train and period: treated, product made, delivered and stored, marginal values.

    recovery            the period's base recovery (treatment.csv, trains_by_period.csv)
    boosted_feed_m3_per_day, boost_recovery   feed run at the boost recovery (boosts.csv)
    product_m3_per_day  recovery x (treated - boosted) + boost_recovery x boosted
    effective_recovery  product / treated: the recovery achieved, boosts included
    delivered_m3_per_day  product sent straight to uses; stored_m3_per_day  put into tanks
        (product - delivered - stored is discharged as surplus)

    capacity_value = -dual(treatment_capacity[s, t]) / days_t
        tap m3/day saved per extra m3/day of capacity in that period
    recovery_value = -sum_g dual(recovery[s, g, t]) * feed[s, g, t] * 0.01 / days_t
        tap m3/day saved per extra percentage point of recovery (envelope theorem: raising
        recovery by dr relaxes the recovery row by feed * dr)
    """
    m, net = f.model, f.net
    fed = feeds.groupby(["train", "period", "generation"]).m3_per_day.sum()
    delivered = allocation[allocation.source != "tap"].groupby(
        ["source", "period"]).m3_per_day.sum()
    rows = []
    for train in f.case.trains:
        s = train.name
        for period in f.case.periods:
            t = period.name
            cap = net.capacity(s, t)
            treated = float(fed.loc[s, t].sum()) if (s, t) in fed.index.droplevel(2) else 0.0
            cap_value = -report.dual(m.treatment_capacity[s, t]) / period.days \
                if (s, t) in m.treatment_capacity else 0.0
            rec_value = sum(-report.dual(m.recovery[s, g, t]) * float(fed.get((s, t, g), 0.0))
                            * 0.01 / period.days for s2, g in net.PASSES if s2 == s)
            flows = _train_flows(f, s, t)
            rows.append({
                "train": s, "period": t, "days": period.days, "treated_m3_per_day": treated,
                "capacity_m3_per_day": cap, "utilization": treated / cap if cap > 0 else None,
                "recovery": net.recovery(s, t),
                "delivered_m3_per_day": float(delivered.get((s, t), 0.0)),
                "capacity_value": cap_value + 0.0, "recovery_value": rec_value + 0.0,
                **flows,
                "effective_recovery": flows["product_m3_per_day"] / treated
                if treated > FLOW_EPS else None})
    return pd.DataFrame(rows, columns=TRAIN_COLUMNS)


TRAIN_COLUMNS = [
    "train", "period", "days", "treated_m3_per_day", "capacity_m3_per_day", "utilization",
    "recovery", "delivered_m3_per_day", "capacity_value", "recovery_value",
    "product_m3_per_day", "stored_m3_per_day", "boosted_feed_m3_per_day", "boost_recovery",
    "effective_recovery"]


def plant_table(uses: pd.DataFrame) -> pd.DataFrame:
    """Per plant, day-weighted over the periods; trucked water, direct reuse and shortage are
    listed only when some plant has them."""
    columns = ["demand_m3_per_day", "tap_m3_per_day", "recycled_m3_per_day"] + [
        c for c in ["tanker_m3_per_day", "direct_reuse_m3_per_day", "outside_supply_m3_per_day",
                    "shortage_m3_per_day"]
        if c in uses and (uses[c].abs() > FLOW_EPS).any()]
    weighted = uses.assign(**{c: uses[c] * uses.days for c in columns})
    days = uses.drop_duplicates("period").days.sum()
    df = weighted.groupby(["plant", "zone"], sort=False)[columns].sum() / days
    df["tap_share"] = tap_share(df.tap_m3_per_day, df.demand_m3_per_day)
    return df.reset_index()
