"""Money: how an option's capital is annualised, and the figures an engineer reads.

For a portfolio P (a set of chosen options):

    annualised cost = sum_{o in P} (capex_o * CRF(r, L_o) + om_per_year_o)
                      + days_per_year / horizon_days * operating cost over the horizon
    CRF(r, L) = r / (1 - (1 + r)^-L),  and 1/L when r = 0

The operating cost over the horizon is the plan's money: tap x tap price, treated feed x each
train's cost_per_m3, outside supply x its price, trucks and boosts. For a steady-state case (one
day) it is days_per_year x (tap price x tap + sum_s cost_s x treated_s + sum supply cost x
supplied) per day.

Against the plan without options (tap T0, annualised cost A0), a portfolio with tap T and
annualised cost A reports:

    tap saved            S = T0 - T                                   m3/day
    change               dA = A - A0                                  money per year
    cost per m3 saved    (dA + tap_price * days_per_year * S) / (days_per_year * S)
                         what each m3 of tap saved costs, to set against the tap price
    payback (years)      capex / (A0 - (A - sum_o capex_o * CRF_o))   simple payback: capex
                         over the money saved each year (tap bill, treatment, O&M); none when
                         nothing is saved
"""
from __future__ import annotations

from model.case.objects import Case, Economics, Option


def crf(rate: float, lifetime_years: float) -> float:
    """Capital recovery factor: the share of capex repaid each year over the lifetime."""
    if rate == 0:
        return 1.0 / lifetime_years
    return rate / (1.0 - (1.0 + rate) ** -lifetime_years)


def capital_per_year(option: Option, economics: Economics) -> float:
    """capex x CRF(r, L): the option's capital, annualised."""
    return option.capex * crf(economics.discount_rate, option.lifetime_years)


def fixed_per_year(option: Option, economics: Economics) -> float:
    """capex x CRF(r, L) + om_per_year: what the option costs each year before it runs."""
    return capital_per_year(option, economics) + option.om_per_year


def year_scale(case: Case) -> float:
    """days_per_year / horizon days: turns money over the horizon into money per year."""
    return case.economics.days_per_year / case.total_days


def levelised_cost(capex: float, om_per_m3: float, product_m3_per_day: float, rate: float,
                   lifetime_years: float, days_per_year: float = 365.0) -> float:
    """A train's levelised cost of water: (capex x CRF + O&M) / a year's product, per m3."""
    yearly = product_m3_per_day * days_per_year
    return capex * crf(rate, lifetime_years) / yearly + om_per_m3


def cost_per_m3_saved(change_per_year: float, tap_saved_m3_per_day: float, tap_price: float,
                      days_per_year: float) -> float | None:
    """What each m3 of tap saved costs, to set against the tap price; None when none saved."""
    saved = tap_saved_m3_per_day * days_per_year
    if saved <= 0:
        return None
    return (change_per_year + tap_price * saved) / saved


def payback_years(capex: float, money_saved_per_year: float) -> float | None:
    """Simple payback: capex over the money saved each year; None when nothing is saved."""
    if money_saved_per_year <= 0:
        return None
    return capex / money_saved_per_year
