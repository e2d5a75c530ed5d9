"""A case: the water system to plan for, and the reader of a case folder.

    objects.py     the frozen objects of a case (what the formulation reads)
    rows.py        the schema of every file, each row class declaring its key, references, lists
    problems.py    schema errors in the words of the case format
    tables.py      the reader toolkit: CSV and TOML files, keys, references, `;`-lists
    core.py quality.py periods.py storage.py supply.py drought.py   one reader per group of files
    load.py        load_case(folder): calls the readers in order, raises one CaseError
"""
from model.case.load import load_case
from model.case.objects import (STEADY, TWC_STAGES, Boost, Case, Emergency, Period, PeriodData,
                                Plant, Quality, Rationing, Tank, Tanker, Train, Use, UseKey,
                                UseQuality)

__all__ = ["load_case", "STEADY", "TWC_STAGES", "Boost", "Case", "Emergency", "Period",
           "PeriodData", "Plant", "Quality", "Rationing", "Tank", "Tanker", "Train", "Use",
           "UseKey", "UseQuality"]
