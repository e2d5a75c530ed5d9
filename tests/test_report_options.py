"""`wateralloc options --html/--xlsx`: the page is self-contained; the cost-tap chart draws the
very figures of the CSV files (the front's points are front.csv, each option alone is
options.csv against the base of options.json, the chosen portfolio is portfolio.csv); the
workbook's sheets are the CSV files; bad targets exit 2 before any solve and write nothing; the
page opens in headless Chromium without a console error."""
from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook

from model.bundled import bundled_case
from model.cli import main
from tests.browser import chromium, console_errors
from tests.report_pages import assert_self_contained, assert_sheets_are_the_csvs, plotted, trace

CASE = "ntip-2028-phase3"


@pytest.fixture(scope="module")
def front_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("front")
    assert main(["options", CASE, "--front", "3", "--json", str(d / "o.json"), "--out",
                 str(d / "out"), "--html", str(d / "o.html"), "--xlsx", str(d / "o.xlsx")]) == 0
    return d


@pytest.fixture(scope="module")
def portfolio_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("portfolio")
    # a tap share of 0.25 of the 2028 campus's 30,500 m3/day
    assert main(["options", CASE, "--max-tap", "7625", "--out", str(d / "out"), "--html",
                 str(d / "o.html"), "--xlsx", str(d / "o.xlsx"), "--json",
                 str(d / "o.json")]) == 0
    return d


def test_the_page_is_self_contained(front_run):
    assert_self_contained((front_run / "o.html").read_text(encoding="utf-8"))


def test_the_front_and_each_option_are_the_csv_figures(front_run):
    traces = plotted((front_run / "o.html").read_text(encoding="utf-8"))[0]
    front = pd.read_csv(front_run / "out" / "front.csv").sort_values("tap_m3_per_day")
    line = trace(traces, "trade-off front")
    assert line["x"] == pytest.approx(list(front.tap_m3_per_day), rel=1e-12)
    assert line["y"] == pytest.approx(list(front.annualized_cost_per_year), rel=1e-12)
    assert line["text"] == [s.replace(";", ", ") if isinstance(s, str) else "no option"
                            for s in front.selected]
    # each option alone: its plan's tap is the base tap less the tap it saves
    base = json.loads((front_run / "o.json").read_text())["base"]
    options = pd.read_csv(front_run / "out" / "options.csv")
    alone = trace(traces, "each option alone")
    assert alone["x"] == pytest.approx(
        list(base["tap_m3_per_day"] - options.tap_saved_m3_per_day), rel=1e-12)
    assert alone["y"] == pytest.approx(list(options.annualized_cost_per_year), rel=1e-12)
    assert [t.split(" (+")[0] for t in alone["text"]] == list(options.option)
    no_option = trace(traces, "no option")
    assert (no_option["x"], no_option["y"]) == ([base["tap_m3_per_day"]],
                                                [base["annualized_cost_per_year"]])
    assert no_option["text"] == ["no option"]
    # points, not lines, but for the front; and every point says what it is when hovered
    assert [no_option["mode"], alone["mode"], line["mode"]] == ["markers", "markers",
                                                                "lines+markers"]
    hover = "%{text}<br>tap %{x:,.1f} m3/day<br>NT$ %{y:,.0f} a year<extra></extra>"
    assert [t["hovertemplate"] for t in traces] == [hover] * len(traces)


