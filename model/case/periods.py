"""Read the optional time line of a case: periods.csv, demand.csv and trains_by_period.csv.

A case without periods.csv is one steady period of one day ("steady"). Periods come in time
order; dated periods must follow each other without gaps. demand.csv sets a use's demand
(m3/day) or multiplies it by a factor (per use, per plant or for the campus; factors that apply
together multiply); trains_by_period.csv sets a train's capacity (0: an outage) or recovery.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from model.case.core import Core
from model.case.objects import STEADY, Period, PeriodData
from model.case.rows import DemandRow, PeriodRow, TrainPeriodRow
from model.case.tables import CaseFolder, Namespace, Table


@dataclass(frozen=True)
class Timeline:
    """The periods (None: no periods.csv, the steady day) and the per-period overrides (None:
    no override at all)."""

    periods: tuple[Period, ...] | None
    by_period: PeriodData | None

    @property
    def stage_by_period(self) -> dict[str, str]:
        return {} if self.by_period is None else self.by_period.stage


def read_periods(folder: CaseFolder, core: Core) -> Timeline:
    """Read the three time-line files; defines the period names. Needs the stage names."""
    table = folder.table(PeriodRow)
    if table.present:
        folder.names["period"] = Namespace.of(table, ("period",), "period is not in periods.csv")
    else:
        folder.names["period"] = Namespace.fixed(
            [STEADY], "period is not in periods.csv, which is missing")
    if table.empty:
        folder.problems.add(table.file, "no periods are listed")
    _check_dates(folder, table)

    data = PeriodData()
    for _, r in table.rows:
        if r.start is not None:
            data.starts[r.period] = r.start
        if r.tap_cap_m3_per_day is not None:
            data.tap_cap_m3_per_day[r.period] = r.tap_cap_m3_per_day
        if r.stage is not None:
            data.stage[r.period] = r.stage
    factors = {(u.plant, u.use, r.period): r.demand_factor for _, r in table.rows
               if r.demand_factor is not None for u in core.uses}
    _read_demand(folder, core, data, factors)
    data.demand_factor.update(factors)
    _read_trains_by_period(folder, data)

    periods = tuple(Period(r.period, r.days) for _, r in table.rows) or None
    has_overrides = periods is not None or any(vars(data).values())
    return Timeline(periods, data if has_overrides else None)


def _check_dates(folder: CaseFolder, table: Table[PeriodRow]) -> None:
    """Start dates for every period or for none; dated periods last whole days and each starts
    the day the one before it ends. A period is compared only with the row just above it: a
    rejected row in between is reported already, and comparing across it would blame the next
    one."""
    rows = table.parsed
    dated = [r.start is not None for _, r in rows]
    if any(dated) and not all(dated):
        folder.problems.add(table.file, "give a start date for every period or for none", None,
                            "start")
        return
    if not rows or not all(dated):
        return
    for (before_line, before), (line, r) in zip(rows, rows[1:]):
        if not table.adjacent(before_line, line) or before.days != int(before.days):
            continue
        expected = before.start + timedelta(days=int(before.days))
        if r.start != expected:
            folder.problems.add(
                table.file, f"must start the day period '{before.period}' ends "
                f"({expected.isoformat()}): periods may not overlap or leave gaps",
                line, "start", r.start.isoformat())
    for line, r in rows:
        if r.days != int(r.days):
            folder.problems.add(table.file, "a dated period lasts whole days", line, "days",
                                r.days)


def _read_demand(folder: CaseFolder, core: Core, data: PeriodData,
                 factors: dict[tuple[str, str, str], float]) -> None:
    """demand.csv into `data.demand_m3_per_day` and `factors` (use, period) -> factor."""
    table = folder.table(DemandRow)
    # the rules of a row's own cells hold whether or not its names are known
    for line, r in table.parsed:
        if (r.demand_m3_per_day is None) == (r.factor is None):
            folder.problems.add(table.file, "give exactly one of demand_m3_per_day and factor",
                                line, "factor")
        elif r.use is not None and r.plant is None:
            folder.problems.add(table.file, "a use needs its plant", line, "plant")
        elif r.demand_m3_per_day is not None and r.use is None:
            folder.problems.add(table.file, "a demand in m3/day needs a plant and a use; "
                                "use factor for a plant or the campus", line,
                                "demand_m3_per_day", r.demand_m3_per_day)
        elif not table.accepted(line):
            continue
        elif r.demand_m3_per_day is not None:
            data.demand_m3_per_day[r.plant, r.use, r.period] = r.demand_m3_per_day
        else:
            for u in core.uses:  # a factor multiplies every other factor that applies
                if r.plant in (None, u.plant) and r.use in (None, u.use):
                    key = (u.plant, u.use, r.period)
                    factors[key] = factors.get(key, 1.0) * r.factor


def _read_trains_by_period(folder: CaseFolder, data: PeriodData) -> None:
    """trains_by_period.csv into `data.capacity_m3_per_day` and `data.recovery`."""
    table = folder.table(TrainPeriodRow)
    for line, r in table.parsed:
        if r.capacity_m3_per_day is None and r.recovery is None:
            folder.problems.add(table.file, "give capacity_m3_per_day, recovery or both", line)
        if not table.accepted(line):
            continue
        if r.capacity_m3_per_day is not None:
            data.capacity_m3_per_day[r.train, r.period] = r.capacity_m3_per_day
        if r.recovery is not None:
            data.recovery[r.train, r.period] = r.recovery
