"""The written report reconciles with itself (tests/reconcile.py) on every bundled case, and on
rationed variants of the steady and drought cases, run through the command line."""
from __future__ import annotations

import pytest

from model.bundled import bundled_case_names
from model.cli import main
from tests.reconcile import check_reconciliation

RATIONED = [("ntip-2019-phase2", ["--cut", "0.10"]), ("ntip-2019-phase2", ["--stage", "orange"]),
            ("ntip-2015-phase1", ["--cut", "0.07"]),
            ("kaohsiung-2023-drought", ["--cut", "0.2"]),
            ("kaohsiung-2021-drought", ["--no-fair-share"])]


@pytest.mark.parametrize("name, options", [(n, []) for n in bundled_case_names()] + RATIONED)
def test_every_table_reconciles_with_every_other(name, options, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["solve", name, *options, "--no-largest-cut", "--out", str(out)]) == 0, \
        capsys.readouterr().err
    check_reconciliation(out)


def test_a_basin_listed_before_a_recycled_tank_reconciles(tmp_path, capsys):
    # One zone, one rinse of 100 m3/day (return 1), K = 1, a train of 20 then 200 m3/day: the
    # wastewater basin B starts with 10 m3 and is emptied into the second period's spare
    # capacity, and a recycled-water tank R is listed after it. The untreated wastewater in
    # the discharge breakdown counts the basin's change (-10 m3 over 2 days); the recycled
    # tank's own change belongs to the surplus product, not to it.
    from tests.period_casefiles import write_case
    folder = write_case(tmp_path / "case", {
        "periods.csv": "period,days\na,1\nb,1\n",
        "trains_by_period.csv": "period,train,capacity_m3_per_day\na,T,20\nb,T,200\n",
        "tanks.csv": "tank,zone,holds,capacity_m3,initial_m3,min_final_m3\n"
                     "B,1,wastewater,500,10,0\nR,1,recycled,50,20,0\n"})
    out = tmp_path / "out"
    assert main(["solve", str(folder), "--no-largest-cut", "--out", str(out)]) == 0, \
        capsys.readouterr().err
    check_reconciliation(out)
    import pandas as pd
    levels = pd.read_csv(out / "tank_levels.csv")
    basin = levels[levels.tank == "B"]
    assert basin.end_level_m3.iloc[-1] < 10 - 1e-6    # the basin was drawn down


def test_a_plan_with_direct_reuse_reconciles(tmp_path, capsys):
    # one zone with direct reuse allowed between a rinse (100 m3/day, return 1) and a tower
    # (40, return 0.5), a train short of capacity in the first period: untreated reuse flows,
    # so plants.csv and uses.csv list direct_reuse_m3_per_day and must agree on it
    from tests.period_casefiles import write_case
    folder = write_case(tmp_path / "case", {
        "case.toml": 'name = "direct"\nmax_recycles = 1\ndirect_reuse = "zone"\n',
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    "P,rinse,100,1.0,\nP,tower,40,0.5,\n",
        "periods.csv": "period,days\na,1\nb,1\n",
        "trains_by_period.csv": "period,train,capacity_m3_per_day\na,T,20\nb,T,200\n"})
    out = tmp_path / "out"
    assert main(["solve", str(folder), "--no-largest-cut", "--out", str(out)]) == 0, \
        capsys.readouterr().err
    import pandas as pd
    assert pd.read_csv(out / "uses.csv").direct_reuse_m3_per_day.max() > 1.0
    check_reconciliation(out)


def test_a_rationed_plan_with_a_use_of_no_demand_reconciles(tmp_path, capsys):
    # the default case cut by 10%, with the first use's demand set to 0: nothing of it can go
    # short, so shortages.csv gives it a fraction short of 0 (not 0 / 0); and Z1-A's cooling
    # tower (line 5, priority class 3, cut first) at 0.5 m3/day: its fraction is shortage /
    # demand however small the demand
    import shutil
    from model.bundled import bundled_case
    case = tmp_path / "case"
    shutil.copytree(bundled_case(), case)
    lines = (case / "uses.csv").read_text().splitlines()
    for line, demand in ((1, "0"), (4, "0.5")):
        cells = lines[line].split(",")
        cells[2] = demand
        lines[line] = ",".join(cells)
    assert lines[4].startswith("Z1-A,cooling tower,0.5,")
    (case / "uses.csv").write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    assert main(["solve", str(case), "--cut", "0.1", "--no-largest-cut", "--out", str(out)]) \
        == 0, capsys.readouterr().err
    import pandas as pd
    shortages = pd.read_csv(out / "shortages.csv")
    assert (shortages.demand_m3_per_day == 0).sum() == 1
    assert shortages.shortage_m3_per_day.sum() > 100   # the cut makes some uses go short
    small = shortages[shortages.demand_m3_per_day == 0.5]
    assert len(small) == 1 and 0 < small.shortage_fraction.iloc[0] <= 1
    check_reconciliation(out)


def test_a_portfolio_s_plan_with_outside_water_reconciles(tmp_path, capsys):
    # `wateralloc options --budget` on the phase 3 case picks, within NT$5 billion, the Zone 3
    # link, 85% recovery and the Nanzih reclaimed water (5,000 m3/day of outside supply): its
    # plan tables reconcile, the outside water counted as water coming in
    out = tmp_path / "out"
    assert main(["options", "ntip-2028-phase3", "--budget", "5e9", "--out", str(out)]) == 0, \
        capsys.readouterr().err
    import pandas as pd
    assert "Nanzih-reclaimed" in pd.read_csv(out / "portfolio.csv").selected.iloc[0]
    assert pd.read_csv(out / "uses.csv").outside_supply_m3_per_day.sum() > 1000.0
    check_reconciliation(out)

