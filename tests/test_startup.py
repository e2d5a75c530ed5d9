"""Loading a model into HiGHS imports what it needs and no more. The direct compiler
(model.solve.compile) builds the matrix with numpy and imports no scipy at all. Where a model
is left to Pyomo's standard-form compiler, Pyomo's deferred `scipy` import would pull in
scipy.stats, scipy.integrate and scipy.spatial (0.5 s of every process's start) when it first
builds a matrix; `compile._sparse_without_scipy_stats` hands that compiler numpy and
scipy.sparse directly and leaves Pyomo's import hooks as it found them. And a plan of a case
folder loads no library it does not use (openpyxl, plotly's figures, Pyomo's plugins).
Checked in a fresh interpreter, where nothing else has imported them yet."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from model.solve import compile as compiler

PROBE = """
import json, sys
from model.bundled import bundled_case
from model.case import load_case
from model.formulation import build_model
from model.solve.highs import compile_and_load
before = [type(f).__name__ for f in sys.meta_path]
f = build_model(load_case(bundled_case("ntip-2019-phase2")))
if sys.argv[1] == "fixed":   # a fixed variable: the model is left to Pyomo's compiler
    next(iter(f.model.tap_m3_per_day.values())).fix(0.0)
lp = compile_and_load(f)
after = [type(f).__name__ for f in sys.meta_path]
print(json.dumps({"before": before, "after": after, "columns": len(lp.columns),
                  "loaded": sorted(m for m in sys.modules if m.startswith("scipy"))}))
"""


def _probe(kind: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, kind], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_loading_a_model_by_the_direct_compiler_imports_no_scipy():
    seen = _probe("plain")
    assert seen["columns"] > 0
    assert seen["loaded"] == []
    assert seen["after"] == seen["before"]


def test_loading_a_model_by_pyomo_s_compiler_imports_scipy_sparse_only_and_keeps_the_hooks():
    seen = _probe("fixed")
    assert seen["columns"] > 0
    assert "scipy.sparse" in seen["loaded"]
    assert not {"scipy.stats", "scipy.integrate", "scipy.spatial"} & set(seen["loaded"])
    assert "DeferredImportCallbackFinder" in seen["before"]
    assert seen["after"] == seen["before"]   # the same finders, in the same order


def test_a_compiler_that_keeps_its_constructors_elsewhere_is_left_alone(monkeypatch):
    class Elsewhere:   # a Pyomo whose compiler has no `_to_vector` slot
        pass

    monkeypatch.setattr(compiler.standard_form, "_LinearStandardFormCompiler_impl", Elsewhere)
    compiler._sparse_without_scipy_stats()
    assert not hasattr(Elsewhere, "_to_vector") and not hasattr(Elsewhere, "_csc_matrix")


def test_a_pyomo_without_the_compiler_s_class_is_left_alone(monkeypatch):
    # a Pyomo whose standard-form module has no `_LinearStandardFormCompiler_impl` at all: the
    # shortcut does nothing, and the compiler imports scipy its own way
    monkeypatch.delattr(compiler.standard_form, "_LinearStandardFormCompiler_impl")
    assert compiler._sparse_without_scipy_stats() is None   # and no AttributeError


def test_a_plan_of_a_case_folder_loads_no_workbook_or_chart_library(tmp_path):
    # openpyxl and plotly's figure classes took about a tenth of a second of every command's
    # start-up (0.94 s against 0.82 s for `wateralloc solve` on the default case): they are
    # loaded when a workbook is read or written or a chart drawn, not by the command line
    # itself (plotly's own package is a few lazy stubs, loaded either way). Pyomo's plugins
    # (pyomo.environ: solver interfaces, transformations, DAE, GDP), which the package does
    # not use, took 0.1 s more: it builds on pyomo.core. The same plan with --xlsx or --html
    # loads the libraries it needs, so the check sees a module that is loaded. (In a fresh
    # process: the tests themselves import pyomo.environ.)
    probe = ("import sys\nfrom model.cli import main\nassert main(sys.argv[1:]) == 0\n"
             "print(sorted(m for m in ('openpyxl', 'plotly.basedatatypes', 'pyomo.environ')"
             " if m in sys.modules))")

    def loaded(*args: str) -> str:
        done = subprocess.run([sys.executable, "-c", probe, "solve", "--no-largest-cut", *args],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]
    assert loaded("--out", str(tmp_path / "out")) == "[]"
    assert loaded("--xlsx", str(tmp_path / "plan.xlsx")) == "['openpyxl']"
    assert loaded("--html", str(tmp_path / "plan.html")) == "['plotly.basedatatypes']"


GC_PROBE = """
import gc, sys
from model.__main__ import run  # (its own few imports may pass before run() pauses it)
log = open(sys.argv[1], "a")
gc.callbacks.append(lambda phase, info: phase == "start" and log.write(f"{info['generation']}\\n")
                    or log.flush())
