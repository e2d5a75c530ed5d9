"""Sweeps: many what-ifs on one case, re-solved warm, in one process or on Dask workers.

    rows = run_sweep(case, sweep)                        # in this process
    rows = run_sweep(case, sweep, client=dask_client)    # on a Dask cluster's workers

The scenarios are put in an order where neighbours are close (`neighbour_order`), cut into
contiguous chunks, and each chunk is solved by `solve_chunk` on a warm model (`WarmLP`) that
each process builds once and keeps for the rest of the sweep: one per structure, i.e. per set of
options that add trains, zones served, tanks or supplies (`Scenario.structure`; such options
vary slowest, so a process holds the few it is using). Rows come back in input order.
`verify` re-solves scenarios cold (`cold_row`: load, build and solve the scenario's case as
`wateralloc solve` would) and lists every figure that differs beyond `RTOL`.
"""
from __future__ import annotations

import random
import uuid
from collections import OrderedDict
from dataclasses import replace
from typing import Callable

from model.case import Case
from model.case.options import apply_options
from model.case.scenarios import KINDS, Scenario, Sweep, ration
from model.errors import InfeasibleError, SolverError, UsageError
from model import interrupts
from model.formulation import build_model
from model.results.sweep import Figures, ScenarioRow, figures_of_summary
from model.solve import solve
from model.solve.warm import WarmLP
from model.studies.drought import unrestricted
from model.studies.plan import plan

RTOL = 1e-7  # warm and cold agree within RTOL x max(|warm|, |cold|, 1)
WARM_MODELS = 4  # warm models a process keeps (the structures it used last), for one sweep
_WARM: OrderedDict[tuple, tuple[WarmLP, Figures]] = OrderedDict()


def _rations(case: Case, scenario: Scenario) -> bool:
    """Does the scenario's case ration? Only its rationing parameters (cut, stage, baseline)
    touch a case's rationing: applying those alone (not every scenario's whole case, 1,000
    cases for a 1,000-scenario sweep before it starts) gives the same answer."""
    for parameter, value in scenario.values:
        if parameter.kind in RATIONING_KINDS:
            case = KINDS[parameter.kind].apply(case, parameter.target, value)
    r = case.rationing
    return r is not None and r.enabled


def base_case(case: Case, sweep: Sweep) -> Case:
    """The case the warm model is built from: `case`, with rationing's shortage variables when
    some scenario rations and the case does not (a cut of 0 caps nothing, and scenarios that do
    not ration keep their shortage at 0). Raises `UsageError` for a sweep that would change the
    order of the stages: with priced shortage, every scenario must ration or none."""
    rationed = [_rations(case, s) for s in sweep.scenarios]
    if not any(rationed):
        return case
    r = case.rationing
    if r is not None and r.price_shortage and not all(rationed):
        raise UsageError("scenarios", "mixed", "with price_shortage the stages of a rationed "
                         "plan differ from those of an unrationed one: give every scenario a "
                         "cut or stage, or none")
    return case if r is not None and r.enabled else ration(case, 0.0, "cut 0")


def _key(case: Case, scenario: Scenario, columns: list) -> list[float]:
    values = {p.column: v for p, v in scenario.values}
    stages = (case.rationing.stages if case.rationing else {})
    return [float("-inf") if c not in values else
            float(stages.get(values[c], 0.0)) if c == "stage" else float(values[c])
            for c in columns]


def neighbour_order(case: Case, sweep: Sweep) -> list[int]:
    """Scenario indices in boustrophedon order over the parameters: each step changes as few
    parameters, by as little, as the grid allows. Rationing varies slowest (its baseline is a
    solve of its own), then the parameters that move matrix coefficients (recovery, demand),
    and bounds and right-hand sides fastest, so that most steps keep each stage's previous
    basis dual feasible (`model.solve.warm`)."""
    rank = {"option": -1, "cut": 0, "stage": 0, "recovery": 1, "demand": 1, "demand_factor": 1}
    columns = [p.column for p in sorted(sweep.parameters, key=lambda p: rank.get(p.kind, 2))]
    keys = [_key(case, s, columns) for s in sweep.scenarios]

    def snake(members: list[int], depth: int) -> list[int]:
        if depth == len(columns) or len(members) <= 1:
            return members
        out: list[int] = []
        for n, value in enumerate(sorted({keys[i][depth] for i in members})):
            inner = snake([i for i in members if keys[i][depth] == value], depth + 1)
            out += inner if n % 2 == 0 else inner[::-1]
        return out
    return snake(list(range(len(keys))), 0)


def chunks_of(order: list[int], n: int) -> list[list[int]]:
    """`order` cut into contiguous chunks of about n scenarios."""
    return [order[i:i + n] for i in range(0, len(order), max(n, 1))]


def _warm(token: str, base: Case, kinds: frozenset[str], structure: tuple[str, ...] = ()
          ) -> tuple[WarmLP, Figures]:
    """This process's warm model of `base` with the options `structure` built in, for sweep
    `token`, built on first use."""
    key = (token, kinds, structure)
    if any(k[0] != token for k in _WARM):
        _WARM.clear()  # one sweep at a time per process
    if key not in _WARM:
        warm = WarmLP(build_model(apply_options(base, structure) if structure else base), kinds)
        _WARM[key] = (warm, Figures(warm.f, warm.lp))
        while len(_WARM) > WARM_MODELS:
            _WARM.popitem(last=False)
    _WARM.move_to_end(key)
    return _WARM[key]


RATIONING_KINDS = frozenset({"cut", "stage", "baseline"})


