"""Options on cases worked by hand: closed forms for a recovery and a capacity option, the
economics (CRF, payback, cost per m3 saved), the K14 calibration, and --no-shortage on a
two-period case where the tank is needed exactly when the cut exceeds what recovery covers."""
from __future__ import annotations

from dataclasses import replace

import pytest

from model.case import load_case
from model.case.economics import crf, levelised_cost
from model.case.objects import Boost, Economics, Emergency, Option
from model.errors import CaseError, InfeasibleError
from model.studies.options import option_rows, prepared
from model.studies.portfolio import Question, best_portfolio
from factory import make_case
from period_casefiles import write_case


def closed_form_tap(D, a, r, K):
    """One use, ample capacity: tap = D (1 - f) / (1 - f^(K+1)), f = a r."""
    f = a * r
    return D * (1 - f) / (1 - f ** (K + 1))


def one_use(options, capacity=1e9, recovery=0.7, K=3, ret=0.9, price=2.0, cost=1.0,
            economics=Economics(0.0, 365.0, "NT$")):
    case = make_case([("P", "rinse", "1", 1000.0, ret, None)],
                     [("T", capacity, recovery, ("1",), cost)], max_recycles=K, tap_price=price)
    return replace(case, options=tuple(options), economics=economics)


def test_recovery_option_saves_the_closed_form():
    # D = 1000, a = 0.9, K = 3: tap at r = 0.7 is 1000 (1 - 0.63) / (1 - 0.63^4) = 437.50...,
    # at r = 0.85: 1000 (1 - 0.765) / (1 - 0.765^4) = 356.97...; saved = their difference
    up = Option("up", "recovery", capex=1000.0, lifetime_years=10, train="T", recovery=0.85)
    _, rows = option_rows(one_use([up]))
    saved = closed_form_tap(1000, 0.9, 0.7, 3) - closed_form_tap(1000, 0.9, 0.85, 3)
    assert rows[0]["tap_saved_m3_per_day"] == pytest.approx(saved, rel=1e-9)
    # and the MILP reaches exactly the upgraded tap by choosing it
    target = closed_form_tap(1000, 0.9, 0.85, 3)
    chosen = best_portfolio(one_use([up]), Question(max_tap_m3_per_day=target * (1 + 1e-9)))
    assert chosen.selected == ("up",)


def test_a_recovery_option_and_a_boost_share_the_feed_and_never_stack():
    # The same one use with a boost to r = 0.8 (extra 5 per m3) on T. A feed m3 runs at one
    # recovery: normal, boosted or upgraded (upgraded + boosted feed <= feed), so the best
    # recovery is max(0.8, 0.85) and no stacking of the two gains. Without the option the boost
    # makes tap 1000 (1 - 0.72) / (1 - 0.72^4) = 384.9...; with it the upgrade makes 356.97...
    # (closed forms as above). Counting boosted feed against the upgraded feed's limit the
    # wrong way would let feed be upgraded and boosted at once, a recovery above 1.
    up = Option("up", "recovery", capex=1000.0, lifetime_years=10, train="T", recovery=0.85)
    case = replace(one_use([up]), emergency=Emergency(boosts=(Boost("T", 0.8, 5.0),)))
    _, rows = option_rows(case)
    saved = closed_form_tap(1000, 0.9, 0.8, 3) - closed_form_tap(1000, 0.9, 0.85, 3)
    # each tap is held to 1e-10 of itself (4e-8 m3/day), so their difference to about 1e-7
    assert rows[0]["tap_saved_m3_per_day"] == pytest.approx(saved, abs=1e-7)
    # the portfolio model (the option's own feed rows) reaches 356.97 by choosing it, no less
    best = closed_form_tap(1000, 0.9, 0.85, 3)
    chosen = best_portfolio(case, Question(max_tap_m3_per_day=best * (1 + 1e-9)))
    assert chosen.selected == ("up",)
    with pytest.raises(InfeasibleError, match="least tap reachable"):
        best_portfolio(case, Question(max_tap_m3_per_day=best * 0.99))


@pytest.mark.parametrize("added", [100.0, 400.0])
def test_capacity_option_saves_recovery_times_capacity_up_to_the_return_limit(added):
    # One use, a = 1, K = 1, r = 0.5, capacity C = 200: feed = min(C, a tap), tap = D - r feed.
    # Capacity binds: tap = 1000 - 0.5 x 200 = 900. The return limit is C = a D / (1 + a r)
    # = 666.67. Adding 100 saves r x 100 = 50; adding 400 saves r x (666.67 - 200) = 233.33.
    more = Option("more", "capacity", capex=1000.0, lifetime_years=10, train="T",
                  capacity_m3_per_day=added)
    case = one_use([more], capacity=200.0, recovery=0.5, K=1, ret=1.0)
    _, rows = option_rows(case)
    limit = 1.0 * 1000 / (1 + 1.0 * 0.5)
    assert rows[0]["tap_saved_m3_per_day"] == pytest.approx(0.5 * min(added, limit - 200),
                                                            rel=1e-9)


