"""Sweeps: warm re-solves against cold solves, the scenarios file's rules, the order, --verify,
and the output files.

Every warm figure is checked against the same scenario solved from scratch by `cold_row`
(load, build, solve: what `wateralloc solve` does), within RTOL = 1e-7 relative. The cold side
reads the plan's summary (`collect`), the warm side the HiGHS arrays, so these tests also
check that the sweep's figures mean what the summary's mean.
"""
import json
import uuid
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from model.bundled import bundled_case
from model.case import Rationing, load_case
from model.case.scenarios import Parameter, Scenario, Sweep, read_scenarios, vary_scenarios
from model.cli import main
from model.errors import UsageError
from model.formulation import build_model
from model.results import sweep as sweep_results
from model.solve import solve
from model.solve.warm import WarmLP
from model.studies.sweep import (RTOL, base_case, cold_row, differences, neighbour_order,
                                 run_sweep, solve_chunk)


@pytest.fixture(scope="module")
def default_case():
    return load_case(bundled_case())


def _warm_in_order(case, sweep):
    """Solve the scenarios warm in exactly the order given (one chunk, no reordering)."""
    chunk = list(enumerate(sweep.scenarios))
    rows = solve_chunk(uuid.uuid4().hex, case, base_case(case, sweep), sweep.kinds, chunk)
    return [row for _, row in rows]


def _assert_warm_equals_cold(case, sweep, rows):
    assert len(rows) == len(sweep.scenarios)
    for scenario, row in zip(sweep.scenarios, rows):
        assert row.scenario == scenario.name
        assert differences(row, cold_row(case, scenario)) == [], scenario


def _sweep(case, columns, values):
    parameters = tuple(Parameter(*c.split(":", 1)) if ":" in c else Parameter(c)
                       for c in columns)
    scenarios = tuple(Scenario(f"s{i}", tuple((p, v) for p, v in zip(parameters, row)
                                               if v is not None))
                      for i, row in enumerate(values))
    return Sweep(parameters, scenarios)


def test_capacity_recovery_and_cut_warm_equal_cold(default_case):
    sweep = vary_scenarios(["capacity:K14=10000:40000:3", "recovery:K14=0.55:0.85:3",
                            "cut=0:0.2:2"], default_case)
    _assert_warm_equals_cold(default_case, sweep, run_sweep(default_case, sweep))


def test_tap_cap_flips_feasible_infeasible_feasible(default_case):
    # least tap of the default case is 7,496.2 m3/day (README): caps below it are infeasible
    sweep = _sweep(default_case, ["tap_cap", "demand_factor"],
                   [(9000, None), (7000, None), (8000, 1.0), (5000, 0.9), (None, 0.8),
                    (6000, 0.8), (6000, 1.1), (20000, 1.1)])
    rows = _warm_in_order(default_case, sweep)
    statuses = [r.status for r in rows]
    assert statuses == ["optimal", "infeasible", "optimal", "infeasible", "optimal",
                        "optimal", "infeasible", "optimal"]
    # infeasible rows give the least tap: 7,496.2 at demand factor 1 (README)
    assert rows[1].least_tap_m3_per_day == pytest.approx(7496.2, abs=0.05)
    _assert_warm_equals_cold(default_case, sweep, rows)


def test_demand_kinds_and_stage_warm_equal_cold(default_case):
    sweep = _sweep(default_case, ["demand:Z1-A/process rinse", "demand_factor", "stage",
                                  "recovery:K14"],
                   [(0.0, None, None, None), (4000.0, 1.2, "orange", 0.6),
                    (None, 0.7, "red", None), (2500.0, None, "yellow", 0.8),
                    (None, None, None, 0.9)])
    _assert_warm_equals_cold(default_case, sweep, _warm_in_order(default_case, sweep))


