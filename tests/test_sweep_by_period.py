"""A warm sweep of a case whose data vary by period: each period's entries are moved to that
period's value, as a cold build of the scenario would set them (model/solve/warm.py)."""
from __future__ import annotations

import pytest

from model.case import load_case
from model.case.scenarios import Parameter, Scenario, Sweep
from model.studies.sweep import run_sweep
from period_casefiles import write_case


def test_sweeping_a_recovery_keeps_a_period_s_own_recovery(tmp_path):
    # ONE_USE (demand 100, all returned, K = 1, train T at 0.5): least tap = 100 / (1 + r).
    # Period b (2 days) has its own recovery 0.2 (trains_by_period.csv), which `recovery:T`
    # (the train's recovery in treatment.csv) leaves alone. Scenario recovery:T = 0.6:
    #   a: tap 100 / 1.6 = 62.5,       recycled 0.6 x 62.5 = 37.5
    #   b: tap 100 / 1.2 = 83.333...,  recycled 0.2 x 83.333... = 16.666...
    #   day-weighted: tap (62.5 + 2 x 83.333...) / 3 = 76.3888..., recycled (37.5 + 2 x
    #   16.666...) / 3 = 23.6111...
    # Scenario recovery:T = 0.5 (the base): a 100 / 1.5 = 66.666..., b as above:
    #   tap (66.666... + 2 x 83.333...) / 3 = 77.777...
    case = load_case(write_case(tmp_path, {
        "periods.csv": "period,days\na,1\nb,2\n",
        "trains_by_period.csv": "period,train,recovery\nb,T,0.2\n"}))
    recovery = Parameter("recovery", "T")
    rows = run_sweep(case, Sweep((recovery,), (Scenario("s0", ((recovery, 0.6),)),
                                               Scenario("s1", ((recovery, 0.5),)))))
    assert [r.status for r in rows] == ["optimal", "optimal"]
    assert rows[0].figures["tap_m3_per_day"] == pytest.approx((62.5 + 2 * 100 / 1.2) / 3,
                                                              rel=1e-9)
    assert rows[0].figures["recycled_m3_per_day"] == pytest.approx(
        (37.5 + 2 * 0.2 * 100 / 1.2) / 3, rel=1e-9)
    assert rows[1].figures["tap_m3_per_day"] == pytest.approx(
        (100 / 1.5 + 2 * 100 / 1.2) / 3, rel=1e-9)


def test_sweeping_a_capacity_keeps_a_period_s_own_capacity(tmp_path):
    # ONE_USE with a = 1, K = 1, r = 0.5: tap = 100 - 0.5 x feed, feed <= min(C, tap); the return
    # limit is C = 100 / 1.5 = 66.67. Period b (2 days) has its own capacity of 20
    # (trains_by_period.csv), which `capacity:T` leaves alone. Scenario capacity:T = 40:
    #   a: tap 100 - 0.5 x 40 = 80;   b: 100 - 0.5 x 20 = 90;   day-weighted (80 + 180) / 3
    case = load_case(write_case(tmp_path, {
        "periods.csv": "period,days\na,1\nb,2\n",
        "trains_by_period.csv": "period,train,capacity_m3_per_day\nb,T,20\n"}))
    capacity = Parameter("capacity", "T")
    rows = run_sweep(case, Sweep((capacity,), (Scenario("s0", ((capacity, 40.0),)),
                                               Scenario("s1", ((capacity, 1000.0),)))))
    assert [r.status for r in rows] == ["optimal", "optimal"]
    assert rows[0].figures["tap_m3_per_day"] == pytest.approx((80 + 2 * 90) / 3, rel=1e-9)
    # ample capacity in a: its least tap 100 / 1.5; b still at 20
    assert rows[1].figures["tap_m3_per_day"] == pytest.approx((100 / 1.5 + 2 * 90) / 3,
                                                              rel=1e-9)


def test_a_swept_tap_cap_reaches_the_periods_after_one_with_its_own_cap(tmp_path):
    # Period a has its own cap of 80 (periods.csv), b none. Least tap 100 / 1.5 = 66.67 in each.
    # tap_cap = 60 caps b (a keeps its own 80): b cannot meet its demand without shortage, so
    # the scenario is infeasible; tap_cap = 70 leaves every period feasible at 66.67.
    case = load_case(write_case(tmp_path, {
        "periods.csv": "period,days,tap_cap_m3_per_day\na,1,80\nb,2,\n"}))
    cap = Parameter("tap_cap")
    rows = run_sweep(case, Sweep((cap,), (Scenario("s0", ((cap, 60.0),)),
                                          Scenario("s1", ((cap, 70.0),)))))
    assert [r.status for r in rows] == ["infeasible", "optimal"]
    assert rows[1].figures["tap_m3_per_day"] == pytest.approx(100 / 1.5, rel=1e-9)


