"""What the tool says when HiGHS stops a stage early (time limit): a MIP stage with a solution in
hand is `NotProven`, with that solution and its gap; anything else is a plain `SolverError`
that reports no figures (model.solve.stages._incumbent, NotProven, _stopped)."""
import time
from dataclasses import replace

import numpy as np
import pytest

from model.bundled import bundled_case
from model.case import load_case
from model.errors import SolverError
from model.formulation import Method, Stage, StagePlan, build_model
from model.formulation.objectives import TAP
from model.solve import stages as stages_module
from model.solve.highs import Outcome, Status, compile_and_load, run
from model.studies.options import prepared
from model.studies.portfolio import Question, portfolio_model
from tests.factory import make_case

STOPPED = Outcome(Status.TIME_LIMIT, "Time limit reached")


def test_not_proven_says_which_stage_stopped_and_its_gap():
    with_gap = stages_module.NotProven("total_cost", STOPPED, 0.0123, 5.0)
    assert str(with_gap) == ("HiGHS stopped in the total_cost stage (Time limit reached) with "
                             "a solution it has not proven optimal (gap 1.23%)")
    assert (with_gap.stage, with_gap.gap, with_gap.objective) == ("total_cost", 0.0123, 5.0)
    no_gap = stages_module.NotProven("total_tap_m3", STOPPED, None, 7.0)
    assert str(no_gap) == ("HiGHS stopped in the total_tap_m3 stage (Time limit reached) with "
                           "a solution it has not proven optimal")


def test_an_lp_stage_stopped_with_a_feasible_point_reports_no_figures():
    # an LP has no incumbent to offer: even with a feasible point in hand (here an optimal one,
    # as if the limit struck at the end), a stop is a plain SolverError, never NotProven
    case = make_case([("A", "rinse", "1", 300, 1.0, None)], [("T", 1e6, 0.5, ("1",), 1.0)],
                     max_recycles=1)
    f = build_model(case)
    lp = compile_and_load(f)
    assert run(lp, "first").text == "optimal" and not lp.integer
    assert lp.highs.getInfo().primal_solution_status == 2  # feasible point in hand
    stage = f.stages.stages[0]
    error = stages_module._incumbent(lp, stage, 0, STOPPED)
    assert type(error) is SolverError
    assert str(error) == (f"HiGHS stopped in the {stage.objective} stage without an optimal "
                          "solution: Time limit reached. No figures are reported.")


def test_a_mip_stage_stopped_with_a_portfolio_gives_it_its_gap_and_objective():
    # the options MIP of the 2028 case, solved, then read as if its time limit had struck: the
    # incumbent goes into the Pyomo variables, the objective is recomputed from it, and the
    # gap is HiGHS's own
    case = prepared(load_case(bundled_case("ntip-2028-phase3")))
    f = portfolio_model(case, Question())
    f = replace(f, stages=StagePlan((Stage(TAP, Method.MIP),), dual_stage=TAP))
    lp = compile_and_load(f)
    assert lp.integer and run(lp, TAP).text == "optimal"
    info = lp.highs.getInfo()
    x = np.asarray(lp.highs.getSolution().col_value)
    stop = stages_module._incumbent(lp, f.stages.stages[0], 0, STOPPED)
    assert isinstance(stop, stages_module.NotProven) and stop.stage == TAP
    assert stop.gap == info.mip_gap and np.isfinite(stop.gap)
    assert stop.objective == pytest.approx(info.objective_function_value, rel=1e-12)
    assert stop.objective == pytest.approx(float(lp.costs[0] @ x + lp.offsets[0]), rel=1e-15)
    assert [v.value for v in lp.columns] == pytest.approx(list(x), abs=0)
    assert f"(gap {info.mip_gap:.2%})" in str(stop)


class _NoFiniteBound:
    """HiGHS as it answers after a MIP stopped with a solution but no finite dual bound (for
    instance before its root LP finished): `mip_gap` is infinite. Everything else is the real
    solver's."""

    def __init__(self, highs):
        self._highs = highs

    def getInfo(self):
        info = self._highs.getInfo()
        info.mip_gap = float("inf")
        return info

    def __getattr__(self, name):
        return getattr(self._highs, name)