def test_drought_case_with_periods_tanks_tankers_and_boosts_warm_equal_cold():
    case = load_case(bundled_case("kaohsiung-2023-drought"))
    sweep = _sweep(case, ["cut", "capacity:K14", "recovery:K14", "demand_factor", "tap_cap"],
                   [(None, None, None, None, None), (0.3, 25000.0, 0.6, None, None),
                    (0.1, None, None, 1.1, 6000.0), (None, 30000.0, None, 0.9, 3000.0),
                    (0.0, None, 0.8, None, None)])
    _assert_warm_equals_cold(case, sweep, _warm_in_order(case, sweep))


def test_quality_case_warm_equal_cold():
    case = load_case(bundled_case("ntip-2015-phase1"))
    sweep = vary_scenarios(["capacity:K14=12000:24000:2", "recovery:K14=0.5:0.7:2",
                            "demand_factor=0.9:1.1:2"], case)
    _assert_warm_equals_cold(case, sweep, run_sweep(case, sweep))


def test_scaling_every_demand_scales_tap_when_capacity_does_not_bind(default_case):
    # K14 treats 20,005 of 40,000 m3/day: at 0.9x demand capacity still does not bind, so the
    # least tap scales with demand (the LP is homogeneous in the volumes)
    rows = run_sweep(default_case, vary_scenarios(["demand_factor=0.9:1:2"], default_case))
    assert rows[0].figures["tap_m3_per_day"] == pytest.approx(
        0.9 * rows[1].figures["tap_m3_per_day"], rel=1e-9)


def test_a_stage_is_its_cut(default_case):
    # orange cuts 10% (TWC table in model.case.objects): the same plan as cut 0.10
    sweep = _sweep(default_case, ["stage", "cut"], [("orange", None), (None, 0.10)])
    a, b = run_sweep(default_case, sweep)
    assert differences(a, b) == []
    assert a.figures["shortage_m3"] > 0


def test_neighbour_order_changes_one_parameter_by_one_step(default_case):
    sweep = vary_scenarios(["capacity:K14=10000:40000:4", "recovery:K14=0.55:0.85:3",
                            "cut=0:0.2:3"], default_case)
    order = neighbour_order(default_case, sweep)
    assert sorted(order) == list(range(36))
    grids = [np.linspace(10000, 40000, 4), np.linspace(0.55, 0.85, 3), np.linspace(0, 0.2, 3)]

    def steps(i):
        return [int(np.argmin(abs(g - v))) for g, (_, v) in zip(grids, sweep.scenarios[i].values)]
    for a, b in zip(order, order[1:]):
        assert sum(abs(x - y) for x, y in zip(steps(a), steps(b))) == 1


def test_rows_come_back_in_input_order(default_case, tmp_path):
    file = tmp_path / "s.csv"
    file.write_text("scenario,capacity:K14,cut\nhigh,40000,\nlow,10000,0.1\nmid,25000,\n")
    sweep = read_scenarios(file, default_case)
    rows = run_sweep(default_case, sweep, chunk_size=1)
    assert [r.scenario for r in rows] == ["high", "low", "mid"]
    assert rows[1].parameters == {"capacity:K14": 10000.0, "cut": 0.1}


