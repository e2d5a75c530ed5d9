"""Drought rationing in the model: shortage, emergency supply and the objective stages.

- **Shortage.** When rationing is enabled (`case.rationing.enabled`), each use may go short:
  `shortage_m3_per_day[u, t]` is demand not supplied. Without rationing there is no such variable
  and a binding tap cap is infeasible (exit 3, with the minimum tap needed).
- **Priority.** Uses carry a priority class (1 is cut last). The shortage objectives are strictly
  lexicographic by class — class 1's shortage is minimised first, then class 2's with class 1
  held, and so on — which is priority weighting with weights far enough apart never to trade a
  class against a lower one.
- **Fair share.** Optionally every use of a class in a period is cut by the same fraction of its
  demand, `shortage[u, t] = cut_fraction[c, t] * demand[u, t]`; the class stage then minimises
  that common fraction (max-min fairness on the supplied fraction), instead of leaving the split to
  whichever vertex the simplex finds.
- **Tankers** deliver tap-quality water (generation 0) to uses in their zones, up to a daily
  capacity, at a price per m3. Trucked water counts with tap as water bought from outside in the
  tap stage, so it is only used where tap cannot do the job.
- **Recovery boost.** A train may run part of its feed at a higher recovery, for an extra cost per
  m3 of feed, in the listed periods.
- **Stages.** Rationing enabled: (shortage of class 1, class 2, ..., tap, cost). With
  `price_shortage`, shortage is instead priced at each use's `lost_value_per_m3` in the cost
  stage, and the stages are (cost including lost production, tap).
"""
from __future__ import annotations

import pyomo.environ as pyo

from model.case import Case


def rationing_enabled(case: Case) -> bool:
    return case.rationing is not None and case.rationing.enabled


def add_emergency_supply(m: pyo.ConcreteModel, case: Case) -> None:
    """Shortage, tanker and boost variables, and their limits.

        tanker_m3_per_day[k, u, t] >= 0 for u in a zone k serves
        sum_u tanker_m3_per_day[k, u, t] <= capacity_m3_per_day[k]
        0 <= shortage_m3_per_day[u, t] <= demand_m3_per_day[u, t]        (rationing only)
        shortage_m3_per_day[u, t] <= cut_fraction[c(u), t] * demand[u, t] (fair share only)
        boosted_feed_m3_per_day[s, g, t] <= sum_z feed_m3_per_day[s, z, g, t]
    """
    tankers = case.emergency.tankers
    m.tanker_of = {k.name: k for k in tankers}
    m.TANKER_DELIVERIES = pyo.Set(initialize=[(k.name, u.plant, u.use) for k in tankers
                                              for u in case.uses if u.zone in k.zones],
                                  dimen=3, ordered=True)
    m.tanker_m3_per_day = pyo.Var(m.TANKER_DELIVERIES * m.PERIODS, domain=pyo.NonNegativeReals)
    m.tankers_to = {}
    for k, p, u in m.TANKER_DELIVERIES:
        m.tankers_to.setdefault((p, u), []).append(k)
    m.TANKERS = pyo.Set(initialize=list(m.tanker_of), ordered=True)
    m.tanker_capacity = pyo.Constraint(m.TANKERS * m.PERIODS, rule=lambda m, k, t: sum(
        m.tanker_m3_per_day[k2, p, u, t] for k2, p, u in m.TANKER_DELIVERIES if k2 == k)
        <= m.tanker_of[k].capacity_m3_per_day)

    boosted = []
    m.boost_of = {b.train: b for b in case.emergency.boosts}
    for s, g in m.PASSES:
        b = m.boost_of.get(s)
        if b is not None:
            boosted += [(s, g, t) for t in m.PERIODS if not b.periods or t in b.periods]
    m.BOOSTED = pyo.Set(initialize=boosted, dimen=3, ordered=True)
    m.boosted_feed_m3_per_day = pyo.Var(m.BOOSTED, domain=pyo.NonNegativeReals)
    m.boost_feed_limit = pyo.Constraint(m.BOOSTED, rule=lambda m, s, g, t: (
        m.boosted_feed_m3_per_day[s, g, t]
        <= sum(m.feed_m3_per_day[s, z, g, t] for z in m.zones_fed[s])))

    enabled = rationing_enabled(case)
    m.SHORTAGES = pyo.Set(initialize=list(m.USES) if enabled else [], dimen=2, ordered=True)
    m.shortage_m3_per_day = pyo.Var(
        m.SHORTAGES * m.PERIODS, domain=pyo.NonNegativeReals,
        bounds=lambda m, p, u, t: (0.0, case.demand(m.use_of[p, u], t)))
    classes = sorted({case.rationing.priority_of(p, u) for p, u in m.SHORTAGES}) \
        if enabled else []
    m.PRIORITY_CLASSES = pyo.Set(initialize=classes, ordered=True)
    fair = enabled and case.rationing.fair_share
    m.cut_fraction = pyo.Var(m.PRIORITY_CLASSES * m.PERIODS if fair else [],
                             bounds=(0.0, 1.0))
    # max-min fairness: cut_fraction is the largest cut of the class, minimised in its own
    # stage before the class's total shortage (see add_rationing_objectives)
    m.fair_share = pyo.Constraint(m.SHORTAGES * m.PERIODS if fair else [],
                                  rule=lambda m, p, u, t: m.shortage_m3_per_day[p, u, t]
                                  <= m.cut_fraction[case.rationing.priority_of(p, u), t]
                                  * case.demand(m.use_of[p, u], t))


