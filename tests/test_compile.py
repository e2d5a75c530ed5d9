"""The direct compiler (model.solve.compile) gives the LP Pyomo's standard-form compiler gives,
array for array: the same columns (the same Pyomo variables, in the same order), the same rows
and bound types, right-hand sides, costs, offsets and matrix. HiGHS then sees the same LP
whichever compiler made it, so every plan is the same. Checked on every bundled case, under
rationing, on the portfolio MILP, on a generated daily case, and on random expression trees."""
from __future__ import annotations

import numpy as np
import pyomo.core as pyo
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pyomo.core.expr.numeric_expr import ProductExpression
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from model import load_case
from model.bundled import bundled_case, bundled_case_names
from model.formulation import build_model
from model.solve import compile as compiler
from model.solve.highs import compile_and_load
from model.studies import with_cut
from model.studies.portfolio import Question, portfolio_model
from tests.test_benchmark_generator import generate_case

ARRAYS = ("rhs", "costs", "offsets", "start", "index", "value")


def _both(m: pyo.ConcreteModel, objectives: list):
    return compiler._direct(m, objectives), compiler._by_pyomo(m, objectives)


def assert_same_lp(a: compiler.StandardForm, b: compiler.StandardForm) -> None:
    assert len(a.columns) == len(b.columns)
    assert all(x is y for x, y in zip(a.columns, b.columns))
    assert len(a.rows) == len(b.rows)
    assert all(x[0] is y[0] and x[1] == y[1] for x, y in zip(a.rows, b.rows))
    for name in ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.shape == y.shape, name
        assert np.array_equal(x, y), name   # exactly: the same floats, not close ones


def _formulation_lp(f):
    m = f.model
    stages = [m.component(name) for name in f.stages.names]
    was = [o.active for o in stages]
    for o in stages:
        o.activate()
    try:
        return _both(m, stages)
    finally:
        for o, active in zip(stages, was):
            o.activate() if active else o.deactivate()


@pytest.mark.parametrize("name", bundled_case_names())
def test_every_bundled_case_compiles_directly_to_pyomo_s_lp(name):
    direct, pyomo = _formulation_lp(build_model(load_case(bundled_case(name))))
    assert direct.direct and not pyomo.direct
    assert direct.shape[0] > 0 and direct.shape[1] > 0
    assert_same_lp(direct, pyomo)


@pytest.mark.parametrize("name", ["ntip-2019-phase2", "kaohsiung-2023-drought"])
def test_a_rationed_plan_compiles_directly_to_pyomo_s_lp(name):
    f = build_model(with_cut(load_case(bundled_case(name)), 0.2))
    assert f.model.component("shortage_m3_per_day") is not None
    assert_same_lp(*_formulation_lp(f))


def test_the_portfolio_milp_with_a_budget_compiles_directly_to_pyomo_s_lp():
    # the budget row holds a named expression (the options' capital cost)
    f = portfolio_model(load_case(bundled_case("ntip-2028-phase3")), Question(budget=1e9))
    direct, pyomo = _formulation_lp(f)
    assert any(v.is_integer() for v in direct.columns)
    assert_same_lp(direct, pyomo)


def test_a_generated_daily_case_compiles_directly_to_pyomo_s_lp(tmp_path):
    folder = generate_case(tmp_path / "case", plants=30, max_recycles=3, zones=4, trains=3,
                           seed=7, periods=5)
    assert_same_lp(*_formulation_lp(build_model(load_case(folder))))


def test_a_plan_loads_the_direct_compiler_s_lp():
    f = build_model(load_case(bundled_case()))   # (kept: its variables name the columns)
    lp = compile_and_load(f)
    h = lp.highs
    g = build_model(load_case(bundled_case()))
    direct, _ = _formulation_lp(g)
    a = h.getLp().a_matrix_
    assert np.array_equal(np.asarray(a.value_), direct.value)
    assert np.array_equal(np.asarray(a.index_), direct.index)
    assert [v.name for v in lp.columns] == [v.name for v in direct.columns]


# --- the conventions, on small models made by hand -----------------------------------------

def _model():
    m = pyo.ConcreteModel()
    m.I = pyo.Set(initialize=[3, 1, 2], ordered=True)
    m.x = pyo.Var(m.I, bounds=(0, 10))
    m.y = pyo.Var(bounds=(-5, 5))
    m.z = pyo.Var([0, 1])             # only z[1] is used: z[0]'s column is dropped
    return m


