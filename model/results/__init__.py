"""Results of a solved formulation: typed tables, a typed summary, the text report and files.

The names below are loaded on first use (PEP 562): the results are made with pandas, and a
`wateralloc solve` imports pandas while HiGHS solves, not before (model.cli.solve). The
function that makes them is `model.results.collect.collect` (`model.results.collect` is its
module)."""
from __future__ import annotations

import importlib

_HOME = {"LargestCut": "model.results.summary", "Summary": "model.results.summary",
         "Results": "model.results.collect"}

__all__ = ["LargestCut", "Results", "Summary"]


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value
