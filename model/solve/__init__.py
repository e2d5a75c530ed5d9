"""Solve a formulation with HiGHS: bulk load, lexicographic stages, optimal or an error."""
from model.solve.highs import Status
from model.solve.stages import NotProven, SolveReport, solve

__all__ = ["NotProven", "SolveReport", "Status", "solve"]
