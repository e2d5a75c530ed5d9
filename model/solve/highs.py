"""HiGHS: compile a formulation once, load it in bulk, run it, and name how a run ended.

The Pyomo model is compiled to sparse matrices once (`LinearStandardFormCompiler`, every stage's
objective at once) and passed to highspy as one `HighsLp`, which is much faster than transferring
constraints one by one.
"""
from __future__ import annotations

import importlib
import os
import sys
import threading
from dataclasses import dataclass, field
from enum import Enum

import highspy
import numpy as np

from model.formulation import Formulation, Method
from model.interrupts import solver_running, stop_requested, watching
from model.progress import progress
from model.solve.compile import StandardForm, compile_model

MIP_REL_GAP = 1e-9  # a portfolio is optimal only when proven within this relative gap


class Status(Enum):
    """How a HiGHS run ended, in the words the tool reports."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    TIME_LIMIT = "time limit"
    OTHER = "other"  # any other ending; `Outcome.word` gives HiGHS's own word for it


@dataclass(frozen=True)
class Outcome:
    status: Status
    word: str  # HiGHS's description, e.g. "Time limit reached", "Not Set"

    @property
    def text(self) -> str:
        """The tool's word for a known ending, HiGHS's own otherwise."""
        return self.word if self.status in (Status.TIME_LIMIT, Status.OTHER) \
            else self.status.value


@dataclass
class LoadedLP:
    """A formulation compiled and loaded into HiGHS, with the maps back to Pyomo."""

    highs: highspy.Highs
    costs: np.ndarray  # one row per stage, in stage order
    offsets: np.ndarray
    columns: list
    rows: list  # (ConstraintData, bound_type) per row, bound_type 0 '=', 1 '<=', -1 '>='
    row_of: dict = field(default_factory=dict)
    integer: bool = False  # the model has integer columns (a MIP)
    # rows owned by each stage (`Stage.rows`), with their bounds: unbounded before that stage
    stage_rows: list = field(default_factory=list)  # one (rows, lower, upper) per stage
    opened: int = 0  # the rows of stages 0..opened are bounded


def open_rows(lp: LoadedLP, stage: int) -> None:
    """Bound the rows owned by stages up to `stage` and leave those of later stages unbounded
    (`Stage.rows`): an owned row never restricts an earlier stage, it only costs it time."""
    if stage == lp.opened:
        return
    inf = highspy.kHighsInf
    for i, (rows, lower, upper) in enumerate(lp.stage_rows):
        if len(rows) and (i <= stage) != (i <= lp.opened):
            n = len(rows)
            lp.highs.changeRowsBounds(n, rows, *((lower, upper) if i <= stage
                                                 else (np.full(n, -inf), np.full(n, inf))))
    lp.opened = stage


FEASIBILITY_TOL = 1e-9  # HiGHS's primal and dual feasibility tolerances (default 1e-7)


_MADE = {"instances": 0}


def highs_made() -> int:
    """How many HiGHS instances this process has made. A process that has run HiGHS must not
    be forked: HiGHS's task scheduler does not survive a fork, and a branch and bound in the
    child can run without end (the options MIP: 1 s of CPU in the parent, not finished after
    17 minutes in the child)."""
    return _MADE["instances"]


def _silent() -> highspy.Highs:
    """A HiGHS instance that prints nothing. HiGHS prints a banner to the process's stdout the
    first time one is made, which would corrupt the CLI's output, so that first construction
    writes to null."""
    _MADE["instances"] += 1
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


_THREADS: list[int] = []  # the count `scheduler_threads` found, once per process


def scheduler_threads() -> int:
    """The number of threads of HiGHS's task scheduler in this process, to be set on every
    instance. Left at 0 ("automatic"), HiGHS asks the operating system for the number of
    processors at every run: about 30 us, a third of a warm re-solve of the default case that
    ends in no iteration (the 1,000-scenario default-case sweep took 2.26-2.29 s with the count
    set, 2.53-2.81 s without). The scheduler is one per process, made by the first run with the
    first count asked for, and HiGHS refuses a run whose explicit count differs from it; so a
    first instance runs with 0 (HiGHS's own choice, or the scheduler someone else made), and
    the count is then the first candidate HiGHS accepts (a failed try costs a trivial run,
    once per process). 0 if none is: HiGHS's automatic choice at every run, as before."""
    if not _THREADS:
        def accepted(n: int) -> bool:
            h = _silent()
            h.setOptionValue("threads", n)
            h.addVar(0.0, 1.0)
            return h.run() == highspy.HighsStatus.kOk
        accepted(0)
        cpus = os.cpu_count() or 1
        usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
        # HiGHS's own choice first; then any other count a scheduler made earlier may have
        candidates = dict.fromkeys([cpus, usable, (cpus + 1) // 2, *range(1, 2 * cpus + 9)])
        _THREADS.append(next((n for n in candidates if n > 0 and accepted(n)), 0))
    return _THREADS[0]


def new_highs() -> highspy.Highs:
    """A silent HiGHS instance, with this tool's tolerances, thread count and interrupt
    callbacks."""
    h = _silent()
    h.setOptionValue("threads", scheduler_threads())
    # Row and reduced-cost tolerances 100 times tighter than HiGHS's 1e-7: a lexicographic plan
    # holds each stage to 1e-10 of its optimum, and with fair rationing a plan has up to nine
    # stages; at 1e-7 the final shortage of a rationed default case moved by 7e-3 m3/day
    # (1.6e-6 relative) between two bases of the same LP, so a warm re-solve could not be checked
    # against a cold one to 1e-7. At 1e-9 they agree to 4e-11 (docs/decisions.md).
    h.setOptionValue("primal_feasibility_tolerance", FEASIBILITY_TOL)
    h.setOptionValue("dual_feasibility_tolerance", FEASIBILITY_TOL)
    # Ctrl-C or SIGTERM while HiGHS runs: stop the simplex or interior-point method at its next
    # iteration (model.interrupts records the signal; `run` then raises Interrupted). HiGHS's own
    # C++ `setCallback` is used rather than highspy's Python event layer on top of it, which
    # cost 2 us per iteration: 0.28 s of a 4.8 s warm sweep of 1,000 scenarios (9,128 runs).
    # Under `interrupts.watched()` (a `wateralloc solve` process) they are started only once a
    # signal arrives: HiGHS calls them 141,834 times in a 2,000-plant plan, 0.04-0.09 s of it.
    highspy._core._Highs.setCallback(h, _stop_if_requested, None)
    if not watching():
        start_callbacks(h)
    return h


def start_callbacks(h: highspy.Highs) -> None:
    """Have HiGHS ask `_stop_if_requested` at each iteration from now on, even mid-run."""
    for kind in INTERRUPT_CALLBACKS:
        h.startCallback(kind)


INTERRUPT_CALLBACKS = (highspy.cb.HighsCallbackType.kCallbackSimplexInterrupt,
                       highspy.cb.HighsCallbackType.kCallbackIpmInterrupt,
                       highspy.cb.HighsCallbackType.kCallbackMipInterrupt)


def _stop_if_requested(kind, message, data_out, data_in, user_data) -> None:
    if stop_requested():
        data_in.user_interrupt = True


def _standard_form(f: Formulation) -> StandardForm:
    """Compile with every stage's objective active, restoring their states afterwards."""
    m = f.model
    stages = [m.component(name) for name in f.stages.names]
    was_active = [o.active for o in stages]
    for o in stages:
        o.activate()
    try:
        return compile_model(m, stages)
    finally:
        for o, active in zip(stages, was_active):
            o.activate() if active else o.deactivate()


def compile_and_load(f: Formulation, time_limit_s: float | None = None) -> LoadedLP:
    """Compile `f` and pass it to a new HiGHS instance, set for the first stage."""
    sf = _standard_form(f)
    costs, offsets = sf.costs, sf.offsets
    n_rows, n_cols = sf.shape
    inf = highspy.kHighsInf
    rhs = np.asarray(sf.rhs, dtype=float)
    bound_type = np.array([bound for _, bound in sf.rows], dtype=int)
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = costs[0]
    lp.col_lower_, lp.col_upper_ = _bounds(sf.columns)
    row_lower = np.where(bound_type <= 0, rhs, -inf)
    row_upper = np.where(bound_type >= 0, rhs, inf)
    stage_rows = _stage_rows(f, sf.rows, row_lower, row_upper)
    for rows, _, _ in stage_rows[1:]:
        row_lower[rows], row_upper[rows] = -inf, inf
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = sf.start
    lp.a_matrix_.index_ = sf.index
    lp.a_matrix_.value_ = sf.value
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_rows
    integer = [v.is_integer() for v in sf.columns]
    if any(integer):  # option binaries: HiGHS's MIP solver, from the Pyomo domains
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                           for i in integer]
    h = new_highs()
    if any(integer):
        h.setOptionValue("mip_rel_gap", MIP_REL_GAP)
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(time_limit_s))
    use_method(h, f.stages.stages[0].method)
    h.passModel(lp)
    rows = sf.rows
    return LoadedLP(h, costs, offsets, list(sf.columns), rows,
                    {id(con): i for i, (con, _) in enumerate(rows)}, any(integer), stage_rows)


def _bounds(columns: list) -> tuple[np.ndarray, np.ndarray]:
    """Each column's lower and upper bound, -inf and inf where it has none (one `bounds` call
    per variable: half the time of reading `lb` and `ub`, 0.009 s against 0.023 s for the
    51,371 columns of the 2,000-plant benchmark)."""
    if not columns:
        return np.zeros(0), np.zeros(0)
    lower, upper = zip(*(v.bounds for v in columns))
    lower, upper = np.array(lower, dtype=float), np.array(upper, dtype=float)  # None -> nan
    lower[np.isnan(lower)], upper[np.isnan(upper)] = -np.inf, np.inf
    return lower, upper


def _stage_rows(f: Formulation, rows, lower, upper) -> list:
    """(row indices, lower, upper) of the rows each stage owns, in stage order."""
    where: dict[int, list[int]] = {}  # by component identity: a component's `name` is built
    for i, (con, _) in enumerate(rows):  # anew at each call (0.013 s for 11,000 rows)
        where.setdefault(id(con.parent_component()), []).append(i)
    out = []
    for stage in f.stages.stages:
        owned = [f.model.component(name) for name in stage.rows]
        idx = np.array([i for c in owned if c is not None for i in where.get(id(c), ())],
                       dtype=np.int32)
        out.append((idx, lower[idx].copy(), upper[idx].copy()))
    return out


def use_method(h: highspy.Highs, method: Method) -> None:
    """Interior point runs crossover to a vertex (a basis, vertex duals). On the 2,000-plant
    benchmark the tap stage took 2.3 s this way against 7.0 s for dual and 4.2 s for primal
    simplex. Simplex means primal simplex (strategy 4): a later stage starts from the previous
    optimal basis, which stays primal feasible when a hold row is added, and HiGHS's default dual
    simplex would restart its search (150-300x slower on the same case)."""
    h.setOptionValue("solver", method.value)
    if method is Method.MIP:
        return  # HiGHS solves a model with integer columns by branch and bound whatever the
        # solver option; its LP relaxations choose their own method
    if method is Method.IPM:
        h.setOptionValue("run_crossover", "on")
    else:
        h.setOptionValue("simplex_strategy", 4)


_MEANWHILE: list[str] = []  # modules to import while HiGHS runs next (`while_solving`)


def while_solving(*modules: str) -> None:
    """Import `modules` in a thread once HiGHS starts its next run, when HiGHS's interrupt
    callbacks are off (`interrupts.watched()`, a `wateralloc solve` process): HiGHS then runs
    without the interpreter, and the import takes the other core. The command line asks for
    pandas and the report modules this way (0.2 s, hidden behind the first stage of a large
    plan). Anywhere else (callbacks on: each would wait for the importing thread) they are
    imported where first used, as usual."""
    _MEANWHILE[:] = modules if watching() else ()


def _import_meanwhile() -> None:
    modules, _MEANWHILE[:] = list(_MEANWHILE), []

    def load() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001  the importer's own import will say what failed
                return
    threading.Thread(target=load, name="wateralloc-imports", daemon=True).start()


def run(lp: LoadedLP, label: str) -> Outcome:
    """Run HiGHS as it is set up, and say how it ended."""
    h = lp.highs
    with solver_running(f"the {label} stage", arm=lambda: start_callbacks(h)), \
            progress(f"the {label} stage"):
        if _MEANWHILE:
            _import_meanwhile()
        h.run()
    status = h.getModelStatus()
    word = h.modelStatusToString(status)
    if status == highspy.HighsModelStatus.kOptimal:
        return Outcome(Status.OPTIMAL, word)
    if status in (highspy.HighsModelStatus.kInfeasible,
                  highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return Outcome(Status.INFEASIBLE, word)
    if status == highspy.HighsModelStatus.kTimeLimit:
        return Outcome(Status.TIME_LIMIT, word)
    return Outcome(Status.OTHER, word)
