"""`python -m model` and the `wateralloc` command.

Importing the command line loads Pyomo, pandas and HiGHS, which takes a second or two; Ctrl-C
(or SIGTERM) in that time must end the run as cleanly as at any later moment: one line, exit 130
(143), no traceback. So the signal handling is installed first, and the command line is imported
inside it.
"""
from __future__ import annotations

import gc
import os
import sys

from model import interrupts
from model.errors import EXIT_INTERNAL, Interrupted


def run() -> None:
    with interrupts.handled():
        try:
            # deliberately late: see the module docstring; with the cycle collector paused,
            # since importing makes objects and no garbage (0.1 s of its passes)
            gc.disable()
            from model.cli import main
            gc.enable()
        except Interrupted as stop:
            print(f"wateralloc: {stop.message}", file=sys.stderr, flush=True)
            sys.exit(stop.exit_code)
        except Exception as exc:  # a broken installation: a bug, never a traceback
            print(f"wateralloc: internal error ({type(exc).__name__}: {exc}). Please report it.",
                  file=sys.stderr)
            sys.exit(EXIT_INTERNAL)
        code = main()
    _exit(code)


def _exit(code: int) -> None:
    """End the process at once, without freeing its objects one by one: by then every output
    is written and closed (atomically, model.results.atomic), every worker cluster is closed,
    and the operating system takes the memory back whole. Freeing the model's objects took
    0.5 s of a 5 s run of the 2,000-plant benchmark (benchmarks/README.md); the streams are
    flushed first, as the interpreter would."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`) or a closed stream
            pass
    os._exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    run()
