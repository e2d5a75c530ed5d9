"""Read the optional multi-period, storage and drought files of a case folder.

`read_timeline(folder, plants, uses, trains, problems)` validates every optional file (see
`model.periods_schema`) and its cross-references, appends every problem found, and returns the
extra `Case` fields. With none of the files present it returns the steady-state defaults.
"""
from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

from pydantic import ValidationError

from model.errors import Problem
from model.periods_schema import (BoostRow, CurtailmentRow, DemandRow, PeriodRow,
                                  RationingSettings, StageRow, TankerRow, TankRow,
                                  TrainPeriodRow)
from model.schema import _pydantic_problems, read_table
from model.case.objects import (TWC_STAGES, Boost, Emergency, Period, PeriodData, Rationing,
                                Tank, Tanker)


def _first_seen(rows, key, file: str, what: str, problems: list[Problem]) -> list:
    """Rows whose key was not seen before; a repeated key is a problem naming the first line."""
    seen: dict = {}
    kept = []
    for line, row in rows:
        k = key(row)
        if k in seen:
            problems.append(Problem(file, f"duplicate {what}; first given on line {seen[k]}",
                                    line, what, "/".join(str(x) for x in k if x is not None)))
        else:
            seen[k] = line
            kept.append((line, row))
    return kept


def _periods(folder: Path, stages: dict[str, float], problems: list[Problem]):
    rows = read_table(folder, "periods.csv", PeriodRow, problems, required=False)
    if rows is None:
        return None, []
    if not rows:
        problems.append(Problem("periods.csv", "no periods are listed"))
        return None, []
    rows = _first_seen(rows, lambda r: (r.period,), "periods.csv", "period", problems)
    dated = [r.start is not None for _, r in rows]
    if any(dated) and not all(dated):
        problems.append(Problem("periods.csv", "give a start date for every period or for none",
                                None, "start"))
    elif all(dated):
        for (_, prev), (line, r) in zip(rows, rows[1:]):
            if prev.days != int(prev.days):
                continue
            expected = prev.start + timedelta(days=int(prev.days))
            if r.start != expected:
                problems.append(Problem(
                    "periods.csv", f"must start the day period '{prev.period}' ends "
                    f"({expected.isoformat()}): periods may not overlap or leave gaps",
                    line, "start", r.start.isoformat()))
        for line, r in rows:
            if r.days != int(r.days):
                problems.append(Problem("periods.csv", "a dated period lasts whole days", line,
                                        "days", r.days))
    for line, r in rows:
        if r.stage is not None and r.stage not in stages:
            problems.append(Problem("periods.csv", "stage is not in the stage table "
                                    f"({', '.join(stages)})", line, "stage", r.stage))
    periods = tuple(Period(r.period, r.days) for _, r in rows)
    return periods, [r for _, r in rows]