def test_a_stopped_mip_without_a_finite_gap_carries_its_solution_and_no_gap():
    # a gap that HiGHS cannot state is left out ("gap unknown"), never printed as "inf%"
    case = prepared(load_case(bundled_case("ntip-2028-phase3")))
    f = portfolio_model(case, Question())
    f = replace(f, stages=StagePlan((Stage(TAP, Method.MIP),), dual_stage=TAP))
    lp = compile_and_load(f)
    assert lp.integer and run(lp, TAP).text == "optimal"
    x = np.asarray(lp.highs.getSolution().col_value)
    stop = stages_module._incumbent(replace(lp, highs=_NoFiniteBound(lp.highs)),
                                    f.stages.stages[0], 0, STOPPED)
    assert isinstance(stop, stages_module.NotProven) and stop.gap is None
    assert stop.objective == pytest.approx(float(lp.costs[0] @ x + lp.offsets[0]), rel=1e-15)
    assert str(stop).endswith("with a solution it has not proven optimal")


def test_a_first_stage_ending_any_other_way_says_how_and_reports_nothing(monkeypatch):
    # neither optimal, infeasible nor stopped by the time limit (e.g. HiGHS's iteration limit):
    # the error names the stage and HiGHS's own word for the ending
    f = build_model(make_case([("A", "rinse", "1", 300, 1.0, None)],
                              [("T", 1e6, 0.5, ("1",), 1.0)], max_recycles=1))
    ending = Outcome(Status.OTHER, "Iteration limit reached")

    def stops(*args, **kwargs):
        raise stages_module.FirstStageFailed(ending)
    monkeypatch.setattr(stages_module, "run_plan", stops)
    with pytest.raises(SolverError) as error:
        stages_module.solve(f)
    assert str(error.value) == (f"HiGHS stopped in the {TAP} stage without an optimal solution: "
                                "Iteration limit reached. No figures are reported.")


def test_highs_s_iteration_limit_is_an_ending_of_its_own_in_its_own_words():
    # `highs.run` maps any HiGHS ending but optimal, infeasible and the time limit to OTHER,
    # which the errors quote in HiGHS's words: here a real iteration limit of 0, presolve off so
    # that the tiny LP is not solved before the first iteration
    f = build_model(make_case([("A", "rinse", "1", 300, 1.0, None)],
                              [("T", 1e6, 0.5, ("1",), 1.0)], max_recycles=1))
    lp = compile_and_load(f)
    for option, value in (("presolve", "off"), ("simplex_iteration_limit", 0),
                          ("ipm_iteration_limit", 0)):
        lp.highs.setOptionValue(option, value)
    ending = run(lp, "first")
    assert ending.status is Status.OTHER
    assert ending.text == ending.word == "Iteration limit reached"


def test_each_method_runs_as_its_stage_names_it():
    # `highs.use_method`: primal simplex (strategy 4, no IPM iteration), then interior point
    # with crossover (IPM iterations, and a basis for the next stage); presolve off so that
    # the tiny LP reaches the method at all
    from model.solve.highs import use_method
    f = build_model(make_case([("A", "rinse", "1", 300, 1.0, None)],
                              [("T", 1e6, 0.5, ("1",), 1.0)], max_recycles=1))
    lp = compile_and_load(f)
    lp.highs.setOptionValue("presolve", "off")
    use_method(lp.highs, Method.SIMPLEX)
    assert lp.highs.getOptionValue("simplex_strategy")[1] == 4   # primal simplex
    assert run(lp, "first").status is Status.OPTIMAL
    assert lp.highs.getInfo().ipm_iteration_count == 0
    use_method(lp.highs, Method.IPM)
    assert run(lp, "first").status is Status.OPTIMAL
    info = lp.highs.getInfo()
    assert info.ipm_iteration_count > 0 and info.basis_validity == 1
    # on a HiGHS that has not been set up by a first stage (whose default is dual simplex,
    # strategy 1, which would restart the search from a held basis), too
    import highspy
    fresh = highspy.Highs()
    fresh.setOptionValue("output_flag", False)
    use_method(fresh, Method.SIMPLEX)
    assert fresh.getOptionValue("simplex_strategy")[1] == 4


def test_a_portfolio_milp_is_solved_to_a_proven_gap_of_1e_9():
    # HiGHS stops a branch and bound at a 1e-4 relative gap by default, which could call a
    # portfolio 0.01% dearer than the best "optimal"; the MILP is loaded with a gap of 1e-9
    from model.solve.highs import MIP_REL_GAP
    f = portfolio_model(prepared(load_case(bundled_case("ntip-2028-phase3"))), Question())
    lp = compile_and_load(f)
    assert lp.integer and MIP_REL_GAP == 1e-9
    assert lp.highs.getOptionValue("mip_rel_gap")[1] == MIP_REL_GAP