def test_a_warm_model_refuses_a_parameter_it_cannot_move():
    from model.bundled import bundled_case
    from model.formulation import build_model
    from model.solve.warm import WarmLP
    f = build_model(load_case(bundled_case()))
    with pytest.raises(ValueError, match=r"^no warm re-solve for parameters \['colour'\]$"):
        WarmLP(f, frozenset({"capacity", "colour"}))


def test_sweeping_the_demand_keeps_a_period_s_own_demand(tmp_path):
    # ONE_USE (least tap D / 1.5) with P/rinse at 200 m3/day in period b (demand.csv). Scenario
    # demand_factor = 1.2: a 120 / 1.5 = 80, b 240 / 1.5 = 160; day-weighted (80 + 2 x 160) / 3
    case = load_case(write_case(tmp_path, {
        "periods.csv": "period,days\na,1\nb,2\n",
        "demand.csv": "period,plant,use,demand_m3_per_day,factor\nb,P,rinse,200,\n"}))
    factor = Parameter("demand_factor")
    rows = run_sweep(case, Sweep((factor,), (Scenario("s0", ((factor, 1.2),)),
                                             Scenario("s1", ((factor, 1.0),)))))
    assert [r.status for r in rows] == ["optimal", "optimal"]
    assert rows[0].figures["tap_m3_per_day"] == pytest.approx((80 + 2 * 160) / 3, rel=1e-9)
    assert rows[1].figures["tap_m3_per_day"] == pytest.approx((100 + 2 * 200) / 1.5 / 3,
                                                              rel=1e-9)


def test_a_given_rationing_baseline_is_kept_by_a_warm_sweep(tmp_path):
    # ONE_USE (least tap 66.67) rationed against a given baseline of 80 m3/day (rationing.toml),
    # not the least tap. cut 0.25: cap 0.75 x 80 = 60, so P/rinse (100, supplies 1.5 x tap) is
    # short 100 - 1.5 x 60 = 10 m3/day; cut 0: no cap, no shortage. Against the least tap the
    # cut would give a cap of 50 and 25 short.
    case = load_case(write_case(tmp_path, {"rationing.toml": "baseline_m3_per_day = 80\n"}))
    cut = Parameter("cut")
    rows = run_sweep(case, Sweep((cut,), (Scenario("s0", ((cut, 0.25),)),
                                          Scenario("s1", ((cut, 0.0),)))))
    assert [r.status for r in rows] == ["optimal", "optimal"]
    assert rows[0].figures["tap_m3_per_day"] == pytest.approx(60, rel=1e-9)
    assert rows[0].figures["shortage_m3"] == pytest.approx(10, rel=1e-9)
    assert rows[1].figures["shortage_m3"] == pytest.approx(0, abs=1e-9)


def test_a_scenario_solved_again_warm_takes_no_iteration_in_any_stage(monkeypatch):
    # the point of a warm model: every stage of a scenario solved a second time, unchanged,
    # starts from the basis it ended with (dual simplex) and is optimal at once. A stage that
    # went cold instead (a basis not kept or not used, another method) iterates, or does not
    # pass through the warm path at all.
    from model.bundled import bundled_case
    from model.formulation import build_model
    from model.solve import warm as warm_module
    case = load_case(bundled_case())
    f = build_model(case)
    warm = warm_module.WarmLP(f, frozenset({"capacity", "recovery"}))
    first = warm.solve(case)
    assert first.status == "optimal"
    seen = []

    def counted(lp, label):
        outcome = real_run(lp, label)
        info = lp.highs.getInfo()
        seen.append((label, outcome.text, info.simplex_iteration_count + info.ipm_iteration_count))
        return outcome

    real_run = warm_module.run
    monkeypatch.setattr(warm_module, "run", counted)
    again = warm.solve(case)
    assert again.status == "optimal"
    assert seen == [(name, "optimal", 0) for name in f.stages.names]


def test_an_infeasible_scenario_reports_the_least_tap_with_its_emergency_supply(tmp_path):
    # ONE_USE with a recovery boost of T to 0.8 (boosts.csv): the least tap is 100 / 1.8 = 55.56
    # (66.67 without the boost). A tap cap of 50 leaves no plan; the row says how much tap the
    # scenario needs at least, boost included, as a cold solve of it does.
    from model.studies.sweep import cold_row
    case = load_case(write_case(tmp_path, {
        "boosts.csv": "train,recovery,extra_cost_per_m3\nT,0.8,5\n"}))
    cap = Parameter("tap_cap")
    sweep = Sweep((cap,), (Scenario("s0", ((cap, 50.0),)), Scenario("s1", ((cap, 60.0),))))
    rows = run_sweep(case, sweep)
    assert [r.status for r in rows] == ["infeasible", "optimal"]
    assert rows[0].least_tap_m3_per_day == pytest.approx(100 / 1.8, rel=1e-9)
    assert cold_row(case, sweep.scenarios[0]).least_tap_m3_per_day == pytest.approx(
        100 / 1.8, rel=1e-9)
    assert rows[1].figures["tap_m3_per_day"] == pytest.approx(100 / 1.8, rel=1e-9)
