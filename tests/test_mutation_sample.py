"""tools/mutation_sample.py draws a seeded sample of the mutants not yet run and scores it with
the Wilson interval (docs/testing.md, "Mutation testing")."""
from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[1] / "tools" / "mutation_sample.py"
_spec = importlib.util.spec_from_file_location("tools_mutation_sample", TOOL)
sample_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sample_tool)


def _mutants(tmp_path: Path) -> Path:
    """Two formulation files, one solve file, one results file and one outside the three."""
    mutants = tmp_path / "mutants"
    files = {
        "formulation/flows.py.meta": {f"model.formulation.flows.x_f__mutmut_{i}": None
                                      for i in range(1, 11)},
        "formulation/sets.py.meta": {"model.formulation.sets.x_s__mutmut_1": 1,
                                     "model.formulation.sets.x_s__mutmut_2": None},
        "solve/highs.py.meta": {"model.solve.highs.xǁLoadedLPǁrun__mutmut_1": 0,
                                "model.solve.highs.xǁLoadedLPǁrun__mutmut_2": -24,
                                "model.solve.highs.xǁLoadedLPǁrun__mutmut_3": 3,
                                "model.solve.highs.xǁLoadedLPǁrun__mutmut_4": None},
        "results/tables.py.meta": {"model.results.tables.x_t__mutmut_1": 1,
                                   "model.results.tables.x_t__mutmut_2": 34},
        "case/load.py.meta": {"model.case.load.x_l__mutmut_1": None},
    }
    for path, codes in files.items():
        (mutants / "model" / path).parent.mkdir(parents=True, exist_ok=True)
        (mutants / "model" / path).write_text(json.dumps({"exit_code_by_key": codes}))
    return mutants


def test_a_draw_takes_only_mutants_not_run_of_the_three_subpackages_and_repeats_with_its_seed(
        tmp_path):
    found = sample_tool.verdicts(_mutants(tmp_path))
    assert set(found) == {"formulation", "solve", "results"}   # model/case is not mutated
    names = sample_tool.draw(found, 3, seed=7)
    not_run = {n for codes in found.values() for n, c in codes.items() if c is None}
    assert set(names) <= not_run
    # 3 of the 11 formulation mutants left, the one solve mutant left, none of results
    assert [n.split(".")[1] for n in names] == ["formulation"] * 3 + ["solve"]
    assert len(set(names)) == 4
    assert sample_tool.draw(found, 3, seed=7) == names
    assert sample_tool.draw(found, 3, seed=8) != names   # 165 ways to pick 3 of 11
    assert len(sample_tool.draw(found, 100, seed=7)) == 11 + 1


def test_score_counts_each_outcome_as_mutmut_does_and_timeouts_as_kills(tmp_path, capsys):
    mutants = _mutants(tmp_path)
    names = tmp_path / "sample.txt"
    picked = [f"model.solve.highs.xǁLoadedLPǁrun__mutmut_{i}" for i in range(1, 5)] + [
        "model.results.tables.x_t__mutmut_1", "model.results.tables.x_t__mutmut_2"]
    names.write_text("\n".join(picked) + "\n")
    counts = sample_tool.tally(sample_tool.verdicts(mutants), picked)
    assert counts["solve"] == {"survived": 1, "timeout": 1, "killed": 1, "not run": 1}
    assert counts["results"] == {"killed": 1, "other": 1}   # 34: skipped
    assert sample_tool.main(["--mutants", str(mutants), "score", str(names)]) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[1:]}
    # solve: 4 drawn, 3 run, 2 of them killed (the timeout counted as mutmut counts it)
    assert rows["solve"][1:8] == ["4", "3", "1", "1", "1", "0", "1"]
    assert rows["solve"][8] == "66.7%"
    assert rows["formulation"][1:3] == ["0", "0"] and rows["formulation"][8] == "nan%"


@pytest.mark.parametrize("killed,run", [(95, 100), (120, 120), (0, 10), (57, 60)])
def test_the_interval_is_wilson_s(killed, run):
    # the Wilson score interval, worked from its closed form with z the 97.5% normal quantile
    z = 1.959963984540054
    p = killed / run
    centre = (p + z * z / (2 * run)) / (1 + z * z / run)
    half = z / (1 + z * z / run) * math.sqrt(p * (1 - p) / run + z * z / (4 * run * run))
    low, high = sample_tool.killed_interval(killed, run)
    assert (low, high) == pytest.approx((centre - half, centre + half), abs=1e-12)
    # 120 of 120 killed still leaves room for 3.1% survivors at 95%
    if killed == run == 120:
        assert low == pytest.approx(0.969, abs=5e-4)


