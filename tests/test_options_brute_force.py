"""The portfolio MILP against brute force: on random small cases with 3 to 8 options of every
steady-state kind, every feasible set of options is applied to the case and planned as an
ordinary case; the MILP's answers to --max-tap, --budget and the front must cost the same as the
best of those sets (1e-6 relative; ties may pick either set) and respect their targets."""
from __future__ import annotations

from dataclasses import replace

import pytest

from model.case.economics import fixed_per_year, year_scale
from model.case.options import option_of
from model.errors import InfeasibleError
from model.formulation import StagePlan, build_model
from model.formulation.objectives import COST, TAP
from model.solve import solve
from model.studies.options import applied, evaluate, target_slack
from model.formulation.options import ANNUALIZED
from model.studies.options import prepared
from model.studies.portfolio import (Question, best_portfolio, fix_options, front,
                                     portfolio_model, selected_of, solve_milp)
from options_cases import STEADY_KINDS, feasible_subsets, random_case

REL = 1e-6
CASES = [(11, 3), (12, 4), (13, 5), (14, 6), (15, 8)]


def cheapest_within(case, subset, cap):
    """Annualised cost of `subset` operated at least cost with tap <= cap (the plan's first
    stage when cost comes first), or None when its plan cannot meet the cap."""
    f = build_model(applied(case, subset, cap, cost_first=True))
    try:
        report = solve(replace(f, stages=StagePlan(f.stages.stages[:1], dual_stage=COST)))
    except InfeasibleError:
        return None
    fixed = sum(fixed_per_year(option_of(case)[n], case.economics) for n in subset)
    return fixed + year_scale(case) * report.objectives[COST]


@pytest.fixture(scope="module", params=CASES, ids=[f"seed{s}-{n}options" for s, n in CASES])
def enumerated(request):
    seed, n = request.param
    case = random_case(seed, n)
    assert len(case.options) == n
    plans = {s: evaluate(case, s) for s in feasible_subsets(case)}
    return case, plans


def test_the_cases_cover_every_steady_state_kind():
    kinds = {o.kind for seed, n in CASES for o in random_case(seed, n).options}
    assert kinds == set(STEADY_KINDS)


def test_max_tap_matches_brute_force(enumerated):
    case, plans = enumerated
    base, lowest = plans[()].tap_m3_per_day, min(p.tap_m3_per_day for p in plans.values())
    target = (base + lowest) / 2
    costs = [c for s, p in plans.items() if p.tap_m3_per_day <= target + target_slack(target)
             if (c := cheapest_within(case, s, target)) is not None]
    chosen = best_portfolio(case, Question(max_tap_m3_per_day=target))
    assert chosen.annualized_cost_per_year == pytest.approx(min(costs), rel=REL)
    assert chosen.tap_m3_per_day <= target + target_slack(target)


def test_budget_matches_brute_force(enumerated):
    case, plans = enumerated
    budget = sum(o.capex for o in case.options) / 3
    within = {s: p for s, p in plans.items() if p.capex <= budget}
    least = min(p.tap_m3_per_day for p in within.values())
    best = min(p.annualized_cost_per_year for p in within.values()
               if p.tap_m3_per_day <= least + target_slack(least))
    chosen = best_portfolio(case, Question(budget=budget))
    assert chosen.capex <= budget
    assert chosen.tap_m3_per_day == pytest.approx(least, rel=1e-7, abs=1e-6)
    assert chosen.annualized_cost_per_year == pytest.approx(best, rel=REL)


def test_the_milp_s_own_plan_draws_the_least_tap_of_any_set_and_its_set_s_plan(enumerated):
    # the portfolio model's own optimum, not only the set it picks: within a budget, its least
    # tap (m3 over the horizon, the MILP's objective read from its own columns) equals the
    # least tap of any set within that budget planned as an ordinary case, and the plan of the
    # set it picks draws that tap too. An option's rows that let the MILP draw less (or more)
    # than the applied case can would show here even when it picks the right set.
    case, plans = enumerated
    budget = sum(o.capex for o in case.options) / 3
    least = min(p.tap_m3_per_day for p in plans.values() if p.capex <= budget)
    f = portfolio_model(prepared(case), Question(budget=budget))
    report = solve_milp(f, (TAP,), None)
    assert report.objectives[TAP] / case.total_days == pytest.approx(least, rel=1e-7, abs=1e-6)
    (picked,) = [p for s, p in plans.items() if set(s) == set(selected_of(f))]
    assert picked.tap_m3_per_day == pytest.approx(least, rel=1e-7, abs=1e-6)


def test_front_matches_brute_force(enumerated):
    case, plans = enumerated
    points = front(case, 3, plans[()].tap_m3_per_day)
    # the front runs from the base plan's tap down to the least tap any set reaches
    assert points[0].max_tap_m3_per_day == plans[()].tap_m3_per_day
    assert points[-1].max_tap_m3_per_day == pytest.approx(
        min(p.tap_m3_per_day for p in plans.values()), rel=1e-7, abs=1e-6)
    for point in points:
        x = point.max_tap_m3_per_day
        costs = [c for s, p in plans.items() if p.tap_m3_per_day <= x + target_slack(x)
                 if (c := cheapest_within(case, s, x)) is not None]
        assert point.annualized_cost_per_year == pytest.approx(min(costs), rel=REL)
        assert point.tap_m3_per_day <= x + target_slack(x)
        assert set(point.selected) in [set(s) for s in plans]  # a compatible set


def test_fixed_binaries_price_a_set_as_its_applied_case(enumerated):
    # fix_options (for sweeps that switch options in or out of a built MILP) must give what
    # applying the same options to the case files gives
    case, plans = enumerated
    for subset in list(plans)[:4]:
        f = portfolio_model(prepared(case), Question())
        fix_options(f, subset)
        report = solve_milp(f, (ANNUALIZED,), None)
        assert report.objectives[ANNUALIZED] == pytest.approx(
            cheapest_within(case, subset, None), rel=REL)
