"""Read a case folder into a validated `Case` (model.case.objects), reporting every problem.

`load_case(folder)` is the only orchestrator: it calls one reader per group of files, in an
order where each reader finds the names it refers to already defined by an earlier one, and
raises one `CaseError` listing every problem found in the whole folder. Nothing in the folder
is ever written.

    core      case.toml, plants.csv, uses.csv, treatment.csv     plant, zone, use, train names
    options   options.csv                                          producer names (train_quality)
    quality   contaminants, use_quality, train_quality, reuse_links   contaminant names
    stages    stages.csv                                           stage names
    periods   periods.csv, demand.csv, trains_by_period.csv       period names
    storage   tanks.csv
    supply    tankers.csv, boosts.csv
    drought   curtailment.csv, rationing.toml
"""
from __future__ import annotations

from pathlib import Path

from model.case.core import read_core
from model.case.drought import read_rationing, read_stages
from model.case.objects import Case
from model.case.options import check_option_names, economics_of, read_options
from model.case.periods import read_periods
from model.case.quality import read_quality
from model.case.storage import read_tanks
from model.case.supply import read_supply
from model.case.tables import CaseFolder
from model.errors import CaseError, Problem


def load_case(folder: str | Path) -> Case:
    """Read and validate a case folder. Raises `CaseError` listing every problem found."""
    path = Path(folder)
    if not path.is_dir():
        raise CaseError([Problem(str(path), "case folder does not exist")])
    files = CaseFolder(path)
    core = read_core(files)
    options = read_options(files, core)
    quality = read_quality(files, core)
    stages = read_stages(files)
    timeline = read_periods(files, core)
    tanks = read_tanks(files, core)
    emergency = read_supply(files, core)
    rationing = read_rationing(files, core, stages, timeline)
    check_option_names(files, options, tanks, quality)
    settings = core.settings
    if files.problems or settings is None:
        raise CaseError(files.problems)
    # a case without periods.csv keeps Case's default: one steady period of one day
    periods = {} if timeline.periods is None else {"periods": timeline.periods}
    return Case(
        name=settings.name,
        description=settings.description or "",
        max_recycles=settings.max_recycles,
        plants=tuple(core.plants.values()),
        uses=core.uses,
        trains=core.trains,
        tap_cap_m3_per_day=settings.tap.cap_m3_per_day,
        tap_price_per_m3=settings.tap.price_per_m3,
        source=str(path),
        quality=quality,
        by_period=timeline.by_period,
        tanks=tanks,
        emergency=emergency,
        rationing=rationing,
        options=options,
        economics=economics_of(settings),
        **periods,
    )
