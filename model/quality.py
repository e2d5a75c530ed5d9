"""Water quality in the allocation LP: inlet limits, feed limits, direct reuse, mass-transfer
operations. Every function is a no-op for a case without a quality layer (`case.quality` None),
so such a case is built exactly as before.

Notation as in `model.build`, plus contaminants j and concentrations c in ppm (g/m3), all data:
    c[tap, j]       tap_ppm                      (contaminants.csv)
    c[s, j]         product_ppm of train s       (train_quality.csv)
    c[u, j]         outlet_ppm of use u          (use_quality.csv): its wastewater, treated or not
Because every source concentration is data, every quality rule below is linear.

Direct reuse sends generation-g wastewater of use u untreated to use v (a link allowed by
`direct_reuse`); it arrives as generation g, since it has had no further treatment. A
mass-transfer operation (a use with `load_kg_per_day`) has no fixed demand: its flow
`operation_m3_per_day` is a decision, it loses no water, and it leaves at `outlet_ppm`.
"""
from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

import model.build as core  # module import: model.build calls back into this module
from model.case import Case
from model.errors import InfeasibleError

MG_PER_KG = 1000.0  # kg/day of contaminant = 1000 x (m3/day x ppm), since ppm = g/m3


def _extend(con, extra) -> None:
    """Add `extra` to the body of an already built constraint, keeping its bounds. This lets
    the quality layer add its flows to the core balances without restating them."""
    con.set_value((con.lower, con.body + extra, con.upper))


def add_quality_flows(m: pyo.ConcreteModel, case: Case) -> None:
    """Sparse sets and variables of the quality layer, all in m3/day and non-negative.

        direct_reuse_m3_per_day[u, v, g, t]   untreated generation-g wastewater of u sent to v,
                                              for (u, v) a link and g <= min(k_u, k_v)
        operation_m3_per_day[u, t]            flow through mass-transfer operation u
        collected_m3_per_day[u, s, g, t]      wastewater of u fed to train s; only when a train
                                              has a feed limit, which needs to know whose
                                              wastewater it takes
    """
    q = case.quality
    if q is None:
        return
    m.quality = q
    m.CONTAMINANTS = pyo.Set(initialize=q.contaminants, ordered=True)
    reuses = [(*a, *b, g) for a, b in q.links
              for g in range(min(m.use_of[a].max_recycles, m.use_of[b].max_recycles) + 1)]
    m.DIRECT_REUSES = pyo.Set(initialize=reuses, dimen=5, ordered=True)
    m.reuse_into = defaultdict(list)   # (to use, g) -> from uses
    m.reuse_out_of = defaultdict(list)  # (from use, g) -> to uses
    for fp, fu, tp, tu, g in reuses:
        m.reuse_into[(tp, tu), g].append((fp, fu))
        m.reuse_out_of[(fp, fu), g].append((tp, tu))
    m.OPERATIONS = pyo.Set(initialize=[u for u in m.USES if u in q.operations], dimen=2,
                           ordered=True)
    collections = []
    if q.max_feed_ppm:
        collections = [(*u, s, g) for s, z, g in m.FEEDS for u in m.network.uses_in.get(z, ())]
    m.COLLECTIONS = pyo.Set(initialize=collections, dimen=4, ordered=True)
    m.collected_into = defaultdict(list)  # (use, g) -> trains
    for p, u, s, g in collections:
        m.collected_into[(p, u), g].append(s)
    m.direct_reuse_m3_per_day = pyo.Var(m.DIRECT_REUSES * m.PERIODS,
                                        domain=pyo.NonNegativeReals)
    m.operation_m3_per_day = pyo.Var(m.OPERATIONS * m.PERIODS, domain=pyo.NonNegativeReals)
    m.collected_m3_per_day = pyo.Var(m.COLLECTIONS * m.PERIODS, domain=pyo.NonNegativeReals)


def reuse_in(m, use, g: int, t: str):
    return sum(m.direct_reuse_m3_per_day[v[0], v[1], use[0], use[1], g, t]
               for v in m.reuse_into.get((use, g), ()))


def reuse_out(m, use, g: int, t: str):
    return sum(m.direct_reuse_m3_per_day[use[0], use[1], v[0], v[1], g, t]
               for v in m.reuse_out_of.get((use, g), ()))


def generations(m, use) -> range:
    return range(m.use_of[use].max_recycles + 1)


def source_ppm(m, source: str) -> dict[str, float]:
    """Concentrations of recycled water from a train, or from a recycled-water tank.

    A tank holds the product of every train serving its zone, mixed in proportions the model
    does not track, so its water is charged the highest product concentration among those
    trains: conservative (it may overstate tap, never break a limit)."""
    q = m.quality
    if source in m.train_of:
        return {j: q.product_ppm[source, j] for j in q.contaminants}
    zone = m.tank_of[source].zone
    fillers = [s.name for s in m.case.trains if zone in s.zones]
    return {j: max((q.product_ppm[s, j] for s in fillers), default=q.tap_ppm[j])
            for j in q.contaminants}


