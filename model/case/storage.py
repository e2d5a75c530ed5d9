"""Read the optional storage file of a case: tanks.csv.

A tank sits in one zone and holds either recycled water (product water between the trains and
the uses) or wastewater (an equalisation basin between the uses and the trains). Volumes in m3.
"""
from __future__ import annotations

from model.case.core import Core
from model.case.objects import Tank
from model.case.rows import TankRow
from model.case.tables import CaseFolder


def read_tanks(folder: CaseFolder, core: Core) -> tuple[Tank, ...]:
    """The tanks of tanks.csv (none when it is missing), every problem reported."""
    table = folder.table(TankRow)
    train_names = {t.name for t in core.trains}
    bad_lines = set()
    for line, r in table.parsed:
        if r.tank in train_names:
            # results name flows by train or tank: one name must mean one thing
            folder.problems.add(table.file, "a tank may not share a train's name", line, "tank",
                                r.tank)
            bad_lines.add(line)
        for column in ("initial_m3", "min_final_m3"):
            if getattr(r, column) > r.capacity_m3:
                folder.problems.add(table.file, "exceeds capacity_m3", line, column,
                                    getattr(r, column))
                bad_lines.add(line)
    tanks = [(line, Tank(r.tank, r.zone, r.holds, r.capacity_m3, r.initial_m3, r.min_final_m3))
             for line, r in table.rows if line not in bad_lines]
    if core.max_recycles == 0:
        # tanks hold water between treatment passes, and with K = 0 there are none
        for line, tank in tanks:
            folder.problems.add(table.file, "a tank needs max_recycles >= 1 in case.toml: with 0 "
                                "no water is treated, so there is nothing to store", line,
                                "tank", tank.name)
    return tuple(tank for _, tank in tanks)
