"""Command line: `wateralloc <command> ...`. Argument parsing and printing only.

Each command is one module of this package with `add_parser(subparsers)` and `run(args) -> int`;
`COMMANDS` lists them. Exit codes are documented in `model.errors`: 0 optimal, 2 invalid input
or usage, 3 infeasible, 4 solver failure, 1 internal error, 130 Ctrl-C (SIGINT), 143 SIGTERM.
An interrupted run prints one line and writes nothing (model.interrupts).
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from importlib.metadata import PackageNotFoundError, version

from model import interrupts
from model.cli import app, cases, convert, options, solve, sweep
from model.errors import EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, Interrupted, WaterallocError

# each: add_parser(subparsers), run(args) -> exit code
COMMANDS = (solve, sweep, options, cases, convert, app)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wateralloc",
        description="Least-tap allocation of tap and recycled water across a campus's plants.",
        epilog="exit codes: 0 optimal, 2 invalid input or usage, 3 infeasible, "
               "4 solver failure, 1 internal error, 130 Ctrl-C, 143 SIGTERM")
    parser.add_argument("--version", action="version", version=f"wateralloc {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub).set_defaults(run=command.run)
    return parser


def _version() -> str:
    try:
        return version("wateralloc")
    except PackageNotFoundError:  # run from a source tree that was not installed
        return "unknown (not installed)"


def main(argv: list[str] | None = None) -> int:
    with interrupts.handled():
        try:
            return _main(argv)
        except KeyboardInterrupt as exc:  # Interrupted, or a Ctrl-C before the handlers
            stop = exc if isinstance(exc, Interrupted) else Interrupted(signal.SIGINT)
            print(f"wateralloc: {stop.message}", file=sys.stderr, flush=True)
            return stop.exit_code


def _main(argv: list[str] | None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return args.run(args)
    except BrokenPipeError:
        # whoever read stdout stopped reading (`wateralloc solve | head`): every command prints
        # only after its outputs are written, so the run is complete; end quietly, with the
        # interpreter's last flush of stdout sent nowhere
        _stdout_to_null()
        return EXIT_OK
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


def _stdout_to_null() -> None:
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):  # no file descriptor (a test's captured stdout)
        pass


def run() -> None:
    sys.exit(main())
