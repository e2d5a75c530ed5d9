"""The quality layer combined with trucked water, storage and rationing."""
import pytest

from model import load_case, plan
from model.studies import with_cut
from period_casefiles import write_case

# One rinse use (D = 100, a = 1, K = 1), train at 50% whose product has 100 ppm TDS, tap 10 ppm,
# inlet limit 25 ppm. Blend: 10 x + 100 y <= 25 (x + y)  ->  y <= x / 5, tighter than the
# recovery bound y <= x / 2. Least fresh water x = 100 / 1.2 = 83.33.
QUALITY = {
    "contaminants.csv": "contaminant,tap_ppm\ntds,10\n",
    "use_quality.csv": "plant,use,contaminant,max_inlet_ppm,outlet_ppm\nP,rinse,tds,25,300\n",
    "train_quality.csv": "train,contaminant,product_ppm\nT,tds,100\n",
}


def test_trucked_water_counts_in_the_inlet_blend_at_tap_quality(tmp_path):
    # A 50% cut caps tap at 83.33 / 2 = 41.67; a truck adds 30 of tap-quality water, so fresh
    # water x = 71.67 and recycled y = x / 5: supplied 1.2 x = 86, shortage 14. Leaving the
    # trucked water out of the blend would allow only y = 41.67 / 5 and a shortage of 20.
    case = with_cut(load_case(write_case(tmp_path, {
        **QUALITY, "tankers.csv": "tanker,capacity_m3_per_day,price_per_m3\ntruck,30,1\n"})),
        cut=0.5)
    r = plan(case)
    assert r.summary.rationing.baseline_m3_per_day == pytest.approx(100 / 1.2, rel=1e-9)
    assert r.summary.shortage_m3_per_day == pytest.approx(100 - 1.2 * (100 / 2.4 + 30),
                                                             rel=1e-7)
    q = r.quality
    assert (q.inlet_ppm <= q.max_inlet_ppm + 1e-6).all()


def test_recycled_tank_water_is_charged_the_product_quality(tmp_path):
    # Two days; a 100 m3 tank of recycled water starts full and may end empty. The tank's
    # water has the train's 100 ppm, so the blend bound y <= x / 5 still holds for all recycled
    # water: the least tap over the two days stays 2 x 83.33.
    case = load_case(write_case(tmp_path, {
        **QUALITY,
        "periods.csv": "period,days\nd1,1\nd2,1\n",
        "tanks.csv": "tank,zone,holds,capacity_m3,initial_m3,min_final_m3\nR,1,recycled,100,100,0\n",
    }))
    r = plan(case)
    assert r.summary.tap_m3 == pytest.approx(2 * 100 / 1.2, rel=1e-7)
    q = r.quality
    assert (q.inlet_ppm <= q.max_inlet_ppm + 1e-6).all()
