"""The objectives, built from the registered terms, and the order they are solved in.

Stages: [shortage of class 1, class 2, ... (model.formulation.drought)], total_tap_m3,
total_cost, [even_sharing (model.formulation.sharing)]; with priced shortage (total_cost,
total_tap_m3, [even_sharing]); a plan at a tap target (`Case.cost_first`, the options study)
puts total_cost before total_tap_m3: the cheapest plan within the caps. Marginal values are the
duals of the total_tap_m3 stage.
"""
from __future__ import annotations

import pyomo.core as pyo

from model.formulation.drought import add_shortage_objectives
from model.formulation.sets import Network
from model.formulation.sharing import add_even_sharing
from model.formulation.stages import Method, Stage, StagePlan
from model.formulation.terms import Terms, linear_sum

TAP = "total_tap_m3"
COST = "total_cost"


def add_objectives(m: pyo.ConcreteModel, net: Network, terms: Terms) -> StagePlan:
    """The tap and cost objectives (every objective is declared inactive: the solver activates
    one stage at a time); returns the stage plan.

        total_tap_m3 = sum_t days_t * (sum_u tap_m3_per_day[u, t]
                                       + sum_{k,u} tanker_m3_per_day[k, u, t])
        total_cost   = sum_t days_t * (sum_{s,z,g} cost_per_m3[s] * feed_m3_per_day[s, z, g, t]
                                       + tap_price_per_m3 * sum_u tap_m3_per_day[u, t]
                                       + sum price_per_m3[k] * tanker_m3_per_day[k, u, t]
                                       + sum extra_cost_per_m3[s] * boosted_feed_m3_per_day[s, g, t]
                                       + sum lost_value_per_m3[u] * shortage_m3_per_day[u, t])
            treatment counts the treated volume instead when trains carry no price; lost
            production only with price_shortage
    """
    m.total_tap_m3 = pyo.Objective(expr=sum(
        net.days[t] * linear_sum(terms.water_bought.get(t, ())) for t in net.PERIODS))
    m.total_cost = pyo.Objective(expr=sum(
        net.days[t] * terms.cost_per_day(t) for t in net.PERIODS))
    m.total_tap_m3.deactivate()
    m.total_cost.deactivate()
    r = net.case.rationing
    if net.SHORTAGES and r.price_shortage:
        stages = [Stage(COST), Stage(TAP)]
    elif net.case.cost_first:
        stages = [*add_shortage_objectives(m, net), Stage(COST), Stage(TAP)]
    else:
        stages = [*add_shortage_objectives(m, net), Stage(TAP), Stage(COST)]
    sharing = add_even_sharing(m, net)
    if sharing is not None:
        stages.append(sharing)
    stages[0] = Stage(stages[0].objective, Method.IPM)  # the first stage starts from scratch
    return StagePlan(tuple(stages), dual_stage=TAP)
