"""Read the steady-state core of a case: case.toml, plants.csv, uses.csv and treatment.csv.

The core defines the names every later file refers to: plants and zones (plants.csv), uses
(plant, use) and trains. A use's effective reuse limit is its own `max_recycles`, capped at the
site's K; a blank one means K.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from model.case.objects import Plant, Train, Use, UseKey
from model.case.rows import CaseSettings, PlantRow, TrainRow, UseRow
from model.case.tables import CaseFolder, Namespace, Table


@dataclass(frozen=True)
class Core:
    """What the core files gave: the objects of every accepted row, for the later readers."""

    settings: CaseSettings | None         # None when case.toml was missing or invalid
    plants: dict[str, Plant]
    uses: tuple[Use, ...]
    trains: tuple[Train, ...]
    blank_demand: dict[UseKey, int]       # use -> its line in uses.csv, demand cell blank
    train_lines: dict[str, int] = field(default_factory=dict)  # train -> its line

    @property
    def max_recycles(self) -> int | None:
        return None if self.settings is None else self.settings.max_recycles

    @property
    def zones(self) -> set[str]:
        return {p.zone for p in self.plants.values()}


def read_core(folder: CaseFolder) -> Core:
    """Read and check the four core files; define the plant, zone, use and train names."""
    settings = folder.settings(CaseSettings, required=True)
    plants = _plants(folder)
    uses, blank_demand = _uses(folder, plants, settings.max_recycles if settings else 0)
    trains, train_lines = _trains(folder)
    return Core(settings, plants, uses, trains, blank_demand, train_lines)


def _plants(folder: CaseFolder) -> dict[str, Plant]:
    table = folder.table(PlantRow, required=True)
    folder.names["plant"] = Namespace.of(table, ("plant",), "plant is not in plants.csv")
    folder.names["zone"] = Namespace.of(table, ("zone",), "zone has no plant in plants.csv")
    if table.empty:
        folder.problems.add(table.file, "empty case: no plants are listed")
    return {r.plant: Plant(r.plant, r.zone) for _, r in table.rows}


def _uses(folder: CaseFolder, plants: dict[str, Plant],
          site_max_recycles: int) -> tuple[tuple[Use, ...], dict[UseKey, int]]:
    table = folder.table(UseRow, required=True)
    folder.names["use"] = Namespace.of(table, ("plant", "use"), "use is not in uses.csv")
    if table.empty:
        folder.problems.add(table.file, "empty case: no uses are listed")
    uses = []
    blank_demand: dict[UseKey, int] = {}
    for line, r in table.rows:
        k = site_max_recycles if r.max_recycles is None \
            else min(r.max_recycles, site_max_recycles)
        if r.demand_m3_per_day is None:
            blank_demand[r.plant, r.use] = line  # a flow decided by the model, or an error
        uses.append(Use(r.plant, r.use, plants[r.plant].zone, r.demand_m3_per_day or 0.0,
                        r.return_fraction, k))
    return tuple(uses), blank_demand


def _trains(folder: CaseFolder) -> tuple[tuple[Train, ...], dict[str, int]]:
    table = folder.table(TrainRow, required=True)
    folder.names["train"] = Namespace.of(table, ("train",), "train is not in treatment.csv")
    _check_costs(folder, table)
    return (tuple(Train(r.train, r.capacity_m3_per_day, r.recovery, r.zones, r.cost_per_m3)
                  for _, r in table.rows), {r.train: line for line, r in table.rows})


def _check_costs(folder: CaseFolder, table: Table[TrainRow]) -> None:
    """cost_per_m3 must be given for every train or for none: the cost stage adds money, and
    a train without a price would otherwise look free next to the priced ones."""
    priced = [r.train for _, r in table.parsed if r.cost_per_m3 is not None]
    if not priced or len(priced) == len(table.parsed):
        return
    for line, r in table.parsed:
        if r.cost_per_m3 is None:
            folder.problems.add(table.file, f"cost_per_m3 is blank but given for "
                                f"{', '.join(priced)}; give it for every train or for none",
                                line, "cost_per_m3", "")
