"""Estimate the mutation score of the mutants a full pass has not reached, from a seeded random
sample of them (docs/testing.md, "Mutation testing").

mutmut runs mutants in order of their tests' time, fastest first, so the mutants left when a
pass stops are not like the ones it ran: they are those of the functions every test runs
(building the model, collecting the tables), whose mutants are slowest to survive. Running all
of them takes about half a day of both cores. A simple random sample of them, drawn with a
fixed seed per subpackage, gives an unbiased estimate of their score with a confidence
interval instead:

    .venv/bin/python tools/mutation_sample.py draw --per-package 50 --seed 20261128 \
        --exclude docs/mutation-samples/*.txt > sample.txt
    .venv/bin/python tools/mutation_sample.py run --fork sample.txt results.txt
    .venv/bin/python tools/mutation_sample.py score sample.txt --results results.txt

`draw` prints the names of not-yet-run mutants (leaving out those named in the `--exclude`
files, i.e. earlier samples), `per-package` from each of model/formulation, model/solve and
model/results (all of them where fewer are left). `run` runs the sample in its own order, not
mutmut's: `mutmut run NAMES` takes the named mutants shortest test list first, so a run stopped
part way is a biased sample. Each mutant runs against the tests mutmut recorded for its function
(`mutants/mutmut-stats.json`), fastest first, stopping at the first failure, two at a time; each
verdict is appended to the results file as soon as it is known, so an interrupted run resumes
where it stopped. pytest's exit code 1 is a kill; a test process killed by a signal (a crash,
e.g. a segmentation fault) is counted as a kill too, since the suite fails on it, but shown
apart. `score` prints, per subpackage, how the sample's mutants ended (from the results file,
else from mutmut's own runs) and the Wilson 95% interval of the share killed (timeouts counted
as mutmut counts them, as kills). With `--fork`, each mutant's pytest is forked from a server
that has imported the libraries and the mutated package once, as mutmut's own runs are, which
takes about 4 s off each mutant (a killed one takes 4-10 s instead of 7-15). Do not edit this
file while a `--fork` run is going on: each child imports it afresh, and a changed child
function would fail every mutant from then on (each would be counted as killed in 0 s). The
server imports the package with no mutant on, so a function run at import time runs unmutated
under `--fork` (in model/, only `results.atomic._renameat2`): run its mutants without it. A survivor is a lower bound on nothing: re-check it against
the tests written for it, as for any survivor, and say which verdict it got.

Run it from the project folder, after a `mutmut run` has made `mutants/` and profiled the tests
(mutmut lists a test for a function only once it has run the suite with it; tests written
after that are not run on the sample until mutmut profiles again).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import multiprocessing.forkserver
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


PACKAGES = ("formulation", "solve", "results")
# mutmut's exit codes (mutmut.stats.status_by_exit_code): None is "not checked"
KILLED = {1, 3}
SURVIVED = {0}
TIMEOUT = {36, -24, 24, 152, 255}


def verdicts(mutants: Path) -> dict[str, dict[str, int | None]]:
    """Every mutant of the three subpackages, by subpackage: name -> mutmut's exit code."""
    found: dict[str, dict[str, int | None]] = {p: {} for p in PACKAGES}
    for meta in sorted((mutants / "model").rglob("*.meta")):
        package = meta.relative_to(mutants / "model").parts[0]
        if package in found:
            found[package].update(sorted(json.loads(meta.read_text())["exit_code_by_key"].items()))
    return found


def draw(found: dict[str, dict[str, int | None]], per_package: int, seed: int,
         exclude: frozenset[str] = frozenset(), only: tuple[str, ...] = ("model.",)) -> list[str]:
    """A simple random sample of the mutants not yet run and not in `exclude` whose names start
    with one of `only`, `per_package` from each subpackage (in the order of their files' paths,
    then their names, as `verdicts` reads them). With `per_package` at least the number left,
    it is all of them: a census."""
    rng = random.Random(seed)
    names: list[str] = []
    for package in PACKAGES:
        left = [name for name, code in found[package].items()
                if code is None and name not in exclude and name.startswith(only)]
        names += rng.sample(left, min(per_package, len(left)))
    return names


def run_order(names: list[str]) -> list[str]:
    """The sample's names, the subpackages interleaved (first of each, second of each, ...), so
    that each subpackage's share done grows evenly and a run stopped part way leaves each
    subpackage a prefix of its own random order."""
    by_package: dict[str, list[str]] = {}
    for name in names:
        by_package.setdefault(name.split(".")[1], []).append(name)
    longest = max(map(len, by_package.values()), default=0)
    return [group[i] for i in range(longest) for group in by_package.values() if i < len(group)]


def function_of(name: str) -> str:
    return name.rsplit("__mutmut_", 1)[0]


