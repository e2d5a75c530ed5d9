"""Solve a built model with HiGHS, lexicographically, and refuse to report anything not optimal.

The Pyomo model is compiled to sparse matrices once (`LinearStandardFormCompiler`) and loaded into
highspy in bulk, which is much faster than transferring constraints one by one. The stages are:

1. minimise `total_tap_m3` (interior point with crossover, so the duals are vertex duals);
2. add the row `total_tap_m3 <= tap* + tolerance` and minimise `total_cost`, warm-started from
   the first stage's basis with primal simplex;
3. `even_sharing` (model.sharing), when there are plants to share between, with the cost held
   the same way.

The tolerance is `max(TAP_ABS_TOL_M3, TAP_REL_TOL * optimum)`. If a later stage is then declared
infeasible (holds far tighter than the solver's own 1e-7 feasibility tolerance can add up on
badly scaled cases), every hold is widened 100-fold, at most twice; the tap tolerance actually
used is reported (`SolveReport.tap_tolerance_m3`, summary `tap_tolerance_m3`). Primal values of the last stage are
written back into the Pyomo variables; row duals of the first (tap) stage go into `m.dual`, so
marginal values are in tap m3 per unit of right-hand side.

A model may list more stages in `m.OBJECTIVE_STAGES` (rationing puts shortage stages before tap:
see `model.rationing`). Every stage is then solved in order, each earlier stage held at its
optimum by the same tolerance rule, and the duals come from the `total_tap_m3` stage (the first
stage when there is none), so marginal values keep their meaning: tap saved with every earlier
stage held.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from model.errors import InfeasibleError, SolverError
from model.progress import progress

TAP_REL_TOL = 1e-10
TAP_ABS_TOL_M3 = 1e-9
HOLD_RELAX_STEP = 100.0
HOLD_RELAX_MAX = 1e4  # the loosest hold is then max(1e-5 m3, 1e-6 x optimum)


@dataclass
class SolveReport:
    """What happened in a solve: status, stage objectives, and where the time went (s)."""

    status: str
    objectives: dict[str, float]
    seconds: dict[str, float] = field(default_factory=dict)
    tap_tolerance_m3: float = 0.0
    skipped_stages: tuple[str, ...] = ()  # optional tie-break stages that did not end optimal


@dataclass
class LoadedLP:
    """A model compiled and loaded into HiGHS, with the maps back to Pyomo."""

    highs: highspy.Highs
    costs: np.ndarray  # one row per objective stage
    offsets: np.ndarray
    columns: list
    rows: list  # (ConstraintData, bound_type) per row, bound_type 0 '=', 1 '<=', -1 '>='
    row_of: dict = field(default_factory=dict)


def new_highs() -> highspy.Highs:
    """A silent HiGHS instance. HiGHS prints a banner to the process's stdout the first time one
    is made, which would corrupt the CLI's output, so that first construction writes to null."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    h.setOptionValue("output_flag", False)
    return h


def compile_and_load(m: pyo.ConcreteModel, time_limit_s: float | None = None) -> LoadedLP:
    """Compile `m` (all objective stages at once) and pass it to a new HiGHS instance."""
    stages = [getattr(m, name) for name in m.OBJECTIVE_STAGES]
    was_active = [o.active for o in stages]
    for o in stages:
        o.activate()
    try:
        sf = LinearStandardFormCompiler().write(m, mixed_form=True)
    finally:
        for o, active in zip(stages, was_active):
            o.activate() if active else o.deactivate()
    costs = sf.c.toarray() if sf.c.shape[0] else np.zeros((len(stages), len(sf.columns)))
    offsets = np.asarray(sf.c_offset, dtype=float)
    if sf.c.shape[0]:
        # the compiler lists objectives in model order; put them in stage order
        order = [[id(o) for o in sf.objectives].index(id(obj)) for obj in stages]
        costs, offsets = costs[order], offsets[order]
    n_rows, n_cols = sf.A.shape
    inf = highspy.kHighsInf
    rhs = np.asarray(sf.rhs, dtype=float)
    bound_type = np.array([r.bound_type for r in sf.rows], dtype=int)
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = costs[0]
    lp.col_lower_ = np.array([-inf if v.lb is None else v.lb for v in sf.columns], dtype=float)
    lp.col_upper_ = np.array([inf if v.ub is None else v.ub for v in sf.columns], dtype=float)
    lp.row_lower_ = np.where(bound_type <= 0, rhs, -inf)
    lp.row_upper_ = np.where(bound_type >= 0, rhs, inf)
    A = sf.A.tocsc()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_rows
    h = new_highs()
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(time_limit_s))
    # First stage: interior point, then crossover to a vertex (a basis, vertex duals). On the
    # 2,000-plant benchmark it took 2.3 s against 7.0 s for dual and 4.2 s for primal simplex;
    # later stages continue from its basis with primal simplex (see `solve`).
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("run_crossover", "on")
    h.passModel(lp)
    rows = [(r.constraint, r.bound_type) for r in sf.rows]
    return LoadedLP(h, costs, offsets, list(sf.columns), rows,
                    {id(con): i for i, (con, _) in enumerate(rows)})


