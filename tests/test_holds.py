"""The rows that hold solved stages at their optimum, and how they widen when a later stage
fails on round-off (model.solve.stages._Holds, model.formulation.stages.HoldRule); what a
tie-break solved on the optimal face may use of them (model.solve.face.keeps_holds)."""
from types import SimpleNamespace

import highspy
import numpy as np
import pytest

from model.formulation import build_model
from model.formulation.stages import HoldRule
from model.solve import stages as stages_module
from model.solve.face import ROUNDING, StageDuals, keeps_holds
from model.solve.highs import FEASIBILITY_TOL, compile_and_load, run
from tests.factory import make_case


def _held_first_stage():
    # A (demand 300) under T (recovery 0.5), rinse, return 1, K = 1: least tap 200 m3/day
    # (T + 0.5 T = 300), held by one row once the first stage is solved.
    case = make_case([("A", "rinse", "1", 300, 1.0, None)], [("T", 1e6, 0.5, ("1",), 1.0)],
                     max_recycles=1)
    f = build_model(case)
    lp = compile_and_load(f)
    assert run(lp, "first").text == "optimal"
    x = np.asarray(lp.highs.getSolution().col_value)
    holds = stages_module._Holds(f, lp)
    holds.add(0, float(lp.costs[0] @ x + lp.offsets[0]))
    return lp, holds


def _bounds(lp, row):
    _, _, lower, upper, _ = lp.highs.getRows(1, np.array([row], dtype=np.int32))
    return float(lower[0]), float(upper[0])


def test_a_hold_is_the_optimum_plus_its_width():
    lp, holds = _held_first_stage()
    row, rhs, base = holds.rows[0]
    assert rhs == pytest.approx(200.0, rel=1e-12)
    assert base == HoldRule().tolerance(rhs) == pytest.approx(2e-8, rel=1e-12)  # 1e-10 x 200
    assert _bounds(lp, row) == (-highspy.kHighsInf, pytest.approx(rhs + base, rel=1e-15))


def test_holds_widen_100_fold_a_step_up_to_10_000_fold_then_stop():
    # HoldRule: widen_step 100, widen_max 1e4, so two steps are allowed and the third refused;
    # each widens the row's upper bound (never its lower one) to optimum + width x widen.
    lp, holds = _held_first_stage()
    row, rhs, base = holds.rows[0]
    seen = []
    while holds.loosen():
        seen.append(_bounds(lp, row))
        assert len(seen) < 5
    assert seen == [(-highspy.kHighsInf, pytest.approx(rhs + 100 * base, rel=1e-15)),
                    (-highspy.kHighsInf, pytest.approx(rhs + 1e4 * base, rel=1e-15))]
    assert holds.widen == 1e4


def test_frozen_holds_do_not_widen():
    lp, holds = _held_first_stage()
    row, rhs, base = holds.rows[0]
    holds.frozen = True
    assert holds.loosen() is False
    assert holds.widen == 1.0 and _bounds(lp, row)[1] == pytest.approx(rhs + base, rel=1e-15)


def test_a_standing_hold_added_after_a_widening_is_as_wide_as_the_others():
    # the warm model's holds sit on rows that always exist (model.solve.warm._StandingHolds):
    # after one widening (x 100), a stage held next gets optimum + 100 x its width, like those
    # held before it, never the narrower optimum + width / 100
    from model.solve.warm import WarmLP
    case = make_case([("A", "rinse", "1", 300, 1.0, None)], [("T", 1e6, 0.5, ("1",), 1.0)],
                     max_recycles=1)
    warm = WarmLP(build_model(case), frozenset({"capacity"}))
    holds = warm.holds
    holds.widen = 100.0
    holds.add(0, 200.0)
    row, rhs, base = holds.rows[0]
    assert (row, rhs, base) == (holds.first, 200.0, HoldRule().tolerance(200.0))
    assert _bounds(warm.lp, row) == (-highspy.kHighsInf, pytest.approx(200 + 100 * base,
                                                                       rel=1e-15))


