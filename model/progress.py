"""Progress lines on stderr for solves that take more than a few seconds.

A quiet tool for small cases, a reassuring one for large ones: nothing is printed unless a stage
is still running after `AFTER_S` seconds; then one line every `EVERY_S` seconds names the stage
and the time so far. Off by default (library use stays silent); the CLI switches it on.
"""
from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from typing import Iterator

AFTER_S = 3.0
EVERY_S = 5.0
enabled = False


@contextmanager
def progress(label: str) -> Iterator[None]:
    """Report on stderr while the body runs, if it runs longer than `AFTER_S` seconds."""
    if not enabled:
        yield
        return
    done = threading.Event()
    start = time.perf_counter()

    def tick() -> None:
        wait = AFTER_S
        while not done.wait(wait):
            print(f"wateralloc: solving {label} ... {time.perf_counter() - start:,.0f} s",
                  file=sys.stderr, flush=True)
            wait = EVERY_S

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
