from model import load_case, plan
from model.bundled import bundled_case


def test_default_case_solves_optimal():
    r = plan(load_case(bundled_case()))
    assert r.summary.status == "optimal"
    assert r.summary.tap_m3_per_day < r.summary.demand_m3_per_day
