"""wateralloc: least-tap allocation of tap and recycled water across an industrial campus.

The package is the pipeline (docs/architecture.md):
    case/          read and validate a case folder into frozen objects
    formulation/   build_model(case): sets, each feature's terms, the shared balances, objectives
    solve/         bulk load into HiGHS, lexicographic stages, optimal or an error
    results/       solution -> typed tables and summary; text report; output files
    studies/       plan(case) and the drought questions that need several solves
    cli/           the `wateralloc` command

The names below are loaded on first use (PEP 562), so that `import model` is light: the
`wateralloc` command installs its Ctrl-C handling before Pyomo, pandas and HiGHS are imported
(model/__main__.py).
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "Case": "model.case", "Period": "model.case", "Plant": "model.case", "Train": "model.case",
    "Use": "model.case", "load_case": "model.case", "plan": "model.studies",
    "CaseError": "model.errors", "InfeasibleError": "model.errors", "Problem": "model.errors",
    "SolverError": "model.errors", "WaterallocError": "model.errors",
}
__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'model' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
