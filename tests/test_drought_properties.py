"""Properties of rationing, storage and emergency supply on random cases (hypothesis)."""
import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import plan
from model.case import Period
from model.studies import with_cut
from model.case import Emergency, PeriodData, Tank, Tanker
from tests.strategies import cases

PROPS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Every stage is held within max(1e-9, 1e-10 x optimum) of its optimum (model.solve); random
# volumes stay below ~3e4 m3, so a comparison between two plans may differ by this much.
SLACK = 1e-5


def shortage(case) -> float:
    return plan(case).summary.shortage_m3


@PROPS
@given(cases(), st.floats(0.0, 0.9), st.floats(0.0, 0.9))
def test_a_deeper_cut_never_means_less_shortage(case, a, b):
    low, high = sorted((a, b))
    assert shortage(with_cut(case, cut=high)) >= shortage(with_cut(case, cut=low)) - SLACK


@PROPS
@given(cases(), st.floats(0.05, 0.9), st.floats(1.0, 500.0))
def test_trucks_never_mean_more_shortage(case, cut, trucked):
    zones = tuple(case.zones)
    trucks = dataclasses.replace(case, emergency=Emergency(
        tankers=(Tanker("truck", trucked, 1500.0, zones),)))
    assert shortage(with_cut(trucks, cut=cut)) <= shortage(with_cut(case, cut=cut)) + SLACK


@PROPS
@given(cases(), st.floats(0.05, 0.9))
def test_fair_sharing_never_lowers_total_shortage(case, cut):
    # the plain plan minimises each class's total shortage first; fairness can only cost water
    plain = with_cut(case, cut=cut)
    fair = dataclasses.replace(plain, rationing=dataclasses.replace(plain.rationing,
                                                                    fair_share=True))
    assert shortage(fair) >= shortage(plain) - SLACK


@PROPS
@given(cases(), st.lists(st.floats(0.5, 1.5), min_size=2, max_size=4),
       st.floats(0.0, 5000.0))
def test_an_empty_tank_never_raises_tap_over_the_horizon(case, factors, capacity):
    # Demand varies by period; a recycled-water tank that starts and may end empty can only
    # help: the plan without it is still feasible (the tank unused).
    periods = tuple(Period(f"p{i}", 1.0) for i in range(len(factors)))
    factor = {(u.plant, u.use, p.name): f for p, f in zip(periods, factors) for u in case.uses}
    varying = dataclasses.replace(case, periods=periods,
                                  by_period=PeriodData(demand_factor=factor))
    zone = case.uses[0].zone
    tanked = dataclasses.replace(varying, tanks=(Tank("R", zone, "recycled", capacity, 0.0, 0.0),))
    with_tank, without = plan(tanked).summary, plan(varying).summary
    assert with_tank.tap_m3 <= without.tap_m3 * (1 + 1e-9) + SLACK
    # and the water balance closes with storage: tap = consumed + discharged + storage gain
    s = with_tank
    assert s.tap_m3_per_day == pytest.approx(
        s.consumed_m3_per_day + s.discharged_m3_per_day + s.storage_gain_m3_per_day,
        rel=1e-7, abs=1e-6)
