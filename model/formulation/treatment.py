"""Treatment trains: their capacity, and temporary recovery boosts.

A boost lets a train run part of its feed at a higher recovery, for an extra cost per m3 of
feed, in the periods it lists (`boosts.csv`); it works with or without rationing.
"""
from __future__ import annotations

import pyomo.core as pyo

from model.formulation.sets import Network
from model.formulation.terms import Terms


def add_treatment_capacity(m: pyo.ConcreteModel, net: Network, terms: Terms) -> None:
    """Wastewater fed to a train cannot exceed its capacity.

        sum_{z,g} feed_m3_per_day[s, z, g, t] <= capacity_m3_per_day[s, t]
                                                 + capacity added[s, t]   (options chosen)
    """
    def rule(m, s, t):
        if not net.feeds_of.get(s):
            return pyo.Constraint.Skip  # a train with nothing to treat (max_recycles = 0)
        fed = sum(m.feed_m3_per_day[s, z, g, t] for z, g in net.feeds_of[s])
        added = terms.capacity_added.get((s, t))
        return fed <= (net.capacity(s, t) + sum(added) if added else net.capacity(s, t))
    m.treatment_capacity = pyo.Constraint(m.TRAINS * m.PERIODS, rule=rule)


def add_boosts(m: pyo.ConcreteModel, net: Network, terms: Terms) -> None:
    """Part of a pass's feed may run at the boost recovery, in the boost's periods.

        boosted_feed_m3_per_day[s, g, t] <= sum_z feed_m3_per_day[s, z, g, t]

    Terms: product of pass g gains (boost recovery - recovery[s, t]) x boosted feed; the cost
    gains extra_cost_per_m3[s] x boosted feed.
    """
    m.boosted_feed_m3_per_day = pyo.Var(m.BOOSTED, domain=pyo.NonNegativeReals)
    m.boost_feed_limit = pyo.Constraint(m.BOOSTED, rule=lambda m, s, g, t: (
        m.boosted_feed_m3_per_day[s, g, t]
        <= sum(m.feed_m3_per_day[s, z, g, t] for z in net.zones_fed[s])))
    for (s, g, t), boosted in m.boosted_feed_m3_per_day.items():
        boost = net.boost_of[s]
        gain = max(boost.recovery - net.recovery(s, t), 0.0)
        terms.product_made[s, g, t].append(gain * boosted)
        terms.cost[t].append(("boost", boost.extra_cost_per_m3 * boosted))
