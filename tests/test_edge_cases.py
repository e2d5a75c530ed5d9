"""Behaviours at the edges of the model, each worked by hand: storage of a generation no use
accepts, money that leaves out priced shortage, tank water no train can fill, tanks in a case
that treats nothing, and the even split by period and beside a plant that cannot share."""
import dataclasses

import pytest

from model import InfeasibleError, load_case, plan
from model.case import Period, PeriodData, Tank
from model.formulation import HoldRule
from model.studies import with_cut
from period_casefiles import write_case
import quality_helpers
from tests.factory import make_case
from test_quality_hand import BLEND, FEED  # hand-worked quality cases

HELD = 2 * max(HoldRule().abs_m3, HoldRule().rel * 1e4)


def test_a_tank_layer_no_use_accepts_changes_nothing(tmp_path):
    # ONE_USE with K = 2 but the rinse accepting once-treated water only (max_recycles 1), a
    # 25 m3 recycled tank and a 50 m3/day cap in the second of two days. The train could make
    # generation-2 water and store it, but no use accepts it, so the plan is the K = 1 one
    # (tests/test_periods_storage.py): p2 tap 50 + 25 recycled + 25 from the tank; p1 fills
    # the tank: tap1 + d1 = 100, d1 + 25 <= 0.5 tap1 -> tap1 = 125 / 1.5.
    r = plan(load_case(write_case(tmp_path, {
        "case.toml": 'name = "k2"\nmax_recycles = 2\n',
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\nP,rinse,100,1.0,1\n",
        "periods.csv": "period,days,tap_cap_m3_per_day\np1,1,\np2,1,50\n",
        "tanks.csv": "tank,zone,holds,capacity_m3,initial_m3,min_final_m3\nR,1,recycled,25,0,0\n",
    })))
    per = {p.period: p for p in r.summary.periods}
    assert per["p2"].tap_m3 == pytest.approx(50.0, rel=1e-9)
    assert per["p1"].tap_m3 == pytest.approx(125 / 1.5, rel=1e-9)
    assert (r.allocation.generation <= 1).all()


def test_money_spent_leaves_out_the_value_of_priced_shortage(tmp_path):
    # ONE_USE cut by 30%, trucks at 30 per m3, shortage priced at 19.98 per m3, below the
    # break-even 2/3 x 30 = 20 (tests/test_rationing.py): the plan trucks nothing and leaves
    # 1.5 x 0.3 x 66.667 = 30 m3/day short. Treatment is free and tap has no price, so the money
    # spent is 0; the 30 x 19.98 of lost production is weighed by the plan but not spent.
    r = plan(with_cut(load_case(write_case(tmp_path, {
        "tankers.csv": "tanker,capacity_m3_per_day,price_per_m3\ntruck,1000,30\n",
        "curtailment.csv": "plant,use,priority,lost_value_per_m3\nP,rinse,1,19.98\n",
        "rationing.toml": "price_shortage = true\n"})), cut=0.3))
    assert r.summary.shortage_m3 == pytest.approx(30.0, rel=1e-6)
    assert r.summary.cost == pytest.approx(0.0, abs=1e-6)


def test_water_in_a_tank_no_train_fills_counts_as_tap_quality(tmp_path):
    # Quality case (boron, tap 10 ppm). Plant Q in zone 2, which no train serves: a wash of
    # 20 m3/day that accepts recycled water up to 40 ppm, and a recycled-water tank holding
    # 10 m3 at the start. No train can fill the tank, so its water is charged at tap quality
    # (10 ppm) and all of it can go to the wash: Q draws 20 - 10 = 10 m3/day of tap, inlet
    # 10 ppm. (Charged at the train's 130 ppm, only 10 x 30 / 120 = 2.5 m3 would fit.)
    files = dict(BLEND)
    files["plants.csv"] = "plant,zone\nP,1\nQ,2"
    files["uses.csv"] += "\nQ,wash,20,0,"
    files["use_quality.csv"] += "\nQ,wash,boron,40,50"
    files["tanks.csv"] = "tank,zone,holds,capacity_m3,initial_m3,min_final_m3\nR,2,recycled,10,10,0"
    r = plan(load_case(quality_helpers.write_case(tmp_path / "tank", files)))
    tap = r.uses.set_index(["plant", "use"]).tap_m3_per_day
    assert tap["Q", "wash"] == pytest.approx(10.0, rel=1e-9, abs=HELD)
    inlet = r.quality.set_index(["plant", "use"]).inlet_ppm
    assert inlet["Q", "wash"] == pytest.approx(10.0, rel=1e-9)



