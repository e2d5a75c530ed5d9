"""The linear program: sparse sets, each feature's variables and terms, the shared balances,
the objectives and their stage plan. `build_model(case)` is the entry point."""
from model.formulation.build import Formulation, build_model
from model.formulation.stages import HoldRule, Method, Stage, StagePlan

__all__ = ["Formulation", "build_model", "HoldRule", "Method", "Stage", "StagePlan"]
