"""Storage tanks: water held from one period to the next.

Two kinds of tank, both in one zone and both tracked by generation g (the number of treatment
passes the water has had), so that reuse limits stay exact through storage:

- a recycled-water tank (`holds = "recycled"`) sits between the trains and the uses. Trains
  serving its zone may charge it with generation-g product; it delivers generation-g water to
  the zone's uses that accept g. In the model it is one more *source* of recycled water, so the
  demand balance and the wastewater returns count its deliveries with no special case;
- a wastewater equalisation basin (`holds = "wastewater"`) sits between the uses and the trains:
  it takes generation-g wastewater from its zone's pool and gives it back in a later period.

Levels are at the end of each period; flows are constant within a period, so a level that is
within [0, capacity] at both ends of a period is within it throughout. Initial contents are
generation 1 (recycled) or 0 (wastewater): a stated assumption, since tanks do not record history.
"""
from __future__ import annotations

from dataclasses import replace

import pyomo.environ as pyo

from model.case import Case
from model.network import Network


def tank_generations(case: Case, holds: str) -> range:
    """Generations a tank can hold: recycled water 1..K, wastewater 0..K-1."""
    K = case.max_recycles
    return range(1, K + 1) if holds == "recycled" else range(0, K)


def with_tanks(net: Network, case: Case) -> Network:
    """Add recycled-water tanks as delivery sources for their zone's uses, and make sure every
    treatment pass of a train serving a tank's zone exists (its product may go to the tank)."""
    recycled = [k for k in case.tanks if k.holds == "recycled"]
    if not recycled:
        return net
    deliveries = list(net.DELIVERIES)
    to = {u: list(v) for u, v in net.deliveries_to.items()}
    frm = {k: list(v) for k, v in net.deliveries_from.items()}
    passes = list(net.PASSES)
    for tank in recycled:
        for u in case.uses:
            if u.zone != tank.zone:
                continue
            for g in range(1, u.max_recycles + 1):
                deliveries.append((u.plant, u.use, tank.name, g))
                to.setdefault(u.key, []).append((tank.name, g))
                frm.setdefault((tank.name, g), []).append(u.key)
        for train in case.trains:
            if tank.zone in train.zones:
                passes += [(train.name, g) for g in range(case.max_recycles)
                           if (train.name, g) not in passes]
    return replace(net, DELIVERIES=tuple(deliveries), deliveries_to=to, deliveries_from=frm,
                   PASSES=tuple(passes))


