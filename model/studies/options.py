"""Options, one at a time: each option built into the case and planned like any other case.

A portfolio is evaluated by a plan of the case with its options applied
(`model.case.options.apply_options`): the ordinary plan (least tap, then least cost), or, at a
tap target or with no shortage allowed, the cheapest plan within the target (`Case.cost_first`:
the cost stage before the tap stage). Its annualised cost is `model.case.economics`:

    annualised = sum_o (capex_o * CRF(r, L_o) + om_o) + days_per_year / horizon days * money

where money is the plan's operating cost over the horizon (tap, treatment, outside supply,
trucks, boosts).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from model.case import Case
from model.case.economics import (capital_per_year, cost_per_m3_saved, fixed_per_year,
                                  payback_years, year_scale)
from model.case.options import apply_options, closure, option_of
from model.errors import UsageError
from model.results import Results
from model.studies.drought import largest_uniform_cut, resolve_baseline, with_cut
from model.studies.plan import plan

TARGET_REL, TARGET_ABS = 1e-9, 1e-6  # tap figures closer than this are equal (m3/day)


def target_slack(target: float) -> float:
    """How far apart two tap figures may be and still be equal (solver tolerance): a plan meets
    a tap target within it, and an option saving less than it saves nothing."""
    return max(TARGET_ABS, TARGET_REL * abs(target))


@dataclass(frozen=True)
class Evaluated:
    """A portfolio and the plan it was evaluated by. Money per year unless said."""

    selected: tuple[str, ...]
    results: Results
    capex: float
    capital_per_year: float      # sum capex x CRF
    fixed_per_year: float        # capital plus fixed O&M
    operating_per_year: float    # the plan's money, scaled to a year
    annualized_cost_per_year: float
    tap_m3_per_day: float
    shortage_m3: float
    tanker_m3: float


def prepared(case: Case) -> Case:
    """The case an options study starts from: it has options, and a rationing baseline that no
    option can move (the base plan's own least tap, when it is computed)."""
    if not case.options:
        raise UsageError("CASE", case.name, "the case has no options.csv: nothing to choose")
    return resolve_baseline(case)


def applied(case: Case, selected, tap_cap: float | None = None,
            cost_first: bool = False) -> Case:
    """The case with `selected` built in; with a tap target, capped at it and planned cheapest
    first."""
    out = apply_options(case, selected)
    if tap_cap is not None:
        out = replace(out, tap_cap_m3_per_day=tap_cap if out.tap_cap_m3_per_day is None
                      else min(tap_cap, out.tap_cap_m3_per_day))
    return replace(out, cost_first=cost_first)


def evaluate(case: Case, selected, tap_cap: float | None = None, cost_first: bool = False,
             time_limit_s: float | None = None) -> Evaluated:
    """Plan the case with `selected` options and put the plan in money."""
    catalogue, econ = option_of(case), case.economics
    results = plan(applied(case, selected, tap_cap, cost_first), time_limit_s=time_limit_s)
    s = results.summary
    options = [catalogue[n] for n in selected]
    fixed = sum(fixed_per_year(o, econ) for o in options)
    operating = year_scale(case) * (s.cost or 0.0)
    return Evaluated(tuple(selected), results, sum(o.capex for o in options),
                     sum(capital_per_year(o, econ) for o in options), fixed, operating,
                     fixed + operating, s.tap_m3_per_day, s.shortage_m3, s.tanker_m3)


def _cut_case(case: Case) -> Case:
    """The case whose largest uniform cut is measured, against the base plan's baseline."""
    rationed = case.rationing is not None and case.rationing.enabled
    return resolve_baseline(case if rationed else with_cut(case, cut=0.0))


def option_rows(case: Case, time_limit_s: float | None = None) -> tuple[Evaluated, list[dict]]:
    """The base plan, and one row per option: the option (with what it requires) applied to the
    base plan, in the words of `model.case.economics`; best buys (least cost per m3 of tap
    saved) first."""
    case = prepared(case)
    base = evaluate(case, (), time_limit_s=time_limit_s)
    cut_case = _cut_case(case)
    schedule = len(case.periods) > 1 and case.rationing is not None and case.rationing.enabled
    rows = []
    for o in case.options:
        selected = closure(case, [o.name])
        e = evaluate(case, selected, time_limit_s=time_limit_s)
        cut = largest_uniform_cut(apply_options(cut_case, selected), time_limit_s)
        rows.append(option_row(case, o.name, base, e, cut.largest_uniform_cut, schedule))
    rows.sort(key=lambda r: (r["cost_per_m3_saved"] is None, r["cost_per_m3_saved"] or 0.0,
                             r["option"]))
    return base, rows


def option_row(case: Case, name: str, base: Evaluated, e: Evaluated, cut: float,
               schedule: bool) -> dict:
    """The figures of one option (with what it requires) against the base plan."""
    econ = case.economics
    saved = base.tap_m3_per_day - e.tap_m3_per_day
    if abs(saved) <= target_slack(base.tap_m3_per_day):
        saved = 0.0  # within the solver's tolerance: nothing saved
    change = e.annualized_cost_per_year - base.annualized_cost_per_year
    money_saved = base.operating_per_year - (e.operating_per_year + e.fixed_per_year
                                             - e.capital_per_year)
    if abs(money_saved) <= TARGET_REL * max(abs(base.operating_per_year), 1.0):
        # two optimal plans' costs, equal but for round-off: nothing saved, no payback (a
        # capacity option on a train its plan does not fill once showed 2.7e16 years)
        money_saved = 0.0
    row = {"option": name, "kind": option_of(case)[name].kind,
           "with": [n for n in e.selected if n != name],
           "tap_saved_m3_per_day": saved, "capex": e.capex,
           "annualized_cost_per_year": e.annualized_cost_per_year,
           "change_per_year": change,
           "cost_per_m3_saved": cost_per_m3_saved(change, saved, case.tap_price_per_m3 or 0.0,
                                                  econ.days_per_year),
           "payback_years": payback_years(e.capex, money_saved),
           "largest_uniform_cut": cut}
    if schedule:
        row["shortage_m3"], row["tanker_m3"] = e.shortage_m3, e.tanker_m3
    return row


def portfolio_figures(e: Evaluated, question: str) -> dict:
    """The chosen portfolio in the words of `wateralloc options --json`."""
    return {"selected": list(e.selected), "capex": e.capex,
            "annualized_cost_per_year": e.annualized_cost_per_year,
            "tap_m3_per_day": e.tap_m3_per_day, "shortage_m3": e.shortage_m3,
            "tanker_m3": e.tanker_m3, "question": question, "status": "optimal"}
