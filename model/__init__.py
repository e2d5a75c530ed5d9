"""wateralloc: least-tap allocation of tap and recycled water across an industrial campus.

The package is the pipeline (docs/architecture.md):
    case/          read and validate a case folder into frozen objects
    formulation/   build_model(case): sets, each feature's terms, the shared balances, objectives
    solve/         bulk load into HiGHS, lexicographic stages, optimal or an error
    results/       solution -> typed tables and summary; text report; output files
    studies/       plan(case) and the drought questions that need several solves
    cli.py         the `wateralloc` command
"""
from model.case import Case, Period, Plant, Train, Use, load_case
from model.errors import CaseError, InfeasibleError, Problem, SolverError, WaterallocError
from model.studies import plan

__all__ = ["Case", "Period", "Plant", "Train", "Use", "load_case", "plan", "CaseError",
           "InfeasibleError", "Problem", "SolverError", "WaterallocError"]
__version__ = "0.1.0"