def test_the_chosen_portfolio_is_drawn_with_its_plan(portfolio_run):
    page = (portfolio_run / "o.html").read_text(encoding="utf-8")
    plots = plotted(page)
    p = pd.read_csv(portfolio_run / "out" / "portfolio.csv").iloc[0]
    star = trace(plots[0], "chosen portfolio")
    assert star["x"] == pytest.approx([p.tap_m3_per_day], rel=1e-12)
    assert star["y"] == pytest.approx([p.annualized_cost_per_year], rel=1e-12)
    assert star["text"] == [p.selected.replace(";", ", ")]
    assert p.tap_m3_per_day <= 7625 * (1 + 1e-9)
    # the chosen plan's Sankey: its tap is the tap of the plan's allocation
    (sankey,) = [t for traces in plots for t in traces if t["type"] == "sankey"]
    nodes = sankey["node"]["label"]
    tap = sum(v for s, v in zip(sankey["link"]["source"], sankey["link"]["value"])
              if nodes[s] == "tap water")
    alloc = pd.read_csv(portfolio_run / "out" / "allocation.csv")
    assert tap == pytest.approx(alloc[alloc.source == "tap"].m3_per_day.sum(), rel=1e-9)
    assert "trade-off front" not in page
    # the chosen plan's sections keep their text: the marginal-value sentences and the Sankey's
    # note on units (model.results.html.plan_sections)
    parts = {p.split("</h2>")[0]: p.split("</h2>", 1)[1] for p in page.split("<h2>")[1:]}
    worth = parts["Plan of the chosen portfolio: What more capacity, recovery or a looser limit "
                  "is worth"]
    assert worth.strip().startswith("<ul><li>") and worth.count("<li>") >= 1
    assert parts["Plan of the chosen portfolio: Where the water goes"].strip().startswith(
        "<p>Flows in m3/day")


@pytest.mark.parametrize("run", ["front_run", "portfolio_run"])
def test_every_table_is_a_sheet_summary_first(run, request):
    d = request.getfixturevalue(run)
    book = load_workbook(d / "o.xlsx")
    assert_sheets_are_the_csvs(book, d / "out")
    keys = {r[0]: r[1:] for r in book["summary"].iter_rows(min_row=2, values_only=True)}
    assert keys["base.tap_m3_per_day"][1] == "m3/day"
    assert keys["case"] == (CASE, None)
    # the summary sheet says what options.json says (written by the portfolio run too, below)
    d = json.loads((d / "o.json").read_text())
    assert keys["currency"][0] == d["currency"] == "NT$"
    assert keys["options"][0] == len(d["options"]) == 7
    assert keys["base.tap_m3_per_day"][0] == pytest.approx(d["base"]["tap_m3_per_day"])
    assert {k.split(".")[1] for k in keys if k.startswith("seconds.")} == set(d["seconds"])
    if d["front"] is not None:
        assert keys["front_points"][0] == len(d["front"]) == 3
        assert not any(k.startswith(("portfolio.", "plan.")) for k in keys)
    else:
        assert "front_points" not in keys
        assert keys["portfolio.tap_m3_per_day"][0] == pytest.approx(
            d["portfolio"]["tap_m3_per_day"])
        assert keys["plan.tap_m3_per_day"][0] == pytest.approx(d["portfolio"]["tap_m3_per_day"])


def test_bad_targets_exit_2_before_solving_and_write_nothing(tmp_path, capsys):
    case = shutil.copytree(bundled_case(CASE), tmp_path / "case")
    before = {p.name: p.read_bytes() for p in case.iterdir()}
    html, xlsx = tmp_path / "o.html", tmp_path / "o.xlsx"
    assert main(["options", str(case), "--html", str(case / "options.csv"),
                 "--xlsx", str(xlsx)]) == 2
    err = capsys.readouterr().err
    assert "--html" in err and "options.csv" in err
    assert main(["options", str(case), "--html", str(html), "--xlsx", str(html)]) == 2
    assert "is the same file as --html" in capsys.readouterr().err
    assert not html.exists() and not xlsx.exists()
    assert {p.name: p.read_bytes() for p in case.iterdir()} == before
    # a question no portfolio answers (exit 3) writes no report either
    assert main(["options", str(case), "--max-tap", "100", "--html", str(html)]) == 3
    assert not html.exists()


def test_the_page_opens_in_chromium_without_console_errors(portfolio_run, tmp_path):
    driver = chromium(tmp_path / "profile")
    try:
        driver.get((portfolio_run / "o.html").as_uri())
        plots = driver.execute_script("return document.querySelectorAll('.js-plotly-plot')"
                                      ".length")
        assert console_errors(driver) == []
    finally:
        driver.quit()
    assert plots == len(plotted((portfolio_run / "o.html").read_text(encoding="utf-8"))) >= 3
