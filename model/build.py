"""Build the allocation linear program from a case.

`build_model(case)` reads as a table of contents: one `add_<family>` call per set of variables or
constraints, each with its equation in its docstring. Every variable and constraint carries the
period index t; a steady-state case has the single period `steady`.

Notation: uses u (a plant's use, zone z(u)), treatment trains s, zones z, generations g (the number
of treatment passes water has had; tap water is g = 0), periods t of `days_t` days.
"""
from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from model.case import Case
from model.network import network_of
from model.quality import (add_direct_reuse_balance, add_feed_limits, add_feed_split,
                           add_inlet_limits, add_operation_mass_balance, add_quality_flows)
from model.rationing import (add_emergency_supply, add_rationing_objectives,
                             boost_extra_product, shortage_of, tanker_to_use)
from model.sharing import add_even_sharing
from model.storage import add_storage, basin_net_charge, tank_charge_from, with_tanks


def build_model(case: Case) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel(name=case.name)
    add_sets(m, case)
    add_flows(m, case)
    add_storage(m, case)
    add_emergency_supply(m, case)
    add_demand_balance(m, case)
    add_wastewater_availability(m, case)
    add_treatment_capacity(m, case)
    add_recovery(m, case)
    add_tap_cap(m, case)
    add_objectives(m, case)
    # water quality (model.quality): no-ops for a case without a quality layer
    add_quality_flows(m, case)
    add_direct_reuse_balance(m, case)
    add_feed_split(m, case)
    add_operation_mass_balance(m, case)
    add_inlet_limits(m, case)
    add_feed_limits(m, case)
    add_rationing_objectives(m, case)
    add_even_sharing(m, case)  # model.sharing: the last stage, an even split between plants
    return m


def add_sets(m: pyo.ConcreteModel, case: Case) -> None:
    """Sparse index sets: only flows that can exist are indexed (see `model.network`)."""
    net = with_tanks(network_of(case), case)
    m.network = net  # plain lookups for the rules below and for results
    m.case = case
    m.USES = pyo.Set(initialize=net.USES, dimen=2, ordered=True)
    m.TRAINS = pyo.Set(initialize=net.TRAINS, ordered=True)
    m.ZONES = pyo.Set(initialize=net.ZONES, ordered=True)
    m.PERIODS = pyo.Set(initialize=[p.name for p in case.periods], ordered=True)
    m.DELIVERIES = pyo.Set(initialize=net.DELIVERIES, dimen=4, ordered=True)
    m.FEEDS = pyo.Set(initialize=net.FEEDS, dimen=3, ordered=True)
    m.POOLS = pyo.Set(initialize=net.POOLS, dimen=2, ordered=True)
    m.PASSES = pyo.Set(initialize=net.PASSES, dimen=2, ordered=True)
    m.days = {p.name: p.days for p in case.periods}
    m.use_of = {u.key: u for u in case.uses}
    m.train_of = {t.name: t for t in case.trains}
    # trains that deliver generation g to use u, and zones that feed train s
    m.sources_of = defaultdict(list)
    for p, u, s, g in net.DELIVERIES:
        m.sources_of[(p, u), g].append(s)
    m.zones_fed = {s: sorted({z for z, _ in net.feeds_of.get(s, [])}) for s in net.TRAINS}


def add_flows(m: pyo.ConcreteModel, case: Case) -> None:
    """Flow variables, all in m3/day and non-negative.

        tap_m3_per_day[u, t]                 tap water to use u
        recycled_m3_per_day[u, s, g, t]      generation-g recycled water from train s to use u
        feed_m3_per_day[s, z, g, t]          generation-g wastewater from zone z fed to train s
    """
    m.tap_m3_per_day = pyo.Var(m.USES * m.PERIODS, domain=pyo.NonNegativeReals)
    m.recycled_m3_per_day = pyo.Var(m.DELIVERIES * m.PERIODS, domain=pyo.NonNegativeReals)
    m.feed_m3_per_day = pyo.Var(m.FEEDS * m.PERIODS, domain=pyo.NonNegativeReals)


def supply_m3_per_day(m: pyo.ConcreteModel, plant: str, use: str, g: int, t: str):
    """Water of generation g supplied to a use: tap for g = 0, else recycled from any train."""
    if g == 0:
        return m.tap_m3_per_day[plant, use, t] + tanker_to_use(m, plant, use, t)
    return sum(m.recycled_m3_per_day[plant, use, s, g, t]
               for s in m.sources_of.get(((plant, use), g), ()))


def add_demand_balance(m: pyo.ConcreteModel, case: Case) -> None:
    """Every use gets exactly its demand, or goes short of it under rationing.

        tap_m3_per_day[u, t] + sum_{s,g} recycled_m3_per_day[u, s, g, t]
            + tanker_m3_per_day[u, t] + shortage_m3_per_day[u, t] = demand_m3_per_day[u, t]
        (sources s include recycled-water tanks; tanker and shortage terms: model.rationing)
    """
    def rule(m, p, u, t):
        delivered = sum(m.recycled_m3_per_day[p, u, s, g, t]
                        for s, g in m.network.deliveries_to.get((p, u), ()))
        return (m.tap_m3_per_day[p, u, t] + delivered + tanker_to_use(m, p, u, t)
                + shortage_of(m, p, u, t) == case.demand(m.use_of[p, u], t))
    m.demand_balance = pyo.Constraint(m.USES * m.PERIODS, rule=rule)


