"""Investment options as binaries on the same generation-indexed model: the portfolio MILP.

A candidate case (`model.case.options.candidate_case`) holds every option of the catalogue, and
`net.OPTIONS` names them; each gets one binary `option_chosen[o]`. Every option only adds flows,
capacity or storage, bounded by data x its binary (no big-M beyond the data):

- capacity: the train's capacity row gains capacity x chosen (the `capacity_added` ledger);
- recovery: each pass's feed splits into a part at the old recovery and a part at the new one,
  the latter at most the train's largest capacity x chosen. Exact, not an approximation: with
  the binary at 1 the whole feed may run at the new recovery, at 0 none of it;
- train: a new train with no capacity of its own, to which the option adds capacity x chosen;
- link: feed from, deliveries to and tank charges in the zones it adds are bounded by the
  train's largest capacity (deliveries also by the use's demand) x chosen;
- tank: it starts empty and its level is at most volume x chosen: it stores surplus product
  from one period for a later one (so it does nothing in a steady, one-day case);
- supply: its deliveries are at most its capacity x chosen.

A case without candidates builds none of this: every set is empty.
"""
from __future__ import annotations

from collections import defaultdict

import pyomo.core as pyo

from model.case.economics import fixed_per_year, year_scale
from model.formulation.sets import Network
from model.formulation.terms import Terms

CHOSEN = "option_chosen"
ANNUALIZED = "annualized_cost_per_year"


def largest_capacity(net: Network, train: str, t: str) -> float:
    """A train's capacity in period t with every capacity option and its own train option."""
    added = sum(o.capacity_m3_per_day for o in net.option_of.values()
                if o.kind in ("capacity", "train") and o.train == train)
    return net.capacity(train, t) + added


def add_option_choices(m: pyo.ConcreteModel, net: Network, terms: Terms) -> None:
    """One binary per option, and the terms options add to the shared rows.

        option_chosen[o] in {0, 1}
        upgraded_feed_m3_per_day[o, g, t] >= 0     feed of pass g of a recovery option's train
                                                   run at the option's recovery

    Terms: capacity added[s, t] = capacity_m3_per_day[o] x chosen[o] (capacity options and new
    trains); product of pass g gains (recovery[o] - recovery[s, t]) x upgraded feed.
    """
    m.option_chosen = pyo.Var(m.OPTIONS, domain=pyo.Binary)
    upgrades = [(o, g) for o in net.OPTIONS if net.option_of[o].kind == "recovery"
                for s, g in net.PASSES if s == net.option_of[o].train]
    m.UPGRADES = pyo.Set(initialize=upgrades, dimen=2, ordered=True)
    m.upgraded_feed_m3_per_day = pyo.Var(m.UPGRADES * m.PERIODS, domain=pyo.NonNegativeReals)
    for name in net.OPTIONS:
        o, chosen = net.option_of[name], m.option_chosen[name]
        if o.kind in ("capacity", "train"):
            for t in net.PERIODS:
                terms.capacity_added[o.train, t].append(o.capacity_m3_per_day * chosen)
    for (name, g, t), upgraded in m.upgraded_feed_m3_per_day.items():
        o = net.option_of[name]
        gain = max(o.recovery - net.recovery(o.train, t), 0.0)
        terms.product_made[o.train, g, t].append(gain * upgraded)


def _rows(m: pyo.ConcreteModel, name: str, rows: dict) -> None:
    """Declare the rows {index: relation} as one indexed constraint."""
    m.add_component(name, pyo.Constraint(list(rows), rule=lambda m, *k: rows[k]))


def _chosen(m, options) -> object:
    return sum(m.option_chosen[o] for o in options)


