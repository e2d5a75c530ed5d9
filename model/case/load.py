"""Read a case folder into a validated `Case` (model.case.objects), reporting every problem.

`load_case(folder)` reads `case.toml`, `plants.csv`, `uses.csv` and `treatment.csv`, checks every
file, cell and cross-reference, and raises one `CaseError` listing all problems found. Nothing in
the folder is ever written.
"""
from __future__ import annotations

from pathlib import Path

from model.case.objects import Case, Plant, Train, Use
from model.errors import CaseError, Problem
from model.quality_schema import load_quality
from model.read_timeline import read_timeline
from model.schema import PlantRow, TrainRow, UseRow, read_settings, read_table


def _duplicates(rows, key, file: str, what: str, problems: list[Problem]) -> None:
    seen: dict[tuple, int] = {}
    for line, row in rows:
        k = key(row)
        if k in seen:
            problems.append(
                Problem(file, f"duplicate {what}; first given on line {seen[k]}", line,
                        what, "/".join(k))
            )
        else:
            seen[k] = line


def _has_row_problems(file: str, problems: list[Problem]) -> bool:
    """True if some data row of `file` was rejected: the table is then not empty, only bad."""
    return any(p.file == file and p.row is not None and p.row > 1 for p in problems)


def _mixed_costs(train_rows, problems: list[Problem]) -> None:
    """cost_per_m3 must be given for every train or for none: the cost stage adds money, and
    a train without a price would otherwise look free next to the priced ones."""
    priced = [r.train for _, r in train_rows if r.cost_per_m3 is not None]
    if not priced or len(priced) == len(train_rows):
        return
    for line, r in train_rows:
        if r.cost_per_m3 is None:
            problems.append(Problem(
                "treatment.csv",
                f"cost_per_m3 is blank but given for {', '.join(priced)}; give it for every "
                "train or for none", line, "cost_per_m3", ""))


def load_case(folder: str | Path) -> Case:
    """Read and validate a case folder. Raises `CaseError` listing every problem found."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CaseError([Problem(str(folder), "case folder does not exist")])
    problems: list[Problem] = []
    settings = read_settings(folder, problems)
    bad_plant_rows: list[dict[str, str]] = []
    plant_rows = read_table(folder, "plants.csv", PlantRow, problems, rejected=bad_plant_rows)
    # Names in rejected plant rows are already reported there: a use or train that refers to
    # them is not reported again as referring to an unknown plant or zone.
    reported_plants = {r.get("plant") for r in bad_plant_rows}
    reported_zones = {r.get("zone") for r in bad_plant_rows}
    use_rows = read_table(folder, "uses.csv", UseRow, problems)
    train_rows = read_table(folder, "treatment.csv", TrainRow, problems)

    site_k = settings.max_recycles if settings else 0
    plants: dict[str, Plant] = {}
    if plant_rows is not None:
        _duplicates(plant_rows, lambda r: (r.plant,), "plants.csv", "plant", problems)
        for _, r in plant_rows:
            plants.setdefault(r.plant, Plant(r.plant, r.zone))
        if not plant_rows and not _has_row_problems("plants.csv", problems):
            problems.append(Problem("plants.csv", "empty case: no plants are listed"))

    uses: list[Use] = []
    blank_demand: dict[tuple[str, str], int] = {}
    if use_rows is not None:
        _duplicates(use_rows, lambda r: (r.plant, r.use), "uses.csv", "use", problems)
        if not use_rows and not _has_row_problems("uses.csv", problems):
            problems.append(Problem("uses.csv", "empty case: no uses are listed"))
        for line, r in use_rows:
            plant = plants.get(r.plant)
            if plant is None:
                if plant_rows is not None and r.plant not in reported_plants:
                    problems.append(Problem("uses.csv", "plant is not in plants.csv", line,
                                            "plant", r.plant))
                continue
            k = site_k if r.max_recycles is None else min(r.max_recycles, site_k)
            if r.demand_m3_per_day is None:
                blank_demand[r.plant, r.use] = line  # a flow decided by the model, or an error
            uses.append(Use(r.plant, r.use, plant.zone, r.demand_m3_per_day or 0.0,
                            r.return_fraction, k))

    trains: list[Train] = []
    zones = {p.zone for p in plants.values()}
    if train_rows is not None:
        _duplicates(train_rows, lambda r: (r.train,), "treatment.csv", "train", problems)
        for line, r in train_rows:
            served = tuple(dict.fromkeys(z.strip() for z in r.zones.split(";") if z.strip()))
            if not served:
                problems.append(Problem("treatment.csv", "names no zone", line, "zones",
                                        r.zones))
            for z in served:
                if plant_rows is not None and z not in zones and z not in reported_zones:
                    problems.append(Problem("treatment.csv",
                                            "zone has no plant in plants.csv", line,
                                            "zones", z))
            trains.append(Train(r.train, r.capacity_m3_per_day, r.recovery, served,
                                r.cost_per_m3))
        _mixed_costs(train_rows, problems)

    quality = load_quality(folder, settings, plants, uses, trains, blank_demand, problems)
    extra = read_timeline(folder, plants, uses, trains, problems)
    if settings is not None and settings.max_recycles == 0:
        # tanks hold water between treatment passes, and with K = 0 there are none
        for tank in extra.get("tanks", ()):
            problems.append(Problem("tanks.csv", "a tank needs max_recycles >= 1 in case.toml: "
                                    "with 0 no water is treated, so there is nothing to store",
                                    None, "tank", tank.name))
    if problems or settings is None:
        raise CaseError(problems)
    return Case(
        name=settings.name,
        description=settings.description or "",
        max_recycles=settings.max_recycles,
        plants=tuple(plants.values()),
        uses=tuple(uses),
        trains=tuple(trains),
        tap_cap_m3_per_day=settings.tap.cap_m3_per_day,
        tap_price_per_m3=settings.tap.price_per_m3,
        source=str(folder),
        quality=quality,
        **extra,
    )
