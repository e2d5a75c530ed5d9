"""The best portfolio: one exact MILP over the options, on the same generation-indexed model.

The MILP is the candidate case (`model.case.options.candidate_case`: every option present,
each switched on by its binary, `model.formulation.options`), solved by HiGHS's branch and bound
with a relative gap of 1e-9, lexicographically like a plan:

    question          constraints                           stages
    --max-tap X       campus tap <= X in every period       annualised cost, then tap
    --budget B        sum capex x chosen <= B               tap, then annualised cost
    --no-shortage     shortage = 0 in every period          annualised cost, then tap
    front (N points)  --max-tap at N targets from the base plan's peak tap down to the least
                      peak tap reachable with every option (one point when that least peak
                      is above the base plan's, as under rationing it can be)

A tap target holds in every period (the tap cap of `model.formulation.balances.add_tap_cap`), so
the least target a portfolio can meet is its least *peak*: the largest daily tap draw of any
period, `peak_tap` below (on a steady case, the tap itself).

Under rationing, every question's stages follow the case's own shortage stages (least shortage
by priority class, fair share: `model.formulation.drought`), as the plan of any portfolio does:
a question about tap or money never buys them with shortage. Without them a drought case's
MILP could meet any tap target, or save any money, by going short: the front of the 2028
drought case was "tap 0, no option" at every point.

The questions combine (e.g. --max-tap with --no-shortage). A portfolio's operation is the one the
MILP prices: the cheapest plan within the targets (with a budget alone: the least-tap plan, then
the cheapest), which is also how the chosen portfolio is planned afterwards
(`model.studies.options.evaluate`), with its allocation and marginal values.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import pyomo.core as pyo

from model.case import Case
from model.case.options import candidate_case
from model.errors import InfeasibleError, SolverError
from model.formulation import Formulation, Method, Stage, StagePlan, build_model
from model.formulation.balances import campus_tap_m3_per_day
from model.formulation.objectives import COST, TAP
from model.formulation.options import ANNUALIZED
from model.solve import NotProven, solve
from model.studies.options import Evaluated, evaluate, prepared, target_slack

SHORTAGE = "total_shortage_m3"
PEAK = "peak_tap"


@dataclass(frozen=True)
class Question:
    max_tap_m3_per_day: float | None = None
    budget: float | None = None
    no_shortage: bool = False

    @property
    def tap_first(self) -> bool:
        return self.budget is not None and self.max_tap_m3_per_day is None \
            and not self.no_shortage


@dataclass(frozen=True)
class FrontPoint:
    max_tap_m3_per_day: float
    selected: tuple[str, ...]
    annualized_cost_per_year: float
    tap_m3_per_day: float   # day-weighted over the horizon
    shortage_m3: float      # over the horizon (under rationing: the least any portfolio allows)


def portfolio_model(case: Case, q: Question) -> Formulation:
    """The MILP of a question: the candidate case with its tap target, budget and no-shortage
    rule."""
    cand = candidate_case(case)
    if q.max_tap_m3_per_day is not None:
        cap = q.max_tap_m3_per_day
        cand = replace(cand, tap_cap_m3_per_day=cap if cand.tap_cap_m3_per_day is None
                       else min(cap, cand.tap_cap_m3_per_day))
    f = build_model(cand)
    m = f.model
    if q.budget is not None:
        m.option_budget = pyo.Constraint(expr=m.capex_total <= q.budget)
    if q.no_shortage:
        for v in m.shortage_m3_per_day.values():
            v.setub(0.0)
    return f


def selected_of(f: Formulation) -> tuple[str, ...]:
    m = f.model
    return tuple(o for o in f.net.OPTIONS if (m.option_chosen[o].value or 0.0) > 0.5)


def fix_options(f: Formulation, selected) -> None:
    """Fix every option binary of a built MILP: chosen for `selected`, not chosen otherwise."""
    for o in f.net.OPTIONS:
        f.model.option_chosen[o].fix(1.0 if o in selected else 0.0)


def shortage_stages(f: Formulation) -> tuple[str, ...]:
    """The stages the case's own plan solves before tap and cost: under rationing (shortage not
    priced), least shortage by priority class; none otherwise."""
    names = f.stages.names
    return names[:min(names.index(n) for n in (TAP, COST))]


def add_peak_tap(f: Formulation) -> None:
    """The largest daily tap draw of any period, as the objective `peak_tap`:

        campus_tap_m3_per_day(t) <= peak_tap_m3_per_day        for every period t
    """
    m = f.model
    m.peak_tap_m3_per_day = pyo.Var(domain=pyo.NonNegativeReals)
    m.peak_tap_rows = pyo.Constraint(m.PERIODS, rule=lambda m, t:
                                     campus_tap_m3_per_day(m, t) <= m.peak_tap_m3_per_day)
    m.add_component(PEAK, pyo.Objective(expr=m.peak_tap_m3_per_day))
    m.component(PEAK).deactivate()


def solve_milp(f: Formulation, objectives: tuple[str, ...], time_limit_s: float | None):
    """Solve the MILP stage by stage, after the case's shortage stages; a stopped stage with a
    portfolio says which, and its gap."""
    stages = StagePlan(tuple(Stage(name, Method.MIP)
                             for name in shortage_stages(f) + objectives),
                       dual_stage=objectives[0])
    try:
        return solve(replace(f, stages=stages), time_limit_s=time_limit_s)
    except NotProven as stop:
        chosen = ", ".join(selected_of(f)) or "no option"
        raise SolverError(f"{stop} -- best portfolio found: {chosen}, {stop.stage} "
                          f"{stop.objective:,.0f}. This portfolio is NOT proven optimal; no "
                          "figures are reported as optimal.") from None


def _least(case: Case, q: Question, time_limit_s: float | None) -> str:
    """What the options can reach at best: least tap, or least shortage."""
    if q.no_shortage:
        f = portfolio_model(case, Question(q.max_tap_m3_per_day, q.budget, False))
        m = f.model
        m.add_component(SHORTAGE, pyo.Objective(expr=sum(
            f.net.days[t] * v for (p, u, t), v in m.shortage_m3_per_day.items())))
        m.component(SHORTAGE).deactivate()
        try:
            report = solve_milp(f, (SHORTAGE,), time_limit_s)
        except InfeasibleError:
            return "no portfolio meets the targets, whatever the shortage"
        return (f"the least shortage reachable is {report.objectives[SHORTAGE]:,.1f} m3 over "
                f"the horizon, with {', '.join(selected_of(f)) or 'no option'}")
    f = portfolio_model(case, Question(None, q.budget, False))
    add_peak_tap(f)
    report = solve_milp(f, (PEAK,), time_limit_s)
    every = " in every period" if len(case.periods) > 1 else ""
    return (f"the least tap reachable{every} is {report.objectives[PEAK]:,.1f} "
            f"m3/day, with {', '.join(selected_of(f)) or 'no option'}")


def best_portfolio(case: Case, q: Question, time_limit_s: float | None = None) -> Evaluated:
    """The portfolio that answers `q`, and its plan. Raises InfeasibleError (with the least tap
    or shortage reachable) when no compatible set of options is enough."""
    case = prepared(case)
    f = portfolio_model(case, q)
    order = (TAP, ANNUALIZED) if q.tap_first else (ANNUALIZED, TAP)
    try:
        solve_milp(f, order, time_limit_s)
    except InfeasibleError:
        raise InfeasibleError(f"no portfolio of options answers the question: "
                              f"{_least(case, q, time_limit_s)}") from None
    return evaluate(case, selected_of(f), q.max_tap_m3_per_day, cost_first=not q.tap_first,
                    time_limit_s=time_limit_s)


def least_peak_tap(case: Case, time_limit_s: float | None = None) -> float:
    """The least tap target (m3/day in every period) that some compatible set of options
    meets: the least peak tap."""
    f = portfolio_model(case, Question())
    add_peak_tap(f)
    return solve_milp(f, (PEAK,), time_limit_s).objectives[PEAK]


def peak_tap(e: Evaluated) -> float:
    """A planned portfolio's largest daily tap draw of any period (m3/day)."""
    return float(e.results.periods.tap_m3_per_day.max())


