"""The pinned tie-break solved ahead, on a second HiGHS instance, while the stages before it run.

A plan's stages run one after another on one HiGHS instance (A): least tap, least cost, then
the even-sharing tie-break, pinned and released (model.solve.pinned). On a machine with two
cores the second core is idle meanwhile. For a large LP a second instance (B), in a thread,
works the tie-break out ahead on its own copy of the LP:

1. **Weighted.** One interior-point solve without crossover of the stages before the tie-break
   at once: sum_i WEIGHT^i x (objective of stage i). For a small enough weight its optimal face
   is the lexicographic one.
2. **Its face.** Rows and columns whose interior-point dual exceeds `FACE_DUAL` are fixed at
   the bound the dual points to (complementary slackness, as model.solve.face does with vertex
   duals); the guess of the pinned share is taken at its plan.
3. **Pinned, then released,** exactly as A would (`solve_pinned`), on that face.

B's final basis and share are then A's start for the tie-break (`adopt`): A, having solved the
stages before it itself, on its own face and under its own holds, pins the share at B's value,
sets B's basis and runs primal simplex, released and certified as always. Nothing of B is
taken on trust: A's simplex proves the plan optimal, or (a start that is not optimal within
`ADOPT_ITERATIONS` iterations, a basis HiGHS refuses, B failing or not finished well) A solves
the tie-break the usual way. On the 2,000-plant benchmark B's three steps take 0.57, 1.03 and
0.30 s beside A's tap and cost stages (1.0 s); A confirms B's basis in 0 iterations, and the
stages take 1.94 s instead of 2.25-2.28 s, with the same optimum (docs/decisions.md).

Only a cold solve of an LP of at least `MIN_COLUMNS` columns, with no integer column and no
time limit, on a machine with two cores or more, whose last stage is a pinned tie-break with at
most `MAX_BEFORE` stages before it, is solved this way (every bundled case is smaller). B stops
with A: at an interruption (HiGHS's interrupt callback) or when A is done (`close`).
"""
from __future__ import annotations

import os
import threading

import highspy
import numpy as np

from model.formulation import Formulation, Method, Stage
from model.interrupts import solver_running, stop_requested
from model.progress import progress
from model.solve.highs import (INTERRUPT_CALLBACKS, LoadedLP, Outcome, Status, new_highs,
                               outcome_of, run, use_method)
from model.solve.pinned import GuessMap, guess_map, solve_pinned

MIN_COLUMNS = 20_000    # smaller LPs solve in one instance (every bundled case does)
MAX_BEFORE = 2          # stages before the tie-break weighed into one solve: 1, WEIGHT
WEIGHT = 1e-4           # each stage's objective weighs this much of the one before it
FACE_DUAL = 1e-6        # an interior-point dual above this fixes its row or column
ADOPT_ITERATIONS = 500  # A's simplex from B's basis; beyond this A solves the stage itself
INF = highspy.kHighsInf
Basic = highspy.HighsBasisStatus


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def tie_break_index(f: Formulation, lp: LoadedLP, time_limit_s: float | None) -> int | None:
    """The stage B would solve ahead (the last, a pinned tie-break), or None when the plan is
    not solved that way (module docstring)."""
    stages = f.stages.stages
    k = len(stages) - 1
    if lp.integer or time_limit_s is not None or lp.highs.getNumCol() < MIN_COLUMNS \
            or not 1 <= k <= MAX_BEFORE:
        return None
    last = stages[k]
    if not (last.optional and last.pin) or any(s.method is Method.MIP for s in stages):
        return None
    return k


