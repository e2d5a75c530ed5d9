"""Estimate the mutation score of the mutants a full pass has not reached, from a seeded random
sample of them (docs/testing.md, "Mutation testing").

mutmut runs mutants in order of their tests' time, fastest first, so the mutants left when a
pass stops are not like the ones it ran: they are those of the functions every test runs
(building the model, collecting the tables), whose mutants are slowest to survive. Running all
of them takes about half a day of both cores. A simple random sample of them, drawn with a
fixed seed per subpackage, gives an unbiased estimate of their score with a confidence
interval instead:

    .venv/bin/python tools/mutation_sample.py draw --per-package 120 --seed 20261126 > sample.txt
    CI=true .venv/bin/mutmut run --max-children 2 $(cat sample.txt)
    .venv/bin/python tools/mutation_sample.py score sample.txt

`draw` prints the names of not-yet-run mutants, `per-package` from each of model/formulation,
model/solve and model/results (all of them where fewer are left). `score` prints, per
subpackage, how the sample's mutants ended in mutmut and the Wilson 95% interval of the share
killed (timeouts counted as mutmut counts them, as kills). A survivor is a lower bound on
nothing: re-check it against the tests written for it, as for any survivor, and say which
verdict it got.

Run it from the project folder, after a `mutmut run` has made `mutants/`.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

from scipy.stats import binomtest

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


def draw(found: dict[str, dict[str, int | None]], per_package: int, seed: int) -> list[str]:
    """A simple random sample of the mutants not yet run, `per_package` from each subpackage
    (in the order of their files' paths, then their names, as `verdicts` reads them)."""
    rng = random.Random(seed)
    names: list[str] = []
    for package in PACKAGES:
        left = [name for name, code in found[package].items() if code is None]
        names += rng.sample(left, min(per_package, len(left)))
    return names


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


def tally(found: dict[str, dict[str, int | None]], names: list[str]) -> dict[str, Counter]:
    """How the named mutants ended, by subpackage."""
    by_name = {name: (package, code) for package, codes in found.items()
               for name, code in codes.items()}
    counts = {package: Counter() for package in PACKAGES}
    for name in names:
        package, code = by_name[name]
        counts[package][outcome(code)] += 1
    return counts


def killed_interval(killed: int, run: int, level: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of the share killed."""
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
    s = sub.add_parser("score", help="how a sample's mutants ended, with a 95%% interval")
    s.add_argument("names", type=Path, help="the file `draw` wrote")
    args = parser.parse_args(argv)
    found = verdicts(args.mutants)
    if args.command == "draw":
        print("\n".join(draw(found, args.per_package, args.seed)))
    else:
        print("\n".join(score_lines(tally(found, args.names.read_text().split()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
