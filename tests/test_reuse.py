"""The largest uniform cut asked of the plan's own LP (model.solve.reuse)."""
import pytest

from model.errors import SolverError
from model.formulation import build_model
from model.solve import reuse as reuse_module
from model.solve import solve
from model.solve.highs import Outcome, Status
from tests.factory import make_case


def _plan():
    # A (demand 300) under T (recovery 0.5), rinse, return 1, K = 1: least tap 200 m3/day.
    f = build_model(make_case([("A", "rinse", "1", 300, 1.0, None)],
                              [("T", 1e6, 0.5, ("1",), 1.0)], max_recycles=1))
    return f, solve(f)


def test_the_cut_lp_gives_the_cut_a_baseline_allows():
    # With a baseline of 400 m3/day and a least tap of 200, tap <= (1 - c) x 400 holds up to
    # c = 1 - 200/400 = 0.5.
    f, report = _plan()
    assert reuse_module.largest_uniform_cut_lp(f, report, 400.0) == pytest.approx(0.5, rel=1e-9)


def test_a_cut_lp_that_does_not_end_optimal_reports_no_figure(monkeypatch):
    f, report = _plan()
    monkeypatch.setattr(reuse_module, "run",
                        lambda lp, label: Outcome(Status.TIME_LIMIT, "Time limit reached"))
    with pytest.raises(SolverError, match="largest uniform cut without an optimal solution: "
                                          "Time limit reached. No figures are reported"):
        reuse_module.largest_uniform_cut_lp(f, report, 400.0)