def test_crf_by_hand():
    assert crf(0.0, 20) == 1 / 20
    # 1.08^15 = 3.1721691...; CRF = 0.08 x 3.1721691 / 2.1721691 = 0.1168295
    assert crf(0.08, 15) == pytest.approx(0.08 * 1.08 ** 15 / (1.08 ** 15 - 1), rel=1e-15)
    assert crf(0.08, 15) == pytest.approx(0.1168295, rel=1e-6)


def test_payback_and_cost_per_m3_saved_by_hand():
    # One use, K = 1, a = 1, r 0.5 -> 0.8, ample capacity: tap 1000/1.5 = 666.67 -> 1000/1.8
    # = 555.56, saved 111.11 m3/day. Feed = tap (a = 1): 666.67 -> 555.56 m3/day at 1 per m3.
    # Tap price 2. Money per day before: 2 x 666.67 + 666.67 = 2,000.00; after: 3 x 555.56 =
    # 1,666.67. Saved 333.33 a day, 121,666.67 a year, less O&M 10,000: 111,666.67.
    # capex 500,000 over 10 years at r = 0: capital 50,000 a year.
    up = Option("up", "recovery", capex=500_000.0, lifetime_years=10, om_per_year=10_000.0,
                train="T", recovery=0.8)
    base, rows = option_rows(one_use([up], recovery=0.5, K=1, ret=1.0))
    row = rows[0]
    assert base.annualized_cost_per_year == pytest.approx(2000.0 * 365, rel=1e-9)
    assert row["annualized_cost_per_year"] == pytest.approx(
        1000 / 1.8 * 3 * 365 + 50_000 + 10_000, rel=1e-9)
    change = row["annualized_cost_per_year"] - base.annualized_cost_per_year
    assert row["change_per_year"] == pytest.approx(change, rel=1e-12)
    saved_per_year = (1000 / 1.5 - 1000 / 1.8) * 365
    assert row["cost_per_m3_saved"] == pytest.approx((change + 2 * saved_per_year)
                                                     / saved_per_year, rel=1e-9)
    assert row["payback_years"] == pytest.approx(500_000 / (1000 / 3 * 365 - 10_000),
                                                 rel=1e-9)


def test_k14_calibration_levelised_cost():
    # K14: NT$1.15bn for about 20,000 m3/day of product (Commercial Times 2015-07-31), O&M
    # NT$10 per m3 (TSMC Facility vol. 27 p. 41), 8% over 15 years: 1.15e9 x 0.1168295 / (20,000
    # x 365) + 10 = 18.40 + 10 = 28.40, against ASE's published NT$28.4 per m3.
    cost = levelised_cost(1.15e9, 10.0, 20_000, 0.08, 15)
    assert cost == pytest.approx(28.4, rel=0.10)
    # the shipped 2028 case states the same rate
    econ = load_case("data/ntip-2028-phase3").economics
    assert levelised_cost(1.15e9, 10.0, 20_000, econ.discount_rate, 15) == pytest.approx(
        28.4, rel=0.10)


# --- --no-shortage, two periods ---------------------------------------------------------------
# One use, D = 100, a = 1, K = 1, r = 0.5, ample capacity, no operating cost (tap price 0, train
# cost 0), so the annualised cost is the options' capex (r = 0, L = 1: CRF = 1).
# Least tap 100 / 1.5 = 66.67 in each period: the baseline. p1 is normal, p2 cut by c, so
# tap_2 <= 66.67 (1 - c).
# - recovery 0.8 (capex 1,000): tap_2 = 100 / 1.8 = 55.56 -> covers c <= 1 - 55.56/66.67 = 1/6;
# - tank of 30 m3 (capex 5,000), filled in p1 from extra product, gives d_2 <= 30 in p2:
#   tap_2 = (100 - d_2) / 1.5 -> covers c <= 0.3; with recovery too: (100 - 30)/1.8 = 38.89
#   -> covers c <= 1 - 38.89/66.67 = 0.4167; beyond that the least shortage is
#   100 - 1.8 x 66.67 (1 - c) - 30.
TWO_PERIODS = {
    "case.toml": 'name = "two"\nmax_recycles = 1\n[tap]\nprice_per_m3 = 0\n'
                 '[economics]\ndiscount_rate = 0\n',
    "treatment.csv": "train,capacity_m3_per_day,recovery,zones,cost_per_m3\nT,1000,0.5,1,0\n",
    "periods.csv": "period,days,stage\np1,1,blue\np2,1,cut\n",
    "options.csv": "option,kind,train,recovery,volume_m3,capex,lifetime_years\n"
                   "recovery-80,recovery,T,0.8,,1000,1\ntank,tank,T,,30,5000,1\n",
}


@pytest.mark.parametrize("cut, tank", [(0.10, False), (0.16, False), (0.17, True),
                                       (0.25, True), (0.35, True)])
