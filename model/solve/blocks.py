"""A plan whose LP falls apart into independent blocks, solved block by block.

A daily plan without tanks is block-diagonal: no row holds columns of two periods. Each block
is then an LP of its own, and the lexicographic stages of the whole (least tap, least cost,
even sharing, ...) are those of the blocks side by side: each stage's objective is a sum over
the blocks, and a block's plan can only be optimal for the sum if it is optimal for its own
part. So the stages are run on each block (`run_plan`, as for the whole LP) and the plans put
together. On the generated 200-plant, 30-day case the stages took 2.5 s this way against 5.3 s
on the whole LP (docs/decisions.md).

Each block holds its stages within the hold rule of its own optimum, which is tighter than the
whole LP's rule of the total: the plan can differ from the whole LP's by what the wider hold
allows (a cost 9e-9 of itself lower on that case), never by more. Under rationing the marginal
values (the tap stage's duals, tap saved with the shortage held) differ a little too: the
whole LP holds the horizon's total shortage, a block its own period's, so the whole LP's duals
also price moving held shortage between periods. On a generated 6-day case cut by 0.3 they
differ by 0.1% (a recovery value of 89.22 against 89.17 m3/day per point, day-weighted);
without rationing they agree to 2e-9.

The blocks are the connected components of the rows and columns (`scipy.sparse.csgraph`),
put together in order into groups of at least `MIN_COLUMNS` columns (a group of blocks is still
independent of the others). Only an LP of at least `MIN_SPLIT_COLUMNS` columns and of more
than one period, that gives two groups or more, is split (looking costs 0.03-0.07 s at 2,000
plants, which a one-period plan does not pay); integer columns (a portfolio's MILP) and a time
limit keep the whole LP. The whole LP stays loaded: it answers the questions asked of the
plan afterwards (the largest uniform cut, model.solve.reuse), from the blocks' bases put
together.
"""
from __future__ import annotations

import highspy
import numpy as np

from model.formulation import Formulation, Method
from model.solve.compile import scipy_module
from model.solve.highs import LoadedLP, new_highs, use_method

MIN_SPLIT_COLUMNS = 20_000  # smaller LPs solve whole (every bundled case does)
MIN_COLUMNS = 2_000         # blocks are grouped up to at least this many columns


def groups(a) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """(rows, columns) of each group of independent blocks of the LP whose matrix is `a` (a
    csr_array), in the LP's order; None when it does not split (module docstring)."""
    n_row, n_col = a.shape
    # scipy's modules are imported only for an LP large enough to split
    connected_components = scipy_module("scipy.sparse.csgraph").connected_components
    graph = scipy_module("scipy.sparse").bmat([[None, a], [a.T, None]], format="csr")
    _, label = connected_components(graph, directed=False)
    row_label, col_label = label[:n_row], label[n_row:]
    first = {}  # each block, at its first column: blocks in the LP's order
    for j, b in enumerate(col_label):
        first.setdefault(b, j)
    out, cols_of, rows_of = [], _members(col_label), _members(row_label)
    pending_cols, pending_rows = [], []
    for b in sorted(first, key=first.get):
        pending_cols.append(cols_of[b])
        pending_rows.append(rows_of.get(b, np.zeros(0, dtype=np.int64)))
        if sum(len(c) for c in pending_cols) >= MIN_COLUMNS:
            out.append((np.concatenate(pending_rows), np.concatenate(pending_cols)))
            pending_cols, pending_rows = [], []
    if pending_cols:
        if out:  # the last few blocks join the last group
            rows, cols = out.pop()
            pending_rows.insert(0, rows)
            pending_cols.insert(0, cols)
        out.append((np.concatenate(pending_rows), np.concatenate(pending_cols)))
    if len(out) < 2:
        return None
    orphans = [rows_of[b] for b in rows_of if b not in first]  # rows of no column (none, as
    if orphans:                                                # the compiler drops them)
        out[0] = (np.concatenate([out[0][0], *orphans]), out[0][1])
    return [(np.sort(r).astype(np.int32), np.sort(c).astype(np.int32)) for r, c in out]


def _matrix(whole: highspy.HighsLp):
    """The whole LP's matrix, by rows (a scipy.sparse csr_array)."""
    a = whole.a_matrix_
    return scipy_module("scipy.sparse").csc_array(
        (np.asarray(a.value_), np.asarray(a.index_), np.asarray(a.start_)),
        shape=(whole.num_row_, whole.num_col_)).tocsr()


def _members(label: np.ndarray) -> dict[int, np.ndarray]:
    order = np.argsort(label, kind="stable")
    cuts = np.flatnonzero(np.diff(label[order])) + 1
    return {int(label[part[0]]): part for part in np.split(order, cuts)}