def test_a_draw_leaves_out_the_mutants_of_earlier_samples(tmp_path):
    found = sample_tool.verdicts(_mutants(tmp_path))
    earlier = frozenset(sample_tool.draw(found, 4, seed=7))
    later = sample_tool.draw(found, 100, seed=9, exclude=earlier)
    # 11 formulation and 1 solve mutant not run; the earlier sample took 4 + 1 of them
    assert not set(later) & earlier and len(later) == 12 - len(earlier) == 7


def test_a_run_interleaves_the_subpackages_and_takes_each_mutant_s_fastest_test_first():
    names = ["model.formulation.a.x_f__mutmut_1", "model.formulation.a.x_f__mutmut_2",
             "model.formulation.a.x_f__mutmut_3", "model.solve.b.x_g__mutmut_1",
             "model.results.c.x_h__mutmut_1", "model.results.c.x_h__mutmut_2"]
    assert sample_tool.run_order(names) == [names[0], names[3], names[4], names[1], names[5],
                                            names[2]]
    stats = {"tests_by_mangled_function_name": {"model.solve.b.x_g": ["t::slow", "t::fast",
                                                                      "t::unknown"]},
             "duration_by_test": {"t::slow": 9.0, "t::fast": 0.5}}
    # a test with no recorded duration counts as instant
    assert sample_tool.tests_of("model.solve.b.x_g__mutmut_1", stats) == [
        "t::unknown", "t::fast", "t::slow"]
    assert sample_tool.tests_of("model.solve.b.x_other__mutmut_1", stats) == []


def test_a_mutant_runs_first_the_tests_that_killed_others_of_its_function(tmp_path):
    # the results file of an interrupted run names the test that killed each mutant; a mutant
    # of the same function then runs the tests with the most kills first, then the rest
    # fastest first; another function's killers change nothing
    stats = {"tests_by_mangled_function_name": {"m.a.x_f": ["t::fast", "t::mid", "t::slow"],
                                                "m.a.x_g": ["t::fast", "t::slow"]},
             "duration_by_test": {"t::fast": 0.1, "t::mid": 1.0, "t::slow": 9.0}}
    results = tmp_path / "results.txt"
    results.write_text("m.a.x_f__mutmut_1 killed 9 t::slow\nm.a.x_f__mutmut_2 killed 3 t::mid\n"
                       "m.a.x_f__mutmut_3 killed 9 t::slow\nm.a.x_f__mutmut_4 survived 12\n"
                       "m.a.x_g__mutmut_1 killed 1 t::fast\n")
    killers = sample_tool.read_killers(results)
    assert killers == {"m.a.x_f": {"t::slow": 2, "t::mid": 1}, "m.a.x_g": {"t::fast": 1}}
    assert sample_tool.tests_of("m.a.x_f__mutmut_9", stats, killers) == [
        "t::slow", "t::mid", "t::fast"]
    assert sample_tool.tests_of("m.a.x_g__mutmut_9", stats, killers) == ["t::fast", "t::slow"]
    assert sample_tool.first_failure(
        "..F\n=== short test summary info ===\n"
        "FAILED tests/t.py::test_u[a b-1] - AssertionError: x - y\nFAILED tests/t.py::v\n"
    ) == "tests/t.py::test_u[a b-1]"
    assert sample_tool.first_failure("ERROR tests/t.py::w - KeyError\n") == "tests/t.py::w"
    assert sample_tool.first_failure("3 passed\n") is None