def tests_of(name: str, stats: dict, killers: dict[str, Counter] | None = None) -> list[str]:
    """The tests mutmut recorded for the mutant's function: first those that have killed other
    mutants of the function in this run (`killers`, most kills first), then the rest fastest
    first. The mutant runs the same tests either way; a kill just tends to come sooner, since
    mutants of one function mostly fail the same few tests."""
    duration = stats["duration_by_test"]
    tests = stats["tests_by_mangled_function_name"].get(function_of(name), [])
    kills = (killers or {}).get(function_of(name), Counter())
    return sorted(tests, key=lambda test: (-kills[test], duration.get(test, 0.0), test))


def first_failure(output: str) -> str | None:
    """The node id of the first test pytest's short summary lists as failed or in error."""
    for line in output.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            return line.split(" ", 1)[1].split(" - ", 1)[0].strip()
    return None


def verdict(returncode: int) -> str:
    """pytest's exit code as a verdict: 1 (a test failed) killed, 0 survived, a signal crashed
    (counted as a kill), anything else (usage or collection error) an error that counts as
    nothing."""
    if returncode == 1:
        return "killed"
    if returncode == 0:
        return "survived"
    return "crashed" if returncode < 0 else f"error{returncode}"


def read_results(path: Path) -> dict[str, str]:
    """name -> verdict, from the lines `run` appended ("name verdict seconds [test]")."""
    return {fields[0]: fields[1] for fields in _result_lines(path)}


def read_killers(path: Path) -> dict[str, Counter]:
    """function -> how many of its mutants each test killed, from the results file."""
    killers: dict[str, Counter] = {}
    for fields in _result_lines(path):
        if len(fields) > 3:
            killers.setdefault(function_of(fields[0]), Counter())[fields[3]] += 1
    return killers


def _result_lines(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    return [line.split(maxsplit=3) for line in path.read_text().splitlines() if line.strip()]


PYTEST_ARGS = ("-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-n0")


def pytest_runner(mutants: Path, timeout_s: float):
    """Runs one mutant's tests in `mutants/` with mutmut's trampoline switched to it: pytest's
    exit code (None when the tests time out) and the first test that failed."""
    def run(name: str, tests: list[str]) -> tuple[int | None, str | None]:
        env = {**os.environ, "MUTANT_UNDER_TEST": name, "CI": "true"}
        try:
            done = subprocess.run([sys.executable, "-m", "pytest", *PYTEST_ARGS, *tests],
                                  cwd=mutants, env=env, capture_output=True, text=True,
                                  timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None, None
        return done.returncode, first_failure(done.stdout)
    return run


PRELOAD = ("pytest", "hypothesis", "numpy", "pandas", "scipy.sparse", "highspy", "pyomo.environ",
           "plotly.graph_objects", "openpyxl", "model.cli.solve", "model.cli.sweep")


def _pytest_in_child(mutants: str, name: str, tests: list[str], output: str) -> None:
    """A forked child: switch the mutant on, run its tests with their output to the file
    `output`, exit with pytest's code."""
    os.chdir(mutants)
    sys.path.insert(0, mutants)  # as `python -m pytest` in mutants/ has it (multiprocessing
    # gives each child the path of the process that started it, not the server's)
    os.environ.update({"MUTANT_UNDER_TEST": name, "CI": "true"})
    out = os.open(output, os.O_WRONLY)
    os.dup2(out, 1)
    os.dup2(out, 2)
    import pytest
    code = pytest.main([*PYTEST_ARGS, *tests])
    sys.stdout.flush()
    os._exit(int(code))


def fork_runner(mutants: Path, timeout_s: float, preload: tuple[str, ...] = PRELOAD):
    """As `pytest_runner`, but each mutant's pytest is forked from a server process that has
    imported pytest, Pyomo, pandas, HiGHS and the mutated package once (multiprocessing's
    forkserver), as mutmut forks its own runs: about 4 s less per mutant, most of a killed
    mutant's time. The server starts in `mutants/`, so that it imports the mutated package
    (a `python -c` process's path starts with its folder; Python 3.11's forkserver does not
    take its parent's path); a module it cannot import is skipped (the child imports it)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    here = os.getcwd()
    os.chdir(mutants)  # the server runs `python -c`, whose path starts with its folder
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        os.chdir(here)

    def run(name: str, tests: list[str]) -> tuple[int | None, str | None]:
        with tempfile.NamedTemporaryFile("r", suffix=".out") as output:
            child = context.Process(target=_pytest_in_child,
                                    args=(str(mutants), name, tests, output.name))
            child.start()
            child.join(timeout_s)
            timed_out = child.exitcode is None
            if timed_out:
                child.kill()
                child.join()
            code = None if timed_out else child.exitcode
            child.close()
            return code, None if timed_out else first_failure(output.read())
    return run


def run_sample(names: list[str], results: Path, stats: dict, runner, workers: int = 2) -> None:
    """Run each mutant not yet in `results` (resuming an interrupted run), in `run_order`,
    `workers` at a time, its function's killers first (`tests_of`); append "name verdict
    seconds" as each ends, and the test that killed it."""
    done = read_results(results)
    killers = read_killers(results)
    lock = threading.Lock()

    def one(name: str) -> None:
        with lock:
            tests = tests_of(name, stats, killers)
        t0 = time.perf_counter()
        code, failed = runner(name, tests) if tests else ("notests", None)
        result = code if code == "notests" else "timeout" if code is None else verdict(code)
        killer = failed if result == "killed" and failed in tests else None
        with lock, results.open("a") as out:
            out.write(f"{name} {result} {time.perf_counter() - t0:.0f}"
                      + (f" {killer}" if killer else "") + "\n")
            if killer:
                killers.setdefault(function_of(name), Counter())[killer] += 1

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, [n for n in run_order(names) if n not in done]))