def test_hand_made_rows_follow_pyomo_s_conventions():
    m = _model()
    m.obj = pyo.Objective(expr=-(m.x[2] + 2 * m.y), sense=pyo.maximize)
    m.eq = pyo.Constraint(expr=3 == m.x[1] + 4 * (m.y - 0.5 * m.x[3]) + 1)   # constant to rhs
    m.ranged = pyo.Constraint(expr=pyo.inequality(-1, m.x[3] - m.y, 4))      # two rows
    m.ge = pyo.Constraint(expr=2 * m.z[1] >= m.x[2])
    m.le = pyo.Constraint(expr=m.x[1] <= 7)
    m.free = pyo.Constraint(m.I, rule=lambda m, i: pyo.Constraint.Skip)
    direct, pyomo = _both(m, [m.obj])
    assert direct.direct
    assert_same_lp(direct, pyomo)
    # and by hand: columns x[3], x[1], x[2] (the set's order), y, z[1]
    assert [v.name for v in direct.columns] == ["x[3]", "x[1]", "x[2]", "y", "z[1]"]
    assert [(c.name, t) for c, t in direct.rows] == [
        ("eq", 0), ("ranged", 1), ("ranged", -1), ("ge", 1), ("le", 1)]
    assert direct.rhs.tolist() == [2.0, 4.0, -1.0, 0.0, 7.0]
    dense = np.zeros(direct.shape)
    for j in range(direct.shape[1]):
        rows = direct.index[direct.start[j]:direct.start[j + 1]]
        dense[rows, j] = direct.value[direct.start[j]:direct.start[j + 1]]
    assert dense.tolist() == [[-2.0, 1.0, 0.0, 4.0, 0.0],
                              [1.0, 0.0, 0.0, -1.0, 0.0],
                              [1.0, 0.0, 0.0, -1.0, 0.0],
                              [0.0, 0.0, 1.0, 0.0, -2.0],   # x[2] - 2 z[1] <= 0
                              [0.0, 1.0, 0.0, 0.0, 0.0]]
    assert direct.costs.tolist() == [[0.0, 0.0, 1.0, 2.0, 0.0]]   # maximise: negated


@pytest.mark.parametrize("make", [
    lambda m: setattr(m, "p", pyo.Param(initialize=2.0, mutable=True)) or m.p * m.y,
    lambda m: m.x[1] * m.y,   # not linear at all: Pyomo's compiler says so
])
def test_an_expression_it_does_not_read_leaves_the_model_to_pyomo(make):
    m = _model()
    m.obj = pyo.Objective(expr=m.x[1])
    m.c = pyo.Constraint(expr=make(m) <= 3)
    with pytest.raises(compiler._Other):
        compiler._direct(m, [m.obj])
    try:
        expected = compiler._by_pyomo(m, [m.obj])
    except Exception as exc:    # the nonlinear row: the same error either way
        with pytest.raises(type(exc)):
            compiler.compile_model(m, [m.obj])
        return
    got = compiler.compile_model(m, [m.obj])
    assert not got.direct
    assert_same_lp(got, expected)


def test_a_variable_met_twice_leaves_the_model_to_pyomo_which_sums_it_first():
    # Pyomo sums a sub-expression's terms, then scales the sum: 3.25 x 1.001, which differs in
    # the last bit from 3.25 + 3.25 x 0.001, the sum of the scaled terms
    m = _model()
    m.obj = pyo.Objective(expr=m.y)
    m.c = pyo.Constraint(expr=3.25 * (m.z[1] + 0.001 * m.z[1]) <= 1)
    m.cancel = pyo.Constraint(expr=m.x[1] + m.y - m.y <= 7)   # y's terms cancel: no entry
    with pytest.raises(compiler._Other):
        compiler._direct(m, [m.obj])
    got = compiler.compile_model(m, [m.obj])
    assert not got.direct
    assert 3.25 * 1.001 != 3.25 + 3.25 * 0.001
    assert [v.name for v in got.columns] == ["y", "z[1]", "x[1]"]   # in the order first met
    assert got.value.tolist() == [3.25 * 1.001, 1.0]   # z[1] in c; x[1] in cancel
    assert got.index.tolist() == [0, 1]


def test_a_fixed_variable_leaves_the_model_to_pyomo():
    m = _model()
    m.obj = pyo.Objective(expr=m.x[1] + m.y)
    m.c = pyo.Constraint(expr=m.x[1] + m.x[2] >= 1)
    m.x[2].fix(0.25)
    got = compiler.compile_model(m, [m.obj])
    assert not got.direct
    assert got.rhs.tolist() == [0.75]          # the fixed value moved to the right-hand side
    assert [v.name for v in got.columns] == ["x[1]", "y"]


def test_a_constant_row_leaves_the_model_to_pyomo_and_an_impossible_one_is_refused():
    m = _model()
    m.obj = pyo.Objective(expr=m.y)
    m.c = pyo.Constraint(expr=m.y - m.y <= -1)    # 0 <= -1
    with pytest.raises(Exception, match="infeasible"):
        compiler.compile_model(m, [m.obj])


