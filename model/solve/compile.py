"""The model compiled to sparse arrays: columns, rows, costs and the matrix, for one bulk load.

Two compilers give the same arrays, element for element:

* **Pyomo's** `LinearStandardFormCompiler` (mixed form): any linear model. It walks every
  expression with Pyomo's general visitor and builds the matrices with scipy.sparse.
* **The direct one** (`_direct`), for the expressions this package builds: sums, negations and
  products by a number of variables, `coefficient x variable` terms, `LinearExpression`s
  (`terms.linear_sum`) and named expressions, with plain numbers as coefficients, and no fixed
  variable. It reads those trees directly and builds the matrix with numpy. On the 2,000-plant
  benchmark it takes 0.11-0.13 s against 0.18-0.23 s for Pyomo's compiler, and a plan no
  longer imports scipy.sparse (0.08 s).

The direct compiler follows Pyomo's conventions exactly, so the LP HiGHS sees does not depend
on which compiler made it (tests/test_compile.py compares every array on every bundled case):

* objectives first, then the active constraints, each in the model's ordered-index order;
* a variable component takes its columns, all of its indices in order, the first time any of
  its variables appears; columns that end up with no coefficient anywhere are dropped;
* a coefficient is the sum of a variable's terms in the order they appear; zeros are dropped;
* a row per equality (bound type 0, right-hand side `rhs - constant`), and per bounded side of
  an inequality (1 for `<=`, -1 for `>=`); rows with no bound are left out.

Anything else met on the way (a parameter as a coefficient, a product of two expressions, a
fixed variable, as the options study fixes its choices, a constant row, a sub-block) leaves the
whole model to Pyomo's compiler.
"""
from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pyomo.core as pyo
from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.base.expression import ExpressionData, ScalarExpression
from pyomo.core.base.var import ScalarVar, VarData
from pyomo.core.expr.numeric_expr import (LinearExpression, MonomialTermExpression,
                                          NegationExpression, ProductExpression, SumExpression)
from pyomo.core.expr.numvalue import NumericConstant
from pyomo.repn.plugins import standard_form
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler
from pyomo.repn.util import FileDeterminism, FileDeterminism_to_SortComponents

# the order Pyomo's standard-form compiler lists components and indices in, by default
SORT = FileDeterminism_to_SortComponents(FileDeterminism.ORDERED)
_VARIABLES = (VarData, ScalarVar)
_NAMED = (ExpressionData, ScalarExpression)


@dataclass
class StandardForm:
    """A linear model as arrays. Row i is `A[i] x (=, <=, >=) rhs[i]` by `rows[i][1]` (0, 1,
    -1); `costs[k] x + offsets[k]` is objective k, in the order the caller gave them."""

    columns: list            # VarData, one per column
    rows: list               # (ConstraintData, bound type) per row
    rhs: np.ndarray
    costs: np.ndarray        # (objectives, columns), dense
    offsets: np.ndarray
    start: np.ndarray        # the matrix by columns (CSC): column j's entries are
    index: np.ndarray        # index[start[j]:start[j+1]] (rows, ascending) and
    value: np.ndarray        # value[start[j]:start[j+1]]
    direct: bool             # made by the direct compiler (False: by Pyomo's)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), len(self.columns)


class _Other(Exception):
    """An expression or model the direct compiler leaves to Pyomo's."""


def compile_model(m: pyo.ConcreteModel, objectives: list) -> StandardForm:
    """Every active objective (which must include `objectives`) and constraint of `m` as
    arrays, with `costs` and `offsets` for `objectives` in their given order."""
    try:
        return _direct(m, objectives)
    except _Other:
        return _by_pyomo(m, objectives)


class _Columns:
    """Column numbers, handed out a whole variable component at a time (Pyomo's order)."""

    def __init__(self):
        self.number: dict[int, int] = {}
        self.variables: list = []

    def add(self, var) -> None:
        for v in var.parent_component().values(SORT):
            if v.fixed:
                raise _Other
            self.number[id(v)] = len(self.variables)
            self.variables.append(v)


