"""The last stage shares tap and recycled water evenly between plants, within the limits."""
import pytest

from model import load_case, plan
from model.bundled import bundled_case
from tests.factory import make_case


def test_plants_with_the_same_use_mix_get_the_same_tap_share():
    # Every NTIP plant has the same mix of uses and K14 serves both zones, so scaling one plan
    # plant by plant is feasible: the even split puts every plant on the campus tap share.
    res = plan(load_case(bundled_case("ntip-2019-phase2")))
    shares = res.plants.tap_share
    assert list(shares) == pytest.approx([res.summary["tap_share"]] * len(shares), rel=1e-6)


def test_even_split_of_a_pooled_train_between_two_plants():
    # Plants A (demand 300) and B (100) in one zone, both rinse (a = 1, K = 1), train at 50%.
    # Least tap: T + 0.5 T = 400 -> T = 266.67, recycled 133.33. Any split is least-tap and
    # least-cost (feed is 133.33 / 0.5 either way); the even one gives each plant tap share 2/3:
    # A: 200 tap + 100 recycled, B: 66.67 tap + 33.33 recycled.
    case = make_case([("A", "rinse", "1", 300, 1.0, None), ("B", "rinse", "1", 100, 1.0, None)],
                     [("T", 1e6, 0.5, ("1",), 1.0)], max_recycles=1)
    plants = plan(case).plants.set_index("plant")
    assert plants.tap_m3_per_day["A"] == pytest.approx(200, rel=1e-7)
    assert plants.tap_m3_per_day["B"] == pytest.approx(200 / 3, rel=1e-7)


def test_a_plant_that_cannot_share_does_not_pull_the_others():
    # Plant C is in zone 2, which no train serves: it is tap only and left out of the sharing;
    # A and B are split evenly as in the test above.
    case = make_case([("A", "rinse", "1", 300, 1.0, None), ("B", "rinse", "1", 100, 1.0, None),
                      ("C", "rinse", "2", 50, 1.0, None)],
                     [("T", 1e6, 0.5, ("1",), 1.0)], max_recycles=1)
    plants = plan(case).plants.set_index("plant")
    assert plants.tap_share["A"] == pytest.approx(2 / 3, rel=1e-7)
    assert plants.tap_share["B"] == pytest.approx(2 / 3, rel=1e-7)
    assert plants.tap_share["C"] == pytest.approx(1.0, rel=1e-12)
