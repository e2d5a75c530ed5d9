"""Generate a synthetic, valid case folder of any size, for benchmarks and scale tests.

    python benchmarks/generate_case.py --plants 2000 --max-recycles 5 --zones 20 --trains 8 \
        --seed 1 --out benchmarks/cases/p2000

Plants are spread over zones (every zone gets at least one plant). Each plant has a process
rinse and a domestic use, and usually ultrapure-water (UPW) make-up, a scrubber and a cooling
tower, with demands, return fractions and reuse limits drawn from ranges typical of packaging
and test plants. Each treatment train serves a few zones, and every zone is served by at least
one train. Train capacities are sized against the collectable wastewater of the zones served,
some below it and some above it, so that both capacity-bound and return-bound trains occur.

All numbers are synthetic: they exercise the model's size and structure, not any real campus.
The same arguments and seed always give byte-identical files.
"""
from __future__ import annotations

import argparse
import csv
import math
import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path


@dataclass(frozen=True)
class UseProfile:
    """How a kind of use is drawn: its share of a plant's demand, return fraction range, how
    often a plant has it, and its reuse limit as a function of the site limit K."""

    use: str
    share: tuple[float, float]  # fraction of the plant's total demand
    return_fraction: tuple[float, float]
    probability: float  # chance that a plant has this use
    reuse_limit: str  # "site" (blank: K), "strict" (1..K-1), "any" (1..K), "tap" (0)


PROFILES = (
    UseProfile("process rinse", (0.50, 0.70), (0.95, 0.99), 1.00, "site"),
    UseProfile("UPW make-up", (0.15, 0.25), (0.90, 0.98), 0.70, "strict"),
    UseProfile("scrubber", (0.05, 0.10), (0.80, 0.95), 0.80, "site"),
    UseProfile("cooling tower", (0.05, 0.15), (0.20, 0.40), 0.90, "any"),
    UseProfile("domestic", (0.02, 0.04), (0.00, 0.10), 1.00, "tap"),
)

PLANT_DEMAND_MEDIAN_M3_PER_DAY = 1500.0  # lognormal plant size; sigma below gives ~5x spread
PLANT_DEMAND_SIGMA = 0.6
RECOVERY_RANGE = (0.55, 0.85)
COST_PER_M3_RANGE = (12.0, 30.0)
TAP_PRICE_PER_M3 = 12.0
CAPACITY_FACTOR_RANGE = (0.4, 1.4)  # capacity / collectable wastewater share of the train


def _reuse_limit(kind: str, K: int, rng: random.Random) -> str:
    """The uses.csv cell: blank means the site limit K."""
    if kind == "tap" or K == 0:
        return "0"
    if kind == "site":
        return ""
    if kind == "strict":
        return str(rng.randint(1, max(1, K - 1)))
    return str(rng.randint(1, K))


