"""Rationing: priority order, fair share (by each period's demand), tanker break-even, largest
uniform cut, invariants."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from model import InfeasibleError, load_case, plan
from model.cli import main
from model.studies import largest_uniform_cut, with_cut
from model.formulation import HoldRule
from model.results.drought import truckloads
from model.results.report import text_report
from period_casefiles import write_case

TAP_ABS_TOL_M3, TAP_REL_TOL = HoldRule().abs_m3, HoldRule().rel  # the stage hold rule

# Each lexicographic stage is held at its optimum plus max(TAP_ABS_TOL_M3, TAP_REL_TOL x optimum)
# (model.solve), so a later stage may move an earlier stage's volume by up to that much: volumes
# are compared with that absolute slack on top of rel=1e-9. Every stage objective in these small
# cases is below 1e4 m3.
HELD = 2 * max(TAP_ABS_TOL_M3, TAP_REL_TOL * 1e4)

# Two uses at one plant. A returns all its water and may take once-treated water (train at 50%,
# ample capacity): its least tap is 60 / 1.5 = 40. B is tap only: 40. Baseline tap = 80.
TWO_USES = {
    "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                "P,A,60,1.0,\nP,B,40,0.0,0\n",
}


def shortages(r):
    df = r.shortages
    return dict(zip(df.use, df.shortage_m3_per_day)), dict(zip(df.use, df.shortage_fraction))


def test_cut_creates_shortage_and_reports_the_computed_baseline(tmp_path):
    # least shortage alone (fair sharing off): the arithmetic below
    case = with_cut(load_case(write_case(tmp_path, TWO_USES)), cut=0.25, fair_share=False)
    r = plan(case)
    assert r.summary.rationing.baseline_m3_per_day == pytest.approx(80.0, rel=1e-9)
    assert r.summary.rationing.baseline_source.startswith("computed")
    # cap 0.75 x 80 = 60. Least shortage: cutting B frees 1 m3 tap per m3, cutting A only 2/3,
    # so B is cut by 80 - 60 = 20 and A is untouched.
    short, _ = shortages(r)
    assert short["B"] == pytest.approx(20.0, rel=1e-9, abs=HELD)
    assert short["A"] == pytest.approx(0.0, abs=HELD)
    assert r.summary.shortage_m3_per_day == pytest.approx(20.0, rel=1e-9, abs=HELD)
    assert r.summary.tap_m3 == pytest.approx(60.0, rel=1e-9, abs=HELD)


def test_priority_class_one_is_cut_last(tmp_path):
    case = with_cut(load_case(write_case(tmp_path, {
        **TWO_USES, "curtailment.csv": "plant,use,priority\nP,A,2\nP,B,1\n"})), cut=0.25)
    r = plan(case)
    short, _ = shortages(r)
    # B (class 1) is protected; A (class 2) must free 20 m3 of tap: supplied A needs 1/1.5 tap
    # per m3, so A supplies 20 * 1.5 = 30 less: shortage 30.
    assert short["B"] == pytest.approx(0.0, abs=HELD)
    assert short["A"] == pytest.approx(30.0, rel=1e-9, abs=HELD)
    # and shortages.csv states each use's class, as curtailment.csv gives it
    assert dict(zip(r.shortages.use, r.shortages.priority)) == {"A": 2, "B": 1}


def test_fair_share_cuts_every_use_of_a_class_by_the_same_fraction(tmp_path):
    case = with_cut(load_case(write_case(tmp_path, {
        **TWO_USES, "rationing.toml": "fair_share = true\n"})), cut=0.25)
    short, fraction = shortages(plan(case))
    # equal fraction f: tap = 40 (1 - f) + 40 (1 - f) = 60  ->  f = 0.25
    # The largest-cut stage is held within TAP_ABS_TOL_M3 (as a fraction), so the least-shortage
    # stage may cut B by up to 40 x that more, freeing tap that spares A 1.5 times as much.
    fair = 2 * 1.5 * 40 * TAP_ABS_TOL_M3
    assert fraction["A"] == pytest.approx(0.25, rel=1e-9, abs=fair / 60)
    assert fraction["B"] == pytest.approx(0.25, rel=1e-9, abs=fair / 40)
    assert short["A"] == pytest.approx(15.0, rel=1e-9, abs=fair)


def test_fair_share_is_max_min_and_cuts_no_use_needlessly(tmp_path):
    # TWO_USES in zone 1 plus use C (50, tap only) at plant Q in zone 2, which a truck serving
    # zone 2 alone can supply in full. Baseline = 40 + 40 + 50 = 130; a 50% cut caps tap at 65.
    # C needs no tap (trucked), so only A and B share the cap: 40 (1 - f) + 40 (1 - f) = 65
    # -> f = 15 / 80 = 0.1875. Forcing every use of the class to the same fraction would also cut
    # C by 0.1875 for nothing; max-min then least shortage leaves C whole.
    case = with_cut(load_case(write_case(tmp_path, {
        "plants.csv": "plant,zone\nP,1\nQ,2\n",
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    "P,A,60,1.0,\nP,B,40,0.0,0\nQ,C,50,0.0,0\n",
        "tankers.csv": "tanker,capacity_m3_per_day,price_per_m3,zones\ntruck,100,1,2\n",
        "rationing.toml": "fair_share = true\n"})), cut=0.5)
    r = plan(case)
    short, fraction = shortages(r)
    assert r.summary.rationing.baseline_m3_per_day == pytest.approx(130, rel=1e-9)
    fair = 2 * 1.5 * 40 * TAP_ABS_TOL_M3  # as in the test above
    assert fraction["A"] == pytest.approx(0.1875, rel=1e-9, abs=fair / 60)
    assert fraction["B"] == pytest.approx(0.1875, rel=1e-9, abs=fair / 40)
    assert short.get("C", 0.0) == pytest.approx(0.0, abs=HELD)
    assert r.summary.tanker_m3 == pytest.approx(50, rel=1e-9, abs=HELD)


def test_fair_share_is_a_fraction_of_each_period_s_demand(tmp_path):
    # Two tap-only uses of 40 m3/day in one class, fair share; in p2 (red, cut 40%) A's
    # demand doubles to 80. Baseline = day-weighted least tap (80 + 120) / 2 = 100, so p2's
    # tap is capped at 60 and 120 - 60 = 60 goes short. One fraction f of each use's p2
    # demand: 80 f + 40 f = 60 -> f = 0.5: A short 40, B short 20. (A fraction of the base
    # demands would give 40 f + 40 f = 60, f = 0.75: A and B short 30 each.) p1 has no cut.
    case = load_case(write_case(tmp_path, {
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    "P,A,40,0.0,0\nP,B,40,0.0,0\n",
        "periods.csv": "period,days,stage\np1,1,blue\np2,1,red\n",
        "stages.csv": "stage,cut\nblue,0\nred,0.4\n",
        "demand.csv": "period,plant,use,demand_m3_per_day,factor\np2,P,A,,2\n",
        "rationing.toml": "fair_share = true\n"}))
    df = plan(case).shortages.set_index(["period", "use"])
    fair = 2 * 120 * TAP_ABS_TOL_M3  # the fair-share hold moves a cut by at most this much
    short = df.shortage_m3_per_day
    assert short["p2", "A"] == pytest.approx(40.0, rel=1e-9, abs=fair + HELD)
    assert short["p2", "B"] == pytest.approx(20.0, rel=1e-9, abs=fair + HELD)
    assert df.shortage_fraction["p2", "A"] == pytest.approx(0.5, rel=1e-9, abs=fair / 40)
    assert df.shortage_fraction["p2", "B"] == pytest.approx(0.5, rel=1e-9, abs=fair / 40)
    assert short.get(("p1", "A"), 0.0) == pytest.approx(0.0, abs=HELD)
    assert short.get(("p1", "B"), 0.0) == pytest.approx(0.0, abs=HELD)


def test_stage_schedule_by_period_uses_the_stage_table(tmp_path):
    case = load_case(write_case(tmp_path, {
        **TWO_USES,
        "periods.csv": "period,start,days,stage\nw1,2023-03-01,7,blue\nw2,2023-03-08,7,orange\n",
        "stages.csv": "stage,cut\nblue,0\norange,0.1\n",
    }))
    r = plan(with_cut(case, fair_share=False))  # least shortage alone: the arithmetic below
    per = {p.period: p for p in r.summary.periods}
    # baseline 80; orange caps tap at 72: B is cut by 8 m3/day for 7 days
    assert per["w1"].shortage_m3 == pytest.approx(0.0, abs=HELD)
    assert per["w2"].shortage_m3 == pytest.approx(7 * 8.0, rel=1e-9, abs=HELD)
    assert per["w2"].stage == "orange"
    # the campus holds the 7 days of w1 and goes short from w2 on
    assert r.summary.days_without_shortage == 7
    assert r.summary.first_shortage_period == "w2"
    assert r.summary.first_shortage_start == "2023-03-08"


def test_given_baseline_is_used_and_reported(tmp_path):
    case = with_cut(load_case(write_case(tmp_path, {
        **TWO_USES, "rationing.toml": "baseline_m3_per_day = 90\n"})), stage="orange")
    r = plan(case)
    # cap 0.9 x 90 = 81 >= 80: no shortage
    assert r.summary.rationing.baseline_source == "given"
    assert r.summary.shortage_m3 == pytest.approx(0.0, abs=HELD)


# Tanker break-even. One use (D = 100, a = 1, K = 1, r = 0.5, treatment free): one extra m3 of
# fresh water supplies 1.5 m3 of demand, so a m3 of shortage is avoided with 2/3 m3 of trucked
# water. With shortage priced at V per m3 and trucks at P per m3, trucks pay when V > 2P/3.
PRICE = 30.0
BREAK_EVEN = PRICE * 2 / 3


def tanker_case(tmp_path, value: float):
    return with_cut(load_case(write_case(tmp_path, {
        "tankers.csv": f"tanker,capacity_m3_per_day,price_per_m3\ntruck,1000,{PRICE}\n",
        "curtailment.csv": f"plant,use,priority,lost_value_per_m3\nP,rinse,1,{value}\n",
        "rationing.toml": "price_shortage = true\n",
    })), cut=0.3)


EPS = 1e-3


@pytest.mark.parametrize("above", [True, False])
def test_tanker_break_even_against_shortage_value(tmp_path, above):
    value = BREAK_EVEN * (1 + EPS) if above else BREAK_EVEN * (1 - EPS)
    r = plan(tanker_case(tmp_path, value))
    # baseline 100 / 1.5; cap 0.7 of it = 46.67; the gap to the least tap is 0.3 x 66.67 = 20
    gap = 0.3 * 100 / 1.5
    # The tap stage holds cost within max(TAP_ABS_TOL_M3, TAP_REL_TOL x cost) of its optimum
    # (model.solve). Swapping 1 m3 of trucked water for 1.5 m3 of shortage changes cost by
    # 1.5 V - P = 30 EPS, so the tap stage may swap up to held / (30 EPS) m3: that, doubled, is
    # the absolute slack on volumes.
    held = max(TAP_ABS_TOL_M3, TAP_REL_TOL * abs(r.summary.cost))
    slack = 2 * held / (30 * EPS) * 1.5
    if above:
        assert r.summary.tanker_m3 == pytest.approx(gap, rel=1e-9, abs=slack)
        # 20 m3 of trucked water is one 20 t truck (Taiwan News 2021-03-04, data/README.md): 20 m3 over one day is one truck
        assert r.summary.tanker_trucks == pytest.approx(gap / 20, rel=1e-9, abs=slack)
        assert r.summary.periods[0].tanker_trucks_per_day == pytest.approx(1.0, rel=1e-6)
        # exactly one load, however the solver rounds the 20 m3 (20 + 1e-9 is not two trucks)
        assert r.summary.periods[0].tanker_truckloads_per_day == 1
        assert r.summary.tanker_truckloads == 1
        assert r.summary.shortage_m3 == pytest.approx(0.0, abs=slack)
    else:
        assert r.summary.tanker_m3 == pytest.approx(0.0, abs=slack)
        assert r.summary.shortage_m3 == pytest.approx(1.5 * gap, rel=1e-9, abs=slack)
    # the shortage table carries each use's value of lost water, as curtailment.csv gives it
    assert list(r.shortages.lost_value_per_m3) == pytest.approx([value] * len(r.shortages))
    # and the summary says the shortage was priced, as rationing.toml sets it
    assert r.summary.rationing.price_shortage is True


def test_without_priced_shortage_tankers_are_used_before_any_shortage(tmp_path):
    case = with_cut(load_case(write_case(tmp_path, {
        "tankers.csv": "tanker,capacity_m3_per_day,price_per_m3\ntruck,12,1500\n"})), cut=0.3)
    r = plan(case)
    # gap 20 m3/day of fresh water, trucks bring 12; the other 8 -> 8 x 1.5 = 12 m3 short
    assert r.summary.tanker_m3 == pytest.approx(12.0, rel=1e-9, abs=HELD)
    assert r.summary.shortage_m3 == pytest.approx(12.0, rel=1e-9, abs=HELD)
    assert r.summary.rationing.price_shortage is False
    # 12 m3 is 0.6 of a 20 t truck's volume, but it still takes one truck
    assert r.summary.tanker_trucks == pytest.approx(0.6, rel=1e-9)
    assert r.summary.tanker_truckloads == r.summary.periods[0].tanker_truckloads_per_day == 1
    assert "tanker 12 (1 truckloads of 20 t)" in text_report(r)


@pytest.mark.parametrize("m3_per_day, loads", [
    (0.0, 0), (1e-9, 0), (8.0, 1), (20.0, 1), (20.0 + 1e-7, 1), (20.5, 2), (25.0, 2),
    (40.0000001, 2), (45.0, 3), (-1e-12, 0)])
def test_truckloads_are_the_fewest_whole_20_t_loads_for_a_day(m3_per_day, loads):
    # a part-filled truck is a truck; 1e-6 of a load (2e-5 m3) is solver tolerance
    assert truckloads(np.array([m3_per_day]))[0] == loads


def test_a_period_s_truckloads_count_every_day_and_its_last_part_day(tmp_path):
    # trucks (21 m3/day) come before any shortage: the 0.7 cut leaves a gap of 46.7 m3/day, so
    # every period trucks 21 m3/day, 2 loads a day. Hand-worked loads: 2.5 days are 2 x 2 loads
    # plus the half day's 10.5 m3 (1 load) = 5; 0.9 days are 18.9 m3, 1 load (not
    # ceil(0.9 x 2) = 2); 30 days are 60. Horizon 66 loads, where m3 / 20 says 38.43 trucks.
    case = with_cut(load_case(write_case(tmp_path, {
        "tankers.csv": "tanker,capacity_m3_per_day,price_per_m3\ntruck,21,1500\n",
        "periods.csv": "period,days\na,2.5\nb,0.9\nc,30\n"})), cut=0.7)
    r = plan(case)
    per = {p.period: p for p in r.summary.periods}
    for name in "abc":
        assert per[name].tanker_m3 == pytest.approx(21.0 * per[name].days, rel=1e-9)
        assert per[name].tanker_truckloads_per_day == 2
    assert [int(r.periods.set_index("period").tanker_truckloads[p]) for p in "abc"] == [5, 1, 60]
    assert r.summary.tanker_truckloads == 66
    assert r.summary.tanker_trucks == pytest.approx(21.0 * 33.4 / 20, rel=1e-9)


def test_recovery_boost_replaces_shortage(tmp_path):
    case = with_cut(load_case(write_case(tmp_path, {
        "boosts.csv": "train,recovery,extra_cost_per_m3\nT,0.8,5\n"})), cut=0.1)
    r = plan(case)
    # boosted: tap = 100 / 1.8 = 55.6 <= cap 0.9 x 66.7 = 60, so no shortage
    assert r.summary.shortage_m3 == pytest.approx(0.0, abs=HELD)
    assert r.summary.tap_m3 == pytest.approx(100 / 1.8, rel=1e-9, abs=HELD)
    # the money spent is the boost's extra 5 per m3 on all 55.6 m3/day of feed (tap is free
    # here, and T's treatment costs 0): 5 x 100 / 1.8 = 277.8 over the one day
    assert r.trains.boosted_feed_m3_per_day.sum() == pytest.approx(100 / 1.8, rel=1e-9, abs=HELD)
    assert r.summary.cost == pytest.approx(5 * 100 / 1.8, rel=1e-9, abs=5 * HELD)


def test_binding_cap_without_rationing_stays_infeasible(tmp_path):
    with pytest.raises(InfeasibleError, match="minimum tap draw"):
        plan(load_case(write_case(tmp_path, {
            "case.toml": 'name = "c"\nmax_recycles = 1\n[tap]\ncap_m3_per_day = 50\n'})))


def test_largest_uniform_cut_matches_tanker_capacity_and_is_tight(tmp_path):
    folder = write_case(tmp_path, {
        "tankers.csv": "tanker,capacity_m3_per_day,price_per_m3\ntruck,10,1500\n"})
    case = load_case(folder)
    result = largest_uniform_cut(case)
    cut, baseline = result.largest_uniform_cut, result.largest_uniform_cut_baseline_m3_per_day
    # baseline = 100 / 1.5; trucks cover 10 m3/day of tap: c* = 10 / baseline = 0.15
    assert baseline == pytest.approx(100 / 1.5, rel=1e-9)
    assert cut == pytest.approx(0.15, rel=1e-9)
    at = plan(with_cut(case, cut=cut))
    assert at.summary.shortage_m3 == pytest.approx(0.0, abs=HELD)
    above = plan(with_cut(case, cut=cut + 1e-3))
    assert above.summary.shortage_m3 > 1e-3


def test_largest_uniform_cut_with_a_given_baseline(tmp_path):
    case = load_case(write_case(tmp_path, {"rationing.toml": "baseline_m3_per_day = 80\n"}))
    result = largest_uniform_cut(case)
    cut, baseline = result.largest_uniform_cut, result.largest_uniform_cut_baseline_m3_per_day
    # the least tap 66.67 must fit under (1 - c) x 80: c* = 1 - 66.67 / 80
    assert cut == pytest.approx(1 - (100 / 1.5) / 80, rel=1e-9)
    assert plan(with_cut(case, cut=cut + 1e-3)).summary.shortage_m3 > 0


def test_cli_cut_writes_period_tables_and_invariants_hold(tmp_path):
    folder = write_case(tmp_path / "case", {
        **TWO_USES,
        "periods.csv": "period,start,days,stage\nm1,2021-02-01,28,\nm2,2021-03-01,31,yellow\n"
                       "m3,2021-04-01,30,orange\n",
        "tanks.csv": "tank,zone,holds,capacity_m3,initial_m3,min_final_m3\nR,1,recycled,50,50,0\n",
        "tankers.csv": "tanker,capacity_m3_per_day,price_per_m3\ntruck,2,1500\n",
        "curtailment.csv": "plant,use,priority\nP,A,1\nP,B,2\n",
    })
    out = tmp_path / "out"
    assert main(["solve", str(folder), "--out", str(out), "--largest-cut"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    import pandas as pd
    periods = pd.read_csv(out / "periods.csv")
    assert (periods.tap_m3_per_day <= periods.tap_cap_m3_per_day.fillna(float("inf"))
            * (1 + 1e-9)).all()
    baseline = summary["rationing"]["baseline_m3_per_day"]  # the tank's 50 m3 lower it
    assert baseline < 80
    assert periods.tap_cap_m3_per_day.iloc[2] == pytest.approx(0.9 * baseline, rel=1e-9)
    uses = pd.read_csv(out / "uses.csv")
    short = pd.read_csv(out / "shortages.csv")
    both = uses.merge(short[["plant", "use", "period", "shortage_m3_per_day"]],
                      on=["plant", "use", "period"], suffixes=("", "_reported"))
    # supply = tap + trucked + recycled + direct reuse, and shortage + supply = demand, for every
    # use and period; the two tables agree on the shortage
    parts = (both.tap_m3_per_day + both.tanker_m3_per_day + both.recycled_m3_per_day
             + both.direct_reuse_m3_per_day)
    assert list(parts) == pytest.approx(list(both.supplied_m3_per_day), rel=1e-9, abs=HELD)
    total = both.supplied_m3_per_day + both.shortage_m3_per_day_reported
    assert list(total) == pytest.approx(list(both.demand_m3_per_day), rel=1e-9, abs=HELD)
    assert list(both.shortage_m3_per_day) == pytest.approx(
        list(both.shortage_m3_per_day_reported), rel=1e-9, abs=HELD)
    # campus water balance with storage: tap + trucked = consumed + discharged + storage gain
    days = periods.days.sum()
    bought = summary["tap_m3_per_day"] + summary["tanker_m3"] / days
    assert bought == pytest.approx(summary["consumed_m3_per_day"] + summary["discharged_m3_per_day"]
                                   + summary["storage_gain_m3_per_day"], rel=1e-9, abs=1e-6)
    assert sum(summary["discharge_breakdown_m3_per_day"].values()) == pytest.approx(
        summary["discharged_m3_per_day"], rel=1e-9, abs=1e-6)
    assert min(summary["discharge_breakdown_m3_per_day"].values()) >= -1e-6
    assert summary["shortage_m3"] == pytest.approx((periods.shortage_m3).sum(), rel=1e-9, abs=HELD)
    assert [p["period"] for p in summary["periods"]] == ["m1", "m2", "m3"]
    assert summary["periods"][1]["start"] == "2021-03-01"
    assert 0 <= summary["largest_uniform_cut"] < 1


def test_largest_cut_is_negative_when_the_peak_needs_more_than_the_baseline(tmp_path):
    # ONE_USE (least tap D / 1.5) over two one-day periods, demand 100 then 200: least taps
    # 66.67 and 133.33, day-weighted baseline 100. The peak already needs 133.33 = (1 - c) x 100
    # -> c = -1/3. The command still succeeds and reports it.
    folder = write_case(tmp_path / "case", {
        "periods.csv": "period,days,demand_factor\np1,1,1\np2,1,2\n"})
    out = tmp_path / "s.json"
    assert main(["solve", str(folder), "--json", str(out)]) == 0
    summary = json.loads(out.read_text())
    assert summary["largest_uniform_cut_baseline_m3_per_day"] == pytest.approx(100, rel=1e-9)
    assert summary["largest_uniform_cut"] == pytest.approx(-1 / 3, rel=1e-9)


def test_round_off_shortage_in_a_period_without_demand_is_no_shortage():
    # results.drought.holding: a period counts as short when its shortage exceeds 1e-9 of its
    # demand, and at least 1e-6 m3 (HiGHS's round-off on a volume). A period with no demand
    # whose shortage comes out at 1e-9 m3 is not short: the campus holds the whole 59 days;
    # 2 m3 short in the second period ends the hold after the first 31 days
    from model.results.drought import holding
    periods = pd.DataFrame({"period": ["jan", "feb"], "start": ["2021-01-01", "2021-02-01"],
                            "days": [31, 28], "demand_m3": [0.0, 2800.0],
                            "shortage_m3": [1e-9, 0.0]})
    assert holding(periods) == {"days_without_shortage": 59.0, "first_shortage_period": None,
                                "first_shortage_start": None}
    periods.loc[1, "shortage_m3"] = 2.0
    assert holding(periods) == {"days_without_shortage": 31.0, "first_shortage_period": "feb",
                                "first_shortage_start": "2021-02-01"}
    # exactly at the threshold is still round-off: 1e-6 m3 in January (no demand) and
    # 1e-9 x 2,800 = 2.8e-6 m3 in February
    periods["shortage_m3"] = [1e-6, 1e-9 * 2800.0]
    assert holding(periods)["days_without_shortage"] == 59.0


def test_a_single_period_under_a_tap_cap_reports_its_shortage_even_when_none():
    # one period, a tap cap of 1,000 m3/day and no rationing: the summary answers "how short?"
    # with 0 (least tap 200 m3/day: T + 0.5 T = 300, well under the cap), where a case with no
    # cap and no rationing leaves the question out (None)
    from tests.factory import make_case
    uses, trains = [("P", "rinse", "1", 300, 1.0, None)], [("T", 1e6, 0.5, ("1",), 1.0)]
    capped = plan(make_case(uses, trains, max_recycles=1, tap_cap=1000)).summary
    assert capped.tap_m3_per_day == pytest.approx(200.0, rel=1e-9)
    assert capped.shortage_m3_per_day == 0.0
    assert plan(make_case(uses, trains, max_recycles=1)).summary.shortage_m3_per_day is None


def test_a_single_period_capped_in_periods_csv_reports_its_shortage_even_when_none(tmp_path):
    # the same question when the one period's cap is in periods.csv, not in case.toml: a cap
    # of 1,000 m3/day on period_casefiles' one use (least tap 100 / 1.5 = 66.67, under it)
    # still makes the summary answer 0, not leave the question out
    case = load_case(write_case(tmp_path, {
        "periods.csv": "period,days,tap_cap_m3_per_day\nmonth,30,1000\n"}))
    assert case.tap_cap_m3_per_day is None and len(case.periods) == 1
    summary = plan(case).summary
    assert summary.tap_m3_per_day == pytest.approx(100 / 1.5, rel=1e-9)
    assert summary.shortage_m3_per_day == 0.0


def test_the_boost_recovery_is_shown_only_in_the_periods_the_boost_may_run():
    # the 2021 drought case: K14's boost to 80% recovery may run in the five periods boosts.csv
    # lists (2021-02-25 to 2021-06-01), not in the first (2021-02-01) nor the last
    # (2021-06-07); the trains table shows the boost recovery in those five and none outside
    from model.bundled import bundled_case
    listed = {"2021-02-25", "2021-03-01", "2021-04-01", "2021-05-01", "2021-06-01"}
    trains = plan(load_case(bundled_case("kaohsiung-2021-drought"))).trains
    assert set(trains.period) == listed | {"2021-02-01", "2021-06-07"}
    for row in trains.itertuples():
        if row.period in listed:
            assert row.boost_recovery == 0.8, row.period
        else:
            assert pd.isna(row.boost_recovery) and row.boosted_feed_m3_per_day == 0.0, row.period


@pytest.mark.parametrize("fair", [True, False])
def test_the_summary_lists_the_stages_solved_in_their_order(fair, tmp_path):
    # the default case's curtailment.csv has priority classes 1, 2 and 3; rationed, the plan
    # minimises each class's shortage in turn (class 1 is cut last), with fair sharing first
    # the largest cut all of the class's uses can share, then tap, cost and the even sharing
    # of plants; summary.json says so, in that order
    from model.bundled import bundled_case
    out = tmp_path / "summary.json"
    options = [] if fair else ["--no-fair-share"]
    assert main(["solve", str(bundled_case()), "--cut", "0.1", *options, "--no-largest-cut",
                 "--json", str(out)]) == 0
    stages = json.loads(out.read_text())["rationing"]["stages"]
    classes = [[f"largest_cut_priority_{k}", f"shortage_priority_{k}_m3"] if fair
               else [f"shortage_priority_{k}_m3"] for k in (1, 2, 3)]
    assert stages == [s for c in classes for s in c] + ["total_tap_m3", "total_cost",
                                                        "even_sharing"]