def test_bad_scenarios_file_is_exit_2_with_line_and_column(tmp_path, capsys):
    file = tmp_path / "bad.csv"
    file.write_text("scenario,capacity:K14,recovery:K14,stage\n"
                    "a,30000,0.6,\nb,-5,0.7,\na,20000,1.5,\nc,,,purple\n")
    assert main(["sweep", "--scenarios", str(file)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv, line 3, column 'capacity:K14': value '-5': must be in [0, 1e+09]" in err
    assert "line 4, column 'recovery:K14': value '1.5': must be in (0, 1]" in err
    assert "line 5, column 'stage': value 'purple'" in err
    header = tmp_path / "header.csv"
    header.write_text("scenario,capacity:K99,max_recycles,demand:Z1-A/nothing\nx,1,2,3\n")
    assert main(["sweep", "--scenarios", str(header)]) == 2
    err = capsys.readouterr().err
    assert "line 1, column 'capacity:K99': train 'K99' is not in treatment.csv" in err
    assert "line 1, column 'max_recycles': unknown parameter" in err
    assert "column 'demand:Z1-A/nothing': use 'Z1-A/nothing' is not in uses.csv" in err
    assert main(["sweep", "--vary", "recovery:K14=0:0.5:3"]) == 2
    assert "column 'recovery:K14': value 0.0: must be in (0, 1]" in capsys.readouterr().err
    assert "Traceback" not in err


def test_out_and_json_hold_every_scenario(tmp_path, capsys):
    out, js = tmp_path / "out", tmp_path / "sweep.json"
    assert main(["sweep", "--vary", "tap_cap=6000:9000:3", "--vary", "recovery:K14=0.6:0.8:2",
                 "--out", str(out), "--json", str(js)]) == 0
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    data = json.loads(js.read_text())
    statuses = [s["status"] for s in data["scenarios"]]
    assert summary.startswith(f"sweep: 6 scenarios in ") and \
        f"{statuses.count('optimal')} optimal, {statuses.count('infeasible')} infeasible" in summary
    assert {"scenario", "status", "tap_m3_per_day", "cost_per_day", "shortage_m3",
            "recycled_m3_per_day", "marginal_values"} <= data["scenarios"][0].keys()
    assert set(data["scenarios"][-1]["marginal_values"]["K14"]) == {"capacity_value",
                                                                   "recovery_value"}
    csv = pd.read_csv(out / "sweep.csv")
    parquet = pd.read_parquet(out / "sweep.parquet")
    assert list(csv.scenario) == [s["scenario"] for s in data["scenarios"]]
    pd.testing.assert_frame_equal(csv, parquet, check_dtype=False)
    for row, s in zip(csv.itertuples(), data["scenarios"]):
        assert (row.status == "optimal") == (s["tap_m3_per_day"] is not None)


def test_json_and_csv_give_each_scenario_its_cold_solve(default_case, tmp_path, capsys):
    # every field of the JSON and of sweep.csv, scenario by scenario, against the scenario
    # solved from scratch: status, figures, least tap of the infeasible ones, marginal values
    # per train, and the parameters the scenario changed
    vary = ["tap_cap=6000:9000:3", "recovery:K14=0.6:0.8:2"]
    out, js = tmp_path / "out", tmp_path / "sweep.json"
    assert main(["sweep", *sum((["--vary", v] for v in vary), []), "--out", str(out),
                 "--json", str(js)]) == 0
    capsys.readouterr()
    text = js.read_text()
    data = json.loads(text)
    assert text == json.dumps(data, indent=2) + "\n"  # laid out for reading
    sweep = vary_scenarios(vary, default_case)
    colds = [cold_row(default_case, scenario) for scenario in sweep.scenarios]
    statuses = [c.status for c in colds]
    assert set(statuses) == {"optimal", "infeasible"}  # both kinds of row are checked
    assert data["case"] == default_case.name
    assert data["counts"] == {"scenarios": 6, "optimal": statuses.count("optimal"),
                              "infeasible": statuses.count("infeasible"), "other": 0}
    csv = pd.read_csv(out / "sweep.csv").to_dict("records")
    assert len(data["scenarios"]) == len(csv) == 6
    for scenario, cold, got, row in zip(sweep.scenarios, colds, data["scenarios"], csv):
        assert got["scenario"] == row["scenario"] == scenario.name
        assert got["status"] == row["status"] == cold.status
        assert got["parameters"] == {"tap_cap": row["tap_cap"], "recovery:K14":
                                     row["recovery:K14"]} == dict(
            (p.column, v) for p, v in scenario.values)
        flat = dict(got)
        for train, values in got["marginal_values"].items():
            flat.update({f"{k}:{train}": v for k, v in values.items()})
        expected = cold.numbers()
        assert set(expected) <= set(flat)
        for key, want in expected.items():
            for value in (flat[key], row[key]):
                if want is None:
                    assert value is None or value != value, (scenario.name, key)  # null, NaN
                else:
                    assert value == pytest.approx(want, rel=RTOL, abs=1e-9), (scenario.name, key)


def test_verify_catches_an_injected_wrong_answer(tmp_path, monkeypatch, capsys):
    args = ["sweep", "--vary", "capacity:K14=15000:40000:4", "--verify", "4",
            "--out", str(tmp_path / "out")]
    assert main(args) == 0
    assert "verify: 4 scenarios re-solved cold agree" in capsys.readouterr().out
    real = sweep_results.Figures.row

    def wrong(self, scenario, parameters, run, *baseline):  # a warm start off by 1e-6
        row = real(self, scenario, parameters, run, *baseline)
        if scenario == "v2":
            row.figures["tap_m3_per_day"] *= 1 + 1e-6
        return row
    monkeypatch.setattr(sweep_results.Figures, "row", wrong)
    for stale in (tmp_path / "out").iterdir():
        stale.unlink()
    assert main(args) == 4
    err = capsys.readouterr().err
    assert "scenario v2: tap_m3_per_day" in err and "nothing is written" in err
    assert list((tmp_path / "out").iterdir()) == []


def test_differences_use_the_stated_tolerance(default_case):
    row = run_sweep(default_case, vary_scenarios(["cut=0.1:0.1:1"], default_case))[0]
    near = replace(row, figures=dict(row.figures))
    near.figures["tap_m3_per_day"] *= 1 + 0.5 * RTOL
    assert differences(row, near) == []
    near.figures["tap_m3_per_day"] *= 1 + 2 * RTOL
    assert len(differences(row, near)) == 1


def test_tie_break_stage_sees_the_scenario_demand(default_case):
    # The even-sharing stage reads each plant's demand (a coefficient of its share row): its
    # optimum after a warm re-solve equals the cold one, for a demand moved at one plant only.
    sweep = _sweep(default_case, ["demand:Z1-A/process rinse"], [(500.0,), (3000.0,), (100.0,)])
    warm = WarmLP(build_model(base_case(default_case, sweep)), sweep.kinds)
    for scenario in sweep.scenarios:
        case = scenario.apply(default_case)
        got = warm.solve(case).plan.objectives["even_sharing"]
        want = solve(build_model(case)).objectives["even_sharing"]
        assert got == pytest.approx(want, rel=RTOL, abs=1e-6)


def test_priced_shortage_sweeps_must_ration_every_scenario_or_none(default_case):
    # with price_shortage the rationed plan's stages are (cost, tap), the unrationed one's
    # (tap, cost): one warm model cannot hold both orders, so the sweep is refused
    case = replace(default_case, rationing=Rationing(price_shortage=True, lost_value_per_m3={
        u.key: 500.0 for u in default_case.uses}))
    mixed = _sweep(case, ["cut"], [(0.1,), (None,)])
    with pytest.raises(UsageError, match="price_shortage"):
        run_sweep(case, mixed)
    every = _sweep(case, ["cut"], [(0.1,), (0.2,)])
    _assert_warm_equals_cold(case, every, run_sweep(case, every))


def test_a_case_with_nothing_to_share_sweeps():
    # Wang & Smith (1994) has one plant: no even-sharing stage. Its tap is set by the
    # operations' loads (demand cells are blank), so a demand factor leaves it at the published
    # 112.5 t/h without reuse, x 24 h = 2,700 m3/day (data/wang-smith-1994/README.md).
    case = load_case(bundled_case("wang-smith-1994"))
    sweep = vary_scenarios(["demand_factor=0.5:1.5:3"], case)
    rows = run_sweep(case, sweep)
    for r in rows:
        assert r.figures["tap_m3_per_day"] == pytest.approx(112.5 * 24, rel=1e-9)
    _assert_warm_equals_cold(case, sweep, rows)


def test_counts_put_every_other_ending_under_other():
    rows = [sweep_results.ScenarioRow(f"s{i}", {}, status) for i, status in enumerate(
        ["optimal", "infeasible", "optimal", "solver failure: numerical trouble", "time limit"])]
    counts = sweep_results.counts_of(rows)
    assert counts == {"scenarios": 5, "optimal": 2, "infeasible": 1, "other": 2}
    assert sweep_results.summary_line(counts, 1234.56) == (
        "sweep: 5 scenarios in 1,234.6 s: 2 optimal, 1 infeasible, 2 other")


def test_a_marginal_value_of_nothing_is_zero_without_a_sign(tmp_path, capsys):
    # K14 with no capacity: its recovery saves no tap (it treats nothing); K14 far larger than
    # the wastewater it can take: its capacity saves none. Each zero must read 0.0 in
    # sweep.json, not -0.0 (a negated zero dual, or a dual times no feed)
    js = tmp_path / "sweep.json"
    assert main(["sweep", "--vary", "capacity:K14=0:100000:2", "--json", str(js)]) == 0
    capsys.readouterr()
    text = js.read_text()
    k14 = [s["marginal_values"]["K14"] for s in json.loads(text)["scenarios"]]
    zeros = [k14[0]["recovery_value"], k14[1]["capacity_value"]]
    assert zeros == [0.0, 0.0] and all(np.copysign(1.0, v) == 1.0 for v in zeros)
    assert k14[0]["capacity_value"] > 0 and k14[1]["recovery_value"] > 0
    assert "-0.0" not in text


def test_a_demand_parameter_names_its_use_whole_when_names_hold_a_slash():
    # plant K7/8's rinse is `demand:K7/8/rinse`: split at the first '/', it named a use
    # "8/rinse" of a plant "K7", matched no use and left the demand as it was, so the
    # scenario solved the unchanged case. A name that fits two uses is refused.
    from model.case.scenarios import parameter_of
    from tests.factory import make_case
    case = make_case([("K7/8", "rinse", "1", 100, 0.9, None), ("K9", "rinse", "1", 50, 0.9, None)],
                     [("T", 1000, 0.5, ("1",), None)], max_recycles=1)
    p = parameter_of("demand:K7/8/rinse", case)
    assert p == Parameter("demand", "K7/8/rinse")
    changed = Scenario("s", ((p, 40.0),)).apply(case)
    assert [u.demand_m3_per_day for u in changed.uses] == [40.0, 50.0]
    # K = 1: only tap water's return (0.9 of it) is recycled, at recovery 0.5, so the tap x
    # of a demand D solves x + 0.5 x 0.9 x = D: x = (40 + 50) / 1.45 m3/day (150 / 1.45 before)
    assert solve(build_model(changed)).objectives["total_tap_m3"] == pytest.approx(90 / 1.45)
    twice = make_case([("A/B", "c", "1", 100, 0.9, None), ("A", "B/c", "1", 50, 0.9, None)],
                      [("T", 1000, 0.5, ("1",), None)], max_recycles=1)
    rule = parameter_of("demand:A/B/c", twice)
    assert rule == ("'A/B/c' names 2 uses of uses.csv (plant 'A/B' use 'c', plant 'A' use "
                    "'B/c'): rename one of them so that <plant>/<use> tells them apart")


def test_the_printed_table_gives_each_figure_to_its_own_precision(tmp_path, capsys):
    # a blank cell (the case's own tap cap), an infeasible cap, and a cut of 0, whose shortage
    # is solver tolerance (the shortage stages are held within 1e-9 m3): the terminal shows
    # volumes to 0.1 m3, cost to 1, marginal values to 0.001, never 3e-09
    scenarios = tmp_path / "s.csv"
    scenarios.write_text("scenario,tap_cap,cut\nkept,,0\nnone,100,\ncut,,0.2\n")
    js = tmp_path / "s.json"
    assert main(["sweep", "--scenarios", str(scenarios), "--json", str(js)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    data = {s["scenario"]: s for s in json.loads(js.read_text())["scenarios"]}
    header, rows = lines[0].split(), {line.split()[0]: line.split() for line in lines[1:-1]}
    assert set(rows) == {"kept", "none", "cut"} and "e-" not in "\n".join(lines)
    cell = lambda name, column: rows[name][header.index(column)]  # noqa: E731
    number = lambda text: float(text.replace(",", ""))  # noqa: E731
    assert abs(data["kept"]["shortage_m3"]) < 1e-6 and cell("kept", "shortage_m3") == "0.0"
    assert cell("kept", "tap_cap") == cell("cut", "tap_cap") == "case"
    assert cell("none", "tap_cap") == "100" and cell("none", "status") == "infeasible"
    assert cell("none", "tap_m3_per_day") == cell("none", "capacity_value:K14") == "-"
    assert number(cell("none", "least_tap_m3_per_day")) == pytest.approx(
        data["none"]["least_tap_m3_per_day"], abs=0.05)
    for name in ("kept", "cut"):
        s = data[name]
        assert number(cell(name, "tap_m3_per_day")) == pytest.approx(s["tap_m3_per_day"], abs=0.05)
        assert number(cell(name, "shortage_m3")) == pytest.approx(s["shortage_m3"], abs=0.05)
        assert number(cell(name, "cost_per_day")) == pytest.approx(s["cost_per_day"], abs=0.5)
        value = s["marginal_values"]["K14"]["recovery_value"]
        assert number(cell(name, "recovery_value:K14")) == pytest.approx(value, abs=5e-4)
        assert len(cell(name, "recovery_value:K14").split(".")[1]) == 3
    assert data["cut"]["shortage_m3"] > 1000  # the 0.2 cut does go short


def test_parameters_stay_between_scenario_and_status_whatever_cells_are_blank(tmp_path):
    # the first scenario leaves tap_cap blank: its column once came after the figures, so the
    # report took it for a figure and did not chart it (sweep_report.parameter_columns)
    from model.results.sweep_report import parameter_columns
    scenarios = tmp_path / "s.csv"
    scenarios.write_text("scenario,tap_cap,cut\nkept,,0\nnone,100,\ncut,,0.2\n")
    out = tmp_path / "out"
    assert main(["sweep", "--scenarios", str(scenarios), "--out", str(out)]) == 0
    csv = pd.read_csv(out / "sweep.csv")
    assert list(csv.columns[:4]) == ["scenario", "tap_cap", "cut", "status"]
    assert parameter_columns(csv) == ["tap_cap", "cut"]
    assert csv.tap_cap.isna().tolist() == [True, False, True] and csv.tap_cap[1] == 100


def test_each_rationed_scenario_shows_the_baseline_its_cut_is_of(default_case, tmp_path, capsys):
    # A computed baseline is the least tap of the scenario's own case, so it moves with the
    # capacity: at a cut of 0 the plan draws exactly the baseline, and at 0.2 (shortage, the
    # cap binding) 0.8 of it. Given in rationing.toml, it is the same for every scenario.
    rows = {r.scenario: r for r in run_sweep(default_case, vary_scenarios(
        ["capacity:K14=20000:40000:2", "cut=0:0.2:2"], default_case))}
    assert set(rows) == {"v1", "v2", "v3", "v4"}  # (20000, 0), (20000, 0.2), (40000, 0), ...
    for no_cut, cut in (("v1", "v2"), ("v3", "v4")):
        base = rows[no_cut].baseline_m3_per_day
        assert rows[cut].baseline_m3_per_day == pytest.approx(base, rel=1e-12)
        assert rows[no_cut].figures["tap_m3_per_day"] == pytest.approx(base, rel=1e-9)
        assert rows[cut].figures["shortage_m3"] > 1.0
        assert rows[cut].figures["tap_m3_per_day"] == pytest.approx(0.8 * base, rel=1e-9)
    assert rows["v3"].baseline_m3_per_day < rows["v1"].baseline_m3_per_day  # it moved
    given = replace(default_case, rationing=Rationing(baseline_m3_per_day=7000.0))
    for r in run_sweep(given, vary_scenarios(["capacity:K14=20000:40000:2", "cut=0.1:0.2:2"],
                                             given)):
        assert r.baseline_m3_per_day == 7000.0
    # a sweep that rations nothing: an empty column in sweep.csv, none on the terminal
    out = tmp_path / "out"
    assert main(["sweep", "--vary", "recovery:K14=0.6:0.8:2", "--out", str(out)]) == 0
    assert "rationing_baseline" not in capsys.readouterr().out
    csv = pd.read_csv(out / "sweep.csv")
    assert csv.rationing_baseline_m3_per_day.isna().all()


def test_the_printed_table_on_a_table_made_by_hand():
    # round-off below zero prints as 0.0, never -0.0; a missing figure as "-"; a blank
    # parameter as "case"; thousands separated; marginal values to 0.001
    table = pd.DataFrame({
        "scenario": ["a", "b"], "cut": [0.1, None], "status": ["optimal", "infeasible"],
        "tap_m3_per_day": [12345.678, None], "cost_per_day": [987654.4, None],
        "shortage_m3": [-1e-12, None], "recycled_m3_per_day": [-0.04, None],
        "least_tap_m3_per_day": [None, 7496.16], "rationing_baseline_m3_per_day": [7500.0, None],
        "capacity_value:K14": [0.1234567, None], "recovery_value:K14": [-0.0004, None]})
    lines = sweep_results.printed_table(table).splitlines()
    assert lines[0].split() == list(table.columns)
    assert lines[1].split() == ["a", "0.1", "optimal", "12,345.7", "987,654", "0.0", "0.0", "-",
                                "7,500.0", "0.123", "0.000"]
    assert lines[2].split() == ["b", "case", "infeasible", "-", "-", "-", "-", "7,496.2", "-",
                                "-", "-"]
    # no scenario rations: no baseline column on the terminal
    shown = sweep_results.printed_table(table.assign(rationing_baseline_m3_per_day=None))
    assert "rationing_baseline" not in shown


def test_a_given_baseline_holds_the_cap_of_a_cut_whatever_the_capacity(default_case):
    # Hand-worked: with the baseline given as 7,000 m3/day, a 0.2 cut caps tap at 5,600 in every
    # scenario (the plan goes short, so the cap binds); warm equals cold, baseline included
    sweep = vary_scenarios(["capacity:K14=20000:40000:3", "cut=0.1:0.2:2",
                            "baseline=7000:7000:1"], default_case)
    rows = run_sweep(default_case, sweep)
    _assert_warm_equals_cold(default_case, sweep, rows)
    for scenario, row in zip(sweep.scenarios, rows):
        cut = dict((p.column, v) for p, v in scenario.values)["cut"]
        assert row.baseline_m3_per_day == 7000.0
        assert row.figures["shortage_m3"] > 1.0
        assert row.figures["tap_m3_per_day"] == pytest.approx((1 - cut) * 7000.0, rel=1e-9)
    # a blank cell keeps the case's own baseline: computed, the least tap of the default case
    mixed = _sweep(default_case, ["cut", "baseline"], [(0.2, None), (0.2, 7000.0)])
    blank, given = run_sweep(default_case, mixed)
    least = cold_row(default_case, _sweep(default_case, ["cut"], [(0.0,)]).scenarios[0])
    assert blank.baseline_m3_per_day == pytest.approx(least.figures["tap_m3_per_day"], rel=1e-9)
    assert given.baseline_m3_per_day == 7000.0
    assert blank.figures["tap_m3_per_day"] == pytest.approx(0.8 * blank.baseline_m3_per_day,
                                                            rel=1e-9)


def test_a_baseline_alone_moves_a_rationed_case_s_caps_warm_as_cold():
    # the 2023 drought case rations by its own schedule: a sweep of the baseline alone must move
    # its tap-cap rows (the kind's own LP entries), every scenario equal to its cold solve
    case = load_case(bundled_case("kaohsiung-2023-drought"))
    sweep = vary_scenarios(["baseline=6500:8000:3"], case)
    rows = run_sweep(case, sweep)
    _assert_warm_equals_cold(case, sweep, rows)
    assert [r.baseline_m3_per_day for r in rows] == [6500.0, 7250.0, 8000.0]
    taps = [r.figures["tap_m3_per_day"] for r in rows]
    # a lower baseline, a lower cap in the cut periods (above some baseline the caps no longer
    # bind and the tap stays put, to round-off)
    assert taps[0] < taps[1] - 1.0 and taps[1] <= taps[2] + 1e-6
