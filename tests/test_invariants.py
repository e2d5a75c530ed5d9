"""Invariants recomputed from the output tables, on the shipped cases and on random ones."""
import pytest
from hypothesis import HealthCheck, given, settings

from model import load_case, plan
from model.bundled import bundled_case, bundled_case_names
from tests.invariants import check_invariants
from tests.strategies import cases


@pytest.mark.parametrize("name", ["ntip-2015-phase1", "ntip-2019-phase2"])
def test_shipped_cases_obey_the_physics(name):
    case = load_case(bundled_case(name))
    check_invariants(case, plan(case))


def test_default_cases_are_bundled():
    assert {"ntip-2015-phase1", "ntip-2019-phase2"} <= set(bundled_case_names())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_random_cases_obey_the_physics(case):
    check_invariants(case, plan(case))
