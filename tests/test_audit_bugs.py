"""One test for each bug a mutation audit planted and the suite missed (docs/testing.md), and
second tests for behaviours the audit found guarded by a single test (the boost's extra
product, days without shortage, the tanker price in the cost).

Each expected value is worked by hand in the test's docstring, from the case's data alone. The
cases start from ONE_USE (tests/period_casefiles.py): one use, demand D = 100 m3/day, return
fraction a = 1, one train at recovery r = 0.5 treating once (K = 1), ample capacity. Its least
tap T solves T + r a T = D: T = 100 / 1.5 = 66.667 m3/day.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

from model.cli import main
from model.formulation import HoldRule
from period_casefiles import write_case

# Later stages may move an earlier stage's volume by its hold, max(1e-9, 1e-10 x optimum) m3,
# with optima below 1e4 here: volumes are compared with twice that on top of rel=1e-9.
HELD = 2 * max(HoldRule().abs_m3, HoldRule().rel * 1e4)
LEAST_TAP = 100 / 1.5


def solve_to_files(folder, out, *args) -> tuple[dict, dict[str, pd.DataFrame]]:
    """Run `wateralloc solve folder --out out ...` and read back what it wrote."""
    assert main(["solve", str(folder), "--out", str(out), *args]) == 0
    summary = json.loads((out / "summary.json").read_text())
    return summary, {p.stem: pd.read_csv(p) for p in out.glob("*.csv")}


def test_campus_tap_share_counts_shortage_in_the_demand(tmp_path):
    """Bug 1: campus tap_share computed as tap / supplied.

    ONE_USE cut by 10%: the cap is 0.9 x 66.667 = 60 m3/day of tap. 60 of tap returns 60 of
    wastewater, which makes 0.5 x 60 = 30 recycled: supplied 90, shortage 10.
    tap_share = tap / demand = 60 / 100 = 0.60 (tap / supplied would be 60 / 90 = 0.667);
    uses_per_drop = demand / tap = 100 / 60.
    """
    summary, tables = solve_to_files(write_case(tmp_path / "case", {}), tmp_path / "out",
                                     "--cut", "0.1")
    assert summary["tap_m3_per_day"] == pytest.approx(60.0, rel=1e-9, abs=HELD)
    assert summary["shortage_m3_per_day"] == pytest.approx(10.0, rel=1e-9, abs=HELD)
    assert summary["tap_share"] == pytest.approx(0.60, rel=1e-9)
    assert summary["uses_per_drop"] == pytest.approx(100 / 60, rel=1e-9)
    assert tables["plants"].set_index("plant").tap_share["P"] == pytest.approx(0.60, rel=1e-9)


TRUCKED_AND_SHORT = {
    "plants.csv": "plant,zone\nP,1\nQ,2\n",
    "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                "P,rinse,100,1.0,\nQ,domestic,50,0.0,0\n",
    "tankers.csv": "tanker,capacity_m3_per_day,price_per_m3,zones\ntruck,12,1500,1\n",
}


def test_plant_tap_share_counts_trucks_and_shortage_in_the_demand(tmp_path):
    """Bug 2: a plant's tap_share with the wrong denominator (tap / supplied, or tap / (tap +
    recycled)), under shortage and under trucks.

    P (zone 1): ONE_USE's rinse, and a truck of 12 m3/day serving zone 1. Q (zone 2): a tap-only
    use of 50 m3/day. Baseline = 66.667 + 50 = 116.667; a 30% cut caps tap at 81.667.
    With trucks, P needs (100 - sP) / 1.5 - 12 of tap; Q needs 50 - sQ. The cap gives
    sP / 1.5 + sQ >= 66.667 + 38 - 81.667 = 23; with fair sharing off (--no-fair-share) the least
    total shortage cuts Q, which frees a
    whole m3 of tap per m3 short (P only 2/3): sQ = 23, sP = 0.
      P: tap 54.667, trucked 12, recycled 33.333, demand 100 -> tap_share 0.54667
         (tap / (tap + recycled) would be 54.667 / 88 = 0.621)
      Q: tap 27, short 23, demand 50 -> tap_share 0.54 (tap / supplied would be 1.0)
      campus: tap 81.667 / demand 150 = 0.54444
    """
    summary, tables = solve_to_files(write_case(tmp_path / "case", TRUCKED_AND_SHORT),
                                     tmp_path / "out", "--cut", "0.3", "--no-fair-share")
    plants = tables["plants"].set_index("plant")
    assert plants.tap_m3_per_day["P"] == pytest.approx(LEAST_TAP - 12, rel=1e-9, abs=HELD)
    assert plants.tanker_m3_per_day["P"] == pytest.approx(12, rel=1e-9, abs=HELD)
    assert plants.shortage_m3_per_day["Q"] == pytest.approx(23, rel=1e-9, abs=HELD)
    assert plants.tap_share["P"] == pytest.approx((LEAST_TAP - 12) / 100, rel=1e-9)
    assert plants.tap_share["Q"] == pytest.approx(27 / 50, rel=1e-9)
    assert summary["tap_share"] == pytest.approx(0.7 * (LEAST_TAP + 50) / 150, rel=1e-9)


def test_capacity_value_is_per_day_of_its_period(tmp_path):
    """Bug 3: capacity_value not divided by the period's days.

    ONE_USE with capacity 40 m3/day, over January (31 days) and February (28 days). Feed is
    capped at 40, making 0.5 x 40 = 20 recycled, so tap = 80 in each period. One more m3/day of
    capacity makes 0.5 m3/day more recycled water: capacity_value = 0.5 in each period and in
    the day-weighted summary (the row's dual is 31 x 0.5 = 15.5 tap m3 for January's row;
    undivided, the summary would read (31 x 15.5 + 28 x 14) / 59 = 14.8).
    One more point of recovery makes 0.01 x 40 = 0.4 m3/day more: recovery_value = 0.4.
    """
    summary, tables = solve_to_files(write_case(tmp_path / "case", {
        "treatment.csv": "train,capacity_m3_per_day,recovery,zones,cost_per_m3\nT,40,0.5,1,0\n",
        "periods.csv": "period,start,days\njan,2021-01-01,31\nfeb,2021-02-01,28\n",
    }), tmp_path / "out")
    trains = tables["trains"]
    assert list(trains.period) == ["jan", "feb"]
    assert list(trains.capacity_value) == pytest.approx([0.5, 0.5], rel=1e-9)
    assert list(trains.recovery_value) == pytest.approx([0.4, 0.4], rel=1e-9)
    (train,) = summary["trains"]
    assert train["capacity_value"] == pytest.approx(0.5, rel=1e-9)
    assert train["recovery_value"] == pytest.approx(0.4, rel=1e-9)
    assert summary["tap_m3"] == pytest.approx(80 * 59, rel=1e-9)


def test_trucked_water_counts_as_water_bought(tmp_path):
    """Bug 4: trucked water left out of the tap objective.

    ONE_USE with a truck of 10 m3/day at 1,500 per m3, over a normal week and a week cut by
    10% (stage orange). Trucked water is tap-quality water (generation 0): an m3 trucked in does
    exactly what an m3 of tap does. So the least water bought (tap + trucked) is 66.667 per day
    in the normal week, and no truck is needed there: the plan draws 66.667 of tap and trucks
    nothing. In the cut week tap is capped at 0.9 x 66.667 = 60, and 6.667 m3/day of trucked
    water makes up the gap (60 + 6.667 = 66.667, with no shortage).
    Were trucks free in the tap stage, the normal week would truck 10 m3/day and draw 56.667.
    """
    summary, tables = solve_to_files(write_case(tmp_path / "case", {
        "tankers.csv": "tanker,capacity_m3_per_day,price_per_m3\ntruck,10,1500\n",
        "periods.csv": "period,days,stage\nnormal,7,blue\ncut,7,orange\n",
        "stages.csv": "stage,cut\nblue,0\norange,0.1\n",
    }), tmp_path / "out")
    periods = tables["periods"].set_index("period")
    assert periods.tanker_m3_per_day["normal"] == pytest.approx(0.0, abs=HELD)
    assert periods.tap_m3_per_day["normal"] == pytest.approx(LEAST_TAP, rel=1e-9, abs=HELD)
    assert periods.tanker_m3_per_day["cut"] == pytest.approx(LEAST_TAP - 60, rel=1e-9, abs=HELD)
    assert periods.shortage_m3_per_day["cut"] == pytest.approx(0.0, abs=HELD)
    assert summary["tanker_m3"] == pytest.approx(7 * (LEAST_TAP - 60), rel=1e-9, abs=HELD)
    # treatment is free and tap has no price here: the money is the trucks' 1,500 per m3
    assert summary["cost"] == pytest.approx(1500 * 7 * (LEAST_TAP - 60), rel=1e-9, abs=1e-3)
    assert summary["days_without_shortage"] == 14 and summary["first_shortage_period"] is None


def test_a_boost_adds_its_extra_recovery_to_the_product(tmp_path):
    """A second test for the boost's extra product (the audit found one test alone caught it).

    ONE_USE with a boost to 0.8 recovery at 5 per m3 of feed, in every period, no rationing.
    The boost lowers tap, so the tap stage runs all the feed boosted: the product is 0.5 x feed
    + (0.8 - 0.5) x feed = 0.8 x feed, and T + 0.8 T = 100 gives T = 100 / 1.8 = 55.556. The
    boosted feed is all of T, so the cost is 5 x 55.556 per day (treatment is free).
    """
    summary, tables = solve_to_files(write_case(tmp_path / "case", {
        "boosts.csv": "train,recovery,extra_cost_per_m3\nT,0.8,5\n"}), tmp_path / "out")
    assert summary["tap_m3_per_day"] == pytest.approx(100 / 1.8, rel=1e-9)
    assert summary["recycled_m3_per_day"] == pytest.approx(0.8 * 100 / 1.8, rel=1e-9)
    assert summary["cost_per_day"] == pytest.approx(5 * 100 / 1.8, rel=1e-9)


@pytest.mark.parametrize("file, text, column, value", [
    ("demand.csv", "period,plant,use,demand_m3_per_day,factor\na,P,rinse,-60,\n",
     "demand_m3_per_day", "-60"),
    ("demand.csv", "period,plant,use,demand_m3_per_day,factor\na,P,,,-0.5\n", "factor", "-0.5"),
    ("periods.csv", "period,days,demand_factor\na,1,-2\n", "demand_factor", "-2"),
])
def test_a_negative_demand_or_factor_is_invalid_input_not_infeasible(tmp_path, capsys, file,
                                                                     text, column, value):
    """Bug 5: a negative demand or factor accepted, failing later as "no feasible plan".

    A demand below 0 cannot be met by non-negative flows, so the solver would call the case
    infeasible (exit 3). It is bad input: exit 2 (README's exit codes), naming the file, the
    line (the header is line 1), the column, the value and the rule.
    """
    files = {"periods.csv": "period,days\na,1\n", file: text}
    code = main(["solve", str(write_case(tmp_path / "case", files))])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"{file}, line 2, column '{column}'" in err
    assert value in err and "must be in [0, " in err  # the rule: at least 0 (and bounded)
