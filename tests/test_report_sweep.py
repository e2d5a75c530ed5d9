"""`wateralloc sweep --html/--xlsx`: line charts (one parameter), heat maps (two) and line
charts per parameter with the others held at their first value (three); every figure drawn is
the figure of sweep.csv for the same scenario, recomputed here with pandas; a scenario that did
not end optimal is never drawn as a number; the workbook's sheet is sweep.csv; the page opens in
headless Chromium without a console error."""
from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from openpyxl import load_workbook

from model.cli import main
from tests.browser import chromium, console_errors
from tests.report_pages import assert_self_contained, assert_sheets_are_the_csvs, plotted, \
    same_figures, trace

# the default case draws 7,496 m3/day of tap at K14's 70% recovery: tap caps of 5,000 to 7,000
# are infeasible there, 8,000 and 9,000 are not; at 80% recovery it draws 5,915
TAP_CAP = "tap_cap=5000:9000:5"
FIGURES = {"tap_m3_per_day": "tap (m3/day)", "cost_per_day": "cost per day",
           "shortage_m3": "shortage (m3 over the horizon)"}


def run_sweep(folder, *vary):
    args = ["sweep"] + [a for v in vary for a in ("--vary", v)]
    assert main(args + ["--out", str(folder / "out"), "--json", str(folder / "s.json"),
                        "--html", str(folder / "s.html"), "--xlsx", str(folder / "s.xlsx")]) == 0
    table = pd.read_csv(folder / "out" / "sweep.csv")
    return table, plotted((folder / "s.html").read_text(encoding="utf-8"))


def drawn(values) -> list:
    """NaN (plotly's null read back) as None."""
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else v
            for v in values]


@pytest.fixture(scope="module")
def one(tmp_path_factory):
    return run_sweep(tmp_path_factory.mktemp("one"), TAP_CAP)


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    d = tmp_path_factory.mktemp("two")
    return (d,) + run_sweep(d, TAP_CAP, "recovery:K14=0.5:0.8:4")


def test_one_parameter_lines_are_the_csv_figures_with_gaps_where_infeasible(one, capsys):
    table, plots = one
    assert len(plots) == 1
    traces = plots[0]
    table = table.sort_values("tap_cap")
    assert set(table.status) == {"optimal", "infeasible"}  # the sweep covers both
    ok = table.status == "optimal"
    for column, name in FIGURES.items():
        line = trace(traces, name)
        assert line["x"] == list(table.tap_cap)
        assert drawn(line["y"])[:sum(~ok)] == [None] * sum(~ok)  # infeasible: no number
        assert same_figures(drawn(line["y"]),
                            [v if good else None for v, good in zip(table[column], ok)])
    status = trace(traces, "status")
    assert (status["x"], status["y"]) == (list(table.tap_cap), list(table.status))


def test_two_parameters_are_heat_maps_of_the_csv_figures(two):
    _, table, plots = two
    assert len(plots) == len(FIGURES)  # the default case prices its water: cost is drawn
    for (column, name), (heat,) in zip(FIGURES.items(), plots):
        assert heat["type"] == "heatmap" and heat["colorbar"]["title"]["text"] == name
        xs, ys = [float(x) for x in heat["x"]], [float(y) for y in heat["y"]]
        assert xs == pytest.approx(sorted(table.tap_cap.unique()), rel=1e-12)
        assert ys == pytest.approx(sorted(table["recovery:K14"].unique()), rel=1e-12)
        for i, y in enumerate(ys):
            for j, x in enumerate(xs):
                (row,) = table[(table.tap_cap - x).abs().le(1e-9 * x)
                               & (table["recovery:K14"] - y).abs().le(1e-9)].itertuples()
                z, text = drawn(heat["z"][i])[j], heat["text"][i][j]
                if row.status == "optimal":
                    assert z == pytest.approx(getattr(table.loc[row.Index], column), rel=1e-12)
                    assert text == f"{z:,.0f}"
                else:
                    assert (z, text) == (None, row.status)
    assert (table.status == "infeasible").any() and (table.status == "optimal").any()


def test_three_parameters_draw_each_one_with_the_others_at_their_first_value(tmp_path):
    table, plots = run_sweep(tmp_path, "tap_cap=8000:9000:2", "recovery:K14=0.7:0.8:2",
                             "demand_factor=1:1.1:3")
    params = ["tap_cap", "recovery:K14", "demand_factor"]
    assert len(plots) == len(params)
    for param, traces in zip(params, plots):
        others = [p for p in params if p != param]
        first = table.iloc[0]
        held = table[(table[others] == first[others]).all(axis=1)].sort_values(param)
        line = trace(traces, FIGURES["tap_m3_per_day"])
        assert line["x"] == pytest.approx(list(held[param]), rel=1e-12)
        assert same_figures(drawn(line["y"]), [v if s == "optimal" else None for v, s in
                                               zip(held.tap_m3_per_day, held.status)])


def test_the_workbook_is_sweep_csv_and_the_counts(two):
    d, _, _ = two
    book = load_workbook(d / "s.xlsx")
    assert_sheets_are_the_csvs(book, d / "out")
    counts = json.loads((d / "s.json").read_text())["counts"]
    keys = {r[0]: r[1] for r in book["summary"].iter_rows(min_row=2, values_only=True)}
    assert {k: keys[f"counts.{k}"] for k in counts} == counts
    assert keys["parameters"] == "tap_cap, recovery:K14"


def test_the_page_is_self_contained_and_opens_without_console_errors(two, tmp_path):
    d, _, plots = two
    assert_self_contained((d / "s.html").read_text(encoding="utf-8"))
    driver = chromium(tmp_path / "profile")
    try:
        driver.get((d / "s.html").as_uri())
        shown = driver.execute_script("return document.querySelectorAll('.js-plotly-plot')"
                                      ".length")
        assert console_errors(driver) == []
    finally:
        driver.quit()
    assert shown == len(plots) == 3


def test_a_bad_target_exits_2_before_solving(tmp_path, capsys):
    scenarios = tmp_path / "s.csv"
    scenarios.write_text("scenario,cut\na,0.1\n")
    assert main(["sweep", "--scenarios", str(scenarios), "--html", str(scenarios),
                 "--xlsx", str(tmp_path / "s.xlsx")]) == 2
    assert "--html" in capsys.readouterr().err
    assert scenarios.read_text() == "scenario,cut\na,0.1\n"
    assert not (tmp_path / "s.xlsx").exists()
