"""Random but valid cases that exercise the model: most recycle water, many hit a capacity
limit, and half run over several periods with tanks, trucks, boosts or rationing.

`random_case(rnd)` draws a case from a `random.Random`; `cases()` is the same generator as a
hypothesis strategy (hypothesis drives the `Random`, so its examples shrink and, under the CI
profile, are derandomized). `tests/test_strategies.py` draws from a fixed seed and measures the
shares the issue asks for, so that the generator cannot drift back to trivial cases:
    >= 80% recycle water, >= 25% have a binding capacity,
    >= 25% are multi-period with tanks, trucks, boosts or shortage.

How the draws make that happen:
- every case has K >= 1 (5% have K = 0, the tap-only edge), and its first use returns at least
  half its water, accepts recycled water and sits in a zone its first train serves;
- a train's capacity is a random share (5% to 150%) of the demand in the zones it serves, so
  that about half the trains are short of capacity;
- a multi-period case has 2-4 periods of 1-31 days with demand factors, and at least one of a
  recycled-water tank or wastewater basin, a tanker, a recovery boost, or rationing (a stage cut
  in some periods, so that shortage is possible), plus sometimes a train outage.
Tanks start with no more than they hold and must end with no more than they start with, and a
tap cap comes only with rationing (shortage allowed), so every case has a feasible plan.
"""
from __future__ import annotations

import random

from hypothesis import strategies as st

from model.case import (Boost, Case, Emergency, Period, PeriodData, Plant, Rationing, Tank,
                        Tanker, Train, Use)

DAYS = (1.0, 7.0, 28.0, 30.0, 31.0)


def _uses(rnd: random.Random, K: int, zones: list[str], max_uses: int) -> list[Use]:
    uses = []
    for i in range(rnd.randint(1, max_uses)):
        zone = zones[0] if i == 0 else rnd.choice(zones)
        returned = rnd.uniform(0.5, 1.0) if i == 0 or rnd.random() < 0.8 else rnd.uniform(0, 0.5)
        k = K if i == 0 or rnd.random() < 0.6 else rnd.randint(0, K)
        uses.append(Use(f"P{zone}-{i % 2}", f"use{i}", zone, round(rnd.uniform(10, 5000), 3),
                        round(returned, 4), k))
    return uses


def _trains(rnd: random.Random, uses: list[Use], zones: list[str], max_trains: int,
            costed: bool) -> list[Train]:
    trains = []
    for j in range(rnd.randint(1, max_trains)):
        served = rnd.sample(zones, rnd.randint(1, len(zones)))
        if j == 0 and zones[0] not in served:
            served.append(zones[0])
        demand = sum(u.demand_m3_per_day for u in uses if u.zone in served)
        capacity = round(demand * rnd.uniform(0.05, 1.5), 3)
        trains.append(Train(f"T{j}", capacity, round(rnd.uniform(0.3, 0.95), 4), tuple(served),
                            round(rnd.uniform(0, 50), 2) if costed else None))
    return trains


def _periods(rnd: random.Random, case: Case) -> Case:
    """Several periods, and at least one of: a tank or basin, a tanker, a boost, rationing."""
    periods = tuple(Period(f"p{i}", rnd.choice(DAYS)) for i in range(rnd.randint(2, 4)))
    data = PeriodData(demand_factor={(u.plant, u.use, p.name): round(rnd.uniform(0.5, 1.5), 3)
                                     for u in case.uses for p in periods})
    if rnd.random() < 0.3:  # an outage or a derated train in one period
        train = rnd.choice(case.trains)
        data.capacity_m3_per_day[train.name, rnd.choice(periods).name] = \
            round(train.capacity_m3_per_day * rnd.choice((0.0, 0.5)), 3)
    features = set()
    while not features:
        features = {f for f in ("tank", "basin", "tanker", "boost", "rationing")
                    if rnd.random() < 0.4}
    zone = case.uses[0].zone
    tanks = []
    for kind, holds in (("tank", "recycled"), ("basin", "wastewater")):
        if kind in features:
            capacity = round(rnd.uniform(10, 20000), 2)
            initial = round(capacity * rnd.uniform(0, 1), 2)
            tanks.append(Tank(f"{kind}-{zone}", zone, holds, capacity, initial,
                              round(initial * rnd.uniform(0, 1), 2)))
    tankers = (Tanker("truck", round(rnd.uniform(1, 500), 2), round(rnd.uniform(100, 2000), 1),
                      tuple(rnd.sample(case.zones, rnd.randint(1, len(case.zones))))),) \
        if "tanker" in features else ()
    boosts = ()
    if "boost" in features:
        train = rnd.choice(case.trains)
        chosen = tuple(p.name for p in periods if rnd.random() < 0.5)
        boosts = (Boost(train.name, round(min(1.0, train.recovery + rnd.uniform(0.02, 0.3)), 4),
                        round(rnd.uniform(0, 20), 2), chosen),)
    rationing = None
    if "rationing" in features:
        stage_of = {p.name: rnd.choice(("blue", "orange")) for p in periods}
        stage_of[rnd.choice(periods).name] = "orange"
        rationing = Rationing(enabled=True, stages={"blue": 0.0, "orange": round(
            rnd.uniform(0.05, 0.5), 3)}, stage_by_period=stage_of, baseline_m3_per_day=None,
            baseline_source="computed")
    return Case(case.name, case.max_recycles, case.plants, case.uses, case.trains, periods,
                tap_price_per_m3=case.tap_price_per_m3, by_period=data, tanks=tuple(tanks),
                emergency=Emergency(tankers, boosts), rationing=rationing)


def random_case(rnd: random.Random, max_uses: int = 6, max_trains: int = 3,
                multi_period: float = 0.5) -> Case:
    """A valid case drawn from `rnd`; multi-period with probability `multi_period`."""
    K = 0 if rnd.random() < 0.05 else rnd.randint(1, 3)
    zones = [str(z) for z in range(1, rnd.randint(1, 3) + 1)]
    uses = _uses(rnd, K, zones, max_uses)
    costed = rnd.random() < 0.5
    trains = _trains(rnd, uses, zones, max_trains, costed)
    plants = {u.plant: Plant(u.plant, u.zone) for u in uses}  # a plant's name carries its zone
    case = Case("random", K, tuple(plants.values()), tuple(uses), tuple(trains),
                tap_price_per_m3=round(rnd.uniform(5, 20), 2) if costed else None)
    if K >= 1 and rnd.random() < multi_period:
        case = _periods(rnd, case)
    return case


def cases(max_uses: int = 6, max_trains: int = 3, multi_period: float = 0.5):
    """`random_case` as a hypothesis strategy."""
    return st.randoms(use_true_random=False, note_method_calls=False).map(
        lambda rnd: random_case(rnd, max_uses, max_trains, multi_period))