def read_timeline(folder: Path, plants: dict, uses: list, trains: list,
                  problems: list[Problem]) -> dict:
    """The extra Case fields from the optional files, or {} for a steady-state case."""
    zones = {p.zone for p in plants.values()}
    use_keys = {u.key: u for u in uses}
    train_of = {t.name: t for t in trains}
    out: dict = {}

    stages = dict(TWC_STAGES)
    stage_rows = read_table(folder, "stages.csv", StageRow, problems, required=False)
    if stage_rows is not None:
        stage_rows = _first_seen(stage_rows, lambda r: (r.stage,), "stages.csv", "stage",
                                 problems)
        stages = {r.stage: r.cut for _, r in stage_rows}

    periods, period_rows = _periods(folder, stages, problems)
    names = {p.name for p in periods} if periods else {"steady"}
    if periods is not None:
        out["periods"] = periods

    data = PeriodData()
    for r in period_rows:
        if r.start is not None:
            data.starts[r.period] = r.start
        if r.tap_cap_m3_per_day is not None:
            data.tap_cap_m3_per_day[r.period] = r.tap_cap_m3_per_day
        if r.stage is not None:
            data.stage[r.period] = r.stage

    def known_period(file: str, line: int, value: str) -> bool:
        if value in names:
            return True
        where = "periods.csv" if periods is not None else "periods.csv, which is missing"
        problems.append(Problem(file, f"period is not in {where}", line, "period", value))
        return False

    factors = {(u.plant, u.use, r.period): r.demand_factor for r in period_rows
               if r.demand_factor is not None for u in uses}
    demand_rows = read_table(folder, "demand.csv", DemandRow, problems, required=False) or []
    demand_rows = _first_seen(demand_rows, lambda r: (r.period, r.plant, r.use), "demand.csv",
                              "period/plant/use", problems)
    for line, r in demand_rows:
        if not known_period("demand.csv", line, r.period):
            continue
        if (r.demand_m3_per_day is None) == (r.factor is None):
            problems.append(Problem("demand.csv", "give exactly one of demand_m3_per_day and "
                                    "factor", line, "factor"))
            continue
        if r.use is not None and r.plant is None:
            problems.append(Problem("demand.csv", "a use needs its plant", line, "plant"))
            continue
        if r.plant is not None and r.plant not in plants:
            problems.append(Problem("demand.csv", "plant is not in plants.csv", line, "plant",
                                    r.plant))
            continue
        if r.use is not None and (r.plant, r.use) not in use_keys:
            problems.append(Problem("demand.csv", "use is not in uses.csv", line, "use", r.use))
            continue
        if r.demand_m3_per_day is not None:
            if r.use is None:
                problems.append(Problem("demand.csv", "a demand in m3/day needs a plant and a "
                                        "use; use factor for a plant or the campus", line,
                                        "demand_m3_per_day", r.demand_m3_per_day))
                continue
            data.demand_m3_per_day[r.plant, r.use, r.period] = r.demand_m3_per_day
            continue
        for u in uses:  # a factor multiplies every other factor that applies
            if (r.plant in (None, u.plant)) and (r.use in (None, u.use)):
                key = (u.plant, u.use, r.period)
                factors[key] = factors.get(key, 1.0) * r.factor
    data.demand_factor.update(factors)

    tp_rows = read_table(folder, "trains_by_period.csv", TrainPeriodRow, problems,
                         required=False) or []
    tp_rows = _first_seen(tp_rows, lambda r: (r.period, r.train), "trains_by_period.csv",
                          "period/train", problems)
    for line, r in tp_rows:
        if not known_period("trains_by_period.csv", line, r.period):
            continue
        if r.train not in train_of:
            problems.append(Problem("trains_by_period.csv", "train is not in treatment.csv",
                                    line, "train", r.train))
            continue
        if r.capacity_m3_per_day is None and r.recovery is None:
            problems.append(Problem("trains_by_period.csv", "give capacity_m3_per_day, "
                                    "recovery or both", line))
        if r.capacity_m3_per_day is not None:
            data.capacity_m3_per_day[r.train, r.period] = r.capacity_m3_per_day
        if r.recovery is not None:
            data.recovery[r.train, r.period] = r.recovery
    if periods is not None or any(vars(data).values()):
        out["by_period"] = data

    tank_rows = read_table(folder, "tanks.csv", TankRow, problems, required=False) or []
    tank_rows = _first_seen(tank_rows, lambda r: (r.tank,), "tanks.csv", "tank", problems)
    tanks = []
    for line, r in tank_rows:
        ok = True
        if r.zone not in zones:
            problems.append(Problem("tanks.csv", "zone has no plant in plants.csv", line, "zone",
                                    r.zone))
            ok = False
        if r.tank in train_of:
            problems.append(Problem("tanks.csv", "a tank may not share a train's name", line,
                                    "tank", r.tank))
            ok = False
        for col in ("initial_m3", "min_final_m3"):
            if getattr(r, col) > r.capacity_m3:
                problems.append(Problem("tanks.csv", "exceeds capacity_m3", line, col,
                                        getattr(r, col)))
                ok = False
        if ok:
            tanks.append(Tank(r.tank, r.zone, r.holds, r.capacity_m3, r.initial_m3,
                              r.min_final_m3))
    if tanks:
        out["tanks"] = tuple(tanks)

    tankers = []
    tanker_rows = read_table(folder, "tankers.csv", TankerRow, problems, required=False) or []
    for line, r in _first_seen(tanker_rows, lambda r: (r.tanker,), "tankers.csv", "tanker",
                               problems):
        served = tuple(z.strip() for z in (r.zones or "").split(";") if z.strip()) \
            or tuple(sorted(zones))
        bad = [z for z in served if z not in zones]
        for z in bad:
            problems.append(Problem("tankers.csv", "zone has no plant in plants.csv", line,
                                    "zones", z))
        tankers.append(Tanker(r.tanker, r.capacity_m3_per_day, r.price_per_m3, served))
    boosts = []
    boost_rows = read_table(folder, "boosts.csv", BoostRow, problems, required=False) or []
    for line, r in _first_seen(boost_rows, lambda r: (r.train,), "boosts.csv", "train",
                               problems):
        when = tuple(p.strip() for p in (r.periods or "").split(";") if p.strip())
        if r.train not in train_of:
            problems.append(Problem("boosts.csv", "train is not in treatment.csv", line,
                                    "train", r.train))
            continue
        for p in when:
            known_period("boosts.csv", line, p)
        if r.recovery <= train_of[r.train].recovery:
            problems.append(Problem("boosts.csv", "a boost must raise the train's recovery "
                                    f"above {train_of[r.train].recovery}", line, "recovery",
                                    r.recovery))
        boosts.append(Boost(r.train, r.recovery, r.extra_cost_per_m3, when))
    if tankers or boosts:
        out["emergency"] = Emergency(tuple(tankers), tuple(boosts))

    priority, value = {}, {}
    cur_rows = read_table(folder, "curtailment.csv", CurtailmentRow, problems,
                          required=False) or []
    for line, r in _first_seen(cur_rows, lambda r: (r.plant, r.use), "curtailment.csv", "use",
                               problems):
        if (r.plant, r.use) not in use_keys:
            problems.append(Problem("curtailment.csv", "use is not in uses.csv", line, "use",
                                    f"{r.plant}/{r.use}"))
            continue
        priority[r.plant, r.use] = r.priority
        if r.lost_value_per_m3 is not None:
            value[r.plant, r.use] = r.lost_value_per_m3

    settings = None
    path = folder / "rationing.toml"
    if path.is_file():
        try:
            settings = RationingSettings.model_validate(
                tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            problems.append(Problem("rationing.toml", f"not valid TOML: {exc}"))
        except ValidationError as exc:
            problems.extend(_pydantic_problems("rationing.toml", None, exc))
    if settings is not None and settings.price_shortage:
        missing = [f"{p}/{u}" for p, u in use_keys if (p, u) not in value]
        if missing:
            problems.append(Problem(
                "curtailment.csv", "price_shortage = true needs lost_value_per_m3 for every "
                f"use; missing for {', '.join(missing[:5])}"
                + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""),
                None, "lost_value_per_m3"))
    if stage_rows is not None or data.stage or priority or settings is not None:
        s = settings or RationingSettings()
        out["rationing"] = Rationing(
            enabled=settings is not None or bool(data.stage),
            stages=stages, stage_by_period=dict(data.stage), cut_all=s.cut,
            cut_label=None if s.cut is None else f"cut {s.cut:g}",
            baseline_m3_per_day=s.baseline_m3_per_day,
            baseline_source="given" if s.baseline_m3_per_day is not None else "computed",
            fair_share=s.fair_share, price_shortage=s.price_shortage,
            priority=priority, lost_value_per_m3=value)
    return out
