"""Build the allocation linear program of a case: `build_model(case) -> Formulation`.

It reads as a table of contents: the sets; each feature's variables, which register what they
add to the shared balances (`terms.py`); the shared balances, built once from those terms; each
feature's own limits; the objectives and the order they are solved in. Every variable and
constraint carries the period index t; a steady-state case has the single period `steady`.
Features a case does not have are built over empty sets.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyomo.core as pyo
from pyomo.common.gc_manager import PauseGC

from model.case import Case
from model.formulation.balances import (add_demand_balance, add_recovery, add_tap_cap,
                                        add_wastewater_availability)
from model.formulation.drought import add_shortage
from model.formulation.flows import add_flows
from model.formulation.objectives import add_objectives
from model.formulation.options import add_annualized_cost, add_option_choices, add_option_limits
from model.formulation.quality import (add_feed_limits, add_feed_split, add_inlet_limits,
                                       add_operation_mass_balance, add_quality_flows,
                                       add_use_wastewater_availability)
from model.formulation.sets import Network, add_sets, sets_of
from model.formulation.size import check_fits_in_memory
from model.formulation.stages import StagePlan
from model.formulation.storage import add_storage, add_tank_balance, add_tank_limits
from model.formulation.supply import add_outside_supply, add_tankers
from model.formulation.terms import Terms
from model.formulation.treatment import add_boosts, add_treatment_capacity


@dataclass(frozen=True)
class Formulation:
    """A built model, the sets and terms it was built from, and how to solve it."""

    model: pyo.ConcreteModel
    net: Network
    terms: Terms
    stages: StagePlan

    @property
    def case(self) -> Case:
        return self.net.case


def build_model(case: Case) -> Formulation:
    check_fits_in_memory(case)  # refuse, with the estimate, a model that cannot fit
    # Building creates hundreds of thousands of small objects and no garbage: Python's cyclic
    # collector, run every few hundred allocations, took about half the build time on the
    # 2,000-plant benchmark (benchmarks/README.md), so it is paused while the model is built.
    with PauseGC():
        m = pyo.ConcreteModel(name=case.name)
        net = sets_of(case)
        terms = Terms()
        add_sets(m, net)
        # variables of each feature, and the terms they add to the shared balances
        add_flows(m, net, terms)
        add_storage(m, net, terms)
        add_option_choices(m, net, terms)
        add_tank_balance(m, net)
        add_tank_limits(m, net)
        add_tankers(m, net, terms)
        add_outside_supply(m, net, terms)
        add_boosts(m, net, terms)
        add_shortage(m, net, terms)
        add_quality_flows(m, net, terms)
        add_option_limits(m, net)
        # the shared balances, each built once from every feature's terms
        add_demand_balance(m, net, terms)
        add_wastewater_availability(m, net, terms)
        add_treatment_capacity(m, net, terms)
        add_recovery(m, net, terms)
        add_tap_cap(m, net)
        # limits of the water-quality layer
        add_use_wastewater_availability(m, net, terms)
        add_feed_split(m, net)
        add_operation_mass_balance(m, net, terms)
        add_inlet_limits(m, net, terms)
        add_feed_limits(m, net)
        # objectives, and the lexicographic order they are solved in
        stages = add_objectives(m, net, terms)
        add_annualized_cost(m, net)  # for the options study; inactive in a plan
        return Formulation(m, net, terms, stages)