class Ahead:
    """Instance B, started at once in a thread; `adopt` is A's use of it, `close` stops it."""

    def __init__(self, lp: LoadedLP, stage: Stage, k: int, threaded: bool | None = None):
        self.stage, self.k = stage, k
        self.threaded = cores() >= 2 if threaded is None else threaded
        self.guess = guess_map(lp, stage)  # here: Pyomo is read in this thread only
        self._lp = lp.highs.getLp()  # before A's first run changes anything
        self._costs, self._offsets, self._rows = lp.costs, lp.offsets, lp.stage_rows[k]
        self._cancel = threading.Event()
        self.found: tuple[highspy.HighsBasis, np.ndarray] | None = None  # B's basis and share
        self.failed = ""  # why B found nothing, when it did not
        self._thread = threading.Thread(target=self._work, name="tie-break ahead", daemon=True)
        if self.threaded:
            self._thread.start()

    def _stop(self, kind, message, data_out, data_in, user_data) -> None:
        if stop_requested() or self._cancel.is_set():
            data_in.user_interrupt = True

    def _work(self) -> None:
        try:
            self.found = self._solve()
        except Exception as exc:  # noqa: BLE001  B is only ever a start; A goes on without it
            self.failed = f"{type(exc).__name__}: {exc}"

    def _run(self, h: highspy.Highs) -> Outcome:
        h.run()
        return outcome_of(h)

    def _solve(self) -> tuple[highspy.HighsBasis, np.ndarray] | None:
        h = new_highs()
        highspy._core._Highs.setCallback(h, self._stop, None)  # its interrupts, and A's end
        for kind in INTERRUPT_CALLBACKS:
            h.startCallback(kind)
        h.passModel(self._lp)
        self._lp = None
        n = h.getNumCol()
        every = np.arange(n, dtype=np.int32)
        weighted = sum(WEIGHT ** i * self._costs[i] for i in range(self.k))
        h.changeColsCost(n, every, weighted)
        h.setOptionValue("solver", Method.IPM.value)
        h.setOptionValue("run_crossover", "off")
        if self._run(h).status is not Status.OPTIMAL:
            self.failed = "the weighted solve did not end optimal"
            return None
        sol = h.getSolution()
        x = np.asarray(sol.col_value, dtype=float)
        face = _fix_face(h, np.asarray(sol.row_dual, dtype=float),
                         np.asarray(sol.col_dual, dtype=float))
        rows, lower, upper = self._rows
        if len(rows):
            h.changeRowsBounds(len(rows), rows, lower, upper)
        h.changeColsCost(n, every, self._costs[self.k])
        loaded = LoadedLP(h, self._costs, self._offsets, [], [])

        def pinned_solve() -> Outcome:
            use_method(h, self.stage.method)
            return self._run(h)

        done = solve_pinned(loaded, self.stage, pinned_solve, x=x, guess=self.guess,
                            release=lambda _lp, _label: self._run(h))
        if done is None or self._cancel.is_set():
            self.failed = "the pinned tie-break was not certified optimal"
            return None
        share = np.asarray(done[1].col_value, dtype=float)[self.guess.cols]
        return _unfixed(h.getBasis(), face), share

    def result(self, label: str) -> tuple[highspy.HighsBasis, np.ndarray] | None:
        """Wait for B, or on one core run it now (a signal stops it, and is raised once it has
        stopped, as in `run`)."""
        with solver_running(f"the {label} stage"), progress(f"the {label} stage"):
            if self.threaded:
                self._thread.join()
            elif self._lp is not None:
                self._work()
        return self.found

    def adopt(self, lp: LoadedLP, stage: Stage) -> tuple[Outcome, object] | None:
        """A's tie-break from B's basis, pinned at B's share, then released and certified
        (`solve_pinned`); None, with A to solve the stage itself, when that fails."""
        found = self.result(stage.objective)
        if found is None:
            return None
        basis, share = found
        h = lp.highs
        at_b = GuessMap(self.guess.cols, share,
                        [(np.zeros(0, dtype=np.int64), np.zeros(0))] * len(share))
        n_row = h.getNumRow()

        def from_b() -> Outcome:
            start = highspy.HighsBasis()
            start.col_status = basis.col_status
            # A's hold rows, after the rows B has, are relaxed on the face: basic
            start.row_status = list(basis.row_status) + \
                [Basic.kBasic] * (n_row - len(basis.row_status))
            start.valid = True
            if h.setBasis(start) != highspy.HighsStatus.kOk:
                return Outcome(Status.OTHER, "basis refused")
            use_method(h, Method.SIMPLEX)
            h.setOptionValue("simplex_iteration_limit", ADOPT_ITERATIONS)
            try:
                return run(lp, stage.objective)
            finally:
                h.setOptionValue("simplex_iteration_limit", np.iinfo(np.int32).max)

        return solve_pinned(lp, stage, from_b, guess=at_b)

    def close(self) -> None:
        """Stop B if it still runs, and wait for it."""
        self._cancel.set()
        if self.threaded:
            self._thread.join()
        self._lp = None


class _Face:
    def __init__(self, rows, row_upper, cols, col_upper):
        self.rows, self.row_upper, self.cols, self.col_upper = rows, row_upper, cols, col_upper


def _fix_face(h: highspy.Highs, row_dual: np.ndarray, col_dual: np.ndarray) -> _Face:
    """Fix at the bound its dual points to each row and column whose interior-point dual
    exceeds FACE_DUAL (HiGHS minimises: a positive dual is a lower bound's); returns which, and
    at which side, so that their basis statuses can be named in the LP's own bounds."""
    lp = h.getLp()
    row_lower, row_upper = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    col_lower, col_upper = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
    rows, r_up = _pointed(row_dual, row_lower, row_upper)
    cols, c_up = _pointed(col_dual, col_lower, col_upper)
    if len(rows):
        at = np.where(r_up, row_upper[rows], row_lower[rows])
        h.changeRowsBounds(len(rows), rows, at, at)
    if len(cols):
        at = np.where(c_up, col_upper[cols], col_lower[cols])
        h.changeColsBounds(len(cols), cols, at, at)
    return _Face(rows, r_up, cols, c_up)


def _pointed(dual: np.ndarray, lower: np.ndarray, upper: np.ndarray):
    """Indices whose |dual| > FACE_DUAL and whose pointed bound is finite and not already
    fixed, and whether that bound is the upper one."""
    up = dual < 0
    bound = np.where(up, upper, lower)
    pick = (np.abs(dual) > FACE_DUAL) & np.isfinite(bound) & (lower != upper)
    index = np.flatnonzero(pick).astype(np.int32)
    return index, up[index]


def _unfixed(basis: highspy.HighsBasis, face: _Face) -> highspy.HighsBasis:
    """B's basis with each row and column it fixed named as nonbasic at the bound it was fixed
    at: in A's LP that bound is one side of a range, and only its own side names the value."""
    cols, rows = list(basis.col_status), list(basis.row_status)
    for statuses, index, upper in ((cols, face.cols, face.col_upper),
                                   (rows, face.rows, face.row_upper)):
        for i, up in zip(index.tolist(), upper.tolist()):
            if statuses[i] != Basic.kBasic:
                statuses[i] = Basic.kUpper if up else Basic.kLower
    out = highspy.HighsBasis()
    out.col_status, out.row_status = cols, rows
    out.valid = True
    return out
