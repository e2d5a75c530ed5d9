"""Sweeps over options (`option:<name>` = 0 or 1): warm re-solves against cold solves, what a
scenario's choice builds into the case, and the rules of the scenarios file.

A cold solve of a scenario plans the case with its options built in (`apply_options`, what
`wateralloc options` plans for a portfolio); a blank cell is the case as `wateralloc solve`
plans it, without its options. Every warm figure is checked against that cold solve by
`differences` (RTOL = 1e-7 relative), as tests/test_sweep.py does for the other kinds.
"""
import shutil
import uuid

import pytest

from model.bundled import bundled_case
from model.case import load_case
from model.case.options import apply_options
from model.case.scenarios import Parameter, Scenario, Sweep, read_scenarios, vary_scenarios
from model.cli import main
from model.errors import CaseError
from model.studies.sweep import base_case, cold_row, differences, run_sweep, solve_chunk

LINK, TRAIN, CAPACITY = "K14-Zone3-link", "K18B-train", "K14-capacity"
REC80, REC85, TANK, RECLAIMED = "K14-recovery-80", "K14-recovery-85", "K14-tank", \
    "Nanzih-reclaimed"


@pytest.fixture(scope="module")
def phase3():
    return load_case(bundled_case("ntip-2028-phase3"))


def _sweep(columns, values):
    parameters = tuple(Parameter(*c.split(":", 1)) if ":" in c else Parameter(c)
                       for c in columns)
    return Sweep(parameters, tuple(
        Scenario(f"s{i}", tuple((p, v) for p, v in zip(parameters, row) if v is not None))
        for i, row in enumerate(values)))


def _warm_in_order(case, sweep):
    """The scenarios solved warm in exactly the order given (one chunk, no reordering)."""
    rows = solve_chunk(uuid.uuid4().hex, case, base_case(case, sweep), sweep.kinds,
                       list(enumerate(sweep.scenarios)))
    return [row for _, row in rows]


def _assert_warm_equals_cold(case, sweep, rows):
    assert [r.scenario for r in rows] == [s.name for s in sweep.scenarios]
    for scenario, row in zip(sweep.scenarios, rows):
        assert differences(row, cold_row(case, scenario)) == [], scenario


def test_every_option_in_and_out_with_a_cut_warm_equal_cold(phase3):
    # 16 scenarios: a link (structure), a supply (structure), a recovery option (numbers only)
    # and a cut, each in and out; the neighbour order keeps each structure's scenarios together
    sweep = vary_scenarios([f"option:{LINK}=0:1:2", f"option:{RECLAIMED}=0:1:2",
                            f"option:{REC80}=0:1:2", "cut=0:0.2:2"], phase3)
    rows = run_sweep(phase3, sweep)
    assert len({r.figures["tap_m3_per_day"] for r in rows}) == 16  # every choice changes tap
    _assert_warm_equals_cold(phase3, sweep, rows)


def test_a_new_train_a_tank_and_a_capacity_option_out_of_order_warm_equal_cold(phase3):
    # the order switches structure at almost every step, so warm models are left and taken up
    # again with the bases they ended with; capacity:K14 and the capacity option together
    sweep = _sweep([f"option:{TRAIN}", f"option:{TANK}", f"option:{CAPACITY}", "capacity:K14",
                    f"option:{REC85}"],
                   [(1, None, None, None, None), (None, 1, 1, 15000.0, None),
                    (1, 1, None, None, 1), (0, 0, 1, 10000.0, 0), (None, None, None, None, None),
                    (1, None, 1, 12000.0, 1), (None, 1, None, None, None)])
    _assert_warm_equals_cold(phase3, sweep, _warm_in_order(phase3, sweep))


def test_options_flip_a_tap_cap_between_infeasible_and_feasible(phase3):
    # 12,000 m3/day of tap is below the 16,496.2 the campus needs without options (README) but
    # above 11,667.0 with Nanzih reclaimed water and 10,634.1 with the Zone 3 link (least taps
    # of those portfolios, README's options table: 16,496.2 - 4,829 and - 5,862)
    sweep = _sweep(["tap_cap", f"option:{RECLAIMED}", f"option:{LINK}"],
                   [(12000.0, None, None), (12000.0, 1, None), (12000.0, 0, 0),
                    (12000.0, None, 1), (12000.0, 0, None), (11000.0, 1, None),
                    (11000.0, 1, 1)])
    rows = _warm_in_order(phase3, sweep)
    assert [r.status for r in rows] == ["infeasible", "optimal", "infeasible", "optimal",
                                        "infeasible", "infeasible", "optimal"]
    assert rows[0].least_tap_m3_per_day == pytest.approx(16496.2, abs=0.05)
    assert rows[5].least_tap_m3_per_day == pytest.approx(16496.2 - 4829, abs=0.5)
    _assert_warm_equals_cold(phase3, sweep, rows)


def test_a_drought_schedule_with_a_tank_option_warm_equal_cold():
    case = load_case(bundled_case("ntip-2028-phase3-drought-2023"))
    sweep = _sweep([f"option:{TANK}", f"option:{LINK}", "demand_factor"],
                   [(None, None, None), (1, None, None), (1, 1, 1.1), (0, 1, None),
                    (1, 0, 0.9)])
    _assert_warm_equals_cold(case, sweep, _warm_in_order(case, sweep))


