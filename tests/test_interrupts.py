"""Ctrl-C (SIGINT) and SIGTERM, sent for real to `python -m model solve` at a known stage: during
the build of the model, during a solver stage, and while the output is being written. Each run
must exit 130 (143 for SIGTERM) with one line on stderr (progress lines aside), print nothing on
stdout (no Pyomo "ERROR: Constructing component" line), and leave the old output folder intact,
or no folder.

The child announces each stage it begins in a file (`WATERALLOC_TEST_STAGE_FILE`, a test hook of
model.interrupts), so that the signal is sent while that stage runs.
"""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import highspy
import pytest

from benchmarks.generate_case import generate_case
from model.case import load_case
from model.errors import Interrupted
from model.formulation import build_model
from model.interrupts import STAGE_FILE_ENV
from model.results.output import WRITE_PAUSE_ENV
from model.solve import highs as solve_highs
from model.solve.highs import compile_and_load, run

PROGRESS = "wateralloc: solving "  # progress lines of a long stage, not messages


@pytest.fixture(scope="module")
def campus(tmp_path_factory) -> Path:
    """A synthetic campus whose build and tap stage last long enough to be interrupted."""
    return generate_case(tmp_path_factory.mktemp("campus") / "p400", plants=400,
                         max_recycles=5, zones=20, trains=8, seed=1)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def interrupt(case: Path, out: Path, stage: str, signum: int, tmp: Path,
              env: dict | None = None, after_s: float = 0.0) -> tuple[int, list[str], str]:
    """Run a solve, send `signum` once the child has begun `stage`; (exit code, stderr lines
    that are not progress lines, stdout)."""
    stages = tmp / "stages.txt"
    stages.write_text("")
    child = subprocess.Popen(
        [sys.executable, "-m", "model", "solve", str(case), "--no-largest-cut", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp,
        env={**os.environ, STAGE_FILE_ENV: str(stages), **(env or {})})
    deadline = time.monotonic() + 120
    while stage not in stages.read_text():
        assert child.poll() is None, f"the run ended before {stage!r}: {child.communicate()}"
        assert time.monotonic() < deadline, f"{stage!r} never began"
        time.sleep(0.002)
    time.sleep(after_s)
    child.send_signal(signum)
    out_text, err = child.communicate(timeout=120)
    lines = [line for line in err.splitlines() if not line.startswith(PROGRESS)]
    return child.returncode, lines, out_text


def old_output(folder: Path) -> dict[str, str]:
    """An earlier run's output folder (names this tool writes, made-up contents)."""
    folder.mkdir()
    for name in ("allocation.csv", "summary.json", "shortages.csv"):
        (folder / name).write_text(f"old {name}\n")
    return digest(folder)


def no_leftovers(parent: Path) -> None:
    assert not [p.name for p in parent.iterdir() if ".wateralloc-" in p.name]


def test_sigint_during_the_build(campus, tmp_path):
    code, lines, out = interrupt(campus, tmp_path / "out", "the build of the model",
                                 signal.SIGINT, tmp_path)
    assert code == 130
    assert lines == ["wateralloc: interrupted (SIGINT) during the build of the model; "
                     "no output was written"]
    assert out == ""  # Pyomo's "ERROR: Constructing component ..." is not printed
    assert not (tmp_path / "out").exists()


def test_sigterm_during_the_build_keeps_the_old_output(campus, tmp_path):
    before = old_output(tmp_path / "out")
    code, lines, out = interrupt(campus, tmp_path / "out", "the build of the model",
                                 signal.SIGTERM, tmp_path)
    assert code == 143 and len(lines) == 1 and "SIGTERM" in lines[0] and out == ""
    assert digest(tmp_path / "out") == before
    no_leftovers(tmp_path)


def test_sigint_during_a_solver_stage(campus, tmp_path):
    before = old_output(tmp_path / "out")
    code, lines, out = interrupt(campus, tmp_path / "out", "the total_tap_m3 stage",
                                 signal.SIGINT, tmp_path)
    assert code == 130
    assert lines == ["wateralloc: interrupted (SIGINT) during the total_tap_m3 stage; "
                     "no output was written"]
    assert out == ""
    assert digest(tmp_path / "out") == before


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_while_writing_keeps_the_old_output(signum, code, tmp_path):
    # a small case; the hook pauses 0.4 s after each file, so the signal lands mid-write
    out = tmp_path / "out"
    before = old_output(out)
    got, lines, printed = interrupt(Path("data/ntip-2019-phase2").resolve(), out,
                                    "the writing of the output", signum, tmp_path,
                                    {WRITE_PAUSE_ENV: "0.4"}, after_s=0.6)
    assert got == code and len(lines) == 1 and "during the writing of the output" in lines[0]
    assert printed == ""
    assert digest(out) == before  # not one new file beside the old ones
    no_leftovers(tmp_path)


def test_signal_while_writing_a_new_folder_leaves_none(tmp_path):
    got, lines, _ = interrupt(Path("data/ntip-2019-phase2").resolve(), tmp_path / "out",
                              "the writing of the output", signal.SIGINT, tmp_path,
                              {WRITE_PAUSE_ENV: "0.4"}, after_s=0.6)
    assert got == 130 and len(lines) == 1
    assert not (tmp_path / "out").exists()
    no_leftovers(tmp_path)


def test_highs_stops_mid_stage_through_its_interrupt_callback(campus):
    # The interior-point method is stopped by the callback, not left to finish its stage: the
    # run raises Interrupted and HiGHS's own status is "interrupted by user".
    f = build_model(load_case(campus))
    lp = compile_and_load(f)
    sent = threading.Event()

    def send_once(*args) -> None:  # on HiGHS's first iteration, Ctrl-C as a user would,
        if not sent.is_set():      # then the tool's own interrupt callback
            sent.set()
            os.kill(os.getpid(), signal.SIGINT)
        solve_highs._stop_if_requested(*args)

    highspy._core._Highs.setCallback(lp.highs, send_once, None)  # (which stops all callbacks)
    for kind in solve_highs.INTERRUPT_CALLBACKS:
        lp.highs.startCallback(kind)
    with pytest.raises(Interrupted) as stop:
        run(lp, "total_tap_m3")
    assert sent.is_set() and stop.value.exit_code == 130
    assert lp.highs.getModelStatus() == highspy.HighsModelStatus.kInterrupt


def test_every_highs_the_tool_makes_stops_at_its_first_iteration_once_a_stop_is_requested(
        campus, monkeypatch):
    # `new_highs` registers the interrupt callback on each instance it makes: with a stop
    # requested (as after Ctrl-C), HiGHS ends the tap stage itself, "interrupted by user",
    # without one iteration (the test above sets a callback of its own instead)
    lp = compile_and_load(build_model(load_case(campus)))
    monkeypatch.setattr(solve_highs, "stop_requested", lambda: True)
    outcome = run(lp, "total_tap_m3")
    assert lp.highs.getModelStatus() == highspy.HighsModelStatus.kInterrupt
    assert outcome.text == "Interrupted by user"
    assert lp.highs.getInfo().ipm_iteration_count == 0


def test_the_write_pause_hook_pauses_after_each_file_of_the_out_folder(tmp_path, monkeypatch):
    # the signal-while-writing tests above rely on WATERALLOC_TEST_WRITE_PAUSE_S to land their
    # signal mid-write on any machine: it pauses that long after each file of --out, and not at
    # all without it (the sleeps are recorded, not timed)
    from model.cli import main
    from model.results import output
    slept: list[float] = []
    monkeypatch.setattr(output.time, "sleep", slept.append)
    monkeypatch.setenv(WRITE_PAUSE_ENV, "0.25")
    out = tmp_path / "out"
    assert main(["solve", "ntip-2019-phase2", "--no-largest-cut", "--out", str(out)]) == 0
    files = [p for p in out.iterdir() if p.is_file()]
    assert len(files) >= 5 and slept == [0.25] * len(files)
    slept.clear()
    monkeypatch.delenv(WRITE_PAUSE_ENV)
    assert main(["solve", "ntip-2019-phase2", "--no-largest-cut", "--out", str(out)]) == 0
    assert set(slept) <= {0.0}


def test_ctrl_c_while_the_model_loads_into_highs_names_that_stage(monkeypatch):
    # between the build and the first solver stage, the compile and bulk load into HiGHS is a
    # stage of its own (about a second on 2,000 plants): a Ctrl-C there says so
    import logging
    from model import interrupts
    from model.solve import stages as stages_module
    from tests.factory import make_case
    f = build_model(make_case([("A", "rinse", "1", 300, 1.0, None)],
                              [("T", 1e6, 0.5, ("1",), 1.0)], max_recycles=1))

    def loading(f, time_limit_s=None):
        os.kill(os.getpid(), signal.SIGINT)   # the handler raises here, in the main thread
        raise AssertionError("the signal did not stop the load")

    monkeypatch.setattr(stages_module, "compile_and_load", loading)
    try:
        with interrupts.handled(), pytest.raises(Interrupted) as stop:
            stages_module.solve(f)
    finally:
        logging.disable(logging.NOTSET)   # a signal silences logging for the rest of a run
    assert stop.value.message == ("interrupted (SIGINT) during the loading of the model into "
                                  "HiGHS; no output was written")


# --- `interrupts.watched()`: callbacks started only once a signal arrives ------------------

@pytest.fixture(scope="module")
def slow_campus(tmp_path_factory) -> Path:
    """A campus whose tap stage, by primal simplex without presolve, runs about a second
    (10,375 iterations) inside HiGHS without calling back into Python."""
    return generate_case(tmp_path_factory.mktemp("slow") / "p1000", plants=1000,
                         max_recycles=5, zones=20, trains=8, seed=1)


def test_a_watched_run_calls_no_callback_until_a_signal_then_stops_mid_stage(
        slow_campus, monkeypatch):
    # The main thread is inside HiGHS, where the Python handler cannot run; the watcher thread,
    # woken by the wakeup descriptor, starts the callbacks, and the next one stops HiGHS:
    # "interrupted by user", not a stage run to its end and refused afterwards.
    import logging
    from model import interrupts
    from model.formulation import Method
    calls, armed = [], []
    real_arm, real_check = solve_highs.start_callbacks, solve_highs._stop_if_requested
    monkeypatch.setattr(solve_highs, "_stop_if_requested",
                        lambda *a: calls.append(len(armed)) or real_check(*a))
    monkeypatch.setattr(solve_highs, "start_callbacks",
                        lambda h: armed.append(threading.current_thread().name) or real_arm(h))
    f = build_model(load_case(slow_campus))

    def send_once_highs_runs() -> None:
        while not interrupts._state["solving"]:
            time.sleep(0.001)
        time.sleep(0.3)              # well inside the run (about a second)
        os.kill(os.getpid(), signal.SIGINT)

    try:
        with interrupts.handled(), interrupts.watched():
            lp = compile_and_load(f)
            solve_highs.use_method(lp.highs, Method.SIMPLEX)
            lp.highs.setOptionValue("presolve", "off")
            sender = threading.Thread(target=send_once_highs_runs)
            sender.start()
            with pytest.raises(Interrupted) as stop:
                run(lp, "total_tap_m3")
            sender.join()
    finally:
        logging.disable(logging.NOTSET)
    assert stop.value.exit_code == 130
    assert armed[0] == "wateralloc-signals"   # (the Python handler, run by the first callback,
    assert set(armed[1:]) <= {"MainThread"}   # starts them again: it changes nothing)
    assert calls and 0 not in calls   # not one callback before the signal armed them
    assert lp.highs.getModelStatus() == highspy.HighsModelStatus.kInterrupt
    assert 0 < lp.highs.getInfo().simplex_iteration_count < 10_375
    assert not interrupts.watching()


def test_a_signal_just_before_a_watched_run_starts_it_armed(campus):
    # the signal lands while the main thread is still in Python, between `solver_running` and
    # HiGHS's start: the Python handler records it and starts the callbacks itself (the
    # watcher may not have run yet), so HiGHS stops at its first check instead of running the
    # stage unwatched
    import logging
    from model import interrupts
    armed = []

    def arm() -> None:
        armed.append(threading.current_thread().name)
        solve_highs.start_callbacks(lp.highs)
    try:
        with interrupts.handled(), interrupts.watched():
            lp = compile_and_load(build_model(load_case(campus)))
            with pytest.raises(Interrupted):
                with interrupts.solver_running("the total_tap_m3 stage", arm=arm):
                    os.kill(os.getpid(), signal.SIGINT)   # the handler runs here
                    assert armed[:1] == ["MainThread"]
                    lp.highs.run()
    finally:
        logging.disable(logging.NOTSET)
    assert lp.highs.getModelStatus() == highspy.HighsModelStatus.kInterrupt
    assert lp.highs.getInfo().ipm_iteration_count == 0


def test_outside_watched_every_highs_starts_its_callbacks_up_front(monkeypatch):
    from model import interrupts
    from model.bundled import bundled_case
    started = []
    monkeypatch.setattr(solve_highs, "start_callbacks", lambda h: started.append(h))
    lp = compile_and_load(build_model(load_case(bundled_case())))
    assert started == [lp.highs]
    with interrupts.handled(), interrupts.watched():
        lp2 = compile_and_load(build_model(load_case(bundled_case())))
    assert started == [lp.highs]          # none for lp2 ...
    assert run(lp2, "total_tap_m3").status.value == "optimal"
    assert started == [lp.highs]          # ... and none when it runs without a signal


WATCH_PROBE = """
import sys
import model.solve.highs as h
calls = []
real = h._stop_if_requested
h._stop_if_requested = lambda *a: calls.append(a[0]) or real(*a)
import model.__main__ as entry
def report(code):
    print("callbacks", len(calls), file=sys.stderr, flush=True)
    real_exit(code)
real_exit, entry._exit = entry._exit, report
sys.argv = ["wateralloc", *sys.argv[1:]]
entry.run()
"""


@pytest.mark.parametrize("command, watched", [("solve", True), ("sweep", True),
                                               ("options", False)])
def test_a_solve_process_calls_highs_callbacks_only_after_a_signal(command, watched, campus):
    # `wateralloc solve`, and a sweep's chunks solved in the main thread, run under
    # interrupts.watched(): a whole plan of the campus, or a sweep, without one callback; the
    # options study (many models and MIPs) keeps them started up front
    args = {"solve": ["solve", str(campus), "--no-largest-cut"],
            "sweep": ["sweep", str(campus), "--vary", "cut=0:0.1:2"],
            "options": ["options", "ntip-2028-phase3"]}[command]
    done = subprocess.run([sys.executable, "-c", WATCH_PROBE, *args], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    count = int(done.stderr.strip().splitlines()[-1].split()[-1])
    assert (count == 0) is watched, done.stderr


def test_watched_leaves_a_wakeup_descriptor_in_use_alone():
    # an asyncio loop (a notebook's kernel) owns the wakeup descriptor: watched() then runs its
    # body with the callbacks up front, and the descriptor stays the loop's
    from model import interrupts
    read, write = os.pipe()
    os.set_blocking(write, False)
    before = signal.set_wakeup_fd(write)
    try:
        with interrupts.watched():
            assert not interrupts.watching()
            assert signal.set_wakeup_fd(write) == write   # (setting it again: still the same)
        assert signal.set_wakeup_fd(before) == write
        with interrupts.watched():   # free again: watched
            assert interrupts.watching()
        assert not interrupts.watching() and signal.set_wakeup_fd(-1) == -1
    finally:
        signal.set_wakeup_fd(before)
        os.close(read)
        os.close(write)