def outcome(code: int | None) -> str:
    if code is None:
        return "not run"
    if code in KILLED:
        return "killed"
    if code in TIMEOUT:
        return "timeout"
    if code in SURVIVED:
        return "survived"
    return "other"


# `run`'s verdicts as `score` counts them; an error or a mutant with no test is "other"
RUN_OUTCOME = {"killed": "killed", "crashed": "killed", "survived": "survived",
               "timeout": "timeout"}


def tally(found: dict[str, dict[str, int | None]], names: list[str],
          results: dict[str, str] | None = None) -> dict[str, Counter]:
    """How the named mutants ended, by subpackage: the verdict `run` gave where there is one
    (a crash counted as killed, an error or a mutant with no test as other), else mutmut's."""
    by_name = {name: (package, code) for package, codes in found.items()
               for name, code in codes.items()}
    counts = {package: Counter() for package in PACKAGES}
    for name in names:
        package, code = by_name[name]
        given = (results or {}).get(name)
        counts[package][outcome(code) if given is None else RUN_OUTCOME.get(given, "other")] += 1
    return counts


def killed_interval(killed: int, run: int, level: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of the share killed."""
    from scipy.stats import binomtest  # here: each forked child imports this file again
    ci = binomtest(killed, run).proportion_ci(confidence_level=level, method="wilson")
    return ci.low, ci.high


def score_lines(counts: dict[str, Counter]) -> list[str]:
    lines = ["package      sample  run  killed  timeout  survived  other  not_run  "
             "killed/run  95% interval"]
    for package, c in counts.items():
        run = c["killed"] + c["timeout"] + c["survived"] + c["other"]
        kills = c["killed"] + c["timeout"]
        share, (low, high) = ((kills / run, killed_interval(kills, run)) if run else
                              (float("nan"), (float("nan"), float("nan"))))
        lines.append(f"{package:<12} {sum(c.values()):>6} {run:>4} {c['killed']:>7} "
                     f"{c['timeout']:>8} {c['survived']:>9} {c['other']:>6} {c['not run']:>8}  "
                     f"{share:>10.1%}  {low:.1%}-{high:.1%}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=Path, default=Path("mutants"))
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draw", help="print a seeded sample of the mutants not yet run")
    d.add_argument("--per-package", type=int, default=120)
    d.add_argument("--seed", type=int, default=20261126)
    d.add_argument("--exclude", type=Path, nargs="*", default=[],
                   help="files of names not to draw (earlier samples)")
    d.add_argument("--only", nargs="+", default=["model."],
                   help="draw only mutants whose names start with one of these, e.g. "
                        "model.results.report.x__drought_text")
    r = sub.add_parser("run", help="run a sample in its own order; resumes an interrupted run")
    r.add_argument("names", type=Path, help="the file `draw` wrote")
    r.add_argument("results", type=Path, help="appended: one 'name verdict seconds' per mutant")
    r.add_argument("--workers", type=int, default=2)
    r.add_argument("--timeout", type=float, default=1500.0, help="seconds per mutant")
    r.add_argument("--fork", action="store_true",
                   help="fork each mutant's pytest from a process that has imported the "
                        "libraries and the package once, instead of starting a new one")
    s = sub.add_parser("score", help="how a sample's mutants ended, with a 95%% interval")
    s.add_argument("names", type=Path, help="the file `draw` wrote")
    s.add_argument("--results", type=Path, help="the file `run` wrote")
    args = parser.parse_args(argv)
    found = verdicts(args.mutants)
    if args.command == "draw":
        exclude = frozenset(n for f in args.exclude for n in f.read_text().split())
        print("\n".join(draw(found, args.per_package, args.seed, exclude, tuple(args.only))))
    elif args.command == "run":
        stats = json.loads((args.mutants / "mutmut-stats.json").read_text())
        runner = fork_runner if args.fork else pytest_runner
        run_sample(args.names.read_text().split(), args.results, stats,
                   runner(args.mutants.resolve(), args.timeout), args.workers)
    else:
        results = read_results(args.results) if args.results else None
        print("\n".join(score_lines(tally(found, args.names.read_text().split(), results))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
