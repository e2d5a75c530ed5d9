"""Marginal values against finite differences beyond the steady one-train case: per period on
a multi-period case with a tank, per train on a case with two trains, and on a case whose
quality limit binds (tests/test_marginal_values.py covers the steady NTIP cases).

A finite difference re-solves the case with one right-hand side moved and reads the tap
stage's own optimum (`total_tap_m3`, m3 over the horizon). A capacity step of delta m3/day in
period t changes it by about days_t x delta x capacity_value; a recovery step of 0.01
percentage point by days_t x 0.01 x recovery_value. Tap is piecewise linear in a capacity, so
away from a breakpoint the one-sided differences equal the dual; it is not linear in recovery
(recovery multiplies feed), so there the one-sided differences bracket the value and their
midpoint matches it closely.
"""
import dataclasses

import pytest

from model import load_case, plan
from model.bundled import bundled_case
from model.case import PeriodData
from model.formulation import build_model
from model.solve import solve
from period_casefiles import write_case
from quality_helpers import with_limit
from tests.factory import make_case

DELTA = 0.5      # m3/day of capacity
STEP = 1e-4      # recovery (0.01 percentage point)


def tap_m3(case) -> float:
    return solve(build_model(case)).objectives["total_tap_m3"]


def with_period_value(case, field: str, train: str, period: str, value: float):
    data = case.by_period or PeriodData()
    changed = {**getattr(data, field), (train, period): value}
    return dataclasses.replace(case, by_period=dataclasses.replace(data, **{field: changed}))


def check_train(case, train_name: str, period: str, days: float, row) -> None:
    """capacity_value and recovery_value of one train in one period against re-solves."""
    base = tap_m3(case)
    train = next(t for t in case.trains if t.name == train_name)
    cap, r = case.capacity(train, period), case.recovery(train, period)
    up = (base - tap_m3(with_period_value(case, "capacity_m3_per_day", train_name, period,
                                          cap + DELTA))) / (days * DELTA)
    down = (tap_m3(with_period_value(case, "capacity_m3_per_day", train_name, period,
                                     cap - DELTA)) - base) / (days * DELTA)
    assert row.capacity_value == pytest.approx(up, rel=1e-6, abs=1e-6)
    assert row.capacity_value == pytest.approx(down, rel=1e-6, abs=1e-6)
    r_up = (base - tap_m3(with_period_value(case, "recovery", train_name, period, r + STEP))) \
        / (days * STEP * 100)
    r_down = (tap_m3(with_period_value(case, "recovery", train_name, period, r - STEP))
              - base) / (days * STEP * 100)
    assert min(r_up, r_down) - 1e-6 <= row.recovery_value <= max(r_up, r_down) + 1e-6
    assert row.recovery_value == pytest.approx((r_up + r_down) / 2, rel=1e-4, abs=1e-6)


def test_marginal_values_per_period_with_a_tank(tmp_path):
    # ONE_USE (D = 100, a = 1, r = 0.5, K = 1) with 45 m3/day of capacity, over a 31-, 28- and
    # 30-day period with demand x1.0, x1.3, x0.7, and a recycled-water tank of 400 m3 that can
    # carry product from one period into a later one: a period's capacity is worth what it
    # saves in that period and, through the tank, in the next.
    case = load_case(write_case(tmp_path, {
        "treatment.csv": "train,capacity_m3_per_day,recovery,zones,cost_per_m3\nT,45,0.5,1,0\n",
        "periods.csv": "period,days,demand_factor\njan,31,1.0\nfeb,28,1.3\nmar,30,0.7\n",
        "tanks.csv": "tank,zone,holds,capacity_m3,initial_m3,min_final_m3\nR,1,recycled,400,0,0\n",
    }))
    trains = plan(case).trains.set_index("period")
    assert (trains.capacity_value > 0).any()  # the case exercises a binding capacity
    for p in case.periods:
        check_train(case, "T", p.name, p.days, trains.loc[p.name])