def add_storage(m: pyo.ConcreteModel, case: Case) -> None:
    """Tank levels, charges and balances.

        tank_level_m3[k, g, t] = tank_level_m3[k, g, t-1]
                                 + days_t * (charge_m3_per_day[k, g, t] - discharge_m3_per_day[k, g, t])
            with tank_level_m3[k, g, start] = initial_m3[k] for the initial generation, else 0
            recycled tank:   charge = sum_s tank_charge_m3_per_day[s, k, g, t]  (train product)
                             discharge = sum_u recycled_m3_per_day[u, k, g, t]  (to uses)
            wastewater basin: charge = basin_in_m3_per_day[k, g, t]  (from the zone's pool)
                             discharge = basin_out_m3_per_day[k, g, t]  (back to the pool)
        sum_g tank_level_m3[k, g, t] <= capacity_m3[k]
        sum_g tank_level_m3[k, g, last period] >= min_final_m3[k]
    """
    layers = [(k.name, g) for k in case.tanks for g in tank_generations(case, k.holds)]
    charges = [(s.name, k.name, g) for k in case.tanks if k.holds == "recycled"
               for s in case.trains if k.zone in s.zones for g in tank_generations(case, k.holds)]
    basins = [(k.name, g) for k in case.tanks if k.holds == "wastewater"
              for g in tank_generations(case, k.holds)]
    m.tank_of = {k.name: k for k in case.tanks}
    m.TANKS = pyo.Set(initialize=[k.name for k in case.tanks], ordered=True)
    m.TANK_LAYERS = pyo.Set(initialize=layers, dimen=2, ordered=True)
    m.TANK_CHARGES = pyo.Set(initialize=charges, dimen=3, ordered=True)
    m.BASIN_LAYERS = pyo.Set(initialize=basins, dimen=2, ordered=True)
    m.tank_level_m3 = pyo.Var(m.TANK_LAYERS * m.PERIODS, domain=pyo.NonNegativeReals)
    m.tank_charge_m3_per_day = pyo.Var(m.TANK_CHARGES * m.PERIODS, domain=pyo.NonNegativeReals)
    m.basin_in_m3_per_day = pyo.Var(m.BASIN_LAYERS * m.PERIODS, domain=pyo.NonNegativeReals)
    m.basin_out_m3_per_day = pyo.Var(m.BASIN_LAYERS * m.PERIODS, domain=pyo.NonNegativeReals)
    periods = list(m.PERIODS)
    previous = dict(zip(periods[1:], periods[:-1]))

    def net_charge(k: str, g: int, t: str):
        if m.tank_of[k].holds == "wastewater":
            return m.basin_in_m3_per_day[k, g, t] - m.basin_out_m3_per_day[k, g, t]
        charge = sum(m.tank_charge_m3_per_day[s, k2, g2, t]
                     for s, k2, g2 in m.TANK_CHARGES if k2 == k and g2 == g)
        discharge = sum(m.recycled_m3_per_day[p, u, k, g, t]
                        for p, u in m.network.deliveries_from.get((k, g), ()))
        return charge - discharge

    def balance(m, k, g, t):
        tank = m.tank_of[k]
        if t in previous:
            before = m.tank_level_m3[k, g, previous[t]]
        else:
            first = 1 if tank.holds == "recycled" else 0
            before = tank.initial_m3 if g == first else 0.0
        return m.tank_level_m3[k, g, t] == before + m.days[t] * net_charge(k, g, t)
    m.tank_balance = pyo.Constraint(m.TANK_LAYERS * m.PERIODS, rule=balance)

    # With max_recycles = 0 a tank has no generation it could hold (load_case rejects such a
    # case; a case built in Python gets an empty tank instead of a trivial constraint).
    def capacity(m, k, t):
        held = [m.tank_level_m3[k, g, t] for k2, g in m.TANK_LAYERS if k2 == k]
        return sum(held) <= m.tank_of[k].capacity_m3 if held else pyo.Constraint.Skip
    m.tank_capacity = pyo.Constraint(m.TANKS * m.PERIODS, rule=capacity)

    def final(m, k):
        held = [m.tank_level_m3[k, g, periods[-1]] for k2, g in m.TANK_LAYERS if k2 == k]
        if not held:
            return pyo.Constraint.Skip if m.tank_of[k].min_final_m3 <= 0 \
                else pyo.Constraint.Infeasible
        return sum(held) >= m.tank_of[k].min_final_m3
    m.tank_final_level = pyo.Constraint(m.TANKS, rule=final)


def tank_charge_from(m: pyo.ConcreteModel, train: str, g: int, t: str):
    """Generation-g product of `train` sent to recycled-water tanks in period t (m3/day)."""
    if not hasattr(m, "TANK_CHARGES"):
        return 0
    return sum(m.tank_charge_m3_per_day[s, k, g2, t] for s, k, g2 in m.TANK_CHARGES
               if s == train and g2 == g)


def basin_net_charge(m: pyo.ConcreteModel, zone: str, g: int, t: str):
    """Generation-g wastewater from `zone` put into (+) or taken from (-) its basins (m3/day)."""
    if not hasattr(m, "BASIN_LAYERS"):
        return 0
    return sum(m.basin_in_m3_per_day[k, g2, t] - m.basin_out_m3_per_day[k, g2, t]
               for k, g2 in m.BASIN_LAYERS if g2 == g and m.tank_of[k].zone == zone)
