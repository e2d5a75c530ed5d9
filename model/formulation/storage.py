"""Storage tanks: water held from one period to the next.

Two kinds of tank, both in one zone and both tracked by generation g (the number of treatment
passes the water has had), so that reuse limits stay exact through storage:

- a recycled-water tank (`holds = "recycled"`) sits between the trains and the uses. Trains
  serving its zone may charge it with generation-g product; it delivers generation-g water to
  the zone's uses that accept g. In the sets it is one more *source* of recycled water
  (`model.formulation.sets`), so the demand balance and the wastewater returns count its
  deliveries with no special case;
- a wastewater equalisation basin (`holds = "wastewater"`) sits between the uses and the trains:
  it takes generation-g wastewater from its zone's pool and gives it back in a later period.

Levels are at the end of each period; flows are constant within a period, so a level that is
within [0, capacity] at both ends of a period is within it throughout. Initial contents are
generation 1 (recycled) or 0 (wastewater): a stated assumption, since tanks do not record history.
"""
from __future__ import annotations

import pyomo.core as pyo

from model.formulation.sets import Network
from model.formulation.terms import Terms


def add_storage(m: pyo.ConcreteModel, net: Network, terms: Terms) -> None:
    """Tank variables, all non-negative.

        tank_level_m3[k, g, t]                 generation-g contents of tank k at the end of t
        tank_charge_m3_per_day[s, k, g, t]     generation-g product of train s put into tank k
        basin_in_m3_per_day[k, g, t]           generation-g wastewater put into basin k
        basin_out_m3_per_day[k, g, t]          ... and taken out of it, back to its zone's pool

    Terms: a tank charge of generation g is product used of pass g - 1 of its train; a basin's
    net charge is wastewater taken from its zone's generation-g pool.
    """
    m.tank_level_m3 = pyo.Var(m.TANK_LAYERS * m.PERIODS, domain=pyo.NonNegativeReals)
    m.tank_charge_m3_per_day = pyo.Var(m.TANK_CHARGES * m.PERIODS, domain=pyo.NonNegativeReals)
    m.basin_in_m3_per_day = pyo.Var(m.BASIN_LAYERS * m.PERIODS, domain=pyo.NonNegativeReals)
    m.basin_out_m3_per_day = pyo.Var(m.BASIN_LAYERS * m.PERIODS, domain=pyo.NonNegativeReals)
    for (s, k, g, t), charge in m.tank_charge_m3_per_day.items():
        terms.product_used[s, g - 1, t].append(charge)
    for (k, g, t) in m.basin_in_m3_per_day:
        zone = net.tank_of[k].zone
        terms.wastewater_taken[zone, g, t].append(
            m.basin_in_m3_per_day[k, g, t] - m.basin_out_m3_per_day[k, g, t])


def net_charge_m3_per_day(m: pyo.ConcreteModel, net: Network, k: str, g: int, t: str):
    """Generation-g water put into (+) or taken from (-) tank k in period t."""
    if net.tank_of[k].holds == "wastewater":
        return m.basin_in_m3_per_day[k, g, t] - m.basin_out_m3_per_day[k, g, t]
    charge = sum(m.tank_charge_m3_per_day[s, k2, g2, t]
                 for s, k2, g2 in m.TANK_CHARGES if k2 == k and g2 == g)
    discharge = sum(m.recycled_m3_per_day[p, u, k, g, t]
                    for p, u in net.deliveries_from.get((k, g), ()))
    return charge - discharge


def add_tank_balance(m: pyo.ConcreteModel, net: Network) -> None:
    """A tank's contents change by what goes in less what comes out, per generation.

        tank_level_m3[k, g, t] = tank_level_m3[k, g, t-1]
                                 + days_t * (charge_m3_per_day[k, g, t]
                                             - discharge_m3_per_day[k, g, t])
            with tank_level_m3[k, g, start] = initial_m3[k] for the initial generation, else 0
            recycled tank:    charge = sum_s tank_charge_m3_per_day[s, k, g, t]  (train product)
                              discharge = sum_u recycled_m3_per_day[u, k, g, t]  (to uses)
            wastewater basin: charge = basin_in_m3_per_day[k, g, t]  (from the zone's pool)
                              discharge = basin_out_m3_per_day[k, g, t]  (back to the pool)
    """
    previous = dict(zip(net.PERIODS[1:], net.PERIODS[:-1]))

    def balance(m, k, g, t):
        tank = net.tank_of[k]
        if t in previous:
            before = m.tank_level_m3[k, g, previous[t]]
        else:
            first = 1 if tank.holds == "recycled" else 0
            before = tank.initial_m3 if g == first else 0.0
        return m.tank_level_m3[k, g, t] == \
            before + net.days[t] * net_charge_m3_per_day(m, net, k, g, t)
    m.tank_balance = pyo.Constraint(m.TANK_LAYERS * m.PERIODS, rule=balance)


def add_tank_limits(m: pyo.ConcreteModel, net: Network) -> None:
    """A tank holds no more than its capacity, and ends the horizon with its minimum.

        sum_g tank_level_m3[k, g, t] <= capacity_m3[k]
        sum_g tank_level_m3[k, g, last period] >= min_final_m3[k]
    """
    # With max_recycles = 0 a tank has no generation it could hold (load_case rejects such a
    # case; a case built in Python gets an empty tank instead of a trivial constraint).
    def capacity(m, k, t):
        held = [m.tank_level_m3[k, g, t] for k2, g in m.TANK_LAYERS if k2 == k]
        return sum(held) <= net.tank_of[k].capacity_m3 if held else pyo.Constraint.Skip
    m.tank_capacity = pyo.Constraint(m.TANKS * m.PERIODS, rule=capacity)

    def final(m, k):
        held = [m.tank_level_m3[k, g, net.PERIODS[-1]] for k2, g in m.TANK_LAYERS if k2 == k]
        if not held:
            return pyo.Constraint.Skip if net.tank_of[k].min_final_m3 <= 0 \
                else pyo.Constraint.Infeasible
        return sum(held) >= net.tank_of[k].min_final_m3
    m.tank_final_level = pyo.Constraint(m.TANKS, rule=final)