def test_marginal_values_of_two_trains():
    # Two zones; T1 serves both, T2 only zone 2; both short of capacity, different recoveries,
    # so each train's extra m3/day saves a different amount of tap.
    case = make_case([("A", "rinse", "1", 1000, 0.9, None), ("A", "scrub", "1", 400, 0.6, 1),
                      ("B", "rinse", "2", 800, 0.95, None), ("B", "cool", "2", 300, 0.2, None)],
                     [("T1", 500, 0.7, ("1", "2"), 10.0), ("T2", 300, 0.8, ("2",), 20.0)],
                     max_recycles=2)
    trains = plan(case).trains.set_index("train")
    assert (trains.capacity_value > 0).all()
    for name in ("T1", "T2"):
        check_train(case, name, "steady", 1.0, trains.loc[name])


def test_marginal_values_where_a_quality_limit_binds():
    # The default case with K14's product at 400 ppm TDS, above the rinses' 300 ppm inlet
    # limit and the tap's 250: a rinse takes recycled water only as far as tap dilutes it, so
    # the limit binds, and K14 is cut to 15,000 m3/day so that capacity binds too.
    case = load_case(bundled_case("ntip-2019-phase2"))
    q = case.quality
    q = dataclasses.replace(q, product_ppm={**q.product_ppm, ("K14", "TDS"): 400.0})
    (k14,) = case.trains
    case = dataclasses.replace(case, quality=q, trains=(
        dataclasses.replace(k14, capacity_m3_per_day=15000.0),))
    r = plan(case)
    binding = [b for b in r.summary.quality.binding_quality_limits if b["kind"] == "use inlet"]
    assert binding
    check_train(case, "K14", "steady", 1.0, r.trains.set_index("train").loc["K14"])
    base = tap_m3(case)
    for b in binding[:2]:  # the two most valuable limits: relax each by 0.01 ppm
        looser = with_limit(case, (b["plant"], b["use"]), b["contaminant"], b["limit_ppm"] + 0.01)
        assert b["tap_saved_per_ppm"] == pytest.approx((base - tap_m3(looser)) / 0.01,
                                                       rel=1e-4, abs=1e-4)


def test_a_quality_limits_value_is_per_day_in_periods_of_many_days():
    # The case above over two periods of 31 and 28 days with the same data: each period is the
    # steady plan again, so each binding limit is worth the same tap m3/day per ppm in each,
    # and relaxing the limit by 0.01 ppm (in both periods, a limit is per use) saves
    # (31 + 28) days x 0.01 x that value of tap m3 over the horizon. A value per period's
    # total (not divided by its days) would be 31 or 28 times larger.
    from model.case.objects import Period
    case = load_case(bundled_case("ntip-2019-phase2"))
    q = case.quality
    q = dataclasses.replace(q, product_ppm={**q.product_ppm, ("K14", "TDS"): 400.0})
    (k14,) = case.trains
    steady = dataclasses.replace(case, quality=q, trains=(
        dataclasses.replace(k14, capacity_m3_per_day=15000.0),))
    months = dataclasses.replace(steady, periods=(Period("jan", 31.0), Period("feb", 28.0)))
    key = ["plant", "use", "contaminant"]
    once = plan(steady).quality.set_index(key)
    table = plan(months).quality
    binding = table[table.binding]
    assert set(binding.period) == {"jan", "feb"}
    base = tap_m3(months)
    for (plant, use, j), rows in list(binding.groupby(key))[:2]:
        by_period = rows.set_index("period").tap_saved_per_ppm
        assert by_period["jan"] == pytest.approx(once.loc[(plant, use, j), "tap_saved_per_ppm"],
                                                 rel=1e-6)
        assert by_period["feb"] == pytest.approx(by_period["jan"], rel=1e-6)
        limit = rows.max_inlet_ppm.iloc[0]
        looser = with_limit(months, (plant, use), j, limit + 0.01)
        assert 31 * by_period["jan"] + 28 * by_period["feb"] == pytest.approx(
            (base - tap_m3(looser)) / 0.01, rel=1e-4, abs=1e-4)
        assert by_period["jan"] > 0
