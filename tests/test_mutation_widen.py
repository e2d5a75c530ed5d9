"""tools/mutation_widen.py gives each function the whole modules of its tests and clears exactly
the survivors whose list grew (docs/testing.md, "Mutation testing")."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

TOOL = Path(__file__).resolve().parents[1] / "tools" / "mutation_widen.py"
_spec = importlib.util.spec_from_file_location("tools_mutation_widen", TOOL)
widen_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(widen_tool)

A1, A2, A3 = "tests/test_a.py::test_1", "tests/test_a.py::test_2", "tests/test_a.py::test_3"
B1 = "tests/test_b.py::test_1"
FIGURE = "model.results.charts.x_figure"      # profiled in test_a's first test only
TABLE = "model.results.tables.x_table"        # profiled in every test of test_a and in test_b
SOLVE = "model.solve.highs.xǁLoadedLPǁrun"    # a method: mutmut's name has the class in it


def _mutants(tmp_path: Path) -> Path:
    mutants = tmp_path / "mutants"
    (mutants / "model" / "results").mkdir(parents=True)
    stats = {"duration_by_test": {A1: 1.0, A2: 0.5, A3: 0.2, B1: 0.1},
             "tests_by_mangled_function_name": {FIGURE: [A1], TABLE: [A1, A2, A3, B1],
                                                SOLVE: [B1]}}
    (mutants / "mutmut-stats.json").write_text(json.dumps(stats))
    verdicts = {f"{FIGURE}__mutmut_1": 0, f"{FIGURE}__mutmut_2": 1, f"{FIGURE}__mutmut_3": None,
                f"{TABLE}__mutmut_1": 0, f"{SOLVE}__mutmut_1": 0}
    (mutants / "model" / "results" / "charts.py.meta").write_text(
        json.dumps({"exit_code_by_key": verdicts, "durations_by_key": {}}))
    return mutants


def test_a_function_gets_every_test_of_its_modules_and_no_other(tmp_path):
    mutants = _mutants(tmp_path)
    assert widen_tool.main(["--mutants", str(mutants)]) == 0
    tests = json.loads((mutants / "mutmut-stats.json").read_text())["tests_by_mangled_function_name"]
    assert sorted(tests[FIGURE]) == [A1, A2, A3]      # test_b never ran it: not added
    assert sorted(tests[TABLE]) == [A1, A2, A3, B1]   # already whole: unchanged
    assert tests[SOLVE] == [B1]


def test_reset_clears_only_the_survivors_of_functions_that_gained_tests(tmp_path, capsys):
    mutants = _mutants(tmp_path)
    assert widen_tool.main(["--mutants", str(mutants), "--reset"]) == 0
    meta = json.loads((mutants / "model" / "results" / "charts.py.meta").read_text())
    assert meta["exit_code_by_key"] == {
        f"{FIGURE}__mutmut_1": None,   # survived, and its function gained tests: run again
        f"{FIGURE}__mutmut_2": 1,      # killed: a verdict that stands
        f"{FIGURE}__mutmut_3": None,   # not run yet
        f"{TABLE}__mutmut_1": 0,       # its function gained nothing: the verdict stands
        f"{SOLVE}__mutmut_1": 0}
    assert meta["durations_by_key"] == {}
    assert capsys.readouterr().out.strip() == "1 functions gained tests; 1 survivors to run again"


def test_without_reset_no_verdict_changes(tmp_path):
    mutants = _mutants(tmp_path)
    before = (mutants / "model" / "results" / "charts.py.meta").read_text()
    widen_tool.main(["--mutants", str(mutants)])
    assert (mutants / "model" / "results" / "charts.py.meta").read_text() == before
