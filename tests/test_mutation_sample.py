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
    picked = ["model.solve.highs.xǁLoadedLPǁrun__mutmut_1", "model.solve.highs.xǁLoadedLPǁrun__mutmut_2",
              "model.solve.highs.xǁLoadedLPǁrun__mutmut_3", "model.solve.highs.xǁLoadedLPǁrun__mutmut_4",
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
