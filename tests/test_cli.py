"""End-to-end runs of the command line on the bundled cases."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from model.bundled import bundled_case, bundled_case_names
from model.cli import main

SUMMARY_KEYS = {"case", "status", "tap_m3_per_day", "demand_m3_per_day", "recycled_m3_per_day",
                "treated_m3_per_day", "discharged_m3_per_day", "tap_share", "uses_per_drop",
                "trains"}
TRAIN_KEYS = {"train", "treated_m3_per_day", "capacity_m3_per_day", "utilization",
              "capacity_value", "recovery_value"}


def test_solve_default_case_writes_json_and_tables(tmp_path, capsys):
    out, js = tmp_path / "out", tmp_path / "summary.json"
    assert main(["solve", "--json", str(js), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    summary = json.loads(js.read_text())
    assert SUMMARY_KEYS <= summary.keys()
    assert summary["case"] == "ntip-2019-phase2" and summary["status"] == "optimal"
    assert TRAIN_KEYS <= summary["trains"][0].keys()
    # derived figures are consistent with the volumes
    assert summary["tap_share"] == pytest.approx(
        summary["tap_m3_per_day"] / summary["demand_m3_per_day"], rel=1e-12)
    assert summary["uses_per_drop"] == pytest.approx(1 / summary["tap_share"], rel=1e-12)
    # the printed report shows the same tap figure and every plant
    assert f"{summary['tap_m3_per_day']:,.1f}" in printed
    for plant in ["Z1-A", "Z1-B", "Z1-C", "Z2-A", "Z2-B"]:
        assert plant in printed
    # --out: every table is there, and the allocation adds up to the summary
    assert {p.name for p in out.iterdir()} == {"allocation.csv", "feeds.csv", "trains.csv",
                                              "plants.csv", "uses.csv", "quality.csv", "periods.csv",
                                              "summary.json"}
    alloc = pd.read_csv(out / "allocation.csv")
    assert alloc.m3_per_day.sum() == pytest.approx(summary["demand_m3_per_day"], rel=1e-9)
    assert alloc[alloc.source == "tap"].m3_per_day.sum() == pytest.approx(
        summary["tap_m3_per_day"], rel=1e-9)
    assert json.loads((out / "summary.json").read_text()) == summary
    assert not list(out.glob(".*.tmp"))


def test_solve_named_and_folder_case_agree(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["solve", "ntip-2015-phase1", "--json", str(a)]) == 0
    assert main(["solve", str(bundled_case("ntip-2015-phase1")), "--json", str(b)]) == 0
    assert json.loads(a.read_text())["tap_m3_per_day"] == json.loads(b.read_text())["tap_m3_per_day"]


def test_cases_lists_the_bundled_cases(capsys):
    assert main(["cases"]) == 0
    assert {"ntip-2015-phase1", "ntip-2019-phase2"} <= set(capsys.readouterr().out.split())


@pytest.mark.parametrize("command", [
    [sys.executable, "-m", "model", "solve"],
    [str(Path(sys.executable).parent / "wateralloc"), "solve"],
])
def test_installed_commands_run_from_any_folder(tmp_path, command):
    # Run outside the repository so that the bundled case must come from the installed package.
    run = subprocess.run(command + ["--json", "s.json"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Running HiGHS" not in run.stdout  # the solver banner does not leak into the report
    assert "case: ntip-2019-phase2" in run.stdout
    assert json.loads((tmp_path / "s.json").read_text())["status"] == "optimal"


@pytest.mark.parametrize("name", bundled_case_names())
def test_every_bundled_case_solves_from_the_command_line(name, tmp_path, capsys):
    # the default run, largest cut included, must succeed on every shipped case
    js = tmp_path / "s.json"
    assert main(["solve", name, "--json", str(js)]) == 0, capsys.readouterr().err
    summary = json.loads(js.read_text())
    assert summary["status"] == "optimal" and "largest_uniform_cut" in summary


def test_every_set_of_a_model_is_ordered_so_no_order_depends_on_string_hashing():
    # an unordered Pyomo set iterates in the order of a Python set, which hashes strings
    # differently in each process; the LP's columns and rows would then come in a different
    # order from run to run, and a plan with ties could differ. Checked on the plan of the
    # 2028 campus with its options (recovery upgrades, new trains and links) and without
    import pyomo.environ as pyo
    from model.case import load_case
    from model.formulation import build_model
    from model.studies.options import prepared
    from model.studies.portfolio import Question, portfolio_model
    case = load_case(bundled_case("ntip-2028-phase3"))
    for f in (build_model(case), portfolio_model(prepared(case), Question())):
        sets = list(f.model.component_objects(pyo.Set, descend_into=True))
        assert len(sets) > 10
        assert [s.name for s in sets if not s.isordered()] == []
    assert len(f.model.UPGRADES) > 0


@pytest.mark.parametrize("name", ["ntip-2019-phase2", "ntip-2028-phase3-drought-2023"])
def test_the_same_case_gives_the_same_files_in_any_process(name, tmp_path):
    # two processes with different string hashing (PYTHONHASHSEED) solve the same case: every
    # file of --out is byte for byte the same, summary.json too once its solve times (which
    # are measured) are left out. Nothing in the model may depend on the order of a hash set
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "model", "solve", name, "--out", str(out)],
                       env=env, capture_output=True, check=True)
        outs.append(out)
    files = sorted(p.name for p in outs[0].iterdir())
    assert files == sorted(p.name for p in outs[1].iterdir()) and "allocation.csv" in files
    for file in files:
        a, b = ((out / file).read_bytes() for out in outs)
        if file == "summary.json":
            a, b = ({k: v for k, v in json.loads(x).items() if k != "solve_seconds"}
                    for x in (a, b))
        assert a == b, file