# --- random expression trees ----------------------------------------------------------------

NAMES = [("x", 3), ("x", 1), ("x", 2), ("y", None), ("z", 1)]
coefficients = st.sampled_from([1, -1, 2, 0.5, 3.25, -7.0, 1e-3, 0])


def _trees():
    leaf = st.one_of(
        st.tuples(st.just("var"), st.sampled_from(range(len(NAMES)))),
        st.tuples(st.just("monomial"), coefficients, st.sampled_from(range(len(NAMES)))),
        st.tuples(st.just("number"), coefficients))
    return st.recursive(leaf, lambda kids: st.one_of(
        st.tuples(st.just("sum"), st.lists(kids, min_size=1, max_size=4)),
        st.tuples(st.just("linear"), st.lists(
            st.tuples(coefficients, st.sampled_from(range(len(NAMES)))), min_size=2,
            max_size=4)),
        st.tuples(st.just("neg"), kids),
        st.tuples(st.just("times"), coefficients, kids)), max_leaves=12)


def _expr(m, tree):
    kind = tree[0]
    var = lambda i: m.y if NAMES[i][0] == "y" else getattr(m, NAMES[i][0])[NAMES[i][1]]  # noqa
    if kind == "var":
        return var(tree[1])
    if kind == "monomial":
        return tree[1] * var(tree[2])
    if kind == "number":
        return tree[1]
    if kind == "sum":
        return sum(_expr(m, t) for t in tree[1])
    if kind == "linear":
        from model.formulation.terms import linear_sum
        return linear_sum(c * var(i) for c, i in tree[1])
    if kind == "neg":
        return -_expr(m, tree[1])
    return tree[1] * _expr(m, tree[2])


def _leaves(e) -> tuple[list[int], int]:
    """The variables (ids, with repeats) and the number of constants in an expression tree,
    by a plain walk over its arguments (a product's number is a factor, not a constant; a
    product by 0 adds nothing)."""
    if type(e) in (int, float) or not e.is_expression_type() and e.is_constant():
        return [], 1
    if e.is_variable_type():
        return [id(e)], 0
    args = e.args
    if isinstance(e, ProductExpression):
        if any(type(a) in (int, float) and a == 0 for a in args):
            return [], 0     # 0 x anything: no term at all
        args = [a for a in args if type(a) not in (int, float)]
    found, constants = [], 0
    for arg in args:
        v, c = _leaves(arg)
        found += v
        constants += c
    return found, constants


def _plain(e) -> bool:
    found, constants = _leaves(e)
    return len(found) == len(set(found)) and constants <= 1


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(_trees(), st.sampled_from(["<=", ">=", "=="])), min_size=1,
                     max_size=4),
       objective=_trees())
def test_random_linear_rows_compile_as_pyomo_compiles_them(rows, objective):
    m = _model()
    m.obj = pyo.Objective(expr=_expr(m, objective))
    m.rows = pyo.ConstraintList()
    bodies = []
    for tree, sense in rows:
        body = _expr(m, tree)
        assume(type(body) not in (int, float))   # a number is not a row
        bodies.append(body)
        m.rows.add({"<=": body <= 1, ">=": body >= -1, "==": body == 0.5}[sense])
    try:
        expected = compiler._by_pyomo(m, [m.obj])
    except Exception as exc:   # e.g. a row whose terms all cancel: infeasible constant row
        with pytest.raises(type(exc)):
            compiler.compile_model(m, [m.obj])
        return
    got = compiler.compile_model(m, [m.obj])
    assert_same_lp(got, expected)
    # the direct compiler answers every model whose expressions repeat no variable and hold
    # at most one constant, and that has no constant row (0 <= 1, which Pyomo's compiler
    # drops: one row fewer; 0 >= 1 it refuses, above)
    constant_row = len(expected.rows) < len(bodies)
    assert got.direct is (all(_plain(e) for e in [m.obj.expr, *bodies]) and not constant_row)


def test_pyomo_s_own_compiler_is_what_the_fallback_calls(monkeypatch):
    calls = []
    real = LinearStandardFormCompiler.write
    monkeypatch.setattr(LinearStandardFormCompiler, "write",
                        lambda self, m, **kw: calls.append(kw) or real(self, m, **kw))
    m = _model()
    m.obj = pyo.Objective(expr=m.y)
    m.y.fix(1)
    m.c = pyo.Constraint(expr=m.x[1] + m.y <= 3)
    compiler.compile_model(m, [m.obj])
    assert calls == [{"mixed_form": True}]
