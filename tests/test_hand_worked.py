"""Cases small enough to solve by hand; the arithmetic is in the comments."""
import pytest

from model import plan
from tests.factory import make_case, single_use


@pytest.mark.parametrize("a, r, K", [(0.9, 0.7, 3), (1.0, 0.55, 1), (0.5, 1.0, 6), (0.8, 0.7, 0)])
def test_closed_form_single_use(a, r, K):
    # Ample capacity: generation g is f^g times the tap, f = a r, and the generations 0..K
    # add up to the demand:  D = T (1 + f + ... + f^K) = T (1 - f^(K+1)) / (1 - f).
    D = 1000.0
    f = a * r
    expected_tap = D * (1 - f) / (1 - f ** (K + 1))
    res = plan(single_use(demand=D, ret=a, recovery=r, K=K))
    assert res.summary.tap_m3_per_day == pytest.approx(expected_tap, rel=1e-9)
    by_gen = res.allocation.groupby("generation").m3_per_day.sum()
    # The cost stage may use the documented tap tolerance (summary tap_tolerance_m3) to trim
    # treatment, moving each generation by at most about that much: allow it per generation.
    slack = (K + 1) * res.summary.tap_tolerance_m3
    for g in range(K + 1):
        assert by_gen.get(g, 0.0) == pytest.approx(expected_tap * f ** g, rel=1e-9, abs=slack)


def test_capacity_bound():
    # D = 1000, a = 1, r = 0.5, K = 1, capacity C = 200 (unbounded it would need 666.7).
    # Feed 200 -> recycled 0.5 * 200 = 100, so tap = 1000 - 100 = 900.
    # One more m3/day of capacity gives 0.5 m3/day more recycled: capacity_value = 0.5.
    # One more point of recovery gives 0.01 * 200 = 2 m3/day: recovery_value = 2.
    res = plan(single_use(demand=1000, ret=1.0, recovery=0.5, K=1, capacity=200))
    s = res.summary
    assert s.tap_m3_per_day == pytest.approx(900, rel=1e-9)
    assert s.treated_m3_per_day == pytest.approx(200, rel=1e-9)
    train = s.trains[0]
    assert train.utilization == pytest.approx(1.0, rel=1e-9)
    assert train.capacity_value == pytest.approx(0.5, rel=1e-9)
    assert train.recovery_value == pytest.approx(2.0, rel=1e-9)
    # discharged = collectable - recycled = 1000 - 100; reject = 200 - 100; untreated = 800
    assert s.discharged_m3_per_day == pytest.approx(900, rel=1e-9)
    assert s.discharge_breakdown_m3_per_day.untreated_wastewater == pytest.approx(800)
    assert s.discharge_breakdown_m3_per_day.treatment_reject == pytest.approx(100)


def test_slack_capacity_has_no_value():
    res = plan(single_use(capacity=1e6))
    assert res.summary.trains[0].capacity_value == 0.0


def test_tap_only_use_and_unserved_zone_get_only_tap():
    # Zone 2 has no train, the domestic use accepts no recycled water (limit 0):
    # both draw their whole demand as tap.  The rinse use alone: K = 1, a = 1, r = 0.5
    # -> T = 100 / 1.5.
    case = make_case([("A", "rinse", "1", 100, 1.0, None), ("A", "domestic", "1", 10, 0.0, 0),
                      ("B", "rinse", "2", 50, 1.0, None)],
                     [("T", 1e6, 0.5, ("1",), None)], max_recycles=1)
    res = plan(case)
    tap = res.uses.set_index(["plant", "use"]).tap_m3_per_day
    assert tap["A", "domestic"] == pytest.approx(10, rel=1e-9)
    assert tap["B", "rinse"] == pytest.approx(50, rel=1e-9)
    assert tap["A", "rinse"] == pytest.approx(100 / 1.5, rel=1e-9)


def test_wastewater_of_other_uses_in_the_zone_is_pooled():
    # Cooling tower returns nothing, rinse returns everything; r = 0.5, K = 1, only the
    # cooling tower accepts recycled water.  Rinse (100) is all tap and returns 100;
    # 50 recycled goes to the cooling tower (demand 80), which takes 30 tap.  Tap = 130.
    case = make_case([("A", "rinse", "1", 100, 1.0, 0), ("A", "cooling", "1", 80, 0.0, None)],
                     [("T", 1e6, 0.5, ("1",), None)], max_recycles=1)
    assert plan(case).summary.tap_m3_per_day == pytest.approx(130, rel=1e-9)


def test_second_stage_picks_the_cheaper_train_without_changing_tap():
    # Two trains, same recovery, ample capacity: tap is the closed form either way; the cost
    # stage sends every m3 of feed to the cheaper train.
    uses = [("P", "rinse", "1", 1000, 0.9, None)]
    cheap = make_case(uses, [("expensive", 1e6, 0.7, ("1",), 30.0),
                             ("cheap", 1e6, 0.7, ("1",), 10.0)], max_recycles=2)
    res = plan(cheap)
    f = 0.63
    assert res.summary.tap_m3_per_day == pytest.approx(1000 * (1 - f) / (1 - f ** 3), rel=1e-9)
    treated = res.trains.set_index("train").treated_m3_per_day
    assert treated["expensive"] == pytest.approx(0.0, abs=1e-9)
    # feed = recycled / r: generations 1 and 2 are T f and T f^2, fed from 0 and 1.
    T = res.summary.tap_m3_per_day
    assert treated["cheap"] == pytest.approx((T * f + T * f * f) / 0.7, rel=1e-9)
    assert res.summary.cost_per_day == pytest.approx(10.0 * treated["cheap"], rel=1e-9)


