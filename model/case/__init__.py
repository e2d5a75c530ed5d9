"""A case: the water system to plan for. Objects (`objects.py`) and the folder reader (`load.py`)."""
from model.case.load import load_case
from model.case.objects import (STEADY, TWC_STAGES, Boost, Case, Emergency, Period, PeriodData,
                                Plant, Quality, Rationing, Tank, Tanker, Train, Use, UseKey,
                                UseQuality)

__all__ = ["load_case", "STEADY", "TWC_STAGES", "Boost", "Case", "Emergency", "Period",
           "PeriodData", "Plant", "Quality", "Rationing", "Tank", "Tanker", "Train", "Use",
           "UseKey", "UseQuality"]
