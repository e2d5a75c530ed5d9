"""The figures of the sweep and speed issue, measured side by side in one run.

    python benchmarks/bench_sweep.py                 # everything (about an hour on 2 cores)
    python benchmarks/bench_sweep.py --only linopy sweep

Sections (each prints its own table; `--only` picks some):

linopy    `wateralloc solve CASE --no-largest-cut` against `linopy_model.py CASE` (the same
          LP, tap then cost, same HiGHS settings), both as fresh processes, wall-clock, on the
          generated 2,000- and 5,000-plant cases; the ratio, and tap and cost agreement.
sweep     1,000 scenarios of the default case (capacity x recovery x cut, 10 x 10 x 10):
          `run_sweep` warm in this process, against 1,000 cold in-process solves (load the
          case, apply the scenario, build, solve, collect), and against `wateralloc solve`
          processes (a sample of --processes runs, each on a case folder written for its
          scenario, scaled to 1,000). Every warm answer is compared with its cold solve.
large     50 capacity scenarios of the 2,000-plant case (train T01 from 0.5x to 1.5x its
          capacity): warm against cold in-process solves (a sample of --large-cold, scaled).
workers   a 1,000-scenario sweep of the 200-plant case (capacity of T01 and T02 x recovery
          of T01, 10 x 10 x 10) with `wateralloc sweep --workers 1` and `--workers 2`.
big       about 1 million variables: the 20,000-plant case and the 365-day plan of the
          200-plant case, `wateralloc solve --no-largest-cut --out`: time and peak memory.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate_case import generate_case  # noqa: E402

PYTHON = sys.executable
CASES = HERE / "cases"


def _case(name: str, plants: int, periods: int = 0) -> Path:
    folder = CASES / name
    if not (folder / "case.toml").exists():
        generate_case(folder, plants, periods=periods)
    return folder


def _timed(args: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    return time.perf_counter() - t0, done


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1.0)


def bench_linopy(sizes=(2000, 5000)) -> list[str]:
    lines = ["plants  wateralloc_s  linopy_s  ratio  tap_rel_diff  cost_rel_diff"]
    for n in sizes:
        case = _case(f"p{n}", n)
        with tempfile.TemporaryDirectory() as tmp:
            summary = Path(tmp) / "s.json"
            ours, done = _timed([PYTHON, "-m", "model", "solve", str(case), "--no-largest-cut",
                                 "--json", str(summary)])
            assert done.returncode == 0, done.stderr
            s = json.loads(summary.read_text())
        theirs, done = _timed([PYTHON, str(HERE / "linopy_model.py"), str(case)])
        assert done.returncode == 0, done.stderr
        lp = json.loads(done.stdout.strip().splitlines()[-1])
        lines.append(f"{n:6d}  {ours:12.1f}  {theirs:8.1f}  {ours / theirs:5.2f}  "
                     f"{_rel(s['tap_m3_per_day'], lp['tap_m3']):12.1e}  "
                     f"{_rel(s['cost_per_day'], lp['cost']):13.1e}")
    return lines


def _write_scenario_case(base: Path, out: Path, capacity: float, recovery: float) -> None:
    shutil.copytree(base, out)
    text = (out / "treatment.csv").read_text().splitlines()
    header = text[0].split(",")
    cells = text[1].split(",")
    cells[header.index("capacity_m3_per_day")] = repr(capacity)
    cells[header.index("recovery")] = repr(recovery)
    (out / "treatment.csv").write_text("\n".join([text[0], ",".join(cells), *text[2:]]) + "\n")


def bench_sweep(processes: int = 20, cold: int = 1000) -> list[str]:
    from model.bundled import bundled_case
    from model.case import load_case
    from model.case.scenarios import vary_scenarios
    from model.studies.sweep import cold_row, differences, run_sweep
    folder = bundled_case()
    case = load_case(folder)
    sweep = vary_scenarios(["capacity:K14=10000:40000:10", "recovery:K14=0.55:0.85:10",
                            "cut=0:0.2:10"], case)
    t0 = time.perf_counter()
    rows = run_sweep(case, sweep)
    warm = time.perf_counter() - t0
    picked = range(0, len(rows), max(1, len(rows) // cold))
    t0, worst, differ = time.perf_counter(), 0.0, 0
    for i in picked:
        c = cold_row(load_case(folder), sweep.scenarios[i])
        differ += bool(differences(rows[i], c))
        for k, v in rows[i].numbers().items():
            if v is not None and c.numbers().get(k) is not None:
                worst = max(worst, _rel(v, c.numbers()[k]))
    cold_s = (time.perf_counter() - t0) * len(rows) / len(picked)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        for j, i in enumerate(range(0, len(rows), len(rows) // processes)):
            values = dict((p.column, v) for p, v in sweep.scenarios[i].values)
            scenario_case = Path(tmp) / f"c{j}"
            _write_scenario_case(folder, scenario_case, values["capacity:K14"],
                                 values["recovery:K14"])
            done = subprocess.run([PYTHON, "-m", "model", "solve", str(scenario_case),
                                   "--cut", repr(values["cut"]), "--no-largest-cut"],
                                  capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
        process_s = (time.perf_counter() - t0) * len(rows) / processes
    return ["scenarios  warm_s  cold_inprocess_s  x_faster  processes_s  x_faster  "
            "cold_checked  differing  worst_rel_diff",
            f"{len(rows):9d}  {warm:6.1f}  {cold_s:16.1f}  {cold_s / warm:8.1f}  "
            f"{process_s:11.1f}  {process_s / warm:8.1f}  {len(picked):12d}  {differ:9d}  "
            f"{worst:14.1e}",
            f"(cold in-process: {len(picked)} timed, scaled to {len(rows)}; processes: "
            f"{processes} timed, scaled to {len(rows)})"]


def bench_large(cold: int = 3) -> list[str]:
    from model.case import load_case
    from model.case.scenarios import vary_scenarios
    from model.studies.sweep import cold_row, differences, run_sweep
    folder = _case("p2000", 2000)
    case = load_case(folder)
    capacity = next(t.capacity_m3_per_day for t in case.trains if t.name == "T01")
    sweep = vary_scenarios([f"capacity:T01={0.5 * capacity}:{1.5 * capacity}:50"], case)
    t0 = time.perf_counter()
    rows = run_sweep(case, sweep)
    warm = time.perf_counter() - t0
    picked = [round(i * (len(rows) - 1) / max(cold - 1, 1)) for i in range(cold)]
    t0, differ = time.perf_counter(), 0
    for i in picked:
        differ += bool(differences(rows[i], cold_row(load_case(folder), sweep.scenarios[i])))
    cold_s = (time.perf_counter() - t0) * len(rows) / len(picked)
    return ["scenarios  warm_s  cold_s  x_faster  cold_checked  differing",
            f"{len(rows):9d}  {warm:6.1f}  {cold_s:6.1f}  {cold_s / warm:8.1f}  "
            f"{len(picked):12d}  {differ:9d}",
            f"(cold: {len(picked)} timed, scaled to {len(rows)})"]


def bench_workers() -> list[str]:
    from model.case import load_case
    case = _case("p200", 200)
    capacity = {t.name: t.capacity_m3_per_day for t in load_case(case).trains}
    grid = ["--vary", f"capacity:T01={0.5 * capacity['T01']}:{1.5 * capacity['T01']}:10",
            "--vary", f"capacity:T02={0.5 * capacity['T02']}:{1.5 * capacity['T02']}:10",
            "--vary", "recovery:T01=0.55:0.85:10"]
    seconds = {}
    for n in (1, 2):
        seconds[n], done = _timed([PYTHON, "-m", "model", "sweep", str(case), *grid,
                                   "--workers", str(n)])
        assert done.returncode == 0, done.stderr
    return ["scenarios  workers_1_s  workers_2_s  x_faster",
            f"{1000:9d}  {seconds[1]:11.1f}  {seconds[2]:11.1f}  {seconds[1] / seconds[2]:8.2f}"]


def bench_big() -> list[str]:
    lines = ["case          variables  seconds  peak_MiB"]
    for name, plants, periods in (("p20000", 20000, 0), ("p200-d365", 200, 365)):
        case = _case(name, plants, periods)
        with tempfile.TemporaryDirectory() as tmp:
            probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
                     "r = subprocess.run(sys.argv[1:]); print(r.returncode, "
                     "time.perf_counter() - t, "
                     "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)")
            done = subprocess.run([PYTHON, "-c", probe, PYTHON, "-m", "model", "solve",
                                   str(case), "--no-largest-cut", "--out", f"{tmp}/out"],
                                  capture_output=True, text=True)
            code, seconds, peak = done.stdout.split()[-3:]
            assert code == "0", done.stderr[-2000:]
        lines.append(f"{name:12s}  {_variables(case):9d}  {float(seconds):7.0f}  "
                     f"{float(peak):8.0f}")
    return lines


def _variables(folder: Path) -> int:
    import pyomo.environ as pyo

    from model.case import load_case
    from model.formulation import build_model
    m = build_model(load_case(folder)).model
    return sum(len(v) for v in m.component_objects(pyo.Var))


SECTIONS = {"linopy": bench_linopy, "sweep": bench_sweep, "large": bench_large,
            "workers": bench_workers, "big": bench_big}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=sorted(SECTIONS), default=list(SECTIONS))
    args = parser.parse_args(argv)
    print(f"# bench_sweep.py, load average before: {Path('/proc/loadavg').read_text()[:14]}")
    for name in args.only:
        t0 = time.perf_counter()
        print(f"\n## {name}", flush=True)
        for line in SECTIONS[name]():
            print(line, flush=True)
        print(f"({time.perf_counter() - t0:.0f} s; peak RSS of this process "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
