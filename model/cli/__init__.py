"""Command line: `wateralloc <command> ...`. Argument parsing and printing only.

Each command is one module of this package with `add_parser(subparsers)` and `run(args) -> int`;
`COMMANDS` lists them. Exit codes are documented in `model.errors`: 0 optimal, 2 invalid input
or usage, 3 infeasible, 4 solver failure, 1 internal error.
"""
from __future__ import annotations

import argparse
import os
import sys
import traceback

from model.cli import cases, solve, sweep
from model.errors import EXIT_INVALID, WaterallocError

EXIT_INTERNAL = 1
COMMANDS = (solve, sweep, cases)  # each: add_parser(subparsers), run(args) -> exit code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wateralloc",
        description="Least-tap allocation of tap and recycled water across a campus's plants.",
        epilog="exit codes: 0 optimal, 2 invalid input or usage, 3 infeasible, "
               "4 solver failure, 1 internal error")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub).set_defaults(run=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return args.run(args)
    except WaterallocError as exc:
        print(f"wateralloc: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        print(f"wateralloc: cannot read or write a file: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except Exception as exc:  # a bug: say so plainly, keep the details for the report
        print(f"wateralloc: internal error ({type(exc).__name__}: {exc}). Please report it "
              "with the case folder; set WATERALLOC_DEBUG=1 for the details.", file=sys.stderr)
        if os.environ.get("WATERALLOC_DEBUG"):
            traceback.print_exc()
        return EXIT_INTERNAL


def run() -> None:
    sys.exit(main())