def _run(lp: LoadedLP, stage: str) -> str:
    """Run HiGHS; "optimal", "infeasible", "time limit", or HiGHS's own word for the ending."""
    h = lp.highs
    with progress(f"the {stage} stage"):
        h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return "optimal"
    if status in (highspy.HighsModelStatus.kInfeasible,
                  highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return "infeasible"
    if status == highspy.HighsModelStatus.kTimeLimit:
        return "time limit"
    return h.modelStatusToString(status)


def _attempt(lp: LoadedLP, stage: str, method: str) -> str:
    """Run a stage with `method`; unless that ends optimal (or at the user's time limit), run the
    simplex method: for a later stage from the previous stage's basis, which is feasible by
    construction (the new hold row is met at the previous solution); for the first stage from
    scratch. An interior-point presolve can misjudge a hold row that is tight to 1e-9 and call
    the stage infeasible. Only the simplex's verdict counts."""
    h = lp.highs
    if method == "simplex":
        return _run(lp, stage)
    basis = h.getBasis()  # before the first stage: invalid, and then not restored
    status = _run(lp, stage)
    if status in ("optimal", "time limit"):
        return status
    if basis.valid:
        h.setBasis(basis)
    h.setOptionValue("solver", "simplex")
    return _run(lp, stage)


def _stopped(stage: str, status: str) -> SolverError:
    return SolverError(f"HiGHS stopped in the {stage} stage without an optimal solution: "
                       f"{'Time limit reached' if status == 'time limit' else status}. "
                       "No figures are reported.")


def _diagnose_infeasible(m: pyo.ConcreteModel, lp: LoadedLP) -> InfeasibleError:
    """Explain an infeasible tap stage. Without caps the tap stage is always feasible (tap can
    meet any demand), so the cause is a cap: re-solve without caps to find the tap needed."""
    capped = list(m.tap_cap.values()) if hasattr(m, "tap_cap") else []
    if not capped:
        return InfeasibleError("the case has no feasible plan")
    h = lp.highs
    inf = highspy.kHighsInf
    for con in capped:
        h.changeRowBounds(lp.row_of[id(con)], -inf, inf)
    if _run(lp, "diagnosis") != "optimal":
        return InfeasibleError("the case has no feasible plan, even without its tap cap")
    x = np.asarray(h.getSolution().col_value)
    col = {id(v): i for i, v in enumerate(lp.columns)}
    lines = []
    for t in m.TAP_CAPPED:
        needed = sum(x[col[id(m.tap_m3_per_day[p, u, t])]] for p, u in m.USES)
        cap = m.tap_cap[t].upper
        cap = pyo.value(cap)
        if needed > cap:
            where = "" if len(m.PERIODS) == 1 else f" in period {t}"
            lines.append(f"tap cap{where} is {cap:,.1f} m3/day but the minimum tap draw is "
                         f"{needed:,.1f} m3/day: a shortfall of {needed - cap:,.1f} m3/day")
    return InfeasibleError("no plan meets every demand within the tap cap: "
                           + "; ".join(lines or ["the caps together are too tight"]))


def solve(m: pyo.ConcreteModel, time_limit_s: float | None = None) -> SolveReport:
    """Solve `m` lexicographically. Raises `InfeasibleError` or `SolverError` unless optimal."""
    seconds = {}
    t0 = time.perf_counter()
    lp = compile_and_load(m, time_limit_s)
    seconds["load"] = time.perf_counter() - t0
    h = lp.highs

    stages = list(m.OBJECTIVE_STAGES)
    dual_stage = "total_tap_m3" if "total_tap_m3" in stages else stages[0]
    objectives: dict[str, float] = {}
    tap_duals = None
    tolerance = 0.0
    holds: list[tuple[int, float, float]] = []  # (row, optimum less offset, base tolerance)
    skipped: list[str] = []
    relax = 1.0
    for i, stage in enumerate(stages):
        t0 = time.perf_counter()
        if i > 0:
            # hold the previous stage at its optimum (within tolerance) before moving on
            prev = lp.costs[i - 1]
            prev_opt = objectives[stages[i - 1]]
            held = max(TAP_ABS_TOL_M3, TAP_REL_TOL * abs(prev_opt))
            nz = np.flatnonzero(prev)
            holds.append((h.getNumRow(), prev_opt - lp.offsets[i - 1], held))
            h.addRow(-highspy.kHighsInf, holds[-1][1] + held * relax, len(nz),
                     nz.astype(np.int32), prev[nz])
            h.changeColsCost(len(lp.columns), np.arange(len(lp.columns), dtype=np.int32),
                             lp.costs[i])
            # The previous optimal basis stays primal feasible (the new row holds at x) but not
            # dual feasible for the new costs, so primal simplex continues from it; HiGHS's
            # default dual simplex restarts its search, which took 150-300x longer on a
            # 2,000-plant case (benchmarks/README.md).
            # A model may ask for another method for a stage (m.STAGE_SOLVER), e.g. the
            # even-sharing stage, where primal simplex crawls through degenerate pivots.
            method = getattr(m, "STAGE_SOLVER", {}).get(stage, "simplex")
            h.setOptionValue("solver", method)
            h.setOptionValue("simplex_strategy", 4)  # 4 = primal simplex
            status = _attempt(lp, stage, method)
            # Holds far tighter than HiGHS's feasibility tolerance (1e-7) can add up to a
            # declared infeasibility on badly scaled cases (hypothesis found one with a
            # 6e-5 m3/day train): widen every hold row 100-fold, at most twice.
            while status not in ("optimal", "time limit") and relax < HOLD_RELAX_MAX:
                relax *= HOLD_RELAX_STEP
                for row, rhs, base in holds:
                    h.changeRowBounds(row, -highspy.kHighsInf, rhs + base * relax)
                h.setOptionValue("solver", "simplex")
                status = _run(lp, stage)
        else:
            status = _attempt(lp, stage, "ipm")
        if status == "time limit":
            raise _stopped(stage, status)
        if status != "optimal":
            if i == 0:
                raise _diagnose_infeasible(m, lp) if status == "infeasible" \
                    else _stopped(stage, status)
            if stage in getattr(m, "OPTIONAL_STAGES", ()):
                # a tie-break only: the previous stage's plan is optimal for every objective
                # that matters, so keep it and say that this stage was not applied
                skipped.append(stage)
                break
            raise SolverError(f"the {stage} stage did not end optimal ({status}) after holding "
                              "the earlier stages at their optimum; this is a numerical "
                              "failure. No figures are reported.")
        sol = h.getSolution()
        x = np.asarray(sol.col_value, dtype=float)
        objectives[stage] = float(lp.costs[i] @ x + lp.offsets[i])
        if stage == dual_stage:
            tap_duals = np.asarray(sol.row_dual, dtype=float)[:len(lp.rows)]
            tolerance = max(TAP_ABS_TOL_M3, TAP_REL_TOL * abs(objectives[stage]))
        seconds[stage] = time.perf_counter() - t0
    tolerance *= relax
    # objectives of the final plan (earlier stages may move within their tolerance)
    for name, c, off in zip(stages, lp.costs, lp.offsets):
        if name != stages[0]:
            objectives[name] = float(c @ x + off)

    for var, value in zip(lp.columns, x):
        var.set_value(float(value), skip_validation=True)
    if hasattr(m, "dual"):
        m.del_component("dual")
    m.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    for (con, _), d in zip(lp.rows, tap_duals):
        m.dual[con] = float(d)
    return SolveReport("optimal", objectives, seconds, tolerance, tuple(skipped))
