"""The exact words an engineer gets when a tap cap leaves a case without a plan
(model/solve/diagnose.py: explain_infeasible). The format, from its code and the README:

    no plan meets every demand within the tap cap: <line>; <line>; ...
    <line> = tap cap[ in period <t>] is <cap> m3/day but the minimum tap draw is <needed> m3/day:
             a shortfall of <needed - cap> m3/day

" in period <t>" only when the case has more than one period; one line per capped period whose
least tap is above its cap; "the caps together are too tight" when no period's is; and "the case
has no feasible plan, even without its tap cap" when lifting the caps does not help.
"""
from __future__ import annotations

import dataclasses

import pytest

from model import InfeasibleError, load_case, plan
from model.bundled import bundled_case
from model.case import Tank
from model.formulation import build_model
from model.interrupts import STAGE_FILE_ENV
from model.solve.diagnose import explain_infeasible
from model.solve.highs import compile_and_load
from period_casefiles import write_case
from tests.factory import make_case

HEAD = "no plan meets every demand within the tap cap: "


def message(case) -> str:
    with pytest.raises(InfeasibleError) as err:
        plan(case)
    return str(err.value)


def test_one_period_names_no_period(tmp_path):
    # ONE_USE: demand 100, all of it returned, one 50% train, K = 1: least tap = 100 / 1.5
    # = 66.666... -> "66.7"; cap 50: shortfall 16.666... -> "16.7". One period: no " in period".
    case = load_case(write_case(tmp_path, {
        "case.toml": 'name = "c"\nmax_recycles = 1\n[tap]\ncap_m3_per_day = 50\n'}))
    assert message(case) == (HEAD + "tap cap is 50.0 m3/day but the minimum tap draw is "
                             "66.7 m3/day: a shortfall of 16.7 m3/day")


def test_the_default_case_below_its_published_least_tap():
    # README (the default case's report): tap 7,496.2 m3/day, which is its least tap (the
    # largest uniform cut with no shortage is 0.0000 of 7,496.2). Cap 7,000: shortfall 496.2.
    case = dataclasses.replace(load_case(bundled_case()), tap_cap_m3_per_day=7000.0)
    assert message(case) == (HEAD + "tap cap is 7,000.0 m3/day but the minimum tap draw is "
                             "7,496.2 m3/day: a shortfall of 496.2 m3/day")


def test_every_short_period_named_and_a_period_exactly_at_its_cap_left_out(tmp_path):
    # No tank: each period's least tap is its own. a: demand 100, 100 / 1.5 = 66.666... over a
    # cap of 50 (short 16.7). b: demand 1.2 x 100 = 120, 120 / 1.5 = 80 over 60 (short 20.0).
    # c: demand 0.5 x 100 = 50 with the train out, all tap: exactly 50 = its cap, not short.
    case = load_case(write_case(tmp_path, {
        "periods.csv": "period,days,demand_factor,tap_cap_m3_per_day\n"
                       "a,1,1.0,50\nb,2,1.2,60\nc,1,0.5,50\n",
        "trains_by_period.csv": "period,train,capacity_m3_per_day\nc,T,0\n"}))
    assert message(case) == (
        HEAD + "tap cap in period a is 50.0 m3/day but the minimum tap draw is 66.7 m3/day: "
        "a shortfall of 16.7 m3/day; tap cap in period b is 60.0 m3/day but the minimum tap "
        "draw is 80.0 m3/day: a shortfall of 20.0 m3/day")


def test_no_plan_even_without_the_tap_cap():
    # A 10 m3 tank that must end with 20 m3 (a case built in Python: load_case rejects it) and
    # a cap of 1,000 m3/day, far above the least tap of 100 / 1.5: lifting the cap cannot help.
    case = dataclasses.replace(make_case([("P", "rinse", "1", 100, 1.0, None)],
                                         [("T", 1e3, 0.5, ("1",), None)], max_recycles=1,
                                         tap_cap=1000.0),
                               tanks=(Tank("R", "1", "recycled", 10.0, 0.0, 20.0),))
    assert message(case) == "the case has no feasible plan, even without its tap cap"


def test_caps_that_the_least_tap_plan_keeps_are_called_too_tight_together(tmp_path):
    # explain_infeasible is called after HiGHS declared the capped first stage infeasible; if
    # the plan without caps then keeps every cap (which only a verdict at HiGHS's tolerance
    # can give), no period can be named. Called here directly on a case whose cap of 70 is
    # above its least tap of 100 / 1.5 = 66.7, so that the uncapped plan keeps it.
    f = build_model(load_case(write_case(tmp_path, {
        "case.toml": 'name = "c"\nmax_recycles = 1\n[tap]\ncap_m3_per_day = 70\n'})))
    assert str(explain_infeasible(f, compile_and_load(f))) == (
        HEAD + "the caps together are too tight")


def test_the_diagnosis_solve_is_announced_as_the_diagnosis_stage(tmp_path, monkeypatch):
    # Each HiGHS run names its stage (model.interrupts, STAGE_FILE_ENV): the name in the line
    # a Ctrl-C prints ("interrupted (SIGINT) during the diagnosis stage; ...") and in the
    # progress line of a long stage. An infeasible capped case runs its tap stage, then the
    # re-solve without caps.
    stages = tmp_path / "stages.txt"
    monkeypatch.setenv(STAGE_FILE_ENV, str(stages))
    case = load_case(write_case(tmp_path / "case", {
        "case.toml": 'name = "c"\nmax_recycles = 1\n[tap]\ncap_m3_per_day = 50\n'}))
    message(case)
    solver_runs = [s for s in stages.read_text().splitlines() if s.endswith(" stage")]
    assert solver_runs[0] == "the total_tap_m3 stage"
    assert solver_runs[-1] == "the diagnosis stage"