def add_wastewater_availability(m: pyo.ConcreteModel, case: Case) -> None:
    """Trains can take no more generation-g wastewater from a zone than its uses return.

        sum_{s serving z} feed_m3_per_day[s, z, g, t] + basin net charge[z, g, t]
            <= sum_{u in z} return_fraction[u] * supply_m3_per_day[u, g, t]    for g < max_recycles
    """
    def rule(m, z, g, t):
        fed = sum(m.feed_m3_per_day[s, z, g, t] for s in m.network.feeds_from[z, g])
        fed += basin_net_charge(m, z, g, t)
        returned = sum(m.use_of[u].return_fraction * supply_m3_per_day(m, *u, g, t)
                       for u in m.network.uses_in.get(z, ()))
        return fed <= returned
    m.wastewater_availability = pyo.Constraint(m.POOLS * m.PERIODS, rule=rule)


def add_treatment_capacity(m: pyo.ConcreteModel, case: Case) -> None:
    """Wastewater fed to a train cannot exceed its capacity.

        sum_{z,g} feed_m3_per_day[s, z, g, t] <= capacity_m3_per_day[s, t]
    """
    def rule(m, s, t):
        if not m.network.feeds_of.get(s):
            return pyo.Constraint.Skip  # a train with nothing to treat (max_recycles = 0)
        fed = sum(m.feed_m3_per_day[s, z, g, t] for z, g in m.network.feeds_of[s])
        return fed <= case.capacity(m.train_of[s], t)
    m.treatment_capacity = pyo.Constraint(m.TRAINS * m.PERIODS, rule=rule)


def add_recovery(m: pyo.ConcreteModel, case: Case) -> None:
    """A train delivers at most `recovery` times its feed; one pass raises the generation by one.
    Recycled water not delivered is discharged.

        sum_u recycled_m3_per_day[u, s, g+1, t] + sum_k tank_charge_m3_per_day[s, k, g+1, t]
            <= recovery[s, t] * sum_z feed_m3_per_day[s, z, g, t]
               + (boost recovery - recovery[s, t]) * boosted_feed_m3_per_day[s, g, t]
    """
    def rule(m, s, g, t):
        delivered = sum(m.recycled_m3_per_day[p, u, s, g + 1, t]
                        for p, u in m.network.deliveries_from.get((s, g + 1), ()))
        delivered += tank_charge_from(m, s, g + 1, t)
        fed = sum(m.feed_m3_per_day[s, z, g, t] for z in m.zones_fed[s])
        return delivered <= (case.recovery(m.train_of[s], t) * fed
                             + boost_extra_product(m, s, g, t))
    m.recovery = pyo.Constraint(m.PASSES * m.PERIODS, rule=rule)


def add_tap_cap(m: pyo.ConcreteModel, case: Case) -> None:
    """Optional limit on the campus's tap draw.

        sum_u tap_m3_per_day[u, t] <= tap_cap_m3_per_day[t]        for t with a cap
    """
    capped = [t for t in m.PERIODS if case.tap_cap(t) is not None]
    m.TAP_CAPPED = pyo.Set(initialize=capped, ordered=True)
    m.tap_cap = pyo.Constraint(m.TAP_CAPPED, rule=lambda m, t: sum(
        m.tap_m3_per_day[p, u, t] for p, u in m.USES) <= case.tap_cap(t))


def add_objectives(m: pyo.ConcreteModel, case: Case) -> None:
    """Two objectives, solved lexicographically by `model.solve`:

    1. total tap, m3:  sum_t days_t * sum_u tap_m3_per_day[u, t]
    2. among plans within tolerance of the least tap, the cheapest:
       sum_t days_t * (sum_{s,z,g} cost_per_m3[s] * feed_m3_per_day[s, z, g, t]
                       + tap_price_per_m3 * sum_u tap_m3_per_day[u, t])
       when every train has a cost; otherwise the treated volume, sum of feed_m3_per_day x days.
    """
    m.total_tap_m3 = pyo.Objective(expr=sum(
        m.days[t] * m.tap_m3_per_day[p, u, t] for p, u, t in m.tap_m3_per_day))
    if case.costed:
        price = case.tap_price_per_m3 or 0.0
        cost = sum(m.days[t] * m.train_of[s].cost_per_m3 * m.feed_m3_per_day[s, z, g, t]
                   for s, z, g, t in m.feed_m3_per_day)
        cost += sum(m.days[t] * price * m.tap_m3_per_day[p, u, t]
                    for p, u, t in m.tap_m3_per_day) if price else 0
    else:
        cost = sum(m.days[t] * m.feed_m3_per_day[s, z, g, t]
                   for s, z, g, t in m.feed_m3_per_day)
    m.total_cost = pyo.Objective(expr=cost)
    m.total_cost.deactivate()
    m.OBJECTIVE_STAGES = ("total_tap_m3", "total_cost")
