"""Seconds for one what-if re-solve on the page (model.app.whatif.resolve), warm (the session's
WarmPlans: the LP built and loaded once, numbers moved in HiGHS) against cold (the changed case
planned from scratch), and for writing the HTML report and the workbook of a plan; prints the
figures, asserts nothing.

    .venv/bin/python benchmarks/bench_whatif.py [CASE] [REPEATS]

The what-ifs: a recovery step and a cut on CASE (default: the default case), repeated; then
each option of ntip-2028-phase3 switched in and out. The first warm what-if of a structure
builds its warm model; it is timed apart ("first").
"""
from __future__ import annotations

import statistics
import sys
import time

from model.app.whatif import WhatIf, apply, resolve
from model.bundled import DEFAULT_CASE, bundled_case
from model.case import load_case
from model.formulation import build_model
from model.results.excel import plan_workbook
from model.results.html import plan_report
from model.solve import solve
from model.solve.warm import ENTRIES, WarmLP
from model.studies.drought import resolve_baseline
from model.studies.whatif import WarmPlans


def _timed(case, changes, warm):
    """Seconds of each what-if warm and cold, taken in turn (the machine's load falls on both
    alike), and the last warm plan."""
    warm_s, cold_s, results = [], [], None
    for change in changes:
        start = time.perf_counter()
        results = resolve(case, change, warm)
        warm_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        resolve(case, change, None)
        cold_s.append(time.perf_counter() - start)
    return warm_s, cold_s, results


def _line(label: str, times: list[float]) -> str:
    return (f"{label}: median {1e3 * statistics.median(times):.0f} ms, best "
            f"{1e3 * min(times):.0f} ms, worst {1e3 * max(times):.0f} ms of {len(times)}")


def main(name: str = DEFAULT_CASE, repeats: int = 20) -> None:
    case = load_case(bundled_case(name))
    train = case.trains[0]
    changes = [WhatIf({train.name: (None, min(1.0, train.recovery + 0.01 * (i % 10 + 1)))},
                      cut=0.05 * (i % 4)) for i in range(repeats)]
    warm = WarmPlans(case)
    start = time.perf_counter()
    resolve(case, WhatIf(), warm)
    first = time.perf_counter() - start
    warm_times, cold_times, results = _timed(case, changes, warm)
    print(f"case {name}, {repeats} what-ifs (recovery of {train.name}, cut):")
    print(f"  warm first (builds the warm models) {1e3 * first:.0f} ms")
    print("  " + _line("warm", warm_times))
    print("  " + _line("cold", cold_times))
    print(f"  cold / warm (medians) {statistics.median(cold_times) / statistics.median(warm_times):.2f}")
    # the solve alone (no tables): WarmLP.solve against build, load and solve from scratch
    cases = [apply(case, c) for c in changes]
    lp = WarmLP(build_model(resolve_baseline(cases[-1])), frozenset(ENTRIES))
    lp.solve(cases[0])
    solve_warm, solve_cold = [], []
    for changed in cases:
        start = time.perf_counter()
        lp.solve(changed)
        solve_warm.append(time.perf_counter() - start)
        start = time.perf_counter()
        solve(build_model(resolve_baseline(changed)))
        solve_cold.append(time.perf_counter() - start)
    print("  of which the solve: " + _line("warm", solve_warm) + "; " + _line("cold", solve_cold)
          + " (the rest reads the plan into its tables, the same work warm or cold)")

    phase3 = load_case(bundled_case("ntip-2028-phase3"))
    switches = [WhatIf(options=(o.name,)) for o in phase3.options] + [WhatIf()]
    warm3 = WarmPlans(phase3)
    first_times, _, _ = _timed(phase3, switches, warm3)  # each structure's model built here
    again, cold3, _ = _timed(phase3, switches, warm3)
    print(f"case ntip-2028-phase3, each of {len(phase3.options)} options switched in, then out:")
    print("  " + _line("warm, first time (builds a model per structure)", first_times))
    print("  " + _line("warm, again", again))
    print("  " + _line("cold", cold3))

    start = time.perf_counter()
    html = plan_report(results)
    html_s = time.perf_counter() - start
    start = time.perf_counter()
    book = plan_workbook(results)
    xlsx_s = time.perf_counter() - start
    print(f"HTML report {html_s:.2f} s, {len(html) / 1e6:.1f} MB; workbook {xlsx_s:.2f} s, "
          f"{len(book) / 1e3:.0f} kB")


if __name__ == "__main__":
    main(*(sys.argv[1:2] or [DEFAULT_CASE]), *(int(a) for a in sys.argv[2:3]))
