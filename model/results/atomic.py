"""Putting a finished file or folder in place in one step, with signals held off.

`swap(new, target)` moves `new` to `target`. When `target` exists, the two are exchanged: on
Linux with `renameat2(..., RENAME_EXCHANGE)`, which swaps two paths atomically, so there is no
moment at which `target` is missing or mixed; elsewhere (or on a file system without it) with
three renames, during which `target` is briefly absent but never mixed (and which are undone if
one of them fails). Afterwards `new` holds the old contents, for the caller to delete, or to
swap back.

`signals_held()` holds SIGINT and SIGTERM while a commit runs: a handler records a signal that
arrives meanwhile, and when the block ends the handlers in force before come back and the signal
is raised again for them. `signal_pending()` says whether one arrived, so that a commit can be
undone before the signal is delivered. The signals are not blocked with `pthread_sigmask`: that
blocks them in the calling thread only, and another thread of the process (HiGHS's workers)
would take the signal, after which Python raises KeyboardInterrupt in the main thread at once,
in the middle of the commit.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

AT_FDCWD = -100        # <fcntl.h>: paths are relative to the current directory
RENAME_EXCHANGE = 2    # <linux/fs.h>: swap the two paths
SIGNALS = {signal.SIGINT, signal.SIGTERM}
_NOT_SUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EXDEV}


def _renameat2():
    """libc's renameat2, or None where there is none (not Linux, glibc < 2.28, musl, ...)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _renameat2()


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically; False when this system cannot."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _NOT_SUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap(new: Path, target: Path) -> bool:
    """Put `new` at `target`. True when `target` existed: its old contents are now at `new`."""
    if not os.path.lexists(target):
        os.rename(new, target)
        return False
    if not _exchange(new, target):
        _swap_by_renames(new, target)
    return True


def _swap_by_renames(new: Path, target: Path) -> None:
    """Exchange two existing paths with three renames, through an aside name. If a rename
    fails, those done are undone before the error goes on, so both paths hold what they held:
    the old contents are never left only under the aside name, where a clean-up would take
    them for a temporary file."""
    aside = new.with_name(new.name + ".old")
    os.rename(target, aside)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(aside, target)
        raise
    try:
        os.rename(aside, new)
    except BaseException:
        os.rename(target, new)
        os.rename(aside, target)
        raise


def unswap(new: Path, target: Path, existed: bool) -> None:
    """Undo `swap(new, target)`, which returned `existed`."""
    if existed:
        swap(new, target)
    else:
        os.rename(target, new)


_held: list[list[int]] = []  # the signals recorded by each open `signals_held` block


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM in the body (module docstring). Python runs signal handlers in
    the main thread only, so a body in another thread is never interrupted and holds nothing;
    neither does one whose handlers were not set from Python (they could not be put back)."""
    previous = {s: signal.getsignal(s) for s in SIGNALS}
    if threading.current_thread() is not threading.main_thread() \
            or any(h is None for h in previous.values()):
        yield
        return
    received: list[int] = []
    for s in SIGNALS:
        # an ignored signal stays ignored: held, it would undo a commit that nothing then stops
        # (a run started in the background by a script ignores SIGINT)
        if previous[s] is not signal.SIG_IGN:
            signal.signal(s, lambda signum, frame: received.append(signum))
    _held.append(received)
    try:
        yield
    finally:
        _held.pop()
        for s, handler in previous.items():
            signal.signal(s, handler)
        for s in dict.fromkeys(received):  # delivered to the handlers in force before
            signal.raise_signal(s)


def signal_pending() -> bool:
    """True when SIGINT or SIGTERM arrived while held."""
    return bool(_held and _held[-1])


def umask() -> int:
    """The process's file-creation mask (reading it means setting it, so it is set back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def remove(path: Path) -> None:
    """Remove a file or a folder tree that this module created; missing is fine."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        os.unlink(path)
