"""Small cases built in Python for tests: one zone per name, uses as simple tuples."""
from __future__ import annotations

from model.case import Case, Plant, Train, Use


def make_case(uses, trains=(), max_recycles=3, tap_cap=None, tap_price=None, name="test"):
    """uses: (plant, use, zone, demand, return_fraction, max_recycles or None)
    trains: (name, capacity, recovery, zones tuple, cost or None)."""
    plants = {}
    built = []
    for plant, use, zone, demand, ret, k in uses:
        plants.setdefault(plant, Plant(plant, zone))
        built.append(Use(plant, use, zone, float(demand), float(ret),
                         max_recycles if k is None else min(k, max_recycles)))
    return Case(name=name, max_recycles=max_recycles, plants=tuple(plants.values()),
                uses=tuple(built),
                trains=tuple(Train(n, float(c), float(r), tuple(z), cost)
                             for n, c, r, z, cost in trains),
                tap_cap_m3_per_day=tap_cap, tap_price_per_m3=tap_price)


def single_use(demand=1000.0, ret=0.9, recovery=0.7, K=3, capacity=1e9, k=None, cost=None):
    return make_case([("P", "rinse", "1", demand, ret, k)],
                     [("T", capacity, recovery, ("1",), cost)], max_recycles=K)
