"""The page's changes and its one re-solve function, without a browser: a change gives the same
case as a folder with that change; a failed solve gives the command line's message and no
figure; `wateralloc app` rejects an invalid case before serving."""
from __future__ import annotations

import shutil
import sys
from dataclasses import replace

import pytest

from model.app.callbacks import replan
from model.app.page import Session
from model.app.whatif import WhatIf, apply, resolve
from model.bundled import bundled_case
from model.case import load_case
from model.cli import main
from tests.test_cli_errors import MIN_TAP, one_use_case

CASE = bundled_case("ntip-2019-phase2")


def test_a_train_change_is_the_case_with_that_train(tmp_path):
    folder = shutil.copytree(CASE, tmp_path / "c")
    text = (folder / "treatment.csv").read_text(encoding="utf-8")
    (folder / "treatment.csv").write_text(text.replace("K14,40000,0.7,", "K14,30000,0.75,"),
                                          encoding="utf-8")
    changed = apply(load_case(CASE), WhatIf({"K14": (30000, 0.75)}))
    assert changed == load_case(folder)
    assert apply(load_case(CASE), WhatIf({"K14": (None, None)})) == load_case(CASE)


def test_the_demand_factor_scales_tap_when_no_limit_binds():
    # K14 treats about 20,000 of its 40,000 m3/day: at 1.5 times the demand nothing else binds,
    # and every volume of the plan scales by 1.5 (the LP is homogeneous in the volumes)
    base = resolve(load_case(CASE), WhatIf())
    more = resolve(load_case(CASE), WhatIf(demand_factor=1.5))
    assert more.summary.tap_m3_per_day == pytest.approx(1.5 * base.summary.tap_m3_per_day,
                                                        rel=1e-7)
    assert more.summary.demand_m3_per_day == pytest.approx(1.5 * 21_500, rel=1e-12)


@pytest.mark.parametrize("change, words", [
    (WhatIf({"K14": (None, 0)}), "invalid option K14 recovery 0.0: must be in (0, 1]"),
    (WhatIf({"K14": (-5, None)}), "invalid option K14 capacity_m3_per_day -5: must be >= 0"),
    (WhatIf(demand_factor=-1), "invalid option demand factor -1: must be >= 0"),
    (WhatIf(cut=1.0), "invalid option --cut 1.0: a cut is a fraction in [0, 1)"),
    (WhatIf(stage="purple"), "invalid option --stage 'purple': unknown stage"),
    (WhatIf(stage="orange", cut=0.1), "give a stage or a cut, not both"),
])
def test_an_invalid_change_gives_the_command_lines_message_and_no_figure(change, words):
    trains = change.trains.get("K14", (40000, 0.7))
    out = replan(Session(), {"path": str(CASE), "name": "x"}, [trains[0]], [trains[1]],
                 [{"type": "capacity", "train": "K14"}], change.stage, change.cut,
                 change.demand_factor)
    headline, figure, table, message, key = out
    assert words in message and message.startswith("wateralloc: ")
    assert headline == [] and table is None and key is None
    assert not [t for t in figure.data if t.type == "sankey"]


def test_an_infeasible_case_gives_the_command_lines_message_and_no_figure(tmp_path, capsys):
    folder = one_use_case(tmp_path / "capped", tap_cap=50.0)  # below the least tap, 66.7
    assert main(["solve", str(folder), "--no-largest-cut"]) == 3
    cli = capsys.readouterr().err.strip()
    out = replan(Session(), {"path": str(folder), "name": "capped"}, [None], [None],
                 [{"type": "capacity", "train": "T"}], None, None, 1)
    assert out[3] == cli and f"{MIN_TAP:,.1f}" in cli
    assert out[0] == [] and out[2] is None
    # and with the cap lifted by the page's demand factor, a plan is shown again
    lifted = replan(Session(), {"path": str(folder), "name": "capped"}, [None], [None],
                    [{"type": "capacity", "train": "T"}], None, None, 0.5)
    assert lifted[3] == "" and lifted[0] != []


def test_app_with_an_invalid_case_exits_2_before_serving(tmp_path, capsys):
    assert main(["app", str(tmp_path / "missing")]) == 2
    assert "case folder does not exist" in capsys.readouterr().err


def test_app_without_its_extra_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "model.app.serve", None)  # as if dash were missing
    assert main(["app"]) == 2
    assert "pip install 'wateralloc[app]'" in capsys.readouterr().err