def test_tank_is_chosen_exactly_when_recovery_alone_is_not_enough(tmp_path, cut, tank):
    folder = write_case(tmp_path / "two", {**TWO_PERIODS,
                                           "stages.csv": f"stage,cut\nblue,0\ncut,{cut}\n"})
    chosen = best_portfolio(load_case(folder), Question(no_shortage=True))
    assert ("tank" in chosen.selected) is tank
    assert ("recovery-80" in chosen.selected) is (cut <= 1 / 6 or cut > 0.3)
    assert chosen.shortage_m3 == pytest.approx(0.0, abs=1e-6)


def test_no_portfolio_enough_gives_the_least_shortage(tmp_path):
    folder = write_case(tmp_path / "two", {**TWO_PERIODS,
                                           "stages.csv": "stage,cut\nblue,0\ncut,0.5\n"})
    with pytest.raises(InfeasibleError) as err:
        best_portfolio(load_case(folder), Question(no_shortage=True))
    least = 100 - 1.8 * (100 / 1.5) * 0.5 - 30  # = 10 m3
    assert f"least shortage reachable is {least:,.1f} m3" in str(err.value)


# --- an outside supply's quality ----------------------------------------------------------------
# Two uses in one zone, a train with no capacity; reclaimed water at 600 ppm TDS, tap at 200.
# Rinse (100 m3/day) limits TDS to 300 ppm: with x tap and y reclaimed, 200 x + 600 y <= 300
# (x + y), so y <= x / 3: at most 25 reclaimed and 75 tap. Cooling (80 m3/day, limit 1000) takes
# reclaimed water only. Tap falls from 180 to 75: 105 saved.
QUALITY = {
    "case.toml": 'name = "q"\nmax_recycles = 1\n[tap]\nprice_per_m3 = 10\n',
    "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                "P,rinse,100,0.9,\nP,cooling,80,0.3,\n",
    "treatment.csv": "train,capacity_m3_per_day,recovery,zones,cost_per_m3\nT,0,0.5,1,1\n",
    "contaminants.csv": "contaminant,tap_ppm\ntds,200\n",
    "use_quality.csv": "plant,use,contaminant,max_inlet_ppm,outlet_ppm\n"
                       "P,rinse,tds,300,400\nP,cooling,tds,1000,900\n",
    "train_quality.csv": "train,contaminant,product_ppm\nT,tds,20\ncity,tds,600\n",
    "options.csv": "option,kind,zones,capacity_m3_per_day,cost_per_m3,capex,lifetime_years\n"
                   "city,supply,1,500,1,100,10\n",
}


def test_an_outside_supply_is_held_to_the_quality_limits(tmp_path):
    case = load_case(write_case(tmp_path / "q", QUALITY))
    _, (row,) = option_rows(case)
    assert row["tap_saved_m3_per_day"] == pytest.approx(105.0, rel=1e-9)
    chosen = best_portfolio(case, Question(max_tap_m3_per_day=75.0))
    assert chosen.selected == ("city",)
    alloc = chosen.results.allocation.set_index(["use", "source"]).m3_per_day
    assert alloc["rinse", "supply:city"] == pytest.approx(25.0, rel=1e-9)
    assert alloc["cooling", "supply:city"] == pytest.approx(80.0, rel=1e-9)
    assert (chosen.results.allocation.query("source == 'supply:city'").generation == 1).all()
    # the campus balance counts outside water as water coming in
    b = chosen.results.summary
    assert b.outside_supply_m3_per_day == pytest.approx(105.0, rel=1e-9)
    assert b.tap_m3_per_day + b.outside_supply_m3_per_day == pytest.approx(
        b.consumed_m3_per_day + b.discharged_m3_per_day + b.storage_gain_m3_per_day, rel=1e-9)
    with pytest.raises(InfeasibleError, match="least tap reachable is 75.0"):
        best_portfolio(case, Question(max_tap_m3_per_day=74.0))


def test_an_outside_supply_needs_its_quality(tmp_path):
    files = {**QUALITY, "train_quality.csv": "train,contaminant,product_ppm\nT,tds,20\n"}
    with pytest.raises(CaseError, match="no product_ppm for the supply of option city"):
        load_case(write_case(tmp_path / "q", files))


