"""What the drought-resilience figure costs: a default `solve` (plan + largest uniform cut)
against `--no-largest-cut` (plan alone), on the synthetic benchmark cases.

    python benchmarks/bench_largest_cut.py                 # 200, 1000 and 2000 plants, K = 5
    python benchmarks/bench_largest_cut.py --plants 2000 --repeat 3

Each run is `model.studies.plan(case, largest_cut=...)` in a fresh child process, timed from the
loaded case to the collected results (imports and reading the case are the same in both and are
left out). The runs of one size alternate, so that the machine's load hits both alike; the
ratio of the medians is printed. Target (issue 8): at most 1.3.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from generate_case import generate_case  # noqa: E402


def timed_plan(case_dir: str, largest_cut: bool) -> float:
    from model.case import load_case
    from model.studies import plan

    case = load_case(case_dir)
    t0 = time.perf_counter()
    plan(case, largest_cut=largest_cut)
    return time.perf_counter() - t0


def in_child(case_dir: Path, largest_cut: bool) -> float:
    with ProcessPoolExecutor(max_workers=1) as pool:
        return pool.submit(timed_plan, str(case_dir), largest_cut).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plants", type=int, nargs="+", default=[200, 1000, 2000])
    parser.add_argument("--max-recycles", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cases", type=Path, default=HERE / "cases")
    args = parser.parse_args()
    print(f"{'plants':>6} {'no cut s':>9} {'default s':>10} {'ratio':>6}   (medians of "
          f"{args.repeat} alternating runs)")
    for plants in args.plants:
        folder = generate_case(args.cases / f"p{plants}-k{args.max_recycles}", plants=plants,
                               max_recycles=args.max_recycles, zones=20,
                               trains=8, seed=1)
        without, with_cut = [], []
        for _ in range(args.repeat):
            without.append(in_child(folder, False))
            with_cut.append(in_child(folder, True))
        a, b = statistics.median(without), statistics.median(with_cut)
        print(f"{plants:>6} {a:>9.2f} {b:>10.2f} {b / a:>6.2f}", flush=True)


if __name__ == "__main__":
    main()