sys.argv = ["wateralloc", *sys.argv[2:]]
run()
"""


def _passes(tmp_path, *args: str) -> list[str]:
    """The cycle collector's passes in a `wateralloc` process (one line per pass, its
    generation), and the process's exit code."""
    log = tmp_path / f"gc-{args[0]}.txt"
    log.write_text("")
    done = subprocess.run([sys.executable, "-c", GC_PROBE, str(log), *args],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return log.read_text().split()


def test_a_single_plan_runs_without_a_pass_of_the_cycle_collector(tmp_path):
    # model/__main__.py: the imports are frozen and `solve` leaves the collector off, so no
    # pass walks the imported objects or the plan's ~10^6 (0.2 s at 2,000 plants); a command
    # that builds many models keeps it on
    from model.bundled import bundled_case
    case = str(bundled_case("ntip-2019-phase2"))
    assert _passes(tmp_path, "solve", case) == []
    assert _passes(tmp_path, "sweep", case, "--vary", "cut=0:0.2:3") != []


THREADS_PROBE = """
import sys

import pytest
import highspy
import numpy as np
from model.solve import highs

def runs(threads: int) -> bool:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    h.addVar(0.0, 1.0)
    return h.run() == highspy.HighsStatus.kOk

if sys.argv[1] != "first":   # someone else's instance made the scheduler, with this count
    assert runs(int(sys.argv[1]))
n = highs.scheduler_threads()
h = highs.new_highs()
print(n, h.getOptionValue("threads")[1], runs(0), runs(n), runs(n + 1))
"""


@pytest.mark.parametrize("before", ["first", "1", "3"])
def test_every_instance_runs_with_the_scheduler_s_own_thread_count(before):
    # HiGHS's scheduler is one per process, and HiGHS refuses a run whose explicit count
    # differs from it: the count found is the one the scheduler has, whether this tool made
    # it (HiGHS's own choice) or an instance made earlier in the process did
    done = subprocess.run([sys.executable, "-c", THREADS_PROBE, before], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # (the last line: HiGHS prints its banner when the first instance is made)
    n, set_on_instance, default_runs, n_runs, other_runs = done.stdout.splitlines()[-1].split()
    assert int(n) > 0 and set_on_instance == n
    if before != "first":
        assert n == before
    assert (default_runs, n_runs, other_runs) == ("True", "True", "False")


MEANWHILE_PROBE = """
import sys, threading
from model import interrupts
seen, stages = {}, []
real_begin = interrupts._begin
interrupts._begin = lambda label: stages.append(label) or real_begin(label)
class Who:   # records the thread that first imports pandas, and the stages begun by then
    def find_spec(self, name, path=None, target=None):
        if name == "pandas" and "importer" not in seen:
            seen["importer"] = threading.current_thread().name
            seen["after"] = [s for s in stages if s.endswith(" stage")][:1]
        return None
sys.meta_path.insert(0, Who())
import model.__main__ as entry
def report(code):
    print(seen, file=sys.stderr, flush=True)
    real_exit(code)
real_exit, entry._exit = entry._exit, report
sys.argv = ["wateralloc", *sys.argv[1:]]
entry.run()
"""


def _meanwhile(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", MEANWHILE_PROBE, *args], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return eval(done.stderr.strip().splitlines()[-1])  # noqa: S307  (the probe's own dict)


def test_a_solve_process_imports_pandas_on_another_thread_while_highs_runs():
    # `wateralloc solve` reads, builds and loads its plan without pandas (0.2 s to import),
    # and imports it and the report modules on a thread once HiGHS runs, without the
    # interpreter; the command line itself imports none of them
    seen = _meanwhile("solve", "ntip-2019-phase2", "--no-largest-cut")
    # (on this small case HiGHS may be done before the thread starts; on a large one the
    # import runs beside it: benchmarks/README.md)
    assert seen == {"importer": "wateralloc-imports", "after": ["the total_tap_m3 stage"]}


def test_the_command_line_imports_no_pandas_and_other_commands_load_it_themselves():
    code = "import sys, model.cli; print('pandas' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split() == ["False"], done.stderr
    seen = _meanwhile("sweep", "ntip-2019-phase2", "--vary", "cut=0:0.1:2")
    assert seen["importer"] == "MainThread"   # callbacks on: no importing thread


def test_imports_wait_for_highs_only_where_its_callbacks_are_off():
    # with HiGHS's callbacks on, each callback would wait for the importing thread to let go
    # of the interpreter: imports are then left where they are first used
    from model import interrupts
    from model.bundled import bundled_case
    from model.case import load_case
    from model.formulation import build_model
    from model.solve import highs
    highs.while_solving("json")
    assert highs._MEANWHILE == []
    with interrupts.handled(), interrupts.watched():
        highs.while_solving("json")
        assert highs._MEANWHILE == ["json"]
        lp = highs.compile_and_load(build_model(load_case(bundled_case())))
        assert highs.run(lp, "total_tap_m3").status is highs.Status.OPTIMAL
        assert highs._MEANWHILE == []   # handed to the thread as the run began
