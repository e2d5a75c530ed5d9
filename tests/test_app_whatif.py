"""The page's changes and its one re-solve function, without a browser: a change gives the same
case as a folder with that change; a failed solve gives the command line's message and no
figure; `wateralloc app` rejects an invalid case before serving, and removes its uploads when
stopped."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import replace

import pytest

from model.app.callbacks import replan
from model.app.page import Session
from model.app.whatif import WhatIf, apply, resolve
from model.bundled import bundled_case
from model.case import load_case
from model.case.options import apply_options
from model.cli import main
from model.studies import plan, with_cut
from model.studies.whatif import WarmPlans
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


@pytest.mark.parametrize("stop, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_stopping_the_page_removes_its_uploaded_workbooks(tmp_path, stop, code):
    # the page as a user starts it, its temporary files in a folder of the test's own; the
    # session's folder of uploads exists while it serves (a workbook put there as an upload
    # would be), and is gone once Ctrl+C (or SIGTERM) has stopped it, with the usual exit code
    temp = tmp_path / "temp"
    temp.mkdir()
    server = subprocess.Popen([sys.executable, "-m", "model", "app", "ntip-2019-phase2"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env={**os.environ, "TMPDIR": str(temp)})
    try:
        line = server.stdout.readline()
        assert line.startswith("wateralloc app: http://127.0.0.1:"), line
        (folder,) = temp.glob("wateralloc-app-*")
        (folder / "upload-1.xlsx").write_bytes(b"an uploaded workbook")
        # stopped while it serves, as a user stops it: once the page answers (the web server
        # catches KeyboardInterrupt itself, which once ended the run with exit 0)
        url = line.split()[2]
        for _ in range(600):
            try:
                with urllib.request.urlopen(url, timeout=5) as page:
                    assert page.status == 200
                break
            except urllib.error.URLError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"the page at {url} never answered")
        server.send_signal(stop)
        assert server.wait(timeout=60) == code
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert list(temp.iterdir()) == []


def test_app_without_its_extra_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "model.app.serve", None)  # as if dash were missing
    assert main(["app"]) == 2
    assert "pip install 'wateralloc[app]'" in capsys.readouterr().err


# --- warm re-solves: every answer equals the plan of the changed case from scratch -----------

PHASE3 = bundled_case("ntip-2028-phase3")
RTOL = 1e-7  # as sweeps: warm and cold agree within RTOL x max(|warm|, |cold|, 1)


def _assert_same_plan(warm, cold):
    """The figures the stages decide agree within RTOL: the headline (tap, shortage, cost,
    recycled, tap share), each train's treated volume and marginal values, each plant's tap
    (the even-sharing stage). Which plant takes recycled rather than outside water, or how a
    class's shortage is spread under rationing, can tie in every stage (both plans are optimal
    for each), so those are checked by each plant's balance instead."""
    a, b = warm.summary, cold.summary
    for key in ("tap_m3_per_day", "shortage_m3", "cost_per_day", "recycled_m3_per_day",
                "tap_share", "demand_m3_per_day"):
        x, y = getattr(a, key), getattr(b, key)
        assert abs(x - y) <= RTOL * max(abs(x), abs(y), 1.0), (key, x, y)
    assert [t.train for t in a.trains] == [t.train for t in b.trains]
    for s, t in zip(a.trains, b.trains):
        for key in ("capacity_value", "recovery_value", "treated_m3_per_day"):
            x, y = getattr(s, key), getattr(t, key)
            assert abs(x - y) <= RTOL * max(abs(x), abs(y), 1.0), (s.train, key, x, y)
    assert list(warm.plants.plant) == list(cold.plants.plant)
    for column in ("tap_m3_per_day", "demand_m3_per_day"):
        for x, y in zip(warm.plants[column], cold.plants[column]):
            assert abs(x - y) <= RTOL * max(abs(x), abs(y), 1.0), (column, x, y)
    p = warm.plants
    supplied = p.tap_m3_per_day + p.recycled_m3_per_day + sum(
        p[c] for c in ("shortage_m3_per_day", "outside_supply_m3_per_day") if c in p)
    assert ((supplied - p.demand_m3_per_day).abs() <= 1e-6 * p.demand_m3_per_day).all()


