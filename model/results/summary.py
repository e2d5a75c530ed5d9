"""The summary of a plan: a typed record whose JSON keys are the ones `--json` has always written.

Campus figures are day-weighted averages over the periods (for a steady-state case, simply the
day's figures); `*_m3` figures are totals over the horizon.

Water balance (day-weighted over the horizon):
    supplied        = demand - shortage = tap + tanker + recycled + direct reuse + outside
    collectable   W = sum_u return_fraction[u] * supplied[u]
    consumed        = supplied - W                (evaporation, product, losses)
    storage gain    = (final - initial contents of all tanks and basins) / days
    discharged      = W - recycled - direct - storage gain
                    = untreated + reject + surplus product
    tap + tanker + outside = consumed + discharged + storage gain   (a check the tests
                                                                       recompute)
where recycled counts water delivered from trains and from recycled-water tanks.

Tap share (`tap_share`, one definition for the campus and for each plant) is tap / demand:
the share of the demand met by tap water. Demand is the whole demand, so shortage and trucked
water are in the denominator: demand = tap + tanker + recycled + direct reuse + shortage.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import pandas as pd


@dataclass(frozen=True)
class TrainSummary:
    train: str
    treated_m3_per_day: float
    capacity_m3_per_day: float
    utilization: float | None
    delivered_m3_per_day: float
    capacity_value: float  # tap m3/day saved per extra m3/day of capacity
    recovery_value: float  # tap m3/day saved per extra percentage point of recovery
    # added keys: product made (boosts included), the part stored in tanks, the feed run at the
    # boost recovery, and product / treated. Every volume, and capacity, is a day-weighted mean
    # over the periods (`averaged_over_days`); trains.csv has them per period.
    product_m3_per_day: float = 0.0
    stored_m3_per_day: float = 0.0
    boosted_feed_m3_per_day: float = 0.0
    effective_recovery: float | None = None
    averaged_over_days: float = 1.0


@dataclass(frozen=True)
class PeriodSummary:
    period: str
    start: str | None
    days: float
    stage: str | None
    cut: float | None
    tap_cap_m3_per_day: float | None
    tap_m3: float
    recycled_m3: float
    shortage_m3: float
    tanker_m3: float
    tanker_trucks_per_day: float  # truck-equivalents of volume: tanker m3/day / 20
    tanker_truckloads_per_day: int  # whole 20 t loads dispatched each day of the period


@dataclass(frozen=True)
class Discharge:
    untreated_wastewater: float
    treatment_reject: float
    surplus_product: float


@dataclass(frozen=True)
class QualitySummary:
    contaminants: list[str]
    direct_reuse: str
    binding_quality_limits: list[dict]  # use inlet or train feed limits at their bound


@dataclass(frozen=True)
class RationingSummary:
    baseline_m3_per_day: float
    baseline_source: str
    fair_share: bool
    price_shortage: bool
    stages: list[str]


@dataclass(frozen=True)
class LargestCut:
    largest_uniform_cut: float
    largest_uniform_cut_baseline_m3_per_day: float


@dataclass(frozen=True)
class Summary:
    """Every figure of a plan that is not a table. Fields are in the order of the JSON keys;
    `quality` and `largest_cut` are written as their own keys, and the sections that are None
    (`OPTIONAL`) are left out."""

    case: str
    status: str
    periods: list[PeriodSummary]
    days: float
    tap_m3_per_day: float
    demand_m3_per_day: float
    recycled_m3_per_day: float
    treated_m3_per_day: float
    direct_reuse_m3_per_day: float
    supplied_m3_per_day: float
    discharged_m3_per_day: float
    discharge_breakdown_m3_per_day: Discharge
    consumed_m3_per_day: float
    storage_gain_m3_per_day: float
    tap_share: float | None
    uses_per_drop: float | None
    tap_cap_m3_per_day: float | None
    second_stage: str
    cost_per_day: float | None
    tap_tolerance_m3: float
    stages_not_applied: list[str]
    stages_not_applied_because: dict[str, str]  # each stage not applied: why, in words
    trains: list[TrainSummary]
    solve_seconds: dict[str, float]
    quality: QualitySummary | None
    tap_m3: float
    recycled_m3: float
    shortage_m3: float
    tanker_m3: float
    tanker_trucks: float  # truck-equivalents of volume: tanker m3 / 20
    tanker_truckloads: int  # whole 20 t loads over the horizon: sum of days x loads per day
    cost: float | None
    days_without_shortage: float
    first_shortage_period: str | None
    first_shortage_start: str | None
    rationing: RationingSummary | None = None
    shortage_m3_per_day: float | None = None
    tanks: list[dict] | None = None  # the tank-level table's rows
    largest_cut: LargestCut | None = None
    outside_supply_m3_per_day: float | None = None  # cases with outside supplies

    OPTIONAL = ("quality", "rationing", "shortage_m3_per_day", "tanks", "largest_cut",
                "outside_supply_m3_per_day")
    FLATTENED = ("quality", "largest_cut")

    def to_dict(self) -> dict:
        """The JSON form: the keys `--json` writes."""
        out: dict = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if v is None and f.name in self.OPTIONAL:
                continue
            if f.name in self.FLATTENED:
                out.update(asdict(v))
            elif isinstance(v, list) and v and hasattr(v[0], "__dataclass_fields__"):
                out[f.name] = [asdict(x) for x in v]
            elif hasattr(v, "__dataclass_fields__"):
                out[f.name] = asdict(v)
            else:
                out[f.name] = v
        return out


def tap_share(tap, demand):
    """Tap / demand, for the campus (floats) or per plant (pandas Series). Demand includes what
    went short and what trucks brought, so a rationed or trucked plant is not shown drawing a
    larger share of tap than it did. None (NaN in a table) where the demand is 0."""
    if isinstance(demand, pd.Series):
        return tap / demand.where(demand > 0)
    return tap / demand if demand > 0 else None


def train_summaries(trains: pd.DataFrame, total_days: float) -> list[TrainSummary]:
    """Day-weighted train figures over all periods (the steady-state figures as they are)."""
    if trains.empty:
        return []
    volumes = ["treated_m3_per_day", "capacity_m3_per_day", "delivered_m3_per_day",
               "capacity_value", "recovery_value", "product_m3_per_day", "stored_m3_per_day",
               "boosted_feed_m3_per_day"]
    w = trains.assign(**{c: trains[c] * trains.days for c in volumes})
    df = w.groupby("train", sort=False)[volumes].sum() / total_days
    df["utilization"] = df.treated_m3_per_day / df.capacity_m3_per_day.where(
        df.capacity_m3_per_day > 0)
    return [TrainSummary(train, r.treated_m3_per_day, r.capacity_m3_per_day,
                         None if pd.isna(r.utilization) else r.utilization,
                         r.delivered_m3_per_day, r.capacity_value, r.recovery_value,
                         r.product_m3_per_day, r.stored_m3_per_day, r.boosted_feed_m3_per_day,
                         r.product_m3_per_day / r.treated_m3_per_day
                         if r.treated_m3_per_day > 0 else None, total_days)
            for train, r in df.iterrows()]


def period_summaries(periods: pd.DataFrame) -> list[PeriodSummary]:
    keys = [f.name for f in fields(PeriodSummary)]
    return [PeriodSummary(**{k: row[k] for k in keys}) for row in periods.to_dict("records")]
