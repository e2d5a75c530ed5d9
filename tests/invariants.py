"""Physics recomputed from the files `--out` writes, with pandas, independently of the model.

`check_physics(case, out_dir)` reads the CSV tables and summary.json a plan wrote and checks
what any plan of `case` must obey, using only the case's data and the rows of those files:

- signs: no negative flow, level or shortage;
- demand: per use and period, the allocation rows plus the shortage add up to the demand of
  the case (summed from the rows, not taken from any summary);
- sources: tap and trucked water are generation 0, no use gets water treated more often than
  it accepts, recycled water only from a train or tank serving the use's zone, trucks only to
  their zones and within their capacity;
- treatment: per train and period, feed within capacity; per train, period and pass,
  delivered <= recovery x fed (the boost recovery where a boost applies); per period, product
  delivered plus product put into tanks <= recovery x fed over all trains;
- wastewater: per zone, generation and period, wastewater collected (fed to trains or reused
  directly) <= wastewater returned (return fraction x water supplied, from the rows);
- tanks: each level = previous level + days x (charge - discharge), starting from the case's
  initial contents, with a recycled tank's discharge summed from the allocation rows; within
  [0, capacity]; the last level at least the case's minimum;
- caps: tap per period (from the rows) within the cap the case and the rationing baseline set;
- holding and money: days without shortage from the shortage rows, the cost recomputed from
  prices x volumes, and no trucked water in a period where tap is uncapped and cheaper.

Boosts: trains.csv carries the boosted feed (`boosted_feed_m3_per_day`), so the per-train bound
is recovery x fed + (boost recovery - recovery) x boosted feed, and the cost bound uses it.

The agreement between the reports themselves (summary vs tables) is
`tests/reconcile.py::check_reconciliation(out_dir)`, called at the end of `check_physics`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import pytest

from tests.reconcile import check_reconciliation

TOL = 1e-6  # m3/day: HiGHS's primal feasibility tolerance is 1e-7 on each row
REL = 1e-7


def close_below(value: float, bound: float) -> bool:
    return value <= bound + REL * abs(bound) + TOL


@dataclass
class Out:
    """What `--out` wrote: the tables by file stem, and the summary."""

    summary: dict
    tables: dict[str, pd.DataFrame]

    def __getattr__(self, name: str) -> pd.DataFrame:
        try:
            return self.tables[name]
        except KeyError:
            raise AttributeError(name) from None


def read_out(out_dir: Path) -> Out:
    names = {c: str for c in ("plant", "use", "zone", "period", "source", "train", "tank")}
    tables = {p.stem: pd.read_csv(p, dtype=names) for p in Path(out_dir).glob("*.csv")}
    return Out(json.loads((Path(out_dir) / "summary.json").read_text()), tables)


def _days(case) -> dict[str, float]:
    return {p.name: p.days for p in case.periods}


def _shortage(o: Out) -> pd.Series:
    if "shortages" not in o.tables:
        return pd.Series(dtype=float)
    return o.shortages.set_index(["plant", "use", "period"]).shortage_m3_per_day


def check_signs(o: Out) -> None:
    assert (o.allocation.m3_per_day >= -TOL).all()
    assert (o.feeds.m3_per_day >= -TOL).all()
    assert (_shortage(o) >= -TOL).all()
    if "tank_levels" in o.tables:
        assert (o.tank_levels.end_level_m3 >= -TOL).all()


def check_demand(case, o: Out) -> None:
    """Supplied (allocation rows) + shortage = demand, per use and period; shortage only under
    rationing, and never more than the demand; the campus demand of each period in periods.csv
    is the case's."""
    supplied = o.allocation.groupby(["plant", "use", "period"]).m3_per_day.sum()
    short = _shortage(o)
    rationed = case.rationing is not None and case.rationing.enabled
    assert rationed or short.abs().sum() <= TOL
    operations = case.quality.operations if case.quality is not None else {}
    reported = o.uses.set_index(["plant", "use", "period"]).demand_m3_per_day
    for u in case.uses:
        for p in case.periods:
            key = (u.plant, u.use, p.name)
            # an operation's demand is its decided flow: the only demand not in the case data
            demand = reported[key] if u.key in operations else case.demand(u, p.name)
            s = float(short.get(key, 0.0))
            assert s <= demand + TOL
            assert supplied.get(key, 0.0) + s == pytest.approx(demand, rel=REL, abs=TOL), key
    # the periods file's campus demand: the case's demand of every use in that period
    campus = o.periods.set_index("period").demand_m3_per_day
    for p in case.periods:
        expected = sum(case.demand(u, p.name) for u in case.uses)
        assert campus[p.name] == pytest.approx(expected, rel=REL, abs=TOL), p.name


