"""Studies that need one or more solves: the plan itself, and drought questions."""
from model.studies.drought import largest_uniform_cut, resolve_baseline, with_cut
from model.studies.plan import plan

__all__ = ["largest_uniform_cut", "plan", "resolve_baseline", "with_cut"]
