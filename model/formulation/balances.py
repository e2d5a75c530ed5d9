"""The balances every feature shares, built once from the registered terms (`terms.py`).

Notation: uses u (a plant's use, zone z(u)), treatment trains s, zones z, generations g (the
number of treatment passes water has had; tap water is g = 0), periods t of days_t days. All
flows are m3/day within a period.
"""
from __future__ import annotations

from collections import defaultdict

import pyomo.core as pyo

from model.formulation.sets import Network
from model.formulation.terms import Terms, linear_sum


def add_demand_balance(m: pyo.ConcreteModel, net: Network, terms: Terms) -> None:
    """Every use gets exactly its demand, less any shortage, plus its flow if it is an operation.

        sum_g supply_m3_per_day[u, g, t] = demand_m3_per_day[u, t]
                                           - shortage_m3_per_day[u, t] + operation_m3_per_day[u, t]
        supply[u, 0, t] = tap[u, t] + sum_k tanker[k, u, t] + direct reuse in at g = 0
        supply[u, g, t] = sum_s recycled[u, s, g, t] + direct reuse in at g        (g >= 1)
    """
    def rule(m, p, u, t):
        use = (p, u)
        return terms.supplied(use, t) - sum(terms.demand_change.get((use, t), ())) \
            == net.demand(use, t)
    m.demand_balance = pyo.Constraint(m.USE_PERIODS, rule=rule)  # USES x PERIODS, flat (flows.py)


def add_wastewater_availability(m: pyo.ConcreteModel, net: Network, terms: Terms) -> None:
    """No more generation-g wastewater is taken from a zone than its uses return.

        sum_s feed[s, z, g, t] + basin net charge[z, g, t] + sum_{u in z} direct reuse out[u, g, t]
            <= sum_{u in z} return_fraction[u] * supply_m3_per_day[u, g, t]    for g < max_recycles
    Wastewater of generation max_recycles cannot be treated again and is discharged.
    """
    # each use's supply, grouped once by pool (zone, g, t): the same terms as
    # return_fraction[u] * terms.supplied(u, t, g) summed over the zone's uses, without
    # scanning a use's supply once per generation
    returned = defaultdict(list)
    for (use, t), supplies in terms.supply.items():
        u = net.use_of[use]
        for s in supplies:
            returned[u.zone, s.generation, t].append(u.return_fraction * s.flow)

    def rule(m, z, g, t):
        return linear_sum(terms.wastewater_taken[z, g, t]) \
            <= linear_sum(returned.get((z, g, t), ()))
    m.wastewater_availability = pyo.Constraint(m.POOLS * m.PERIODS, rule=rule)


def add_recovery(m: pyo.ConcreteModel, net: Network, terms: Terms) -> None:
    """A train delivers at most its product; one pass raises the generation by one. Product not
    delivered or stored is discharged.

        sum_u recycled[u, s, g+1, t] + sum_k tank_charge[s, k, g+1, t]
            <= recovery[s, t] * sum_z feed[s, z, g, t] + boost extra product[s, g, t]
    """
    def rule(m, s, g, t):
        return linear_sum(terms.product_used.get((s, g, t), ())) <= terms.product(s, g, t)
    m.recovery = pyo.Constraint(m.PASSES * m.PERIODS, rule=rule)


def campus_tap_m3_per_day(m: pyo.ConcreteModel, t: str):
    """The campus's tap draw in period t: sum_u tap_m3_per_day[u, t]."""
    return sum(m.tap_m3_per_day[p, u, t] for p, u in m.USES)


def add_tap_cap(m: pyo.ConcreteModel, net: Network) -> None:
    """Optional limit on the campus's tap draw (a contract, or a drought stage's ration).

        sum_u tap_m3_per_day[u, t] <= tap_cap_m3_per_day[t]        for t with a cap
    """
    capped = [t for t in m.PERIODS if net.case.tap_cap(t) is not None]
    m.TAP_CAPPED = pyo.Set(initialize=capped, ordered=True)
    m.tap_cap = pyo.Constraint(m.TAP_CAPPED, rule=lambda m, t:
                               campus_tap_m3_per_day(m, t) <= net.case.tap_cap(t))
