"""A solved formulation as pandas tables: allocation, feeds, uses, trains and plants.

Volumes are m3/day within each period. No Pyomo object leaks out of these tables.
"""
from __future__ import annotations

import pandas as pd

from model.formulation import Formulation
from model.results.summary import tap_share
from model.solve import SolveReport

FLOW_EPS = 1e-9  # m3/day: flows below this are solver noise and are not listed
ALLOCATION_COLUMNS = ["plant", "use", "zone", "period", "source", "generation", "m3_per_day"]


def value(var) -> float:
    """A variable's value in the solution (0 for a variable the solver never saw)."""
    return float(var.value or 0.0)


def allocation_table(f: Formulation) -> pd.DataFrame:
    """Water to each use by source and generation: tap, recycled (from a train or a tank),
    direct reuse (`direct:<plant>/<use>`, untreated) and trucked water (`tanker:<name>`)."""
    m, zone = f.model, {u: f.net.use_of[u].zone for u in f.net.USES}
    rows = [(p, u, zone[p, u], t, "tap", 0, value(v))
            for (p, u, t), v in m.tap_m3_per_day.items()]
    rows += [(p, u, zone[p, u], t, s, g, value(v))
             for (p, u, s, g, t), v in m.recycled_m3_per_day.items()]
    rows += [(tp, tu, zone[tp, tu], t, f"direct:{fp}/{fu}", g, value(v))
             for (fp, fu, tp, tu, g, t), v in m.direct_reuse_m3_per_day.items()]
    rows += [(p, u, zone[p, u], t, f"tanker:{k}", 0, value(v))
             for (k, p, u, t), v in m.tanker_m3_per_day.items()]
    df = pd.DataFrame(rows, columns=ALLOCATION_COLUMNS)
    return df[df.m3_per_day > FLOW_EPS].reset_index(drop=True)


def feed_table(f: Formulation) -> pd.DataFrame:
    rows = [(s, z, g, t, value(v)) for (s, z, g, t), v in f.model.feed_m3_per_day.items()]
    df = pd.DataFrame(rows, columns=["train", "zone", "generation", "period", "m3_per_day"])
    return df[df.m3_per_day > FLOW_EPS].reset_index(drop=True)


def source_kind(source: pd.Series) -> pd.Series:
    """tap, tanker, direct (untreated reuse) or recycled (from a train or a recycled tank)."""
    kind = source.str.split(":").str[0]
    return kind.where(kind.isin(["tap", "tanker", "direct"]), "recycled")


def use_table(f: Formulation, allocation: pd.DataFrame) -> pd.DataFrame:
    """Per use and period: demand (an operation's decided flow included), what supplied it by
    kind of source, and shortage."""
    m, case = f.model, f.case
    kind = source_kind(allocation.source)
    supplied = allocation.assign(**{
        k: allocation.m3_per_day.where(kind == k, 0.0)
        for k in ["tap", "tanker", "direct", "recycled"]})
    by_use = supplied.groupby(["plant", "use", "period"], sort=False).agg(
        supplied_m3_per_day=("m3_per_day", "sum"), tap_m3_per_day=("tap", "sum"),
        tanker_m3_per_day=("tanker", "sum"),
        direct_reuse_m3_per_day=("direct", "sum"), recycled_m3_per_day=("recycled", "sum"))
    operation = {key: value(v) for key, v in m.operation_m3_per_day.items()}
    rows = [(u.plant, u.use, u.zone, p.name, p.days,
             case.demand(u, p.name) + operation.get((u.plant, u.use, p.name), 0.0),
             u.return_fraction, u.max_recycles)
            for u in case.uses for p in case.periods]
    df = pd.DataFrame(rows, columns=["plant", "use", "zone", "period", "days",
                                     "demand_m3_per_day", "return_fraction", "max_recycles"])
    df = df.join(by_use, on=["plant", "use", "period"]).fillna(
        {"supplied_m3_per_day": 0.0, "tap_m3_per_day": 0.0, "tanker_m3_per_day": 0.0,
         "direct_reuse_m3_per_day": 0.0, "recycled_m3_per_day": 0.0})
    shortage = {key: value(v) for key, v in m.shortage_m3_per_day.items()}
    df["shortage_m3_per_day"] = [shortage.get(key, 0.0)
                                 for key in zip(df.plant, df.use, df.period)]
    return df


def train_table(f: Formulation, report: SolveReport, feeds: pd.DataFrame,
                allocation: pd.DataFrame) -> pd.DataFrame:
    """Per train and period: treated, product delivered and marginal values.

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
            rows.append((s, t, period.days, treated, cap,
                         treated / cap if cap > 0 else None, net.recovery(s, t),
                         float(delivered.get((s, t), 0.0)), cap_value + 0.0, rec_value + 0.0))
    return pd.DataFrame(rows, columns=[
        "train", "period", "days", "treated_m3_per_day", "capacity_m3_per_day", "utilization",
        "recovery", "delivered_m3_per_day", "capacity_value", "recovery_value"])


def plant_table(uses: pd.DataFrame) -> pd.DataFrame:
    """Per plant, day-weighted over the periods; trucked water, direct reuse and shortage are
    listed only when some plant has them."""
    columns = ["demand_m3_per_day", "tap_m3_per_day", "recycled_m3_per_day"] + [
        c for c in ["tanker_m3_per_day", "direct_reuse_m3_per_day", "shortage_m3_per_day"]
        if (uses[c].abs() > FLOW_EPS).any()]
    weighted = uses.assign(**{c: uses[c] * uses.days for c in columns})
    days = uses.drop_duplicates("period").days.sum()
    df = weighted.groupby(["plant", "zone"], sort=False)[columns].sum() / days
    df["tap_share"] = tap_share(df.tap_m3_per_day, df.demand_m3_per_day)
    return df.reset_index()
