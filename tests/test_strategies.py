"""The random cases exercise the model: measured on a fixed seed, so that the generator cannot
drift back to cases that recycle nothing (tests/strategies.py says how the draws get there).

The shares are measured on plans, not on the drawn data: a case "recycles" when its plan
delivers recycled water, and "has a binding capacity" when some train treats its full capacity
in some period. The seed and the number of cases are fixed, so the figures are deterministic.
"""
import random

from model import plan
from tests.strategies import random_case

SEED, N = 20240612, 60
CAPACITY_TOL = 1e-7  # relative and m3/day: a train within the solver's tolerance of its limit


def test_random_cases_recycle_bind_and_span_periods():
    rnd = random.Random(SEED)
    recycles = binding = eventful = 0
    for _ in range(N):
        case = random_case(rnd)
        r = plan(case)
        recycles += r.summary.recycled_m3 > 1e-6
        t = r.trains
        binding += bool(((t.capacity_m3_per_day > 0) & (
            t.treated_m3_per_day >= t.capacity_m3_per_day * (1 - CAPACITY_TOL) - CAPACITY_TOL
        )).any())
        eventful += len(case.periods) > 1 and bool(
            case.tanks or case.emergency.tankers or case.emergency.boosts or case.rationing)
    shares = {"recycle": recycles / N, "binding": binding / N, "multi-period": eventful / N}
    assert shares["recycle"] >= 0.80, shares
    assert shares["binding"] >= 0.25, shares
    assert shares["multi-period"] >= 0.25, shares


def test_multi_period_cases_carry_every_feature():
    # Each feature (tank, basin, tanker, boost, rationing) appears in some drawn case, so that
    # the properties and invariants over these cases reach every part of the model.
    rnd = random.Random(SEED)
    seen = set()
    for _ in range(200):
        c = random_case(rnd)
        seen |= {t.holds for t in c.tanks}
        seen |= {"tanker"} if c.emergency.tankers else set()
        seen |= {"boost"} if c.emergency.boosts else set()
        seen |= {"rationing"} if c.rationing else set()
        seen |= {"no treatment"} if c.max_recycles == 0 else set()
    assert seen == {"recycled", "wastewater", "tanker", "boost", "rationing", "no treatment"}