def tanker_to_use(m: pyo.ConcreteModel, plant: str, use: str, t: str):
    """Trucked water delivered to a use (m3/day): tap-quality, generation 0."""
    if not hasattr(m, "tankers_to"):
        return 0
    return sum(m.tanker_m3_per_day[k, plant, use, t] for k in m.tankers_to.get((plant, use), ()))


def shortage_of(m: pyo.ConcreteModel, plant: str, use: str, t: str):
    """Demand of a use not supplied (m3/day); 0 unless rationing is enabled."""
    if not hasattr(m, "SHORTAGES") or (plant, use) not in m.SHORTAGES:
        return 0
    return m.shortage_m3_per_day[plant, use, t]


def boost_extra_product(m: pyo.ConcreteModel, train: str, g: int, t: str):
    """Extra product from running part of the feed boosted: (boost - normal recovery) x feed."""
    if not hasattr(m, "BOOSTED") or (train, g, t) not in m.BOOSTED:
        return 0
    gain = m.boost_of[train].recovery - m.case.recovery(m.train_of[train], t)
    return max(gain, 0.0) * m.boosted_feed_m3_per_day[train, g, t]


def add_rationing_objectives(m: pyo.ConcreteModel, case: Case) -> None:
    """Extend the objectives of `model.build.add_objectives` and set the stage order.

        total_tap_m3 += sum_t days_t * sum_{k,u} tanker_m3_per_day[k, u, t]   (water bought)
        total_cost   += sum_t days_t * (sum price_per_m3[k] * tanker_m3_per_day[k, u, t]
                                        + sum extra_cost_per_m3[s] * boosted_feed_m3_per_day[s, g, t])
        shortage_priority_c_m3 = sum_t days_t * sum_{u in class c} shortage_m3_per_day[u, t]
        largest_cut_priority_c = sum_t days_t * cut_fraction[c, t]          (fair share only)

    Stages: for each class c from 1 (cut last) down, [largest_cut_priority_c (fair share only),
    shortage_priority_c_m3], then total_tap_m3, then total_cost. Fair share thus minimises the
    largest fraction of demand cut in the class first (max-min), and only then the class's total
    shortage, so no use is cut more than the fairest plan needs, and no use is cut needlessly.
        price_shortage: total_cost += sum_t days_t * sum_u lost_value_per_m3[u] * shortage[u, t]
    """
    trucked = sum(m.days[t] * v for (_, _, _, t), v in m.tanker_m3_per_day.items())
    if len(m.TANKER_DELIVERIES):
        m.total_tap_m3.set_value(m.total_tap_m3.expr + trucked)
    extra = sum(m.days[t] * m.tanker_of[k].price_per_m3 * v
                for (k, _, _, t), v in m.tanker_m3_per_day.items())
    extra += sum(m.days[t] * m.boost_of[s].extra_cost_per_m3 * v
                 for (s, _, t), v in m.boosted_feed_m3_per_day.items())
    if not rationing_enabled(case):
        if len(m.TANKER_DELIVERIES) or len(m.BOOSTED):
            m.total_cost.set_value(m.total_cost.expr + extra)
        return
    r = case.rationing
    if r.price_shortage:
        lost = sum(m.days[t] * r.lost_value_per_m3[p, u] * v
                   for (p, u, t), v in m.shortage_m3_per_day.items())
        m.total_cost.set_value(m.total_cost.expr + extra + lost)
        m.total_cost.activate()
        m.total_tap_m3.deactivate()
        m.OBJECTIVE_STAGES = ("total_cost", "total_tap_m3")
        return
    if len(m.TANKER_DELIVERIES) or len(m.BOOSTED):
        m.total_cost.set_value(m.total_cost.expr + extra)
    names = []
    for c in m.PRIORITY_CLASSES:
        if r.fair_share:
            fairest = f"largest_cut_priority_{c}"
            m.add_component(fairest, pyo.Objective(expr=sum(
                m.days[t] * m.cut_fraction[c, t] for t in m.PERIODS)))
            getattr(m, fairest).deactivate()
            names.append(fairest)
        name = f"shortage_priority_{c}_m3"
        expr = sum(m.days[t] * v for (p, u, t), v in m.shortage_m3_per_day.items()
                   if r.priority_of(p, u) == c)
        m.add_component(name, pyo.Objective(expr=expr))
        getattr(m, name).deactivate()
        names.append(name)
    m.total_tap_m3.deactivate()
    getattr(m, names[0]).activate()
    m.OBJECTIVE_STAGES = (*names, "total_tap_m3", "total_cost")
