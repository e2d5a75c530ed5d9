"""Water quality: inlet limits, feed limits, direct reuse and mass-transfer operations.

Every function builds over sets that are empty for a case without a quality layer.

Notation as in `model.formulation.balances`, plus contaminants j and concentrations c in ppm
(g/m3), all data:
    c[tap, j]       tap_ppm                      (contaminants.csv); trucked water too
    c[s, j]         product_ppm of train s       (train_quality.csv)
    c[u, j]         outlet_ppm of use u          (use_quality.csv): its wastewater, treated or not
Because every source concentration is data, every quality rule below is linear.

Direct reuse sends generation-g wastewater of use u untreated to use v (a link allowed by
`direct_reuse`); it arrives as generation g, since it has had no further treatment. A
mass-transfer operation (a use with `load_kg_per_day`) has no fixed demand: its flow
`operation_m3_per_day` is a decision, it loses no water, and it leaves at `outlet_ppm`.
"""
from __future__ import annotations

import pyomo.core as pyo

from model.case import UseKey
from model.formulation.sets import Network
from model.formulation.terms import Supply, Terms

MG_PER_KG = 1000.0  # kg/day of contaminant = 1000 x (m3/day x ppm), since ppm = g/m3


def add_quality_flows(m: pyo.ConcreteModel, net: Network, terms: Terms) -> None:
    """Variables of the quality layer, all in m3/day and non-negative.

        direct_reuse_m3_per_day[u, v, g, t]   untreated generation-g wastewater of u sent to v,
                                              for (u, v) a link and g <= min(k_u, k_v)
        operation_m3_per_day[u, t]            flow through mass-transfer operation u
        collected_m3_per_day[u, s, g, t]      wastewater of u fed to train s; only when a train
                                              has a feed limit, which needs to know whose
                                              wastewater it takes

    Terms: direct reuse is generation-g supply of v and wastewater taken from u's zone pool; an
    operation's flow is its demand.
    """
    m.direct_reuse_m3_per_day = pyo.Var(m.DIRECT_REUSES * m.PERIODS,
                                        domain=pyo.NonNegativeReals)
    m.operation_m3_per_day = pyo.Var(m.OPERATIONS * m.PERIODS, domain=pyo.NonNegativeReals)
    m.collected_m3_per_day = pyo.Var(m.COLLECTIONS * m.PERIODS, domain=pyo.NonNegativeReals)
    for (fp, fu, tp, tu, g, t), reused in m.direct_reuse_m3_per_day.items():
        terms.supply[(tp, tu), t].append(Supply(g, "direct", (fp, fu), reused))
        terms.wastewater_taken[net.use_of[fp, fu].zone, g, t].append(reused)
    for (p, u, t), flow in m.operation_m3_per_day.items():
        terms.demand_change[(p, u), t].append(flow)


def source_ppm(net: Network, supply: Supply) -> dict[str, float]:
    """Concentrations of a supply: tap quality for tap and trucks, a train's (or an outside
    supply's) product, a use's outlet for direct reuse. A recycled-water tank holds the product of every train serving its
    zone, mixed in proportions the model does not track, so its water is charged the highest
    product concentration among those trains: conservative (it may overstate tap, never break a
    limit)."""
    q = net.case.quality
    if supply.kind in ("tap", "tanker"):
        return q.tap_ppm
    if supply.kind == "direct":
        return {j: q.outlet(supply.source, j) for j in q.contaminants}
    if supply.kind == "outside" or supply.source in net.train_of:
        return {j: q.product_ppm[supply.source, j] for j in q.contaminants}
    zone = net.tank_of[supply.source].zone
    fillers = [s.name for s in net.case.trains if zone in s.zones]
    return {j: max((q.product_ppm[s, j] for s in fillers), default=q.tap_ppm[j])
            for j in q.contaminants}


def inflows(net: Network, terms: Terms, use: UseKey, t: str) -> list[tuple[object, dict]]:
    """Every flow into a use with its concentrations: [(flow, {contaminant: ppm})]."""
    return [(s.flow, source_ppm(net, s)) for s in terms.supply.get((use, t), ())]


def add_use_wastewater_availability(m: pyo.ConcreteModel, net: Network, terms: Terms) -> None:
    """A use's own wastewater bounds what leaves it directly or is collected per use.

        sum_v direct_reuse[u, v, g, t] + sum_s collected[u, s, g, t]
            <= return_fraction[u] * supply_m3_per_day[u, g, t]

    With the zone pool (`wastewater_availability`) this is exact without per-use treatment
    variables: when each use's reuse fits its own wastewater and the zone's total fits the
    zone's, the treated remainder can always be split among the uses.
    """
    keys = sorted({k for k in net.reuse_out_of} | {k for k in net.collected_into})
    m.USE_WASTEWATER = pyo.Set(initialize=[(*use, g) for use, g in keys], dimen=3, ordered=True)

    def rule(m, p, u, g, t):
        use = (p, u)
        out = sum(m.direct_reuse_m3_per_day[p, u, v[0], v[1], g, t]
                  for v in net.reuse_out_of.get((use, g), ()))
        out += sum(m.collected_m3_per_day[p, u, s, g, t]
                   for s in net.collected_into.get((use, g), ()))
        return out <= net.use_of[use].return_fraction * terms.supplied(use, t, g)
    m.use_wastewater_availability = pyo.Constraint(m.USE_WASTEWATER * m.PERIODS, rule=rule)