def test_a_run_writes_each_verdict_and_resumes_where_it_stopped(tmp_path):
    names = [f"model.solve.b.x_g__mutmut_{i}" for i in range(1, 7)]
    stats = {"tests_by_mangled_function_name": {"model.solve.b.x_g": ["t::a"]},
             "duration_by_test": {}}
    codes = {names[0]: 1, names[1]: 0, names[2]: -11, names[3]: None, names[4]: 4}
    results = tmp_path / "results.txt"
    results.write_text(f"{names[5]} survived 3\n")     # done before an interruption
    ran = []

    def runner(name, tests):
        ran.append((name, tests))
        return codes[name], "t::a" if codes[name] == 1 else None
    sample_tool.run_sample(names, results, stats, runner, workers=2)
    assert sorted(ran) == [(n, ["t::a"]) for n in names[:5]]   # the sixth not run again
    assert f"{names[0]} killed 0 t::a" in results.read_text().splitlines()
    assert sample_tool.read_results(results) == {
        names[0]: "killed", names[1]: "survived", names[2]: "crashed", names[3]: "timeout",
        names[4]: "error4", names[5]: "survived"}
    # score: a crash and a timeout count as kills, the usage error as nothing
    found = {"formulation": {}, "results": {}, "solve": {n: None for n in names}}
    counts = sample_tool.tally(found, names, sample_tool.read_results(results))
    assert counts["solve"] == {"killed": 2, "timeout": 1, "survived": 2, "other": 1}


def test_the_runner_switches_the_mutant_on_for_the_tests_it_runs(tmp_path):
    # a real pytest process in a stand-in for mutants/: its one test fails only when the mutant
    # it is told to run is the "bad" one, as mutmut's trampolines make the mutated code run
    mutants = tmp_path / "mutants"
    (mutants / "tests").mkdir(parents=True)
    (mutants / "tests" / "test_one.py").write_text(
        "import os\n\ndef test_it():\n    assert os.environ['MUTANT_UNDER_TEST'] != 'm.bad'\n")
    run = sample_tool.pytest_runner(mutants, timeout_s=120)
    assert run("m.bad", ["tests/test_one.py::test_it"]) == (1, "tests/test_one.py::test_it")
    assert run("m.good", ["tests/test_one.py::test_it"]) == (0, None)
    assert sample_tool.pytest_runner(mutants, timeout_s=1e-3)("m.good", ["tests"]) == (None, None)


def test_the_forked_runner_switches_the_mutant_on_and_gives_pytest_s_code(tmp_path, monkeypatch):
    # as above, with each run forked from a server process; the server must import the tool by
    # name (multiprocessing pickles the child's function by reference), so the tool is imported
    # from its folder here rather than from its file as above
    # The server imports `probe` ahead of the runs: the mutated package's copy in mutants/,
    # not the one of the folder the tool was started from
    monkeypatch.syspath_prepend(str(TOOL.parent))
    import mutation_sample
    mutants, elsewhere = tmp_path / "mutants", tmp_path / "elsewhere"
    (mutants / "tests").mkdir(parents=True)
    elsewhere.mkdir()
    (mutants / "probe.py").write_text("WHERE = 'mutants'\n")
    (elsewhere / "probe.py").write_text("WHERE = 'elsewhere'\n")
    (mutants / "tests" / "test_one.py").write_text(
        "import os, sys, time\n\ndef test_it():\n"
        "    assert os.environ['MUTANT_UNDER_TEST'] != 'm.bad'\n"
        "    if os.environ['MUTANT_UNDER_TEST'] == 'm.slow':\n        time.sleep(60)\n"
        "    assert os.getcwd() == %r\n"
        "    assert sys.modules['probe'].WHERE == 'mutants'\n" % str(mutants))
    monkeypatch.chdir(elsewhere)
    run = mutation_sample.fork_runner(mutants, timeout_s=30, preload=("pytest", "probe"))
    assert run("m.bad", ["tests/test_one.py::test_it"]) == (1, "tests/test_one.py::test_it")
    assert run("m.good", ["tests/test_one.py::test_it"]) == (0, None)
    assert mutation_sample.fork_runner(mutants, timeout_s=1, preload=("pytest", "probe"))(
        "m.slow", ["tests/test_one.py::test_it"]) == (None, None)


def test_a_draw_may_be_limited_to_some_functions_and_then_takes_all_of_them(tmp_path, capsys):
    mutants = _mutants(tmp_path)
    found = sample_tool.verdicts(mutants)
    census = sample_tool.draw(found, 1000, seed=1, only=("model.formulation.flows.x_f",
                                                          "model.solve."))
    assert sorted(census) == sorted([f"model.formulation.flows.x_f__mutmut_{i}"
                                     for i in range(1, 11)]
                                    + ["model.solve.highs.xǁLoadedLPǁrun__mutmut_4"])
    assert sample_tool.main(["--mutants", str(mutants), "draw", "--per-package", "5",
                             "--only", "model.formulation.sets."]) == 0
    assert capsys.readouterr().out == "model.formulation.sets.x_s__mutmut_2\n"   # the one left
