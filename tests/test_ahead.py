"""The pinned tie-break worked out ahead on a second HiGHS instance (model/solve/ahead.py): the
plan is the staged solve's (every stage's optimum, the tap stage's marginal values), the same
on one core as on two, and nothing from the second instance is taken on trust: a wrong start, a
failure or a cancelled run leave the first instance to solve the stage itself.

The generated cases are small, so the size threshold is lowered for the test; the plan to
compare with is the same case solved with the threshold out of reach."""
from __future__ import annotations

from pathlib import Path

import highspy
import numpy as np
import pytest

from model.bundled import bundled_case, bundled_case_names
from model.case import load_case
from model.cli import main
from model.formulation import build_model
from model.solve import ahead as ahead_module
from model.solve import solve
from model.solve import stages as stages_module
from model.solve.highs import compile_and_load
from model.studies import with_cut
from tests.invariants import check_physics
from tests.reconcile import check_reconciliation
from tests.test_benchmark_generator import generate_case

RTOL = 1e-9


@pytest.fixture(scope="module")
def campus(tmp_path_factory) -> Path:
    """60 plants over 6 zones and 3 pooled trains, two periods: some plants cannot reach the
    common share, so the tie-break has a real optimum to find (as in tests/test_pinned.py)."""
    return generate_case(tmp_path_factory.mktemp("ahead") / "case", 60, zones=6, trains=3,
                         seed=4, periods=2)


@pytest.fixture
def ahead(monkeypatch):
    """Solve ahead whatever the LP's size; records each Ahead made and whether A took B's start
    (adopt) or solved the stage the usual way (solve_pinned of model.solve.stages)."""
    monkeypatch.setattr(ahead_module, "MIN_COLUMNS", 0)
    seen = {"made": [], "adopted": [], "usual": 0}
    real_init, real_adopt = ahead_module.Ahead.__init__, ahead_module.Ahead.adopt
    real_pinned = stages_module.solve_pinned

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        seen["made"].append(self)

    def adopt(self, lp, stage):
        done = real_adopt(self, lp, stage)
        seen["adopted"].append(done is not None)
        return done

    def usual(*args, **kwargs):
        seen["usual"] += 1
        return real_pinned(*args, **kwargs)

    monkeypatch.setattr(ahead_module.Ahead, "__init__", init)
    monkeypatch.setattr(ahead_module.Ahead, "adopt", adopt)
    monkeypatch.setattr(stages_module, "solve_pinned", usual)
    return seen


def _reference(case):
    """The staged solve on one instance (the threshold out of reach)."""
    saved = ahead_module.MIN_COLUMNS
    ahead_module.MIN_COLUMNS = 10**12
    try:
        return solve(build_model(case))
    finally:
        ahead_module.MIN_COLUMNS = saved


def _same_optimum(report, reference) -> None:
    assert report.objectives.keys() == reference.objectives.keys()
    for name, value in reference.objectives.items():
        assert report.objectives[name] == pytest.approx(value, rel=RTOL, abs=1e-6), name


def _duals(report) -> np.ndarray:
    return np.array([report.dual(con) for con, _ in report.lp.rows])


def test_the_tie_break_solved_ahead_gives_the_staged_optimum(campus, ahead):
    case = load_case(campus)
    reference = _reference(case)
    assert reference.objectives["even_sharing"] > 1.0  # plants off the share: a real tie-break
    ahead["usual"] = 0  # the reference's own
    report = solve(build_model(case))
    assert len(ahead["made"]) == 1 and ahead["made"][0].threaded in (True, False)
    assert ahead["made"][0].found is not None, ahead["made"][0].failed
    assert ahead["adopted"] == [True] and ahead["usual"] == 0  # B's start was the plan
    _same_optimum(report, reference)
    # the marginal values are the tap stage's duals, which A solved itself as before
    np.testing.assert_allclose(_duals(report), _duals(reference), rtol=0, atol=1e-9)