def check_sources(case, o: Out) -> None:
    a = o.allocation
    uses = {u.key: u for u in case.uses}
    trains = {t.name: t for t in case.trains}
    tanks = {t.name: t for t in case.tanks}
    tankers = {t.name: t for t in case.emergency.tankers}
    kind = a.source.str.split(":").str[0]
    assert (a.generation[kind.isin(["tap", "tanker"])] == 0).all()
    limit = [uses[p, u].max_recycles for p, u in zip(a.plant, a.use)]
    assert (a.generation <= limit).all()
    for row in a[~kind.isin(["tap", "tanker", "direct"])].itertuples():
        if row.source in trains:
            assert row.zone in trains[row.source].zones, row
        else:
            assert tanks[row.source].zone == row.zone and tanks[row.source].holds == "recycled"
    trucked = a[kind == "tanker"]
    for row in trucked.itertuples():
        assert row.zone in tankers[row.source.split(":", 1)[1]].zones, row
    for (source, period), m3 in trucked.groupby(["source", "period"]).m3_per_day.sum().items():
        assert close_below(m3, tankers[source.split(":", 1)[1]].capacity_m3_per_day)
    direct = a[kind == "direct"]
    links = set(case.quality.links) if case.quality is not None else set()
    # `direct:<plant>/<use>` whole: a plant or use name may hold '/'
    giver_of = {f"direct:{u.plant}/{u.use}": u.key for u in case.uses}
    for row in direct.itertuples():
        giver = giver_of[row.source]
        assert (giver, (row.plant, row.use)) in links, row


def _boost(case, train: str, period: str):
    for b in case.emergency.boosts:
        if b.train == train and (not b.periods or period in b.periods):
            return b
    return None


def check_treatment(case, o: Out) -> None:
    """Capacity, and product <= recovery x feed (boost included) per pass and per period; the
    recovery and capacity trains.csv states are the case's in each period."""
    f, a = o.feeds, o.allocation
    trains = {t.name: t for t in case.trains}
    assert all(z in trains[s].zones for s, z in zip(f.train, f.zone))
    assert (f.generation < case.max_recycles).all()
    fed = f.groupby(["train", "period", "generation"]).m3_per_day.sum()
    delivered = a[a.source.isin(trains)].groupby(["source", "period", "generation"]) \
        .m3_per_day.sum()
    boosted_feed = o.trains.set_index(["train", "period"]).get("boosted_feed_m3_per_day")
    # the trains file states each period's own recovery and capacity, as the case gives them
    for row in o.trains.itertuples():
        assert row.recovery == pytest.approx(case.recovery(trains[row.train], str(row.period)),
                                             rel=1e-12), (row.train, row.period)
        assert row.capacity_m3_per_day == pytest.approx(
            case.capacity(trains[row.train], str(row.period)), rel=1e-12), (row.train, row.period)
    charged = o.tank_levels[o.tank_levels.holds == "recycled"].groupby("period") \
        .charge_m3_per_day.sum() if "tank_levels" in o.tables else pd.Series(dtype=float)
    for p in case.periods:
        t = p.name
        made = used = 0.0
        for s, train in trains.items():
            fed_st = fed.loc[s, t] if (s, t) in fed.index.droplevel(2) else pd.Series(dtype=float)
            assert close_below(float(fed_st.sum()), case.capacity(train, t))
            r, boost = case.recovery(train, t), _boost(case, s, t)
            best = max(r, boost.recovery) if boost else r
            for g in range(case.max_recycles):
                out = float(delivered.get((s, t, g + 1), 0.0))
                assert close_below(out, best * float(fed_st.get(g, 0.0))), (s, t, g)
                used += out
            bound = best * float(fed_st.sum())
            if boosted_feed is not None:  # the boosted share is known: the exact bound
                bound = r * float(fed_st.sum()) + (best - r) * float(boosted_feed[s, t])
            made += bound
        assert close_below(used + float(charged.get(t, 0.0)), made), t


