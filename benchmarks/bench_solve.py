"""Time every step of a plan on synthetic cases of growing size, and report peak memory.

    python benchmarks/bench_solve.py                      # 200, 1000 and 2000 plants, K = 5
    python benchmarks/bench_solve.py --plants 5000 --max-recycles 6

For each size a case is generated (`generate_case.py`, deterministic for the seed) and then, in a
fresh child process so that each size's peak memory is its own:

    imports          Pyomo, the model package, and Pyomo's deferred scipy import (a fixed cost
                     that every process pays once, on its first compile)
    load_case        read and validate the case folder
    build_model      build the Pyomo model (sets, variables, constraints, objectives)
    compile+load     LinearStandardFormCompiler to sparse matrices and bulk load into HiGHS
    <stage>          each lexicographic solve stage (HiGHS time plus the stage's bookkeeping)
    write-back       the rest of `solve`: primal values and tap-stage duals into the model
    collect          results tables and summary

The compile+load and stage times are the ones `model.solve.solve` measures itself
(`SolveReport.seconds`), so no solve logic is repeated here. Peak memory is the child process's
peak resident set size from `resource.getrusage(RUSAGE_SELF).ru_maxrss`, which includes the
interpreter and imported libraries; `base` is the RSS after imports, before any work.
"""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))  # so that `generate_case` imports when run as a script

from generate_case import generate_case  # noqa: E402

DEFAULT_SIZES = (200, 1000, 2000)


def _peak_rss_mib() -> float:
    # Linux reports ru_maxrss in KiB (macOS in bytes; this benchmark targets Linux)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def measure(case_dir: str | Path) -> dict:
    """Load, build, solve and collect one case in this process; return sizes and seconds."""
    t0 = time.perf_counter()
    import pyomo.environ as pyo
    from pyomo.common.dependencies import scipy

    from model.case import load_case
    from model.formulation import build_model
    from model.results.collect import collect
    from model.solve import solve

    # Pyomo imports scipy (and scipy.stats) lazily on the first compile; that one-off cost of
    # every process is counted here, so that compile+load scales with the case alone
    _ = scipy.sparse.csc_array
    row: dict = {"imports_s": time.perf_counter() - t0, "base_rss_mib": _peak_rss_mib()}
    t0 = time.perf_counter()
    case = load_case(case_dir)
    row["load_case_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    f = build_model(case)
    m = f.model
    row["build_model_s"] = time.perf_counter() - t0
    row["plants"] = len(case.plants)
    row["uses"] = len(case.uses)
    row["variables"] = sum(len(v) for v in m.component_objects(pyo.Var, active=True))
    row["constraints"] = sum(len(c) for c in m.component_objects(pyo.Constraint, active=True))
    t0 = time.perf_counter()
    report = solve(f)
    solve_s = time.perf_counter() - t0
    row["compile_load_s"] = report.seconds["load"]
    row["stages"] = list(f.stages.names)
    for stage in f.stages.names:
        row[f"{stage}_s"] = report.seconds[stage]
    # what solve() does outside its timed parts: writing values and duals back into Pyomo
    row["write_back_s"] = solve_s - sum(report.seconds.values())
    t0 = time.perf_counter()
    results = collect(f, report)
    row["collect_s"] = time.perf_counter() - t0
    row["tap_share"] = results.summary.tap_share
    row["peak_rss_mib"] = _peak_rss_mib()
    return row


def bench(plants: int, max_recycles: int = 5, zones: int = 20, trains: int = 8, seed: int = 1,
          cases_dir: str | Path = HERE / "cases") -> dict:
    """Generate one size and measure it in a fresh child process (for a clean peak RSS)."""
    case_dir = Path(cases_dir) / f"p{plants}-k{max_recycles}-z{zones}-t{trains}-s{seed}"
    generate_case(case_dir, plants, max_recycles, zones, trains, seed)
    # spawn, not fork: a forked child would inherit the parent's peak RSS
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        row = pool.submit(measure, str(case_dir)).result()
    row["max_recycles"] = max_recycles
    return row


BEFORE_STAGES = [
    # (heading, key, format)
    ("plants", "plants", "{:d}"),
    ("K", "max_recycles", "{:d}"),
    ("uses", "uses", "{:d}"),
    ("vars", "variables", "{:d}"),
    ("cons", "constraints", "{:d}"),
    ("imports", "imports_s", "{:.2f}"),
    ("load_case", "load_case_s", "{:.2f}"),
    ("build", "build_model_s", "{:.2f}"),
    ("compile+load", "compile_load_s", "{:.2f}"),
]
AFTER_STAGES = [
    ("write-back", "write_back_s", "{:.2f}"),
    ("collect", "collect_s", "{:.2f}"),
    ("total", "total_s", "{:.2f}"),
    ("base MiB", "base_rss_mib", "{:.0f}"),
    ("peak MiB", "peak_rss_mib", "{:.0f}"),
]


def format_table(rows: list[dict]) -> str:
    """A fixed-width text table of benchmark rows; times in seconds, memory in MiB."""
    for row in rows:
        row["total_s"] = sum(v for k, v in row.items()
                             if k.endswith("_s") and k != "total_s")
    stages = list(dict.fromkeys(stage for row in rows for stage in row["stages"]))
    columns = (BEFORE_STAGES + [(f"solve {stage}", f"{stage}_s", "{:.2f}") for stage in stages]
               + AFTER_STAGES)
    cells = [[heading for heading, _, _ in columns]]
    cells += [[fmt.format(row[key]) if key in row else "-" for _, key, fmt in columns]
              for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plants", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--max-recycles", type=int, default=5)
    parser.add_argument("--zones", type=int, default=20)
    parser.add_argument("--trains", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases-dir", default=str(HERE / "cases"),
                        help="where generated case folders are written")
    args = parser.parse_args(argv)
    rows = []
    for n in args.plants:
        rows.append(bench(n, args.max_recycles, args.zones, args.trains, args.seed,
                          args.cases_dir))
        print(f"  done: {n} plants", file=sys.stderr, flush=True)
    print(format_table(rows))
    print("seconds per step; memory is peak RSS of the child process "
          "(resource.getrusage ru_maxrss), base = RSS after imports")
    return 0


if __name__ == "__main__":
    sys.exit(main())
