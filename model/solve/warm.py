"""Warm re-solves: one compiled LP, re-solved for many what-ifs by changing numbers in HiGHS.

`WarmLP(f, kinds)` compiles and loads the formulation of a sweep's base case once. For each
scenario, `solve(case)` moves only the LP entries the sweep's parameter kinds touch, to the
values a cold build of that scenario's case would give them, then runs the case's stage plan
with the same holds as `model.solve.stages.solve`:

    kind                  LP entries moved (read from the scenario's case)
    capacity:<train>      upper bounds of the train's treatment_capacity rows
    recovery:<train>      -recovery on feed columns in the train's recovery rows, and
                          -(boost recovery - recovery) on boosted feed in the same rows
    demand, demand_factor right-hand sides of demand_balance; upper bounds of shortage columns;
                          -demand on cut_fraction in fair_share rows; -recyclable demand of
                          the plant on tap_share in even_share rows
    tap_cap, cut, stage   upper bound of a tap-cap row per period (rows the base case lacks
                          are added to HiGHS, relaxed); shortage upper bounds (0 unless the
                          scenario rations); the baseline of a cut, from an unrestricted solve
    baseline              the tap-cap rows, as the cut of a given baseline makes them
    option:<name>         a capacity or recovery option: as capacity and recovery (the entries
                          of every train, read from the case with its options built in). A
                          train, link, tank or supply option changes the structure: the sweep
                          keeps one WarmLP per set of such options (model.studies.sweep)

A kind not in `ENTRIES` cannot be swept warm. Structure never changes: the base case is built
with every variable any scenario needs (shortage when some scenario rations), and a scenario
that does not ration keeps its shortage at 0.

Holds are standing rows, one per stage but the last, relaxed until their stage is solved, so
the LP keeps its shape from scenario to scenario. Each stage starts from the basis the same
stage ended with in the previous scenario (dual simplex: only bounds, right-hand sides and
coefficients changed since). A stage that does not end optimal from that basis is solved again
from scratch, the way `solve` does, so that an infeasible verdict is never a warm start's alone.
"""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, replace

import highspy
import numpy as np

from model.case import Case
from model.errors import SolverError
from model.formulation import Formulation
from model.formulation.objectives import TAP
from model.solve.highs import LoadedLP, Outcome, Status, compile_and_load, run, use_method
from model.solve.stages import FirstStageFailed, PlanRun, _attempt, _Holds, _later_stage, \
    run_plan

INF = highspy.kHighsInf
# parameter kind -> groups of LP entries it moves (see the module docstring)
ENTRIES = {"capacity": ("capacity",), "recovery": ("recovery",),
           "demand": ("demand",), "demand_factor": ("demand",),
           "tap_cap": ("tap_cap",), "cut": ("tap_cap", "demand"), "stage": ("tap_cap", "demand"),
           "baseline": ("tap_cap",),
           "option": ("capacity", "recovery")}
BASELINE_SOURCE = "computed: unrestricted minimal tap draw of this case"


@dataclass
class WarmRun:
    """A scenario's outcome: `plan` when every stage ended optimal, else the status word and,
    for an infeasible one, the least campus tap (m3/day, day-weighted) it would need."""

    case: Case
    status: str
    plan: PlanRun | None = None
    least_tap_m3_per_day: float | None = None


class _StandingHolds(_Holds):
    """Holds on rows that always exist: relaxed until their stage is solved."""

    def __init__(self, f: Formulation, lp: LoadedLP, first_row: int):
        super().__init__(f, lp)
        self.first = first_row

    def add(self, i: int, optimum: float) -> None:
        lp = self.lp
        rhs, tol = optimum - lp.offsets[i], self.rule.tolerance(optimum)
        self.rows.append((self.first + i, rhs, tol))
        lp.highs.changeRowBounds(self.first + i, -INF, rhs + tol * self.widen)
        lp.highs.changeColsCost(len(lp.columns), np.arange(len(lp.columns), dtype=np.int32),
                                lp.costs[i + 1])

    def release(self, stage: int = 0) -> None:
        """Relax every hold and set the objective of `stage`."""
        n = len(self.lp.costs) - 1
        if n:
            rows = np.arange(self.first, self.first + n, dtype=np.int32)
            self.lp.highs.changeRowsBounds(n, rows, np.full(n, -INF), np.full(n, INF))
        self.lp.highs.changeColsCost(len(self.lp.columns),
                                     np.arange(len(self.lp.columns), dtype=np.int32),
                                     self.lp.costs[stage])
        self.rows, self.widen = [], 1.0


