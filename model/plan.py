"""The main job in one call: case -> model -> lexicographic solve -> result tables."""
from __future__ import annotations

from model.build import build_model
from model.case import Case
from model.results import Results, collect
from model.solve import solve


def plan(case: Case, time_limit_s: float | None = None) -> Results:
    """Least-tap, then cheapest, allocation plan for `case`.

    Raises `InfeasibleError` or `SolverError` unless every stage finished optimal.
    """
    m = build_model(case)
    report = solve(m, time_limit_s=time_limit_s)
    return collect(m, report)
