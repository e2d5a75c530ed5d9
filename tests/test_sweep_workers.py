"""Sweeps on Dask workers (a LocalCluster on 127.0.0.1 only), and interrupted sweeps.

A cluster's rows must equal one process's within the sweep's tolerance (each worker has its
own warm model and its own chunks, so its warm starts differ); an interrupted sweep writes
nothing and exits 130 (SIGINT) or 143 (SIGTERM)."""
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from distributed import Client, LocalCluster

from model.bundled import bundled_case
from model.case import load_case
from model.case.scenarios import vary_scenarios
from model.studies.sweep import differences, run_sweep

GRID = ["--vary", "capacity:K14=10000:40000:3", "--vary", "recovery:K14=0.55:0.85:3",
        "--vary", "cut=0:0.2:2"]


def test_local_cluster_gives_the_table_of_one_process():
    case = load_case(bundled_case())
    sweep = vary_scenarios([GRID[1], GRID[3], GRID[5]], case)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        spread = run_sweep(case, sweep, client=client, chunk_size=7)
        workers = {w for w in client.run(lambda: 1)}
    assert len(workers) == 2
    alone = run_sweep(case, sweep)
    assert [r.scenario for r in spread] == [s.name for s in sweep.scenarios]
    for a, b in zip(spread, alone):
        assert differences(a, b) == []


def test_cli_workers_writes_what_one_process_writes(tmp_path):
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    for path, extra in ((one, []), (two, ["--workers", "2"])):
        done = subprocess.run([sys.executable, "-m", "model", "sweep", *GRID, "--json",
                               str(path), *extra], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    a, b = (json.loads(p.read_text())["scenarios"] for p in (one, two))
    assert [s["scenario"] for s in a] == [s["scenario"] for s in b]
    for x, y in zip(a, b):
        assert x["status"] == y["status"]
        assert x["tap_m3_per_day"] == pytest.approx(y["tap_m3_per_day"], rel=1e-7)
        assert x["cost_per_day"] == pytest.approx(y["cost_per_day"], rel=1e-7)


def _interrupt(tmp_path, sig, extra=(), group=False):
    """Start a long sweep, wait until it is solving (its progress bar shows), send `sig`: to
    the sweep's process, or with `group` to its whole process group, as Ctrl-C at a terminal
    does (local Dask workers included)."""
    out, js = tmp_path / "out", tmp_path / "sweep.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "model", "sweep", "--vary", "capacity:K14=10000:40000:40",
         "--vary", "recovery:K14=0.55:0.85:40", "--vary", "cut=0:0.2:6", "--out", str(out),
         "--json", str(js), *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=group)
    solving = threading.Event()
    err = []

    def read():
        for chunk in iter(lambda: proc.stderr.read1(256), b""):
            err.append(chunk)
            if b"scenario" in chunk:
                solving.set()
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert solving.wait(120), b"".join(err)
    os.killpg(proc.pid, sig) if group else proc.send_signal(sig)
    code = proc.wait(120)
    reader.join(10)
    return code, b"".join(err).decode(), out, js


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_sweep_writes_nothing(tmp_path, sig, code):
    got, err, out, js = _interrupt(tmp_path, sig)
    assert got == code, err
    assert "no output was written" in err and "Traceback" not in err
    assert not js.exists() and not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left either


def test_an_interrupted_sweep_on_workers_writes_nothing(tmp_path):
    start = time.perf_counter()
    got, err, out, js = _interrupt(tmp_path, signal.SIGINT, ["--workers", "2"])
    assert got == 130, err
    assert list(tmp_path.iterdir()) == []
    assert time.perf_counter() - start < 120


def test_ctrl_c_at_a_terminal_stops_a_sweep_on_workers_with_one_line(tmp_path):
    # the terminal sends SIGINT to every process of the group: the workers too, which must
    # leave the stop to the sweep's own process instead of printing a traceback each
    got, err, out, js = _interrupt(tmp_path, signal.SIGINT, ["--workers", "2"], group=True)
    assert got == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert err.rstrip().endswith("wateralloc: interrupted (SIGINT); no output was written"), err
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_scheduler_is_exit_2(capsys):
    from model.cli import main
    assert main(["sweep", "--vary", "cut=0:0.1:2", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "cannot reach it" in capsys.readouterr().err


def test_workers_are_forked_only_from_a_process_that_has_not_run_highs():
    # HiGHS's task scheduler does not survive a fork: in a child forked after its parent had
    # solved the options MIP, the same MIP (1 s in the parent) had not finished after 17 min
    code = ("from model.cli.sweep import start_method; print(start_method()); "
            "from model import load_case, plan; from model.bundled import bundled_case; "
            "plan(load_case(bundled_case())); print(start_method())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["fork", "spawn"]


def test_every_highs_instance_is_counted():
    # the count start_method reads, in this process: each instance the package makes adds one
    from model.cli.sweep import start_method
    from model.solve.highs import highs_made, new_highs
    before = highs_made()
    new_highs()
    new_highs()
    assert highs_made() == before + 2
    assert start_method() == "spawn"