def test_warm_what_ifs_equal_cold_plans_in_any_order():
    case = load_case(CASE)
    plans = WarmPlans(case)
    for change in (WhatIf(), WhatIf({"K14": (None, 0.75)}, cut=0.1),
                   WhatIf(stage="orange", demand_factor=1.2), WhatIf({"K14": (15000, 0.6)}),
                   WhatIf(cut=0.05), WhatIf(demand_factor=0.8), WhatIf()):
        _assert_same_plan(resolve(case, change, plans), plan(apply(case, change)))


def test_warm_option_switches_equal_cold_plans():
    case = load_case(PHASE3)
    plans = WarmPlans(case)
    for change in (WhatIf(), WhatIf(options=("Nanzih-reclaimed",)),
                   WhatIf(options=("K14-Zone3-link", "K14-recovery-80"), cut=0.1),
                   WhatIf(options=("K18B-train", "K14-capacity")),
                   WhatIf({"K14": (30000, None)}, options=("K14-capacity",)),
                   WhatIf(options=("Nanzih-reclaimed",), stage="red"), WhatIf()):
        warm = resolve(case, change, plans)
        cold = plan(with_cut(apply_options(case, change.options), change.cut, change.stage)
                    if change.trains == {} else apply(case, change))
        _assert_same_plan(warm, cold)
    # one warm model per (structural options, rationed): the capacity and recovery options
    # only move numbers, so they share the model of the structure they are built on
    assert set(plans.models) == {((), False), (("Nanzih-reclaimed",), False),
                                 (("K14-Zone3-link",), True), (("K18B-train",), False),
                                 (("Nanzih-reclaimed",), True)}


def test_an_option_switch_in_the_callback_gives_the_cold_plans_tap():
    # Nanzih reclaimed water in: README's options table saves 4,829 m3/day of 16,496.2
    ids = [{"type": "option", "option": o.name} for o in load_case(PHASE3).options]
    switches = ["in" if i["option"] == "Nanzih-reclaimed" else "out" for i in ids]
    out = replan(Session(), {"path": str(PHASE3), "name": "p3"}, [None], [None],
                 [{"type": "capacity", "train": "K14"}], None, None, 1, switches, ids)
    headline, _, _, message, key = out
    tap = float(_data_value(headline, "tap"))
    cold = plan(apply_options(load_case(PHASE3), ["Nanzih-reclaimed"])).summary.tap_m3_per_day
    assert message == "" and tap == pytest.approx(cold, rel=RTOL)
    assert tap == pytest.approx(16496.2 - 4829, abs=0.6)
    assert key["what_if"][-2] == switches


def test_switching_in_options_that_exclude_each_other_is_the_usage_message():
    ids = [{"type": "option", "option": "K14-Zone3-link"},
           {"type": "option", "option": "K18B-train"}]
    out = replan(Session(), {"path": str(PHASE3), "name": "p3"}, [None], [None],
                 [{"type": "capacity", "train": "K14"}], None, None, 1, ["in", "in"], ids)
    assert out[3] == ("wateralloc: invalid option switch 'K18B-train': options K14-Zone3-link "
                      "and K18B-train exclude each other: leave one of them out")
    assert out[0] == [] and out[2] is None and out[4] is None


def test_a_warm_what_if_that_is_infeasible_gives_the_command_lines_message(tmp_path, capsys):
    # the one-use case capped at 50 m3/day of tap is infeasible (least tap 66.7); the warm model
    # of the uncapped case says so too, and the page shows the CLI's words, via the cold plan
    folder = one_use_case(tmp_path / "capped", tap_cap=50.0)
    assert main(["solve", str(folder), "--no-largest-cut"]) == 3
    cli = capsys.readouterr().err.strip()
    session = Session()
    ids = [{"type": "capacity", "train": "T"}]
    ok = replan(session, {"path": str(folder), "name": "c"}, [None], [None], ids, None, None,
                0.5)
    assert ok[3] == "" and ok[0] != []
    failed = replan(session, {"path": str(folder), "name": "c"}, [None], [None], ids, None,
                    None, 1)
    assert failed[3] == cli and failed[0] == [] and failed[2] is None


def _data_value(children, element_id: str):
    """The `data-value` of the element with `element_id` among Dash components."""
    for child in children:
        if getattr(child, "id", None) == element_id:
            return child.to_plotly_json()["props"]["data-value"]
        inner = getattr(child, "children", None)
        if isinstance(inner, list) and (found := _data_value(inner, element_id)) is not None:
            return found
    return None
