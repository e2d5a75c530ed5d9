"""Say why a case has no feasible plan, with the numbers an engineer needs to fix it.

Two causes are named: a quality limit below every source a use can draw from (found from the data
alone, before solving), and a tap cap below the least tap draw (found by solving without caps).
"""
from __future__ import annotations

from collections import defaultdict

import highspy
import pyomo.core as pyo

from model.case import Case
from model.errors import InfeasibleError
from model.formulation import Formulation
from model.formulation.balances import campus_tap_m3_per_day
from model.solve.highs import LoadedLP, Status, run


def check_cleanest_sources(case: Case) -> None:
    """Raise `InfeasibleError` if a use that must take water has a limit below every source it
    can draw from: tap, the trains serving its zone (if it accepts recycled water) and the uses
    linked to it. This is the common cause of an infeasible quality case; naming it beats a
    bare "infeasible"."""
    q = case.quality
    if q is None:
        return
    trains_of, linked = defaultdict(list), defaultdict(list)
    for tr in case.trains:
        for z in tr.zones:
            trains_of[z].append(tr.name)
    for a, b in q.links:
        linked[b].append(a)
    lines = []
    for u in case.uses:
        if not (u.demand_m3_per_day > 0
                or any(v > 0 for v in q.operations.get(u.key, {}).values())):
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


def explain_infeasible(f: Formulation, lp: LoadedLP) -> InfeasibleError:
    """Explain an infeasible first stage. Without caps the tap stage is always feasible (tap can
    meet any demand), so the cause is a cap: re-solve without caps to find the tap needed."""
    m = f.model
    capped = list(m.tap_cap.values())
    if not capped:
        return InfeasibleError("the case has no feasible plan")
    h = lp.highs
    for con in capped:
        h.changeRowBounds(lp.row_of[id(con)], -highspy.kHighsInf, highspy.kHighsInf)
    if run(lp, "diagnosis").status is not Status.OPTIMAL:
        return InfeasibleError("the case has no feasible plan, even without its tap cap")
    for var, value in zip(lp.columns, h.getSolution().col_value):
        var.set_value(float(value), skip_validation=True)
    lines = []
    for t in m.TAP_CAPPED:
        needed = pyo.value(campus_tap_m3_per_day(m, t))
        cap = pyo.value(m.tap_cap[t].upper)
        if needed > cap:
            where = "" if len(m.PERIODS) == 1 else f" in period {t}"
            lines.append(f"tap cap{where} is {cap:,.1f} m3/day but the minimum tap draw is "
                         f"{needed:,.1f} m3/day: a shortfall of {needed - cap:,.1f} m3/day")
    return InfeasibleError("no plan meets every demand within the tap cap: "
                           + "; ".join(lines or ["the caps together are too tight"]))
