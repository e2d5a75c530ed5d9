"""One results pipeline: a solved formulation -> typed tables and a typed summary.

Every entry point (the command line, notebooks, studies) calls `collect`. Nothing else
assembles results.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyomo.core as pyo

from model.formulation import Formulation
from model.results.drought import (holding, period_table, shortage_table, tank_charge_table,
                                    tank_level_table)
from model.results.quality import binding_limits, quality_table
from model.results.summary import (Discharge, LargestCut, QualitySummary, RationingSummary,
                                   Summary, period_summaries, tap_share,
                                   train_summaries)
from model.results.tables import (allocation_table, feed_table, plant_table, tidy,
                                  train_table, use_table, value)
from model.solve import SolveReport


@dataclass(frozen=True)
class Results:
    """A plan: its summary and its tables (volumes in m3/day within each period)."""

    summary: Summary
    allocation: pd.DataFrame  # plant, use, zone, period, source, generation, m3_per_day
    feeds: pd.DataFrame       # train, zone, generation, period, m3_per_day
    trains: pd.DataFrame      # per train and period, with marginal values
    plants: pd.DataFrame      # per plant, day-weighted over periods
    uses: pd.DataFrame        # per use and period
    periods: pd.DataFrame     # per period: stage, campus volumes, trucks
    quality: pd.DataFrame | None = None      # per use, period, contaminant (quality layer)
    tank_levels: pd.DataFrame | None = None  # per tank and period (cases with tanks)
    shortages: pd.DataFrame | None = None    # per use and period (rationing)
    tank_charges: pd.DataFrame | None = None  # train -> recycled tank (cases with such tanks)


def _per_day(df: pd.DataFrame, column: str, days: float) -> float:
    return float((df[column] * df.days).sum() / days)


def _storage(f: Formulation, days: float) -> dict[str, float]:
    """Day-weighted figures (m3/day over the horizon) of treatment product and of storage.

    product      the product of every pass (recovery x feed, plus boosts): terms.product
    tank_charge  product put into recycled-water tanks
    basin_gain, gain   end minus start contents of wastewater basins, of all tanks, per day
    """
    m, net = f.model, f.net
    product = sum(net.days[t] * float(pyo.value(sum(made)))
                  for (s, g, t), made in f.terms.product_made.items() if made)
    tank_charge = sum(net.days[t] * value(v)
                      for (s, k, g, t), v in m.tank_charge_m3_per_day.items())
    basin_gain = gain = 0.0
    for tank in f.case.tanks:
        change = sum(value(m.tank_level_m3[k, g, net.PERIODS[-1]])
                     for k, g in net.TANK_LAYERS if k == tank.name) - tank.initial_m3
        gain += change
        basin_gain += change if tank.holds == "wastewater" else 0.0
    return {"product": product / days, "tank_charge": tank_charge / days,
            "basin_gain": basin_gain / days, "gain": gain / days}


def _water(f: Formulation, uses: pd.DataFrame, trains: pd.DataFrame,
           allocation: pd.DataFrame) -> dict:
    """The campus water balance, m3/day over the horizon (module docstring of summary.py)."""
    days = f.case.total_days
    demand, supplied, tap, recycled, direct = (
        _per_day(uses, f"{k}_m3_per_day", days)
        for k in ("demand", "supplied", "tap", "recycled", "direct_reuse"))
    collectable = _per_day(uses.assign(w=uses.return_fraction * uses.supplied_m3_per_day),
                           "w", days)
    treated = _per_day(trains, "treated_m3_per_day", days) if len(trains) else 0.0
    store = _storage(f, days)
    # (as floats: with no flow at all, e.g. every demand 0, the mapped column would be empty
    # strings, which pandas refuses to multiply)
    days_of = allocation.period.map(f.net.days).astype(float)
    from_trains = float((allocation.m3_per_day * days_of)[
        allocation.source.isin(f.net.train_of)].sum()) / days
    return dict(
        tap_m3_per_day=tap, demand_m3_per_day=demand, recycled_m3_per_day=recycled,
        treated_m3_per_day=treated, direct_reuse_m3_per_day=direct,
        supplied_m3_per_day=supplied,
        discharged_m3_per_day=collectable - recycled - direct - store["gain"],
        discharge_breakdown_m3_per_day=Discharge(
            untreated_wastewater=collectable - treated - direct - store["basin_gain"],
            treatment_reject=treated - store["product"],
            surplus_product=store["product"] - from_trains - store["tank_charge"]),
        consumed_m3_per_day=supplied - collectable, storage_gain_m3_per_day=store["gain"],
        tap_share=tap_share(tap, demand),
        uses_per_drop=demand / tap if tap > 0 else None,
        outside_supply_m3_per_day=_per_day(uses, "outside_supply_m3_per_day", days)
        if f.net.SUPPLIES else None)


def _drought(f: Formulation, report: SolveReport, periods: pd.DataFrame) -> dict:
    """Horizon totals, how long the campus holds, and the rationing settings used."""
    case, r = f.case, f.case.rationing
    costed = case.costed
    out = {k: float(periods[k].sum())
           for k in ("tap_m3", "recycled_m3", "shortage_m3", "tanker_m3", "tanker_trucks")}
    out["tanker_truckloads"] = int(periods.tanker_truckloads.sum())
    out["cost"] = sum(f.net.days[t] * f.terms.money_per_day(t) for t in f.net.PERIODS) \
        if costed else None
    out.update(holding(periods))
    rationed = r is not None and r.enabled
    if rationed:
        out["rationing"] = RationingSummary(r.baseline_m3_per_day, r.baseline_source,
                                            r.fair_share, r.price_shortage,
                                            list(report.objectives))
    if len(case.periods) == 1 and (rationed or case.tap_cap(case.periods[0].name) is not None):
        out["shortage_m3_per_day"] = out["shortage_m3"] / case.total_days
    return out


def collect(f: Formulation, report: SolveReport, largest_cut: LargestCut | None = None
            ) -> Results:
    """Read a solved formulation into tables and a summary. Only call after an optimal solve."""
    case = f.case
    allocation, feeds = allocation_table(f), feed_table(f)
    uses = use_table(f, allocation)
    trains = train_table(f, report, feeds, allocation)
    periods = period_table(f, uses)
    quality = quality_table(f, report)
    levels = tank_level_table(f)
    summary = Summary(
        case=case.name, status=report.status.value, periods=period_summaries(periods),
        days=case.total_days, **_water(f, uses, trains, allocation),
        tap_cap_m3_per_day=case.tap_cap_m3_per_day,
        second_stage="cost" if case.costed else "treated volume",
        cost_per_day=report.objectives["total_cost"] / case.total_days if case.costed else None,
        tap_tolerance_m3=report.tap_tolerance_m3,
        stages_not_applied=list(report.skipped_stages),
        stages_not_applied_because=dict(report.skipped_because),
        trains=train_summaries(trains, case.total_days),
        solve_seconds={k: round(v, 4) for k, v in report.seconds.items()},
        quality=None if quality is None else QualitySummary(
            list(case.quality.contaminants), case.quality.direct_reuse,
            binding_limits(f, report, quality)),
        tanks=None if levels is None else levels.to_dict("records"),
        largest_cut=largest_cut, **_drought(f, report, periods))
    # round-off below 1e-9 is reported as 0, in the text, the files and the JSON alike
    return tidy(Results(summary, allocation, feeds, trains, plant_table(uses), uses, periods,
                        quality, levels, shortage_table(f, uses), tank_charge_table(f)))