def test_a_recovery_option_upgrades_a_period_s_own_larger_capacity():
    # One use (a = 1, K = 1), T at r = 0.5 with 200 m3/day; in period p2 the demand doubles to
    # 2000 and T has 600 m3/day (trains_by_period.csv). Tap x = D - r feed, feed <= min(C, x).
    # Upgraded to r = 0.8: p1 x = 1000 - 0.8 x 200 = 840; p2 capacity binds (600 < 2000 / 1.8),
    # x = 2000 - 0.8 x 600 = 1520, the peak. Without it: 900 and 1700. A target of 1520 m3/day in
    # every period is met only by the upgrade run on all of p2's 600 m3/day (limited to T's own
    # 200, p2 would draw 2000 - 0.5 x 600 - 0.3 x 200 = 1640).
    import dataclasses
    from model.case import Period
    from model.case.objects import PeriodData
    from model.studies.portfolio import least_peak_tap, peak_tap
    up = Option("up", "recovery", capex=1000.0, lifetime_years=10, train="T", recovery=0.8)
    case = dataclasses.replace(
        one_use([up], capacity=200.0, recovery=0.5, K=1, ret=1.0),
        periods=(Period("p1", 1.0), Period("p2", 1.0)),
        by_period=PeriodData(capacity_m3_per_day={("T", "p2"): 600.0},
                             demand_factor={("P", "rinse", "p2"): 2.0}))
    assert least_peak_tap(prepared(case)) == pytest.approx(1520, rel=1e-9)
    chosen = best_portfolio(case, Question(max_tap_m3_per_day=1520 * (1 + 1e-9)))
    assert chosen.selected == ("up",)
    assert peak_tap(chosen) == pytest.approx(1520, rel=1e-9)
    assert chosen.tap_m3_per_day == pytest.approx((840 + 1520) / 2, rel=1e-9)
    with pytest.raises(InfeasibleError, match="the least tap reachable in every period is "
                                              "1,520.0 m3/day, with up"):
        best_portfolio(case, Question(max_tap_m3_per_day=1500))


# --- questions under rationing: shortage first, as in the plan of any portfolio --------------
# TWO_PERIODS cut by 25%: p2's tap at most 66.67 x 0.75 = 50.
# - no option: p2 supplies 50 x 1.5 = 75, short 25 (p1, normal, draws its least tap 66.67);
# - recovery-80 (1,000): 50 x 1.8 = 90, short 10;
# - tank (5,000), 30 m3 filled in p1: p2 (100 - 30) / 1.5 = 46.67 <= 50, short 0; filling it
#   takes p1 to 0.5 x = (100 - x) + 30, x = 86.67;
# - both: p1 1.8 x - 100 = 30, x = 72.22; p2 (100 - 30) / 1.8 = 38.89, short 0.
def _cut_by_a_quarter(tmp_path):
    return load_case(write_case(tmp_path / "two", {**TWO_PERIODS,
                                                   "stages.csv": "stage,cut\nblue,0\ncut,0.25\n"}))


@pytest.mark.parametrize("budget, selected, shortage", [
    (1_000, ("recovery-80",), 10.0),           # the least shortage the budget buys
    (6_000, ("recovery-80", "tank"), 0.0),     # no shortage, then the least tap: both
])
def test_a_budget_buys_the_least_shortage_first(tmp_path, budget, selected, shortage):
    # least tap with shortage free would be "tap 0, everyone short" whatever the portfolio
    chosen = best_portfolio(_cut_by_a_quarter(tmp_path), Question(budget=budget))
    assert tuple(sorted(chosen.selected)) == selected
    assert chosen.shortage_m3 == pytest.approx(shortage, abs=1e-6)


def test_a_tap_target_under_rationing_is_not_met_by_going_short(tmp_path):
    # at most 60 m3/day in every period: p1 cannot draw the 72.22 that fills the tank, so the
    # tank gets 1.8 x 60 - 100 = 8 m3 and p2 supplies 50 x 1.8 + 8 = 98, short 2: with both
    # options. Recovery alone is short 10; no option could meet 60 only by going short in p1.
    chosen = best_portfolio(_cut_by_a_quarter(tmp_path), Question(max_tap_m3_per_day=60.0))
    assert tuple(sorted(chosen.selected)) == ("recovery-80", "tank")
    assert chosen.shortage_m3 == pytest.approx(2.0, abs=1e-6)
    assert chosen.results.periods.shortage_m3.tolist() == pytest.approx([0.0, 2.0], abs=1e-6)


@pytest.mark.parametrize("cut, targets, shortage", [
    # p2 needs 100 - 1.8 x 50 = 10 m3 from the tank: p1 at 1.8 x - 100 >= 10, x >= 61.11; the
    # front runs from the base plan's peak (p1, 66.67) down to 61.11, all with both options
    (0.25, [200 / 3 - i * (200 / 3 - 110 / 1.8) / 3 for i in range(4)], 0.0),
    # cut by half (p2 <= 33.33): even a full tank leaves 100 - 1.8 x 33.33 - 30 = 10 m3 short;
    # filling it takes p1 to 130 / 1.8 = 72.22, above the base plan's peak: one point
    (0.50, [130 / 1.8], 10.0),
])
def test_the_front_under_rationing_keeps_the_least_shortage(tmp_path, cut, targets, shortage):
    from model.studies.portfolio import front
    case = load_case(write_case(tmp_path / "two", {
        **TWO_PERIODS, "stages.csv": f"stage,cut\nblue,0\ncut,{cut}\n"}))
    points = front(case, points=4)
    assert [p.max_tap_m3_per_day for p in points] == pytest.approx(targets, rel=1e-9)
    for p in points:
        assert tuple(sorted(p.selected)) == ("recovery-80", "tank")
        assert p.shortage_m3 == pytest.approx(shortage, abs=1e-6)


