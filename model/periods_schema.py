"""Strict schemas for the optional files of a multi-period or drought case.

A case folder without any of these files is the steady-state model. Each file is a table read by
`model.schema.read_table` (same rules: unknown columns are errors, blank optional cells mean "not
given", every problem is reported with its file, line, column and value).

| file                 | one row per                      | what it sets                              |
|----------------------|----------------------------------|-------------------------------------------|
| periods.csv          | period, in time order            | label, start date, days, stage, tap cap,  |
|                      |                                  | campus-wide demand factor                 |
| demand.csv           | (period, use or plant or campus) | demand in m3/day, or a factor on it       |
| trains_by_period.csv | (period, train)                  | capacity (outages) and recovery           |
| tanks.csv            | tank                             | storage of recycled water or wastewater   |
| stages.csv           | rationing stage                  | the cut fraction of the stage             |
| curtailment.csv      | use                              | priority class, value of lost production  |
| tankers.csv          | tanker service                   | daily capacity, price, zones served       |
| boosts.csv           | train                            | temporary higher recovery at a price      |
| rationing.toml       | (settings)                       | baseline, fair share, priced shortage     |
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from model.schema import Fraction, Name, NonNegative, Recovery, Row

Positive = Annotated[float, Field(gt=0)]
Cut = Annotated[float, Field(ge=0, lt=1)]
Priority = Annotated[int, Field(ge=1)]


class PeriodRow(Row):
    """periods.csv: rows in time order. `start` is an ISO date (YYYY-MM-DD); when given for every
    period, each period must start the day the previous one ends."""

    period: Name
    days: Positive
    start: Optional[date] = None
    stage: Optional[Name] = None
    tap_cap_m3_per_day: Optional[NonNegative] = None
    demand_factor: Optional[NonNegative] = None


class DemandRow(Row):
    """demand.csv, long format. With plant and use: that use's demand (m3/day) or a factor on its
    base demand; with a plant only: a factor on all its uses; with neither: a campus factor."""

    period: Name
    plant: Optional[Name] = None
    use: Optional[Name] = None
    demand_m3_per_day: Optional[NonNegative] = None
    factor: Optional[NonNegative] = None


class TrainPeriodRow(Row):
    """trains_by_period.csv: a train's capacity (0 for an outage) or recovery in one period."""

    period: Name
    train: Name
    capacity_m3_per_day: Optional[NonNegative] = None
    recovery: Optional[Recovery] = None


class TankRow(Row):
    """tanks.csv: `holds` is `recycled` (product water, after the trains) or `wastewater`
    (an equalisation basin, before the trains)."""

    tank: Name
    zone: Name
    holds: Literal["recycled", "wastewater"]
    capacity_m3: NonNegative
    initial_m3: NonNegative
    min_final_m3: NonNegative


class StageRow(Row):
    """stages.csv: a rationing stage and the fraction of the baseline tap supply it cuts."""

    stage: Name
    cut: Cut


class CurtailmentRow(Row):
    """curtailment.csv: priority class 1 is cut last; `lost_value_per_m3` is the money lost per
    m3 of demand not supplied (used when shortage is priced against cost)."""

    plant: Name
    use: Name
    priority: Priority
    lost_value_per_m3: Optional[NonNegative] = None


class TankerRow(Row):
    """tankers.csv: trucked water, delivered as tap-quality water to uses in `zones` (`;`-separated;
    blank means every zone)."""

    tanker: Name
    capacity_m3_per_day: NonNegative
    price_per_m3: NonNegative
    zones: Optional[Name] = None


class BoostRow(Row):
    """boosts.csv: a train may run at a higher `recovery` for an extra cost per m3 of feed, in the
    listed `periods` (`;`-separated; blank means every period)."""

    train: Name
    recovery: Recovery
    extra_cost_per_m3: NonNegative
    periods: Optional[Name] = None


class RationingSettings(BaseModel):
    """rationing.toml. Its presence enables rationing (shortage variables)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    baseline_m3_per_day: Optional[NonNegative] = None
    fair_share: StrictBool = False
    price_shortage: StrictBool = False
    cut: Optional[Cut] = None


__all__ = ["PeriodRow", "DemandRow", "TrainPeriodRow", "TankRow", "StageRow", "CurtailmentRow",
           "TankerRow", "BoostRow", "RationingSettings", "Fraction"]