def _linear(expr, columns: _Columns) -> tuple[dict[int, float], float]:
    """{column: coefficient} and the constant of a linear expression, columns numbered in the
    order their variables appear (depth first, left to right, as Pyomo's visitor meets them).

    Each coefficient is the product of the numbers on its path, multiplied from the outside in,
    which is Pyomo's order. A variable met twice (with a coefficient other than 0), or a second
    constant, would be a sum, which Pyomo forms sub-expression by sub-expression before scaling
    (3.25 x (z + 0.001 z) is 3.25 x 1.001 to Pyomo, 3.25 + 0.00325 term by term: the last bit
    differs): such an expression is left to Pyomo's compiler. None of this package's rows has
    one."""
    coefs: dict[int, float] = {}
    number, add = columns.number, columns.add
    constants: list[float] = []

    def walk(args, k) -> None:
        # the terms of a sum inline: 162,263 of them at 2,000 plants
        for e in args:
            cls = type(e)
            if cls is MonomialTermExpression:
                coef, var = e._args_
                if type(coef) not in native_numeric_types or type(var) not in _VARIABLES:
                    raise _Other
                if k != 1:
                    coef = k * coef
            elif cls in _VARIABLES:
                coef, var = k, e
            elif cls in native_numeric_types or cls is NumericConstant:
                # (NumericConstant: e.g. the cost of a case without prices, pyo.Objective(0))
                if not k:
                    continue   # Pyomo drops a sub-expression multiplied by 0 whole
                if constants:
                    raise _Other   # Pyomo sums a sub-expression's constants before scaling
                constants.append(k * (e if cls is not NumericConstant else e.value))
                continue
            elif cls is LinearExpression or cls is SumExpression:
                walk(e.args, k)
                continue
            elif cls in _NAMED:  # a named expression (pyo.Expression): its own expression
                walk((e.expr,), k)
                continue
            elif cls is NegationExpression:
                walk(e._args_, -k)
                continue
            elif cls is ProductExpression and type(e._args_[0]) in native_numeric_types:
                walk(e._args_[1:], k * e._args_[0])
                continue
            else:
                raise _Other
            j = number.get(id(var))
            if j is None:
                add(var)   # a column even for a zero coefficient, as Pyomo records it
                j = number[id(var)]
            if not coef:
                continue   # adds nothing, in any order
            if j in coefs:
                raise _Other   # Pyomo sums a sub-expression's terms before scaling them
            coefs[j] = coef

    walk((expr,), 1)
    return coefs, constants[0] if constants else 0.0


def _direct(m: pyo.ConcreteModel, objectives: list) -> StandardForm:
    if any(True for _ in m.component_objects(pyo.Block, descend_into=True)):
        raise _Other  # sub-blocks: Pyomo lists their components block by block
    columns = _Columns()
    listed = list(m.component_data_objects(pyo.Objective, active=True, sort=SORT))
    obj_rows = []
    for obj in listed:
        coefs, constant = _linear(obj.expr, columns)
        if obj.sense != pyo.minimize:
            coefs, constant = {j: -c for j, c in coefs.items()}, -constant
        obj_rows.append((coefs, constant))
    rows, rhs, row_coefs = [], [], []
    for con in m.component_data_objects(pyo.Constraint, active=True, sort=SORT):
        lb, body, ub = con.to_bounded_expression()
        lb = lb if lb is None or type(lb) in native_numeric_types else pyo.value(lb)
        ub = ub if ub is None or type(ub) in native_numeric_types else pyo.value(ub)
        if lb is None and ub is None:
            continue
        coefs, constant = _linear(body, columns)
        if not coefs:
            raise _Other  # a constant row: Pyomo's compiler drops it or says it is infeasible
        if lb == ub:
            sides = ((0, ub),)
        else:
            sides = tuple(s for s in ((1, ub), (-1, lb)) if s[1] is not None)
        for bound_type, bound in sides:
            rows.append((con, bound_type))
            rhs.append(bound - constant)
            row_coefs.append(coefs)
    n = len(columns.variables)
    a_start, a_index, a_value = _by_columns(row_coefs, n)
    used = np.diff(a_start) > 0  # a column with a coefficient in a row or an objective
    for coefs, _ in obj_rows:
        used[list(coefs)] = True
    keep = np.flatnonzero(used)
    a_start, a_index, a_value = _keep(a_start, a_index, a_value, used)
    costs_all = np.zeros((len(listed), n))
    for k, (coefs, _) in enumerate(obj_rows):
        costs_all[k, list(coefs)] = list(coefs.values())
    costs_all = costs_all[:, keep]
    order = [[id(o) for o in listed].index(id(o)) for o in objectives]
    offsets = np.array([obj_rows[k][1] for k in order], dtype=float)
    return StandardForm([columns.variables[j] for j in keep], rows,
                        np.array(rhs, dtype=float), costs_all[order], offsets,
                        a_start, a_index, a_value, direct=True)


