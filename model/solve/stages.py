"""Solve a formulation lexicographically, and refuse to report anything that is not optimal.

The stages come from the formulation's `StagePlan` (model.formulation.stages): typically

1. minimise `total_tap_m3` (interior point with crossover, so the duals are vertex duals);
2. add the row `total_tap_m3 <= tap* + tolerance` and minimise `total_cost`, continuing from the
   first stage's basis with primal simplex;
3. `even_sharing` (model.formulation.sharing), with the cost held the same way.

Rationing puts shortage stages before the tap stage; each stage is held at its optimum by the
plan's hold rule while the later ones are solved. If a later stage is then declared infeasible
(holds far tighter than the solver's own 1e-7 feasibility tolerance can add up on badly scaled
cases), every hold is widened by the rule's step, up to its maximum; the tap tolerance actually
used is reported. Primal values of the last stage are written into the Pyomo variables; the row
duals of the plan's dual stage (tap) are returned, so that marginal values are in tap m3 per
unit of right-hand side with every earlier stage held.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.core as pyo
from pyomo.common.errors import InfeasibleConstraintException

from model import interrupts
from model.errors import InfeasibleError, SolverError
from model.formulation import Formulation, Method, Stage
from model.solve.diagnose import check_cleanest_sources, explain_infeasible
from model.solve.blocks import run_blocks
from model.solve.face import StageDuals, keeps_holds, restrict, undo
from model.solve.pinned import solve_pinned
from model.solve.highs import (LoadedLP, Outcome, Status, compile_and_load, open_rows, run,
                               use_method)


TIME_LIMIT_REASON = "stopped by the time limit"  # why a tie-break was not applied, in words


@dataclass
class SolveReport:
    """What happened in a solve: status, stage objectives, duals, and where the time went (s)."""

    status: Status
    objectives: dict[str, float]
    seconds: dict[str, float] = field(default_factory=dict)
    tap_tolerance_m3: float = 0.0
    skipped_stages: tuple[str, ...] = ()  # optional tie-break stages that did not end optimal
    duals: pyo.ComponentMap = field(default_factory=pyo.ComponentMap)
    lp: LoadedLP | None = field(default=None, repr=False)  # kept for studies (solve/reuse.py)
    skipped_because: dict[str, str] = field(default_factory=dict)  # stage -> why, in words

    def dual(self, constraint) -> float:
        """Dual of a constraint row in the dual stage; 0 for a row that was not built."""
        return float(self.duals.get(constraint, 0.0))


def _attempt(lp: LoadedLP, stage: Stage) -> Outcome:
    """Run a stage with its method; unless that ends optimal (or at the user's time limit), run
    the simplex method: for a later stage from the previous stage's basis, which is feasible by
    construction (the new hold row is met at the previous solution); for the first stage from
    scratch. An interior-point presolve can misjudge a hold row that is tight to 1e-9 and call
    the stage infeasible. Only the simplex's verdict counts."""
    h = lp.highs
    if stage.method in (Method.SIMPLEX, Method.MIP):
        return run(lp, stage.objective)
    basis = h.getBasis()  # before the first stage: invalid, and then not restored
    outcome = run(lp, stage.objective)
    if outcome.status in (Status.OPTIMAL, Status.TIME_LIMIT):
        return outcome
    if basis.valid:
        h.setBasis(basis)
    h.setOptionValue("solver", Method.SIMPLEX.value)
    return run(lp, stage.objective)


def _stopped(stage: str, outcome: Outcome) -> SolverError:
    return SolverError(f"HiGHS stopped in the {stage} stage without an optimal solution: "
                       f"{outcome.text}. No figures are reported.")


class NotProven(SolverError):
    """A MIP stage stopped (time limit) with a feasible solution whose optimality is not proven.
    Its values are written into the Pyomo variables, so that a study can say what it was;
    `gap` is HiGHS's relative MIP gap (None when unknown)."""

    def __init__(self, stage: str, outcome: Outcome, gap: float | None, objective: float):
        self.stage, self.gap, self.objective = stage, gap, objective
        super().__init__(f"HiGHS stopped in the {stage} stage ({outcome.text}) with a solution "
                         "it has not proven optimal"
                         + (f" (gap {gap:.2%})" if gap is not None else ""))


def _incumbent(lp: LoadedLP, stage: Stage, i: int, outcome: Outcome) -> SolverError:
    """After a MIP stage stopped: NotProven with its best solution, or a plain SolverError."""
    h = lp.highs
    info = h.getInfo()
    if not lp.integer or info.primal_solution_status != 2:  # 2: a feasible solution exists
        return _stopped(stage.objective, outcome)
    x = np.asarray(h.getSolution().col_value, dtype=float)
    for var, value in zip(lp.columns, x):
        var.set_value(float(value), skip_validation=True)
    gap = float(info.mip_gap) if np.isfinite(info.mip_gap) else None
    return NotProven(stage.objective, outcome, gap, float(lp.costs[i] @ x + lp.offsets[i]))


class _Holds:
    """Rows holding solved stages at their optimum, widened together when a stage fails."""

    def __init__(self, f: Formulation, lp: LoadedLP):
        self.rule, self.lp = f.stages.hold, lp
        self.rows: list[tuple[int, float, float]] = []  # (row, optimum less offset, tolerance)
        self.widen = 1.0
        self.frozen = False  # while a stage runs on the optimal face, whose holds are relaxed

    def add(self, i: int, optimum: float) -> None:
        """Hold stage i at its optimum and switch the objective to stage i + 1."""
        lp, h = self.lp, self.lp.highs
        prev = lp.costs[i]
        nz = np.flatnonzero(prev)
        self.rows.append((h.getNumRow(), optimum - lp.offsets[i], self.rule.tolerance(optimum)))
        h.addRow(-highspy.kHighsInf, self.rows[-1][1] + self.rows[-1][2] * self.widen, len(nz),
                 nz.astype(np.int32), prev[nz])
        h.changeColsCost(len(lp.columns), np.arange(len(lp.columns), dtype=np.int32),
                         lp.costs[i + 1])

    def loosen(self) -> bool:
        """Widen every hold one step; False when they are already as wide as allowed, or
        frozen (a stage on the optimal face: widening would bound the holds it relaxed)."""
        if self.frozen or self.widen >= self.rule.widen_max:
            return False
        self.widen *= self.rule.widen_step
        for row, rhs, base in self.rows:
            self.lp.highs.changeRowBounds(row, -highspy.kHighsInf, rhs + base * self.widen)
        return True


def _later_stage(lp: LoadedLP, holds: _Holds, stage: Stage) -> Outcome:
    use_method(lp.highs, stage.method)
    outcome = _attempt(lp, stage)
    # Holds far tighter than HiGHS's feasibility tolerance (1e-7) can add up to a declared
    # infeasibility on badly scaled cases (hypothesis found one with a 6e-5 m3/day train).
    while outcome.status not in (Status.OPTIMAL, Status.TIME_LIMIT) and holds.loosen():
        lp.highs.setOptionValue("solver", Method.SIMPLEX.value)
        outcome = run(lp, stage.objective)
    return outcome


class FirstStageFailed(Exception):
    """The first stage did not end optimal; `outcome` says how it ended."""

    def __init__(self, outcome: Outcome):
        super().__init__(outcome.text)
        self.outcome = outcome


@dataclass
class PlanRun:
    """What running the stages on a loaded LP gave: objectives of the final plan, its primal
    values (one per LP column), the dual stage's row duals (one per Pyomo row) and the holds."""

    objectives: dict[str, float]
    x: np.ndarray
    duals: np.ndarray
    tap_tolerance_m3: float
    skipped: tuple[str, ...]
    seconds: dict[str, float]
    because: dict[str, str] = field(default_factory=dict)  # why each skipped stage was skipped


def _run_stage(lp: LoadedLP, holds: "_Holds", i: int, stage: Stage, attempt,
               solved: list[StageDuals]):
    """Run stage i; a tie-break first on the optimal face of the solved stages (model.solve.face),
    and under the holds only if that does not end optimal within every hold. Returns the outcome
    and HiGHS's solution, read before any bound is put back."""
    def run_once() -> Outcome:
        if attempt is not None:
            return attempt(lp, i, stage)
        return _attempt(lp, stage) if i == 0 else _later_stage(lp, holds, stage)

    fixed = restrict(lp, holds, solved) if stage.optional and i > 0 else None
    holds.frozen = fixed is not None
    try:
        # a cold solve only: a warm re-solve (`attempt`) starts from the stage's last basis
        pinned = solve_pinned(lp, stage, run_once) \
            if stage.pin and attempt is None and i > 0 and not lp.integer else None
        outcome, sol = pinned if pinned else (run_once(), None)
    finally:
        holds.frozen = False
    sol = sol if sol is not None else lp.highs.getSolution()
    if fixed is not None:
        ok = outcome.status is Status.OPTIMAL \
            and keeps_holds(lp, holds, np.asarray(sol.col_value, dtype=float), solved)
        undo(lp, holds, fixed)
        if not ok:
            outcome = run_once()
            sol = lp.highs.getSolution()
    return outcome, sol


def run_plan(f: Formulation, lp: LoadedLP, holds: "_Holds | None" = None,
             attempt=None) -> PlanRun:
    """Run every stage of the plan on `lp`, as it is loaded. Raises `FirstStageFailed` when the
    first stage does not end optimal, `NotProven` when a MIP stage stops with an unproven
    solution, and `SolverError` when a later stage fails or stops.

    `holds` keeps the rows holding solved stages (new rows by default); `attempt(lp, i, stage)`
    runs one stage (by default `_attempt` for the first stage, `_later_stage` for the others),
    so that warm re-solves can start each stage from a basis of their own."""
    plan = f.stages
    holds = holds if holds is not None else _Holds(f, lp)
    objectives: dict[str, float] = {}
    seconds: dict[str, float] = {}
    duals, tolerance, skipped, solved, because = None, 0.0, [], [], {}
    for i, stage in enumerate(plan.stages):
        t0 = time.perf_counter()
        if i > 0:
            holds.add(i - 1, objectives[plan.stages[i - 1].objective])
        open_rows(lp, i)
        outcome, sol = _run_stage(lp, holds, i, stage, attempt, solved)
        if outcome.status is not Status.OPTIMAL and i > 0 and stage.optional \
                and not lp.integer:
            # a tie-break only: the previous stage's plan is optimal for every objective that
            # matters (each of those stages ended optimal), so keep it and say that this stage
            # was not applied, and why; the time limit stops a tie-break the same way
            skipped.append(stage.objective)
            because[stage.objective] = TIME_LIMIT_REASON \
                if outcome.status is Status.TIME_LIMIT else f"numerical trouble: {outcome.text}"
            break
        if outcome.status is Status.TIME_LIMIT:
            raise _incumbent(lp, stage, i, outcome)
        if outcome.status is not Status.OPTIMAL:
            if i == 0:
                raise FirstStageFailed(outcome)
            raise SolverError(f"the {stage.objective} stage did not end optimal "
                              f"({outcome.text}) after holding the earlier stages at their "
                              "optimum; this is a numerical failure. No figures are reported.")
        x = np.asarray(sol.col_value, dtype=float)
        if not lp.integer:
            solved.append(StageDuals(np.asarray(sol.col_dual, dtype=float),
                                          np.asarray(sol.row_dual, dtype=float)))
        objectives[stage.objective] = float(lp.costs[i] @ x + lp.offsets[i])
        if stage.objective == plan.dual_stage:
            duals = np.asarray(sol.row_dual, dtype=float)[:len(lp.rows)]
            tolerance = plan.hold.tolerance(objectives[stage.objective])
        seconds[stage.objective] = time.perf_counter() - t0
    # objectives of the final plan (earlier stages may move within their tolerance)
    for stage, c, off in zip(plan.stages[1:], lp.costs[1:], lp.offsets[1:]):
        objectives[stage.objective] = float(c @ x + off)
    return PlanRun(objectives, x, duals, tolerance * holds.widen, tuple(skipped), seconds,
                   because)


def solve(f: Formulation, time_limit_s: float | None = None) -> SolveReport:
    """Solve `f` stage by stage. Raises `InfeasibleError` or `SolverError` unless optimal."""
    check_cleanest_sources(f.case)
    t0 = time.perf_counter()
    try:
        with interrupts.stage("the loading of the model into HiGHS"):
            lp = compile_and_load(f, time_limit_s)
    except InfeasibleConstraintException as error:
        # a row with no variable left that cannot hold, e.g. a tank that can hold no generation
        # (a case built in Python with max_recycles = 0) but must end with some water
        raise InfeasibleError(f"the case has no feasible plan: {error}") from None
    load_s = time.perf_counter() - t0
    try:
        # a block-diagonal LP (independent periods) block by block, else whole
        parts = run_blocks(f, lp, run_plan) if time_limit_s is None else None
        done = PlanRun(*parts) if parts is not None else run_plan(f, lp)
    except FirstStageFailed as failed:
        first = f.stages.stages[0].objective
        raise explain_infeasible(f, lp) if failed.outcome.status is Status.INFEASIBLE \
            else _stopped(first, failed.outcome) from None
    for var, value in zip(lp.columns, done.x):
        var.set_value(float(value), skip_validation=True)
    row_duals = pyo.ComponentMap((con, float(d)) for (con, _), d in zip(lp.rows, done.duals))
    return SolveReport(Status.OPTIMAL, done.objectives, {"load": load_s, **done.seconds},
                       done.tap_tolerance_m3, done.skipped, row_duals, lp, done.because)
