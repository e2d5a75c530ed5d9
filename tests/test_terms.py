"""`linear_sum` (model/formulation/terms.py): the balances' and objectives' sums made at once as
one LinearExpression when every term is linear, with the same terms in the same order as
Python's sum, so the compiled rows are the same; Python's sum otherwise."""
from __future__ import annotations

import pyomo.core as pyo
import pytest
from pyomo.core.expr.numeric_expr import LinearExpression
from pyomo.repn import generate_standard_repn

from model.formulation.terms import linear_sum


@pytest.fixture
def m():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(4), initialize=lambda m, i: i + 1.0)
    m.y = pyo.Var(initialize=10.0)
    return m


def _repn(expr):
    r = generate_standard_repn(expr, compute_values=True)
    return r.constant, [v.name for v in r.linear_vars], list(r.linear_coefs)


def test_linear_terms_make_one_linear_expression_equal_to_python_s_sum(m):
    terms = [m.x[0], 2.5 * m.x[1], 3, m.x[0], -1.0 * m.x[3]]  # a repeated variable, a number
    made = linear_sum(iter(terms))  # a generator, as the ledgers give it
    assert type(made) is LinearExpression
    assert list(made.args) == terms  # the same terms, in the same order
    assert pyo.value(made) == pytest.approx(pyo.value(sum(terms))) == 1 + 5 + 3 + 1 - 4
    assert _repn(made) == _repn(sum(terms))  # x[0] merged: coefficient 2


def test_anything_else_is_left_to_python_s_sum(m):
    products = [m.x[0] * m.x[1], m.x[2]]  # not linear: a LinearExpression would be wrong
    assert type(linear_sum(products)) is not LinearExpression
    assert pyo.value(linear_sum(products)) == 1 * 2 + 3
    scalar = [m.y, m.x[0]]  # a scalar variable is not a VarData of an indexed one: Python's sum
    assert pyo.value(linear_sum(scalar)) == 11
    assert linear_sum([]) == 0 and linear_sum([m.x[2]]) is m.x[2]