def test_a_hold_added_after_a_widening_is_as_wide_as_the_others():
    # the cold plan's holds (model.solve.stages._Holds): after one widening (x 100), the next
    # stage's hold is optimum + 100 x its width, as wide as the one before it
    lp, holds = _held_first_stage()
    assert holds.loosen() and holds.widen == 100.0
    holds.add(0, 12_345.0)   # a second hold on the same objective: its width is what matters
    row, rhs, base = holds.rows[1]
    assert (rhs, base) == (12_345.0 - lp.offsets[0], HoldRule().tolerance(12_345.0))
    assert _bounds(lp, row) == (-highspy.kHighsInf, pytest.approx(rhs + 100 * base, rel=1e-15))


def test_a_face_plan_may_use_what_an_earlier_hold_s_width_bought_the_next_stage_and_no_more():
    # model.solve.face.keeps_holds on numbers made up to be read at a glance: two stages with
    # objectives x0 and x1, held at 100 (width 0.001) and 50 (width 0.002). Stage 1 was solved
    # under hold 0 with a dual of 2 on it, so its optimum may sit 2 x 0.001 = 0.002 below the
    # exact face's: a face plan may exceed 50 + 0.002 by up to 0.002, plus tolerances.
    lp = SimpleNamespace(costs=[np.array([1.0, 0.0]), np.array([0.0, 1.0])])
    holds = SimpleNamespace(rows=[(7, 100.0, 0.001), (8, 50.0, 0.002)])
    duals = [StageDuals(np.zeros(2), np.zeros(8)),
             StageDuals(np.zeros(2), np.array([0.0] * 7 + [-2.0]))]   # |dual| on row 7 is 2
    limit = 50.0 + 0.002 + 2 * 0.001
    slack = FEASIBILITY_TOL + 1e-12 * limit
    assert keeps_holds(lp, holds, np.array([100.0, limit + 0.5 * slack]), duals)
    assert not keeps_holds(lp, holds, np.array([100.0, limit + 0.001]), duals)
    assert not keeps_holds(lp, holds, np.array([100.0 + 0.001 + 2 * slack, 50.0]), duals)
    # exactly at the limit with its tolerances (the same sum, so the same double): kept
    at_limit = limit + FEASIBILITY_TOL + ROUNDING * abs(limit)
    assert keeps_holds(lp, holds, np.array([100.0, at_limit]), duals)
    assert not keeps_holds(lp, holds, np.array([100.0, np.nextafter(at_limit, np.inf)]), duals)


def test_an_objective_with_a_constant_is_held_at_its_optimum_not_at_its_constant_more():
    # A hold bounds the objective's linear part, so its right-hand side is the optimum less the
    # objective's constant. On the 2019 campus tap (12.075 per m3) is cheaper than K14's product
    # (19.88 per m3 fed), so the cost stage would draw more tap if the hold let it: with 5,000
    # m3/day added to the tap objective as a constant, the plan must still draw the least tap
    # (the objective 5,000 above the plain case's) at the plain case's cost.
    from model.bundled import bundled_case
    from model.case import load_case
    from model.solve import solve
    case = load_case(bundled_case("ntip-2019-phase2"))
    plain = solve(build_model(case)).objectives
    f = build_model(case)
    f.model.total_tap_m3.expr = f.model.total_tap_m3.expr + 5000.0
    f.model.total_cost.expr = f.model.total_cost.expr + 1000.0   # and each stage's constant is
    shifted = solve(f).objectives                                 # its own
    assert shifted["total_tap_m3"] == pytest.approx(plain["total_tap_m3"] + 5000.0, rel=1e-9)
    assert shifted["total_cost"] == pytest.approx(plain["total_cost"] + 1000.0, rel=1e-9)
    assert shifted["even_sharing"] == pytest.approx(plain["even_sharing"], rel=1e-6)


