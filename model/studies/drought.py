"""Drought questions that need more than one model: the rationing baseline, the largest uniform
cut, and applying a cut or stage to any case from the command line.

- `resolve_baseline(case)`: when rationing is enabled and no baseline is given, the baseline is
  the unrestricted minimal tap draw of the same case (the same case solved with no tap cap, no
  rationing and no emergency supply), as a day-weighted average in m3/day.
- `largest_uniform_cut(case)`: the largest cut c, applied to the baseline in every period, that
  the campus absorbs with no shortage. One LP over the case's own model (storage, tankers and
  boosts included, no shortage variables):

        maximise c   subject to   sum_u tap_m3_per_day[u, t] <= (1 - c) * baseline   for all t

  c may come out negative when the peak period's least tap exceeds the (day-weighted) baseline.
- `largest_uniform_cut_of_plan(f, report)`: the same figure after a plan, reusing what the plan
  solved: when the case has no tap cap, tanker or boost, its least tap draw is the baseline (the
  unrestricted case is the case itself), and when it is not rationed, its LP is already loaded
  in HiGHS and the cut is one more simplex run on it (model.solve.reuse). Otherwise the baseline
  needs the unrestricted case's tap stage alone, and a rationed case a model without shortage.

The baseline needs only the least tap draw, so it solves the tap stage alone, not the plan's
later tie-break stages.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pyomo.core as pyo

from model.case import Case, Emergency, Rationing
from model.errors import UsageError
from model.formulation import Formulation, build_model
from model.formulation.balances import campus_tap_m3_per_day
from model.formulation.objectives import TAP
from model.solve import SolveReport, solve
from model.solve.reuse import largest_uniform_cut_lp

if TYPE_CHECKING:
    from model.results import LargestCut

CUT_NOISE = 1e-9  # a largest cut this close to 0 is solver round-off, reported as 0


def unrestricted(case: Case) -> Case:
    """The same campus with no tap cap, no rationing and no emergency supply."""
    by_period = case.by_period.without_tap_caps() if case.by_period is not None else None
    return replace(case, tap_cap_m3_per_day=None, by_period=by_period, rationing=None,
                   emergency=Emergency())


def minimal_tap_m3_per_day(case: Case, time_limit_s: float | None = None) -> float:
    """Day-weighted average of the unrestricted minimal tap draw (m3/day)."""
    f = build_model(unrestricted(case))
    report = solve(replace(f, stages=f.stages.only(TAP)), time_limit_s=time_limit_s)
    return report.objectives[TAP] / case.total_days


def resolve_baseline(case: Case, time_limit_s: float | None = None) -> Case:
    """Fill in the rationing baseline when it must be computed; otherwise return `case`."""
    r = case.rationing
    if r is None or not r.enabled or r.baseline_m3_per_day is not None:
        return case
    baseline = minimal_tap_m3_per_day(case, time_limit_s)
    return replace(case, rationing=replace(
        r, baseline_m3_per_day=baseline,
        baseline_source="computed: unrestricted minimal tap draw of this case"))


def with_cut(case: Case, cut: float | None = None, stage: str | None = None,
             fair_share: bool | None = None) -> Case:
    """Enable rationing with one cut (or one stage's cut) in every period, as `--cut` and
    `--stage` do. A stage must be in the case's stage table (or the built-in TWC table).
    `fair_share` (`--[no-]fair-share`), when given, overrides the case's setting."""
    if fair_share is not None and case.rationing is not None:
        case = replace(case, rationing=replace(case.rationing, fair_share=fair_share))
    if cut is None and stage is None:
        return case
    r = case.rationing or Rationing(fair_share=True if fair_share is None else fair_share)
    if stage is not None:
        if stage not in r.stages:
            raise UsageError("--stage", stage, "unknown stage; known stages: "
                             + ", ".join(r.stages))
        cut, label = r.stages[stage], stage
    else:
        if not 0.0 <= cut < 1.0:
            raise UsageError("--cut", cut, "a cut is a fraction in [0, 1)")
        label = f"cut {cut:g}"
    return replace(case, rationing=replace(r, enabled=True, cut_all=cut, cut_label=label))


def largest_uniform_cut(case: Case, time_limit_s: float | None = None) -> LargestCut:
    """The largest uniform cut of the baseline, and the baseline (m3/day). One LP once the
    baseline is known."""
    rationed = case.rationing is not None and case.rationing.enabled
    case = resolve_baseline(case if rationed else with_cut(case, cut=0.0), time_limit_s)
    baseline = case.rationing.baseline_m3_per_day
    f = build_model(replace(case, rationing=None))  # no shortage: supply must meet demand
    m = f.model
    # Free below: with demand that varies between periods, a single baseline (a day-weighted
    # average) can be below the least tap of the peak period, and the answer is then negative:
    # the peak needs that much more than the baseline even before any cut.
    m.uniform_cut = pyo.Var(bounds=(None, 1.0))
    m.uniform_cut_cap = pyo.Constraint(m.PERIODS, rule=lambda m, t: campus_tap_m3_per_day(m, t)
                                       <= (1.0 - m.uniform_cut) * baseline)
    m.negative_uniform_cut = pyo.Objective(expr=-m.uniform_cut)
    m.negative_uniform_cut.deactivate()
    solve(replace(f, stages=f.stages.only("negative_uniform_cut")), time_limit_s=time_limit_s)
    cut = float(m.uniform_cut.value)
    from model.results.summary import LargestCut
    return LargestCut(0.0 if abs(cut) < CUT_NOISE else cut, baseline)


def _is_unrestricted(case: Case) -> bool:
    """No tap cap, rationing, tanker or boost: the case is its own unrestricted case."""
    return (case.rationing is None or not case.rationing.enabled) \
        and all(case.tap_cap(p.name) is None for p in case.periods) \
        and not case.emergency.tankers and not case.emergency.boosts


def largest_uniform_cut_of_plan(f: Formulation, report: SolveReport,
                                time_limit_s: float | None = None) -> LargestCut:
    """`largest_uniform_cut(f.case)`, reusing the plan `f` solved into `report` (module
    docstring); the same figure, without solving the plan again."""
    case = f.case
    rationed = case.rationing is not None and case.rationing.enabled
    if rationed:
        return largest_uniform_cut(case, time_limit_s)  # its baseline is resolved already
    baseline = report.objectives[TAP] / case.total_days if _is_unrestricted(case) \
        else minimal_tap_m3_per_day(case, time_limit_s)
    cut = largest_uniform_cut_lp(f, report, baseline)
    from model.results.summary import LargestCut
    return LargestCut(0.0 if abs(cut) < CUT_NOISE else cut, baseline)
