"""The stage plan: which objectives are solved, in which order, how, and how each is held.

`build_model` returns the plan with the model; `model.solve` carries it out. Nothing about the
stages is stored on the Pyomo model.

Stages are lexicographic: each later stage adds a row holding the previous objective at
`optimum + max(hold.abs_m3, hold.rel x |optimum|)` and minimises its own. If a later stage then
fails on tolerances, every hold is widened `widen_step`-fold, at most up to `widen_max`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum


class Method(Enum):
    """How HiGHS solves a stage."""

    IPM = "ipm"          # interior point, then crossover to a vertex (a basis and vertex duals)
    SIMPLEX = "simplex"  # primal simplex from the previous stage's basis
    MIP = "choose"       # branch and bound, for a model with integer variables (options)


@dataclass(frozen=True)
class Stage:
    """One objective of the plan: the name of an Objective component of the model."""

    objective: str
    method: Method = Method.SIMPLEX
    optional: bool = False  # a tie-break: if it cannot be solved, the plan stands without it
    # Constraint components that only this stage's objective reads (e.g. the even-sharing rows,
    # which tie a free share to each plant's tap and so never restrict the earlier stages).
    # The solver leaves them unbounded until this stage: on the 2,000-plant benchmark the tap
    # stage took 2.2 s with them bounded and 1.25 s without.
    rows: tuple[str, ...] = ()
    # (Var, Expression): free columns, one per period, that the stage first solves pinned at
    # the Expression's value in the plan before it, then releases (model.solve.pinned). The
    # even-sharing stage's common share: its interior-point solve took 1.0 s pinned against
    # 2.2 s free on the 2,000-plant benchmark.
    pin: tuple[str, str] | None = None


@dataclass(frozen=True)
class HoldRule:
    """How tightly a solved stage is held while the later ones are solved."""

    rel: float = 1e-10
    abs_m3: float = 1e-9
    widen_step: float = 100.0
    widen_max: float = 1e4  # the loosest hold is then max(1e-5 m3, 1e-6 x optimum)

    def tolerance(self, optimum: float) -> float:
        return max(self.abs_m3, self.rel * abs(optimum))


@dataclass(frozen=True)
class StagePlan:
    """The stages in order; `dual_stage` is the one whose row duals give marginal values."""

    stages: tuple[Stage, ...]
    dual_stage: str
    hold: HoldRule = HoldRule()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.objective for s in self.stages)

    def only(self, objective: str) -> "StagePlan":
        """A plan of one stage (interior point), whose duals are its own."""
        return replace(self, stages=(Stage(objective, Method.IPM),), dual_stage=objective)
