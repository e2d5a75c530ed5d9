"""Marginal values from the tap-stage duals, checked against finite differences."""
import dataclasses

import pytest

from model import load_case, plan
from model.formulation import build_model
from model.solve import solve
from model.bundled import bundled_case


def with_train(case, **changes):
    (train,) = case.trains
    return dataclasses.replace(case, trains=(dataclasses.replace(train, **changes),))


def tap(case):
    # the tap stage's own optimum: later stages may let tap drift within the documented hold
    # tolerance (1e-10 relative), which would pollute a finite difference over a 1 m3/day step
    return solve(build_model(case)).objectives["total_tap_m3"]


@pytest.mark.parametrize("capacity", [40000.0, 15000.0, 8000.0])
def test_capacity_value_matches_finite_difference(capacity):
    # Phase 2 campus with K14's capacity slack (40,000) or binding (15,000, 8,000).
    case = with_train(load_case(bundled_case("ntip-2019-phase2")), capacity_m3_per_day=capacity)
    value = plan(case).summary.trains[0].capacity_value
    delta = 1.0  # m3/day: small against the capacity, so the optimal basis does not change
    up = (tap(case) - tap(with_train(case, capacity_m3_per_day=capacity + delta))) / delta
    down = (tap(with_train(case, capacity_m3_per_day=capacity - delta)) - tap(case)) / delta
    # tap is piecewise linear in capacity: away from a breakpoint both sides agree with the dual
    assert value == pytest.approx(up, rel=1e-6, abs=1e-6)
    assert value == pytest.approx(down, rel=1e-6, abs=1e-6)
    if capacity < 20000:
        assert value > 0  # binding capacity has a value


@pytest.mark.parametrize("name, capacity", [("ntip-2019-phase2", None),
                                            ("ntip-2015-phase1", None),
                                            ("ntip-2019-phase2", 15000.0)])
def test_recovery_value_matches_finite_difference(name, capacity):
    case = load_case(bundled_case(name))
    if capacity is not None:
        case = with_train(case, capacity_m3_per_day=capacity)
    r = case.trains[0].recovery
    value = plan(case).summary.trains[0].recovery_value
    step = 0.0001  # 0.01 percentage point
    up = (tap(case) - tap(with_train(case, recovery=r + step))) / (step * 100)
    down = (tap(with_train(case, recovery=r - step)) - tap(case)) / (step * 100)
    assert value > 0
    # tap is not linear in recovery (recovery multiplies feed, and generations compound), so the
    # one-sided differences bracket the derivative; their midpoint is second-order accurate.
    assert min(up, down) <= value * (1 + 1e-6) and value <= max(up, down) * (1 + 1e-6)
    assert value == pytest.approx((up + down) / 2, rel=1e-4)