def baseline_key(scenario: Scenario) -> tuple:
    """What a scenario's computed rationing baseline depends on: its parameters other than
    the rationing ones (the same base case with the same other values is the same unrationed
    case). Hashing these few values instead of the whole scenario case saved 0.1 ms a
    scenario (`WarmLP.with_baseline`)."""
    return tuple((p.column, v) for p, v in scenario.values if p.kind not in RATIONING_KINDS)


def parameters_of(scenario: Scenario) -> dict:
    return {p.column: v for p, v in scenario.values}


def solve_chunk(token: str, case: Case, base: Case, kinds: frozenset[str],
                chunk: list[tuple[int, Scenario]]) -> list[tuple[int, ScenarioRow]]:
    """Solve scenarios warm, in the order given, on this process's models of `base`. Ctrl-C
    raises `Interrupted` between runs and stops a run at HiGHS's next iteration, with the
    signal handler installed once for the chunk rather than around each run. In the main
    thread (a sweep without Dask workers) HiGHS's interrupt callbacks are started only if a
    signal arrives (`interrupts.watched()`): 142,204 calls into Python in a 1,000-scenario
    default-case sweep otherwise."""
    with interrupts.handled(), interrupts.watched():
        return _solve_each(token, case, base, kinds, chunk)


def _solve_each(token: str, case: Case, base: Case, kinds: frozenset[str],
                chunk: list[tuple[int, Scenario]]) -> list[tuple[int, ScenarioRow]]:
    rows = []
    for i, scenario in chunk:
        warm, figures = _warm(token, base, kinds, scenario.structure(case))
        case_s = scenario.apply(case)
        run = warm.solve(case_s, baseline_key(scenario))
        if run.plan is not None:
            rationed = run.case.rationing is not None and run.case.rationing.enabled
            baseline = run.case.rationing.baseline_m3_per_day if rationed else None
            row = figures.row(scenario.name, parameters_of(scenario), run.plan, baseline)
        else:
            row = ScenarioRow(scenario.name, parameters_of(scenario), run.status,
                              least_tap_m3_per_day=run.least_tap_m3_per_day)
        rows.append((i, row))
    return rows


def run_sweep(case: Case, sweep: Sweep, client=None, chunk_size: int | None = None,
              done: Callable[[int], None] | None = None) -> list[ScenarioRow]:
    """Every scenario's row, in input order. `client` (a `distributed.Client`) spreads the
    chunks over its workers; `done(n)` is told as each chunk of n scenarios finishes."""
    base, kinds = base_case(case, sweep), sweep.kinds
    order = neighbour_order(case, sweep)
    workers = 1 if client is None else max(len(client.scheduler_info()["workers"]), 1)
    size = chunk_size or max(1, min(50, -(-len(order) // (4 * workers))))
    chunks = [[(i, sweep.scenarios[i]) for i in c] for c in chunks_of(order, size)]
    token = uuid.uuid4().hex
    rows: dict[int, ScenarioRow] = {}
    if client is None:
        for chunk in chunks:
            rows.update(solve_chunk(token, case, base, kinds, chunk))
            if done:
                done(len(chunk))
        return [rows[i] for i in range(len(order))]
    from distributed import as_completed  # optional dependency, needed only with a cluster
    shared = client.scatter([case, base], broadcast=True)
    futures = [client.submit(solve_chunk, token, *shared, kinds, chunk, pure=False)
               for chunk in chunks]
    for future in as_completed(futures):
        result = future.result()
        rows.update(result)
        if done:
            done(len(result))
    return [rows[i] for i in range(len(order))]


def least_tap_case(case: Case) -> Case:
    """`case` with no tap cap and no rationing (emergency supply kept): its least tap meets
    every demand."""
    return replace(unrestricted(case), emergency=case.emergency)


def cold_row(case: Case, scenario: Scenario) -> ScenarioRow:
    """A scenario solved from scratch, as `wateralloc solve` would solve its case."""
    case_s, params = scenario.apply(case), parameters_of(scenario)
    try:
        results = plan(case_s)
    except InfeasibleError:
        try:
            report = solve(build_model(least_tap_case(case_s)))
            least = report.objectives["total_tap_m3"] / case_s.total_days
        except InfeasibleError:
            least = None
        return ScenarioRow(scenario.name, params, "infeasible", least_tap_m3_per_day=least)
    except SolverError as exc:
        return ScenarioRow(scenario.name, params, f"solver failure: {exc}")
    figures, values = figures_of_summary(results.summary)
    r = results.summary.rationing
    return ScenarioRow(scenario.name, params, "optimal", figures, values,
                       baseline_m3_per_day=r.baseline_m3_per_day if r is not None else None)


def differences(warm: ScenarioRow, cold: ScenarioRow) -> list[str]:
    """Each figure where `warm` and `cold` differ beyond RTOL, in words."""
    if warm.status != cold.status:
        return [f"status {warm.status!r} warm, {cold.status!r} cold"]
    out = []
    a, b = warm.numbers(), cold.numbers()
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if x is None or y is None:
            if (x is None) != (y is None):
                out.append(f"{key}: {x} warm, {y} cold")
            continue
        if abs(x - y) > RTOL * max(abs(x), abs(y), 1.0):
            out.append(f"{key}: {x!r} warm, {y!r} cold")
    return out


def verify(case: Case, sweep: Sweep, rows: list[ScenarioRow], k: int, seed: int = 0
           ) -> tuple[list[int], list[str]]:
    """Re-solve k scenarios, chosen at random with `seed`, cold; the indices checked and every
    difference found."""
    picked = sorted(random.Random(seed).sample(range(len(rows)), min(k, len(rows))))
    problems = []
    for i in picked:
        problems += [f"scenario {rows[i].scenario}: {d}"
                     for d in differences(rows[i], cold_row(case, sweep.scenarios[i]))]
    return picked, problems