def block_lp(lp: LoadedLP, whole: "_Whole", rows: np.ndarray, cols: np.ndarray,
             method: Method) -> LoadedLP:
    """The block (rows, cols) of `lp` as an LP of its own, set for the first stage; its
    objectives have no constant (the whole LP's constants are added once, `run_blocks`)."""
    a = whole.a[rows][:, cols].tocsc()
    sub = highspy.HighsLp()
    sub.num_col_, sub.num_row_ = len(cols), len(rows)
    sub.col_cost_ = lp.costs[0][cols]
    sub.col_lower_, sub.col_upper_ = whole.col_lower[cols], whole.col_upper[cols]
    sub.row_lower_, sub.row_upper_ = whole.row_lower[rows], whole.row_upper[rows]
    sub.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    sub.a_matrix_.start_, sub.a_matrix_.index_, sub.a_matrix_.value_ = a.indptr, a.indices, a.data
    sub.a_matrix_.num_col_, sub.a_matrix_.num_row_ = len(cols), len(rows)
    h = new_highs()
    use_method(h, method)
    h.passModel(sub)
    at = np.full(whole.a.shape[0], -1, dtype=np.int64)  # whole row -> block row, or -1
    at[rows] = np.arange(len(rows))
    stage_rows = []
    for index, lower, upper in lp.stage_rows:
        keep = at[index] >= 0
        stage_rows.append((at[index][keep].astype(np.int32), lower[keep], upper[keep]))
    block_rows = [lp.rows[int(r)] for r in rows]
    return LoadedLP(h, lp.costs[:, cols], np.zeros(len(lp.offsets)),
                    [lp.columns[int(c)] for c in cols], block_rows,
                    {id(con): i for i, (con, _) in enumerate(block_rows)}, False, stage_rows)


class _Whole:
    """The whole LP's matrix and bounds, read from HiGHS once."""

    def __init__(self, lp: LoadedLP):
        whole = lp.highs.getLp()
        self.a = _matrix(whole)
        self.col_lower, self.col_upper = (np.asarray(whole.col_lower_),
                                          np.asarray(whole.col_upper_))
        self.row_lower, self.row_upper = (np.asarray(whole.row_lower_),
                                          np.asarray(whole.row_upper_))


def run_blocks(f: Formulation, lp: LoadedLP, run_plan) -> tuple | None:
    """The plan of `lp` solved block by block, each by `run_plan(f, block)` (the stages of
    model.solve.stages), and put together: the fields of a `PlanRun` of the whole, in order.
    None when `lp` is not split. Raises as `run_plan` does, for the first block that fails."""
    if lp.integer or lp.highs.getNumCol() < MIN_SPLIT_COLUMNS or not lp.rows \
            or len(f.net.PERIODS) < 2:
        return None  # one period: its blocks would be zones no train joins, a rare campus
    whole = _Whole(lp)
    parts = groups(whole.a)
    if parts is None:
        return None
    n_col, n_row = lp.highs.getNumCol(), len(lp.rows)
    x, duals = np.zeros(n_col), np.zeros(n_row)
    objectives: dict[str, float] = {}
    seconds: dict[str, float] = {}
    skipped: list[str] = []
    because: dict[str, str] = {}
    tolerance = 0.0
    col_status = [highspy.HighsBasisStatus.kLower] * n_col
    row_status = [highspy.HighsBasisStatus.kBasic] * n_row
    for rows, cols in parts:
        part = block_lp(lp, whole, rows, cols, f.stages.stages[0].method)
        done = run_plan(f, part)
        x[cols] = done.x
        duals[rows] = done.duals
        for name, value in done.objectives.items():
            objectives[name] = objectives.get(name, 0.0) + value
        for name, value in done.seconds.items():
            seconds[name] = seconds.get(name, 0.0) + value
        skipped += [s for s in done.skipped if s not in skipped]
        because.update(done.because)
        tolerance += done.tap_tolerance_m3
        basis = part.highs.getBasis()
        statuses = list(basis.col_status)  # one copy: each access copies the whole vector
        for k, c in enumerate(cols):
            col_status[c] = statuses[k]
        statuses = list(basis.row_status)
        for k, r in enumerate(rows):
            row_status[r] = statuses[k]
    for i, stage in enumerate(f.stages.stages):
        if stage.objective in objectives:
            objectives[stage.objective] += float(lp.offsets[i])
    _seed_basis(lp, col_status, row_status)
    return objectives, x, duals, tolerance, tuple(skipped), seconds, because


def _seed_basis(lp: LoadedLP, col_status: list, row_status: list) -> None:
    """Give the whole LP the blocks' bases (their hold rows left out), so that a question asked
    of the plan afterwards starts from it; a basis HiGHS refuses (a hold row that was not
    basic) leaves the whole LP to start afresh, which is slower, not wrong."""
    basis = highspy.HighsBasis()
    basis.col_status, basis.row_status = col_status, row_status
    basis.valid = True
    basic = sum(s == highspy.HighsBasisStatus.kBasic for s in col_status + row_status)
    if basic == len(row_status):
        lp.highs.setBasis(basis)
