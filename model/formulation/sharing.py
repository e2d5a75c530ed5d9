"""The last lexicographic stage: share tap and recycled water evenly between plants.

When one train pools several zones, many plans draw the same least tap at the same least cost
and differ only in which plant gets the recycled water; the simplex would return whichever
vertex it lands on, e.g. one plant on 2% tap and its twin on 68%. This stage picks, among those
plans, the one whose plants draw tap in the same proportion of their demand, as far as the
limits allow. Only uses that can receive recycled water count (a tap-only use has no choice).
"""
from __future__ import annotations

import pyomo.core as pyo

from model.formulation.sets import Network
from model.formulation.stages import Method, Stage
from model.formulation.terms import linear_sum


def add_even_sharing(m: pyo.ConcreteModel, net: Network) -> Stage | None:
    """Each plant's tap as close as possible to one common share of its recyclable demand.

        plant_tap_m3_per_day[p, t] - tap_share[t] * recyclable_demand_m3_per_day[p, t]
            = share_excess_m3_per_day[p, t] - share_deficit_m3_per_day[p, t]
        even_sharing = sum_t days_t * sum_p (share_excess[p, t] + share_deficit[p, t])

    where plant_tap is the tap drawn by p's recyclable uses and tap_share[t] is free (the model
    picks the common share). Minimising the L1 deviation puts every plant it can exactly on the
    common share. Returns the stage, or None with fewer than two plants to share between.

    The stage pins tap_share[t] first at the campus's own share in the plan before it,

        tap_share_guess[t] = sum_p plant_tap_m3_per_day[p, t] / sum_p recyclable_demand[p, t],

    and then releases it (model.solve.pinned); the optimum is that of the free share.
    """
    recyclable: dict[str, list[tuple[str, str]]] = {}
    for p, u in net.USES:
        if net.deliveries_to.get((p, u)):
            recyclable.setdefault(p, []).append((p, u))
    if len(recyclable) < 2:
        recyclable = {}  # nothing to share: the components exist, over an empty set
    m.SHARING_PLANTS = pyo.Set(initialize=list(recyclable), ordered=True)
    m.tap_share = pyo.Var(m.PERIODS, domain=pyo.Reals)
    m.share_excess_m3_per_day = pyo.Var(m.SHARING_PLANTS * m.PERIODS,
                                        domain=pyo.NonNegativeReals)
    m.share_deficit_m3_per_day = pyo.Var(m.SHARING_PLANTS * m.PERIODS,
                                         domain=pyo.NonNegativeReals)

    taps: dict[str, list] = {}  # period -> the tap columns of every plant's row, in order

    def rule(m, p, t):
        plant_taps = [m.tap_m3_per_day[p2, u, t] for p2, u in recyclable[p]]
        taps.setdefault(t, []).extend(plant_taps)
        demand = sum(net.demand(key, t) for key in recyclable[p])
        return (linear_sum(plant_taps) - m.tap_share[t] * demand
                == m.share_excess_m3_per_day[p, t] - m.share_deficit_m3_per_day[p, t])
    m.even_share = pyo.Constraint(m.SHARING_PLANTS * m.PERIODS, rule=rule)
    if not recyclable:
        return None

    def guess(m, t):  # the campus's own share: sum_p plant_tap[p, t] / sum_p demand[p, t]
        demand = sum(net.demand(key, t) for p in recyclable for key in recyclable[p])
        # the rows' own columns, gathered as they were built: looking each up again took as
        # long as building the rows (0.02 s at 2,000 plants)
        return linear_sum(taps.get(t, ())) / demand if demand > 0 else 0.0
    m.tap_share_guess = pyo.Expression(m.PERIODS, rule=guess)
    m.even_sharing = pyo.Objective(expr=sum(
        net.days[t] * (m.share_excess_m3_per_day[p, t] + m.share_deficit_m3_per_day[p, t])
        for p, t in m.share_excess_m3_per_day))
    m.even_sharing.deactivate()
    # From the cost stage's vertex, primal simplex needed 17 s on the 2,000-plant benchmark
    # (degenerate pivots); interior point with crossover 5 s (benchmarks/README.md).
    # A tie-break: if it cannot be solved, the least-tap, least-cost plan stands (and says so).
    # The rows never restrict the earlier stages (excess and deficit absorb any tap), so they
    # are left unbounded while those are solved (Stage.rows).
    # The free share makes the interior-point method twice as slow; it is solved pinned at the
    # campus's own share of the plan before, then released (model.solve.pinned).
    return Stage("even_sharing", Method.IPM, optional=True, rows=("even_share",),
                 pin=("tap_share", "tap_share_guess"))