class WarmLP:
    """A base formulation compiled and loaded once, re-solved per scenario case."""

    def __init__(self, f: Formulation, kinds: frozenset[str]):
        unknown = set(kinds) - set(ENTRIES)
        if unknown:
            raise ValueError(f"no warm re-solve for parameters {sorted(unknown)}")
        self.f, self.groups = f, {g for k in kinds for g in ENTRIES[k]}
        self.lp = lp = compile_and_load(f)
        self.h = lp.highs
        col = {id(v): j for j, v in enumerate(lp.columns)}
        self.col = lambda var: col[id(var)]
        self.row = lambda con: lp.row_of[id(con)]
        self._add_tap_cap_rows()
        self.holds = _StandingHolds(f, lp, self.h.getNumRow())
        for c in lp.costs[:-1]:
            nz = np.flatnonzero(c)
            self.h.addRow(-INF, INF, len(nz), nz.astype(np.int32), c[nz])
        self.bases: dict[object, highspy.HighsBasis] = {}
        self.tap_stage = f.stages.names.index(TAP)
        self.baselines: dict[Case, float | None] = {}
        self.loaded: dict[str, object] = {}  # coefficients now in the matrix, by group
        self.matrix_moved = False  # coefficients changed since the last scenario was solved
        self._positions()

    def _add_tap_cap_rows(self) -> None:
        """One row per period holding the campus tap: the model's own where the base case has a
        cap, a new relaxed row elsewhere (the same sum of tap columns)."""
        m, h = self.f.model, self.h
        self.tap_cap_rows = {}
        for t in self.f.net.PERIODS:
            if t in m.TAP_CAPPED:
                self.tap_cap_rows[t] = self.row(m.tap_cap[t])
                continue
            cols = np.array([self.col(m.tap_m3_per_day[p, u, t]) for p, u in m.USES],
                            dtype=np.int32)
            self.tap_cap_rows[t] = h.getNumRow()
            h.addRow(-INF, INF, len(cols), cols, np.ones(len(cols)))
        self.tap_cap_row_array = np.array(list(self.tap_cap_rows.values()), dtype=np.int32)

    # --- moving the entries a scenario changes -----------------------------------------------

    def _positions(self) -> None:
        """Where each group's entries sit in the LP, found once."""
        m, net, col, row = self.f.model, self.f.net, self.col, self.row
        self.cap_keys = list(m.treatment_capacity)
        self.cap_rows = np.array([row(m.treatment_capacity[k]) for k in self.cap_keys],
                                 dtype=np.int32)
        self.rec_entries = [
            (row(con), [col(m.feed_m3_per_day[s, z, g, t]) for z in net.zones_fed[s]],
             col(m.boosted_feed_m3_per_day[s, g, t])
             if (s, g, t) in m.boosted_feed_m3_per_day else None, s, t)
            for (s, g, t), con in m.recovery.items()]
        self.dem_keys = list(m.demand_balance)
        self.dem_rows = np.array([row(c) for c in m.demand_balance.values()], dtype=np.int32)
        self.short_keys = list(m.shortage_m3_per_day)
        self.short_cols = np.array([col(v) for v in m.shortage_m3_per_day.values()],
                                   dtype=np.int32)
        r = net.case.rationing
        self.fair = [(row(con), col(m.cut_fraction[r.priority_of(p, u), t]), (p, u, t))
                     for (p, u, t), con in m.fair_share.items()]
        recyclable: dict[str, list] = {}
        for p, u in net.USES:
            if net.deliveries_to.get((p, u)):  # as in model.formulation.sharing
                recyclable.setdefault(p, []).append((p, u))
        self.even = [(row(con), col(m.tap_share[t]), [(*use, t) for use in recyclable[p]])
                     for (p, t), con in m.even_share.items()]
        self.emergency_cols = np.array(
            [col(v) for v in (*m.tanker_m3_per_day.values(),
                              *m.boosted_feed_m3_per_day.values())], dtype=np.int32)

    def _load(self, case: Case, mode: str = "plan") -> None:
        """Set the LP to `case`: the sweep's groups of entries, and always the tap caps,
        shortage and emergency supply, which depend on `mode`: "plan" (the case as it is),
        "least" (no tap cap, no shortage: the least tap that meets every demand) or
        "baseline" (also no emergency supply: the unrestricted case of a rationing baseline)."""
        h = self.h
        if "capacity" in self.groups:
            trains = {t.name: t for t in case.trains}
            upper = np.array([case.capacity(trains[s], t) for s, t in self.cap_keys])
            h.changeRowsBounds(len(upper), self.cap_rows, np.full(len(upper), -INF), upper)
        if "recovery" in self.groups:
            self._recovery(case)
        uses = {u.key: u for u in case.uses}
        demand = {(p, u, t): case.demand(uses[p, u], t) for p, u, t in self.dem_keys}
        if "demand" in self.groups:
            self._demand(demand)
        self._tap_caps(case, capped=mode == "plan")
        if len(self.short_cols):
            allowed = mode == "plan" and case.rationing is not None and case.rationing.enabled
            upper = np.array([demand[k] if allowed else 0.0 for k in self.short_keys])
            h.changeColsBounds(len(upper), self.short_cols, np.zeros(len(upper)), upper)
        if len(self.emergency_cols):  # tankers and boosts are off in the baseline's case
            n = len(self.emergency_cols)
            h.changeColsBounds(n, self.emergency_cols, np.zeros(n),
                               np.full(n, INF if mode != "baseline" else 0.0))

    def _recovery(self, case: Case) -> None:
        h, trains, boost_of = self.h, {t.name: t for t in case.trains}, self.f.net.boost_of
        values = [case.recovery(trains[s], t) for _, _, _, s, t in self.rec_entries]
        if values == self.loaded.get("recovery"):
            return
        self.loaded["recovery"], self.matrix_moved = values, True
        for (row, feeds, boosted, s, t), r in zip(self.rec_entries, values):
            for c in feeds:
                h.changeCoeff(row, c, -r)
            if boosted is not None:
                h.changeCoeff(row, boosted, -max(boost_of[s].recovery - r, 0.0))

    def _demand(self, demand: dict) -> None:
        h = self.h
        rhs = np.array([demand[k] for k in self.dem_keys])
        h.changeRowsBounds(len(rhs), self.dem_rows, rhs, rhs)
        if demand == self.loaded.get("demand"):
            return
        self.loaded["demand"], self.matrix_moved = demand, True
        for row, col, key in self.fair:
            h.changeCoeff(row, col, -demand[key])
        for row, col, keys in self.even:
            h.changeCoeff(row, col, -sum(demand[k] for k in keys))

    def _tap_caps(self, case: Case, capped: bool) -> None:
        caps = [case.tap_cap(t) if capped else None for t in self.tap_cap_rows]
        upper = np.array([INF if c is None else c for c in caps])
        self.h.changeRowsBounds(len(upper), self.tap_cap_row_array, np.full(len(upper), -INF),
                                upper)

    # --- solving ---------------------------------------------------------------------------

    def _attempt(self, slot: object, stage_index: int, stage) -> Outcome:
        """Dual simplex from the basis this stage ended with last time (the previous
        scenario's), which stays dual feasible when only bounds and right-hand sides moved;
        a later stage after coefficients moved continues from the stage before, as `solve`
        does. If that does not end optimal, the stage's own method from scratch."""
        h = self.h
        if slot in self.bases and (stage_index == 0 or not self.matrix_moved):
            h.setBasis(self.bases[slot])
            h.setOptionValue("solver", "simplex")
            h.setOptionValue("simplex_strategy", 1)
            outcome = run(self.lp, stage.objective)
            if outcome.status is Status.OPTIMAL:
                self.bases[slot] = h.getBasis()
                return outcome
            h.clearSolver()
        if stage_index == 0:
            use_method(h, stage.method)
            outcome = _attempt(self.lp, stage)
        else:
            outcome = _later_stage(self.lp, self.holds, stage)
        if outcome.status is Status.OPTIMAL:
            self.bases[slot] = h.getBasis()
        return outcome

    def _least_tap(self, case: Case, mode: str = "baseline") -> float | None:
        """The least water bought (m3/day, day-weighted) with no tap cap and no shortage; None
        if even that has no plan. Mode "baseline" also turns off emergency supply."""
        self.holds.release(self.tap_stage)
        self._load(case, mode)
        stage = self.f.stages.stages[self.tap_stage]
        outcome = self._attempt(mode, 0, stage)
        if outcome.status is not Status.OPTIMAL:
            return None
        x = np.asarray(self.h.getSolution().col_value)
        return float(self.lp.costs[self.tap_stage] @ x + self.lp.offsets[self.tap_stage]) \
            / case.total_days

    def with_baseline(self, case: Case, key: Hashable | None = None) -> Case:
        """`case` with its rationing baseline filled in, as `resolve_baseline` does (solved
        warm: the scenario's unrestricted least tap). `key` names what the baseline depends
        on, among the cases this model solves; by default the case without its rationing,
        which takes the hash of the whole case (about 8 us for the default case, each
        scenario): a sweep passes its scenario's other parameters instead."""
        r = case.rationing
        if r is None or not r.enabled or r.baseline_m3_per_day is not None:
            return case
        if key is None:
            key = replace(case, rationing=None)  # what the baseline depends on, and more
        if key not in self.baselines:
            self.baselines[key] = self._least_tap(case)
        baseline = self.baselines[key]
        if baseline is None:
            raise SolverError("the rationing baseline (the unrestricted least tap) could not "
                              "be solved")
        return replace(case, rationing=replace(r, baseline_m3_per_day=baseline,
                                               baseline_source=BASELINE_SOURCE))

    def solve(self, case: Case, baseline_key: Hashable | None = None) -> WarmRun:
        """Run `case` (a scenario of the base case) through every stage of the plan; the
        run's case has its rationing baseline filled in (`with_baseline`, by `baseline_key`)."""
        try:
            case = self.with_baseline(case, baseline_key)
            self.holds.release(0)
            self._load(case)
            done = run_plan(self.f, self.lp, self.holds,
                            lambda lp, i, stage: self._attempt(i, i, stage))
            self.matrix_moved = False
        except FirstStageFailed as failed:
            status = failed.outcome.text
            least = self._least_tap(case, "least") \
                if failed.outcome.status is Status.INFEASIBLE else None
            return WarmRun(case, status, least_tap_m3_per_day=least)
        except SolverError as exc:
            return WarmRun(case, f"solver failure: {exc}")
        return WarmRun(case, Status.OPTIMAL.value, done)
