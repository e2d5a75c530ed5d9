"""Periods, time-varying data and storage: hand-worked cases, validation, invariants."""
from __future__ import annotations

import pytest

from model import CaseError, InfeasibleError, load_case, plan
from period_casefiles import write_case
from tests.case_workbook import check_workbook_counterpart

TWO_DAYS = "period,days,tap_cap_m3_per_day\np1,1,\np2,1,50\n"


def test_steady_case_has_one_period_with_volumes(tmp_path):
    r = plan(load_case(write_case(tmp_path, {})))
    # least tap = D / (1 + r) = 100 / 1.5
    assert r.summary.tap_m3 == pytest.approx(100 / 1.5, rel=1e-9)
    assert [p.period for p in r.summary.periods] == ["steady"]
    assert r.summary.shortage_m3 == 0.0 and r.summary.tanker_m3 == 0.0


def test_demand_factor_and_train_outage_by_period(tmp_path):
    case = load_case(write_case(tmp_path, {
        "periods.csv": "period,start,days,demand_factor\njan,2021-01-01,31,1.0\n"
                       "feb,2021-02-01,28,0.5\n",
        "trains_by_period.csv": "period,train,capacity_m3_per_day\nfeb,T,0\n",
    }))
    r = plan(case)
    per = {p.period: p for p in r.summary.periods}
    # jan: 100 / 1.5 m3/day for 31 days; feb: demand 50, train out, all tap, 28 days
    assert per["jan"].tap_m3 == pytest.approx(31 * 100 / 1.5, rel=1e-9)
    assert per["feb"].tap_m3 == pytest.approx(28 * 50.0, rel=1e-9)
    assert per["feb"].start == "2021-02-01"
    assert r.summary.tap_m3 == pytest.approx(31 * 100 / 1.5 + 28 * 50, rel=1e-9)


def test_demand_per_use_and_recovery_by_period(tmp_path):
    case = load_case(write_case(tmp_path, {
        "periods.csv": "period,days\na,1\nb,2\n",
        "demand.csv": "period,plant,use,demand_m3_per_day,factor\nb,P,rinse,60,\n",
        "trains_by_period.csv": "period,train,recovery\nb,T,0.2\n",
    }))
    per = {p.period: p for p in plan(case).summary.periods}
    # b: tap = 60 / (1 + 0.2) = 50 m3/day for 2 days
    assert per["b"].tap_m3 == pytest.approx(2 * 50.0, rel=1e-9)


def test_cap_without_storage_or_rationing_is_infeasible(tmp_path):
    # p2 needs 100 / 1.5 = 66.7 m3/day of tap but the cap is 50: exit 3, with the numbers
    with pytest.raises(InfeasibleError, match="66.7"):
        plan(load_case(write_case(tmp_path, {"periods.csv": TWO_DAYS})))


def test_recycled_tank_carries_water_into_a_capped_period(tmp_path):
    case = load_case(write_case(tmp_path, {
        "periods.csv": TWO_DAYS,
        "tanks.csv": "tank,zone,holds,capacity_m3,initial_m3,min_final_m3\nR,1,recycled,25,0,0\n",
    }))
    r = plan(case)
    per = {p.period: p for p in r.summary.periods}
    # p2: tap 50 gives 0.5 * 50 = 25 recycled; the other 25 come from the tank.
    # p1: tap1 + d1 = 100 and d1 + 25 (to the tank) <= 0.5 tap1  ->  tap1 = 125 / 1.5
    assert per["p2"].tap_m3 == pytest.approx(50.0, rel=1e-9)
    assert per["p1"].tap_m3 == pytest.approx(125 / 1.5, rel=1e-9)
    levels = r.tank_levels.set_index("period").end_level_m3
    assert levels["p1"] == pytest.approx(25.0, rel=1e-9)
    assert levels["p2"] == pytest.approx(0.0, abs=1e-9)


