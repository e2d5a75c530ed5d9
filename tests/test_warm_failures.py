"""A warm re-solve (model.solve.warm.WarmLP) that meets a failure reports it as the scenario's
status, never as a crash of the sweep and never with a figure: a later stage that fails, a first
stage that stops short of a verdict, a rationing baseline that cannot be solved. A later stage
that fails at first is retried with its holds widened, as a cold solve does. The failures are
injected into the solver calls; the case is a one-use campus whose answer is worked by hand
below."""
from __future__ import annotations

import pytest

from model.errors import SolverError
from model.formulation import build_model
from model.solve import stages as stages_module
from model.solve import warm as warm_module
from model.solve.highs import Outcome, Status
from model.solve.stages import FirstStageFailed
from model.solve.warm import WarmLP
from model.studies.drought import with_cut
from tests.factory import make_case


def campus():
    # one use of 300 m3/day returning all of it, one train of recovery 0.5 and price 1. With
    # K = 1 only tap's wastewater can be treated: tap T returns T, of which 0.5 T comes back,
    # and T + 0.5 T = 300 gives T = 200 of tap and 100 recycled
    return make_case([("A", "rinse", "1", 300, 1.0, None)], [("T", 1e6, 0.5, ("1",), 1.0)],
                     max_recycles=1, tap_price=2.0)


def warm_for(case) -> WarmLP:
    return WarmLP(build_model(case), frozenset({"capacity", "cut"}))


def test_a_warm_scenario_whose_later_stage_fails_is_a_row_with_its_status(monkeypatch):
    case = campus()
    warm = warm_for(case)

    def failing(*args, **kwargs):
        raise SolverError("the total_cost stage did not end optimal (Infeasible)")

    monkeypatch.setattr(warm_module, "run_plan", failing)
    run = warm.solve(case)
    assert run.status == "solver failure: the total_cost stage did not end optimal (Infeasible)"
    assert run.case == case and run.plan is None and run.least_tap_m3_per_day is None


def test_a_first_stage_that_stops_short_of_a_verdict_has_no_least_tap(monkeypatch):
    # only an infeasible scenario is told the least tap it would need; one stopped at a time
    # limit has no verdict, and its least tap is not even looked for
    case = campus()
    warm = warm_for(case)
    looked = []

    def stopped(*args, **kwargs):
        raise FirstStageFailed(Outcome(Status.TIME_LIMIT, "Time limit reached"))

    monkeypatch.setattr(warm_module, "run_plan", stopped)
    monkeypatch.setattr(WarmLP, "_least_tap", lambda self, *a: looked.append(a) or 1.0)
    run = warm.solve(case)
    assert run.status == "Time limit reached" and run.plan is None
    assert run.least_tap_m3_per_day is None and looked == []


def test_a_rationing_baseline_that_cannot_be_solved_is_a_solver_failure(monkeypatch):
    case = with_cut(campus(), cut=0.1)
    assert case.rationing.enabled and case.rationing.baseline_m3_per_day is None
    warm = warm_for(case)
    monkeypatch.setattr(WarmLP, "_least_tap", lambda self, *a: None)
    message = "the rationing baseline (the unrestricted least tap) could not be solved"
    with pytest.raises(SolverError) as exc:
        warm.with_baseline(case)
    assert str(exc.value) == message
    run = warm.solve(case)
    assert run.status == f"solver failure: {message}" and run.plan is None


def test_a_later_warm_stage_that_fails_at_first_is_retried_with_its_holds_widened(monkeypatch):
    case = campus()
    warm = warm_for(case)
    real, calls = stages_module._attempt, []

    def first_cost_attempt_fails(lp, stage):
        calls.append(stage.objective)
        if stage.objective == "total_cost" and calls.count("total_cost") == 1:
            return Outcome(Status.INFEASIBLE, "Infeasible")
        return real(lp, stage)

    monkeypatch.setattr(stages_module, "_attempt", first_cost_attempt_fails)
    run = warm.solve(case)
    assert calls.count("total_cost") == 1      # the retry is a run under the widened holds
    assert run.status == "optimal" and warm.holds.widen > 1.0
    assert run.plan.objectives["total_tap_m3"] == pytest.approx(200.0, rel=1e-6)
