"""Command line: `wateralloc solve [CASE_DIR] [--json FILE] [--out DIR]`.

Argument parsing and printing only. Exit codes are documented in `model.errors`:
0 optimal, 2 invalid input or usage, 3 infeasible, 4 solver failure, 1 internal error.
"""
from __future__ import annotations

import argparse
import math
import sys
import traceback
from pathlib import Path

from model import progress
from model.bundled import DEFAULT_CASE, bundled_case, bundled_case_names
from model.case import load_case
from model.errors import EXIT_INVALID, EXIT_OK, WaterallocError
from model.results.output import output_files, summary_json, write_files_atomically
from model.results.report import text_report
from model.studies import plan, with_cut

EXIT_INTERNAL = 1


def _seconds(text: str) -> float:
    """A time limit: a finite number of seconds, zero or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: a time limit is a finite number >= 0")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wateralloc",
        description="Least-tap allocation of tap and recycled water across a campus's plants.",
        epilog="exit codes: 0 optimal, 2 invalid input or usage, 3 infeasible, "
               "4 solver failure, 1 internal error")
    sub = parser.add_subparsers(dest="command", required=True)
    solve = sub.add_parser("solve", help="solve a case and print the plan")
    solve.add_argument("case_dir", nargs="?", default=None,
                       help=f"case folder, or the name of a bundled case (default: {DEFAULT_CASE})")
    solve.add_argument("--json", type=Path, help="write the summary as JSON to this file")
    solve.add_argument("--out", type=Path, help="write allocation, trains, plants and summary "
                                                "tables to this folder")
    solve.add_argument("--time-limit", type=_seconds, default=None,
                       help="solver time limit in seconds (no figures are reported if hit)")
    drought = solve.add_mutually_exclusive_group()
    drought.add_argument("--cut", type=float, default=None,
                         help="ration tap water: cut this fraction of the baseline in every "
                              "period (enables shortage)")
    drought.add_argument("--stage", default=None,
                         help="ration tap water at this drought stage in every period, e.g. "
                              "yellow, orange (enables shortage)")
    solve.add_argument("--largest-cut", action=argparse.BooleanOptionalAction, default=True,
                       help="report the largest uniform cut of tap supply the campus absorbs "
                            "with no shortage (one extra LP, plus one for the baseline; "
                            "--no-largest-cut skips them on very large cases)")
    sub.add_parser("cases", help="list the bundled cases")
    return parser


def _case_folder(arg: str | None) -> Path:
    if arg is None:
        return bundled_case()
    path = Path(arg)
    if not path.exists() and arg in bundled_case_names():
        return bundled_case(arg)
    return path


def _solve(args) -> int:
    progress.enabled = True  # long solves print a line on stderr every few seconds
    case = with_cut(load_case(_case_folder(args.case_dir)), cut=args.cut, stage=args.stage)
    results = plan(case, time_limit_s=args.time_limit, largest_cut=args.largest_cut)
    files = {}
    if args.out is not None:
        files.update(output_files(results, args.out))
    if args.json is not None:
        files[args.json] = summary_json(results)
    write_files_atomically(files)
    print(text_report(results))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        if args.command == "cases":
            print("\n".join(bundled_case_names()))
            return EXIT_OK
        return _solve(args)
    except WaterallocError as exc:
        print(f"wateralloc: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        print(f"wateralloc: cannot read or write a file: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except Exception as exc:  # a bug: say so plainly, keep the details for the report
        print(f"wateralloc: internal error ({type(exc).__name__}: {exc}). Please report it "
              "with the case folder; set WATERALLOC_DEBUG=1 for the details.", file=sys.stderr)
        if __import__("os").environ.get("WATERALLOC_DEBUG"):
            traceback.print_exc()
        return EXIT_INTERNAL


def run() -> None:
    sys.exit(main())
