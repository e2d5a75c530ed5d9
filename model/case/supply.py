"""Read the optional outside and emergency supply of a case: tankers.csv and boosts.csv.

Trucked water (tankers) and temporary recovery boosts work with or without drought rationing:
the model buys them whenever they save tap water or shortage at their price.
"""
from __future__ import annotations

from model.case.core import Core
from model.case.objects import Boost, Emergency, Tanker
from model.case.rows import BoostRow, TankerRow
from model.case.tables import CaseFolder


def read_supply(folder: CaseFolder, core: Core) -> Emergency:
    """The tankers and boosts (none when the files are missing). Needs the period names."""
    every_zone = tuple(sorted(core.zones))
    tankers = folder.table(TankerRow)
    trucked = tuple(Tanker(r.tanker, r.capacity_m3_per_day, r.price_per_m3, r.zones or every_zone)
                    for _, r in tankers.rows)
    boosts = folder.table(BoostRow)
    normal_recovery = {t.name: t.recovery for t in core.trains}
    boosted = []
    for line, r in boosts.rows:
        if r.recovery <= normal_recovery[r.train]:
            folder.problems.add(boosts.file, "a boost must raise the train's recovery above "
                                f"{normal_recovery[r.train]}", line, "recovery", r.recovery)
        boosted.append(Boost(r.train, r.recovery, r.extra_cost_per_m3, r.periods or ()))
    return Emergency(trucked, tuple(boosted))