def test_a_plan_solved_ahead_obeys_the_physics_and_reconciles(campus, ahead, tmp_path):
    out = tmp_path / "out"
    assert main(["solve", str(campus), "--out", str(out), "--no-largest-cut"]) == 0
    assert ahead["adopted"] == [True]
    case = load_case(campus)
    check_physics(case, out)
    check_reconciliation(out)


@pytest.mark.parametrize("threaded", [True, False])
def test_the_plan_is_the_same_on_one_core_as_on_two(campus, ahead, monkeypatch, threaded):
    # Alternative optima: the tie-break's face holds many plans of the same tap, cost and
    # sharing, so the plan must not depend on how many cores the machine has: on one core B's
    # steps run in A's thread, at the tie-break, and give the same basis
    case = load_case(campus)
    monkeypatch.setattr(ahead_module, "cores", lambda: 2)
    two = solve(build_model(case))
    two_x = np.array([v.value for v in two.lp.columns])
    monkeypatch.setattr(ahead_module, "cores", lambda: 2 if threaded else 1)
    again = solve(build_model(case))
    assert [a.threaded for a in ahead["made"]] == [True, threaded]
    np.testing.assert_array_equal(np.array([v.value for v in again.lp.columns]), two_x)


def _slack_start(self):
    """A wrong start: every column at its lower bound, every row basic, the share at 0."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(self._lp)
    basis = highspy.HighsBasis()
    basis.col_status = [highspy.HighsBasisStatus.kLower] * h.getNumCol()
    basis.row_status = [highspy.HighsBasisStatus.kBasic] * h.getNumRow()
    basis.valid = True
    return basis, np.zeros(len(self.guess.cols))


@pytest.mark.parametrize("wrong", ["slack start", "B fails", "B cancelled"])
def test_nothing_from_the_second_instance_is_taken_on_trust(campus, ahead, monkeypatch, wrong):
    case = load_case(campus)
    reference = _reference(case)
    ahead["usual"] = 0  # the reference's own
    if wrong == "slack start":
        monkeypatch.setattr(ahead_module.Ahead, "_solve", _slack_start)
    elif wrong == "B fails":
        def fails(self):
            raise RuntimeError("out of memory")
        monkeypatch.setattr(ahead_module.Ahead, "_solve", fails)
    else:  # cancelled before it starts: B's first run stops at once
        monkeypatch.setattr(ahead_module, "cores", lambda: 1)
        real_init = ahead_module.Ahead.__init__

        def cancelled(self, *args, **kwargs):
            real_init(self, *args, **kwargs)
            self._cancel.set()
        monkeypatch.setattr(ahead_module.Ahead, "__init__", cancelled)
    report = solve(build_model(case))
    _same_optimum(report, reference)
    if wrong == "slack start":
        # A's simplex from a start this far off runs out of its iterations or ends elsewhere;
        # either way the stage ends certified at the staged optimum
        assert len(ahead["adopted"]) == 1
    else:
        assert ahead["adopted"] == [False] and ahead["usual"] == 1  # A solved it itself
    made = ahead["made"][-1] if ahead["made"] else None
    if wrong == "B fails":
        assert made.failed == "RuntimeError: out of memory" and made.found is None
    if wrong == "B cancelled":
        assert made.found is None and made.failed == "the weighted solve did not end optimal"


def test_a_cancelled_second_instance_stops_at_its_first_iteration(campus, monkeypatch):
    # close() (A done, or failed) sets the cancel flag that B's interrupt callback reads
    f = build_model(load_case(campus))
    lp = compile_and_load(f)
    k = len(f.stages.stages) - 1
    b = ahead_module.Ahead(lp, f.stages.stages[k], k, threaded=False)
    runs = []
    real_run = ahead_module.Ahead._run
    monkeypatch.setattr(ahead_module.Ahead, "_run",
                        lambda self, h: runs.append(h) or real_run(self, h))
    b._cancel.set()
    assert b.result("even_sharing") is None
    assert len(runs) == 1
    assert runs[0].getModelStatus() == highspy.HighsModelStatus.kInterrupt
    assert runs[0].getInfo().ipm_iteration_count == 0


def test_which_plans_are_solved_ahead(campus, monkeypatch):
    # every bundled case is below the size; a large enough LP of tap, cost and sharing is solved
    # ahead, but not with a time limit, nor a plan with more stages before its tie-break
    for name in bundled_case_names():
        f = build_model(load_case(bundled_case(name)))
        lp = compile_and_load(f)
        assert ahead_module.tie_break_index(f, lp, None) is None, name
    monkeypatch.setattr(ahead_module, "MIN_COLUMNS", 0)
    case = load_case(campus)
    f = build_model(case)
    lp = compile_and_load(f)
    assert [s.objective for s in f.stages.stages] == ["total_tap_m3", "total_cost",
                                                      "even_sharing"]
    assert ahead_module.tie_break_index(f, lp, None) == 2
    assert ahead_module.tie_break_index(f, lp, 60.0) is None
    rationed = build_model(with_cut(case, cut=0.3))
    assert len(rationed.stages.stages) > 3
    assert ahead_module.tie_break_index(rationed, compile_and_load(rationed), None) is None


def test_rows_and_columns_b_fixed_are_named_at_the_bound_they_were_fixed_at():
    # B fixes a row or column at the bound its dual points to (lower = upper there), so HiGHS
    # may call it nonbasic at either; in A's LP only the side it was fixed at names that value
    Status = highspy.HighsBasisStatus
    basis = highspy.HighsBasis()
    basis.col_status = [Status.kLower, Status.kUpper, Status.kBasic, Status.kLower]
    basis.row_status = [Status.kLower, Status.kUpper, Status.kBasic]
    face = ahead_module._Face(rows=np.array([0, 1, 2], dtype=np.int32),
                              row_upper=np.array([True, False, True]),
                              cols=np.array([0, 1, 2], dtype=np.int32),
                              col_upper=np.array([True, False, False]))
    out = ahead_module._unfixed(basis, face)
    assert list(out.col_status) == [Status.kUpper, Status.kLower, Status.kBasic, Status.kLower]
    assert list(out.row_status) == [Status.kUpper, Status.kLower, Status.kBasic]
    assert out.valid


def test_the_face_is_fixed_where_the_interior_point_duals_point():
    # rows x0 + x1 >= 2 and x0 - x1 <= 5, columns 0 <= x0 <= 4 and x1 <= 3. Duals as HiGHS
    # gives them for a minimisation: row 0's 1 > 0 points to its lower bound (fixed at 2), row
    # 1's -1e-9 is below FACE_DUAL (left alone), x1's reduced cost -2 < 0 to its upper bound
    # (fixed at 3). A dual that points to an infinite bound, or a row already fixed, fixes
    # nothing.
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    h.addVars(2, np.array([0.0, -inf]), np.array([4.0, 3.0]))
    h.addRow(2.0, inf, 2, np.array([0, 1], dtype=np.int32), np.array([1.0, 1.0]))
    h.addRow(-inf, 5.0, 2, np.array([0, 1], dtype=np.int32), np.array([1.0, -1.0]))
    face = ahead_module._fix_face(h, row_dual=np.array([1.0, -1e-9]),
                                  col_dual=np.array([0.0, -2.0]))
    assert face.rows.tolist() == [0] and face.row_upper.tolist() == [False]
    assert face.cols.tolist() == [1] and face.col_upper.tolist() == [True]
    lp = h.getLp()
    assert (lp.row_lower_[0], lp.row_upper_[0]) == (2.0, 2.0)
    assert (lp.row_lower_[1], lp.row_upper_[1]) == (-inf, 5.0)
    assert (lp.col_lower_[1], lp.col_upper_[1]) == (3.0, 3.0)
    face = ahead_module._fix_face(h, row_dual=np.array([0.0, 1.0]), col_dual=np.zeros(2))
    assert face.rows.tolist() == [] and face.cols.tolist() == []  # row 1 has no lower bound
