"""Ctrl-C (SIGINT) and SIGTERM: one clean stop at any stage, and one line to say so.

- `handled()` (the command line, around a whole run): SIGINT and SIGTERM raise
  `model.errors.Interrupted` wherever the run is, and the CLI exits 130 or 143.
- `solver_running()` (model.solve, around each HiGHS run): a Python exception cannot cross
  HiGHS's C++ frames, so while HiGHS runs a signal is only recorded; HiGHS's interrupt callbacks
  (`stop_requested`) then stop the simplex or interior-point method at its next iteration, and
  `Interrupted` is raised once HiGHS has returned. Library use (notebooks) gets this too.
- One handler, `_on_signal`, does both: it records while HiGHS runs and raises otherwise. Under
  `handled()` a HiGHS run only flips a flag; swapping the handlers around each of a sweep's
  9,128 runs took 0.43 s of its 4.8 s. Without `handled()` (library use) `solver_running`
  installs the handler around the run itself.
- Once a signal has arrived, logging is switched off: Pyomo logs "ERROR: Constructing component
  ..." for a rule interrupted mid-build, which would be a second, misleading message.
- `watched()` (a `wateralloc solve` process): HiGHS's interrupt callbacks are not started at all
  until a signal arrives. HiGHS calls them very often (141,834 times in a plan of the 2,000-plant
  benchmark, once per step of the interior-point method and of its crossover), and each call
  enters Python: 0.04-0.09 s of a 3.4 s plan. A thread instead waits on the signal module's
  wakeup file descriptor, which the interpreter's C-level handler writes as soon as a signal
  arrives, even while the main thread is inside HiGHS; it then starts the callbacks of the
  HiGHS run in progress (`solver_running(arm=...)`), whose next check (within milliseconds)
  runs the Python handler, which records the signal, and stops HiGHS, as above.

Output files are committed with the signals blocked (model.results.output), so an interruption
leaves the complete old output or the complete new one.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
from contextlib import contextmanager
from typing import Iterator

from model.errors import Interrupted

SIGNALS = (signal.SIGINT, signal.SIGTERM)
_received: list[int] = []   # signals recorded while HiGHS runs
_stage: list[str] = []      # what the run is doing, for the message ("the tap stage")
_state = {"installed": 0,   # `handled()` layers with `_on_signal` installed
          "solving": False,  # HiGHS is running: record, do not raise
          "pid": 0,          # the process that installed `_on_signal`
          "raised": None,    # the Interrupted `_raise` raised last, for `reraise`
          "watching": False,  # `watch()`: callbacks started only once a signal arrives
          "arm": None}       # starts the callbacks of the HiGHS run in progress
# Test hook: when set, each stage's label is written to this file as the stage begins, so that a
# test can send a real signal at a known moment (tests/test_interrupts.py).
STAGE_FILE_ENV = "WATERALLOC_TEST_STAGE_FILE"


def _begin(label: str) -> None:
    _stage.append(label)
    if path := os.environ.get(STAGE_FILE_ENV):
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(label + "\n")


def _silence() -> None:
    logging.disable(logging.CRITICAL)


def _raise(signum, frame) -> None:
    _silence()
    for s in SIGNALS:  # the first signal stops the run; later ones must not break its clean-up
        signal.signal(s, signal.SIG_IGN)
    _state["raised"] = Interrupted(signum, _stage[-1] if _stage else None)
    raise _state["raised"]


def reraise() -> None:
    """Raise again the `Interrupted` a library caught and dropped: Interrupted is a
    KeyboardInterrupt, and a server loop that ends quietly on one (werkzeug's, under the
    what-if page) would otherwise turn Ctrl+C or SIGTERM into a normal end, exit 0."""
    if _state["raised"] is not None:
        raise _state["raised"]


def _on_signal(signum, frame) -> None:
    if os.getpid() != _state["pid"]:
        # a sweep's local Dask worker, forked with this handler: Ctrl-C at a terminal reaches
        # the whole process group, and the process that started the workers stops them
        return
    if _state["solving"]:
        _silence()
        _received.append(signum)
        if _state["arm"] is not None:   # here before HiGHS started: it must stop at once
            _state["arm"]()
    else:
        _raise(signum, frame)


def stop_requested() -> bool:
    """True once SIGINT or SIGTERM arrived while HiGHS runs: its callbacks stop it."""
    return bool(_received)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def handled() -> Iterator[None]:
    """SIGINT and SIGTERM raise `Interrupted` inside the body; the old handlers come back after."""
    if not _main_thread():
        yield
        return
    _state["pid"] = os.getpid()
    _state["raised"] = None
    saved = {s: signal.signal(s, _on_signal) for s in SIGNALS}
    _state["installed"] += 1
    try:
        yield
    finally:
        _state["installed"] -= 1
        for s, handler in saved.items():
            signal.signal(s, handler)


@contextmanager
def watched() -> Iterator[None]:
    """Start HiGHS's interrupt callbacks only when a signal arrives, inside the body (module
    docstring). Main thread, under `handled()`, with no worker forked from the process meanwhile.
    Where the wakeup descriptor is already in use (an asyncio loop: a notebook's kernel) or
    `watched()` is already on, the body runs as it would without it (callbacks up front)."""
    if not _main_thread() or _state["watching"]:
        yield
        return
    read, write = os.pipe()
    os.set_blocking(write, False)
    previous = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    if previous != -1:   # someone else's: give it back and leave the callbacks up front
        signal.set_wakeup_fd(previous)
        os.close(read)
        os.close(write)
        yield
        return
    _state["watching"] = True
    watcher = threading.Thread(target=_arm_on_signal, args=(read,), name="wateralloc-signals",
                               daemon=True)
    watcher.start()
    try:
        yield
    finally:
        _state["watching"] = False
        signal.set_wakeup_fd(previous)
        os.close(write)   # the watcher reads the end of the pipe and stops
        watcher.join()


def watching() -> bool:
    """Are HiGHS's interrupt callbacks started by `watched()`'s thread, not up front?"""
    return _state["watching"]


def _arm_on_signal(read: int) -> None:
    try:
        while os.read(read, 64):   # a byte per signal, written by the interpreter's C handler
            arm = _state["arm"]
            if arm is not None:
                arm()
    finally:
        os.close(read)


@contextmanager
def solver_running(label: str, arm=None) -> Iterator[None]:
    """While HiGHS runs: record SIGINT and SIGTERM instead of raising, and raise `Interrupted`
    when the body ends if one arrived. `arm()` starts the run's interrupt callbacks, called
    from `watched()`'s thread when a signal arrives meanwhile."""
    if not _main_thread():
        yield
        return
    _received.clear()
    saved = {}
    if not _state["installed"]:
        _state["pid"] = os.getpid()
        saved = {s: signal.signal(s, _on_signal) for s in SIGNALS}
    _state["arm"] = arm   # first: whenever `solving` is seen, so is `arm`
    _state["solving"] = True
    _begin(label)
    try:
        yield
    finally:
        _state["arm"] = None
        _state["solving"] = False
        for s, handler in saved.items():
            signal.signal(s, handler)
        _stage.pop()
    if _received:
        signum = _received[0]
        _received.clear()
        raise Interrupted(signum, label)


@contextmanager
def stage(label: str) -> Iterator[None]:
    """Name what the run is doing, for the one line an interruption prints."""
    _begin(label)
    try:
        yield
    finally:
        _stage.pop()
