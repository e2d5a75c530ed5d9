"""The core flows of water: tap to uses, recycled water to uses, wastewater to trains.

Every other feature adds flows of its own (tanks, tankers, direct reuse, ...); these three exist
in every model, and they register what they add to the shared balances (`model.formulation.terms`).
"""
from __future__ import annotations

import pyomo.core as pyo

from model.formulation.sets import Network
from model.formulation.terms import TREATED_VOLUME, Supply, Terms


def add_flows(m: pyo.ConcreteModel, net: Network, terms: Terms) -> None:
    """Flow variables, all in m3/day and non-negative.

        tap_m3_per_day[u, t]                 tap water to use u
        recycled_m3_per_day[u, s, g, t]      generation-g recycled water from source s to use u
                                             (a source is a train or a recycled-water tank)
        feed_m3_per_day[s, z, g, t]          generation-g wastewater from zone z fed to train s

    Terms: tap is generation-0 supply and water bought; recycled water is generation-g supply
    and, from a train, product used of pass g - 1; feed is wastewater taken from its pool and
    makes recovery[s, t] x feed of product; treatment costs cost_per_m3[s] x feed (or counts
    the treated volume when trains carry no price), tap costs tap_price_per_m3 x tap.
    """
    # indexed by flat sets of (..., period) tuples, in the order of the products USES x PERIODS
    # and DELIVERIES x PERIODS: iterating a product set flattens every member again, and these
    # are the model's largest variables (38,407 recycled flows at 2,000 plants), iterated by the
    # build, the compiler and the results (0.027 s a pass instead of 0.008 s)
    m.USE_PERIODS = pyo.Set(initialize=[(*u, t) for u in net.USES for t in net.PERIODS],
                            dimen=3, ordered=True)
    m.DELIVERY_PERIODS = pyo.Set(initialize=[(*d, t) for d in net.DELIVERIES
                                             for t in net.PERIODS], dimen=5, ordered=True)
    m.tap_m3_per_day = pyo.Var(m.USE_PERIODS, domain=pyo.NonNegativeReals)
    m.recycled_m3_per_day = pyo.Var(m.DELIVERY_PERIODS, domain=pyo.NonNegativeReals)
    m.feed_m3_per_day = pyo.Var(m.FEEDS * m.PERIODS, domain=pyo.NonNegativeReals)
    case = net.case
    price = case.tap_price_per_m3 or 0.0
    for (p, u, t), tap in m.tap_m3_per_day.items():
        terms.supply[(p, u), t].append(Supply(0, "tap", "tap", tap))
        terms.water_bought[t].append(tap)
        if case.costed and price:
            terms.cost[t].append(("tap", price * tap))
    for (p, u, s, g, t), recycled in m.recycled_m3_per_day.items():
        terms.supply[(p, u), t].append(Supply(g, "recycled", s, recycled))
        if s in net.train_of:
            terms.product_used[s, g - 1, t].append(recycled)
    for (s, z, g, t), feed in m.feed_m3_per_day.items():
        terms.wastewater_taken[z, g, t].append(feed)
        terms.product_made[s, g, t].append(net.recovery(s, t) * feed)
        if case.costed:
            terms.cost[t].append(("treatment", net.train_of[s].cost_per_m3 * feed))
        else:
            terms.cost[t].append((TREATED_VOLUME, feed))
