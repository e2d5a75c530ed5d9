"""Random small cases with an options catalogue, for the brute-force checks of the portfolio
MILP: every steady-state kind of option (capacity, recovery, train, link, supply), with
excludes and requires, drawn from a seeded generator so that a failure can be replayed."""
from __future__ import annotations

import itertools
import random

from model.case import Case, Plant, Train, Use
from model.case.objects import Economics, Option

STEADY_KINDS = ("capacity", "recovery", "train", "link", "supply")


def random_case(seed: int, n_options: int) -> Case:
    rnd = random.Random(seed)
    K = rnd.choice([2, 3])
    zones = ["Z1", "Z2", "Z3"][:rnd.choice([2, 3])]
    plants, uses = [], []
    for z in zones:
        for i in range(rnd.choice([1, 2])):
            plant = f"P{z}{i}"
            plants.append(Plant(plant, z))
            for u in range(rnd.choice([1, 2])):
                k = rnd.choice([None, None, 1, 0]) if u else None
                uses.append(Use(plant, f"u{u}", z, float(rnd.randint(50, 500)),
                                rnd.choice([0.6, 0.8, 0.9, 1.0]), K if k is None else k))
    served = zones[:rnd.choice([1, len(zones) - 1])]
    demand = sum(u.demand_m3_per_day for u in uses)
    trains = [Train("T1", round(demand * rnd.uniform(0.3, 1.5)), rnd.choice([0.5, 0.6, 0.7]),
                    tuple(served), rnd.choice([0.5, 1.0, 2.0]))]
    case = Case(name=f"random-{seed}", max_recycles=K, plants=tuple(plants), uses=tuple(uses),
                trains=tuple(trains), tap_price_per_m3=rnd.choice([1.5, 2.5, 4.0]),
                economics=Economics(rnd.choice([0.0, 0.06]), 365.0, "NT$"))
    options = _options(rnd, case, n_options, zones, served)
    return Case(**{**case.__dict__, "options": tuple(options)})


def _options(rnd, case, n, zones, served) -> list[Option]:
    out: list[Option] = []
    unserved = [z for z in zones if z not in served]
    kinds = rnd.sample(STEADY_KINDS, min(n, len(STEADY_KINDS)))
    kinds += [rnd.choice(STEADY_KINDS) for _ in range(n - len(kinds))]
    for i, kind in enumerate(kinds):
        if kind == "link" and not unserved:
            kind = "capacity"
        money = dict(capex=float(rnd.randint(1, 40) * 1000), lifetime_years=rnd.choice([5, 10, 20]),
                     om_per_year=float(rnd.choice([0, 500, 2000])))
        name = f"o{i}-{kind}"
        if kind == "capacity":
            o = Option(name, kind, train="T1", capacity_m3_per_day=float(rnd.randint(50, 400)),
                       **money)
        elif kind == "recovery":
            o = Option(name, kind, train="T1", recovery=rnd.choice([0.75, 0.8, 0.9]), **money)
        elif kind == "train":
            o = Option(name, kind, train=f"N{i}", zones=tuple(rnd.sample(zones, rnd.randint(1, 2))),
                       capacity_m3_per_day=float(rnd.randint(100, 600)),
                       recovery=rnd.choice([0.5, 0.7]), cost_per_m3=rnd.choice([0.5, 1.5]),
                       **money)
        elif kind == "link":
            o = Option(name, kind, train="T1", zones=(rnd.choice(unserved),), **money)
        else:
            o = Option(name, kind, zones=tuple(rnd.sample(zones, rnd.randint(1, 2))),
                       capacity_m3_per_day=float(rnd.randint(50, 300)),
                       cost_per_m3=rnd.choice([1.0, 3.0]), **money)
        out.append(o)
    if n >= 4:  # exclusions (three with 7 or more options, to keep the enumeration short) and
        # one requirement (on an earlier option: no cycle)
        for _ in range(3 if n >= 7 else 1):
            a, b = rnd.sample(range(n), 2)
            out[a] = Option(**{**out[a].__dict__,
                               "excludes": tuple(dict.fromkeys(out[a].excludes + (out[b].name,)))})
        c = rnd.randrange(1, n)
        d = rnd.randrange(0, c)
        if out[d].name not in out[c].excludes and out[c].name not in out[d].excludes:
            out[c] = Option(**{**out[c].__dict__, "requires": (out[d].name,)})
    return out


def feasible_subsets(case: Case):
    """Every set of options that honours excludes and requires."""
    names = [o.name for o in case.options]
    by_name = {o.name: o for o in case.options}
    for r in range(len(names) + 1):
        for subset in itertools.combinations(names, r):
            chosen = set(subset)
            if any(x in chosen for n in subset for x in by_name[n].excludes):
                continue
            if any(x not in chosen for n in subset for x in by_name[n].requires):
                continue
            yield subset
