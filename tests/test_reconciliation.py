"""The written report reconciles with itself (tests/reconcile.py) on every bundled case, and on
rationed variants of the steady and drought cases, run through the command line."""
from __future__ import annotations

import pytest

from model.bundled import bundled_case_names
from model.cli import main
from tests.reconcile import check_reconciliation

RATIONED = [("ntip-2019-phase2", ["--cut", "0.10"]), ("ntip-2019-phase2", ["--stage", "orange"]),
            ("ntip-2015-phase1", ["--cut", "0.07"]),
            ("kaohsiung-2023-drought", ["--cut", "0.2"]),
            ("kaohsiung-2021-drought", ["--no-fair-share"])]


@pytest.mark.parametrize("name, options", [(n, []) for n in bundled_case_names()] + RATIONED)
def test_every_table_reconciles_with_every_other(name, options, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["solve", name, *options, "--no-largest-cut", "--out", str(out)]) == 0, \
        capsys.readouterr().err
    check_reconciliation(out)