def test_a_recovery_option_upgrades_capacity_that_other_options_add():
    # One use (D = 1000, a = 1, K = 1). T has 200 m3/day at r = 0.5; "more" adds 400, "up" raises
    # T to 0.8. Both: feed <= min(600, x), x = 1000 - 0.8 feed: the return limit binds first,
    # x = 1000 / 1.8 = 555.56, which needs all of the upgraded feed beyond T's own 200.
    # New train N (300 m3/day at 0.5, an option) with "upN" raising N to 0.8: the upgraded feed
    # of a train that is itself an option: x = 1000 - 0.8 x 300 = 760.
    from model.studies.portfolio import least_peak_tap
    more = Option("more", "capacity", capex=1000.0, lifetime_years=10, train="T",
                  capacity_m3_per_day=400.0)
    up = Option("up", "recovery", capex=1000.0, lifetime_years=10, train="T", recovery=0.8)
    case = one_use([more, up], capacity=200.0, recovery=0.5, K=1, ret=1.0)
    assert least_peak_tap(prepared(case)) == pytest.approx(1000 / 1.8, rel=1e-9)
    new = Option("N", "train", capex=1000.0, lifetime_years=10, train="N", zones=("1",),
                 capacity_m3_per_day=300.0, recovery=0.5, cost_per_m3=1.0)
    up_new = Option("upN", "recovery", capex=1000.0, lifetime_years=10, train="N",
                    recovery=0.8, requires=("N",))
    case = one_use([new, up_new], capacity=0.0, recovery=0.5, K=1, ret=1.0)
    assert least_peak_tap(prepared(case)) == pytest.approx(1000 - 0.8 * 300, rel=1e-9)


# --- a link option and a tank in the zone it links ---------------------------------------------
# A (zone 1) draws 100 m3/day of tap only (max_recycles 0) and returns all of it; T treats it at
# recovery 0.5 into 50 m3/day that no zone-1 use can take. B (zone 2, 100 m3/day, may take
# recycled water) is reached only through the link option, whose pipes also bring B's
# wastewater to T: B's tap x returns x, so T makes 0.5 (100 + x) for B and x + 0.5 (100 + x)
# = 100 gives x = 33.33; tap 200 -> 133.33. Zone 2 has a recycled-water tank: without the link
# T may neither deliver to B nor charge that tank (through which its product would reach B all
# the same). Tap costs nothing here, so a question that puts cost first takes the link only if
# its tap target needs it.
LINKED_TANK = {
    "case.toml": 'name = "link"\nmax_recycles = 1\n[tap]\nprice_per_m3 = 0\n',
    "plants.csv": "plant,zone\nA,1\nB,2\n",
    "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                "A,rinse,100,1.0,0\nB,rinse,100,1.0,\n",
    "treatment.csv": "train,capacity_m3_per_day,recovery,zones,cost_per_m3\nT,1000,0.5,1,1\n",
    "tanks.csv": "tank,zone,holds,capacity_m3,initial_m3,min_final_m3\nW2,2,recycled,1000,0,0\n",
    "options.csv": "option,kind,train,zones,capex,lifetime_years\nlink,link,T,2,1000,10\n",
}


@pytest.mark.parametrize("question, selected, tap", [
    (Question(budget=0), (), 200.0),
    (Question(budget=1000), ("link",), 100 + 100 / 3),
    # 170 is within reach only through the link (a tank charged without it would give 150);
    # cheapest first under that target, the plan then draws the free tap up to it
    (Question(max_tap_m3_per_day=170), ("link",), 170.0)])
@pytest.mark.parametrize("zone_3", [False, True])
def test_a_link_option_s_zone_gets_nothing_from_its_train_without_it_not_even_by_its_tank(
        tmp_path, question, selected, tap, zone_3):
    # (zone_3: the link also reaches zone 3, where plant C has no uses yet: nothing to link)
    files = dict(LINKED_TANK)
    if zone_3:
        files["plants.csv"] += "C,3\n"
        files["options.csv"] = files["options.csv"].replace("link,T,2,", "link,T,2;3,")
    chosen = best_portfolio(load_case(write_case(tmp_path / "link", files)), question)
    assert chosen.selected == selected
    assert chosen.tap_m3_per_day == pytest.approx(tap, rel=1e-9)


def test_the_uses_table_has_an_outside_supply_column_only_with_outside_supplies(tmp_path):
    # with the outside supply chosen (the test above: 25 m3/day to the rinse, 80 to the
    # cooling tower), each use's row says how much came from outside, 0 for a standby use of
    # no demand (which no source supplies: it has no allocation row); a case without any
    # outside supply has no such column in its uses table (uses.csv)
    from model.bundled import bundled_case
    from model.studies import plan
    case = load_case(write_case(tmp_path / "q", {
        **QUALITY, "uses.csv": QUALITY["uses.csv"] + "P,standby,0,0.5,\n",
        "use_quality.csv": QUALITY["use_quality.csv"] + "P,standby,tds,1000,900\n"}))
    chosen = best_portfolio(case, Question(max_tap_m3_per_day=75.0))
    assert "standby" not in set(chosen.results.allocation.use)
    uses = chosen.results.uses.set_index("use").outside_supply_m3_per_day
    assert uses["rinse"] == pytest.approx(25.0, rel=1e-9)
    assert uses["cooling"] == pytest.approx(80.0, rel=1e-9)
    assert uses["standby"] == 0.0
    assert "outside_supply_m3_per_day" not in plan(load_case(
        bundled_case("ntip-2019-phase2"))).uses.columns


