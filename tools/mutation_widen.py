"""Give every mutated function the whole test modules of its tests, then let mutmut re-run its
survivors: the fix for module fixtures hiding tests from mutmut (docs/testing.md, "Mutation
testing").

mutmut profiles the suite once and records, per function, the tests during which it ran. A
module-scoped fixture runs inside the first test that asks for it, so its functions are recorded
against that test alone, and a mutant of them is never run against the module's other tests,
which read the fixture's output: it "survives" though a test fails on it. This script widens
each function's list in `mutants/mutmut-stats.json` to every test of the modules it already
names (tests of other modules are not added), and with `--reset` clears the verdict of every
surviving mutant whose list grew, so that a plain `mutmut run` (no names) runs those again and
nothing else:

    .venv/bin/python tools/mutation_widen.py --reset      # with mutmut stopped
    CI=true .venv/bin/mutmut run

It prints how many functions gained tests and how many verdicts it cleared. Run it from the
project folder, after a `mutmut run` has made `mutants/`.
"""
from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

SURVIVED = 0  # mutmut's exit code for a mutant on which every test passed


def _module(test_id: str) -> str:
    return test_id.split("::", 1)[0]


def widen(stats: dict) -> set[str]:
    """Widen `stats` in place; return the functions whose test list grew."""
    by_module: dict[str, set[str]] = defaultdict(set)
    for test_id in stats["duration_by_test"]:
        by_module[_module(test_id)].add(test_id)
    grown = set()
    for function, tests in stats["tests_by_mangled_function_name"].items():
        wide = set(tests).union(*(by_module[_module(t)] for t in tests))
        if wide != set(tests):
            stats["tests_by_mangled_function_name"][function] = sorted(wide)
            grown.add(function)
    return grown


def reset_survivors(mutants: Path, functions: set[str]) -> int:
    """Clear the verdict of every survivor of `functions`; return how many were cleared."""
    cleared = 0
    for meta in mutants.rglob("*.py.meta"):
        data = json.loads(meta.read_text())
        verdicts = data["exit_code_by_key"]
        names = [name for name, code in verdicts.items()
                 if code == SURVIVED and name.rsplit("__mutmut_", 1)[0] in functions]
        for name in names:
            verdicts[name] = None
        if names:
            meta.write_text(json.dumps(data, indent=4))
            cleared += len(names)
    return cleared


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutants", type=Path, default=Path("mutants"))
    parser.add_argument("--reset", action="store_true",
                        help="clear the verdicts of survivors whose functions gained tests")
    args = parser.parse_args(argv)
    path = args.mutants / "mutmut-stats.json"
    stats = json.loads(path.read_text())
    grown = widen(stats)
    path.write_text(json.dumps(stats))
    cleared = reset_survivors(args.mutants, grown) if args.reset else 0
    print(f"{len(grown)} functions gained tests; {cleared} survivors to run again")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