def test_each_highs_run_is_named_by_its_stage(monkeypatch):
    # the name goes into the progress line of a long run and into the one line a Ctrl-C
    # prints ("interrupted during the total_cost stage"): every run has its stage's name,
    # the simplex stages' too
    labels = []
    real = stages_module.run

    def named(lp, label):
        labels.append(label)
        return real(lp, label)
    monkeypatch.setattr(stages_module, "run", named)
    stages_module.solve(build_model(load_case(bundled_case("ntip-2019-phase2"))))
    assert labels[:2] == [TAP, "total_cost"]
    assert set(labels) == {TAP, "total_cost", "even_sharing"}


def test_a_value_within_tolerance_outside_its_bound_is_read_silently(monkeypatch, caplog):
    # HiGHS may leave a basic column a hair outside its bound (within its feasibility
    # tolerance, 1e-7): the plan takes the value as given, without Pyomo's domain check, which
    # would print a warning (W1001, "not in domain") on the user's terminal for each such column
    case = make_case([("A", "rinse", "1", 300, 1.0, None)], [("T", 1e6, 0.5, ("1",), 1.0)],
                     max_recycles=1)
    f = build_model(case)
    real = stages_module.run_plan
    nudged = {}

    def run_plan(f, lp):
        done = real(f, lp)
        i = next(i for i, v in enumerate(lp.columns) if v.lb == 0)
        nudged["column"] = lp.columns[i]
        x = done.x.copy()
        x[i] = -1e-12
        return replace(done, x=x)

    monkeypatch.setattr(stages_module, "run_plan", run_plan)
    caplog.clear()
    stages_module.solve(f)
    assert nudged["column"].value == -1e-12
    assert [r.getMessage() for r in caplog.records if r.name.startswith("pyomo")] == []


def test_every_highs_the_plan_loads_runs_at_tolerances_100_times_tighter_than_highs_s_own():
    # 1e-9 for rows and reduced costs instead of HiGHS's 1e-7 (model.solve.highs.new_highs):
    # with fair rationing's stages at 1e-7 a warm re-solve moved a shortage by 1.6e-6 relative
    import highspy
    case = make_case([("A", "rinse", "1", 300, 1.0, None)], [("T", 1e6, 0.5, ("1",), 1.0)],
                     max_recycles=1)
    h = compile_and_load(build_model(case)).highs
    default = highspy.Highs().getOptions()
    for option in ("primal_feasibility_tolerance", "dual_feasibility_tolerance"):
        assert getattr(default, option) == 1e-7
        assert getattr(h.getOptions(), option) == 1e-9, option


def test_a_later_stage_that_fails_under_the_holds_is_a_numerical_failure_with_no_figures():
    # the cost stage of the 2019 campus is made to end infeasible after the tap stage solved:
    # with the tap stage held at its optimum the cost stage always has a plan (the tap stage's
    # own), so this is a numerical failure, and it is said so, with no figures
    f = build_model(load_case(bundled_case("ntip-2019-phase2")))
    lp = compile_and_load(f)
    assert [s.objective for s in f.stages.stages[:2]] == [TAP, "total_cost"]

    def attempt(lp, i, stage):
        if i == 1:
            return Outcome(Status.INFEASIBLE, "Infeasible")
        return stages_module._attempt(lp, stage)
    with pytest.raises(SolverError) as failed:
        stages_module.run_plan(f, lp, attempt=attempt)
    assert str(failed.value) == (
        "the total_cost stage did not end optimal (infeasible) after holding the earlier stages "
        "at their optimum; this is a numerical failure. No figures are reported.")


def test_a_long_stage_s_progress_line_names_it(monkeypatch, capsys):
    # with progress lines on (as the CLI has them) and a stage still running after AFTER_S
    # (here 0 s, and HiGHS held back 1 s before it runs), stderr names the stage
    from model import progress as progress_module
    monkeypatch.setattr(progress_module, "enabled", True)
    monkeypatch.setattr(progress_module, "AFTER_S", 0.0)
    monkeypatch.setattr(progress_module, "EVERY_S", 60.0)
    lp = compile_and_load(build_model(make_case([("A", "rinse", "1", 300, 1.0, None)],
                                                [("T", 1e6, 0.5, ("1",), 1.0)], max_recycles=1)))

    class HeldBack:
        def __init__(self, h):
            self.h = h

        def run(self):
            time.sleep(1.0)
            return self.h.run()

        def __getattr__(self, name):
            return getattr(self.h, name)
    lp.highs = HeldBack(lp.highs)
    capsys.readouterr()
    assert run(lp, TAP).status is Status.OPTIMAL
    assert capsys.readouterr().err.startswith(f"wateralloc: solving the {TAP} stage ... ")