def test_a_link_option_passes_what_a_use_needs_in_the_period_not_in_uses_csv(tmp_path):
    # LINKED_TANK without its tank, over one 30-day period with the campus demand tripled
    # (demand.csv): A draws 300 of tap (K = 0), B 300 of which recycled y <= 0.5 (300 + tap_B)
    # with y = 300 - tap_B, so tap_B = 100 and the link carries y = 200 m3/day to B: campus tap
    # 400. A link's delivery bound is the use's demand in the period (300); uses.csv's 100
    # would hold y to 100 and the tap at 500.
    files = {name: text for name, text in LINKED_TANK.items() if name != "tanks.csv"}
    files["periods.csv"] = "period,start,days\nmonth,2026-01-01,30\n"
    files["demand.csv"] = "period,factor\nmonth,3\n"
    chosen = best_portfolio(load_case(write_case(tmp_path / "link", files)),
                            Question(budget=1000))
    assert chosen.selected == ("link",)
    assert chosen.tap_m3_per_day == pytest.approx(400.0, rel=1e-9)
    # a target of 450 is within reach only by the link carrying more than uses.csv's 100
    # (cheapest first under it, the plan then draws the free tap up to 450)
    chosen = best_portfolio(load_case(write_case(tmp_path / "link2", files)),
                            Question(max_tap_m3_per_day=450.0))
    assert chosen.selected == ("link",)
    assert chosen.tap_m3_per_day == pytest.approx(450.0, rel=1e-9)


def test_a_link_option_feeds_an_operation_whatever_its_flow(tmp_path):
    # Zone 1: C's boiler draws 1,000 of tap (K = 0) and returns it all to T (recovery 0.5,
    # product at 20 ppm): 500 of product, of which A's rinse takes 100. Zone 2: operation B/op
    # picks up 5 kg/day of contaminant c, inlet at most 50 ppm, outlet at most 100 ppm: on tap
    # (0 ppm) it needs 5,000 g / 100 ppm = 50 m3/day; on T's product 5,000 / (100 - 20) = 62.5.
    # Linking zone 2 to T saves its 50 of tap: campus tap 1,050 -> 1,000. An operation has no
    # demand in uses.csv (its flow is decided), so the link's bound on what reaches it is T's
    # capacity, not a demand of 0.
    files = {
        "case.toml": 'name = "oplink"\nmax_recycles = 1\n[tap]\nprice_per_m3 = 1\n',
        "plants.csv": "plant,zone\nA,1\nB,2\nC,1\n",
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    "A,rinse,100,1.0,\nB,op,,1,\nC,boiler,1000,1.0,0\n",
        "treatment.csv": "train,capacity_m3_per_day,recovery,zones,cost_per_m3\nT,1000,0.5,1,0\n",
        "contaminants.csv": "contaminant,tap_ppm\nc,0\n",
        "use_quality.csv": "plant,use,contaminant,max_inlet_ppm,outlet_ppm,load_kg_per_day\n"
                           "A,rinse,c,1000,0,\nC,boiler,c,1000,0,\nB,op,c,50,100,5\n",
        "train_quality.csv": "train,contaminant,product_ppm\nT,c,20\n",
        "options.csv": "option,kind,train,zones,capex,lifetime_years\nlink,link,T,2,1000,10\n",
    }
    case = load_case(write_case(tmp_path / "oplink", files))
    assert best_portfolio(case, Question(budget=0)).tap_m3_per_day == pytest.approx(1050.0,
                                                                                   rel=1e-9)
    chosen = best_portfolio(case, Question(max_tap_m3_per_day=1000.0 * (1 + 1e-9)))
    assert chosen.selected == ("link",)
    alloc = chosen.results.allocation.set_index(["use", "source"]).m3_per_day
    assert alloc["op", "T"] == pytest.approx(62.5, rel=1e-9)


def test_a_link_option_passes_what_its_train_can_treat_in_each_period(tmp_path):
    # LINKED_TANK over one 30-day period in which T's capacity is 1,000 m3/day
    # (trains_by_period.csv) against 10 in treatment.csv. The link's rows bound what crosses it
    # by the period's capacity: through it B can get the 66.67 m3/day of the steady plan above,
    # so a tap target of 170 is met with the link, as above. Bounded by treatment.csv's 10
    # instead, B would get at most 10 straight from T and 10 through the tank, tap 180: no
    # portfolio would meet 170.
    files = dict(LINKED_TANK)
    files["treatment.csv"] = files["treatment.csv"].replace("T,1000,", "T,10,")
    files["periods.csv"] = "period,start,days\nmonth,2026-01-01,30\n"
    files["trains_by_period.csv"] = "period,train,capacity_m3_per_day\nmonth,T,1000\n"
    chosen = best_portfolio(load_case(write_case(tmp_path / "link", files)),
                            Question(max_tap_m3_per_day=170))
    assert chosen.selected == ("link",)
    assert chosen.tap_m3_per_day == pytest.approx(170.0, rel=1e-9)


