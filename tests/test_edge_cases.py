"""Behaviours at the edges of the model, each worked by hand: storage of a generation no use
accepts, money that leaves out priced shortage, and tank water no train can fill."""
import pytest

from model import load_case, plan
from model.formulation import HoldRule
from model.studies import with_cut
from period_casefiles import write_case
import quality_helpers
from test_quality_hand import BLEND  # the one-use boron case worked there

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

