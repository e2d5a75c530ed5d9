"""The main job in one call: case -> formulation -> lexicographic solve -> results."""
from __future__ import annotations

from model import interrupts
from model.case import Case
from model.formulation import build_model
from model.results import Results, collect
from model.solve import solve
from model.studies.drought import largest_uniform_cut_of_plan, resolve_baseline


def plan(case: Case, time_limit_s: float | None = None, largest_cut: bool = False) -> Results:
    """Least-tap, then cheapest, allocation plan for `case`; with `largest_cut`, also the
    largest uniform cut of tap supply it absorbs with no shortage.

    Raises `InfeasibleError` or `SolverError` unless every stage finished optimal.
    """
    case = resolve_baseline(case, time_limit_s)
    with interrupts.stage("the build of the model"):
        f = build_model(case)
    report = solve(f, time_limit_s=time_limit_s)
    cut = largest_uniform_cut_of_plan(f, report, time_limit_s) if largest_cut else None
    return collect(f, report, cut)
