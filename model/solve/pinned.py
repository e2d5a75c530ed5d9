"""A stage with free common columns, solved pinned first and then released (`Stage.pin`).

The even-sharing stage has one free column per period, the common share, in every plant's row.
With it free, the interior-point solve of the 2,000-plant benchmark took 2.2 s; with it fixed,
1.0 s. So the stage is solved in two steps, and still to the optimum of the free share:

1. **Pinned.** Each column sigma_t is fixed at a guess g_t, the value of the stage's guess
   Expression in the plan before (for even sharing the campus's own share), and the stage is
   solved by its method.
2. **Released.** Let phi(sigma) be the stage's optimum with the columns fixed at sigma: phi is
   convex, and the reduced cost lambda_t of sigma_t at the pinned optimum is a subgradient of
   it, so phi(sigma) >= phi(g) + sum_t lambda_t (sigma_t - g_t). With one column, no better
   value lies on the side lambda points up to: the column is bounded on the other side only
   (sigma_t <= g_t when lambda_t >= 0, sigma_t >= g_t when lambda_t < 0), and primal simplex
   continues from the pinned basis (on the benchmark 498 iterations, 0.35 s).
3. **Certified.** The released plan is optimal with the columns free when every column is
   basic, or off g_t, or has |reduced cost| <= DUAL_ZERO: the basis is then dual feasible
   for the free columns too. Several coupled columns (periods linked by tanks) may fail this:
   those columns change sides and the simplex runs again, at most `ROUNDS` times.

Whatever does not end certified and optimal leaves the columns' bounds as they were and
returns None: the caller then solves the stage unpinned, as before.
"""
from __future__ import annotations

import highspy
import numpy as np
from pyomo.repn import generate_standard_repn

from model.formulation import Method, Stage
from model.solve.face import DUAL_ZERO
from model.solve.highs import LoadedLP, Outcome, Status, run, use_method

INF = highspy.kHighsInf
ROUNDS = 3


def guesses(lp: LoadedLP, stage: Stage, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pinned columns (LP column indices) and their guesses at plan x: the stage's guess
    Expression, linear in the plan's columns. A column the LP does not have (a share in no
    row) is left out."""
    var_name, guess_name = stage.pin
    m = lp.columns[0].model()
    col = {id(v): j for j, v in enumerate(lp.columns)}
    cols, values = [], []
    for index, var in getattr(m, var_name).items():
        if id(var) not in col:
            continue
        repn = generate_standard_repn(getattr(m, guess_name)[index].expr, compute_values=True)
        value = float(repn.constant) + sum(
            float(c) * (x[col[id(v)]] if id(v) in col else float(v.value or 0.0))
            for v, c in zip(repn.linear_vars, repn.linear_coefs))
        cols.append(col[id(var)])
        values.append(value)
    return np.array(cols, dtype=np.int32), np.array(values, dtype=float)


def _certified(h: highspy.Highs, cols: np.ndarray, lower: np.ndarray,
               upper: np.ndarray) -> np.ndarray:
    """Which pinned columns keep the released basis optimal with their own bounds back: basic,
    or with a reduced cost that is 0 or points into one of those bounds."""
    sol, basis = h.getSolution(), h.getBasis()
    value = np.asarray(sol.col_value, dtype=float)[cols]
    dual = np.asarray(sol.col_dual, dtype=float)[cols]
    basic = np.array([basis.col_status[j] == highspy.HighsBasisStatus.kBasic for j in cols],
                     dtype=bool)
    tol = 1e-9 * np.maximum(1.0, np.abs(value))
    at_lower, at_upper = value <= lower + tol, value >= upper - tol
    return basic | (np.abs(dual) <= DUAL_ZERO) | (at_lower & (dual > 0)) | (at_upper & (dual < 0))


def solve_pinned(lp: LoadedLP, stage: Stage, solve) -> tuple[Outcome, object] | None:
    """Solve `stage` pinned, then released (module docstring); `solve()` runs the stage as it
    is set up. Returns the outcome and HiGHS's solution (read before the bounds are put back),
    or None, with the bounds as they were, when the result is not certified optimal."""
    h = lp.highs
    x = np.asarray(h.getSolution().col_value, dtype=float)
    cols, pins = guesses(lp, stage, x)
    if not len(cols):
        return None
    n = len(cols)
    _, _, _, lower, upper, _ = h.getCols(n, cols)
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    pins = np.clip(pins, lower, upper)
    h.changeColsBounds(n, cols, pins, pins)
    try:
        outcome = solve()
        if outcome.status is not Status.OPTIMAL:
            return None
        # lambda >= 0: no better value above the pin, so the column may only go down
        down = np.asarray(h.getSolution().col_dual, dtype=float)[cols] >= 0
        for _ in range(ROUNDS):
            h.changeColsBounds(n, cols, np.where(down, lower, pins), np.where(down, pins, upper))
            use_method(h, Method.SIMPLEX)
            outcome = run(lp, stage.objective)
            if outcome.status is not Status.OPTIMAL:
                return None
            ok = _certified(h, cols, lower, upper)
            if ok.all():
                return outcome, h.getSolution()
            down = np.where(ok, down, ~down)
        return None
    finally:
        h.changeColsBounds(n, cols, lower, upper)
