"""A stage's free common columns solved pinned at a guess, then released (model.solve.pinned):
the result is the optimum with the columns free, whichever side of the optimum the guess is on,
and a result that cannot be certified leaves the bounds as they were."""
from dataclasses import replace

import highspy
import numpy as np
import pyomo.environ as pyo
import pytest

from model.bundled import bundled_case, bundled_case_names
from model.case import load_case
from model.formulation import Method, Stage, build_model
from model.solve import pinned as pinned_module
from model.solve import solve
from model.solve import stages as stages_module
from model.solve.highs import LoadedLP, Status, run, use_method
from tests.factory import make_case

INF = highspy.kHighsInf


def _l1_lp(targets, pins, bounds=(-INF, INF)):
    """min sum_i w_i |a_i . sigma - b_i| over free sigma (one column per period), written as an
    LP with an excess and a deficit column per term (sigma within `bounds`); `targets` are
    (w, a, b) with a a vector
    over the periods. Returns the loaded LP, its stage, pinned at `pins`, and the Pyomo model
    (kept alive by the caller: its variables only refer to it weakly)."""
    n = len(pins)
    m = pyo.ConcreteModel()
    m.T = pyo.Set(initialize=range(n))
    m.sigma = pyo.Var(m.T)
    m.guess = pyo.Expression(m.T, rule=lambda m, t: pins[t])
    m.dev = pyo.Var(range(2 * len(targets)), domain=pyo.NonNegativeReals)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    ncol = n + 2 * len(targets)
    cost = np.zeros(ncol)
    for i, (w, _, _) in enumerate(targets):
        cost[n + 2 * i: n + 2 * i + 2] = w
    lower = np.r_[np.full(n, bounds[0]), np.zeros(2 * len(targets))]
    h.addVars(ncol, lower, np.r_[np.full(n, bounds[1]), np.full(2 * len(targets), INF)])
    h.changeColsCost(ncol, np.arange(ncol, dtype=np.int32), cost)
    for i, (_, a, b) in enumerate(targets):  # a . sigma - excess + deficit = b
        idx = np.r_[np.arange(n), n + 2 * i, n + 2 * i + 1].astype(np.int32)
        h.addRow(b, b, len(idx), idx, np.r_[np.asarray(a, dtype=float), -1.0, 1.0])
    columns = [m.sigma[t] for t in m.T] + [m.dev[j] for j in m.dev]
    lp = LoadedLP(h, np.array([cost]), np.zeros(1), columns, [])
    return lp, Stage("phi", Method.IPM, pin=("sigma", "guess")), m  # m: columns hold weakrefs


def _solve(lp, stage):
    def solve():
        use_method(lp.highs, Method.IPM)
        return run(lp, stage.objective)
    return solve


def _objective(lp, sol):
    return float(lp.costs[0] @ np.asarray(sol.col_value))


@pytest.mark.parametrize("pin", [0.0, 3.0, 2.0])
def test_one_share_is_released_towards_its_optimum_from_either_side(pin, monkeypatch):
    # phi(s) = |1 - s| + |4 - 2 s|: slope -3 below 1, -1 between 1 and 2, +3 above 2, so the
    # optimum is s = 2 with phi = 1. Pinned at 0 (phi 5, slope -3) the share may only rise,
    # pinned at 3 (phi 4, slope 3) only fall; pinned at 2 it is already optimal.
    lp, stage, m = _l1_lp([(1.0, [1.0], 1.0), (1.0, [2.0], 4.0)], [pin])
    releases = []
    monkeypatch.setattr(pinned_module, "run", lambda *a: releases.append(a) or run(*a))
    outcome, sol = pinned_module.solve_pinned(lp, stage, _solve(lp, stage))
    assert outcome.status is Status.OPTIMAL
    assert len(releases) == 1  # released the right way at once: no change of sides
    assert releases[0][1] == "phi"  # and named after its stage (progress line, interruption)
    assert _objective(lp, sol) == pytest.approx(1.0, abs=1e-9)
    assert sol.col_value[0] == pytest.approx(2.0, abs=1e-9)
    _, _, _, lower, upper, _ = lp.highs.getCols(1, np.array([0], dtype=np.int32))
    assert (lower[0], upper[0]) == (-INF, INF)  # the free bounds are back


@pytest.mark.parametrize("guess, bounds, best, phi", [(3.0, (0.0, 1.0), 1.0, 2.0),
                                                     (0.0, (2.5, 5.0), 2.5, 2.5)])
