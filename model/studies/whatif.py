"""What-ifs of one case, re-solved warm: the plans behind the what-if page (model.app).

    plans = WarmPlans(case)
    results = plans.plan(changed, chosen)   # changed: the case after a what-if

`changed` is `case` with other numbers (train capacity and recovery, demands, a cut or stage)
and with the options `chosen` built in (`model.case.options.with_options`). It is solved on a
warm model (`model.solve.warm.WarmLP`, the machinery of sweeps): built and loaded into HiGHS
once per structure, i.e. per set of options that add trains, zones served, tanks or supplies,
and per rationing (a rationed what-if needs the shortage variables, and with priced shortage
its stages come in another order); then only bounds, right-hand sides and coefficients move and
each stage starts from the basis it ended with last time.

The plan is read into `Results` by `collect`, as `plan` does: the HiGHS solution and the tap
stage's duals are put into a Pyomo model of `changed` itself (built, not compiled or solved),
so that every table reads the what-if's own demands, capacities and recoveries.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

import pyomo.core as pyo

from model.case import Case
from model.case.options import apply_options, structure_of
from model.case.scenarios import ration
from model.formulation import build_model
from model.results import Results
from model.results.collect import collect
from model.solve import SolveReport
from model.solve.diagnose import check_cleanest_sources
from model.solve.highs import Status
from model.solve.warm import ENTRIES, WarmLP, WarmRun
from model.studies.plan import plan

MODELS = 8  # warm models kept per case: the structures and rationings used last


def _rations(case: Case) -> bool:
    return case.rationing is not None and case.rationing.enabled


def _key_of(component_data) -> tuple:
    return component_data.parent_component().local_name, component_data.index()


class _Warm:
    """A warm model, and the name and index of each of its LP columns and rows."""

    def __init__(self, base: Case):
        self.lp = WarmLP(build_model(base), frozenset(ENTRIES))  # a what-if may move any entry
        self.columns = [_key_of(v) for v in self.lp.lp.columns]
        self.rows = [_key_of(c) for c, _ in self.lp.lp.rows]


class WarmPlans:
    """The warm models of one case's what-ifs; `plan` is safe to call from several threads."""

    def __init__(self, case: Case):
        self.case = case
        self.models: OrderedDict[tuple, _Warm] = OrderedDict()
        self.lock = threading.Lock()

    def _warm(self, changed: Case, structure: tuple[str, ...]) -> _Warm:
        key = (structure, _rations(changed))
        if key not in self.models:
            base = apply_options(self.case, structure) if structure else self.case
            if _rations(changed) and not _rations(base):
                base = ration(base, 0.0, "cut 0")  # shortage variables, capped at 0 unrationed
            self.models[key] = _Warm(base)
            while len(self.models) > MODELS:
                self.models.popitem(last=False)
        self.models.move_to_end(key)
        return self.models[key]

    def plan(self, changed: Case, chosen: tuple[str, ...] = ()) -> Results:
        """The plan of `changed`, equal to `plan(changed)` to the solver's tolerance. Raises
        the same errors as `plan` (the command line's messages) when it has no optimal plan."""
        check_cleanest_sources(changed)  # the quality check `solve` makes before any solve
        with self.lock:
            warm = self._warm(changed, structure_of(self.case, chosen))
            run = warm.lp.solve(changed)
            results = _results(warm, run) if run.plan is not None else None
        # Cold fallback: a what-if that does not end optimal warm (infeasible, or the solver
        # failing) is planned from scratch by `plan`, whose error says why, with the least tap
        # it would need (model.solve.diagnose), exactly as `wateralloc solve` says it. So a
        # verdict is never the warm start's alone, and no figure comes from a non-optimal solve.
        # A warm plan whose stages differ from the case's own (None below) is planned cold too.
        return results if results is not None else plan(changed)


def _results(warm: _Warm, run: WarmRun) -> Results | None:
    """The warm run read into `Results` through a model of its case (None if its stages are
    not the case's own)."""
    f = build_model(run.case)
    done, m = run.plan, f.model
    stages = [s.objective for s in f.stages.stages]
    if not set(stages) <= set(done.objectives):
        return None
    for (name, index), value in zip(warm.columns, done.x):
        component = m.component(name)
        if component is not None and index in component:  # shortage of an unrationed what-if
            component[index].set_value(float(value), skip_validation=True)
    duals = pyo.ComponentMap()
    for (name, index), dual in zip(warm.rows, done.duals):
        component = m.component(name)
        if component is not None and index in component:
            duals[component[index]] = float(dual)
    report = SolveReport(Status.OPTIMAL, {k: done.objectives[k] for k in stages},
                         dict(done.seconds), done.tap_tolerance_m3, done.skipped, duals,
                         skipped_because=dict(done.because))
    return collect(f, report)
