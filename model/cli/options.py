"""`wateralloc options [CASE] [--max-tap X | --budget B] [--no-shortage] [--front N]
[--json FILE] [--out DIR] [--html FILE] [--xlsx FILE] ...`:
every option alone, then the best portfolio (an exact MILP) or the trade-off front."""
from __future__ import annotations

import argparse
import math
import time
from dataclasses import asdict
from typing import TYPE_CHECKING
from pathlib import Path

from model import interrupts, progress
from model.bundled import DEFAULT_CASE
from model.case import load_case
from model.cli.solve import case_folder, seconds
from model.errors import EXIT_OK, UsageError
from model.results.output import check_outputs, write_outputs
from model.studies import with_cut

if TYPE_CHECKING:
    from model.studies.portfolio import Question


def amount(text: str) -> float:
    """A finite number >= 0 (m3/day or money)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must be a finite number >= 0")
    return value


def points(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 2:
        raise argparse.ArgumentTypeError(f"{text!r}: a front has at least 2 points")
    return value


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("options", help="evaluate the options catalogue and choose the best "
                                       "portfolio (an exact MILP)")
    p.add_argument("case_dir", nargs="?", default=None,
                   help=f"case folder with options.csv, or a bundled case (default: {DEFAULT_CASE})")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--max-tap", type=amount, default=None, metavar="X",
                        help="least annualised cost portfolio whose plan draws at most X m3/day "
                             "of tap")
    target.add_argument("--budget", type=amount, default=None, metavar="B",
                        help="least tap with total capex at most B; then least annualised cost")
    p.add_argument("--no-shortage", action="store_true",
                   help="least annualised cost portfolio with no shortage in any period (needs "
                        "a drought schedule, --cut or --stage)")
    p.add_argument("--front", type=points, default=None, metavar="N",
                   help="points of the trade-off front when no question is asked (default 8)")
    drought = p.add_mutually_exclusive_group()
    drought.add_argument("--cut", type=float, default=None,
                         help="ration tap water by this fraction in every period")
    drought.add_argument("--stage", default=None, help="ration at this drought stage")
    p.add_argument("--json", type=Path, help="write options, portfolio and front as JSON")
    p.add_argument("--out", type=Path, help="write the tables as CSV, with the chosen "
                                            "portfolio's plan tables")
    p.add_argument("--html", type=Path, help="write the study as one self-contained HTML report "
                                             "(the cost-tap chart, the options table)")
    p.add_argument("--xlsx", type=Path, help="write the summary and every table as one Excel "
                                             "workbook")
    p.add_argument("--time-limit", type=seconds, default=None,
                   help="solver time limit per solve in seconds; a MILP stopped by it exits 4 "
                        "with its best portfolio marked as not proven optimal")
    return p


def _question(args: argparse.Namespace, case) -> Question | None:
    asked = args.max_tap is not None or args.budget is not None or args.no_shortage
    if asked and args.front is not None:
        raise UsageError("--front", args.front, "the front is drawn when no --max-tap, --budget "
                         "or --no-shortage is asked")
    if args.no_shortage and (case.rationing is None or not case.rationing.enabled):
        raise UsageError("--no-shortage", True, "needs a drought schedule in the case, --cut or "
                         "--stage")
    from model.studies.portfolio import Question
    return Question(args.max_tap, args.budget, args.no_shortage) if asked else None


def _describe(q: Question) -> str:
    parts = []
    if q.max_tap_m3_per_day is not None:
        parts.append(f"tap at most {q.max_tap_m3_per_day:,.1f} m3/day")
    if q.budget is not None:
        parts.append(f"capex at most {q.budget:,.0f}")
    if q.no_shortage:
        parts.append("no shortage")
    return ", ".join(parts)


def run(args: argparse.Namespace) -> int:
    # the studies and their reports load pandas: imported when the command runs, not when the
    # command line is (which `wateralloc solve` imports too)
    from model.results.options import OptionsReport, options_files, options_json, options_text
    from model.results.options_report import options_report, options_workbook
    from model.studies.options import option_rows, portfolio_figures
    from model.studies.portfolio import best_portfolio, front, peak_tap
    progress.enabled = True
    folder = case_folder(args.case_dir)
    check_outputs(args.out, {"--json": args.json, "--html": args.html, "--xlsx": args.xlsx},
                  [folder])  # before any solve
    with interrupts.stage("the reading of the case"):
        case = with_cut(load_case(folder), cut=args.cut, stage=args.stage)
    q = _question(args, case)
    clock = {}
    t0 = time.perf_counter()
    base, rows = option_rows(case, args.time_limit)
    clock["options"] = time.perf_counter() - t0
    report = dict(case=case.name, currency=case.economics.currency, options=rows,
                  base={"tap_m3_per_day": base.tap_m3_per_day,
                        "annualized_cost_per_year": base.annualized_cost_per_year})
    t0 = time.perf_counter()
    if q is not None:
        chosen = best_portfolio(case, q, args.time_limit)
        report.update(portfolio=portfolio_figures(chosen, _describe(q)), plan=chosen.results)
        clock["portfolio"] = time.perf_counter() - t0
    else:
        points = front(case, args.front or 8, peak_tap(base), args.time_limit)
        report["front"] = [asdict(p) | {"selected": list(p.selected)} for p in points]
        clock["front"] = time.perf_counter() - t0
    out = OptionsReport(**report, seconds=clock)
    singles = {"--json": (args.json, options_json) if args.json is not None else None,
               "--html": (args.html, options_report) if args.html is not None else None,
               "--xlsx": (args.xlsx, options_workbook) if args.xlsx is not None else None}
    write_outputs(args.out, options_files(out) if args.out is not None else {},
                  {o: (v[0], v[1](out)) for o, v in singles.items() if v is not None}, [folder])
    print(options_text(out))
    return EXIT_OK
