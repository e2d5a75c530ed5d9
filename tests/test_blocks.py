"""A block-diagonal plan (independent periods) solved block by block (model/solve/blocks.py):
the blocks are independent, and the plan put together from them is the whole LP's, within the
hold rule, obeys the physics and reconciles, and answers the largest-cut question the same.

The generated cases are small, so the size thresholds are lowered for the test; the whole-LP
plan to compare with is the same case with splitting turned off."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model import load_case, plan
from model.cli import main
from model.formulation import build_model
from model.solve import blocks
from model.solve.highs import compile_and_load
from model.solve.stages import run_plan
from model.studies import with_cut
from model.bundled import bundled_case
from tests.invariants import check_physics
from tests.reconcile import check_reconciliation
from tests.test_benchmark_generator import generate_case

RTOL = 1e-7  # the holds: each block's are 1e-10 of its own optimum, the whole LP's of the total


@pytest.fixture(scope="module")
def daily(tmp_path_factory) -> Path:
    """20 plants over 6 days: six independent periods."""
    return generate_case(tmp_path_factory.mktemp("daily") / "case", plants=20, max_recycles=3,
                         zones=4, trains=2, seed=3, periods=6)


@pytest.fixture
def split(monkeypatch):
    monkeypatch.setattr(blocks, "MIN_SPLIT_COLUMNS", 0)
    monkeypatch.setattr(blocks, "MIN_COLUMNS", 1)


def _whole(monkeypatch):
    monkeypatch.setattr(blocks, "MIN_SPLIT_COLUMNS", 10**12)


def _period(var) -> str:
    index = var.index()
    return index[-1] if isinstance(index, tuple) else index


def test_each_block_lies_in_one_period_and_the_blocks_cover_the_lp(daily, split):
    f = build_model(load_case(daily))
    lp = compile_and_load(f)
    whole = blocks._Whole(lp)
    parts = blocks.groups(whole.a)
    assert parts is not None and len(parts) >= 6
    rows = sorted(int(i) for r, _ in parts for i in r)
    cols = sorted(int(j) for _, c in parts for j in c)
    assert rows == list(range(len(lp.rows))) and cols == list(range(len(lp.columns)))
    periods = set(f.net.PERIODS)
    for _, c in parts:
        # a column's period is the last part of its index; every block has one period
        seen = {_period(lp.columns[int(j)]) for j in c}
        assert len(seen) == 1 and seen <= periods
    # and no row of another block touches its columns
    a = whole.a.tocsc()
    for r, c in parts:
        touched = set(a[:, c].tocoo().row.tolist())
        assert touched <= set(r.tolist())


@pytest.mark.parametrize("cut", [None, 0.3])
def test_the_plan_by_blocks_is_the_whole_plan(daily, tmp_path, monkeypatch, cut):
    case = load_case(daily)
    case = case if cut is None else with_cut(case, cut=cut)
    _whole(monkeypatch)
    whole_plan = plan(case, largest_cut=cut is None)
    whole = whole_plan.summary
    monkeypatch.setattr(blocks, "MIN_SPLIT_COLUMNS", 0)
    monkeypatch.setattr(blocks, "MIN_COLUMNS", 1)
    called = []
    real = blocks.block_lp
    monkeypatch.setattr(blocks, "block_lp", lambda *a: called.append(1) or real(*a))
    split_plan = plan(case, largest_cut=cut is None)
    split = split_plan.summary
    # the marginal values: each block's duals in their rows of the whole (on this case the
    # blocks' vertices give the whole LP's duals; a misplaced block would move them). Not
    # under rationing: there the whole LP holds the horizon's total shortage and a block its
    # own period's, and the duals differ by 0.1% (model/solve/blocks.py)
    both = whole_plan.trains.merge(split_plan.trains, on=["train", "period"],
                                   suffixes=("_whole", "_split"))
    assert len(both) == len(whole_plan.trains) == 2 * 6
    for column in ("capacity_value", "recovery_value") if cut is None else ():
        assert both[column + "_split"].to_numpy() == pytest.approx(
            both[column + "_whole"].to_numpy(), rel=1e-6, abs=1e-6), column
    assert len(called) >= 6  # it did go block by block
    for key in ("tap_m3_per_day", "recycled_m3_per_day", "shortage_m3", "cost_per_day",
                "demand_m3_per_day"):
        a, b = getattr(whole, key), getattr(split, key)
        assert b == pytest.approx(a, rel=RTOL, abs=1e-6), key
    if cut is None:
        # the largest cut, from the whole LP seeded with the blocks' bases
        assert split.largest_cut.largest_uniform_cut == pytest.approx(
            whole.largest_cut.largest_uniform_cut, rel=1e-9, abs=1e-12)
    else:
        assert split.shortage_m3 > 1.0
    for p, q in zip(whole.periods, split.periods):
        assert q.tap_m3 == pytest.approx(p.tap_m3, rel=RTOL, abs=1e-6)


def test_a_plan_by_blocks_obeys_the_physics_and_reconciles(daily, tmp_path, split):
    out = tmp_path / "out"
    assert main(["solve", str(daily), "--out", str(out)]) == 0
    check_physics(load_case(daily), out)
    check_reconciliation(out)


def test_periods_a_tank_links_are_not_split(split):
    # the 2023 drought case carries water between periods in its tank: one block
    f = build_model(load_case(bundled_case("kaohsiung-2023-drought")))
    lp = compile_and_load(f)
    assert blocks.groups(blocks._Whole(lp).a) is None


def test_a_small_lp_is_not_split(daily):
    f = build_model(load_case(daily))
    assert len(compile_and_load(f).columns) < blocks.MIN_SPLIT_COLUMNS
    assert blocks.run_blocks(f, compile_and_load(f), run_plan) is None


def test_a_plan_of_one_period_is_solved_whole(tmp_path, split):
    # looking for blocks costs 0.03-0.07 s at 2,000 plants; a one-period plan does not look
    steady = generate_case(tmp_path / "steady", plants=20, max_recycles=3, zones=4, trains=2,
                           seed=3)
    f = build_model(load_case(steady))
    assert len(f.net.PERIODS) == 1
    assert blocks.run_blocks(f, compile_and_load(f), run_plan) is None


def test_groups_of_a_matrix_made_by_hand(monkeypatch):
    # rows 0-1 hold columns 0-1, row 3 holds columns 2-3, row 2 holds none: two blocks, the
    # empty row kept (in the first group) so that every row is in some block
    from scipy.sparse import csr_array
    a = csr_array(np.array([[1.0, 2.0, 0, 0], [0, 1.0, 0, 0], [0, 0, 0, 0], [0, 0, 3.0, 1.0]]))
    monkeypatch.setattr(blocks, "MIN_COLUMNS", 1)
    parts = blocks.groups(a)
    assert [(r.tolist(), c.tolist()) for r, c in parts] == [([0, 1, 2], [0, 1]), ([3], [2, 3])]
    # blocks are put together up to MIN_COLUMNS columns: here into one group, so no split
    monkeypatch.setattr(blocks, "MIN_COLUMNS", 3)
    assert blocks.groups(a) is None