def test_after_a_plan_its_holds_can_widen_again_and_the_tolerance_says_how_wide_they_are():
    # a tie-break on the optimal face freezes the holds while it runs, and only then; a plan
    # whose second stage had to widen them once reports the tap tolerance it was held to: the
    # hold rule's max(1e-9 m3, 1e-10 x tap) times one widening step (100)
    from model.bundled import bundled_case
    from model.case import load_case
    f = build_model(load_case(bundled_case("ntip-2019-phase2")))
    lp = compile_and_load(f)
    holds = stages_module._Holds(f, lp)

    def attempt(lp, i, stage):
        if i == 0:
            return stages_module._attempt(lp, stage)
        if i == 1:
            assert holds.loosen()
        return stages_module._later_stage(lp, holds, stage)
    done = stages_module.run_plan(f, lp, holds, attempt=attempt)
    assert not done.skipped and not holds.frozen
    rule = f.stages.hold
    assert holds.widen == rule.widen_step
    tap = done.objectives["total_tap_m3"]
    assert done.tap_tolerance_m3 == pytest.approx(rule.tolerance(tap) * rule.widen_step, rel=1e-6)
    assert holds.loosen() and holds.widen == rule.widen_step ** 2


def test_an_interior_point_stage_that_fails_is_run_again_by_the_simplex_method(monkeypatch):
    # `_attempt`: a stage whose interior-point run does not end optimal is run once more, by
    # the simplex method, and only that verdict counts. The first run is made to report
    # "infeasible" without running; the second must run with HiGHS's solver option "simplex"
    # and find the least tap of the one-use case above, 200 m3/day (T + 0.5 T = 300).
    case = make_case([("A", "rinse", "1", 300, 1.0, None)], [("T", 1e6, 0.5, ("1",), 1.0)],
                     max_recycles=1)
    f = build_model(case)
    lp = compile_and_load(f)
    stage = f.stages.stages[0]
    assert stage.method.value == "ipm"
    lp.highs.setOptionValue("solver", stage.method.value)
    solvers = []

    def first_fails(lp, label):
        solvers.append(lp.highs.getOptionValue("solver")[1])
        if len(solvers) == 1:
            return stages_module.Outcome(stages_module.Status.INFEASIBLE, "Infeasible")
        return run(lp, label)
    monkeypatch.setattr(stages_module, "run", first_fails)
    outcome = stages_module._attempt(lp, stage)
    assert solvers == ["ipm", "simplex"]
    assert outcome.status is stages_module.Status.OPTIMAL
    x = np.asarray(lp.highs.getSolution().col_value)
    assert float(lp.costs[0] @ x + lp.offsets[0]) == pytest.approx(200.0, rel=1e-9)


def test_every_highs_the_tool_makes_meets_rows_and_reduced_costs_to_1e_9():
    # holds are 1e-10 of an optimum wide, so HiGHS's default tolerances (1e-7) are tightened
    # 100-fold on every instance (the reason is in model/solve/highs.py, new_highs)
    from model.solve.highs import new_highs
    h = new_highs()
    assert FEASIBILITY_TOL == 1e-9
    assert h.getOptionValue("primal_feasibility_tolerance")[1] == FEASIBILITY_TOL
    assert h.getOptionValue("dual_feasibility_tolerance")[1] == FEASIBILITY_TOL


def test_loading_a_model_leaves_its_objectives_active_as_they_were():
    # compile_and_load activates every stage's objective to compile them all, then puts each
    # back as it was: here the tap stage's made active beforehand, the others left inactive
    import pyomo.environ as pyo
    case = make_case([("A", "rinse", "1", 300, 1.0, None), ("B", "rinse", "1", 100, 1.0, None)],
                     [("T", 1e6, 0.5, ("1",), 1.0)], max_recycles=1)
    f = build_model(case)
    f.model.total_tap_m3.activate()
    before = {o.name: o.active for o in f.model.component_objects(pyo.Objective)}
    compile_and_load(f)
    after = {o.name: o.active for o in f.model.component_objects(pyo.Objective)}
    assert after == before
    assert len(before) >= 2 and [name for name, on in before.items() if on] == ["total_tap_m3"]