def check_wastewater(case, o: Out) -> None:
    """Wastewater collected <= wastewater returned, per zone, generation and period. Where a
    basin stores wastewater, per zone and period over the treatable generations, with its net
    charge; per generation, the basin's whole discharge may add to what is returned."""
    a = o.allocation
    ret = {u.key: u.return_fraction for u in case.uses}
    zone_of = {u.key: u.zone for u in case.uses}
    a = a.assign(returned=[ret[p, u] * m3 for p, u, m3 in zip(a.plant, a.use, a.m3_per_day)])
    returned = a.groupby(["zone", "period", "generation"]).returned.sum()
    direct = a[a.source.str.startswith("direct:")]
    direct = direct.assign(from_zone=[zone_of[tuple(s[len("direct:"):].split("/", 1))]
                                      for s in direct.source])
    taken = pd.concat([
        o.feeds.groupby(["zone", "period", "generation"]).m3_per_day.sum(),
        direct.groupby(["from_zone", "period", "generation"]).m3_per_day.sum()
        .rename_axis(["zone", "period", "generation"])]).groupby(level=[0, 1, 2]).sum()
    basins = o.tank_levels[o.tank_levels.holds == "wastewater"] \
        if "tank_levels" in o.tables else pd.DataFrame(columns=["zone", "period"])
    net = basins.assign(net=basins.charge_m3_per_day - basins.discharge_m3_per_day) \
        .groupby(["zone", "period"]).net.sum() if len(basins) else pd.Series(dtype=float)
    out = basins.groupby(["zone", "period"]).discharge_m3_per_day.sum() \
        if len(basins) else pd.Series(dtype=float)
    for (z, t, g), m3 in taken.items():
        assert close_below(m3, returned.get((z, t, g), 0.0) + float(out.get((z, t), 0.0))), \
            (z, t, g)
    for (z, t), n in net.items():
        treatable = range(case.max_recycles)
        took = sum(float(taken.get((z, t, g), 0.0)) for g in treatable)
        back = sum(float(returned.get((z, t, g), 0.0)) for g in treatable)
        assert close_below(took + n, back), (z, t)


def check_tanks(case, o: Out) -> None:
    if not case.tanks:
        assert "tank_levels" not in o.tables
        return
    levels = o.tank_levels.set_index(["tank", "period"])
    from_tank = o.allocation.groupby(["source", "period"]).m3_per_day.sum()
    days = _days(case)
    for tank in case.tanks:
        level = tank.initial_m3
        for p in case.periods:
            row = levels.loc[tank.name, p.name]
            discharge = float(from_tank.get((tank.name, p.name), 0.0)) \
                if tank.holds == "recycled" else row.discharge_m3_per_day
            level += days[p.name] * (row.charge_m3_per_day - discharge)
            assert row.end_level_m3 == pytest.approx(level, rel=REL, abs=TOL * days[p.name]), \
                (tank.name, p.name)
            assert close_below(row.end_level_m3, tank.capacity_m3)
        assert row.end_level_m3 >= tank.min_final_m3 - TOL