def test_a_recovery_option_gains_over_the_period_s_own_recovery(tmp_path):
    # One use (D = 1000, a = 1, K = 1) under T, recovery 0.5 in treatment.csv but 0.7 in the
    # one 30-day period (trains_by_period.csv); "up" raises T to 0.8. Tap x = D - r x: 588.24 at
    # 0.7, 555.56 with the option (x = 1000 / 1.8). Its gain is 0.8 - 0.7 in that period; taken
    # over treatment.csv's 0.5 instead it would run T at 0.7 + 0.3 = 1.0 and reach 500.
    files = {
        "case.toml": 'name = "up"\nmax_recycles = 1\n[tap]\nprice_per_m3 = 1\n',
        "plants.csv": "plant,zone\nP,1\n",
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\nP,rinse,1000,1.0,\n",
        "treatment.csv": "train,capacity_m3_per_day,recovery,zones,cost_per_m3\nT,1e6,0.5,1,0\n",
        "periods.csv": "period,start,days\nmonth,2026-01-01,30\n",
        "trains_by_period.csv": "period,train,recovery\nmonth,T,0.7\n",
        "options.csv": "option,kind,train,recovery,capex,lifetime_years\nup,recovery,T,0.8,100,10\n",
    }
    case = load_case(write_case(tmp_path / "up", files))
    chosen = best_portfolio(case, Question(max_tap_m3_per_day=1000 / 1.8 * (1 + 1e-9)))
    assert chosen.selected == ("up",)
    assert chosen.tap_m3_per_day == pytest.approx(1000 / 1.8, rel=1e-9)
    with pytest.raises(InfeasibleError, match="least tap reachable"):
        best_portfolio(case, Question(max_tap_m3_per_day=540.0))


def test_the_trains_table_states_the_period_s_own_recovery(tmp_path):
    # the case above without its option: T runs at trains_by_period.csv's 0.7 in the month
    # (treatment.csv says 0.5), so tap x = 1000 - 0.7 x = 588.24, and the trains table says 0.7
    from model.studies import plan
    files = {
        "case.toml": 'name = "r"\nmax_recycles = 1\n[tap]\nprice_per_m3 = 1\n',
        "plants.csv": "plant,zone\nP,1\n",
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\nP,rinse,1000,1.0,\n",
        "treatment.csv": "train,capacity_m3_per_day,recovery,zones,cost_per_m3\nT,1e6,0.5,1,0\n",
        "periods.csv": "period,start,days\nmonth,2026-01-01,30\n",
        "trains_by_period.csv": "period,train,recovery\nmonth,T,0.7\n",
    }
    r = plan(load_case(write_case(tmp_path / "r", files)))
    assert r.summary.tap_m3_per_day == pytest.approx(1000 / 1.7, rel=1e-9)
    assert list(r.trains.recovery) == [0.7]


def test_an_option_is_chosen_only_with_the_options_it_requires():
    # One use (D = 1000, a = 1, K = 1) under T (ample capacity, r = 0.5): tap x = 1000 - 0.5 x,
    # 666.67. "up" raises T to 0.8 (x = 1000 / 1.8 = 555.56) for a capex of 500, but requires
    # "more" (capex 1,000, extra capacity of no use here). With a budget of 500 "up" alone
    # would fit; with what it requires it does not, so nothing is chosen and the tap stays
    # 666.67. With a budget of 1,500 both are chosen, tap 555.56.
    more = Option("more", "capacity", capex=1000.0, lifetime_years=10, train="T",
                  capacity_m3_per_day=400.0)
    up = Option("up", "recovery", capex=500.0, lifetime_years=10, train="T", recovery=0.8,
                requires=("more",))
    case = one_use([more, up], recovery=0.5, K=1, ret=1.0)
    chosen = best_portfolio(case, Question(budget=500))
    assert chosen.selected == ()
    assert chosen.tap_m3_per_day == pytest.approx(1000 / 1.5, rel=1e-9)
    chosen = best_portfolio(case, Question(budget=1500))
    assert set(chosen.selected) == {"more", "up"}
    assert chosen.tap_m3_per_day == pytest.approx(1000 / 1.8, rel=1e-9)