def inflows(m, use, t: str) -> list[tuple[object, dict[str, float]]]:
    """Every flow into a use with its concentrations: [(variable, {contaminant: ppm})]."""
    q = m.quality
    p, u = use
    flows = [(m.tap_m3_per_day[p, u, t], q.tap_ppm)]
    for k in getattr(m, "tankers_to", {}).get(use, ()):  # trucked water is tap quality
        flows.append((m.tanker_m3_per_day[k, p, u, t], q.tap_ppm))
    for s, g in m.network.deliveries_to.get(use, ()):
        flows.append((m.recycled_m3_per_day[p, u, s, g, t], source_ppm(m, s)))
    for g in generations(m, use):
        for v in m.reuse_into.get((use, g), ()):
            flows.append((m.direct_reuse_m3_per_day[v[0], v[1], p, u, g, t],
                          {j: q.outlet(v, j) for j in q.contaminants}))
    return flows


def add_direct_reuse_balance(m: pyo.ConcreteModel, case: Case) -> None:
    """Direct reuse and operations enter the core balances; wastewater is shared per use.

        demand_balance[u, t]:  tap + recycled + sum_{v,g} direct_reuse[v, u, g, t]
                               - operation_m3_per_day[u, t] = demand[u, t]   (demand 0 for ops)
        wastewater_availability[z, g, t]:  fed + sum_{u in z} direct_reuse out of u at g
                               <= sum_{u in z} return_fraction[u] * (supply[u, g] + reuse in[u, g])
        use_wastewater_availability[u, g, t]:
            sum_v direct_reuse[u, v, g, t] + sum_s collected[u, s, g, t]
                               <= return_fraction[u] * (supply[u, g, t] + reuse in[u, g, t])
    The zone pool plus the per-use rows are exact without per-use treatment variables: when each
    use's reuse fits its own wastewater and the zone's total fits the zone's, the treated
    remainder can always be split among the uses.
    """
    if case.quality is None:
        return
    for p, u, t in m.demand_balance:
        use = (p, u)
        extra = sum(reuse_in(m, use, g, t) for g in generations(m, use))
        if use in m.quality.operations:
            extra -= m.operation_m3_per_day[p, u, t]
        if not isinstance(extra, (int, float)):  # something to add
            _extend(m.demand_balance[p, u, t], extra)
    for z, g, t in m.wastewater_availability:
        extra = sum(reuse_out(m, use, g, t) - m.use_of[use].return_fraction * reuse_in(m, use, g, t)
                    for use in m.network.uses_in.get(z, ()))
        if not isinstance(extra, (int, float)):  # something to add
            _extend(m.wastewater_availability[z, g, t], extra)

    keys = sorted({(use, g) for use, g in m.reuse_out_of} | {k for k in m.collected_into})
    m.USE_WASTEWATER = pyo.Set(initialize=[(*use, g) for use, g in keys], dimen=3, ordered=True)

    def rule(m, p, u, g, t):
        use = (p, u)
        out = reuse_out(m, use, g, t) + sum(m.collected_m3_per_day[p, u, s, g, t]
                                            for s in m.collected_into.get((use, g), ()))
        made = core.supply_m3_per_day(m, p, u, g, t) + reuse_in(m, use, g, t)
        return out <= m.use_of[use].return_fraction * made
    m.use_wastewater_availability = pyo.Constraint(m.USE_WASTEWATER * m.PERIODS, rule=rule)


def add_feed_split(m: pyo.ConcreteModel, case: Case) -> None:
    """With feed limits, a zone's feed to a train is the sum of its uses' collected wastewater.

        feed_m3_per_day[s, z, g, t] = sum_{u in z} collected_m3_per_day[u, s, g, t]
    """
    if case.quality is None or not case.quality.max_feed_ppm:
        return
    m.feed_split = pyo.Constraint(m.FEEDS * m.PERIODS, rule=lambda m, s, z, g, t:
                                  m.feed_m3_per_day[s, z, g, t] == sum(
                                      m.collected_m3_per_day[p, u, s, g, t]
                                      for p, u in m.network.uses_in.get(z, ())))


