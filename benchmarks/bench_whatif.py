"""Seconds for one what-if re-solve on the page (model.app.whatif.resolve) and for writing the
HTML report and the workbook of a plan; prints the figures, asserts nothing.

    .venv/bin/python benchmarks/bench_whatif.py [CASE] [REPEATS]
"""
from __future__ import annotations

import sys
import time

from model.app.whatif import WhatIf, resolve
from model.bundled import DEFAULT_CASE, bundled_case
from model.case import load_case
from model.results.excel import plan_workbook
from model.results.html import plan_report


def main(name: str = DEFAULT_CASE, repeats: int = 5) -> None:
    case = load_case(bundled_case(name))
    train = case.trains[0]
    times = []
    for i in range(repeats):
        change = WhatIf({train.name: (None, min(1.0, train.recovery + 0.01 * (i + 1)))},
                        cut=0.05 * i)
        start = time.perf_counter()
        results = resolve(case, change)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    html = plan_report(results)
    html_s = time.perf_counter() - start
    start = time.perf_counter()
    book = plan_workbook(results)
    xlsx_s = time.perf_counter() - start
    print(f"case {name}: re-solve {min(times):.2f} s best, {max(times):.2f} s worst of {repeats}"
          f"; HTML report {html_s:.2f} s, {len(html) / 1e6:.1f} MB; workbook {xlsx_s:.2f} s, "
          f"{len(book) / 1e3:.0f} kB")


if __name__ == "__main__":
    main(*(sys.argv[1:2] or [DEFAULT_CASE]), *(int(a) for a in sys.argv[2:3]))