def add_option_limits(m: pyo.ConcreteModel, net: Network) -> None:
    """What an option adds is there only when it is chosen (C[s, t]: the train's capacity with
    every capacity option), and options exclude or require each other.

        sum_g upgraded_feed[o, g, t] <= C[s, t] * chosen[o]                     (recovery)
        sum_{o of s} upgraded_feed[o, g, t] + boosted_feed[s, g, t]
            <= sum_z feed_m3_per_day[s, z, g, t]
        sum_g feed_m3_per_day[s, z, g, t] <= C[s, t] * chosen[o]      (link o adds zone z to s)
        sum_g recycled_m3_per_day[u, s, g, t] <= min(demand[u, t], C[s, t]) * chosen[o]
                                                                       (u in z; C for an operation)
        sum_g tank_charge_m3_per_day[s, k, g, t] <= C[s, t] * chosen[o]          (k in zone z)
        sum_g tank_level_m3[k, g, t] <= volume[k] * chosen[k]                   (tank option k)
        sum_u outside_m3_per_day[k, u, t] <= capacity[k] * chosen[k]          (supply option k)
        chosen[a] + chosen[b] <= 1        (a excludes b)
        chosen[a] <= chosen[b]            (a requires b)
    """
    _recovery_rows(m, net)
    _link_rows(m, net)
    tanks = [o for o in net.OPTIONS if net.option_of[o].kind == "tank"]
    layers = defaultdict(list)
    for k, g in net.TANK_LAYERS:
        layers[k].append(g)
    _rows(m, "option_tank_volume", {
        (k, t): sum(m.tank_level_m3[k, g, t] for g in layers[k])
        <= net.option_of[k].volume_m3 * m.option_chosen[k] for k in tanks for t in net.PERIODS})
    supplied = defaultdict(list)
    for (k, p, u, t), flow in m.outside_m3_per_day.items():
        supplied[k, t].append(flow)
    _rows(m, "option_supply_capacity", {
        (k, t): sum(supplied[k, t]) <= net.option_of[k].capacity_m3_per_day * m.option_chosen[k]
        for k in net.OPTIONS if net.option_of[k].kind == "supply" for t in net.PERIODS
        if supplied[k, t]})
    pairs = {(a, b) for a in net.OPTIONS for b in net.option_of[a].excludes
             if b in net.option_of}
    _rows(m, "option_excludes", {(a, b): m.option_chosen[a] + m.option_chosen[b] <= 1
                                 for a, b in sorted(pairs) if (b, a) not in pairs or a < b})
    _rows(m, "option_requires", {(a, b): m.option_chosen[a] <= m.option_chosen[b]
                                 for a in net.OPTIONS for b in net.option_of[a].requires
                                 if b in net.option_of})


def _recovery_rows(m: pyo.ConcreteModel, net: Network) -> None:
    upgraded = defaultdict(list)
    by_pass = defaultdict(list)
    for (o, g, t), v in m.upgraded_feed_m3_per_day.items():
        upgraded[o, t].append(v)
        by_pass[net.option_of[o].train, g, t].append(v)
    _rows(m, "option_upgraded_feed", {
        (o, t): sum(vs) <= largest_capacity(net, net.option_of[o].train, t) * m.option_chosen[o]
        for (o, t), vs in upgraded.items()})
    boosted = dict(m.boosted_feed_m3_per_day.items())
    _rows(m, "option_feed_split", {
        (s, g, t): sum(vs) + boosted.get((s, g, t), 0.0)
        <= sum(m.feed_m3_per_day[s, z, g, t] for z in net.zones_fed.get(s, ())
               if (s, z, g) in net.FEEDS)
        for (s, g, t), vs in by_pass.items()})


def _link_rows(m: pyo.ConcreteModel, net: Network) -> None:
    linked = defaultdict(list)  # (train, zone) -> link options adding it
    for o in net.OPTIONS:
        if net.option_of[o].kind == "link":
            for z in net.option_of[o].zones:
                linked[net.option_of[o].train, z].append(o)
    feeds, deliveries, charges = {}, {}, {}
    for (s, z), options in linked.items():
        for t in net.PERIODS:
            cap = largest_capacity(net, s, t)
            feeds[s, z, t] = sum(m.feed_m3_per_day[s, z, g, t] for z2, g in net.feeds_of.get(s, ())
                                 if z2 == z) <= cap * _chosen(m, options)
            for use in net.uses_in.get(z, ()):
                flows = [m.recycled_m3_per_day[(*use, s, g, t)]
                         for s2, g in net.deliveries_to.get(use, ()) if s2 == s]
                if flows:
                    bound = cap if use in net.OPERATIONS else min(net.demand(use, t), cap)
                    deliveries[(*use, s, t)] = sum(flows) <= bound * _chosen(m, options)
            for k in (k for k in net.TANKS if net.tank_of[k].zone == z):
                flows = [m.tank_charge_m3_per_day[s, k, g, t]
                         for s2, k2, g in net.TANK_CHARGES if s2 == s and k2 == k]
                if flows:
                    charges[s, k, t] = sum(flows) <= cap * _chosen(m, options)
    _rows(m, "option_link_feed", feeds)
    _rows(m, "option_link_delivery", deliveries)
    _rows(m, "option_link_tank_charge", charges)


def add_annualized_cost(m: pyo.ConcreteModel, net: Network) -> None:
    """The annualised cost of a portfolio (money per year; inactive until a study solves it):

        capex_total = sum_o capex[o] * chosen[o]
        annualized_cost_per_year = sum_o (capex[o] * CRF(r, L[o]) + om_per_year[o]) * chosen[o]
                                   + days_per_year / horizon_days * total_cost
    """
    econ = net.case.economics
    m.capex_total = pyo.Expression(expr=sum(
        net.option_of[o].capex * m.option_chosen[o] for o in net.OPTIONS))
    fixed = sum(fixed_per_year(net.option_of[o], econ) * m.option_chosen[o] for o in net.OPTIONS)
    m.add_component(ANNUALIZED, pyo.Objective(expr=fixed + year_scale(net.case)
                                              * m.total_cost.expr))
    m.component(ANNUALIZED).deactivate()
