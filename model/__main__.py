"""`python -m model` and the `wateralloc` command.

Importing the command line loads Pyomo, pandas and HiGHS, which takes a second or two; Ctrl-C
(or SIGTERM) in that time must end the run as cleanly as at any later moment: one line, exit 130
(143), no traceback. So the signal handling is installed first, and the command line is imported
inside it.

Python's cycle collector, in this process only (`main()` called by a process that goes on, as
the tests do, leaves it as it was):

- paused while the command line is imported, and the imported objects then frozen
  (`gc.freeze`): they live as long as the process, and otherwise the first pass after the
  imports walked all of them (0.06 s);
- left paused for good by `solve`, a single plan whose process ends with `os._exit` as soon as
  its outputs are written. The plan pauses it anyway (model.cli.solve); turned back on
  afterwards, its first pass walked every object the plan made (0.13-0.16 s of a 4 s run of the
  2,000-plant benchmark) for garbage the process never frees. The commands that build many
  models in one process (sweep, options, app) run with it on.

HiGHS's interrupt callbacks, in `solve` too, are started only once Ctrl-C or SIGTERM arrives
(`interrupts.watched()`): HiGHS calls them at every step of its methods, 0.04-0.09 s of a
2,000-plant plan.
"""
from __future__ import annotations

import gc
import os
import sys
from contextlib import ExitStack

from model import interrupts
from model.errors import EXIT_INTERNAL, Interrupted


def run() -> None:
    with interrupts.handled(), ExitStack() as stack:
        try:
            # deliberately late, with the cycle collector paused: see the module docstring
            gc.disable()
            from model.cli import main
            gc.freeze()
            if _one_plan(sys.argv[1:]):
                stack.enter_context(interrupts.watched())
            else:
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


ONE_PLAN_COMMANDS = ("solve",)  # run with the cycle collector off (module docstring)


def _one_plan(argv: list[str]) -> bool:
    """Is the command a single plan (the first argument that is not an option)?"""
    command = next((a for a in argv if not a.startswith("-")), None)
    return command in ONE_PLAN_COMMANDS


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
