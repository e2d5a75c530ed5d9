"""The main job in one call: case -> formulation -> lexicographic solve -> results."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from model import interrupts
from model.case import Case
from model.formulation import build_model
from model.solve import solve
from model.solve.stages import TIME_LIMIT_REASON
from model.studies.drought import largest_uniform_cut_of_plan, resolve_baseline

if TYPE_CHECKING:
    from model.results import Results


LARGEST_CUT = "largest_uniform_cut"  # in `stages_not_applied` when the time limit left it out


def plan(case: Case, time_limit_s: float | None = None, largest_cut: bool = False) -> Results:
    """Least-tap, then cheapest, allocation plan for `case`; with `largest_cut`, also the
    largest uniform cut of tap supply it absorbs with no shortage.

    Raises `InfeasibleError` or `SolverError` unless every stage finished optimal.
    """
    case = resolve_baseline(case, time_limit_s)
    with interrupts.stage("the build of the model"):
        f = build_model(case)
    report = solve(f, time_limit_s=time_limit_s)
    if largest_cut and TIME_LIMIT_REASON in report.skipped_because.values():
        # the time limit stopped the tie-break, and HiGHS's clock counts across the plan's
        # runs: the largest cut, one more solve, is not tried, and the summary says so
        report = replace(report, skipped_stages=report.skipped_stages + (LARGEST_CUT,),
                         skipped_because={**report.skipped_because,
                                          LARGEST_CUT: TIME_LIMIT_REASON})
        largest_cut = False
    cut = largest_uniform_cut_of_plan(f, report, time_limit_s) if largest_cut else None
    from model.results.collect import collect  # pandas: imported while HiGHS solves
    return collect(f, report, cut)
