import subprocess
import sys

from model import load_case, plan
from model.bundled import bundled_case


def test_default_case_solves_optimal():
    r = plan(load_case(bundled_case()))
    assert r.summary.status == "optimal"
    assert r.summary.tap_m3_per_day < r.summary.demand_m3_per_day


def test_a_plan_does_not_import_scipy_stats():
    # Pyomo's compiler needs scipy.sparse only; importing it through Pyomo's deferred `scipy`
    # pulls in scipy.stats, integrate and spatial, half a second of every process's start
    # (model.solve.highs._sparse_without_scipy_stats)
    code = ("import sys; from model import load_case, plan; from model.bundled import "
            "bundled_case; r = plan(load_case(bundled_case())); "
            "print(r.summary.status, 'scipy.sparse' in sys.modules, 'scipy.stats' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["optimal", "True", "False"]