def test_a_guess_outside_a_column_s_bounds_is_pinned_at_the_nearest_bound(guess, bounds, best,
                                                                          phi):
    # phi(s) = |1 - s| + |4 - 2 s| as above, whose free optimum s = 2 is out of both ranges:
    # within [0, 1] the optimum is s = 1 (phi = 0 + 2), within [2.5, 5] it is s = 2.5
    # (phi = 1.5 + 1). A guess of 3 is pinned at 1, a guess of 0 at 2.5, never outside, and
    # the release stays within the bounds, which are put back as they were.
    lp, stage, m = _l1_lp([(1.0, [1.0], 1.0), (1.0, [2.0], 4.0)], [guess], bounds=bounds)
    outcome, sol = pinned_module.solve_pinned(lp, stage, _solve(lp, stage))
    assert outcome.status is Status.OPTIMAL
    assert _objective(lp, sol) == pytest.approx(phi, abs=1e-9)
    assert sol.col_value[0] == pytest.approx(best, abs=1e-9)
    _, _, _, lower, upper, _ = lp.highs.getCols(1, np.array([0], dtype=np.int32))
    assert (lower[0], upper[0]) == bounds


def test_a_gentle_slope_above_the_pin_still_sends_the_share_down_at_once(monkeypatch):
    # phi(s) = 0.5 |s - 1|, pinned at 3: the reduced cost is the slope there, 0.5, so the share
    # may only fall, and one release reaches s = 1, phi = 0.
    lp, stage, m = _l1_lp([(0.5, [1.0], 1.0)], [3.0])
    releases = []
    monkeypatch.setattr(pinned_module, "run", lambda *a: releases.append(a) or run(*a))
    outcome, sol = pinned_module.solve_pinned(lp, stage, _solve(lp, stage))
    assert _objective(lp, sol) == pytest.approx(0.0, abs=1e-9)
    assert sol.col_value[0] == pytest.approx(1.0, abs=1e-9)
    assert len(releases) == 1


def _coupled():
    # phi(s0, s1) = 10 |s0 - s1| + |s0| + |s1 - 3|: its optimum is 3, at s0 = s1 anywhere in
    # [0, 3]. Pinned at (4, 3.5), phi = 5 + 4 + 0.5 and the gradient is (11, -9): s0 may fall
    # and s1 rise. With s1 >= 3.5 the best is s0 = s1 = 3.5, phi = 4, where s1 sits at its pin
    # with a reduced cost of 2 (lowering it lowers s0 with it: 1 + 1): not optimal for a free
    # s1, so s1 must change sides once more.
    return _l1_lp([(10.0, [1.0, -1.0], 0.0), (1.0, [1.0, 0.0], 0.0), (1.0, [0.0, 1.0], 3.0)],
                  [4.0, 3.5])


def test_coupled_shares_that_released_the_wrong_way_change_sides_until_certified():
    lp, stage, m = _coupled()
    outcome, sol = pinned_module.solve_pinned(lp, stage, _solve(lp, stage))
    assert outcome.status is Status.OPTIMAL
    assert _objective(lp, sol) == pytest.approx(3.0, abs=1e-9)
    s0, s1 = sol.col_value[:2]
    assert s0 == pytest.approx(s1, abs=1e-9) and -1e-9 <= s0 <= 3 + 1e-9


def test_a_release_that_is_not_certified_in_time_gives_up_and_puts_the_bounds_back(monkeypatch):
    lp, stage, m = _coupled()
    monkeypatch.setattr(pinned_module, "ROUNDS", 1)  # one release: s1 stays on the wrong side
    assert pinned_module.solve_pinned(lp, stage, _solve(lp, stage)) is None
    _, _, _, lower, upper, _ = lp.highs.getCols(2, np.array([0, 1], dtype=np.int32))
    assert list(lower) == [-INF, -INF] and list(upper) == [INF, INF]


def test_a_pinned_solve_that_fails_is_no_result(monkeypatch):
    lp, stage, m = _coupled()
    from model.solve.highs import Outcome
    assert pinned_module.solve_pinned(
        lp, stage, lambda: Outcome(Status.INFEASIBLE, "Infeasible")) is None
    _, _, _, lower, upper, _ = lp.highs.getCols(2, np.array([0, 1], dtype=np.int32))
    assert list(lower) == [-INF, -INF] and list(upper) == [INF, INF]


