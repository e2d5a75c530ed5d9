"""Read a case folder or case workbook into a validated `Case` (model.case.objects), reporting
every problem.

`load_case(folder)` is the only orchestrator: it calls one reader per group of files, in an
order where each reader finds the names it refers to already defined by an earlier one, and
raises one `CaseError` listing every problem found in the whole folder. Nothing in the folder
is ever written. A path ending in `.xlsx` is a case workbook (model.case.workbook): the same
readers run on its sheets, and problems name the sheet, row and column.

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
from model.case.folder import FolderSource
from model.case.tables import CaseFolder, Source
from model.case.workbook import WorkbookSource, is_workbook
from model.errors import CaseError, Problem


def case_source(path: Path) -> Source:
    """The source of a case: a workbook for `*.xlsx`, else a folder. Raises `CaseError` when
    there is no such folder or file, or when the path is some other file."""
    if is_workbook(path):
        if not path.is_file():
            raise CaseError([Problem(str(path), "case workbook does not exist")])
        return WorkbookSource(path)
    if path.is_file():
        raise CaseError([Problem(str(path), "is a file, not a case folder (a folder holding "
                                 "case.toml, plants.csv, uses.csv and treatment.csv) or a case "
                                 "workbook (.xlsx)")])
    if not path.is_dir():
        raise CaseError([Problem(str(path), "case folder does not exist")])
    return FolderSource(path)


def load_case(folder: str | Path) -> Case:
    """Read and validate a case folder or workbook. Raises `CaseError` listing every problem
    found."""
    path = Path(folder)
    source = case_source(path)
    files = CaseFolder(source)
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
        raise CaseError([source.locate(p) for p in files.problems])
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