def test_wastewater_basin_shifts_feed_to_a_period_with_spare_capacity(tmp_path):
    case = load_case(write_case(tmp_path, {
        "treatment.csv": "train,capacity_m3_per_day,recovery,zones,cost_per_m3\nT,40,0.5,1,0\n",
        "periods.csv": "period,days,demand_factor\np1,1,1.0\np2,1,0.4\n",
        "tanks.csv": "tank,zone,holds,capacity_m3,initial_m3,min_final_m3\nB,1,wastewater,20,0,0\n",
    }))
    per = {p.period: p for p in plan(case).summary.periods}
    # p1: demand 100, feed capped at 40 -> recycled 20, tap 80 (wastewater 80, 40 spare)
    # p2: demand 40, feed 40 (= 20 own wastewater + 20 from the basin) -> recycled 20, tap 20
    # without the basin p2 would need 40 / 1.5 = 26.7 of tap
    assert per["p1"].tap_m3 == pytest.approx(80.0, rel=1e-9)
    assert per["p2"].tap_m3 == pytest.approx(20.0, rel=1e-9)


def test_tank_minimum_final_level_is_kept(tmp_path):
    # the tank starts with 30 m3 and must end with 10: 20 m3 to spend in one steady day
    case = load_case(write_case(tmp_path, {
        "tanks.csv": "tank,zone,holds,capacity_m3,initial_m3,min_final_m3\nR,1,recycled,40,30,10\n",
    }))
    r = plan(case)
    # demand 100 = tap + 0.5 tap + 20 from the tank  ->  tap = 80 / 1.5
    assert r.summary.tap_m3 == pytest.approx(80 / 1.5, rel=1e-9)
    assert r.tank_levels.end_level_m3.iloc[0] == pytest.approx(10.0, rel=1e-9)


def test_every_period_problem_is_reported_at_once(tmp_path):
    folder = write_case(tmp_path, {
        "periods.csv": "period,start,days,stage\na,2021-01-01,31,\nb,2021-02-02,28,purple\n"
                       "a,2021-03-02,3,\n",
        "demand.csv": "period,plant,use,demand_m3_per_day,factor\nzzz,P,rinse,1,\n"
                      "a,P,rinse,1,2\na,,rinse,,2\na,Q,,,2\na,P,,5,\n",
        "trains_by_period.csv": "period,train,capacity_m3_per_day\na,X,5\nb,T,\n",
        "tanks.csv": "tank,zone,holds,capacity_m3,initial_m3,min_final_m3\n"
                     "T,9,ice,1,2,3\nK,1,recycled,10,20,0\n",
        "boosts.csv": "train,recovery,extra_cost_per_m3\nT,0.4,1\n",
        "stages.csv": "stage,cut\nred,1.5\n",
    })
    with pytest.raises(CaseError) as err:
        load_case(folder)
    check_workbook_counterpart(folder, err.value.problems)  # the same case as a workbook
    text = str(err.value)
    for expected in [
        "duplicate period", "must start the day period 'a' ends (2021-02-01)",
        "stage is not in the stage table", "period is not in periods.csv",
        "give exactly one of demand_m3_per_day and factor", "a use needs its plant",
        "plant is not in plants.csv", "a demand in m3/day needs a plant and a use",
        "train is not in treatment.csv", "give capacity_m3_per_day, recovery or both",
        "tanks.csv, line 2, column 'holds'", "tanks.csv, line 3, column 'initial_m3'",
        "a boost must raise the train's recovery", "stages.csv, line 2, column 'cut'",
    ]:
        assert expected in text, expected


