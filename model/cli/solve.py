"""`wateralloc solve [CASE] [--json FILE] [--out DIR] [--html FILE] [--xlsx FILE] ...`: plan one
case and print it."""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from pyomo.common.gc_manager import PauseGC

from model import interrupts, progress
from model.bundled import DEFAULT_CASE, bundled_case, bundled_case_names
from model.case import load_case
from model.errors import EXIT_OK
from model.results.output import check_outputs, output_files, summary_json, write_outputs
from model.solve.highs import while_solving
from model.studies import plan, with_cut

# made with pandas, which takes 0.2 s to import: imported in a thread while HiGHS solves
# (`while_solving`), where the main thread waits without holding the interpreter
REPORTING = ("model.results.collect", "model.results.report")


def seconds(text: str) -> float:
    """A time limit: a finite number of seconds, zero or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: a time limit is a finite number >= 0")
    return value


def case_folder(arg: str | None) -> Path:
    """The folder a CASE argument names: a path, or the name of a bundled case."""
    if arg is None:
        return bundled_case()
    path = Path(arg)
    if arg in bundled_case_names():
        if not path.exists():
            return bundled_case(arg)
        print(f"wateralloc: note: using the folder {path.absolute()}, not the bundled case "
              f"{arg!r} ({bundled_case(arg)})", file=sys.stderr)
    return path


def add_parser(sub) -> argparse.ArgumentParser:
    solve = sub.add_parser("solve", help="solve a case and print the plan")
    solve.add_argument("case_dir", nargs="?", default=None,
                       help=f"case folder, or the name of a bundled case (default: {DEFAULT_CASE})")
    solve.add_argument("--json", type=Path, help="write the summary as JSON to this file")
    solve.add_argument("--out", type=Path, help="write allocation, trains, plants and summary "
                                                "tables to this folder")
    solve.add_argument("--html", type=Path, help="write the plan as one self-contained HTML "
                                                 "report (charts, marginal values, tables)")
    solve.add_argument("--xlsx", type=Path, help="write the summary and every table as one "
                                                 "Excel workbook")
    solve.add_argument("--time-limit", type=seconds, default=None,
                       help="solver time limit in seconds (no figures are reported if hit, "
                            "unless only the even-sharing tie-break was left: the least-tap, "
                            "least-cost plan is then reported, without the largest cut, and "
                            "says so)")
    drought = solve.add_mutually_exclusive_group()
    drought.add_argument("--cut", type=float, default=None,
                         help="ration tap water: cut this fraction of the baseline in every "
                              "period (enables shortage)")
    drought.add_argument("--stage", default=None,
                         help="ration tap water at this drought stage in every period, e.g. "
                              "yellow, orange (enables shortage)")
    solve.add_argument("--fair-share", action=argparse.BooleanOptionalAction, default=None,
                       help="under rationing, cut the uses of one priority class by the same "
                            "fraction where the water allows (the default, and rationing.toml's "
                            "fair_share); --no-fair-share only minimises each class's shortage")
    solve.add_argument("--largest-cut", action=argparse.BooleanOptionalAction, default=True,
                       help="report the largest uniform cut of tap supply the campus absorbs "
                            "with no shortage (one extra LP, plus one for the baseline; "
                            "--no-largest-cut skips them on very large cases)")
    return solve


def run(args: argparse.Namespace) -> int:
    # Python's cycle collector, paused for the plan's life: a model's objects are freed by
    # reference counting (a 2,000-plant solve leaves 38 objects in cycles), and the collector's
    # passes over its ~10^6 objects took 0.45 s of a 4.4 s run (benchmarks/README.md)
    with PauseGC():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    progress.enabled = True  # long solves print a line on stderr every few seconds
    folder = case_folder(args.case_dir)
    inputs = [folder]
    # before any solve: a bad target costs nothing
    check_outputs(args.out, {"--json": args.json, "--html": args.html, "--xlsx": args.xlsx},
                  inputs)
    with interrupts.stage("the reading of the case"):
        case = with_cut(load_case(folder), cut=args.cut, stage=args.stage,
                        fair_share=args.fair_share)
    while_solving(*REPORTING)
    results = plan(case, time_limit_s=args.time_limit, largest_cut=args.largest_cut)
    from model.results.excel import plan_workbook
    from model.results.html import plan_report
    from model.results.report import text_report
    singles = {"--json": (args.json, summary_json(results)) if args.json is not None else None,
               "--html": (args.html, plan_report(results)) if args.html is not None else None,
               "--xlsx": (args.xlsx, plan_workbook(results)) if args.xlsx is not None else None}
    write_outputs(args.out, output_files(results) if args.out is not None else {},
                  {o: v for o, v in singles.items() if v is not None}, inputs)
    print(text_report(results))
    return EXIT_OK
