"""The terms of the shared balances and objectives, registered by each feature before any is built.

A feature (core flows, storage, tankers, boosts, shortage, direct reuse, mass-transfer operations)
declares its variables and then *registers* what they add to the balances every feature shares.
The balances (`model.formulation.balances`) and the objectives (`objectives.py`) are built once,
afterwards, from these ledgers: no row is rewritten after it is built, and a balance never asks
which features a case has.

ledger            key            holds (m3/day unless said)              registered by
supply            (use, t)       Supply(g, kind, source, flow)            flows: tap (g = 0), recycled;
                                 reaching the use                         supply: tankers (g = 0);
                                                                          quality: direct reuse
demand_change     (use, t)       added to the use's demand                quality: + operation flow;
                                                                          drought: - shortage
wastewater_taken  (zone, g, t)   taken from the zone's generation-g pool  flows: feed; storage: basin
                                                                          net charge; quality: direct
                                                                          reuse out
product_made      (train, g, t)  product of pass g (g -> g + 1)           flows: recovery x feed;
                                                                          treatment: boost extra
product_used      (train, g, t)  product of pass g delivered or stored    flows: deliveries;
                                                                          storage: tank charge
water_bought      t              water bought from outside                flows: tap; supply: tankers
cost              t              (category, money per day)                flows: treatment, tap;
                                                                          supply: tanker, outside;
                                                                          treatment: boost; drought:
                                                                          lost production
capacity_added    (train, t)     capacity added to a train's own          options: capacity x chosen

A supply's `kind` and `source` say where the water comes from: ("tap", "tap"), ("tanker",
tanker name), ("recycled", train or recycled-water tank name), ("direct", (plant, use) whose
untreated wastewater it is), ("outside", outside supply name). The quality layer reads them to know the water's concentrations.

Money categories are `MONEY_CATEGORIES`; `lost_production` is priced shortage (a cost the plan
weighs, not money spent), and `treated_volume` stands in for treatment cost when trains carry no
price (m3/day, so that the cost stage still avoids treating water for nothing).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

import pyomo.core as pyo
from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression

from model.case import UseKey

MONEY_CATEGORIES = ("treatment", "tap", "tanker", "boost", "outside")
TREATED_VOLUME = "treated_volume"
LOST_PRODUCTION = "lost_production"


class Supply(NamedTuple):
    """Water of generation g from a source reaching a use (an expression in m3/day)."""

    generation: int
    kind: str     # tap, tanker, recycled, direct or outside
    source: object  # "tap", a tanker, a train or tank, or the (plant, use) reused directly
    flow: object


@dataclass
class Terms:
    """Ledgers of expressions, filled by the features, read by the balances and objectives."""

    supply: dict[tuple[UseKey, str], list[Supply]] = field(
        default_factory=lambda: defaultdict(list))
    demand_change: dict[tuple[UseKey, str], list] = field(
        default_factory=lambda: defaultdict(list))
    wastewater_taken: dict[tuple[str, int, str], list] = field(
        default_factory=lambda: defaultdict(list))
    product_made: dict[tuple[str, int, str], list] = field(
        default_factory=lambda: defaultdict(list))
    product_used: dict[tuple[str, int, str], list] = field(
        default_factory=lambda: defaultdict(list))
    water_bought: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    cost: dict[str, list[tuple[str, object]]] = field(default_factory=lambda: defaultdict(list))
    capacity_added: dict[tuple[str, str], list] = field(
        default_factory=lambda: defaultdict(list))

    def supplied(self, use: UseKey, t: str, g: int | None = None):
        """Water supplied to a use in period t: of generation g, or of every generation."""
        return linear_sum(s.flow for s in self.supply.get((use, t), ())
                          if g is None or s.generation == g)

    def product(self, train: str, g: int, t: str):
        """Product of pass g of a train: recovery x feed, plus what a boost adds."""
        return linear_sum(self.product_made.get((train, g, t), ()))

    def cost_per_day(self, t: str, categories: tuple[str, ...] | None = None):
        """Cost in period t (per day), of the given categories or of all."""
        return linear_sum(e for c, e in self.cost.get(t, ())
                          if categories is None or c in categories)

    def money_per_day(self, t: str) -> float:
        """Money spent per day in period t in a solved model: treatment, tap, tankers, boosts.
        Summed term by term (price x flow reads the flow's value): building the sum as one
        expression first took 7 times as long (0.014 s per period at 2,000 plants)."""
        return sum((_value(e) for c, e in self.cost.get(t, ()) if c in MONEY_CATEGORIES), 0.0)


_LINEAR_TERMS = (VarData, MonomialTermExpression, *native_numeric_types)


def linear_sum(terms):
    """sum(terms), made at once as one LinearExpression when every term is a variable, a
    coefficient x variable or a number, which Python's sum builds one term at a time (5 times
    as long: 0.07 s of the 2,000-plant build). The same terms in the same order, so the
    compiled rows are the same. Python's sum otherwise, and for fewer than two terms."""
    terms = list(terms)
    if len(terms) < 2 or not all(type(x) in _LINEAR_TERMS for x in terms):
        return sum(terms)
    return LinearExpression(terms)


def _value(term) -> float:
    """A cost term's value; a flow the solver never saw (no value) counts 0."""
    if type(term) is MonomialTermExpression:
        price, flow = term.args
        if type(price) in (int, float):
            return price * (flow.value or 0.0)
    return float(pyo.value(term, exception=False) or 0.0)
