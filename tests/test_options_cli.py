"""`wateralloc options` end to end on the shipped 2028 case: its JSON keys, its files, and its
exit codes (0, 2 usage, 3 no portfolio is enough, 4 stopped by the time limit)."""
from __future__ import annotations

import json
import re
import shutil
import time

import pandas as pd
import pytest

from model import load_case, plan
from model.bundled import bundled_case
from model.cli import main

OPTION_KEYS = {"option", "tap_saved_m3_per_day", "capex", "annualized_cost_per_year",
               "cost_per_m3_saved", "payback_years", "largest_uniform_cut"}
PORTFOLIO_KEYS = {"selected", "capex", "annualized_cost_per_year", "tap_m3_per_day",
                  "shortage_m3"}
FRONT_KEYS = {"max_tap_m3_per_day", "selected", "annualized_cost_per_year", "tap_m3_per_day"}


def test_max_tap_writes_json_and_tables(tmp_path, capsys):
    js, out = tmp_path / "o.json", tmp_path / "out"
    # a tap share of 0.25 of the 2028 campus's 30,500 m3/day
    assert main(["options", "ntip-2028-phase3", "--max-tap", "7625", "--json", str(js),
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    d = json.loads(js.read_text())
    assert {"options", "portfolio", "front"} <= d.keys() and d["front"] is None
    assert all(OPTION_KEYS <= o.keys() for o in d["options"]) and len(d["options"]) == 7
    p = d["portfolio"]
    assert PORTFOLIO_KEYS <= p.keys() and p["tap_m3_per_day"] <= 7625 * (1 + 1e-9)
    # the chosen portfolio's capex is the sum of its options' capex in options.csv
    catalogue = pd.read_csv(bundled_case("ntip-2028-phase3") / "options.csv")
    assert p["capex"] == pytest.approx(
        catalogue.set_index("option").capex[p["selected"]].sum(), rel=1e-12)
    assert ", ".join(p["selected"]) in printed
    names = {f.name for f in out.iterdir()}
    assert {"options.csv", "portfolio.csv", "options.json", "allocation.csv",
            "summary.json"} <= names
    alloc = pd.read_csv(out / "allocation.csv")  # the chosen portfolio's plan
    assert alloc[alloc.source == "tap"].m3_per_day.sum() == pytest.approx(p["tap_m3_per_day"],
                                                                          rel=1e-9)
    assert not list(out.glob(".*.tmp"))


def test_front_is_the_default(tmp_path):
    js = tmp_path / "o.json"
    assert main(["options", "ntip-2028-phase3", "--front", "3", "--json", str(js)]) == 0
    d = json.loads(js.read_text())
    assert d["portfolio"] is None and len(d["front"]) == 3
    assert all(FRONT_KEYS <= q.keys() for q in d["front"])
    caps = [q["max_tap_m3_per_day"] for q in d["front"]]
    assert caps == sorted(caps, reverse=True)
    # a lower tap target never costs less
    costs = [q["annualized_cost_per_year"] for q in d["front"]]
    assert all(b >= a * (1 - 1e-9) for a, b in zip(costs, costs[1:]))


def _names(cell) -> list[str]:
    """A `;`-separated list of option names as written in options.csv (empty: no names)."""
    return [] if pd.isna(cell) else str(cell).split(";")


@pytest.mark.parametrize("target", [["--max-tap", "7625"], ["--front", "3"]])
def test_the_csv_files_say_what_the_json_says(tmp_path, target, capsys):
    # options.csv, portfolio.csv and front.csv, row by row against options.json: numbers equal,
    # and lists of options written `;`-separated, as the case's own options.csv writes them
    # the 2028 case with an option that brings two others: the tank needs the extra capacity
    # and the first recovery upgrade
    case = tmp_path / "case"
    shutil.copytree(bundled_case("ntip-2028-phase3"), case)
    options = pd.read_csv(case / "options.csv", dtype=str)
    options.loc[options.option == "K14-tank", "requires"] = "K14-capacity;K14-recovery-80"
    options.to_csv(case / "options.csv", index=False)
    js, out = tmp_path / "o.json", tmp_path / "out"
    start = time.perf_counter()
    assert main(["options", str(case), *target, "--json", str(js), "--out", str(out)]) == 0
    wall = time.perf_counter() - start
    text = js.read_text()
    d = json.loads(text)
    assert text == json.dumps(d, indent=2) + "\n"  # laid out for reading
    assert (out / "options.json").read_text() == text
    # each study's time in seconds, to the millisecond, within the command's own time
    assert d["seconds"] and all(v > 0 and round(v, 3) == v for v in d["seconds"].values())
    assert sum(d["seconds"].values()) <= wall
    catalogue = set(options.option)
    files = [("options.csv", d["options"], "with")]
    if d["portfolio"] is not None:
        files.append(("portfolio.csv", [d["portfolio"]], "selected"))
    if d["front"] is not None:
        files.append(("front.csv", d["front"], "selected"))
    for name, rows, listed in files:
        table = pd.read_csv(out / name)
        assert len(table) == len(rows), name
        assert list(table.columns) == list(rows[0].keys()), name  # the JSON's fields, no index
        for row, want in zip(table.to_dict("records"), rows):
            assert _names(row[listed]) == want[listed] and set(want[listed]) <= catalogue
            for key, value in want.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    assert row[key] == pytest.approx(value, rel=1e-12), (name, key)
    assert any(o["with"] for o in d["options"])  # some option brings another with it
    # the printed table names an option with what it brings, "K14-tank (+A+B)"
    printed = [line.strip() for line in capsys.readouterr().out.splitlines()]
    for o in d["options"]:
        label = o["option"] + (f" (+{'+'.join(o['with'])})" if o["with"] else "")
        assert any(line.startswith(label + " ") for line in printed), label
    (tank,) = [o for o in d["options"] if o["option"] == "K14-tank"]
    assert sorted(tank["with"]) == ["K14-capacity", "K14-recovery-80"]


def test_unreachable_target_exits_3_with_the_least_tap(tmp_path, capsys):
    js = tmp_path / "o.json"
    assert main(["options", "ntip-2028-phase3", "--max-tap", "100", "--json", str(js)]) == 3
    err = capsys.readouterr().err
    assert "least tap reachable is" in err and "Traceback" not in err
    assert not js.exists()


@pytest.mark.parametrize("argv, words", [
    (["--no-shortage"], "needs a drought schedule"),
    (["--max-tap", "7000", "--front", "4"], "the front is drawn when"),
    (["--max-tap", "-1"], "must be a finite number >= 0"),
    (["--budget", "1", "--max-tap", "1"], "not allowed with argument"),
])
def test_usage_errors_exit_2(argv, words, capsys):
    assert main(["options", "ntip-2028-phase3", *argv]) == 2
    assert words in capsys.readouterr().err


def test_case_without_options_exits_2(capsys):
    assert main(["options", "ntip-2019-phase2"]) == 2
    assert "no options.csv" in capsys.readouterr().err


def test_time_limit_hit_exits_4_and_writes_nothing(tmp_path, capsys):
    js = tmp_path / "o.json"
    assert main(["options", "ntip-2028-phase3", "--max-tap", "7625", "--time-limit", "0",
                 "--json", str(js)]) == 4
    assert "No figures are reported" in capsys.readouterr().err
    assert not js.exists()


def test_a_stopped_milp_names_its_best_portfolio_as_not_proven(tmp_path, capsys, monkeypatch):
    # HiGHS stopping by its time limit with a portfolio in hand is timing-dependent; here every
    # MIP run is made to end as if the limit had been hit, after it found its solution.
    from model.solve import stages
    from model.solve.highs import Outcome, Status

    real_run = stages.run

    def stopped(lp, label):
        outcome = real_run(lp, label)
        return Outcome(Status.TIME_LIMIT, "Time limit reached") if lp.integer else outcome

    monkeypatch.setattr(stages, "run", stopped)
    js = tmp_path / "o.json"
    assert main(["options", "ntip-2028-phase3", "--max-tap", "7625", "--json", str(js)]) == 4
    err = capsys.readouterr().err
    assert "NOT proven optimal" in err and "best portfolio found: " in err
    assert not js.exists()


def _number(text: str, prefix: str = "", suffix: str = "", decimals: int = 0) -> float | None:
    """A figure of the printed table back as a number ('-' and 'never' are None), checking
    that it is printed with `decimals` decimals."""
    if text in ("-", "never"):
        return None
    pattern = re.escape(prefix) + r"\d{1,3}(,\d{3})*" + (rf"\.\d{{{decimals}}}" if decimals
                                                         else "") + re.escape(suffix)
    assert re.fullmatch(pattern, text), (text, pattern)
    return float(text[len(prefix):len(text) - len(suffix)].replace(",", ""))


def test_the_printed_option_table_says_what_the_json_says(tmp_path, capsys):
    # every option's row of the text report, read back, against options.json, to the
    # precision printed (tap saved to 1 m3/day, money to NT$0.1M, cost per m3 to 0.01,
    # payback to 0.1 year, largest cut to 0.001; half a printed unit off at most, plus round-off)
    js = tmp_path / "o.json"
    assert main(["options", "ntip-2028-phase3", "--max-tap", "7625", "--json", str(js)]) == 0
    lines = capsys.readouterr().out.splitlines()
    d = json.loads(js.read_text())
    cur = d["currency"]
    start = next(i for i, line in enumerate(lines) if line.startswith("every option alone"))
    base = d["base"]
    assert lines[start - 1] == "" and lines[start] == (
        f"every option alone (against the plan without options: tap "
        f"{base['tap_m3_per_day']:,.1f} m3/day, annualised "
        f"{cur}{base['annualized_cost_per_year'] / 1e6:,.1f}M); best buys first")
    assert lines[start + 2 + len(d["options"])] == (
        f"  {cur}/m3 saved: what each m3 of tap saved costs, to set against the tap price; "
        "payback: capex over the money saved each year; largest cut: of the base tap draw, "
        "absorbed with no shortage")
    header = lines[start + 1].split()
    assert header == ["option", "tap", "saved", "m3/d", "capex", "annualised/yr", "change/yr",
                      f"{cur}/m3", "saved", "payback", "yr", "largest", "cut"]
    rows = {cells[0]: cells[1:] for cells in
            (line.split() for line in lines[start + 2:start + 2 + len(d["options"])])}
    assert set(rows) == {o["option"] for o in d["options"]}  # no option brings another here
    for o in d["options"]:
        saved, capex, annual, change, per_m3, payback, cut = rows[o["option"]]
        assert _number(saved) == pytest.approx(o["tap_saved_m3_per_day"], abs=0.5 + 1e-9)
        for text, key in ((capex, "capex"), (annual, "annualized_cost_per_year"),
                          (change, "change_per_year")):
            assert _number(text, cur, "M", 1) == pytest.approx(o[key] / 1e6,
                                                              abs=0.05 + 1e-9), key
        for text, key, decimals in ((per_m3, "cost_per_m3_saved", 2),
                                    (payback, "payback_years", 1),
                                    (cut, "largest_uniform_cut", 3)):
            if o[key] is None:
                assert text == ("never" if key == "payback_years" else "-"), key
            else:
                assert _number(text, decimals=decimals) == pytest.approx(
                    o[key], abs=0.5 * 10 ** -decimals + 1e-9), key


def test_the_printed_portfolio_and_front_say_what_the_json_says(tmp_path, capsys):
    # the best-portfolio block and the trade-off front of the text report, read back against
    # options.json to the precision printed
    js = tmp_path / "p.json"
    assert main(["options", "ntip-2028-phase3", "--max-tap", "7625", "--json", str(js)]) == 0
    lines = capsys.readouterr().out.splitlines()
    d = json.loads(js.read_text())
    p, cur = d["portfolio"], d["currency"]
    assert lines[0] == f"case: ntip-2028-phase3   options: {len(d['options'])}"
    at = lines.index(f"best portfolio ({p['question']}; {p['status']}, MILP gap 1e-9)")
    assert p["question"] == "tap at most 7,625.0 m3/day" and p["status"] == "optimal"
    block = dict(line.split(None, 1) for line in lines[at + 1:at + 6])
    assert block["selected"] == ", ".join(p["selected"]) and p["selected"]
    assert _number(block["capex"], cur, "M", 1) == pytest.approx(p["capex"] / 1e6,
                                                                abs=0.05 + 1e-9)
    assert _number(block["annualised"], cur, "M per year", 1) == pytest.approx(
        p["annualized_cost_per_year"] / 1e6, abs=0.05 + 1e-9)
    assert _number(block["tap"], "", " m3/day", 1) == pytest.approx(p["tap_m3_per_day"],
                                                                   abs=0.05 + 1e-9)
    assert _number(block["shortage"], "", " m3 over the horizon", 1) == pytest.approx(
        p["shortage_m3"], abs=0.05 + 1e-9)
    assert lines[at - 1] == "" and lines[at + 6] == ""
    assert lines[at + 7] == "plan of the chosen portfolio " + "-" * 60
    assert lines[at + 8] == "case: ntip-2028-phase3   status: optimal"  # the plan's report

    js = tmp_path / "f.json"
    assert main(["options", "ntip-2028-phase3", "--front", "3", "--json", str(js)]) == 0
    lines = capsys.readouterr().out.splitlines()
    front = json.loads(js.read_text())["front"]
    at = lines.index("trade-off front (each point: the cheapest portfolio drawing at most its "
                     "tap target in every period, solved exactly; under a drought schedule, "
                     "after the least shortage)")
    assert lines[0] == "case: ntip-2028-phase3   options: 7" and lines[at - 1] == ""
    assert lines[at + 1].split() == ["max", "tap", "m3/d", "tap", "m3/d", "shortage", "m3",
                                     "annualised/yr", "portfolio"]
    assert len(lines) == at + 2 + len(front)
    for line, q in zip(lines[at + 2:], front):
        cap, tap, short, annual, portfolio = line.split(None, 4)
        assert _number(cap, decimals=1) == pytest.approx(q["max_tap_m3_per_day"],
                                                         abs=0.05 + 1e-9)
        assert _number(tap, decimals=1) == pytest.approx(q["tap_m3_per_day"], abs=0.05 + 1e-9)
        assert _number(short, decimals=0) == pytest.approx(q["shortage_m3"], abs=0.5 + 1e-9)
        assert _number(annual, cur, "M", 1) == pytest.approx(
            q["annualized_cost_per_year"] / 1e6, abs=0.05 + 1e-9)
        assert portfolio.strip() == (", ".join(q["selected"]) or "no option")
    assert any(not q["selected"] for q in front) and any(q["selected"] for q in front)

    # a target the campus meets without options (its tap is 16,496.2 m3/day): no option chosen
    assert main(["options", "ntip-2028-phase3", "--max-tap", "20000", "--json", str(js)]) == 0
    assert "  selected      no option" in capsys.readouterr().out.splitlines()
    assert json.loads(js.read_text())["portfolio"]["selected"] == []


def test_an_option_that_changes_nothing_never_pays_back(tmp_path, capsys):
    # In the 2028 campus's 2023 drought K14 runs at 57% of its capacity on average and its
    # capacity is worth no tap (checked below), so more K14 capacity leaves the plan as it is:
    # no tap saved, no money saved, hence no cost per m3 saved and no payback, not a payback
    # of capex over the round-off between two equal plans' costs
    base = plan(load_case(bundled_case("ntip-2028-phase3-drought-2023")))
    (k14,) = base.summary.trains
    assert k14.utilization < 1 and k14.capacity_value == 0.0
    js = tmp_path / "o.json"
    assert main(["options", "ntip-2028-phase3-drought-2023", "--max-tap", "7625",
                 "--json", str(js)]) == 0
    (row,) = [o for o in json.loads(js.read_text())["options"] if o["option"] == "K14-capacity"]
    assert row["tap_saved_m3_per_day"] == 0.0
    assert row["cost_per_m3_saved"] is None and row["payback_years"] is None
    # a case with a drought schedule also prints each option's shortage and trucked water
    lines = capsys.readouterr().out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("every option alone"))
    assert lines[start + 1].split()[-4:] == ["shortage", "m3", "tanker", "m3"]
    (printed,) = [line.split() for line in lines[start + 2:start + 9]
                  if line.split()[0] == "K14-capacity"]
    assert printed[5:7] == ["-", "never"]  # no cost per m3 saved, no payback
    assert printed[-2:] == [f"{row['shortage_m3']:,.0f}", f"{row['tanker_m3']:,.0f}"]
    assert row["shortage_m3"] > 0  # the drought leaves a shortage this option does not cure
    # a largest cut that rounds to zero prints as 0.000, never -0.000 (K14-tank's, allowed
    # below zero, came out at -1e-6 here)
    options = json.loads(js.read_text())["options"]
    cuts = [line.split()[7] for line in lines[start + 2:start + 2 + len(options)]]
    assert "-0.000" not in cuts and len(cuts) == len(options)


@pytest.mark.parametrize("amount, text", [
    (1_050_001.0, "NT$1.1M"),       # 1.050001 million rounds up ...
    (1_049_999.0, "NT$1.0M"),       # ... and 1.049999 down: the unit is exactly one million
    (-2_540_000.0, "NT$-2.5M"),     # a saving
    (1_234_567_890.0, "NT$1,234.6M"),
])
def test_money_is_printed_in_millions_to_a_tenth(amount, text):
    from model.results.options import _money
    assert _money(amount, "NT$") == text


@pytest.mark.parametrize("cut, text", [
    (0.1234, "0.123"),
    (-0.0712, "-0.071"),   # an option can leave less room to cut than the base plan
    (0.00046, "0.000"),    # rounded once, to the digits printed (twice: 0.0005, then 0.001)
    (-0.0004, "0.000"),    # a cut that rounds to zero has no sign
])
def test_the_largest_cut_is_printed_to_three_decimals(cut, text):
    from model.results.options import OptionsReport, _option_lines
    row = {"option": "o", "with": [], "tap_saved_m3_per_day": 1.0, "capex": 1.0,
           "annualized_cost_per_year": 1.0, "change_per_year": 1.0, "cost_per_m3_saved": None,
           "payback_years": None, "largest_uniform_cut": cut}
    report = OptionsReport("c", "NT$", {"tap_m3_per_day": 1.0, "annualized_cost_per_year": 1.0},
                           [row])
    lines = "\n".join(_option_lines(report)).splitlines()
    (printed,) = [line.split() for line in lines if line.split()[:1] == ["o"]]
    assert printed[-1] == text
