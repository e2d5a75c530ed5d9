"""Metamorphic properties: what must hold between two related cases, whatever the data."""
import dataclasses
import random
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import load_case, plan
from model.bundled import bundled_case
from tests.strategies import cases

PROPS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def tap(case) -> float:
    return plan(case).summary.tap_m3_per_day


def no_higher(new: float, old: float) -> bool:
    # the cost stage may spend the documented tap tolerance (1e-10 relative): allow that much
    return new <= old * (1 + 1e-9) + 1e-7


def replace_uses(case, changes):
    return dataclasses.replace(case, uses=tuple(dataclasses.replace(u, **changes(u))
                                                for u in case.uses))


def replace_trains(case, changes):
    return dataclasses.replace(case, trains=tuple(dataclasses.replace(t, **changes(t))
                                                  for t in case.trains))


@PROPS
@given(cases(), st.floats(min_value=0.01, max_value=100.0))
def test_scaling_every_volume_scales_tap(case, k):
    scaled = dataclasses.replace(
        case,
        uses=tuple(dataclasses.replace(u, demand_m3_per_day=u.demand_m3_per_day * k)
                   for u in case.uses),
        trains=tuple(dataclasses.replace(t, capacity_m3_per_day=t.capacity_m3_per_day * k)
                     for t in case.trains))
    assert tap(scaled) == pytest.approx(k * tap(case), rel=1e-7)


@PROPS
@given(cases(), st.randoms(use_true_random=False))
def test_order_of_rows_changes_nothing(case, rnd):
    shuffled = dataclasses.replace(
        case, uses=tuple(rnd.sample(case.uses, len(case.uses))),
        trains=tuple(rnd.sample(case.trains, len(case.trains))),
        plants=tuple(rnd.sample(case.plants, len(case.plants))))
    a, b = plan(case).summary, plan(shuffled).summary
    assert b.tap_m3_per_day == pytest.approx(a.tap_m3_per_day, rel=1e-9, abs=1e-7)
    assert b.treated_m3_per_day == pytest.approx(a.treated_m3_per_day, rel=1e-6, abs=1e-6)


@PROPS
@given(cases(), st.floats(min_value=1.0, max_value=3.0))
def test_more_capacity_never_raises_tap(case, factor):
    bigger = replace_trains(case, lambda t: {"capacity_m3_per_day": t.capacity_m3_per_day
                                             * factor + 1.0})
    assert no_higher(tap(bigger), tap(case))


@PROPS
@given(cases(), st.floats(min_value=0.0, max_value=0.5))
def test_higher_recovery_never_raises_tap(case, gain):
    better = replace_trains(case, lambda t: {"recovery": min(1.0, t.recovery + gain)})
    assert no_higher(tap(better), tap(case))


@PROPS
@given(cases(), st.integers(1, 3))
def test_looser_reuse_limits_never_raise_tap(case, extra):
    K = case.max_recycles + extra
    looser = replace_uses(dataclasses.replace(case, max_recycles=K),
                          lambda u: {"max_recycles": min(K, u.max_recycles + extra)})
    assert no_higher(tap(looser), tap(case))


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