def test_a_link_option_on_a_campus_that_recycles_nothing_buys_nothing():
    # K = 0: no water is recycled, so T takes no feed at all and linking zone 2 to it saves
    # nothing; the portfolio is empty and both uses draw their whole demand as tap (1,500)
    link = Option("link", "link", capex=100.0, lifetime_years=10, train="T", zones=("2",))
    case = make_case([("P", "rinse", "1", 1000.0, 1.0, None),
                      ("Q", "rinse", "2", 500.0, 1.0, None)],
                     [("T", 1e6, 0.5, ("1",), 1.0)], max_recycles=0, tap_price=2.0)
    case = replace(case, options=(link,), economics=Economics(0.0, 365.0, "NT$"))
    chosen = best_portfolio(case, Question(budget=1000))
    assert chosen.selected == ()
    assert chosen.tap_m3_per_day == pytest.approx(1500.0, rel=1e-12)


def test_a_linked_train_may_fill_a_tank_with_all_it_makes_beside_another_train(tmp_path):
    # LINKED_TANK with T at recovery 0.9 and 100 m3/day in p1, shut in p2; B needs nothing in
    # p1 (demand factor 0) and 100 in p2; a second train U (capacity 0) also serves zone 2, so
    # W2 has two trains that may charge it. With the link, T treats A's 100 in p1 and puts all
    # its 90 into W2, which gives them to B in p2: tap = A's 2 x 100 + B's 100 - 90 = 210 m3,
    # 105 m3/day. T's charge into W2 is held by its own capacity only, once (counted twice
    # beside U's, it would stop at 50: tap 250).
    files = dict(LINKED_TANK)
    files["treatment.csv"] = ("train,capacity_m3_per_day,recovery,zones,cost_per_m3\n"
                              "T,100,0.9,1,1\nU,0,0.5,2,1\n")
    files["periods.csv"] = "period,days\np1,1\np2,1\n"
    files["trains_by_period.csv"] = "period,train,capacity_m3_per_day\np2,T,0\n"
    files["demand.csv"] = "period,plant,use,factor\np1,B,rinse,0\n"
    case = load_case(write_case(tmp_path / "link", files))
    chosen = best_portfolio(case, Question(budget=1000))
    assert chosen.selected == ("link",)
    assert chosen.tap_m3_per_day == pytest.approx(105.0, rel=1e-9)
    # the portfolio model's own least tap (m3 over the horizon), its link rows in place
    from model.formulation.objectives import TAP
    from model.studies.portfolio import portfolio_model, solve_milp
    f = portfolio_model(prepared(case), Question(budget=1000))
    assert solve_milp(f, (TAP,), None).objectives[TAP] == pytest.approx(210.0, rel=1e-9)


def test_a_capacity_option_adds_to_a_period_s_own_capacity():
    # One use (D = 1000, a = 1, K = 1), T at r = 0.5 with 200 m3/day, shut in p2 (capacity 0 in
    # trains_by_period.csv); the option adds 100 m3/day. Tap x = D - r feed, feed <= C: with
    # the option p1 draws 1000 - 0.5 x 300 = 850 and p2 1000 - 0.5 x 100 = 950, the peak (on
    # T's own 200 in p2 it would be 850)
    import dataclasses
    from model.case import Period
    from model.case.objects import PeriodData
    from model.studies.portfolio import least_peak_tap
    more = Option("more", "capacity", capex=1000.0, lifetime_years=10, train="T",
                  capacity_m3_per_day=100.0)
    case = dataclasses.replace(
        one_use([more], capacity=200.0, recovery=0.5, K=1, ret=1.0),
        periods=(Period("p1", 1.0), Period("p2", 1.0)),
        by_period=PeriodData(capacity_m3_per_day={("T", "p2"): 0.0}))
    assert least_peak_tap(prepared(case)) == pytest.approx(950, rel=1e-9)


def test_a_link_option_holds_the_feed_from_its_zone_once_whatever_the_zones_served(tmp_path):
    # LINKED_TANK with T serving zones 1 and 3 (C, no uses) at 600 m3/day, and B of 1000 m3/day
    # (return 1, K = 1). With the link T treats A's 100 and B's tap up to its 600, all of its
    # 0.5 x 600 = 300 going to B: B's tap x_B = 1000 - 300 = 700 (>= the 500 fed from zone 2),
    # tap 100 + 700 = 800. The link's feed row holds zone 2's feed (each generation once)
    # to 600 when bought; counted once per other zone served, it would stop at 300 (tap 900).
    from model.formulation.objectives import TAP
    from model.studies.portfolio import portfolio_model, solve_milp
    files = dict(LINKED_TANK)
    files["plants.csv"] += "C,3\n"
    files["uses.csv"] = files["uses.csv"].replace("B,rinse,100,", "B,rinse,1000,")
    files["treatment.csv"] = files["treatment.csv"].replace("T,1000,0.5,1,1", "T,600,0.5,1;3,1")
    case = load_case(write_case(tmp_path / "link", files))
    f = portfolio_model(prepared(case), Question(budget=1000))
    assert solve_milp(f, (TAP,), None).objectives[TAP] == pytest.approx(800, rel=1e-9)
    assert f.model.option_chosen["link"].value == pytest.approx(1)
