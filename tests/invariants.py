"""Physics recomputed from a plan's output tables with pandas, independently of the model."""
from __future__ import annotations

import pandas as pd
import pytest

TOL = 1e-6  # m3/day: HiGHS's primal feasibility tolerance is 1e-7 on each row


def check_invariants(case, res) -> None:
    alloc, feeds = res.allocation, res.feeds
    uses = {u.key: u for u in case.uses}
    trains = {t.name: t for t in case.trains}
    K = case.max_recycles
    assert (alloc.m3_per_day >= -TOL).all() and (feeds.m3_per_day >= -TOL).all()

    # every use's demand is met exactly
    supplied = alloc.groupby(["plant", "use"]).m3_per_day.sum()
    for key, u in uses.items():
        assert supplied.get(key, 0.0) == pytest.approx(u.demand_m3_per_day, rel=1e-7, abs=TOL)

    # no use receives water recycled more often than it accepts; tap is generation 0
    gen_limit = alloc.apply(lambda r: uses[r.plant, r.use].max_recycles, axis=1)
    assert (alloc.generation <= gen_limit).all()
    assert ((alloc.source == "tap") == (alloc.generation == 0)).all()

    # zone connectivity: recycled water only from trains serving the use's zone, feed likewise
    rec = alloc[alloc.source != "tap"]
    assert all(z in trains[s].zones for s, z in zip(rec.source, rec.zone))
    assert all(z in trains[s].zones for s, z in zip(feeds.train, feeds.zone))
    assert (feeds.generation < K).all()

    # nothing treated beyond capacity
    fed = feeds.groupby("train").m3_per_day.sum()
    for s, t in trains.items():
        assert fed.get(s, 0.0) <= t.capacity_m3_per_day + TOL

    # recovered water of generation g+1 is at most recovery x feed of generation g
    fed_g = feeds.groupby(["train", "generation"]).m3_per_day.sum()
    out_g = rec.groupby(["source", "generation"]).m3_per_day.sum()
    for (s, g), delivered in out_g.items():
        assert delivered <= trains[s].recovery * fed_g.get((s, g - 1), 0.0) + TOL

    # treated wastewater of generation g in zone z is at most what the zone's uses return
    ret = alloc.assign(w=alloc.apply(lambda r: uses[r.plant, r.use].return_fraction, axis=1)
                       * alloc.m3_per_day).groupby(["zone", "generation"]).w.sum()
    for (z, g), f in feeds.groupby(["zone", "generation"]).m3_per_day.sum().items():
        assert f <= ret.get((z, g), 0.0) + TOL

    # water balance: tap = consumed + discharged
    s = res.summary
    assert s.tap_m3_per_day == pytest.approx(
        s.consumed_m3_per_day + s.discharged_m3_per_day, rel=1e-9, abs=TOL)
    assert sum(vars(s.discharge_breakdown_m3_per_day).values()) == pytest.approx(
        s.discharged_m3_per_day, rel=1e-9, abs=TOL)
    assert s.tap_m3_per_day == pytest.approx(
        alloc[alloc.source == "tap"].m3_per_day.sum(), rel=1e-9, abs=TOL)
    assert s.demand_m3_per_day == pytest.approx(
        sum(u.demand_m3_per_day for u in case.uses), rel=1e-12)
    plants = res.plants.set_index("plant")
    by_plant = pd.Series({p.name: sum(u.demand_m3_per_day for u in case.uses
                                      if u.plant == p.name) for p in case.plants})
    assert plants.demand_m3_per_day.sort_index().values == pytest.approx(
        by_plant.sort_index().values, rel=1e-12)
