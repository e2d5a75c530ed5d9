"""Smaller defects users met: --version, a case path that is a file, a local folder named like a
bundled case, None in tables, round-off noise, a use whose outlet is below its inlet limit, and
inputs with no sensible size (generations, magnitudes, memory)."""
from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest

from model.bundled import bundled_case
from model.case import load_case
from model.cli import main
from model.formulation.size import MEMORY_ENV, estimate_size
from model.results.tables import NOISE, tidy


def test_version(capsys):
    assert main(["--version"]) == 0
    assert re.fullmatch(r"wateralloc \d+\.\d+\.\d+\n", capsys.readouterr().out)


def test_a_case_path_that_is_a_file(tmp_path, capsys):
    path = tmp_path / "case.toml"
    path.write_text('name = "x"\nmax_recycles = 1\n')
    assert main(["solve", str(path)]) == 2
    err = capsys.readouterr().err
    assert "is a file, not a case folder" in err and "does not exist" not in err


def test_a_local_folder_named_like_a_bundled_case_says_which_is_used(tmp_path, monkeypatch,
                                                                    capsys):
    shutil.copytree(bundled_case("wang-smith-1994"), tmp_path / "ntip-2015-phase1")
    monkeypatch.chdir(tmp_path)
    assert main(["solve", "ntip-2015-phase1", "--no-largest-cut"]) == 0
    captured = capsys.readouterr()
    assert "using the folder" in captured.err and "not the bundled case" in captured.err
    assert "case: wang-smith-1994" in captured.out  # the local folder was solved


def test_no_none_in_the_text_report(capsys):
    # a multi-period case without stages: the period table's stage column is empty
    assert main(["solve", "ntip-history-2015-2021", "--no-largest-cut"]) == 0
    out = capsys.readouterr().out
    assert "None" not in out and "NaN" not in out


def test_round_off_is_zero():
    # -3.6e-12 m3 and 4e-10 are round-off; 2e-9 is not
    assert tidy({"a": -3.6e-12, "b": [4e-10, 2e-9]}) == {"a": 0.0, "b": [0.0, 2e-9]}
    assert NOISE == 1e-9
    # below NOISE is round-off, NOISE itself is not, in a table as in a number
    table = tidy(pd.DataFrame({"m3": [NOISE, -NOISE, 0.5 * NOISE], "n": [1, 2, 3]}))
    assert table.m3.tolist() == [NOISE, -NOISE, 0.0] and table.n.tolist() == [1, 2, 3]
    assert tidy(NOISE) == NOISE and tidy(-0.5 * NOISE) == 0.0


def test_no_round_off_noise_in_the_drought_files(tmp_path):
    out = tmp_path / "out"
    assert main(["solve", "kaohsiung-2023-drought", "--no-largest-cut", "--out", str(out)]) == 0
    for path in out.iterdir():
        for number in re.findall(r"-?\d+\.?\d*e-\d+", path.read_text()):
            assert abs(float(number)) >= NOISE, f"{path.name}: {number}"
    summary = json.loads((out / "summary.json").read_text())
    # the trucked water of this plan is within the solver's tolerance of 0: no truck
    assert summary["tanker_trucks"] == 0.0


def test_an_outlet_below_the_inlet_limit_keeps_its_documented_meaning(tmp_path):
    # docs/quality.md: a use that is not a mass-transfer operation discharges at its outlet_ppm,
    # whatever its inlet (fixed outlet concentrations); a limit above it is accepted. The NTIP
    # cooling towers: fluoride limit 5 ppm, wastewater at 2 ppm.
    case = load_case(bundled_case("ntip-2019-phase2"))
    q = case.quality.uses[("Z1-A", "cooling tower", "fluoride")]
    assert q.outlet_ppm < q.max_inlet_ppm
    out = tmp_path / "out"
    assert main(["solve", "--no-largest-cut", "--out", str(out)]) == 0
    rows = pd.read_csv(out / "quality.csv").query("use == 'cooling tower' and "
                                                  "contaminant == 'fluoride'")
    assert (rows.outlet_ppm == q.outlet_ppm).all() and (rows.max_inlet_ppm == 5.0).all()


def test_a_model_too_large_for_memory_is_refused_before_the_build(monkeypatch, capsys):
    size = estimate_size(load_case(bundled_case("ntip-2019-phase2")))
    monkeypatch.setenv(MEMORY_ENV, str(size.bytes - 1))
    assert main(["solve", "--no-largest-cut"]) == 2
    err = capsys.readouterr().err
    assert "too large for this machine" in err and f"{size.variables:,} variables" in err
    gib = lambda b: f"{b / 2 ** 30:,.1f} GiB"  # noqa: E731
    assert f"an estimated {gib(size.bytes)} against {gib(size.bytes - 1)} available. Fewer " \
        "periods, uses or generations (max_recycles) make it smaller." in err
    monkeypatch.setenv(MEMORY_ENV, str(size.bytes))   # exactly the estimate fits
    assert main(["solve", "--no-largest-cut"]) == 0
    monkeypatch.setenv(MEMORY_ENV, str(size.bytes + 1))
    assert main(["solve", "--no-largest-cut"]) == 0


def test_the_memory_available_is_the_system_s_own_figure(monkeypatch):
    # without WATERALLOC_MEMORY_BYTES: /proc/meminfo's MemAvailable, given in kB (KiB); where
    # that file cannot be read, the free physical pages times the page size; None where neither
    # is known
    import io
    from model.formulation import size as size_module
    monkeypatch.delenv(MEMORY_ENV, raising=False)
    meminfo = "MemTotal:       16384 kB\nMemFree:         1024 kB\nMemAvailable:    2048 kB\n"

    def fake_open(path, *args, **kwargs):
        if path == "/proc/meminfo":
            return io.StringIO(meminfo)
        raise FileNotFoundError(path)
    pages = {"SC_AVPHYS_PAGES": 1000, "SC_PAGE_SIZE": 4096}

    def fake_sysconf(name):
        if name not in pages:
            raise ValueError(f"unrecognized configuration name {name!r}")
        return pages[name]
    monkeypatch.setattr(size_module.os, "sysconf", fake_sysconf)
    monkeypatch.setattr(size_module, "open", fake_open, raising=False)
    assert size_module.available_bytes() == 2048 * 1024
    meminfo = "MemTotal:       16384 kB\n"       # a kernel without MemAvailable
    assert size_module.available_bytes() == 1000 * 4096
    monkeypatch.setattr(size_module, "open", lambda *a, **k: fake_open("/elsewhere"),
                        raising=False)
    assert size_module.available_bytes() == 1000 * 4096
    pages.clear()
    assert size_module.available_bytes() is None
    monkeypatch.setenv(MEMORY_ENV, "3e9")
    assert size_module.available_bytes() == 3_000_000_000