def with_baseline(case, o: Out):
    """The case with the rationing baseline the plan reports, when the case leaves it to be
    computed (the least tap without caps): the caps of the plan are then known."""
    r = case.rationing
    if r is not None and r.enabled and r.baseline_m3_per_day is None:
        case = replace(case, rationing=replace(
            r, baseline_m3_per_day=o.summary["rationing"]["baseline_m3_per_day"]))
    return case


def check_caps(case, o: Out) -> None:
    """Tap per period within the cap set by the case and, under rationing, by the baseline."""
    a = o.allocation
    tap = a[a.source == "tap"].groupby("period").m3_per_day.sum()
    reported = o.periods.set_index("period").tap_cap_m3_per_day
    for p in case.periods:
        cap = case.tap_cap(p.name)
        if cap is None:
            assert pd.isna(reported[p.name])
            continue
        assert reported[p.name] == pytest.approx(cap, rel=1e-12)
        assert close_below(float(tap.get(p.name, 0.0)), cap), p.name


def check_holding_and_money(case, o: Out) -> None:
    """Days without shortage, the cost from prices, and no needless trucks."""
    days = _days(case)
    short = _shortage(o).groupby(level="period").sum() if len(_shortage(o)) else {}

    def noise_m3(t: str) -> float:
        # a shortage within the stage holds is not a shortage (README: 1e-9 of the period's
        # demand, at least 1e-6 m3): later stages may trade that much for less tap
        return max(1e-6, 1e-9 * days[t] * sum(case.demand(u, t) for u in case.uses))
    first = next((p.name for p in case.periods
                  if days[p.name] * float(short.get(p.name, 0.0)) > noise_m3(p.name)), None)
    held = sum(days[p.name] for p in case.periods[:[p.name for p in case.periods].index(first)]) \
        if first is not None else case.total_days
    assert o.summary["days_without_shortage"] == pytest.approx(held, rel=1e-12)
    assert o.summary["first_shortage_period"] == first

    a, f = o.allocation, o.feeds
    kind = a.source.str.split(":").str[0]
    price = {f"tanker:{t.name}": t.price_per_m3 for t in case.emergency.tankers}
    tap_price = case.tap_price_per_m3 or 0.0
    a_days = a.period.map(days).astype(float)
    trucked = a[kind == "tanker"]
    for row in trucked.itertuples():  # an m3 of tap does what an m3 trucked in does
        if case.tap_cap(row.period) is None and price[row.source] > tap_price:
            assert row.m3_per_day <= TOL, row
    if o.summary["cost"] is None:
        assert not case.costed
        return
    cost_of = {t.name: t.cost_per_m3 for t in case.trains}
    money = float((a.m3_per_day * a_days)[kind == "tap"].sum()) * tap_price
    money += float((trucked.m3_per_day * a_days[kind == "tanker"]
                    * trucked.source.map(price).astype(float)).sum())
    money += float((f.m3_per_day * f.period.map(days).astype(float)
                    * f.train.map(cost_of).astype(float)).sum())
    extra = sum(b.extra_cost_per_m3 * float((f.m3_per_day * f.period.map(days).astype(float))[
        (f.train == b.train) & (f.period.isin(b.periods) if b.periods else True)].sum())
        for b in case.emergency.boosts)
    assert money - TOL * case.total_days <= o.summary["cost"] * (1 + REL)
    assert close_below(o.summary["cost"], money + extra + TOL * case.total_days)


def check_physics(case, out_dir: Path) -> None:
    """Every check above on the files a plan of `case` wrote into `out_dir`."""
    o = read_out(out_dir)
    assert o.summary["status"] == "optimal"
    check_signs(o)
    check_demand(case, o)
    check_sources(case, o)
    check_treatment(case, o)
    check_wastewater(case, o)
    check_tanks(case, o)
    case = with_baseline(case, o)
    check_caps(case, o)
    check_holding_and_money(case, o)
    check_reconciliation(out_dir)  # the reports agree with each other (tests/reconcile.py)