def _by_columns(row_coefs: list[dict], n_cols: int):
    """The CSC arrays of the matrix whose row i is row_coefs[i]: within a column, entries in
    row order (a stable sort of the row-major entries by column)."""
    counts = np.fromiter((len(r) for r in row_coefs), dtype=np.int64, count=len(row_coefs))
    nnz = int(counts.sum())
    cols = np.fromiter(chain.from_iterable(row_coefs), dtype=np.int32, count=nnz)
    vals = np.fromiter(chain.from_iterable(r.values() for r in row_coefs), dtype=float,
                       count=nnz)
    rows = np.repeat(np.arange(len(row_coefs), dtype=np.int32), counts)
    order = np.argsort(cols, kind="stable")
    start = np.zeros(n_cols + 1, dtype=np.int32)
    np.cumsum(np.bincount(cols, minlength=n_cols), out=start[1:])
    return start, rows[order], vals[order]


def _keep(start, index, value, used):
    """The CSC arrays of the columns where `used` is True only (row numbers unchanged)."""
    lengths = np.diff(start)
    new_start = np.zeros(int(used.sum()) + 1, dtype=np.int32)
    np.cumsum(lengths[used], out=new_start[1:])
    mask = np.repeat(used, lengths)
    return new_start, index[mask], value[mask]


def scipy_module(name: str):
    """Import a scipy module without Pyomo's import hook, which would run its deferred-scipy
    callback on any import of scipy (and so import scipy.stats, integrate and spatial)."""
    hooks = [f for f in sys.meta_path if type(f).__name__ == "DeferredImportCallbackFinder"]
    for hook in hooks:
        sys.meta_path.remove(hook)
    try:
        return importlib.import_module(name)
    finally:
        sys.meta_path[:0] = hooks


def _sparse_without_scipy_stats() -> None:
    """Give Pyomo's standard-form compiler its numpy and scipy.sparse constructors directly.
    It fills them on first use from Pyomo's deferred `scipy`, whose import hook also imports
    scipy.stats, scipy.integrate and scipy.spatial: 0.5 s of every process's start that the
    compiler never uses. Left to Pyomo if its compiler keeps them elsewhere."""
    impl = getattr(standard_form, "_LinearStandardFormCompiler_impl", None)
    if impl is None or getattr(impl, "_to_vector", False) is not None:
        return
    sparse = scipy_module("scipy.sparse")
    impl._to_vector = np.fromiter
    impl._csc_matrix = sparse.csc_array
    impl._csr_matrix = sparse.csr_array


def _by_pyomo(m: pyo.ConcreteModel, objectives: list) -> StandardForm:
    """Pyomo's standard-form compiler, for any linear model."""
    _sparse_without_scipy_stats()
    sf = LinearStandardFormCompiler().write(m, mixed_form=True)
    n_cols = len(sf.columns)
    costs = sf.c.toarray() if sf.c.shape[0] else np.zeros((len(objectives), n_cols))
    offsets = np.asarray(sf.c_offset, dtype=float)
    if sf.c.shape[0]:
        # the compiler lists objectives in model order; put them in the order asked for
        order = [[id(o) for o in sf.objectives].index(id(obj)) for obj in objectives]
        costs, offsets = costs[order], offsets[order]
    A = sf.A.tocsc()
    return StandardForm(list(sf.columns), [(r.constraint, r.bound_type) for r in sf.rows],
                        np.asarray(sf.rhs, dtype=float), costs, offsets,
                        np.asarray(A.indptr, dtype=np.int32),
                        np.asarray(A.indices, dtype=np.int32),
                        np.asarray(A.data, dtype=float), direct=False)
