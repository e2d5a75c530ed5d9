"""The main job in one call: case -> model -> lexicographic solve -> result tables."""
from __future__ import annotations

from model.build import build_model
from model.case import Case
from model.drought import resolve_baseline
from model.drought_results import add_drought_results
from model.results import Results, collect
from model.solve import solve


def plan(case: Case, time_limit_s: float | None = None) -> Results:
    """Least-tap, then cheapest, allocation plan for `case`.

    Raises `InfeasibleError` or `SolverError` unless every stage finished optimal.
    """
    case = resolve_baseline(case, time_limit_s)
    m = build_model(case)
    report = solve(m, time_limit_s=time_limit_s)
    return add_drought_results(m, report, collect(m, report))
