"""Questions asked of the LP a plan has already loaded into HiGHS, so that they cost one more
simplex run instead of a new model, compile and load.

`largest_uniform_cut_lp(f, report, baseline)` is the drought-resilience LP of
model.studies.drought on the plan's own HiGHS instance: the rows holding the plan's stages are
deleted, one column c is added, and one row per period

    sum_u tap_m3_per_day[u, t] + baseline * c <= baseline       (tap_t <= (1 - c) * baseline)

then `maximise c` is solved with primal simplex from the plan's basis. Valid only for a plan
solved without shortage variables (no rationing): then its LP is exactly the one the cut needs.
"""
from __future__ import annotations

import highspy
import numpy as np

from model.errors import SolverError
from model.formulation import Formulation, Method
from model.solve.highs import Status, open_rows, run, use_method
from model.solve.stages import SolveReport


def largest_uniform_cut_lp(f: Formulation, report: SolveReport, baseline: float) -> float:
    """The largest uniform cut c (module docstring). Raises `SolverError` unless optimal."""
    lp = report.lp
    if lp is None or f.net.SHORTAGES:
        raise ValueError("the plan's LP is not kept, or has shortage variables")
    h, m = lp.highs, f.model
    held = np.arange(len(lp.rows), h.getNumRow(), dtype=np.int32)
    if len(held):
        h.deleteRows(len(held), held)
    open_rows(lp, 0)  # the tie-break's rows (Stage.rows) do not restrict the cut
    n = h.getNumCol()
    inf = highspy.kHighsInf
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    h.addCol(-1.0, -inf, 1.0, 0, np.array([], dtype=np.int32), np.array([], dtype=float))
    column = {id(var): i for i, var in enumerate(lp.columns)}
    for t in f.net.PERIODS:
        index = [column[id(m.tap_m3_per_day[p, u, t])] for p, u in f.net.USES] + [n]
        value = [1.0] * (len(index) - 1) + [baseline]
        h.addRow(-inf, baseline, len(index), np.array(index, dtype=np.int32),
                 np.array(value, dtype=float))
    use_method(h, Method.SIMPLEX)
    outcome = run(lp, "largest uniform cut")
    if outcome.status is not Status.OPTIMAL:
        raise SolverError(f"HiGHS stopped in the largest uniform cut without an optimal "
                          f"solution: {outcome.text}. No figures are reported.")
    return float(h.getSolution().col_value[n])