def add_feed_split(m: pyo.ConcreteModel, net: Network) -> None:
    """With feed limits, a zone's feed to a train is the sum of its uses' collected wastewater.

        feed_m3_per_day[s, z, g, t] = sum_{u in z} collected_m3_per_day[u, s, g, t]
    """
    split = m.FEEDS * m.PERIODS if net.COLLECTIONS else []
    m.feed_split = pyo.Constraint(split, rule=lambda m, s, z, g, t:
                                  m.feed_m3_per_day[s, z, g, t] == sum(
                                      m.collected_m3_per_day[p, u, s, g, t]
                                      for p, u in net.uses_in.get(z, ())))


def add_operation_mass_balance(m: pyo.ConcreteModel, net: Network, terms: Terms) -> None:
    """A mass-transfer operation picks up its load and leaves at its outlet concentration.

        outlet_ppm[u, j] * operation_m3_per_day[u, t]
            = sum_sources flow * c[source, j] + 1000 * load_kg_per_day[u, j]

    Exact for one contaminant (Savelski & Bagajewicz 2000: some optimal network has every
    operation at its maximum outlet). With several contaminants, and only when the case sets
    `allow_multi_contaminant_loads`, the rows become `>=` on the left: each outlet is at most its
    outlet_ppm, and downstream users are charged outlet_ppm, which is conservative.
    """
    q = net.case.quality
    rows = [(p, u, j) for p, u in net.OPERATIONS for j in q.contaminants] if q else []
    m.OPERATION_ROWS = pyo.Set(initialize=rows, dimen=3, ordered=True)

    def rule(m, p, u, j, t):
        picked_up = MG_PER_KG * q.operations[p, u].get(j, 0.0)
        carried_in = sum(flow * c[j] for flow, c in inflows(net, terms, (p, u), t))
        leaving = q.outlet((p, u), j) * m.operation_m3_per_day[p, u, t]
        if q.exact_operations:
            return leaving == carried_in + picked_up
        return leaving >= carried_in + picked_up
    m.operation_mass_balance = pyo.Constraint(m.OPERATION_ROWS * m.PERIODS, rule=rule)


def add_inlet_limits(m: pyo.ConcreteModel, net: Network, terms: Terms) -> None:
    """A use's inlet mix stays within its limit, for every contaminant with a limit.

        sum_sources flow[source, u, t] * (c[source, j] - max_inlet_ppm[u, j]) <= 0
    i.e. sum flow * c <= max_inlet_ppm * total inflow, linear since c is data.
    """
    q = net.case.quality
    limits = [(p, u, j) for p, u in net.USES for j in q.contaminants
              if q.limit((p, u), j) is not None] if q else []
    m.INLET_LIMITS = pyo.Set(initialize=limits, dimen=3, ordered=True)

    def rule(m, p, u, j, t):
        limit = q.limit((p, u), j)
        parts = [(flow, c[j] - limit) for flow, c in inflows(net, terms, (p, u), t)]
        if all(coef <= 0 for _, coef in parts):
            return pyo.Constraint.Skip  # every source is within the limit: cannot bind
        return sum(coef * flow for flow, coef in parts) <= 0
    m.inlet_limit = pyo.Constraint(m.INLET_LIMITS * m.PERIODS, rule=rule)


def add_feed_limits(m: pyo.ConcreteModel, net: Network) -> None:
    """A train's feed stays within its optional limit, for every contaminant with one.

        sum_{u, g} collected[u, s, g, t] * (outlet_ppm[u, j] - max_feed_ppm[s, j]) <= 0
    """
    q = net.case.quality
    limits = [(s, j) for s, j in q.max_feed_ppm if s in net.train_of] if q else []
    m.FEED_LIMITS = pyo.Set(initialize=limits, dimen=2, ordered=True)

    def rule(m, s, j, t):
        limit = q.max_feed_ppm[s, j]
        parts = [(m.collected_m3_per_day[p, u, s2, g, t], q.outlet((p, u), j) - limit)
                 for p, u, s2, g in net.COLLECTIONS if s2 == s]
        if all(coef <= 0 for _, coef in parts):
            return pyo.Constraint.Skip
        return sum(coef * flow for flow, coef in parts) <= 0
    m.feed_limit = pyo.Constraint(m.FEED_LIMITS * m.PERIODS, rule=rule)
