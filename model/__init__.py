"""wateralloc: least-tap allocation of tap and recycled water across an industrial campus.

The package reads as the architecture:
    case.py / schema.py   read and validate a case folder into frozen objects
    network.py            the sparse sets of flows that can exist
    build.py              build_model(case): one add_<family> function per constraint family
    solve.py              bulk-load into HiGHS, lexicographic stages, optimal or an error
    results.py            solution -> pandas tables and a summary dict
    plan.py               the three steps in one call
    output.py, report.py  atomic files and the text report
    cli.py                the `wateralloc` command
"""
from model.case import Case, Period, Plant, Train, Use, load_case
from model.errors import CaseError, InfeasibleError, Problem, SolverError, WaterallocError
from model.plan import plan

__all__ = ["Case", "Period", "Plant", "Train", "Use", "load_case", "plan", "CaseError",
           "InfeasibleError", "Problem", "SolverError", "WaterallocError"]
__version__ = "0.1.0"