def test_a_tank_in_a_case_without_treatment_stays_empty():
    # A case built in Python (load_case rejects this) with K = 0: nothing is treated, a tank
    # can hold no generation, so it stays empty and the use draws its whole demand as tap.
    case = dataclasses.replace(make_case([("P", "rinse", "1", 100, 1.0, None)],
                                         [("T", 1e3, 0.5, ("1",), None)], max_recycles=0),
                               tanks=(Tank("R", "1", "recycled", 50.0, 0.0, 0.0),))
    r = plan(case)
    assert r.summary.tap_m3_per_day == pytest.approx(100.0, rel=1e-12)
    assert list(r.tank_levels.end_level_m3) == [0.0]


def test_a_tank_minimum_without_treatment_has_no_feasible_plan():
    # The same tank required to end with 0.5 m3: it can hold nothing, so no plan exists. The
    # model has a row with no variable that cannot hold; that is reported as having no feasible
    # plan (exit 3), naming the row, not as an internal error.
    case = dataclasses.replace(make_case([("P", "rinse", "1", 100, 1.0, None)],
                                         [("T", 1e3, 0.5, ("1",), None)], max_recycles=0),
                               tanks=(Tank("R", "1", "recycled", 50.0, 0.0, 0.5),))
    with pytest.raises(InfeasibleError) as err:
        plan(case)
    assert str(err.value).startswith("the case has no feasible plan: ")
    assert "tank_final_level[R]" in str(err.value)


def test_a_tank_minimum_above_its_capacity_has_no_feasible_plan():
    # A case built in Python (load_case rejects it): a 10 m3 tank that must end with 20 m3.
    # Only the solver can find that out; with no tap cap to blame, the message says just that.
    case = dataclasses.replace(make_case([("P", "rinse", "1", 100, 1.0, None)],
                                         [("T", 1e3, 0.5, ("1",), None)], max_recycles=1),
                               tanks=(Tank("R", "1", "recycled", 10.0, 0.0, 20.0),))
    with pytest.raises(InfeasibleError) as err:
        plan(case)
    assert str(err.value) == "the case has no feasible plan"


def test_even_split_follows_each_period_s_demand():
    # Plants A (zone 1) and B (zone 2), each one rinse of 100 m3/day (a = 1, K = 1), one train
    # at 50% pooling both zones, ample capacity. In p2 A's demand doubles. Least tap per
    # period is demand / 1.5, so the even split puts both plants on tap share 2/3 in each
    # period: in p2 A draws 133.33 of its 200 and B 66.67 of its 100.
    case = make_case([("A", "rinse", "1", 100, 1.0, None), ("B", "rinse", "2", 100, 1.0, None)],
                     [("T", 1e6, 0.5, ("1", "2"), 1.0)], max_recycles=1)
    case = dataclasses.replace(case, periods=(Period("p1", 1.0), Period("p2", 1.0)),
                               by_period=PeriodData(demand_factor={("A", "rinse", "p2"): 2.0}))
    uses = plan(case).uses
    shares = uses.tap_m3_per_day / uses.demand_m3_per_day
    assert list(shares) == pytest.approx([2 / 3] * 4, rel=1e-7)


