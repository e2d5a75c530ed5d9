"""Physics recomputed from the files `--out` writes (tests/invariants.py), on every bundled case
and on random cases that recycle, hit capacity limits and span periods with tanks, trucks,
boosts and rationing (tests/strategies.py)."""
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from model import load_case, plan
from model.bundled import bundled_case, bundled_case_names
from model.cli import main
from model.results.output import output_files, write_outputs
from tests.invariants import check_physics
from tests.strategies import cases


@pytest.mark.parametrize("name", bundled_case_names())
def test_bundled_cases_obey_the_physics(name, tmp_path):
    out = tmp_path / "out"
    assert main(["solve", name, "--out", str(out), "--no-largest-cut"]) == 0
    check_physics(load_case(bundled_case(name)), out)


def test_default_cases_are_bundled():
    assert {"ntip-2015-phase1", "ntip-2019-phase2"} <= set(bundled_case_names())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_random_cases_obey_the_physics(case):
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        write_outputs(out, output_files(plan(case)))
        check_physics(case, out)
