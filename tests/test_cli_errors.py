"""The command line on bad input, bad usage and infeasible cases: the documented exit code, a
message that names every problem, never a traceback, and no output files from a failed run."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from model.cli import main
from model.errors import EXIT_INFEASIBLE, EXIT_INVALID, EXIT_OK
from tests.case_folder import valid_tables, write_case

REPO = Path(__file__).resolve().parents[1]


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def bad_case(tmp_path) -> Path:
    """Four problems in three files, each given as (file, line, column) in EXPECTED."""
    tables = valid_tables()
    tables["case.toml"]["max_recycles"] = -1                   # case.toml, max_recycles
    tables["uses.csv"][1]["demand_m3_per_day"] = "lots"        # uses.csv line 3
    tables["uses.csv"][2]["plant"] = "P9"                      # uses.csv line 4
    tables["treatment.csv"][0]["recovery"] = "0"               # treatment.csv line 2
    return write_case(tmp_path / "bad", tables)


EXPECTED = [
    "case.toml, line 2, key 'max_recycles': value -1",
    "uses.csv, line 3, column 'demand_m3_per_day': value 'lots'",
    "uses.csv, line 4, column 'plant': value 'P9'",
    "treatment.csv, line 2, column 'recovery': value '0'",
]


def assert_lists_every_problem(err: str) -> None:
    assert "Traceback" not in err
    assert "4 problems" in err
    for where in EXPECTED:
        assert where in err, f"{where!r} missing from:\n{err}"
    assert len(re.findall(r"^\s+- ", err, flags=re.M)) == len(EXPECTED)


def test_invalid_case_exits_2_and_lists_every_problem(bad_case, capsys):
    code, out, err = run(["solve", str(bad_case)], capsys)
    assert code == EXIT_INVALID == 2
    assert out == ""
    assert_lists_every_problem(err)


def test_python_dash_m_model_on_an_invalid_case(bad_case, tmp_path):
    done = subprocess.run([sys.executable, "-m", "model", "solve", str(bad_case)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 2
    assert done.stdout == ""
    assert_lists_every_problem(done.stderr)


def test_missing_case_folder_exits_2(tmp_path, capsys):
    missing = tmp_path / "no-such-case"
    code, _, err = run(["solve", str(missing)], capsys)
    assert code == 2
    assert str(missing) in err and "does not exist" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("argv", [
    ["solve", "--no-such-option"], ["frobnicate"], [], ["solve", "--time-limit", "soon"],
    ["solve", "--time-limit", "-1"], ["solve", "--time-limit", "nan"],
])
def test_bad_usage_exits_2(argv, capsys):
    code, _, err = run(argv, capsys)
    assert code == 2
    assert "usage:" in err
    assert "Traceback" not in err


def one_use_case(folder: Path, tap_cap: float | None) -> Path:
    """One use, demand 100 m3/day, return 1.0; one train, recovery 0.5, ample capacity; K = 1."""
    settings = {"name": "one-use", "max_recycles": 1}
    if tap_cap is not None:
        settings["tap"] = {"cap_m3_per_day": tap_cap}
    return write_case(folder, {
        "case.toml": settings,
        "plants.csv": [{"plant": "P", "zone": "Z"}],
        "uses.csv": [{"plant": "P", "use": "rinse", "demand_m3_per_day": 100,
                      "return_fraction": 1.0, "max_recycles": ""}],
        "treatment.csv": [{"train": "T", "capacity_m3_per_day": 1000, "recovery": 0.5,
                           "zones": "Z"}],
    })


# Minimum tap by hand: tap T comes back whole (return 1.0) and is treated once (K = 1) into
# 0.5 T of recycled water, so T + 0.5 T = 100 and T = 100 / 1.5 = 66.666... m3/day.
MIN_TAP = 100 / 1.5


@pytest.mark.parametrize("cap", [50.0, 66.6])
def test_tap_cap_below_minimum_exits_3_with_the_numbers(tmp_path, capsys, cap):
    out_dir = tmp_path / "out"
    json_file = tmp_path / "summary.json"
    folder = one_use_case(tmp_path / "case", cap)
    code, out, err = run(["solve", str(folder), "--out", str(out_dir),
                          "--json", str(json_file)], capsys)
    assert code == EXIT_INFEASIBLE == 3
    assert "Traceback" not in err
    # cap 50.0: minimum 66.7, shortfall 66.67 - 50 = 16.7; cap 66.6: shortfall 0.0667 -> 0.1
    minimum = re.search(r"minimum tap[^0-9]*([0-9,]+\.[0-9])", err)
    shortfall = re.search(r"shortfall[^0-9]*([0-9,]+\.[0-9])", err)
    assert minimum and shortfall, err
    assert minimum.group(1) == f"{MIN_TAP:,.1f}" == "66.7"
    assert shortfall.group(1) == f"{MIN_TAP - cap:,.1f}"
    assert f"{cap:,.1f}" in err
    # A failed solve reports no figures and writes no files.
    assert out == ""
    assert not out_dir.exists()
    assert not json_file.exists()


def test_tap_cap_just_above_minimum_solves(tmp_path, capsys):
    # The same case with a cap of 66.7 > 66.666...: feasible, tap at its hand-worked minimum.
    folder = one_use_case(tmp_path / "case", 66.7)
    json_file = tmp_path / "summary.json"
    code, _, err = run(["solve", str(folder), "--json", str(json_file)], capsys)
    assert code == EXIT_OK, err
    assert json.loads(json_file.read_text())["tap_m3_per_day"] == pytest.approx(MIN_TAP,
                                                                                rel=1e-9)


def test_out_on_an_invalid_case_writes_nothing(bad_case, tmp_path, capsys):
    out_dir = tmp_path / "out"
    code, _, _ = run(["solve", str(bad_case), "--out", str(out_dir)], capsys)
    assert code == 2
    assert not out_dir.exists()


def test_out_into_a_file_is_a_clear_error(tmp_path, capsys):
    folder = one_use_case(tmp_path / "case", None)
    target = tmp_path / "taken"
    target.write_text("not a folder\n")
    code, _, err = run(["solve", str(folder), "--out", str(target)], capsys)
    assert code == 2
    assert "Traceback" not in err
    assert str(target) in err
    assert target.read_text() == "not a folder\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("args, words", [
    (["--cut", "1.5"], ["invalid option --cut 1.5", "[0, 1)"]),
    (["--cut", "-0.1"], ["invalid option --cut -0.1", "[0, 1)"]),
    (["--stage", "purple"], ["invalid option --stage 'purple'", "yellow", "orange"]),
])
def test_bad_drought_options_exit_2_with_the_rule(args, words, capsys):
    assert main(["solve", *args]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "invalid case" not in err
    for word in words:
        assert word in err


def test_time_limit_hit_exits_4_with_no_figures(tmp_path, capsys):
    # A zero time limit stops HiGHS before it proves optimality: solver truth means exit 4, a
    # message saying so, no numbers printed and no files written (no fallback retries it).
    js = tmp_path / "s.json"
    assert main(["solve", "--time-limit", "0", "--json", str(js), "--out",
                 str(tmp_path / "out")]) == 4
    captured = capsys.readouterr()
    assert "Time limit reached" in captured.err and "No figures are reported" in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""
    assert not js.exists() and not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv", [
    ["solve", "--json", "{tmp}/out.json"],
    ["sweep", "--vary", "cut=0:0.1:2", "--verify", "1", "--json", "{tmp}/out.json"],
    ["cases"]])
def test_a_reader_that_stops_reading_ends_the_run_quietly(argv, tmp_path):
    # `wateralloc solve | head`: stdout's reader is gone before the report is printed. Every
    # output is written by then, so the run ends with 0 and says nothing (once: "cannot read or
    # write a file: [Errno 32] Broken pipe", exit 2, as if the input were bad)
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    proc = subprocess.Popen([sys.executable, "-m", "model", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdout.close()  # no reader: the first write to stdout breaks the pipe
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == EXIT_OK and err == ""
    if "--json" in args:
        data = json.loads((tmp_path / "out.json").read_text())
        assert data.get("status", "optimal") == "optimal"
