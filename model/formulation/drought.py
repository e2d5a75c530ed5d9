"""Drought rationing: uses may go short, by priority class, optionally sharing cuts fairly.

- **Shortage.** When rationing is enabled (`case.rationing.enabled`), each use may go short:
  `shortage_m3_per_day[u, t]` is demand not supplied. Without rationing the set is empty, and a
  binding tap cap is infeasible (exit 3, with the minimum tap needed).
- **Priority.** Uses carry a priority class (1 is cut last). The shortage stages are strictly
  lexicographic by class: class 1's shortage is minimised first, then class 2's with class 1
  held, and so on; priority weighting with weights far enough apart never to trade a class
  against a lower one.
- **Fair share.** Optionally, max-min within a class: the largest fraction of demand cut in the
  class is minimised first, then the class's total shortage, so that no use is cut more than
  the fairest plan needs, and no use is cut needlessly.
- **Priced shortage.** With `price_shortage`, shortage is priced at each use's
  `lost_value_per_m3` in the cost stage, which then comes first: (cost, tap).
"""
from __future__ import annotations

import pyomo.core as pyo

from model.formulation.sets import Network
from model.formulation.stages import Stage
from model.formulation.terms import LOST_PRODUCTION, Terms


def add_shortage(m: pyo.ConcreteModel, net: Network, terms: Terms) -> None:
    """Shortage variables, and the fair-share limit on them.

        0 <= shortage_m3_per_day[u, t] <= demand_m3_per_day[u, t]          (rationing only)
        shortage_m3_per_day[u, t] <= cut_fraction[c(u), t] * demand[u, t]  (fair share only)

    Terms: shortage lowers the use's demand; with price_shortage it costs
    lost_value_per_m3[u] x shortage (lost production).
    """
    r = net.case.rationing
    fair = bool(net.SHORTAGES) and r.fair_share
    m.shortage_m3_per_day = pyo.Var(
        m.SHORTAGES * m.PERIODS, domain=pyo.NonNegativeReals,
        bounds=lambda m, p, u, t: (0.0, net.demand((p, u), t)))
    m.cut_fraction = pyo.Var(m.PRIORITY_CLASSES * m.PERIODS if fair else [], bounds=(0.0, 1.0))
    m.fair_share = pyo.Constraint(m.SHORTAGES * m.PERIODS if fair else [],
                                  rule=lambda m, p, u, t: m.shortage_m3_per_day[p, u, t]
                                  <= m.cut_fraction[r.priority_of(p, u), t]
                                  * net.demand((p, u), t))
    for (p, u, t), short in m.shortage_m3_per_day.items():
        terms.demand_change[(p, u), t].append(-short)
        if r.price_shortage:
            terms.cost[t].append((LOST_PRODUCTION, r.lost_value_per_m3[p, u] * short))


def add_shortage_objectives(m: pyo.ConcreteModel, net: Network) -> tuple[Stage, ...]:
    """One stage per priority class, from class 1 (cut last) down:

        largest_cut_priority_c = sum_t days_t * cut_fraction[c, t]              (fair share only)
        shortage_priority_c_m3 = sum_t days_t * sum_{u in class c} shortage_m3_per_day[u, t]

    None when shortage is priced (it is then part of the cost stage) or not allowed.
    """
    r = net.case.rationing
    if not net.SHORTAGES or r.price_shortage:
        return ()
    stages = []
    for c in net.PRIORITY_CLASSES:
        if r.fair_share:
            fairest = f"largest_cut_priority_{c}"
            m.add_component(fairest, pyo.Objective(expr=sum(
                net.days[t] * m.cut_fraction[c, t] for t in net.PERIODS)))
            stages.append(fairest)
        name = f"shortage_priority_{c}_m3"
        m.add_component(name, pyo.Objective(expr=sum(
            net.days[t] * v for (p, u, t), v in m.shortage_m3_per_day.items()
            if r.priority_of(p, u) == c)))
        stages.append(name)
    for name in stages:
        m.component(name).deactivate()
    return tuple(Stage(name) for name in stages)
