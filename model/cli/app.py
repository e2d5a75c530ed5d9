"""`wateralloc app [CASE] [--port N]`: the what-if page on 127.0.0.1 (model.app)."""
from __future__ import annotations

import argparse

from model.bundled import DEFAULT_CASE, bundled_case_names
from model.case import load_case
from model.cli.solve import case_folder
from model.errors import EXIT_OK, UsageError


def add_parser(sub) -> argparse.ArgumentParser:
    app = sub.add_parser("app", help="serve the what-if page on 127.0.0.1 and print its address")
    app.add_argument("case", nargs="?", default=DEFAULT_CASE,
                     help="the case shown first: a bundled case's name, a case folder or a "
                          f"case workbook (default: {DEFAULT_CASE})")
    app.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    return app


def run(args: argparse.Namespace) -> int:
    try:  # the page's framework is an optional extra; the rest of the tool runs without it
        from model.app.serve import serve
    except ImportError as exc:
        raise UsageError("app", args.case, f"the page needs the [app] extra ({exc.name} is "
                                           "missing): pip install 'wateralloc[app]'") from None
    if not 0 <= args.port < 65536:
        raise UsageError("--port", args.port, "a port is 0 (any free port) to 65535")
    load_case(case_folder(args.case))  # an invalid case is reported here, exit 2
    shown = args.case if args.case in bundled_case_names() else str(case_folder(args.case))
    serve(shown, args.port)
    return EXIT_OK
