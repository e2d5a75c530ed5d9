"""`wateralloc cases`: list the bundled cases."""
from __future__ import annotations

import argparse

from model.bundled import bundled_case_names
from model.errors import EXIT_OK


def add_parser(sub) -> argparse.ArgumentParser:
    return sub.add_parser("cases", help="list the bundled cases")


def run(args: argparse.Namespace) -> int:
    print("\n".join(bundled_case_names()))
    return EXIT_OK