def test_a_blank_is_the_case_as_solve_plans_it_and_options_come_last(phase3):
    blank = _sweep([f"option:{LINK}", "capacity:K14"], [(None, None)]).scenarios[0]
    assert blank.apply(phase3) == phase3
    # capacity:K14 sets K14's own capacity; the capacity option then adds its 10,000 m3/day
    both = _sweep([f"option:{CAPACITY}", "capacity:K14"], [(1, 15000.0)]).scenarios[0]
    k14 = {t.name: t for t in both.apply(phase3).trains}["K14"]
    assert k14.capacity_m3_per_day == 15000.0 + 10000.0
    assert both.apply(phase3).options == ()  # a plain case, planned like any other
    row = run_sweep(phase3, _sweep([f"option:{LINK}"], [(None,)]))[0]
    assert row.figures["tap_m3_per_day"] == pytest.approx(16496.2, abs=0.05)  # README


def test_an_option_brings_what_it_requires(phase3, tmp_path):
    folder = shutil.copytree(bundled_case("ntip-2028-phase3"), tmp_path / "case")
    text = (folder / "options.csv").read_text(encoding="utf-8")
    # the tank now requires the capacity option (requires is column 13)
    (folder / "options.csv").write_text(text.replace("3073445,,,", f"3073445,,{CAPACITY},"),
                                        encoding="utf-8")
    case = load_case(folder)
    scenario = _sweep([f"option:{TANK}"], [(1,)]).scenarios[0]
    assert scenario.apply(case) == apply_options(case, [CAPACITY, TANK])
    file = tmp_path / "s.csv"
    file.write_text(f"scenario,option:{TANK},option:{CAPACITY}\nbad,1,0\n", encoding="utf-8")
    with pytest.raises(CaseError) as error:
        read_scenarios(file, case)
    assert f"s.csv, line 2, column 'option:{CAPACITY}': value 0: option {TANK} requires " \
        f"{CAPACITY}: set {CAPACITY} to 1 or {TANK} to 0" in str(error.value)


def test_a_bad_option_file_is_exit_2_with_line_column_value_and_rule(tmp_path, capsys):
    file = tmp_path / "bad.csv"
    file.write_text(f"scenario,option:{LINK},option:{TRAIN},option:{REC80}\n"
                    "ok,1,0,1\ntwo,2,,\nhalf,,0.5,\nword,,,yes\nboth,1,1,\n", encoding="utf-8")
    assert main(["sweep", "ntip-2028-phase3", "--scenarios", str(file)]) == 2
    err = capsys.readouterr().err
    rule = "must be 0 (out) or 1 (in); a blank cell is the case's default, out"
    assert f"bad.csv, line 3, column 'option:{LINK}': value '2': {rule}" in err
    assert f"bad.csv, line 4, column 'option:{TRAIN}': value '0.5': {rule}" in err
    assert f"bad.csv, line 5, column 'option:{REC80}': value 'yes': {rule}" in err
    assert f"bad.csv, line 6, column 'option:{TRAIN}': value 1: options {LINK} and {TRAIN} " \
        "exclude each other: leave one of them out" in err
    assert "line 2" not in err and "Traceback" not in err
    header = tmp_path / "header.csv"
    header.write_text("scenario,option:K99-pipe\nx,1\n", encoding="utf-8")
    assert main(["sweep", "ntip-2028-phase3", "--scenarios", str(header)]) == 2
    assert "header.csv, line 1, column 'option:K99-pipe': option 'K99-pipe' is not in " \
        "options.csv" in capsys.readouterr().err
    assert main(["sweep", "ntip-2019-phase2", "--scenarios", str(header)]) == 2
    assert "the case has no options.csv" in capsys.readouterr().err


def test_bad_option_ranges_are_exit_2(capsys):
    assert main(["sweep", "ntip-2028-phase3", "--vary", f"option:{REC80}=0:1:3"]) == 2
    assert f"column 'option:{REC80}': value 0.5: must be 0 (out) or 1 (in)" \
        in capsys.readouterr().err
    assert main(["sweep", "ntip-2028-phase3", "--vary", f"option:{REC80}=0:1:2",
                 "--vary", f"option:{REC85}=0:1:2"]) == 2
    assert f"options {REC80} and {REC85} exclude each other: leave one of them out; the grid " \
        "has scenarios that break this: use a scenarios file" in capsys.readouterr().err


def test_the_sweep_command_runs_an_option_grid(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", "ntip-2028-phase3", "--vary", f"option:{RECLAIMED}=0:1:2",
                 "--vary", "tap_cap=12000:12000:1", "--verify", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2 scenarios" in printed and "1 optimal, 1 infeasible" in printed
    assert "verify: 2 scenarios re-solved cold agree" in printed
    assert (out / "sweep.csv").read_text().splitlines()[0].startswith(
        f"scenario,option:{RECLAIMED},tap_cap,status")