def test_even_split_beside_a_plant_with_its_own_train():
    # A and B as above (one period), pooled by train T at 50%: least tap 200 / 1.5. Plant C
    # (zone 3) has its own train U at 90%: its least tap 100 / 1.9 = 52.6 cannot move, so its
    # tap share 0.526 is fixed, and A and B still split evenly at 2/3 each.
    case = make_case([("A", "rinse", "1", 100, 1.0, None), ("B", "rinse", "2", 100, 1.0, None),
                      ("C", "rinse", "3", 100, 1.0, None)],
                     [("T", 1e6, 0.5, ("1", "2"), 1.0), ("U", 1e6, 0.9, ("3",), 1.0)],
                     max_recycles=1)
    plants = plan(case).plants.set_index("plant")
    assert plants.tap_share["A"] == pytest.approx(2 / 3, rel=1e-7)
    assert plants.tap_share["B"] == pytest.approx(2 / 3, rel=1e-7)
    assert plants.tap_share["C"] == pytest.approx(1 / 1.9, rel=1e-7)


def test_shortage_may_exceed_the_use_s_base_demand_in_a_busier_period(tmp_path):
    # A tap-only use (max_recycles 0) of 40 m3/day whose demand doubles in p2 (one day each).
    # The baseline is the day-weighted least tap (40 + 80) / 2 = 60; p2 is cut by 90%, a cap of
    # 6: p2 goes short by 80 - 6 = 74 m3/day, more than the use's base demand of 40.
    r = plan(load_case(write_case(tmp_path, {
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\nP,rinse,40,1.0,0\n",
        "periods.csv": "period,days,stage,demand_factor\np1,1,blue,1\np2,1,red,2\n",
        "stages.csv": "stage,cut\nblue,0\nred,0.9\n",
    })))
    short = r.shortages.set_index("period").shortage_m3_per_day
    assert short["p1"] == pytest.approx(0.0, abs=HELD)
    assert short["p2"] == pytest.approx(74.0, rel=1e-9, abs=HELD)


def test_fair_share_with_a_class_that_needs_no_water(tmp_path):
    # TWO_USES-like: A (60, recycles) and B (40, tap only) in class 1, and C with no demand
    # alone in class 2, fair share, cut 25%. C's class has nothing to cut: its largest cut
    # fraction is 0 (it cannot go below), and A and B share the cut as in
    # tests/test_rationing.py: both cut by 25%, A short 15, B short 10.
    case = with_cut(load_case(write_case(tmp_path, {
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    "P,A,60,1.0,\nP,B,40,0.0,0\nP,C,0,0.0,0\n",
        "curtailment.csv": "plant,use,priority\nP,A,1\nP,B,1\nP,C,2\n",
        "rationing.toml": "fair_share = true\n"})), cut=0.25)
    r = plan(case)
    short = r.shortages.set_index("use").shortage_m3_per_day
    fair = 2 * 1.5 * 40 * HoldRule().abs_m3  # the fair-share hold, as in test_rationing.py
    assert short["A"] == pytest.approx(15.0, rel=1e-9, abs=fair + HELD)
    assert short["B"] == pytest.approx(10.0, rel=1e-9, abs=fair + HELD)
    assert short["C"] == 0.0


def test_direct_reuse_beside_a_train_in_the_same_zone(tmp_path):
    # One zone, one train T at 50% (K = 1). The rinse (100 m3/day, tap only, returns all its
    # water at 20 ppm) may send its wastewater untreated to the cooling tower (60 m3/day, any
    # water up to 1000 ppm, returns nothing). Direct reuse covers the whole tower: tap = 100
    # (through the train it would be 100 + 60 - 0.5 x 100 = 110). Both take from the zone's
    # generation-0 pool, 60 direct + 0 fed <= 100 returned.
    r = plan(load_case(quality_helpers.write_case(tmp_path / "direct", {
        "case.toml": 'name = "direct"\nmax_recycles = 1\ndirect_reuse = "listed"',
        "plants.csv": "plant,zone\nP,1",
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    "P,rinse,100,1,0\nP,cool,60,0,",
        "treatment.csv": "train,capacity_m3_per_day,recovery,zones,cost_per_m3\nT,1000,0.5,1,1",
        "contaminants.csv": "contaminant,tap_ppm\nboron,10",
        "use_quality.csv": "plant,use,contaminant,max_inlet_ppm,outlet_ppm\n"
                           "P,rinse,boron,,20\nP,cool,boron,1000,30",
        "train_quality.csv": "train,contaminant,product_ppm\nT,boron,130",
        "reuse_links.csv": "from_plant,from_use,to_plant,to_use\nP,rinse,P,cool",
    })))
    assert r.summary.tap_m3_per_day == pytest.approx(100.0, rel=1e-9)
    assert r.summary.direct_reuse_m3_per_day == pytest.approx(60.0, rel=1e-9)


