"""How large a case's model will be, and whether it fits in this machine's memory, known before
anything is built.

The count follows the sparse sets (`sets.py`) without making them: per period, a use has one
tap flow and one recycled flow per source that can reach it (the trains serving its zone and the
recycled tanks in it) and generation up to its reuse limit; a train one feed per zone served and
generation; a tank a level per generation it holds (and a train's charge of it); plus tankers,
shortages, quality flows and the even-sharing tie-break's columns (a common share, and an excess
and a deficit per plant that can receive recycled water). Constraints are about one per use,
sharing plant, pool, pass, tank layer and tanker per period, and one per generation for each use
that passes water straight on to another (direct reuse).

Memory per model item (variable or constraint) was measured on the benchmark cases (peak
resident memory less the memory after reading the case, over variables plus constraints; figures
in benchmarks/README.md): 3.3 KiB at 2,000 plants (62,000 items, 194 MiB), falling towards
2.4 KiB on larger cases, libraries loaded during the solve included. `BYTES_PER_ITEM` keeps a
margin above that; the interpreter and libraries take `BASE_BYTES`. A case whose
estimate exceeds the memory available is refused with the estimate (exit 2), instead of
exhausting the machine. `WATERALLOC_MEMORY_BYTES` sets a lower ceiling (a shared machine).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from model.case import Case
from model.errors import EXIT_INVALID, WaterallocError

BYTES_PER_ITEM = 4096       # measured about 2.0-2.6 KiB per item at 200-5,000 plants; margin
BASE_BYTES = 200 * 2 ** 20  # interpreter, Pyomo, pandas, HiGHS
MEMORY_ENV = "WATERALLOC_MEMORY_BYTES"


class TooLargeError(WaterallocError):
    """The model would not fit in memory; exit 2, with the estimate."""

    exit_code = EXIT_INVALID


@dataclass(frozen=True)
class ModelSize:
    variables: int
    constraints: int

    @property
    def bytes(self) -> int:
        return BASE_BYTES + BYTES_PER_ITEM * (self.variables + self.constraints)


def estimate_size(case: Case) -> ModelSize:
    """Variables and constraints of the case's model, counted from the case (module docstring)."""
    periods, K = len(case.periods), case.max_recycles
    trains_of_zone: dict[str, int] = {}
    for train in case.trains:
        for z in train.zones:
            trains_of_zone[z] = trains_of_zone.get(z, 0) + 1
    tanks_of_zone: dict[str, int] = {}
    for tank in case.tanks:
        if tank.holds == "recycled":
            tanks_of_zone[tank.zone] = tanks_of_zone.get(tank.zone, 0) + 1
    sources_of = {u.key: (trains_of_zone.get(u.zone, 0) + tanks_of_zone.get(u.zone, 0))
                  * u.max_recycles for u in case.uses}
    deliveries = sum(sources_of.values())
    # the even-sharing tie-break: a common share, and an excess, a deficit and a row for each
    # plant with a use recycled water can reach, when there are two or more (sharing.py)
    sharing = len({plant for plant, _ in (key for key, n in sources_of.items() if n)})
    sharing = sharing if sharing >= 2 else 0
    feeds = sum(len(t.zones) for t in case.trains) * K
    zones = len({p.zone for p in case.plants})
    uses = len(case.uses)
    # each tank holds K generations (recycled 1..K, wastewater 0..K-1): a level each, and a
    # wastewater basin an inflow and outflow each; a train charges a recycled tank in a zone it
    # serves, per generation
    layers = len(case.tanks) * K
    basin_layers = sum(tank.holds != "recycled" for tank in case.tanks) * K
    charges = sum(trains_of_zone.get(tank.zone, 0) for tank in case.tanks
                  if tank.holds == "recycled") * K
    tankers = len(case.emergency.tankers) * uses
    contaminants = len(case.quality.contaminants) if case.quality is not None else 0
    direct = len(case.quality.links) * (K + 1) if case.quality is not None else 0
    # a use that passes water straight on has a row per generation for its own wastewater
    reusing = len({a for a, _ in case.quality.links}) if case.quality is not None else 0
    per_period_vars = 2 * uses + deliveries + feeds + layers + 2 * basin_layers + charges \
        + tankers + direct + 1 + 2 * sharing
    per_period_cons = uses * (1 + contaminants) + sharing + zones * (K + 1) \
        + len(case.trains) * (K + 1) + layers + 2 * len(case.tanks) + reusing * (K + 1) \
        + len(case.emergency.tankers)  # a capacity row each
    return ModelSize(periods * per_period_vars, periods * per_period_cons)


def available_bytes() -> int | None:
    """The memory this run may use: `WATERALLOC_MEMORY_BYTES` if set, else what the system
    reports available (/proc/meminfo's MemAvailable, or the free physical pages)."""
    if limit := os.environ.get(MEMORY_ENV):
        return int(float(limit))
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_fits_in_memory(case: Case) -> ModelSize:
    """Raise `TooLargeError` when the model would not fit in the available memory."""
    size = estimate_size(case)
    available = available_bytes()
    if available is not None and size.bytes > available:
        raise TooLargeError(
            f"the model of case {case.name!r} is too large for this machine: about "
            f"{size.variables:,} variables and {size.constraints:,} constraints, an estimated "
            f"{size.bytes / 2 ** 30:,.1f} GiB against {available / 2 ** 30:,.1f} GiB available. "
            "Fewer periods, uses or generations (max_recycles) make it smaller.")
    return size
