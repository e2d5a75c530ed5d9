"""Water from outside the campus besides tap: tanker trucks, and outside supplies.

Trucked water is tap-quality water (generation 0) delivered to uses in the tanker's zones, up
to a daily capacity, at a price per m3. It counts with tap as water bought in the tap stage, so
it is used only where tap cannot do the job (a rationed period). It works with or without
rationing. An outside supply (municipal reclaimed water) is recycled water from elsewhere: it
arrives as generation 1 at its price and is not counted as tap.
"""
from __future__ import annotations

import pyomo.core as pyo

from model.formulation.sets import Network
from model.formulation.terms import Supply, Terms


def add_tankers(m: pyo.ConcreteModel, net: Network, terms: Terms) -> None:
    """Trucked water to uses in the zones a tanker serves, within its daily capacity.

        tanker_m3_per_day[k, u, t] >= 0                    for u in a zone k serves
        sum_u tanker_m3_per_day[k, u, t] <= capacity_m3_per_day[k]

    Terms: generation-0 supply of the use, water bought, and price_per_m3[k] x tanker of cost.
    """
    m.tanker_m3_per_day = pyo.Var(m.TANKER_DELIVERIES * m.PERIODS, domain=pyo.NonNegativeReals)
    m.tanker_capacity = pyo.Constraint(m.TANKERS * m.PERIODS, rule=lambda m, k, t: sum(
        m.tanker_m3_per_day[k, p, u, t] for k2, p, u in m.TANKER_DELIVERIES if k2 == k)
        <= net.tanker_of[k].capacity_m3_per_day)
    for (k, p, u, t), trucked in m.tanker_m3_per_day.items():
        terms.supply[(p, u), t].append(Supply(0, "tanker", k, trucked))
        terms.water_bought[t].append(trucked)
        terms.cost[t].append(("tanker", net.tanker_of[k].price_per_m3 * trucked))


def add_outside_supply(m: pyo.ConcreteModel, net: Network, terms: Terms) -> None:
    """Outside water (e.g. municipal reclaimed water) to uses in the supply's zones, within its
    daily capacity; it has been treated once, so it arrives as generation 1 and only uses that
    accept recycled water (max_recycles >= 1) can take it.

        outside_m3_per_day[k, u, t] >= 0                    for u in a zone k serves, k_u >= 1
        sum_u outside_m3_per_day[k, u, t] <= capacity_m3_per_day[k]

    Terms: generation-1 supply of the use (not water bought: it is not tap), and
    price_per_m3[k] x outside of cost.
    """
    m.outside_m3_per_day = pyo.Var(m.SUPPLY_DELIVERIES * m.PERIODS, domain=pyo.NonNegativeReals)
    m.outside_capacity = pyo.Constraint(m.SUPPLIES * m.PERIODS, rule=lambda m, k, t: sum(
        m.outside_m3_per_day[k, p, u, t] for k2, p, u in m.SUPPLY_DELIVERIES if k2 == k)
        <= net.supply_of[k].capacity_m3_per_day)
    for (k, p, u, t), flow in m.outside_m3_per_day.items():
        terms.supply[(p, u), t].append(Supply(1, "outside", k, flow))
        terms.cost[t].append(("outside", net.supply_of[k].price_per_m3 * flow))