def test_a_source_less_than_one_ppm_above_a_limit_is_still_limited(tmp_path):
    # The boron blend with tap at 39.9 ppm, product at 40.5 and the rinse's limit at 40: each
    # m3 of tap leaves 0.1 ppm of room, each m3 of recycled water uses 0.5, so
    # recycled <= 0.2 tap; tap + 0.2 tap = 100 gives tap = 83.333 (without the limit the
    # least tap would be 53.33), and the inlet sits exactly at 40 ppm.
    files = dict(BLEND)
    files["contaminants.csv"] = "contaminant,tap_ppm\nboron,39.9"
    files["train_quality.csv"] = "train,contaminant,product_ppm\nT,boron,40.5"
    r = plan(load_case(quality_helpers.write_case(tmp_path / "near", files)))
    assert r.summary.tap_m3_per_day == pytest.approx(100 / 1.2, rel=1e-9, abs=HELD)
    assert r.quality.inlet_ppm.iloc[0] == pytest.approx(40.0, rel=1e-9)


def test_fair_share_within_each_class_not_across_classes(tmp_path):
    # Class 1: A (60, returns all, takes once-treated water: least tap 40) and B (40, tap only);
    # class 2: D (10, tap only). Baseline 90, cut 50%: cap 45. Class 1 is protected first and
    # D may go without: A and B share the 45 at one fraction f, 40 (1 - f) + 40 (1 - f) = 45,
    # f = 0.4375: A short 26.25, B short 17.5; then D gets no tap at all: short 10.
    # (Were D's cut counted in class 1's fraction, D would be cut 5, B 20 and A nothing.)
    r = plan(with_cut(load_case(write_case(tmp_path, {
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    "P,A,60,1.0,\nP,B,40,0.0,0\nP,D,10,0.0,0\n",
        "curtailment.csv": "plant,use,priority\nP,A,1\nP,B,1\nP,D,2\n",
        "rationing.toml": "fair_share = true\n"})), cut=0.5))
    short = r.shortages.set_index("use").shortage_m3_per_day
    fair = 2 * 1.5 * 40 * HoldRule().abs_m3  # the fair-share hold, as in test_rationing.py
    assert short["A"] == pytest.approx(0.4375 * 60, rel=1e-9, abs=fair + HELD)
    assert short["B"] == pytest.approx(0.4375 * 40, rel=1e-9, abs=fair + HELD)
    assert short["D"] == pytest.approx(10.0, rel=1e-9, abs=fair + HELD)


def test_a_feed_less_than_one_ppm_above_its_limit_is_still_limited(tmp_path):
    # The feed-limit case of tests/test_quality_hand.py with outlets at 400.5 (dirty) and 399.9
    # (clean) against the 400 ppm feed limit: x_dirty x 0.5 <= x_clean x 0.1, x_clean <= 30
    # (all the clean use returns) -> x_dirty <= 6, feed <= 36, recovered at 100%: the dirty
    # use draws 100 - 36 = 64 of tap, the campus 64 + 30 = 94 (65 without the limit).
    files = dict(FEED)
    files["use_quality.csv"] = ("plant,use,contaminant,max_inlet_ppm,outlet_ppm\n"
                                "P,dirty,tds,,400.5\nP,clean,tds,,399.9")
    r = plan(load_case(quality_helpers.write_case(tmp_path / "feed", files)))
    assert r.summary.tap_m3_per_day == pytest.approx(94.0, rel=1e-9, abs=HELD)
    assert r.summary.treated_m3_per_day == pytest.approx(36.0, rel=1e-9, abs=HELD)