def test_the_size_estimate_follows_the_built_model(tmp_path):
    import pyomo.environ as pyo
    from model.formulation import build_model
    from quality_helpers import write_case as write_quality_case
    # and a zone whose six uses may each pass water straight to the five others: 30 direct
    # links of generations 0-3, most of that model's variables
    uses = "".join(f"P,u{i},100,0.9,\n" for i in range(6))
    direct = load_case(write_quality_case(tmp_path / "direct", {
        "case.toml": 'name = "direct"\nmax_recycles = 3\ndirect_reuse = "zone"',
        "plants.csv": "plant,zone\nP,1",
        "treatment.csv": "train,capacity_m3_per_day,recovery,zones\nT,100,0.7,1",
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n" + uses}))
    assert len(direct.quality.links) == 30
    cases = {name: load_case(bundled_case(name)) for name in
             ("ntip-2019-phase2", "kaohsiung-2023-drought", "ntip-history-2015-2021")}
    # and ten zones under one train, each with one use and one recycled-water tank, K = 5: the
    # tanks' layers, charges and deliveries are most of that model
    from dataclasses import replace
    from model.case.objects import Tank
    from tests.factory import make_case
    zones = [str(i) for i in range(10)]
    tanks = replace(make_case([(f"P{z}", "rinse", z, 100, 0.9, None) for z in zones],
                              [("T", 1e4, 0.7, tuple(zones), 1.0)], max_recycles=5),
                    tanks=tuple(Tank(f"W{z}", z, "recycled", 100.0, 0.0, 0.0) for z in zones))
    # and twenty tankers serving ten uses of one zone: one trucked flow per tanker and use, most
    # of that model's variables
    from model.case.objects import Emergency, Tanker
    trucks = replace(make_case([(f"P{i}", "rinse", "1", 100, 0.9, None) for i in range(10)],
                               [("T", 1e4, 0.7, ("1",), 1.0)], max_recycles=1),
                     emergency=Emergency(tankers=tuple(Tanker(f"K{i}", 50.0, 100.0, ("1",))
                                                       for i in range(20))))
    # and a zone no train serves, with ten uses: they take tap only (no recycled delivery,
    # whatever their K of 5), beside one use in the zone the train serves
    unserved = make_case([("P", "rinse", "0", 100, 0.9, None)]
                         + [(f"Q{i}", "rinse", "1", 100, 0.9, None) for i in range(10)],
                         [("T", 1e4, 0.7, ("0",), 1.0)], max_recycles=5)
    # and one zone of ten uses beside ten recycled-water tanks, K = 3: every tank may deliver
    # each generation to every use (300 flows, most of that model's 424 variables)
    pooled = replace(make_case([(f"P{i}", "rinse", "1", 100, 0.9, None) for i in range(10)],
                               [("T", 1e4, 0.7, ("1",), 1.0)], max_recycles=3),
                     tanks=tuple(Tank(f"W{k}", "1", "recycled", 100.0, 0.0, 0.0)
                                 for k in range(10)))
    for name, case in {**cases, "direct": direct, "tanks": tanks, "tankers": trucks,
                       "unserved": unserved, "pooled tanks": pooled}.items():
        m = build_model(case).model
        variables = sum(len(v) for v in m.component_objects(pyo.Var))
        constraints = sum(len(c) for c in m.component_objects(pyo.Constraint))
        estimate = estimate_size(case)
        # an estimate, not a count: within a factor of 1.5 either way, never wildly off
        assert variables / 1.5 <= estimate.variables <= variables * 1.5, name
        # constraints are counted about one per use, pool, pass and tank layer: an over-estimate
        # on the small campuses (2.47x on ntip-2019-phase2's 49 rows), never an under-estimate
        # by more than a third
        assert constraints / 1.5 <= estimate.constraints <= constraints * 2.5, name


def test_the_size_estimate_counts_every_pool_and_pass_row_of_a_campus_made_of_them():
    # the rows that grow with the campus: one wastewater pool per zone and generation, and one
    # recovery row per train and pass plus its capacity row, for K + 1 generations each. On a
    # campus of 30 zones under one train, or of 30 trains over one zone, those rows are most of
    # the model: the estimate counts them in full, so it is never below the built model's count
    # (the refusal of a model too large must not let one through) and at most a fifth above
    import pyomo.environ as pyo
    from model.formulation import build_model
    from tests.factory import make_case
    zones = [str(i) for i in range(30)]
    campuses = {
        "30 zones": make_case([(f"P{i}", "rinse", z, 100, 0.9, None) for i, z in enumerate(zones)],
                              [("T", 1e4, 0.7, tuple(zones), 1.0)], max_recycles=5),
        "30 trains": make_case([("P", "rinse", "1", 100, 0.9, None)],
                               [(f"T{i}", 1e4, 0.7, ("1",), 1.0) for i in range(30)],
                               max_recycles=5)}
    for name, case in campuses.items():
        m = build_model(case).model
        constraints = sum(len(c) for c in m.component_objects(pyo.Constraint))
        assert constraints >= 30 * 5, name   # at least K rows for each of the 30
        assert constraints <= estimate_size(case).constraints <= 1.2 * constraints, name
        # and the variables: each of the 30 trains delivers every generation to the one zone's
        # use (150 flows), and each of the 30 plants has its even-sharing excess and deficit
        # (60 columns beside 330 flows)
        variables = sum(len(v) for v in m.component_objects(pyo.Var))
        assert variables >= 30 * 5 * 2, name
        assert variables <= estimate_size(case).variables <= 1.2 * variables, name
    # one use under one train, K = 1, no quality: 4 rows as built, 5 estimated (no rows for
    # uses passing water straight on, since there are none)
    one = make_case([("P", "rinse", "1", 100, 0.9, None)], [("T", 1e4, 0.7, ("1",), 1.0)],
                    max_recycles=1)
    constraints = sum(len(c) for c in build_model(one).model.component_objects(pyo.Constraint))
    assert constraints <= estimate_size(one).constraints <= 1.5 * constraints


def test_the_size_estimate_counts_every_tank_charge_of_a_campus_made_of_them():
    # ten zones, each with one use and one recycled-water tank, all served by each of 20
    # trains, K = 1: every train may charge every tank with generation 1 (200 flows) and feed
    # from every zone (200 flows), most of the model's 651 variables. With K = 3 each train
    # charges each tank with generations 1-3 (600 flows of 1,891 variables). The estimate counts
    # a charge per train, tank and generation, and each tank's layers and their rows, so it
    # is never below the built counts (a refusal of a model too large must not let one through)
    import pyomo.environ as pyo
    from dataclasses import replace
    from model.case.objects import Tank
    from model.formulation import build_model
    from tests.factory import make_case
    zones = [str(i) for i in range(10)]
    for K in (1, 3):
        case = replace(make_case([(f"P{z}", "rinse", z, 100, 0.9, None) for z in zones],
                                 [(f"T{i}", 1e4, 0.7, tuple(zones), 1.0) for i in range(20)],
                                 max_recycles=K),
                       tanks=tuple(Tank(f"W{z}", z, "recycled", 100.0, 0.0, 0.0)
                                   for z in zones))
        m = build_model(case).model
        assert len(m.tank_charge_m3_per_day) == 20 * 10 * K
        variables = sum(len(v) for v in m.component_objects(pyo.Var))
        constraints = sum(len(c) for c in m.component_objects(pyo.Constraint))
        estimate = estimate_size(case)
        assert variables <= estimate.variables <= 1.5 * variables, K
        assert constraints <= estimate.constraints <= 1.5 * constraints, K


def test_the_text_report_ends_with_the_drought_resilience_of_a_steady_plan():
    # one period, no rationing, no tanks: the report closes with the largest uniform cut the
    # plan absorbs and the tap it is a share of, as the summary has them; the plan already
    # draws its least tap (cut 0), so any cut means shortage, and the report says why
    from model.results.report import text_report
    from model.studies import plan
    r = plan(load_case(bundled_case("ntip-2019-phase2")), largest_cut=True)
    cut = r.summary.largest_cut
    assert cut.largest_uniform_cut == 0.0
    assert text_report(r).endswith(
        "\n\ndrought resilience\n  largest uniform cut of tap supply with no shortage: 0.0000 of "
        f"{cut.largest_uniform_cut_baseline_m3_per_day:,.1f} m3/day\n  (the plan already draws "
        "the least tap: any cut means shortage unless storage, trucks or a recovery boost make "
        "up for it)")


def test_summary_json_puts_one_figure_on_a_line(tmp_path):
    # summary.json is read by people as well as programs: indented, one key per line, so that
    # two runs can be compared with diff
    from model.results.output import summary_json
    from model.studies import plan
    text = summary_json(plan(load_case(bundled_case("ntip-2019-phase2"))))
    summary = json.loads(text)
    lines = text.splitlines()
    assert len(lines) > len(summary) and all(line.count('": ') <= 1 for line in lines)
    assert lines[1].startswith('  "')


def test_a_plan_that_absorbs_a_cut_gives_it_without_the_why_and_none_without_the_cut(tmp_path):
    # one use of 1,000 m3/day that returns nothing, so all of it is tap, and 500 m3/day of
    # tankers: a uniform cut c leaves 1,000 (1 - c) of tap, and the trucks make up the rest up
    # to c = 0.5. The report gives 0.5000 of 1,000.0 m3/day and no "already draws the least
    # tap" line; a plan solved without the cut ends with its plants table
    from quality_helpers import write_case
    from model.results.report import text_report
    from model.studies import plan
    case = load_case(write_case(tmp_path / "trucks", {
        "case.toml": 'name = "trucks"\nmax_recycles = 1',
        "plants.csv": "plant,zone\nP,1",
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\nP,tower,1000,0,",
        "treatment.csv": "train,capacity_m3_per_day,recovery,zones",
        "tankers.csv": "tanker,capacity_m3_per_day,price_per_m3\ntrucks,500,1500"}))
    r = plan(case, largest_cut=True)
    assert r.summary.largest_cut.largest_uniform_cut == pytest.approx(0.5, rel=1e-9)
    assert text_report(r).endswith("\n\ndrought resilience\n  largest uniform cut of tap supply "
                                   "with no shortage: 0.5000 of 1,000.0 m3/day")
    without = text_report(plan(case))
    assert "drought resilience" not in without
    assert without.splitlines()[-1].split() == ["P", "1", "1,000.0", "1,000.0", "0.0", "1.000"]


@pytest.mark.parametrize("x,fmt,text", [
    (None, ",.1f", "-"), (float("nan"), ",.1f", "-"),            # missing: a dash
    (-1e-12, ",.1f", "0.0"), (-0.0, ".3f", "0.000"),             # round-off below zero
    (-1234.56, ",.1f", "-1,234.6"), (-0.04, ".3f", "-0.040"),    # a real negative keeps it
    (1234.56, ",.1f", "1,234.6"), (0, ",.1f", "0.0")])
def test_the_text_report_writes_a_number_as_rounded_without_a_minus_zero(x, fmt, text):
    from model.results.report import _num
    assert _num(x, fmt) == text
    if fmt == ",.1f":
        assert _num(x) == text   # the report's default: thousands, one decimal


def test_the_text_report_s_tables_give_volumes_to_one_decimal_shares_to_three_and_dashes():
    # `report._table`, as the plants and periods tables are printed: no index column; volumes
    # with thousands and one decimal; columns named *share or *fraction to three decimals; a
    # missing value, number or name, as "-"
    from model.results.report import _table
    # (a column of names with a gap may be of object dtype, as one built row by row is)
    df = pd.DataFrame({"plant": pd.Series(["P1", None], dtype=object),
                       "tap_m3_per_day": [1234.56, float("nan")],
                       "tap_share": [0.34567, float("nan")], "shortage_fraction": [0.5, 0.0]})
    rows = [line.split() for line in _table(df).splitlines()]
    assert rows == [["plant", "tap_m3_per_day", "tap_share", "shortage_fraction"],
                    ["P1", "1,234.6", "0.346", "0.500"],
                    ["-", "-", "-", "0.000"]]


def test_the_text_report_s_water_balance_is_the_summary_s_and_adds_up():
    # the terminal's first lines: the case and status, then the campus balance with each
    # figure as the summary has it (one decimal, thousands), the discharge split into its
    # three parts (which add up to it, to the rounding of four one-decimal figures), and the
    # plants table after a blank line
    from dataclasses import replace
    from model.results.report import _balance_lines, text_report
    from model.studies import plan
    r = plan(load_case(bundled_case("ntip-2019-phase2")))
    s, b = r.summary, r.summary.discharge_breakdown_m3_per_day
    lines = text_report(r).splitlines()
    assert lines[:3] == [f"case: {s.case}   status: {s.status}", "",
                         "campus water balance (m3/day)"]
    rows = {line[:22].strip(): line[22:].split() for line in lines[3:10]}
    one = lambda v: f"{v:,.1f}"  # noqa: E731
    assert rows["demand"] == [one(s.demand_m3_per_day)]
    assert rows["tap"] == [one(s.tap_m3_per_day), "tap", "share", f"{s.tap_share:.3f}", "uses",
                           "per", "drop", f"{s.uses_per_drop:.2f}"]
    assert rows["recycled delivered"] == [one(s.recycled_m3_per_day)]
    assert rows["treated (feed)"] == [one(s.treated_m3_per_day)]
    assert rows["consumed"] == [one(s.consumed_m3_per_day)]
    assert rows["cost per day"] == [f"{s.cost_per_day:,.0f}"]   # money: no decimals
    total, _, _, untreated, _, _, reject, _, _, _, surplus = rows["discharged"]
    assert [untreated, reject, surplus] == [one(b.untreated_wastewater), one(b.treatment_reject),
                                            one(b.surplus_product)]
    parts = sum(float(v.replace(",", "")) for v in (untreated, reject, surplus))
    assert float(total.replace(",", "")) == pytest.approx(parts, abs=0.2)
    assert "\n\nplants (m3/day)\n" in text_report(r)
    # a tie-break stage that could not be solved is said under the first line
    plain = _balance_lines(replace(s, stages_not_applied=[]))
    assert _balance_lines(s) == plain and not any(line.startswith("note") for line in plain)
    noted = _balance_lines(replace(s, stages_not_applied=["even_sharing", "fair_share"]))
    assert noted[:1] + noted[2:] == plain
    # a tap cap is shown when the case has one, and only then
    assert s.tap_cap_m3_per_day is None and not any("tap cap" in line for line in plain)
    capped = [line for line in _balance_lines(replace(s, tap_cap_m3_per_day=8000.0))
              if line.startswith("  tap cap")]
    assert [line[22:].split() for line in capped] == [["8,000.0"]]
    assert noted[1] == ("note: the even_sharing, fair_share stage could not be solved (numerical "
                        "trouble); the plan below is least-tap and least-cost, without it")


def test_the_text_report_s_trains_section_says_what_its_means_are_over_and_adds_columns_in_use(
        tmp_path):
    # `report._train_lines`: the heading (over how many days the figures are day-weighted
    # means, when there are periods), "(none)" without trains, and the stored and boosted
    # columns (with the effective recovery and their legend) only when some train has any
    from dataclasses import replace
    from model.results.report import TRAIN_TEXT, _train_lines
    from model.studies import plan
    steady = plan(load_case(bundled_case("ntip-2019-phase2"))).summary
    lines = _train_lines(steady)
    header = lambda lines: lines[2].splitlines()[0].split()  # noqa: E731  (the table's)
    assert lines[:2] == ["", "treatment trains"] and header(lines) == TRAIN_TEXT
    assert not any("effective_recovery" in line for line in lines)
    # each train's row: its name, then every figure to three decimals with thousands (no index)
    first = steady.trains[0]
    figure = lambda v: "-" if v is None else f"{v:,.3f}"  # noqa: E731
    assert lines[2].splitlines()[1].split() == [first.train] + [
        figure(getattr(first, c)) for c in TRAIN_TEXT[1:]]
    assert _train_lines(replace(steady, trains=[])) == ["", "treatment trains", "  (none)"]
    # half a cubic metre a day put into a tank is shown
    # (and a marginal value not known, e.g. of a stage that was skipped, is a dash)
    trains = [replace(steady.trains[0], stored_m3_per_day=0.5, capacity_value=None)] \
        + list(steady.trains[1:])
    stored = _train_lines(replace(steady, trains=trains))
    assert stored[2].splitlines()[1].split()[TRAIN_TEXT.index("capacity_value")] == "-"
    assert header(stored) == TRAIN_TEXT + ["stored_m3_per_day", "effective_recovery"]
    assert stored[-1] == ("  stored: product put into tanks (delivered to uses later); "
                          "effective_recovery: product / treated, boosts included")
    # a train without capacity (no utilization) beside one with: a dash in a column of numbers
    pair = [replace(steady.trains[0], utilization=None), replace(steady.trains[0], train="K15")]
    rows = _train_lines(replace(steady, trains=pair))[2].splitlines()
    at = TRAIN_TEXT.index("utilization")
    assert rows[1].split()[at] == "-" and rows[2].split()[at] == figure(pair[1].utilization)
    # two periods of 1 and 2 days, the fewest that make means
    from period_casefiles import write_case as write_period_case
    two = plan(load_case(write_period_case(tmp_path, {
        "case.toml": 'name = "two"\nmax_recycles = 1\n',
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\nP,rinse,100,1.0,\n",
        "periods.csv": "period,days\na,1\nb,2\n",
        "trains_by_period.csv": "period,train,capacity_m3_per_day\na,T,20\nb,T,50\n"}))).summary
    assert _train_lines(two)[1] == ("treatment trains (day-weighted means over 3 days, capacity "
                                    "included; per period in trains.csv)")


def test_the_text_report_s_quality_and_train_legends_word_for_word():
    # `report._quality_lines`: the contaminants and the direct-reuse volume in the heading
    # ("no contaminants" for a quality layer without any), then each binding limit with where
    # it binds (a train's feed or a use's inlet), the limit to four significant figures and
    # what relaxing it by 1 ppm saves; `report._train_lines` ends with the marginal values'
    # legend
    from dataclasses import replace
    from model.results.report import _quality_lines, _train_lines
    from model.studies import plan
    s = plan(load_case(bundled_case("ntip-2019-phase2"))).summary
    assert _quality_lines(s) == ["", "water quality (TDS, fluoride; direct reuse none: 0.0 "
                                 "m3/day)", "  no quality limit binds"]
    binding = [{"kind": "train feed", "train": "K14", "contaminant": "TDS",
                "limit_ppm": 1234.5678, "tap_saved_per_ppm": 0.123456},
               {"kind": "use inlet", "plant": "P1", "use": "rinse", "contaminant": "fluoride",
                "limit_ppm": 2.0, "tap_saved_per_ppm": 31.0},
               # beyond four figures either way: exponents, in lower case
               {"kind": "use inlet", "plant": "P2", "use": "cooling", "contaminant": "TDS",
                "limit_ppm": 123456.7, "tap_saved_per_ppm": 3.1e-05}]
    q = replace(s.quality, contaminants=[], direct_reuse="zone", binding_quality_limits=binding)
    assert _quality_lines(replace(s, quality=q, direct_reuse_m3_per_day=1500.25)) == [
        "", "water quality (no contaminants; direct reuse zone: 1,500.2 m3/day)",
        "  binding: train K14 feed, TDS at 1,235 ppm   tap saved per ppm relaxed 0.1235 m3/day",
        "  binding: P1/rinse inlet, fluoride at 2 ppm   tap saved per ppm relaxed 31 m3/day",
        "  binding: P2/cooling inlet, TDS at 1.235e+05 ppm   tap saved per ppm relaxed 3.1e-05 "
        "m3/day"]
    assert _quality_lines(replace(s, quality=None)) == []
    assert _train_lines(s)[-2:] == [
        "  capacity_value: tap m3/day saved per extra m3/day of capacity",
        "  recovery_value: tap m3/day saved per extra percentage point of recovery"]


def test_the_text_report_s_drought_section_gives_the_horizon_and_each_period_in_whole_m3():
    # a rationed 9-period plan: the first period short is named with its start date, and the
    # periods table (after a blank line) gives every volume in whole cubic metres, each the
    # periods table's own figure
    from model.results.report import _drought_text
    from model.studies import plan
    r = plan(load_case(bundled_case("ntip-2028-phase3-drought-2023")))
    s = r.summary
    lines = _drought_text(r).splitlines()
    assert lines[:2] == ["", "over the horizon (m3)"]
    whole = lambda v: f"{v:,.0f}"  # noqa: E731
    assert lines[2] == (f"  tap {whole(s.tap_m3)}   recycled {whole(s.recycled_m3)}   tanker "
                        f"{whole(s.tanker_m3)} ({s.tanker_truckloads:,d} truckloads of 20 t)   "
                        f"shortage {whole(s.shortage_m3)}   cost {whole(s.cost)}")
    assert s.cost is not None and s.shortage_m3 > 0
    assert s.first_shortage_period == s.first_shortage_start == "2023-03-08"
    assert lines[3] == (f"  holds {s.days_without_shortage:,.0f} days without shortage; first "
                        "shortage in period 2023-03-08 (from 2023-03-08)")
    at = lines.index("periods (m3)")
    assert lines[at - 1] == ""
    columns = ["period", "start", "days", "stage", "tap_m3", "recycled_m3", "tanker_m3",
               "tanker_truckloads_per_day", "shortage_m3"]
    assert lines[at + 1].split() == columns
    rows = [line.split() for line in lines[at + 2:]]
    assert len(rows) == len(r.periods) == 9
    for row, (_, p) in zip(rows, r.periods.iterrows()):
        assert row == [p.period, p.start, f"{p.days:,.0f}", p.stage] + [
            f"{p[c]:,.0f}" for c in columns[4:]]
    assert any("," in row[4] for row in rows)   # thousands are separated


def test_the_trains_table_gives_each_period_s_utilization_and_no_value_to_a_train_with_no_feed(
        tmp_path):
    # one use of 100 m3/day returning all of it, one train at recovery 0.5 treating once:
    # period a (1 day) has no capacity, so the use draws 100 of tap and the train's utilization
    # has no meaning (a dash, not 0 and not a division by zero); in period b (2 days) the train
    # has 200 m3/day, more than it can be fed: tap T with T + 0.5 T = 100, so it treats
    # 100/1.5 = 66.67 of its 200 m3/day, a utilization of 1/3 (with its capacity worth nothing)
    from period_casefiles import write_case as write_period_case
    from model.studies import plan
    trains = plan(load_case(write_period_case(tmp_path / "two", {
        "periods.csv": "period,days\na,1\nb,2\n",
        "trains_by_period.csv": "period,train,capacity_m3_per_day\na,T,0\nb,T,200\n"}))).trains
    a, b = (trains.set_index("period").loc[p] for p in ("a", "b"))
    assert (a.treated_m3_per_day, a.capacity_m3_per_day) == (0.0, 0.0)
    assert pd.isna(a.utilization)
    assert b.treated_m3_per_day == pytest.approx(100 / 1.5, rel=1e-9)
    assert b.utilization == pytest.approx(1 / 3, rel=1e-9)
    assert b.capacity_value == pytest.approx(0.0, abs=1e-9)
    # under max_recycles = 0 nothing may be treated: the train has no capacity row, and an
    # extra m3/day of its capacity is worth nothing (0, not a missing value)
    idle = plan(load_case(write_period_case(tmp_path / "idle", {
        "case.toml": 'name = "idle"\nmax_recycles = 0\n'}))).trains
    assert idle.capacity_value.tolist() == [0.0] and idle.recovery_value.tolist() == [0.0]
    assert idle.utilization.tolist() == [0.0]   # 0 of 1,000 m3/day


def test_the_summary_gives_the_solve_times_to_a_tenth_of_a_millisecond():
    # summary.json's solve_seconds: each step's seconds as timed, rounded to 4 decimals (a
    # whole-second rounding would print 0 for every step of a plan that takes milliseconds);
    # compiling and loading the model into HiGHS takes some milliseconds at least
    # and no step takes longer than the whole plan (a part of it, measured around it)
    import time
    from model.studies import plan
    start = time.perf_counter()
    seconds = plan(load_case(bundled_case("ntip-2019-phase2"))).summary.solve_seconds
    whole = time.perf_counter() - start
    assert set(seconds) == {"load", "total_tap_m3", "total_cost", "even_sharing"}
    assert all(v >= 0 and v == round(v, 4) for v in seconds.values())
    assert seconds["load"] >= 1e-4
    assert sum(seconds.values()) <= whole + 1e-4


def test_a_one_period_plan_under_a_cut_gives_its_shortage_per_day_of_its_period(tmp_path):
    # one use of 100 m3/day returning all of it, a train at recovery 0.5 treating once, one
    # period of 30 days: the least tap is 100 / 1.5 = 66.67 m3/day, and a cut of 0.4 leaves
    # 40 of it; those 40 return 40, treated into 20 of recycled water, so 60 are supplied and
    # 40 m3/day are short, 1,200 m3 over the 30 days
    from period_casefiles import write_case as write_period_case
    from model.studies import plan, with_cut
    s = plan(with_cut(load_case(write_period_case(tmp_path / "cut", {
        "periods.csv": "period,days\nmonth,30\n"})), cut=0.4)).summary
    assert s.days == 30
    assert s.rationing.baseline_m3_per_day == pytest.approx(100 / 1.5, rel=1e-9)
    assert s.shortage_m3 == pytest.approx(1200.0, rel=1e-9)
    assert s.shortage_m3_per_day == pytest.approx(40.0, rel=1e-9)


def test_each_train_s_summary_says_over_how_many_days_it_is_a_mean():
    # a 9-period plan of 184 days: every train's figures in the summary are day-weighted means
    # over the whole horizon, and each says so (summary.json's averaged_over_days)
    from model.studies import plan
    r = plan(load_case(bundled_case("ntip-2028-phase3-drought-2023")))
    days = float(r.periods.days.sum())
    assert r.summary.days == days and days > 1
    assert [t.averaged_over_days for t in r.summary.trains] == [days] * len(r.summary.trains)
    first = r.summary.trains[0]
    rows = r.trains[r.trains.train == first.train]
    assert first.treated_m3_per_day == pytest.approx(
        (rows.treated_m3_per_day * rows.days).sum() / days, rel=1e-12)


def test_the_summary_names_the_second_stage_by_what_it_minimises():
    # after the least tap, a case with prices minimises cost, one without any the treated volume
    from model.studies import plan
    assert plan(load_case(bundled_case("ntip-2019-phase2"))).summary.second_stage == "cost"
    assert plan(load_case(bundled_case("wang-smith-1994"))).summary.second_stage == \
        "treated volume"


def test_a_campus_with_no_demand_plans_nothing_and_says_so(tmp_path, capsys):
    # every demand 0 (a campus shut down): no flow at all, so every table is empty; the plan is
    # optimal with no tap, and the figures that divide by tap or demand have no value
    from period_casefiles import write_case as write_period_case
    from model.studies import plan
    folder = write_period_case(tmp_path / "idle", {
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\nP,rinse,0,1.0,\n"})
    r = plan(load_case(folder))
    s = r.summary
    assert r.allocation.empty and s.status == "optimal"
    assert (s.demand_m3_per_day, s.tap_m3_per_day, s.recycled_m3_per_day) == (0.0, 0.0, 0.0)
    assert s.uses_per_drop is None and s.tap_share is None
    html, xlsx = tmp_path / "r.html", tmp_path / "r.xlsx"
    assert main(["solve", str(folder), "--no-largest-cut", "--out", str(tmp_path / "out"),
                 "--html", str(html), "--xlsx", str(xlsx)]) == 0
    assert "uses per drop -" in capsys.readouterr().out
    # the reports too: the Sankey and the per-plant chart weight an empty allocation table
    assert "<h2>Where the water goes" in html.read_text()
    book = pd.read_excel(xlsx, sheet_name=None)
    assert book["allocation"].empty
    assert book["summary"].set_index("key").value["tap_m3_per_day"] == 0


@pytest.mark.parametrize("name, negative", [("kaohsiung-2021-drought", False),
                                            ("ntip-history-2015-2021", True)])
def test_the_multi_period_text_explains_a_negative_largest_cut_and_only_that(name, negative):
    # the 2021 drought absorbs a cut of about 8% of its baseline; the 2015-2021 history's peak
    # period needs more tap than its baseline (the horizon's mean), so its largest cut is below
    # 0, and only then does the line say why
    from model.results.report import _drought_text
    from model.studies import plan
    r = plan(load_case(bundled_case(name)), largest_cut=True)
    cut = r.summary.largest_cut
    assert (cut.largest_uniform_cut < 0) is negative
    line = next(x for x in _drought_text(r).splitlines() if "largest uniform cut" in x)
    head = (f"  largest uniform cut with no shortage: {cut.largest_uniform_cut:.4f} of "
            f"{cut.largest_uniform_cut_baseline_m3_per_day:,.1f} m3/day")
    assert line == head + (" (negative: the peak period needs more tap than the baseline even "
                           "before any cut)" if negative else "")
    # neither goes short: the whole horizon holds, and there is no shortage line
    lines = _drought_text(r).splitlines()
    assert r.summary.first_shortage_period is None and r.summary.shortage_m3_per_day is None
    assert lines[3] == (f"  holds {r.summary.days_without_shortage:,.0f} days without shortage "
                        "(the whole horizon)")
    assert not [x for x in lines if x.startswith("  shortage ")]


def test_a_one_period_plan_with_rationing_or_a_tank_gets_the_horizon_section():
    # the drought section is for plans with more than one period, rationing or tanks; a steady
    # plan with none of them gets the drought resilience alone. One period rationed at a 10%
    # cut, and one period with a recycled-water tank, each get the horizon's volumes
    from dataclasses import replace
    from model.case.objects import Tank
    from model.results.report import _drought_text
    from model.studies import plan
    from model.studies.drought import with_cut
    steady = load_case(bundled_case("ntip-2019-phase2"))
    rationed = plan(with_cut(steady, 0.1), largest_cut=True)
    tank = plan(replace(steady, tanks=(Tank("W", "1", "recycled", 100.0, 0.0, 0.0),)))
    for r in (rationed, tank):
        lines = _drought_text(r).splitlines()
        assert len(r.periods) == 1 and lines[:2] == ["", "over the horizon (m3)"]
        assert "drought resilience" not in lines
    assert any(x.startswith("  rationing baseline 7,496.2 m3/day") for x in
               _drought_text(rationed).splitlines())
    # rationed, the plan already draws its cap: its largest cut is exactly 0, not negative
    assert rationed.summary.largest_cut.largest_uniform_cut == 0.0
    assert "  largest uniform cut with no shortage: 0.0000 of 7,496.2 m3/day" in \
        _drought_text(rationed).splitlines()
    alone = _drought_text(plan(steady, largest_cut=True))
    assert alone.startswith("\n\ndrought resilience\n")


def test_a_rationed_plan_without_prices_or_dates_says_neither(tmp_path):
    # one use of 100 m3/day returning all its water, one train at 50% that treats once: the
    # least tap is 100 / 1.5 = 66.7, a 10% cut caps tap at 60, which brings 0.5 x 60 = 30 of
    # recycled water, so 10 goes short. The case has no prices (no cost) and its one period no
    # start date: the horizon lines name neither
    from period_casefiles import write_case as write_period_case
    from model.results.report import _drought_text
    from model.studies import plan
    from model.studies.drought import with_cut
    folder = write_period_case(tmp_path / "case", {
        "treatment.csv": "train,capacity_m3_per_day,recovery,zones\nT,1000,0.5,1\n"})
    r = plan(with_cut(load_case(folder), 0.1))
    assert r.summary.cost is None and r.summary.first_shortage_start is None
    lines = _drought_text(r).splitlines()
    assert lines[2:7] == [
        "  tap 60   recycled 30   tanker 0 (0 truckloads of 20 t)   shortage 10",
        "  holds 0 days without shortage; first shortage in period steady",
        "  rationing baseline 66.7 m3/day (computed: unrestricted minimal tap draw of this case)",
        "  shortage 10.0 m3/day", ""]   # no largest cut asked for: no line for it


def test_a_period_with_no_rationing_stage_shows_a_dash_in_the_text_periods_table(tmp_path):
    # the 2021 drought with its first period taken out of the stage schedule (a blank stage):
    # that period's stage is missing in the table, and the text shows "-", never "NaN"
    from model.results.report import _drought_text
    from model.studies import plan
    case = tmp_path / "case"
    shutil.copytree(bundled_case("kaohsiung-2021-drought"), case)
    rows = (case / "periods.csv").read_text().splitlines()
    assert rows[1] == "2021-02-01,2021-02-01,24,blue"
    rows[1] = "2021-02-01,2021-02-01,24,"
    (case / "periods.csv").write_text("\n".join(rows) + "\n")
    r = plan(load_case(case))
    assert r.periods.stage.isna().tolist() == [True] + [False] * (len(r.periods) - 1)
    lines = _drought_text(r).splitlines()
    first = lines[lines.index("periods (m3)") + 2].split()
    assert first[:4] == ["2021-02-01", "2021-02-01", "24", "-"]
    assert "NaN" not in _drought_text(r) and "nan" not in _drought_text(r)


def test_a_shortage_at_the_solver_s_tolerance_is_no_shortage_column():
    # plants.csv lists shortage only when some plant has one above FLOW_EPS (1e-7 m3/day,
    # HiGHS's feasibility tolerance): a shortage of exactly 1e-7 is within the solver's
    # tolerance of none, 2e-7 is not
    import pandas as pd
    from model.results.tables import FLOW_EPS, plant_table
    uses = pd.DataFrame({"plant": ["A", "B"], "zone": ["1", "1"], "period": ["p", "p"],
                         "days": [1, 1], "demand_m3_per_day": [100.0, 50.0],
                         "tap_m3_per_day": [100.0, 50.0], "recycled_m3_per_day": [0.0, 0.0],
                         "shortage_m3_per_day": [0.0, FLOW_EPS]})
    assert FLOW_EPS == 1e-7
    assert "shortage_m3_per_day" not in plant_table(uses).columns
    uses.loc[1, "shortage_m3_per_day"] = 2e-7
    plants = plant_table(uses).set_index("plant")
    assert plants.shortage_m3_per_day.to_dict() == {"A": 0.0, "B": 2e-7}


def test_a_train_s_worthless_capacity_is_written_0_not_minus_0():
    # K14 of the default case treats 20,005 of its 40,000 m3/day: its capacity row is slack,
    # with a dual of 0, so capacity_value = -0 / days is written 0.0, never -0.0 (trains.csv,
    # summary.json and the report print what the table holds)
    import math
    import pyomo.environ as pyo
    from model.formulation import build_model
    from model.results.tables import allocation_table, feed_table, train_table
    from model.solve import solve
    f = build_model(load_case(bundled_case("ntip-2019-phase2")))
    report = solve(f)
    report.duals = pyo.ComponentMap()          # every row's dual is then 0.0
    trains = train_table(f, report, feed_table(f), allocation_table(f))
    assert list(trains.capacity_value) == [0.0]
    assert [math.copysign(1.0, v) for v in trains.capacity_value] == [1.0]
    assert json.dumps(trains.capacity_value.iloc[0]) == "0.0"


def test_a_quality_limit_s_worthless_relaxation_is_written_0_not_minus_0(tmp_path):
    # one rinse blending tap (10 ppm) and T's product (130 ppm) under a 40 ppm limit: its
    # inlet-limit row exists (the product is above the limit). With every dual 0 (as a slack
    # row has), tap_saved_per_ppm = -0 x 100 / 1 is written 0.0, never -0.0 (quality.csv and
    # the report print what the table holds)
    import math
    import pyomo.environ as pyo
    from model.formulation import build_model
    from model.results.quality import quality_table
    from model.solve import solve
    from quality_helpers import write_case as write_quality_case
    from test_quality_hand import BLEND
    f = build_model(load_case(write_quality_case(tmp_path / "blend", BLEND)))
    report = solve(f)
    assert len(f.model.inlet_limit) == 1
    report.duals = pyo.ComponentMap()          # every row's dual is then 0.0
    table = quality_table(f, report)
    assert table.inflow_m3_per_day.iloc[0] == pytest.approx(100.0, rel=1e-9)
    assert list(table.tap_saved_per_ppm) == [0.0]
    assert [math.copysign(1.0, v) for v in table.tap_saved_per_ppm] == [1.0]
    assert json.dumps(table.tap_saved_per_ppm.iloc[0]) == "0.0"


def test_a_flow_at_the_solver_s_tolerance_is_listed_as_none(tmp_path):
    # a tap-only use of 1e-7 m3/day (FLOW_EPS, HiGHS's tolerance on a flow) draws exactly that:
    # allocation.csv lists no flow at or below the tolerance, so it has no row, beside the
    # 100 m3/day rinse's tap and recycled rows
    from model.results.tables import FLOW_EPS
    from model.studies import plan
    from period_casefiles import write_case
    assert FLOW_EPS == 1e-7
    r = plan(load_case(write_case(tmp_path / "tiny", {
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    "P,rinse,100,0.9,\nP,drop,1e-7,0.9,0\n"})))
    assert set(r.allocation.use) == {"rinse"}
    assert set(r.allocation.source) == {"tap", "T"}


def test_a_feed_at_the_solver_s_tolerance_is_listed_as_none(tmp_path):
    # feeds.csv lists no feed at or below FLOW_EPS, as allocation.csv lists no flow: T's feed
    # from zone 1 set to exactly 1e-7 m3/day after the solve has no row (a plan cannot be
    # made to feed exactly that: HiGHS treats a 1e-7 m3/day train as nothing), 1.5e-7 has one
    from model.formulation import build_model
    from model.results.tables import FLOW_EPS, feed_table
    from model.solve import solve
    from period_casefiles import write_case
    f = build_model(load_case(write_case(tmp_path / "one", {})))
    solve(f)
    ((key, feed),) = f.model.feed_m3_per_day.items()
    assert key[:2] == ("T", "1") and feed.value == pytest.approx(100 / 1.5, rel=1e-9)
    feed.set_value(FLOW_EPS)
    assert feed_table(f).empty
    feed.set_value(1.5 * FLOW_EPS)
    assert list(feed_table(f).m3_per_day) == [1.5 * FLOW_EPS]


def test_the_campus_tap_cap_is_stated_in_the_summary_and_the_report(tmp_path):
    # case.toml's [tap] cap_m3_per_day = 80 on the one-use case (D = 100, return 1, T at
    # recovery 0.5, K = 1): the least tap is 100 / 1.5 = 66.67, within the cap; the summary
    # and the text report state the cap as given
    from model.results.report import text_report
    from model.studies import plan
    from period_casefiles import write_case
    r = plan(load_case(write_case(tmp_path / "cap", {
        "case.toml": 'name = "cap"\nmax_recycles = 1\n[tap]\ncap_m3_per_day = 80\n'})))
    assert r.summary.tap_cap_m3_per_day == 80.0
    assert r.summary.tap_m3_per_day == pytest.approx(100 / 1.5, rel=1e-9)
    assert "\n  tap cap                     80.0\n" in text_report(r)


def test_the_size_estimate_counts_basins_a_tank_no_train_reaches_and_two_sharing_plants():
    # two plants in zones 1 and 2, T serving zone 1 only, K = 3; two wastewater basins in
    # zone 1 (a level, an inflow and an outflow per generation 0-2: 18 columns) and a
    # recycled-water tank in zone 2, which no train can charge (3 levels, no charge); two
    # plants to share between (a share, and 2 x 2 deviations). Built: 37 columns, 26 rows;
    # the estimate counts these families in full and over-counts a few rows (pools of
    # generation K, a row per tank and period), so it is never below the built counts and
    # within a tenth (columns) and a fifth (rows) above them.
    import pyomo.environ as pyo
    from dataclasses import replace
    from model.case.objects import Tank
    from model.formulation import build_model
    from tests.factory import make_case
    case = replace(make_case([("P1", "rinse", "1", 100, 0.9, None),
                              ("P2", "rinse", "2", 100, 0.9, None)],
                             [("T", 1e4, 0.7, ("1",), 1.0)], max_recycles=3),
                   tanks=(Tank("B1", "1", "wastewater", 100.0, 0.0, 0.0),
                          Tank("B2", "1", "wastewater", 100.0, 0.0, 0.0),
                          Tank("R2", "2", "recycled", 100.0, 0.0, 0.0)))
    m = build_model(case).model
    assert len(m.basin_in_m3_per_day) == 6 and len(m.tank_charge_m3_per_day) == 0
    variables = sum(len(v) for v in m.component_objects(pyo.Var))
    constraints = sum(len(c) for c in m.component_objects(pyo.Constraint))
    assert (variables, constraints) == (37, 26)
    estimate = estimate_size(case)
    assert variables <= estimate.variables <= 1.1 * variables
    assert constraints <= estimate.constraints <= 1.2 * constraints


def test_the_size_estimate_counts_quality_rows_and_direct_reuse_of_a_campus_made_of_them(
        tmp_path):
    # one zone, six uses of plant P, each with an inlet limit on each of eight contaminants,
    # each free to pass its wastewater straight to the five others (30 links), train T, K = 3.
    # Built: the direct flows are 30 links x generations 0-3 = 120 of 148 columns; the rows are
    # 6 x 8 = 48 inlet limits, and 6 reusing uses x 4 generations = 24 rows for their own
    # wastewater, 72 of 85. The estimate counts these in full (a use's rows per contaminant,
    # K + 1 per link and per reusing use), so it is never below the built counts and at most
    # a tenth (columns) or a twentieth (rows) above them.
    import pyomo.environ as pyo
    from model.formulation import build_model
    from quality_helpers import write_case as write_quality_case
    contaminants = [f"c{i}" for i in range(8)]
    case = load_case(write_quality_case(tmp_path / "q", {
        "case.toml": 'name = "q"\nmax_recycles = 3\ndirect_reuse = "zone"',
        "plants.csv": "plant,zone\nP,1",
        "treatment.csv": "train,capacity_m3_per_day,recovery,zones\nT,100,0.7,1",
        "uses.csv": "plant,use,demand_m3_per_day,return_fraction,max_recycles\n"
                    + "".join(f"P,u{i},100,0.9,\n" for i in range(6)),
        "contaminants.csv": "contaminant,tap_ppm\n" + "".join(f"{c},5\n" for c in contaminants),
        "use_quality.csv": "plant,use,contaminant,max_inlet_ppm,outlet_ppm\n"
                           + "".join(f"P,u{i},{c},50,200\n" for i in range(6)
                                     for c in contaminants),
        "train_quality.csv": "train,contaminant,product_ppm\n"
                             + "".join(f"T,{c},10\n" for c in contaminants)}))
    m = build_model(case).model
    assert (len(m.direct_reuse_m3_per_day), len(m.inlet_limit),
            len(m.use_wastewater_availability)) == (120, 48, 24)
    variables = sum(len(v) for v in m.component_objects(pyo.Var))
    constraints = sum(len(c) for c in m.component_objects(pyo.Constraint))
    assert (variables, constraints) == (148, 85)
    estimate = estimate_size(case)
    assert variables <= estimate.variables <= 1.1 * variables
    assert constraints <= estimate.constraints <= 1.05 * constraints


def test_a_table_with_no_flow_keeps_the_column_types_of_one_with_flows():
    # The allocation and feed tables are built from the flows above FLOW_EPS only; a plan in
    # which a table has none (here: no train, so no feed) still gives it its columns, typed
    # as a table with rows has them (names as text, generation an integer, m3/day a float)
    from model.formulation import build_model
    from model.results.collect import collect
    from model.solve import solve
    from tests.factory import make_case
    with_train = make_case([("A", "rinse", "1", 300, 0.9, None)],
                           [("T", 1e3, 0.5, ("1",), None)], max_recycles=1)
    without = make_case([("A", "rinse", "1", 300, 0.9, None)], [], max_recycles=1)
    tables = {}
    for name, case in (("with", with_train), ("without", without)):
        f = build_model(case)
        tables[name] = collect(f, solve(f))
    assert len(tables["with"].feeds) > 0 and len(tables["without"].feeds) == 0
    assert tables["without"].feeds.dtypes.to_dict() == tables["with"].feeds.dtypes.to_dict()
    assert list(tables["without"].feeds.columns) == list(tables["with"].feeds.columns)


def test_the_flat_flow_sets_are_the_products_in_their_order():
    # tap and recycled flows (and the demand balance) are indexed by flat sets of (..., period)
    # tuples, for speed (model/formulation/flows.py); they must hold the products' members in
    # the products' order, so that the compiled LP's columns and rows keep their order (a
    # degenerate LP's vertex, and so its marginal values, can depend on it)
    from itertools import product

    from model.bundled import bundled_case
    from model.case import load_case
    from model.formulation import build_model
    f = build_model(load_case(bundled_case("ntip-history-2015-2021")))  # 7 periods
    m, net = f.model, f.net
    assert len(net.PERIODS) > 1 and len(net.DELIVERIES) > 1
    assert list(m.USE_PERIODS) == [(*u, t) for u, t in product(net.USES, net.PERIODS)]
    assert list(m.DELIVERY_PERIODS) == [(*d, t) for d, t in product(net.DELIVERIES, net.PERIODS)]
    assert list(m.tap_m3_per_day) == list(m.USE_PERIODS)
    assert list(m.demand_balance) == list(m.USE_PERIODS)
    assert list(m.recycled_m3_per_day) == list(m.DELIVERY_PERIODS)