def test_tank_balance_and_caps_recomputed_from_output(tmp_path):
    case = load_case(write_case(tmp_path, {
        "periods.csv": "period,days,tap_cap_m3_per_day,demand_factor\n"
                       "p1,3,,1.0\np2,2,55,1.1\np3,4,,0.8\n",
        "tanks.csv": "tank,zone,holds,capacity_m3,initial_m3,min_final_m3\n"
                     "R,1,recycled,60,10,5\nB,1,wastewater,30,0,0\n",
    }))
    r = plan(case)
    tanks = r.tank_levels
    for name, g in tanks.groupby("tank", sort=False):
        level = g.initial_m3.iloc[0]
        for row in g.itertuples():
            level += row.days * (row.charge_m3_per_day - row.discharge_m3_per_day)
            assert row.end_level_m3 == pytest.approx(level, rel=1e-7, abs=1e-6)
            assert -1e-9 <= row.end_level_m3 <= row.capacity_m3 + 1e-6
    periods = r.periods
    capped = periods.dropna(subset=["tap_cap_m3_per_day"])
    assert (capped.tap_m3_per_day <= capped.tap_cap_m3_per_day * (1 + 1e-9)).all()
    # no rationing: every use's demand is met in every period (tap + recycled incl. tank water)
    assert list(r.uses.supplied_m3_per_day) == pytest.approx(list(r.uses.demand_m3_per_day),
                                                             rel=1e-9)
    assert list(r.uses.demand_m3_per_day) == pytest.approx([100, 110, 80], rel=1e-12)


def test_a_tank_without_treatment_is_an_input_error(tmp_path):
    # max_recycles = 0: nothing is treated, so a tank could hold no generation of water
    folder = write_case(tmp_path, {
        "case.toml": 'name = "no-treatment"\nmax_recycles = 0\n',
        "tanks.csv": "tank,zone,holds,capacity_m3,initial_m3,min_final_m3\nR,1,recycled,50,0,0\n"})
    with pytest.raises(CaseError) as err:
        load_case(folder)
    check_workbook_counterpart(folder, err.value.problems)  # the same case as a workbook
    (p,) = err.value.problems
    assert (p.file, p.column, p.value) == ("tanks.csv", "tank", "R")
    assert "max_recycles >= 1" in p.rule


@pytest.mark.parametrize("column, value", [("demand_m3_per_day", "-60"), ("factor", "-0.5"),
                                           ("factor", "2_0")])
def test_a_negative_or_malformed_demand_in_demand_csv_is_an_input_error(tmp_path, column, value):
    row = {"demand_m3_per_day": "", "factor": "", column: value}
    folder = write_case(tmp_path, {
        "periods.csv": "period,days\na,1\n",
        "demand.csv": "period,plant,use,demand_m3_per_day,factor\n"
                      f"a,P,rinse,{row['demand_m3_per_day']},{row['factor']}\n"})
    with pytest.raises(CaseError) as err:
        load_case(folder)
    check_workbook_counterpart(folder, err.value.problems)  # the same case as a workbook
    (p,) = err.value.problems
    assert (p.file, p.row, p.column, p.value) == ("demand.csv", 2, column, value)
    # the whole allowed range: a demand is a flow, a factor at most 1000 (model.case.rows)
    bounded = "must be in [0, 1e+09]" if column == "demand_m3_per_day" else "must be in [0, 1000]"
    assert p.rule == ("must be a number" if "_" in value else bounded)


def test_a_shutdown_period_with_no_demand_plans_nothing_and_the_rest_as_usual(tmp_path):
    # two plants of 100 and 50 m3/day on one train (recovery 0.5, K = 1, all water returned):
    # running, the least tap is 150 / 1.5 = 100 m3/day with 50 recycled; in a 5-day shutdown
    # (demand factor 0) nothing is drawn or recycled. The shutdown's common tap share has no
    # demand to multiply, so the compiler drops its column: the model still loads and solves
    r = plan(load_case(write_case(tmp_path, {
        "plants.csv": "plant,zone\nP,1\nQ,1\n",
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    "P,rinse,100,1.0,\nQ,rinse,50,1.0,\n",
        "periods.csv": "period,days,demand_factor\nrun,10,1\nshutdown,5,0\n"})))
    periods = r.periods.set_index("period")
    assert periods.loc["run", "tap_m3_per_day"] == pytest.approx(100.0, rel=1e-9)
    assert periods.loc["run", "recycled_m3_per_day"] == pytest.approx(50.0, rel=1e-9)
    assert periods.loc["shutdown", ["tap_m3_per_day", "recycled_m3_per_day"]].tolist() == [0, 0]
    assert r.summary.tap_m3 == pytest.approx(1000.0, rel=1e-9)