def front(case: Case, points: int = 8, base_tap: float | None = None,
          time_limit_s: float | None = None) -> list[FrontPoint]:
    """The trade-off front: `points` tap targets evenly from the base plan's peak tap (`base_tap`,
    computed when not given) down to the least peak tap reachable, each answered exactly
    (cheapest portfolio, then least tap; under rationing, after least shortage)."""
    case = prepared(case)
    if base_tap is None:
        base_tap = peak_tap(evaluate(case, (), time_limit_s=time_limit_s))
    lowest = least_peak_tap(case, time_limit_s)
    # under rationing the least shortage may need more tap than the base plan draws (filling a
    # tank in a normal period): the front then starts at the least peak, its only point
    if base_tap <= lowest + target_slack(lowest):
        targets = [lowest]
    else:
        steps = max(points - 1, 1)
        targets = [base_tap - i * (base_tap - lowest) / steps for i in range(points)]
    out = []
    for target in targets:
        f = portfolio_model(case, Question(max_tap_m3_per_day=target))
        report = solve_milp(f, (ANNUALIZED, TAP), time_limit_s)
        m = f.model
        tap = sum(f.net.days[t] * pyo.value(v) for (p, u, t), v in m.tap_m3_per_day.items())
        short = sum(f.net.days[t] * pyo.value(v)
                    for (p, u, t), v in m.shortage_m3_per_day.items())
        out.append(FrontPoint(target, selected_of(f), report.objectives[ANNUALIZED],
                              tap / case.total_days, short + 0.0))
    return out
