"""Which flows exist: the sparse index sets of the model, derived once from a case.

Only combinations that can carry water are listed. A use can receive generation g from train s
only if its zone is served by s and g is within its reuse limit; a train can take generation g
wastewater from zone z only if it serves z and g is below the site reuse limit.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from model.case import Case

UseKey = tuple[str, str]


@dataclass(frozen=True)
class Network:
    USES: tuple[UseKey, ...]
    TRAINS: tuple[str, ...]
    ZONES: tuple[str, ...]
    # (plant, use, train, generation): recycled water delivered to a use
    DELIVERIES: tuple[tuple[str, str, str, int], ...]
    # (train, zone, generation): wastewater fed to a train
    FEEDS: tuple[tuple[str, str, int], ...]
    # (zone, generation): wastewater pools that at least one train can draw from
    POOLS: tuple[tuple[str, int], ...]
    # (train, generation): treatment passes that turn generation g into g+1
    PASSES: tuple[tuple[str, int], ...]
    deliveries_to: dict[UseKey, list[tuple[str, int]]]
    deliveries_from: dict[tuple[str, int], list[UseKey]]
    feeds_of: dict[str, list[tuple[str, int]]]
    feeds_from: dict[tuple[str, int], list[str]]
    uses_in: dict[str, list[UseKey]]


def network_of(case: Case) -> Network:
    K = case.max_recycles
    trains_serving: dict[str, list[str]] = defaultdict(list)
    for t in case.trains:
        for z in t.zones:
            trains_serving[z].append(t.name)

    deliveries = []
    deliveries_to: dict[UseKey, list[tuple[str, int]]] = defaultdict(list)
    deliveries_from: dict[tuple[str, int], list[UseKey]] = defaultdict(list)
    uses_in: dict[str, list[UseKey]] = defaultdict(list)
    for u in case.uses:
        uses_in[u.zone].append(u.key)
        for s in trains_serving[u.zone]:
            for g in range(1, u.max_recycles + 1):
                deliveries.append((u.plant, u.use, s, g))
                deliveries_to[u.key].append((s, g))
                deliveries_from[(s, g)].append(u.key)

    feeds = []
    feeds_of: dict[str, list[tuple[str, int]]] = defaultdict(list)
    feeds_from: dict[tuple[str, int], list[str]] = defaultdict(list)
    for t in case.trains:
        for z in t.zones:
            for g in range(K):
                feeds.append((t.name, z, g))
                feeds_of[t.name].append((z, g))
                feeds_from[(z, g)].append(t.name)

    return Network(
        USES=tuple(u.key for u in case.uses),
        TRAINS=tuple(t.name for t in case.trains),
        ZONES=case.zones,
        DELIVERIES=tuple(deliveries),
        FEEDS=tuple(feeds),
        POOLS=tuple(feeds_from),
        PASSES=tuple((t.name, g) for t in case.trains for g in range(K)
                     if deliveries_from.get((t.name, g + 1))),
        deliveries_to=dict(deliveries_to),
        deliveries_from=dict(deliveries_from),
        feeds_of=dict(feeds_of),
        feeds_from=dict(feeds_from),
        uses_in=dict(uses_in),
    )