def _unpinned(f):
    stages = tuple(replace(s, pin=None) for s in f.stages.stages)
    return replace(f, stages=replace(f.stages, stages=stages))


def _sharing(f):
    # recomputed from the plan: sum_t days_t sum_p |plant_tap - share_t demand|, the row's
    # body being plant_tap - share_t demand - excess + deficit
    m = f.model
    total = 0.0
    for p, t in m.share_excess_m3_per_day:
        gap = pyo.value(m.even_share[p, t].body) + pyo.value(m.share_excess_m3_per_day[p, t]) \
            - pyo.value(m.share_deficit_m3_per_day[p, t])
        total += f.net.days[t] * abs(gap)
    return total


# every bundled case with plants to share between (wang-smith-1994 is one plant's operations)
CASES = [name for name in bundled_case_names() if name != "wang-smith-1994"]


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("guess", ["plan", 0.0, 1.0])
def test_pinned_sharing_reaches_the_free_optimum_on_every_bundled_case(name, guess, monkeypatch):
    # The even-sharing optimum with the share free (solved as before pinning existed) against
    # the pinned and released solve, from the campus's own share and from guesses below and
    # above every share (0 and 1), which the release must walk back from.
    case = load_case(bundled_case(name))
    reference = solve(_unpinned(build_model(case)))
    f = build_model(case)
    if guess != "plan":
        for t in f.model.PERIODS:
            f.model.tap_share_guess[t].set_value(guess)
    used, runs = [], []
    real, later = pinned_module.solve_pinned, stages_module._later_stage
    monkeypatch.setattr(stages_module, "solve_pinned",
                        lambda *a: used.append(real(*a)) or used[-1])
    monkeypatch.setattr(stages_module, "_later_stage",
                        lambda lp, holds, stage: runs.append(stage.objective) or later(lp, holds,
                                                                                      stage))
    report = solve(f)
    assert used and used[0] is not None  # certified: the pinned path gave the plan,
    assert runs.count("even_sharing") == 1  # and it is the plan: the stage is not run again
    for name_, value in reference.objectives.items():
        assert report.objectives[name_] == pytest.approx(value, rel=1e-9, abs=1e-6), name_
    assert _sharing(f) == pytest.approx(reference.objectives["even_sharing"], rel=1e-9, abs=1e-6)


def test_pinned_sharing_of_a_generated_campus_with_plants_that_cannot_reach_the_share(tmp_path):
    # 60 generated plants over 6 zones and 3 pooled trains, two periods (a demand season): some
    # plants' uses take too few generations to reach the common share and sit off it, so the
    # optimum is not 0 and the release has to find where the share goes.
    from tests.test_benchmark_generator import _module as generator
    case = load_case(generator.generate_case(tmp_path / "c", 60, zones=6, trains=3, seed=4,
                                             periods=2))
    reference = solve(_unpinned(build_model(case)))
    assert reference.objectives["even_sharing"] > 1.0  # plants off the share: a real tie-break
    for guess in (None, 0.0, 1.0):
        f = build_model(case)
        if guess is not None:
            for t in f.model.PERIODS:
                f.model.tap_share_guess[t].set_value(guess)
        report = solve(f)
        assert report.objectives["even_sharing"] == pytest.approx(
            reference.objectives["even_sharing"], rel=1e-9), guess


def test_every_share_the_lp_has_is_pinned_and_one_it_lacks_is_passed_over():
    # Two periods whose first has no recyclable demand, so its share is in no row and the
    # compiled LP has no column for it; the second period's share is still pinned, at its
    # guess (here the guess is x0 / 4 for the LP's only other column x0 = 2).
    m = pyo.ConcreteModel()
    m.T = pyo.Set(initialize=["dry", "wet"])
    m.sigma = pyo.Var(m.T)
    # A variable of the guess that the LP lacks counts at its own value (y = 1), or 0 without
    # one (z): 0.5 + 1 + 0.
    m.x = pyo.Var()
    m.y = pyo.Var(initialize=1.0)
    m.z = pyo.Var()
    m.guess = pyo.Expression(m.T, rule=lambda m, t: m.x / 4 + m.y + m.z)
    lp = LoadedLP(None, np.zeros((1, 2)), np.zeros(1), [m.x, m.sigma["wet"]], [])
    cols, values = pinned_module.guesses(lp, Stage("phi", pin=("sigma", "guess")),
                                         np.array([2.0, 0.0]))
    assert list(cols) == [1] and list(values) == [1.5]


