"""`python -m model` and the `wateralloc` command.

Importing the command line loads Pyomo, pandas and HiGHS, which takes a second or two; Ctrl-C
(or SIGTERM) in that time must end the run as cleanly as at any later moment: one line, exit 130
(143), no traceback. So the signal handling is installed first, and the command line is imported
inside it.
"""
from __future__ import annotations

import sys

from model import interrupts
from model.errors import EXIT_INTERNAL, Interrupted


def run() -> None:
    with interrupts.handled():
        try:
            from model.cli import main  # deliberately late: see the module docstring
        except Interrupted as stop:
            print(f"wateralloc: {stop.message}", file=sys.stderr, flush=True)
            sys.exit(stop.exit_code)
        except Exception as exc:  # a broken installation: a bug, never a traceback
            print(f"wateralloc: internal error ({type(exc).__name__}: {exc}). Please report it.",
                  file=sys.stderr)
            sys.exit(EXIT_INTERNAL)
        code = main()
    sys.exit(code)


if __name__ == "__main__":
    run()
