import subprocess
import sys

from model import load_case, plan
from model.bundled import bundled_case


def test_default_case_solves_optimal():
    r = plan(load_case(bundled_case()))
    assert r.summary.status == "optimal"
    assert r.summary.tap_m3_per_day < r.summary.demand_m3_per_day


def test_a_plan_does_not_import_scipy():
    # the direct compiler builds the matrix with numpy (model.solve.compile): no scipy.sparse
    # (0.08 s), let alone scipy.stats, integrate and spatial, which Pyomo's deferred `scipy`
    # pulls in (half a second of every process's start)
    code = ("import sys; from model import load_case, plan; from model.bundled import "
            "bundled_case; r = plan(load_case(bundled_case())); "
            "print(r.summary.status, 'scipy.sparse' in sys.modules, 'scipy.stats' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["optimal", "False", "False"]
