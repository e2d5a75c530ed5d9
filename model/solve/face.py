"""A tie-break stage solved on the optimal face of the stages before it, not under hold rows.

Complementary slackness: for any optimal dual (y, d) of a stage, a feasible plan x is optimal
for that stage exactly when

    x_j is at its bound        for every column with reduced cost d_j != 0, and
    row i is at its bound      for every row with dual y_i != 0.

So the plans optimal for every solved stage are the LP's feasible plans with those columns and
rows fixed, at the values the last solved stage's plan gives them (which satisfies all of
them). A tie-break (`Stage.optional`, e.g. even sharing) is solved there, with the hold rows
relaxed: presolve removes the fixed columns, and the interior-point method no longer works
inside the thin sliver a hold row of 1e-10 relative width leaves. On the 5,000-plant benchmark
73,387 of 122,517 columns are fixed and the even-sharing stage took about 1 s instead of 112 s
(benchmarks/README.md).

A dual is known to HiGHS's tolerance only, so one below `DUAL_ZERO` counts as zero, which can
leave the face a little larger than it is. The tie-break's plan is therefore checked against
every hold afterwards; if it breaks one, or does not end optimal, the fixings are undone and
the stage is solved the usual way, under the holds. Fixing more than the face (a dual that is
zero but computed above `DUAL_ZERO`) only narrows the tie-break's choice, never an optimum.
"""
from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from model.solve.highs import FEASIBILITY_TOL, LoadedLP

DUAL_ZERO = 1e-7  # |reduced cost| or |row dual| below this counts as 0 (tap m3 per unit)
INF = highspy.kHighsInf


@dataclass
class StageDuals:
    """What a solved stage leaves for the face: its reduced costs and row duals."""

    col_dual: np.ndarray
    row_dual: np.ndarray


@dataclass
class _Fixed:
    cols: np.ndarray
    col_bounds: tuple[np.ndarray, np.ndarray]
    rows: np.ndarray
    row_bounds: tuple[np.ndarray, np.ndarray]


def _nonzero(arrays: list[np.ndarray], n: int) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    for a in arrays:
        mask[:min(n, len(a))] |= np.abs(a[:n]) > DUAL_ZERO
    return mask


def restrict(lp: LoadedLP, holds, duals: list[StageDuals]) -> _Fixed | None:
    """Fix the face of the solved stages (module docstring) at the plan HiGHS holds now, and
    relax every hold row. None when the LP has integer columns (no duals) or nothing solved."""
    if lp.integer or not duals:
        return None
    h = lp.highs
    sol = h.getSolution()
    x, activity = np.asarray(sol.col_value, dtype=float), np.asarray(sol.row_value, dtype=float)
    n_col, n_row = h.getNumCol(), h.getNumRow()
    cols = np.flatnonzero(_nonzero([d.col_dual for d in duals], n_col)).astype(np.int32)
    hold_rows = np.array([row for row, _, _ in holds.rows], dtype=np.int32)
    row_mask = _nonzero([d.row_dual for d in duals], n_row)
    row_mask[hold_rows] = False
    rows = np.flatnonzero(row_mask).astype(np.int32)
    _, _, _, col_lower, col_upper, _ = h.getCols(len(cols), cols)
    _, _, row_lower, row_upper, _ = h.getRows(len(rows), rows)
    col_lower, col_upper = np.asarray(col_lower), np.asarray(col_upper)
    row_lower, row_upper = np.asarray(row_lower), np.asarray(row_upper)
    fixed = _Fixed(cols, (col_lower, col_upper), rows, (row_lower, row_upper))
    # at the plan's own values, not the bounds they are at to within HiGHS's tolerance: the plan
    # stays feasible, so the tie-break moves no earlier objective by more than sub-DUAL_ZERO
    # terms, and a warm re-solve agrees with a cold one as under the holds (at the exact bounds
    # a rationed default-case sweep moved the cost by 1.4e-7 of itself: the stages had used
    # the width of their holds)
    h.changeColsBounds(len(cols), cols, x[cols], x[cols])
    h.changeRowsBounds(len(rows), rows, activity[rows], activity[rows])
    if len(hold_rows):
        n = len(hold_rows)
        h.changeRowsBounds(n, hold_rows, np.full(n, -INF), np.full(n, INF))
    return fixed


def undo(lp: LoadedLP, holds, fixed: _Fixed) -> None:
    """Put back the bounds `restrict` changed, holds included."""
    h = lp.highs
    h.changeColsBounds(len(fixed.cols), fixed.cols, *fixed.col_bounds)
    h.changeRowsBounds(len(fixed.rows), fixed.rows, *fixed.row_bounds)
    for row, rhs, base in holds.rows:
        h.changeRowBounds(row, -INF, rhs + base * holds.widen)


ROUNDING = 1e-12  # relative: a sum of 10^5 terms of 4e6 m3 is exact to about 1e-15 of itself


def keeps_holds(lp: LoadedLP, holds, x: np.ndarray, duals: list[StageDuals]) -> bool:
    """Does plan x keep every solved stage at its optimum, as the holds allow before any
    widening?

    Hold k holds stage k's objective at its optimum z_k plus its width w_k. Stage k was solved
    with the holds j < k in place, which it may use: its optimum z_k is lower than on the exact
    face by about sum_j |y_k[j]| w_j, y_k[j] being stage k's dual on hold j. The face is exact,
    so x may exceed z_k + w_k by that much, and by HiGHS's feasibility tolerance and rounding
    (on the 5,000-plant benchmark a plan came to 6.7e-9 m3, 1.7e-15 of the tap, over a hold
    the stage before had left at its limit)."""
    rows = [row for row, _, _ in holds.rows]
    # the holds' own widths, not as widened after a failed stage: a face plan that would use
    # the widening is refused, so a warm re-solve that had to widen (and a cold one that did
    # not) still agree to 1e-7 (a 1,000-scenario default-case sweep differed by 1e-5 in
    # shortage on 4 scenarios when the widened width was allowed)
    widths = [base for _, _, base in holds.rows]
    for k, (_, optimum, _) in enumerate(holds.rows):
        used = sum(abs(float(duals[k].row_dual[row])) * width
                   for row, width in zip(rows[:k], widths[:k]) if row < len(duals[k].row_dual))
        limit = optimum + widths[k] + used
        if float(lp.costs[k][:len(x)] @ x) > limit + FEASIBILITY_TOL + ROUNDING * abs(limit):
            return False
    return True
