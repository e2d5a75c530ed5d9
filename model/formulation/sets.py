"""Which flows exist: the sparse index sets of the model and their lookups, derived from a case.

Only combinations that can carry water are listed. A use can receive generation g from a source
(a train, or a recycled-water tank) only if the source serves the use's zone and g is within the
use's reuse limit; a train can take generation-g wastewater from zone z only if it serves z and
g is below the site reuse limit. Features absent from a case (tanks, tankers, boosts, shortage,
quality) get empty sets, so every model has every component and nothing needs probing.

`sets_of(case)` computes everything in plain Python; `add_sets(m, net)` declares the Pyomo sets.
Set names are UPPER case; lookups are lower case and map a key to the members of a set.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyomo.core as pyo

from model.case import Boost, Case, Tank, Tanker, Train, Use, UseKey
from model.case.objects import Option, OutsideSupply


@dataclass(frozen=True)
class Network:
    """The case, its sparse sets and the lookups every constraint family reads."""

    case: Case
    USES: tuple[UseKey, ...]
    TRAINS: tuple[str, ...]
    ZONES: tuple[str, ...]
    PERIODS: tuple[str, ...]
    DELIVERIES: tuple[tuple[str, str, str, int], ...]  # (plant, use, source, g): recycled to a use
    FEEDS: tuple[tuple[str, str, int], ...]            # (train, zone, g): wastewater to a train
    POOLS: tuple[tuple[str, int], ...]                 # (zone, g): pools some train draws from
    PASSES: tuple[tuple[str, int], ...]                # (train, g): a pass turning g into g + 1
    TANKS: tuple[str, ...]
    TANK_LAYERS: tuple[tuple[str, int], ...]           # (tank, g) a tank can hold
    TANK_CHARGES: tuple[tuple[str, str, int], ...]     # (train, tank, g): product into a tank
    BASIN_LAYERS: tuple[tuple[str, int], ...]          # (basin, g): wastewater basins
    TANKERS: tuple[str, ...]
    TANKER_DELIVERIES: tuple[tuple[str, str, str], ...]  # (tanker, plant, use)
    BOOSTED: tuple[tuple[str, int, str], ...]          # (train, g, period) that may run boosted
    SHORTAGES: tuple[UseKey, ...]                      # uses that may go short (rationing only)
    PRIORITY_CLASSES: tuple[int, ...]
    CONTAMINANTS: tuple[str, ...]
    DIRECT_REUSES: tuple[tuple[str, str, str, str, int], ...]  # (from p, from u, to p, to u, g)
    OPERATIONS: tuple[UseKey, ...]                     # mass-transfer operations
    COLLECTIONS: tuple[tuple[str, str, str, int], ...]  # (plant, use, train, g) with feed limits
    days: dict[str, float]
    use_of: dict[UseKey, Use]
    train_of: dict[str, Train]
    tank_of: dict[str, Tank]
    tanker_of: dict[str, Tanker]
    boost_of: dict[str, Boost]
    uses_in: dict[str, list[UseKey]]
    deliveries_to: dict[UseKey, list[tuple[str, int]]]
    deliveries_from: dict[tuple[str, int], list[UseKey]]
    feeds_of: dict[str, list[tuple[str, int]]]
    zones_fed: dict[str, list[str]]
    tankers_to: dict[UseKey, list[str]]
    reuse_into: dict[tuple[UseKey, int], list[UseKey]]   # (to use, g) -> from uses
    reuse_out_of: dict[tuple[UseKey, int], list[UseKey]]  # (from use, g) -> to uses
    collected_into: dict[tuple[UseKey, int], list[str]]   # (use, g) -> trains
    SUPPLIES: tuple[str, ...] = ()                      # outside supplies
    SUPPLY_DELIVERIES: tuple[tuple[str, str, str], ...] = ()  # (supply, plant, use)
    OPTIONS: tuple[str, ...] = ()                       # options the model may choose
    supply_of: dict[str, OutsideSupply] = field(default_factory=dict)
    option_of: dict[str, Option] = field(default_factory=dict)

    def demand(self, use: UseKey, period: str) -> float:
        return self.case.demand(self.use_of[use], period)

    def recovery(self, train: str, period: str) -> float:
        return self.case.recovery(self.train_of[train], period)

    def capacity(self, train: str, period: str) -> float:
        return self.case.capacity(self.train_of[train], period)


def tank_generations(case: Case, holds: str) -> range:
    """Generations a tank can hold: recycled water 1..K, wastewater 0..K-1."""
    K = case.max_recycles
    return range(1, K + 1) if holds == "recycled" else range(0, K)


def _deliveries(case: Case) -> tuple[list, dict, dict, list]:
    """Recycled water to uses from trains, then from recycled-water tanks; and the passes.

    A pass (s, g) exists when its product can reach a use, or a tank that a train fills."""
    serving: dict[str, list[str]] = defaultdict(list)
    for t in case.trains:
        for z in t.zones:
            serving[z].append(t.name)
    deliveries, to, frm = [], defaultdict(list), defaultdict(list)

    def deliver(u: Use, source: str) -> None:
        for g in range(1, u.max_recycles + 1):
            deliveries.append((u.plant, u.use, source, g))
            to[u.key].append((source, g))
            frm[source, g].append(u.key)

    for u in case.uses:
        for s in serving[u.zone]:
            deliver(u, s)
    K = case.max_recycles
    passes = [(t.name, g) for t in case.trains for g in range(K) if frm.get((t.name, g + 1))]
    for tank in (k for k in case.tanks if k.holds == "recycled"):
        for u in (u for u in case.uses if u.zone == tank.zone):
            deliver(u, tank.name)
        for t in (t for t in case.trains if tank.zone in t.zones):
            passes += [(t.name, g) for g in range(K) if (t.name, g) not in passes]
    return deliveries, dict(to), dict(frm), passes


def _feeds(case: Case) -> tuple[list, dict, dict]:
    feeds, of, frm = [], defaultdict(list), defaultdict(list)
    for t in case.trains:
        for z in t.zones:
            for g in range(case.max_recycles):
                feeds.append((t.name, z, g))
                of[t.name].append((z, g))
                frm[z, g].append(t.name)
    return feeds, dict(of), dict(frm)


def _storage(case: Case) -> dict:
    tanks = case.tanks
    return {
        "TANKS": tuple(k.name for k in tanks),
        "TANK_LAYERS": tuple((k.name, g) for k in tanks for g in tank_generations(case, k.holds)),
        "TANK_CHARGES": tuple((s.name, k.name, g) for k in tanks if k.holds == "recycled"
                              for s in case.trains if k.zone in s.zones
                              for g in tank_generations(case, k.holds)),
        "BASIN_LAYERS": tuple((k.name, g) for k in tanks if k.holds == "wastewater"
                              for g in tank_generations(case, k.holds)),
        "tank_of": {k.name: k for k in tanks},
    }


def _supply(case: Case, passes: list, periods: tuple[str, ...]) -> dict:
    """Tankers (trucked water to uses in their zones) and boosted treatment passes."""
    tankers = case.emergency.tankers
    deliveries = [(k.name, u.plant, u.use) for k in tankers for u in case.uses
                  if u.zone in k.zones]
    tankers_to: dict[UseKey, list[str]] = defaultdict(list)
    for k, p, u in deliveries:
        tankers_to[p, u].append(k)
    boost_of = {b.train: b for b in case.emergency.boosts}
    boosted = [(s, g, t) for s, g in passes if s in boost_of for t in periods
               if not boost_of[s].periods or t in boost_of[s].periods]
    return {"TANKERS": tuple(k.name for k in tankers), "TANKER_DELIVERIES": tuple(deliveries),
            "tanker_of": {k.name: k for k in tankers}, "tankers_to": dict(tankers_to),
            "BOOSTED": tuple(boosted), "boost_of": boost_of}


def _shortage(case: Case) -> dict:
    r = case.rationing
    if r is None or not r.enabled:
        return {"SHORTAGES": (), "PRIORITY_CLASSES": ()}
    uses = tuple(u.key for u in case.uses)
    return {"SHORTAGES": uses,
            "PRIORITY_CLASSES": tuple(sorted({r.priority_of(p, u) for p, u in uses}))}


def _quality(case: Case, feeds: list, uses_in: dict) -> dict:
    """Direct reuse links by generation, mass-transfer operations, and per-use collection of
    wastewater (only when a train has a feed limit, which must know whose wastewater it takes)."""
    q = case.quality
    if q is None:
        return {"CONTAMINANTS": (), "DIRECT_REUSES": (), "OPERATIONS": (), "COLLECTIONS": (),
                "reuse_into": {}, "reuse_out_of": {}, "collected_into": {}}
    k = {u.key: u.max_recycles for u in case.uses}
    reuses = [(*a, *b, g) for a, b in q.links for g in range(min(k[a], k[b]) + 1)]
    into, out_of = defaultdict(list), defaultdict(list)
    for fp, fu, tp, tu, g in reuses:
        into[(tp, tu), g].append((fp, fu))
        out_of[(fp, fu), g].append((tp, tu))
    collections = [(*u, s, g) for s, z, g in feeds for u in uses_in.get(z, ())] \
        if q.max_feed_ppm else []
    collected: dict = defaultdict(list)
    for p, u, s, g in collections:
        collected[(p, u), g].append(s)
    return {"CONTAMINANTS": q.contaminants, "DIRECT_REUSES": tuple(reuses),
            "OPERATIONS": tuple(u.key for u in case.uses if u.key in q.operations),
            "COLLECTIONS": tuple(collections), "reuse_into": dict(into),
            "reuse_out_of": dict(out_of), "collected_into": dict(collected)}


def _options(case: Case) -> dict:
    """Outside supplies (to uses in their zones that accept recycled water) and the options a
    candidate case leaves to the model (model.case.options.candidate_case)."""
    deliveries = tuple((k.name, u.plant, u.use) for k in case.supplies for u in case.uses
                       if u.zone in k.zones and u.max_recycles >= 1)
    catalogue = {o.name: o for o in case.options}
    return {"SUPPLIES": tuple(k.name for k in case.supplies), "SUPPLY_DELIVERIES": deliveries,
            "supply_of": {k.name: k for k in case.supplies}, "OPTIONS": tuple(case.candidates),
            "option_of": {n: catalogue[n] for n in case.candidates}}


def sets_of(case: Case) -> Network:
    """Every sparse set and lookup of the model of `case`."""
    deliveries, to, frm, passes = _deliveries(case)
    feeds, feeds_of, pools = _feeds(case)
    periods = tuple(p.name for p in case.periods)
    uses_in: dict[str, list[UseKey]] = defaultdict(list)
    for u in case.uses:
        uses_in[u.zone].append(u.key)
    return Network(
        case=case, USES=tuple(u.key for u in case.uses),
        TRAINS=tuple(t.name for t in case.trains), ZONES=case.zones, PERIODS=periods,
        DELIVERIES=tuple(deliveries), FEEDS=tuple(feeds), POOLS=tuple(pools),
        PASSES=tuple(passes),
        days={p.name: p.days for p in case.periods}, use_of={u.key: u for u in case.uses},
        train_of={t.name: t for t in case.trains}, uses_in=dict(uses_in),
        deliveries_to=to, deliveries_from=frm, feeds_of=feeds_of,
        zones_fed={t.name: sorted({z for z, _ in feeds_of.get(t.name, [])})
                   for t in case.trains},
        **_storage(case), **_supply(case, passes, periods), **_shortage(case),
        **_quality(case, feeds, uses_in), **_options(case))


def add_sets(m: pyo.ConcreteModel, net: Network) -> None:
    """Declare the sparse sets on the model, in UPPER case as in the docstrings."""
    def declare(name: str, members, dimen: int = 1) -> None:
        m.add_component(name, pyo.Set(initialize=list(members), dimen=dimen, ordered=True))

    declare("USES", net.USES, 2)
    declare("TRAINS", net.TRAINS)
    declare("ZONES", net.ZONES)
    declare("PERIODS", net.PERIODS)
    # DELIVERIES only indexes the recycled flows, as DELIVERY_PERIODS (flows.py): not declared
    # on its own (38,407 members at 2,000 plants, 0.013 s)
    declare("FEEDS", net.FEEDS, 3)
    declare("POOLS", net.POOLS, 2)
    declare("PASSES", net.PASSES, 2)
    declare("TANKS", net.TANKS)
    declare("TANK_LAYERS", net.TANK_LAYERS, 2)
    declare("TANK_CHARGES", net.TANK_CHARGES, 3)
    declare("BASIN_LAYERS", net.BASIN_LAYERS, 2)
    declare("TANKERS", net.TANKERS)
    declare("TANKER_DELIVERIES", net.TANKER_DELIVERIES, 3)
    declare("BOOSTED", net.BOOSTED, 3)
    declare("SHORTAGES", net.SHORTAGES, 2)
    declare("PRIORITY_CLASSES", net.PRIORITY_CLASSES)
    declare("CONTAMINANTS", net.CONTAMINANTS)
    declare("DIRECT_REUSES", net.DIRECT_REUSES, 5)
    declare("OPERATIONS", net.OPERATIONS, 2)
    declare("COLLECTIONS", net.COLLECTIONS, 4)
    declare("SUPPLIES", net.SUPPLIES)
    declare("SUPPLY_DELIVERIES", net.SUPPLY_DELIVERIES, 3)
    declare("OPTIONS", net.OPTIONS)
