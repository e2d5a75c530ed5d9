"""Wall seconds of the options study on the shipped Phase 3 cases, and the MILP's size.

    .venv/bin/python benchmarks/bench_options.py

Prints, for each question: the seconds of the options table (every option alone: one plan and
one largest-cut LP per option), of the question itself (the MILP and the chosen portfolio's
plan, or the front's MILPs), and the MILP's columns, binaries and rows.
"""
from __future__ import annotations

import time

from model.bundled import bundled_case
from model.case import load_case
from model.studies import with_cut
from model.studies.options import option_rows, prepared
from model.studies.portfolio import Question, best_portfolio, front, portfolio_model
from model.solve.highs import compile_and_load

QUESTIONS = [
    ("ntip-2028-phase3", None, "front (8 points)"),
    ("ntip-2028-phase3", Question(max_tap_m3_per_day=0.25 * 30_500), "--max-tap 7625"),
    ("ntip-2028-phase3", Question(budget=300e6), "--budget 300e6"),
    ("ntip-2028-phase3-drought-2023", Question(no_shortage=True), "--no-shortage"),
    ("ntip-2028-phase3@cut0.20", Question(no_shortage=True), "--no-shortage --cut 0.20"),
]


def main() -> None:
    print(f"{'case':32} {'question':26} {'table s':>8} {'question s':>10} {'columns':>8} "
          f"{'binaries':>8} {'rows':>6}  answer")
    for name, q, label in QUESTIONS:
        folder, _, cut = name.partition("@cut")
        case = with_cut(load_case(bundled_case(folder)), cut=float(cut) if cut else None)
        t0 = time.perf_counter()
        base, _ = option_rows(case)
        table_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        if q is None:
            points = front(case, 8, base.tap_m3_per_day)
            answer = f"{len(points)} points, last: {', '.join(points[-1].selected)}"
        else:
            chosen = best_portfolio(case, q)
            answer = ", ".join(chosen.selected) or "no option"
        question_s = time.perf_counter() - t0
        lp = compile_and_load(portfolio_model(prepared(case), q or Question()))
        binaries = sum(v.is_integer() for v in lp.columns)
        print(f"{name:32} {label:26} {table_s:8.2f} {question_s:10.2f} {len(lp.columns):8d} "
              f"{binaries:8d} {len(lp.rows):6d}  {answer}")


if __name__ == "__main__":
    main()