@pytest.mark.parametrize("name", ["ntip-history-2015-2021", "tiny"])
def test_the_guess_is_the_campus_s_own_share_of_its_recyclable_demand_in_each_period(name):
    # A plan that draws every recyclable use's demand of the period as tap has a campus share of
    # exactly 1 in every period, whatever the period's demand: the history case's demand
    # changes from year to year; "tiny" has 0.2 + 0.3 m3/day of recyclable demand in all.
    if name == "tiny":
        case = make_case([("A", "rinse", "1", 0.2, 1.0, None), ("B", "rinse", "1", 0.3, 1.0, None)],
                         [("T", 1e6, 0.5, ("1",), 1.0)], max_recycles=1)
    else:
        case = load_case(bundled_case(name))
    f = build_model(case)
    m = f.model
    for (p, u, t), tap in m.tap_m3_per_day.items():
        tap.set_value(f.net.demand((p, u), t))
    assert [pyo.value(m.tap_share_guess[t]) for t in m.PERIODS] == pytest.approx(
        [1.0] * len(m.PERIODS), rel=1e-12)


def test_a_released_column_is_certified_when_basic_or_its_reduced_cost_points_into_a_bound():
    # The certificate reads HiGHS's solution and basis; here they are made by hand. Columns:
    # 0 basic; 1 free and nonbasic with a reduced cost of exactly DUAL_ZERO (zero to HiGHS's
    # tolerance); 2 at its lower bound, reduced cost 0.5 (pushes into the bound); 3 at its
    # upper bound, -0.5 (likewise); 4 at its lower bound, -0.5 (would rise: not optimal);
    # 5 free and nonbasic with 0.5 (would fall: not optimal); 6 at its upper bound, 0.5.
    # "At a bound" is within 1e-9 of the value's size (at least 1e-9): 7 at 1.0 with its upper
    # bound 1 + 1e-9 and 8 at 1.0 with its lower bound 1 - 1e-9, exactly 1e-9 away in floating
    # point; 9 at 100 - 5e-8 with its upper bound 100 (5e-8 < 1e-9 x 100). Each has a reduced
    # cost pointing into that bound. 10 is at 1.0, 0.5 above its lower bound, with 0.5: not at
    # the bound, so not optimal. 11 is at 1.0, 1.5e-9 above its lower bound: more than 1e-9 of
    # 1, so not at it either, with 0.5.
    from types import SimpleNamespace
    basic, lower_ = highspy.HighsBasisStatus.kBasic, highspy.HighsBasisStatus.kLower
    value = [3.0, 1.0, 2.0, 4.0, 2.0, 1.0, 4.0, 1.0, 1.0, 100 - 5e-8, 1.0, 1.0]
    dual = [0.7, pinned_module.DUAL_ZERO, 0.5, -0.5, -0.5, 0.5, 0.5, -0.5, 0.5, -0.5, 0.5, 0.5]
    status = [basic] + [lower_] * 11
    h = SimpleNamespace(getSolution=lambda: SimpleNamespace(col_value=value, col_dual=dual),
                        getBasis=lambda: SimpleNamespace(col_status=status))
    lower = np.array([-INF, -INF, 2.0, -INF, 2.0, -INF, -INF, -INF, 1 - 1e-9, -INF, 0.5,
                      1 - 1.5e-9])
    upper = np.array([INF, INF, INF, 4.0, INF, INF, 4.0, 1 + 1e-9, INF, 100.0, INF, INF])
    ok = pinned_module._certified(h, np.arange(12, dtype=np.int32), lower, upper)
    assert list(ok) == [True, True, True, True, False, False, False, True, True, True, False,
                        False]


def test_the_sharing_stage_is_an_optional_interior_point_stage_pinned_at_its_guess():
    # What the formulation asks of the solve: interior point (from the cost stage's vertex,
    # primal simplex took 5.6 s on the 2,000-plant benchmark against 1.3 s: benchmarks/README),
    # optional (a tie-break), its rows unbounded until then, its share pinned at the guess.
    stage = build_model(load_case(bundled_case("ntip-2019-phase2"))).stages.stages[-1]
    assert stage == Stage("even_sharing", Method.IPM, optional=True, rows=("even_share",),
                          pin=("tap_share", "tap_share_guess"))
