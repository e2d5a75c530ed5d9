"""`wateralloc sweep [CASE] (--scenarios FILE | --vary PARAM=START:STOP:N ...) [--json FILE]
[--out DIR] [--html FILE] [--xlsx FILE] ...`: many
what-ifs on one case, re-solved warm; `--workers N` or `--scheduler ADDRESS` run them on Dask.

The sweep writes nothing until every scenario is solved (and, with `--verify`, checked), then
writes its files with the one all-or-nothing writer (model.results.output); interrupted (Ctrl-C,
SIGTERM: model.interrupts, installed by the command line), it stops its workers, writes nothing
and exits 130 (SIGINT) or 143 (SIGTERM).
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from model.case import load_case
from model.case.scenarios import read_scenarios, vary_scenarios
from model.cli.solve import case_folder
from model.errors import EXIT_OK, EXIT_SOLVER, UsageError
from model.results.output import check_outputs, write_outputs
from model.solve.highs import highs_made

PRINT_ROWS = 40  # the table is printed for sweeps up to this many scenarios
PROGRESS_AFTER_S = 3.0


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be 1 or more")
    return value


def add_parser(sub) -> argparse.ArgumentParser:
    sweep = sub.add_parser("sweep", help="solve many what-ifs of a case, warm")
    sweep.add_argument("case_dir", nargs="?", default=None,
                       help="case folder, or the name of a bundled case")
    given = sweep.add_mutually_exclusive_group(required=True)
    given.add_argument("--scenarios", type=Path, help="CSV: a scenario column, then one "
                       "column per parameter (cut, stage, capacity:<train>, recovery:<train>, "
                       "demand_factor, demand:<plant>/<use>, tap_cap)")
    given.add_argument("--vary", action="append", metavar="PARAM=START:STOP:N",
                       help="N evenly spaced values of a parameter; repeat for a grid")
    where = sweep.add_mutually_exclusive_group()
    where.add_argument("--workers", type=positive, help="run N local worker processes (Dask)")
    where.add_argument("--scheduler", help="run on an existing Dask cluster at this address, "
                       "e.g. tcp://10.0.0.5:8786")
    sweep.add_argument("--verify", type=int, default=0, metavar="K",
                       help="re-solve K scenarios (chosen at random) cold and fail on any "
                            "difference beyond 1e-7 relative")
    sweep.add_argument("--seed", type=int, default=0, help="seed of --verify's choice")
    sweep.add_argument("--json", type=Path, help="write every scenario's figures as JSON")
    sweep.add_argument("--out", type=Path, help="write sweep.csv (and sweep.parquet when "
                                                "pyarrow is installed) to this folder")
    sweep.add_argument("--html", type=Path, help="write the sweep as one self-contained HTML "
                       "report (line charts or heat maps of tap, cost and shortage)")
    sweep.add_argument("--xlsx", type=Path, help="write the summary and the sweep table as one "
                       "Excel workbook")
    return sweep


@contextmanager
def _dask(args: argparse.Namespace):
    """A Dask client: a LocalCluster of --workers processes on 127.0.0.1, or --scheduler's
    cluster; None without either. Closed (workers stopped) however the sweep ends."""
    if args.workers is None and args.scheduler is None:
        yield None
        return
    from distributed import Client, LocalCluster  # only sweeps with workers need Dask
    cluster = None
    if args.workers is not None:
        import dask
        # Workers forked from this process start with Pyomo, pandas and the model imported
        # (spawned ones import them again: about 2.5 s each, `--workers 2` 24.1 s -> 21.7 s
        # on the 1,000-scenario benchmark). The fork happens on Dask's event-loop thread while
        # this one waits for the cluster; a forked worker ignores the terminal's Ctrl-C, which
        # this process handles by stopping the cluster (model.interrupts). Only a process that
        # has not run HiGHS is forked (`highs_made`).
        with dask.config.set({"distributed.worker.multiprocessing-method": start_method()}):
            cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None,
                                   silence_logs=logging.ERROR)
    try:
        client = Client(cluster if cluster is not None else args.scheduler, timeout="10s")
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        raise UsageError("--scheduler", args.scheduler, f"cannot reach it: {exc}") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def start_method() -> str:
    """How local workers start: forked from this process while it has never made a HiGHS
    instance, spawned afresh otherwise."""
    return "fork" if highs_made() == 0 else "spawn"


def _progress(total: int):
    """A progress bar on stderr that appears only if the sweep is still running after a few
    seconds: scenarios done and left, and the time remaining."""
    from tqdm import tqdm
    return tqdm(total=total, unit="scenario", file=sys.stderr, delay=PROGRESS_AFTER_S,
                dynamic_ncols=True, leave=False)


def _files(table) -> dict[str, str | bytes]:
    """--out: sweep.csv, and sweep.parquet when pyarrow is installed."""
    files: dict[str, str | bytes] = {"sweep.csv": table.to_csv(index=False)}
    try:
        import pyarrow  # noqa: F401  (optional: Parquet only when it is installed)
    except ImportError:
        return files
    files["sweep.parquet"] = table.to_parquet(index=False)
    return files


def run(args: argparse.Namespace) -> int:
    # (the sweep and its table load pandas: imported when the command runs, not with the CLI)
    from model.results.sweep import counts_of, printed_table, summary_line, sweep_json, sweep_table
    from model.studies.sweep import run_sweep, verify
    folder = case_folder(args.case_dir)
    inputs = [folder] + ([args.scenarios] if args.scenarios is not None else [])
    check_outputs(args.out, {"--json": args.json, "--html": args.html, "--xlsx": args.xlsx},
                  inputs)  # before any solve
    case = load_case(folder)
    sweep = read_scenarios(args.scenarios, case) if args.scenarios is not None \
        else vary_scenarios(args.vary, case)
    start = time.perf_counter()
    with _dask(args) as client, _progress(len(sweep.scenarios)) as bar:
        rows = run_sweep(case, sweep, client=client, done=bar.update)
    seconds = time.perf_counter() - start
    counts = counts_of(rows)
    if args.verify > 0:
        checked, problems = verify(case, sweep, rows, args.verify, args.seed)
        if problems:
            print(f"wateralloc: --verify: warm re-solves differ from cold solves in "
                  f"{len(problems)} figure(s); nothing is written:", file=sys.stderr)
            for p in problems:
                print(f"  - {p}", file=sys.stderr)
            return EXIT_SOLVER
    table = sweep_table(rows, [p.column for p in sweep.parameters])
    # the report's charts (plotly) are loaded only for a sweep that writes them
    from model.results.sweep_report import sweep_report, sweep_workbook
    singles = {
        "--json": (args.json, lambda: sweep_json(case.name, rows, counts)),
        "--html": (args.html, lambda: sweep_report(case.name, table, counts, seconds)),
        "--xlsx": (args.xlsx, lambda: sweep_workbook(case.name, table, counts, seconds))}
    write_outputs(args.out, _files(table) if args.out is not None else {},
                  {o: (path, content()) for o, (path, content) in singles.items()
                   if path is not None}, inputs)
    # stdout only once every output is written (the command line ends quietly on `| head`)
    if args.verify > 0:
        print(f"verify: {len(checked)} scenarios re-solved cold agree within 1e-7 relative")
    if len(rows) <= PRINT_ROWS:
        print(printed_table(table))
    print(summary_line(counts, seconds))
    return EXIT_OK