def generate_case(out: str | Path, plants: int, max_recycles: int = 5, zones: int = 20,
                  trains: int = 8, seed: int = 1, costed: bool = True, periods: int = 0) -> Path:
    """Write `case.toml`, `plants.csv`, `uses.csv` and `treatment.csv` into `out`; return it.

    With `periods` > 0, also `periods.csv` (that many days from 2025-01-01) and `demand.csv`
    with a campus demand factor per day: 1 + 0.1 sin(2 pi day / 365), a synthetic season.

    `zones` is reduced to `plants` when there are fewer plants than zones, so that every zone
    has a plant (a train may only serve zones that have one).
    """
    if plants < 1 or zones < 1 or trains < 1 or max_recycles < 0:
        raise ValueError("plants, zones and trains must be >= 1 and max_recycles >= 0")
    rng = random.Random(seed)
    zones = min(zones, plants)
    zone_names = [f"Z{i + 1:02d}" for i in range(zones)]
    width = len(str(plants))

    # the first `zones` plants seed one zone each; the rest are spread at random
    plant_rows = []
    for i in range(plants):
        zone = zone_names[i] if i < zones else rng.choice(zone_names)
        plant_rows.append((f"P{i + 1:0{width}d}", zone))

    use_rows = []
    collectable = dict.fromkeys(zone_names, 0.0)  # m3/day of wastewater returned per zone
    for plant, zone in plant_rows:
        total = PLANT_DEMAND_MEDIAN_M3_PER_DAY * rng.lognormvariate(0.0, PLANT_DEMAND_SIGMA)
        for profile in PROFILES:
            if rng.random() >= profile.probability:
                continue
            demand = round(total * rng.uniform(*profile.share), 1)
            demand = max(demand, 0.1)  # every use has a positive demand
            returned = round(rng.uniform(*profile.return_fraction), 3)
            limit = _reuse_limit(profile.reuse_limit, max_recycles, rng)
            use_rows.append((plant, profile.use, demand, returned, limit))
            collectable[zone] += demand * returned

    # zone i is always served by train i mod trains; each train then takes 0-2 more zones
    served: list[list[str]] = [[] for _ in range(trains)]
    for i, z in enumerate(zone_names):
        served[i % trains].append(z)
    for s in range(trains):
        for z in rng.sample(zone_names, k=min(zones, rng.randint(0, 2))):
            if z not in served[s]:
                served[s].append(z)
        if not served[s]:  # more trains than zones: give the idle train one zone
            served[s].append(rng.choice(zone_names))
    n_serving = {z: sum(z in zs for zs in served) for z in zone_names}

    train_rows = []
    for s, zs in enumerate(served):
        share = sum(collectable[z] / n_serving[z] for z in zs)
        capacity = max(10.0, round(share * rng.uniform(*CAPACITY_FACTOR_RANGE), -1))
        recovery = round(rng.uniform(*RECOVERY_RANGE), 3)
        cost = round(rng.uniform(*COST_PER_M3_RANGE), 2) if costed else None
        train_rows.append((f"T{s + 1:02d}", capacity, recovery, ";".join(zs), cost))

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    name = f"synthetic-p{plants}-k{max_recycles}-z{zones}-t{trains}-s{seed}"
    (out / "case.toml").write_text(
        f'name = "{name}"\n'
        f'description = "Synthetic benchmark case: {plants} plants, {len(use_rows)} uses, '
        f'{zones} zones, {trains} trains (seed {seed}); numbers are not real"\n'
        f"max_recycles = {max_recycles}\n"
        + (f"\n[tap]\nprice_per_m3 = {TAP_PRICE_PER_M3}\n" if costed else ""),
        encoding="utf-8")
    _write_csv(out / "plants.csv", ["plant", "zone"], plant_rows)
    _write_csv(out / "uses.csv",
               ["plant", "use", "demand_m3_per_day", "return_fraction", "max_recycles"],
               use_rows)
    header = ["train", "capacity_m3_per_day", "recovery", "zones"]
    if costed:
        _write_csv(out / "treatment.csv", header + ["cost_per_m3"], train_rows)
    else:
        _write_csv(out / "treatment.csv", header, [r[:4] for r in train_rows])
    if periods > 0:
        days = [date(2025, 1, 1) + timedelta(days=d) for d in range(periods)]
        _write_csv(out / "periods.csv", ["period", "start", "days"],
                   [(f"d{d.isoformat()}", d.isoformat(), 1) for d in days])
        _write_csv(out / "demand.csv", ["period", "factor"],
                   [(f"d{d.isoformat()}", round(1 + 0.1 * math.sin(2 * math.pi * i / 365), 4))
                    for i, d in enumerate(days)])
    return out


def _write_csv(path: Path, header: list[str], rows: list[tuple]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plants", type=int, required=True)
    parser.add_argument("--max-recycles", type=int, default=5, help="site reuse limit K")
    parser.add_argument("--zones", type=int, default=20)
    parser.add_argument("--trains", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-cost", action="store_true",
                        help="omit cost_per_m3, so the second stage minimises treated volume")
    parser.add_argument("--periods", type=int, default=0,
                        help="daily periods with a seasonal campus demand factor (0: steady)")
    parser.add_argument("--out", required=True, help="case folder to write")
    args = parser.parse_args(argv)
    try:
        out = generate_case(args.out, args.plants, args.max_recycles, args.zones, args.trains,
                            args.seed, costed=not args.no_cost, periods=args.periods)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
