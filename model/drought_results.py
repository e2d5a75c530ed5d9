"""Per-period volumes, tank levels and shortages of a solved model, and their summary keys.

Added to every plan (a steady-state case is one period of one day):
- summary keys `tap_m3`, `recycled_m3`, `shortage_m3`, `tanker_m3`, `cost` (volumes over the
  horizon, m3) and `periods`, a list of {period, start, days, stage, cut, tap_cap_m3_per_day,
  tap_m3, recycled_m3, shortage_m3, tanker_m3};
- with rationing: `rationing` {baseline_m3_per_day, baseline_source, fair_share, price_shortage}
  and, for a steady-state case, `shortage_m3_per_day`;
- tables `periods.csv`, `tank_levels.csv` and `shortages.csv` for `--out`.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pyomo.environ as pyo

from model.results import Results
from model.solve import SolveReport


def _v(var) -> float:
    return float(var.value or 0.0)


def period_table(m: pyo.ConcreteModel) -> pd.DataFrame:
    case = m.case
    r = case.rationing
    starts = case.by_period.starts if case.by_period is not None else {}
    rows = []
    for period in case.periods:
        t = period.name
        tap = sum(_v(m.tap_m3_per_day[p, u, t]) for p, u in m.USES)
        recycled = sum(_v(v) for (p, u, s, g, t2), v in m.recycled_m3_per_day.items() if t2 == t)
        tanker = sum(_v(v) for (k, p, u, t2), v in m.tanker_m3_per_day.items() if t2 == t)
        short = sum(_v(v) for (p, u, t2), v in m.shortage_m3_per_day.items() if t2 == t)
        demand = sum(case.demand(u, t) for u in case.uses)
        start = starts.get(t)
        rows.append({
            "period": t, "start": start.isoformat() if start else None, "days": period.days,
            "stage": r.stage(t) if r is not None and r.enabled else None,
            "cut": r.cut(t) if r is not None and r.enabled else None,
            "tap_cap_m3_per_day": case.tap_cap(t),
            "demand_m3_per_day": demand, "tap_m3_per_day": tap,
            "recycled_m3_per_day": recycled, "tanker_m3_per_day": tanker,
            "shortage_m3_per_day": short,
            "demand_m3": demand * period.days, "tap_m3": tap * period.days,
            "recycled_m3": recycled * period.days, "tanker_m3": tanker * period.days,
            "shortage_m3": short * period.days,
        })
    return pd.DataFrame(rows)


def tank_level_table(m: pyo.ConcreteModel) -> pd.DataFrame:
    """Per tank and period: charge and discharge (m3/day), end-of-period level (m3), all summed
    over generations."""
    rows = []
    for k in m.case.tanks:
        for t in m.PERIODS:
            layers = [g for k2, g in m.TANK_LAYERS if k2 == k.name]
            level = sum(_v(m.tank_level_m3[k.name, g, t]) for g in layers)
            if k.holds == "wastewater":
                charge = sum(_v(m.basin_in_m3_per_day[k.name, g, t]) for g in layers)
                discharge = sum(_v(m.basin_out_m3_per_day[k.name, g, t]) for g in layers)
            else:
                charge = sum(_v(v) for (s, k2, g, t2), v in m.tank_charge_m3_per_day.items()
                             if k2 == k.name and t2 == t)
                discharge = sum(_v(v) for (p, u, s, g, t2), v in m.recycled_m3_per_day.items()
                                if s == k.name and t2 == t)
            rows.append((k.name, k.zone, k.holds, t, m.days[t], k.capacity_m3, k.initial_m3,
                         charge, discharge, level))
    return pd.DataFrame(rows, columns=["tank", "zone", "holds", "period", "days", "capacity_m3",
                                       "initial_m3", "charge_m3_per_day", "discharge_m3_per_day",
                                       "end_level_m3"])


def shortage_table(m: pyo.ConcreteModel) -> pd.DataFrame:
    """Shortage per use and period, with its priority class and fraction of demand."""
    case, r = m.case, m.case.rationing
    rows = []
    for (p, u, t), var in m.shortage_m3_per_day.items():
        use = m.use_of[p, u]
        demand = case.demand(use, t)
        tanker = sum(_v(m.tanker_m3_per_day[k, p, u, t]) for k in m.tankers_to.get((p, u), ()))
        rows.append((p, u, use.zone, t, r.priority_of(p, u), r.lost_value_per_m3.get((p, u)),
                     demand, tanker, _v(var), _v(var) / demand if demand > 0 else 0.0))
    return pd.DataFrame(rows, columns=[
        "plant", "use", "zone", "period", "priority", "lost_value_per_m3", "demand_m3_per_day",
        "tanker_m3_per_day", "shortage_m3_per_day", "shortage_fraction"])


def money_cost(m: pyo.ConcreteModel) -> float | None:
    """Money spent over the horizon: treatment, tap, tankers and boosts (not lost production).
    None when the trains carry no cost (the cost stage then minimised treated volume)."""
    case = m.case
    if not case.costed:
        return None
    price = case.tap_price_per_m3 or 0.0
    cost = sum(m.days[t] * m.train_of[s].cost_per_m3 * _v(v)
               for (s, z, g, t), v in m.feed_m3_per_day.items())
    cost += sum(m.days[t] * price * _v(v) for (p, u, t), v in m.tap_m3_per_day.items())
    cost += sum(m.days[t] * m.tanker_of[k].price_per_m3 * _v(v)
                for (k, p, u, t), v in m.tanker_m3_per_day.items())
    cost += sum(m.days[t] * m.boost_of[s].extra_cost_per_m3 * _v(v)
                for (s, g, t), v in m.boosted_feed_m3_per_day.items())
    return cost


TRUCK_M3 = 20.0  # one tanker truck carries 20 t (taiwannews 4134262, FACTS.md)
SHORTAGE_EPS_M3 = 1e-6  # below this a period's shortage is solver tolerance, not a shortage


def holding(periods: pd.DataFrame) -> dict:
    """How long the campus holds: days from the start of the horizon until the first period
    with a shortage (the whole horizon if there is none), and that period."""
    short = periods.index[periods.shortage_m3 > SHORTAGE_EPS_M3]
    if len(short) == 0:
        return {"days_without_shortage": float(periods.days.sum()), "first_shortage_period": None,
                "first_shortage_start": None}
    first = short[0]
    return {"days_without_shortage": float(periods.days.iloc[:first].sum()),
            "first_shortage_period": periods.period.iloc[first],
            "first_shortage_start": periods.start.iloc[first]}


def add_drought_results(m: pyo.ConcreteModel, report: SolveReport, results: Results) -> Results:
    """`results` with the per-period summary keys and tables added."""
    periods = period_table(m)
    periods["tanker_trucks"] = periods.tanker_m3 / TRUCK_M3
    periods["tanker_trucks_per_day"] = periods.tanker_m3_per_day / TRUCK_M3
    summary = dict(results.summary)
    for key in ("tap_m3", "recycled_m3", "shortage_m3", "tanker_m3", "tanker_trucks"):
        summary[key] = float(periods[key].sum())
    summary["cost"] = money_cost(m)
    summary.update(holding(periods))
    summary["periods"] = [
        {k: row[k] for k in ("period", "start", "days", "stage", "cut", "tap_cap_m3_per_day",
                             "tap_m3", "recycled_m3", "shortage_m3", "tanker_m3",
                             "tanker_trucks_per_day")}
        for row in periods.to_dict("records")]
    extra = dict(results.extra)
    extra["periods.csv"] = periods
    r = m.case.rationing
    if r is not None and r.enabled:
        summary["rationing"] = {
            "baseline_m3_per_day": r.baseline_m3_per_day, "baseline_source": r.baseline_source,
            "fair_share": r.fair_share, "price_shortage": r.price_shortage,
            "stages": list(report.objectives)}
        extra["shortages.csv"] = shortage_table(m)
    if len(m.PERIODS) == 1 and (r is not None and r.enabled or m.case.tap_cap(
            m.case.periods[0].name) is not None):
        summary["shortage_m3_per_day"] = summary["shortage_m3"] / m.case.total_days
    if m.case.tanks:
        levels = tank_level_table(m)
        extra["tank_levels.csv"] = levels
        summary["tanks"] = levels.to_dict("records")
    return replace(results, summary=summary, extra=extra)


def drought_report(results: Results) -> str:
    """Text lines for the terminal: per-period volumes and rationing, when there is more than
    one period or rationing applies; '' otherwise."""
    s = results.summary
    if len(s["periods"]) == 1 and "rationing" not in s and "tanks" not in s:
        if "largest_uniform_cut" not in s:
            return ""
        why = ("" if s["largest_uniform_cut"] > 1e-9 else
               "\n  (the plan already draws the least tap: any cut means shortage unless "
               "storage, trucks or a recovery boost make up for it)")
        return (f"\n\ndrought resilience\n  largest uniform cut of tap supply with no shortage: "
                f"{s['largest_uniform_cut']:.4f} of "
                f"{s['largest_uniform_cut_baseline_m3_per_day']:,.1f} m3/day" + why)
    lines = ["", "over the horizon (m3)",
             f"  tap {s['tap_m3']:,.0f}   recycled {s['recycled_m3']:,.0f}   "
             f"tanker {s['tanker_m3']:,.0f} ({s['tanker_trucks']:,.0f} trucks of "
             f"{TRUCK_M3:g} t)   shortage {s['shortage_m3']:,.0f}"
             + (f"   cost {s['cost']:,.0f}" if s.get("cost") is not None else ""),
             f"  holds {s['days_without_shortage']:,.0f} days without shortage"
             + (f"; first shortage in period {s['first_shortage_period']}"
                + (f" (from {s['first_shortage_start']})" if s["first_shortage_start"] else "")
                if s["first_shortage_period"] is not None else " (the whole horizon)")]
    if "rationing" in s:
        ra = s["rationing"]
        lines.append(f"  rationing baseline {ra['baseline_m3_per_day']:,.1f} m3/day "
                     f"({ra['baseline_source']})")
    if "largest_uniform_cut" in s:
        lines.append(f"  largest uniform cut with no shortage: {s['largest_uniform_cut']:.4f} of "
                     f"{s['largest_uniform_cut_baseline_m3_per_day']:,.1f} m3/day"
                     + ("" if s["largest_uniform_cut"] >= 0 else
                        " (negative: the peak period needs more tap than the baseline even "
                        "before any cut)"))
    if "shortage_m3_per_day" in s:
        lines.append(f"  shortage {s['shortage_m3_per_day']:,.1f} m3/day")
    table = results.extra["periods.csv"][["period", "start", "days", "stage", "tap_m3",
                                          "recycled_m3", "tanker_m3", "tanker_trucks_per_day",
                                          "shortage_m3"]]
    lines += ["", "periods (m3)",
              table.to_string(index=False, float_format=lambda v: f"{v:,.0f}")]
    return "\n".join(lines)


def with_largest_cut(results: Results, case, time_limit_s: float | None = None) -> Results:
    """`results` with `largest_uniform_cut` (and the baseline it applies to) in the summary."""
    from model.drought import largest_uniform_cut  # model.drought imports the model builder
    cut, baseline = largest_uniform_cut(case, time_limit_s)
    cut = 0.0 if abs(cut) < 1e-9 else cut  # a -1e-12 is solver noise, not a finding
    summary = dict(results.summary, largest_uniform_cut=cut,
                   largest_uniform_cut_baseline_m3_per_day=baseline)
    return replace(results, summary=summary)