def test_train_and_plant_figures_come_in_the_case_s_order():
    # two zones, each with a 300 m3/day rinse (return 1) and its own train of recovery 0.5 and
    # ample capacity, listed "Z" before "A": each use draws 200 m3/day of tap and its train
    # treats 200 and delivers 100 (T + 0.5 T = 300), and the summary lists "Z" first, as the
    # case does, not in alphabetical order
    res = plan(make_case([("P1", "rinse", "1", 300, 1.0, None),
                          ("P2", "rinse", "2", 300, 1.0, None)],
                         [("Z", 1e6, 0.5, ("1",), 1.0), ("A", 1e6, 0.5, ("2",), 1.0)],
                         max_recycles=1))
    assert [t.train for t in res.summary.trains] == ["Z", "A"]
    # the plants too: "P9" before "P1", as listed, each drawing 200 of its 300 as tap
    res = plan(make_case([("P9", "rinse", "1", 300, 1.0, None),
                          ("P1", "rinse", "2", 300, 1.0, None)],
                         [("Z", 1e6, 0.5, ("1",), 1.0), ("A", 1e6, 0.5, ("2",), 1.0)],
                         max_recycles=1))
    assert list(res.plants.plant) == ["P9", "P1"]
    assert list(res.plants.tap_m3_per_day) == pytest.approx([200.0, 200.0], rel=1e-9)
    for t in res.summary.trains:
        assert t.treated_m3_per_day == pytest.approx(200.0, rel=1e-9)
        assert t.delivered_m3_per_day == pytest.approx(100.0, rel=1e-9)
        assert t.effective_recovery == pytest.approx(0.5, rel=1e-9)  # product 100 / treated 200


def test_a_train_treating_under_one_m3_per_day_has_its_effective_recovery():
    # one rinse of 1 m3/day (return 1, K = 1) and a train of 0.5 m3/day at recovery 0.5: the
    # train treats all it can, 0.5 (the tap x returns x >= 0.5), and makes 0.25, so
    # x = 1 - 0.25 = 0.75; its recovery achieved is 0.25 / 0.5 = 0.5, however small the flow
    res = plan(make_case([("P", "rinse", "1", 1.0, 1.0, None)],
                         [("T", 0.5, 0.5, ("1",), 1.0)], max_recycles=1))
    (t,) = res.summary.trains
    # (to HiGHS's 1e-9 feasibility tolerance: 0.499999998 treated)
    assert t.treated_m3_per_day == pytest.approx(0.5, abs=1e-8)
    assert res.summary.tap_m3_per_day == pytest.approx(0.75, abs=1e-8)
    assert t.effective_recovery == pytest.approx(0.5, rel=1e-9)
    # and the plant's and the campus's tap share, 0.75 of its 1 m3/day, are stated however
    # small the demand
    assert res.plants.tap_share.iloc[0] == pytest.approx(0.75, abs=1e-8)
    assert res.summary.tap_share == pytest.approx(0.75, abs=1e-8)


def test_a_train_that_treats_nothing_has_no_effective_recovery():
    # a train serving a zone whose only use may take no recycled water and returns none
    # (return 0): nothing is collected, so it treats 0 and its recovery achieved is undefined,
    # written as None (null in summary.json), not 0 / 0
    res = plan(make_case([("P", "domestic", "1", 10.0, 0.0, None)],
                         [("T", 100.0, 0.5, ("1",), 1.0)], max_recycles=1))
    (t,) = res.summary.trains
    assert t.treated_m3_per_day == 0.0
    assert t.effective_recovery is None


def test_a_boost_gains_over_the_period_s_own_recovery():
    # one rinse of 1000 m3/day (return 1, K = 1), T with 200 m3/day at recovery 0.5, raised to
    # 0.6 in p2 (trains_by_period), and a boost to 0.8 in p2. Capacity binds (feed 200 <= tap):
    # p1 makes 0.5 x 200 = 100, tap 900; p2 makes 0.6 x 200 + (0.8 - 0.6) x 200 = 160, all of
    # it boosted (the tap comes first), tap 840. (A gain over the base 0.5 would make 180.)
    from dataclasses import replace
    from model.case import Period
    from model.case.objects import Boost, Emergency, PeriodData
    case = replace(make_case([("P", "rinse", "1", 1000.0, 1.0, None)],
                             [("T", 200.0, 0.5, ("1",), 1.0)], max_recycles=1),
                   periods=(Period("p1", 1.0), Period("p2", 1.0)),
                   by_period=PeriodData(recovery={("T", "p2"): 0.6}),
                   emergency=Emergency(boosts=(Boost("T", 0.8, 5.0, ("p2",)),)))
    res = plan(case)
    tap = res.periods.set_index("period").tap_m3_per_day
    assert tap["p1"] == pytest.approx(900.0, rel=1e-9)
    assert tap["p2"] == pytest.approx(840.0, rel=1e-9)
    # (the cost stage, held to the least tap within 1e-9 of it, trims the paid boost by that)
    p2 = res.trains.set_index("period").loc["p2"]
    assert p2.boosted_feed_m3_per_day == pytest.approx(200.0, abs=1e-5)
    assert p2.product_m3_per_day == pytest.approx(160.0, abs=1e-5)