def add_operation_mass_balance(m: pyo.ConcreteModel, case: Case) -> None:
    """A mass-transfer operation picks up its load and leaves at its outlet concentration.

        outlet_ppm[u, j] * operation_m3_per_day[u, t]
            = sum_sources flow * c[source, j] + 1000 * load_kg_per_day[u, j]

    Exact for one contaminant (Savelski & Bagajewicz 2000: some optimal network has every
    operation at its maximum outlet). With several contaminants, and only when the case sets
    `allow_multi_contaminant_loads`, the rows become `>=` on the left: each outlet is at most its
    outlet_ppm, and downstream users are charged outlet_ppm, which is conservative.
    """
    q = case.quality
    if q is None or not q.operations:
        return
    m.OPERATION_ROWS = pyo.Set(initialize=[(p, u, j) for p, u in m.OPERATIONS
                                           for j in q.contaminants], dimen=3, ordered=True)

    def rule(m, p, u, j, t):
        picked_up = MG_PER_KG * q.operations[p, u].get(j, 0.0)
        carried_in = sum(var * c[j] for var, c in inflows(m, (p, u), t))
        leaving = q.outlet((p, u), j) * m.operation_m3_per_day[p, u, t]
        if q.exact_operations:
            return leaving == carried_in + picked_up
        return leaving >= carried_in + picked_up
    m.operation_mass_balance = pyo.Constraint(m.OPERATION_ROWS * m.PERIODS, rule=rule)


def check_cleanest_sources(case: Case) -> None:
    """Raise `InfeasibleError` if a use that must take water has a limit below every source it
    can draw from: tap, the trains serving its zone (if it accepts recycled water) and the uses
    linked to it. This is the common cause of an infeasible quality case; naming it beats a
    bare "infeasible"."""
    q = case.quality
    trains_of = defaultdict(list)
    for tr in case.trains:
        for z in tr.zones:
            trains_of[z].append(tr.name)
    linked = defaultdict(list)
    for a, b in q.links:
        linked[b].append(a)
    lines = []
    for u in case.uses:
        needs_water = u.demand_m3_per_day > 0 or any(
            v > 0 for v in q.operations.get(u.key, {}).values())
        if not needs_water:
            continue
        for j in q.contaminants:
            limit = q.limit(u.key, j)
            if limit is None:
                continue
            sources = [("tap", q.tap_ppm[j])]
            if u.max_recycles >= 1:
                sources += [(f"train {s} product", q.product_ppm[s, j]) for s in trains_of[u.zone]]
            sources += [(f"wastewater of {'/'.join(a)}", q.outlet(a, j)) for a in linked[u.key]]
            name, cleanest = min(sources, key=lambda x: x[1])
            if limit < cleanest:
                lines.append(f"use {'/'.join(u.key)} limits {j} to {limit:g} ppm, but the "
                             f"cleanest water it can receive is {name} at {cleanest:g} ppm")
    if lines:
        raise InfeasibleError("no plan meets every inlet limit:\n" +
                              "\n".join(f"  - {line}" for line in lines))


def add_inlet_limits(m: pyo.ConcreteModel, case: Case) -> None:
    """A use's inlet mix stays within its limit, for every contaminant with a limit.

        sum_sources flow[source, u, t] * (c[source, j] - max_inlet_ppm[u, j]) <= 0
    i.e. sum flow * c <= max_inlet_ppm * total inflow, linear since c is data.
    """
    q = case.quality
    if q is None:
        return
    check_cleanest_sources(case)
    m.INLET_LIMITS = pyo.Set(initialize=[(p, u, j) for p, u in m.USES for j in q.contaminants
                                         if q.limit((p, u), j) is not None],
                             dimen=3, ordered=True)

    def rule(m, p, u, j, t):
        limit = q.limit((p, u), j)
        terms = [(var, c[j] - limit) for var, c in inflows(m, (p, u), t)]
        if all(coef <= 0 for _, coef in terms):
            return pyo.Constraint.Skip  # every source is within the limit: cannot bind
        return sum(coef * var for var, coef in terms) <= 0
    m.inlet_limit = pyo.Constraint(m.INLET_LIMITS * m.PERIODS, rule=rule)


def add_feed_limits(m: pyo.ConcreteModel, case: Case) -> None:
    """A train's feed stays within its optional limit, for every contaminant with one.

        sum_{u, g} collected[u, s, g, t] * (outlet_ppm[u, j] - max_feed_ppm[s, j]) <= 0
    """
    q = case.quality
    if q is None or not q.max_feed_ppm:
        return
    m.FEED_LIMITS = pyo.Set(initialize=[(s, j) for s, j in q.max_feed_ppm if s in m.TRAINS],
                            dimen=2, ordered=True)

    def rule(m, s, j, t):
        limit = q.max_feed_ppm[s, j]
        terms = [(m.collected_m3_per_day[p, u, s2, g, t], q.outlet((p, u), j) - limit)
                 for p, u, s2, g in m.COLLECTIONS if s2 == s]
        if all(coef <= 0 for _, coef in terms):
            return pyo.Constraint.Skip
        return sum(coef * var for var, coef in terms) <= 0
    m.feed_limit = pyo.Constraint(m.FEED_LIMITS * m.PERIODS, rule=rule)
