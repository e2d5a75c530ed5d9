"""Metamorphic properties: what must hold between two related cases, whatever the data.

The cases are those of tests/strategies.py: most recycle, many are short of capacity, and half
span periods with tanks, trucks, boosts or rationing. Plans are compared on what the solver
minimises, in its order: the shortage first (rationing), then the water bought (tap and trucked
water, `total_tap_m3`). A rationing baseline the case leaves to be computed is computed once on
the original case and kept, so that both plans face the same caps.
"""
import dataclasses
import random
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import load_case, plan
from model.bundled import bundled_case
from model.studies.drought import resolve_baseline
from tests.strategies import cases

PROPS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Every stage is held within max(1e-9, 1e-10 x optimum) of its optimum (model.solve); horizon
# volumes stay below ~1e7 m3 here, so a comparison between two plans may differ by about 1e-3.
SLACK, REL = 1e-3, 1e-9


def outcome(case) -> tuple[float, float]:
    """(shortage, water bought) over the horizon, m3: the plan's first two objectives."""
    s = plan(case).summary
    return s.shortage_m3, s.tap_m3 + s.tanker_m3


def no_worse(new: tuple[float, float], old: tuple[float, float]) -> bool:
    """Lexicographically no worse: less shortage, or as little and no more water bought."""
    (short_new, bought_new), (short_old, bought_old) = new, old
    if short_new < short_old - SLACK:
        return True
    return short_new <= short_old + SLACK and bought_new <= bought_old * (1 + REL) + SLACK


def replace_uses(case, changes):
    return dataclasses.replace(case, uses=tuple(dataclasses.replace(u, **changes(u))
                                                for u in case.uses))


def replace_trains(case, changes):
    return dataclasses.replace(case, trains=tuple(dataclasses.replace(t, **changes(t))
                                                  for t in case.trains))


def scaled(case, k: float):
    """Every volume of the case times k (demands, capacities, tanks, trucks, caps, baseline)."""
    d = case.by_period
    data = None if d is None else dataclasses.replace(
        d, demand_m3_per_day={key: v * k for key, v in d.demand_m3_per_day.items()},
        capacity_m3_per_day={key: v * k for key, v in d.capacity_m3_per_day.items()},
        tap_cap_m3_per_day={key: v * k for key, v in d.tap_cap_m3_per_day.items()})
    r = case.rationing
    return dataclasses.replace(
        replace_trains(replace_uses(case, lambda u: {"demand_m3_per_day": u.demand_m3_per_day
                                                     * k}),
                       lambda t: {"capacity_m3_per_day": t.capacity_m3_per_day * k}),
        by_period=data,
        tanks=tuple(dataclasses.replace(t, capacity_m3=t.capacity_m3 * k,
                                        initial_m3=t.initial_m3 * k,
                                        min_final_m3=t.min_final_m3 * k) for t in case.tanks),
        emergency=dataclasses.replace(case.emergency, tankers=tuple(
            dataclasses.replace(t, capacity_m3_per_day=t.capacity_m3_per_day * k)
            for t in case.emergency.tankers)),
        rationing=r if r is None or r.baseline_m3_per_day is None else dataclasses.replace(
            r, baseline_m3_per_day=r.baseline_m3_per_day * k))


@PROPS
@given(cases(), st.floats(min_value=0.01, max_value=100.0))
def test_scaling_every_volume_scales_the_plan(case, k):
    case = resolve_baseline(case)
    (short, bought), (short_k, bought_k) = outcome(case), outcome(scaled(case, k))
    assert bought_k == pytest.approx(k * bought, rel=1e-6, abs=SLACK * k)
    assert short_k == pytest.approx(k * short, rel=1e-6, abs=SLACK * k)


@PROPS
@given(cases(), st.randoms(use_true_random=False))
def test_order_of_rows_changes_nothing(case, rnd):
    shuffled = dataclasses.replace(
        case, uses=tuple(rnd.sample(case.uses, len(case.uses))),
        trains=tuple(rnd.sample(case.trains, len(case.trains))),
        plants=tuple(rnd.sample(case.plants, len(case.plants))))
    a, b = outcome(case), outcome(shuffled)
    assert b[0] == pytest.approx(a[0], rel=1e-9, abs=SLACK)
    assert b[1] == pytest.approx(a[1], rel=1e-9, abs=SLACK)


@PROPS
@given(cases(), st.floats(min_value=1.0, max_value=3.0))
def test_more_capacity_never_makes_the_plan_worse(case, factor):
    case = resolve_baseline(case)
    bigger = replace_trains(case, lambda t: {"capacity_m3_per_day": t.capacity_m3_per_day
                                             * factor + 1.0})
    if case.by_period is not None:
        bigger = dataclasses.replace(bigger, by_period=dataclasses.replace(
            case.by_period, capacity_m3_per_day={key: v * factor + 1.0 for key, v
                                                 in case.by_period.capacity_m3_per_day.items()}))
    assert no_worse(outcome(bigger), outcome(case))


@PROPS
@given(cases(), st.floats(min_value=0.0, max_value=0.5))
def test_higher_recovery_never_makes_the_plan_worse(case, gain):
    case = resolve_baseline(case)
    better = replace_trains(case, lambda t: {"recovery": min(1.0, t.recovery + gain)})
    if case.by_period is not None:
        better = dataclasses.replace(better, by_period=dataclasses.replace(
            case.by_period, recovery={key: min(1.0, v + gain)
                                      for key, v in case.by_period.recovery.items()}))
    assert no_worse(outcome(better), outcome(case))


@PROPS
@given(cases(), st.integers(1, 3))
def test_looser_reuse_limits_never_make_the_plan_worse(case, extra):
    case = resolve_baseline(case)
    K = case.max_recycles + extra
    looser = replace_uses(dataclasses.replace(case, max_recycles=K),
                          lambda u: {"max_recycles": min(K, u.max_recycles + extra)})
    assert no_worse(outcome(looser), outcome(case))


def test_shuffled_case_files_give_the_same_plan(tmp_path):
    # The file level: shuffle the data rows of every CSV of the default case.
    src = bundled_case()
    dst = tmp_path / "shuffled"
    shutil.copytree(src, dst)
    rnd = random.Random(7)
    for name in ["plants.csv", "uses.csv", "treatment.csv"]:
        header, *rows = (dst / name).read_text().splitlines()
        rnd.shuffle(rows)
        (dst / name).write_text("\n".join([header, *rows]) + "\n")
    a = plan(load_case(src)).summary
    b = plan(load_case(dst)).summary
    for key in ["tap_m3_per_day", "recycled_m3_per_day", "treated_m3_per_day", "cost_per_day"]:
        assert getattr(b, key) == pytest.approx(getattr(a, key), rel=1e-9)
