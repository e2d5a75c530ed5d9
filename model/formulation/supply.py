"""Water bought from outside the campus besides tap: tanker trucks.

Trucked water is tap-quality water (generation 0) delivered to uses in the tanker's zones, up
to a daily capacity, at a price per m3. It counts with tap as water bought in the tap stage, so
it is used only where tap cannot do the job (a rationed period). It works with or without
rationing.
"""
from __future__ import annotations

import pyomo.environ as pyo

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