def test_direct_reuse_carries_the_giver_s_generation(tmp_path):
    # As above, but the rinse also takes once-treated water (max_recycles 1) and the tower
    # takes tap-quality water only (max_recycles 0): the tower may take the rinse's
    # generation-0 wastewater d, never its generation-1 wastewater. With feed f: rinse tap
    # 100 - 0.5 f, d <= (100 - 0.5 f) - f, tower tap 60 - d. Total tap 160 - 0.5 f - d is least
    # at d = 60, f = 26.667: 260 / 3 = 86.667 (taking generation-1 water too would give 80).
    r = plan(load_case(quality_helpers.write_case(tmp_path / "direct", {
        "case.toml": 'name = "direct"\nmax_recycles = 1\ndirect_reuse = "listed"',
        "plants.csv": "plant,zone\nP,1",
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    "P,rinse,100,1,1\nP,cool,60,0,0",
        "treatment.csv": "train,capacity_m3_per_day,recovery,zones,cost_per_m3\nT,1000,0.5,1,1",
        "contaminants.csv": "contaminant,tap_ppm\nboron,10",
        "use_quality.csv": "plant,use,contaminant,max_inlet_ppm,outlet_ppm\n"
                           "P,rinse,boron,,20\nP,cool,boron,1000,30",
        "train_quality.csv": "train,contaminant,product_ppm\nT,boron,130",
        "reuse_links.csv": "from_plant,from_use,to_plant,to_use\nP,rinse,P,cool",
    })))
    assert r.summary.tap_m3_per_day == pytest.approx(260 / 3, rel=1e-9, abs=HELD)
    cool = r.allocation[r.allocation.use == "cool"]
    assert (cool.generation == 0).all()


def test_direct_reuse_is_bounded_by_the_giver_s_own_generation_of_water(tmp_path):
    # As above (rinse takes tap and once-treated water, the tower takes generation 0 only),
    # plus a wash (100 m3/day, tap only, returns all) in the same zone: the zone's
    # generation-0 pool is then large, and what bounds the tower's direct reuse d is the
    # rinse's own generation-0 wastewater, its tap t_r. With feed f and recycled r_r:
    #   t_r + r_r = 100, r_r <= 0.5 f, f + d <= t_r + 100 (the pool), d <= t_r, d <= 60.
    # Tap = t_r + 100 + (60 - d) >= 160 since d <= t_r; t_r = d = 60, f = 80 reaches it.
    # (Bounded by all the rinse's wastewater, t_r + r_r = 100, the tower would take
    # generation-1 water too: d = 60, t_r >= (100 + d) / 3 = 53.33, tap 153.33.)
    r = plan(load_case(quality_helpers.write_case(tmp_path / "direct", {
        "case.toml": 'name = "direct"\nmax_recycles = 1\ndirect_reuse = "listed"',
        "plants.csv": "plant,zone\nP,1",
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    "P,rinse,100,1,1\nP,wash,100,1,0\nP,cool,60,0,0",
        "treatment.csv": "train,capacity_m3_per_day,recovery,zones,cost_per_m3\nT,1000,0.5,1,1",
        "contaminants.csv": "contaminant,tap_ppm\nboron,10",
        "use_quality.csv": "plant,use,contaminant,max_inlet_ppm,outlet_ppm\n"
                           "P,rinse,boron,,20\nP,wash,boron,,20\nP,cool,boron,1000,30",
        "train_quality.csv": "train,contaminant,product_ppm\nT,boron,130",
        "reuse_links.csv": "from_plant,from_use,to_plant,to_use\nP,rinse,P,cool",
    })))
    assert r.summary.tap_m3_per_day == pytest.approx(160.0, rel=1e-9, abs=HELD)
    flows = r.allocation.set_index(["use", "source", "generation"]).m3_per_day
    # what the tower takes directly is no more than the rinse's generation-0 (tap) water
    assert flows["cool", "direct:P/rinse", 0] <= flows["rinse", "tap", 0] + HELD
