"""The sweep page's line charts, built from hand-made sweep tables (no solve): one panel per
figure over one shared axis, the parameter's values in order (numbers ascending, a blank cell
as "case" last), a gap wherever a scenario did not end optimal even if it carries a number, and
a status strip at the bottom whose colour says the status. The tables have the columns of
sweep.csv (`scenario`, the parameters, `status`, then the figures)."""
from __future__ import annotations

import html
import math
from io import BytesIO

import pandas as pd
import pytest
from openpyxl import load_workbook

from model.results.sweep_report import (CASE_VALUE, CHARTED, OTHER_STATUS, STATUS_COLOURS, _how,
                                        charted, heat_map, label, line_chart, sweep_charts,
                                        sweep_report, sweep_summary, sweep_workbook)
from model.results.units import with_unit

NAN = math.nan
PARAM = "capacity:K14"


def table(cost=(NAN, NAN, NAN, NAN)) -> pd.DataFrame:
    """Four scenarios given out of order; one leaves the parameter blank (the case's value); one
    is infeasible; one stopped at a time limit with a tap figure it had not proven."""
    return pd.DataFrame({
        "scenario": ["s3", "s1", "as in case", "s2"],
        PARAM: [3000.0, 1000.0, NAN, 2000.0],
        "status": ["optimal", "infeasible", "time limit", "optimal"],
        "tap_m3_per_day": [30.0, NAN, 40.0, 20.0],
        "cost_per_day": list(cost),
        "shortage_m3": [0.0, NAN, 1.0, 5.0]})


def traces(figure) -> dict:
    return {t.name: t for t in figure.data}


def test_a_panel_per_figure_in_parameter_order_with_gaps_where_not_optimal():
    chart = traces(line_chart(table(), PARAM))
    assert list(chart) == ["tap (m3/day)", "shortage (m3 over the horizon)", "status"]
    x = (1000.0, 2000.0, 3000.0, CASE_VALUE)          # ascending, then the blank cell
    scenarios = ("s1", "s2", "s3", "as in case")
    # s1 infeasible, "as in case" stopped at a time limit: no figure for either, even the
    # stopped one's 40 m3/day (a number from a solve that did not finish optimal)
    want = {"tap (m3/day)": (None, 20.0, 30.0, None),
            "shortage (m3 over the horizon)": (None, 5.0, 0.0, None)}
    for axis, (name, y) in enumerate(want.items(), start=1):
        line = chart[name]
        assert (line.x, line.y, line.customdata) == (x, y, scenarios)
        assert line.mode == "lines+markers" and line.connectgaps is False  # a gap, not a bridge
        assert line.yaxis == ("y" if axis == 1 else f"y{axis}")
        assert line.showlegend is False                  # the panel's title names it
        assert line.hovertemplate == "%{customdata}: %{y:,.1f}<extra>" + name + "</extra>"


def test_the_status_strip_is_the_bottom_panel_and_its_colour_says_the_status():
    figure = line_chart(table(), PARAM)
    status = traces(figure)["status"]
    assert status.y == ("infeasible", "optimal", "optimal", "time limit")
    assert status.marker.color == (STATUS_COLOURS["infeasible"], STATUS_COLOURS["optimal"],
                                   STATUS_COLOURS["optimal"], OTHER_STATUS)
    assert len({STATUS_COLOURS["infeasible"], STATUS_COLOURS["optimal"], OTHER_STATUS}) == 3
    assert status.mode == "markers" and status.customdata == ("s1", "s2", "s3", "as in case")
    assert status.hovertemplate == "%{customdata}: %{y}<extra></extra>"
    assert status.showlegend is False
    # panels from top to bottom: tap, shortage, status; the status strip is the lowest
    layout = figure.layout
    assert status.yaxis == "y3" and layout.yaxis3.domain[1] < layout.yaxis2.domain[0] \
        < layout.yaxis2.domain[1] < layout.yaxis.domain[0]
    assert [a.text for a in layout.annotations] == ["tap (m3/day)",
                                                    "shortage (m3 over the horizon)", "status"]


def test_every_panel_shares_the_bottom_axis_which_names_the_parameter_with_its_unit():
    layout = line_chart(table(), PARAM).layout
    assert layout.xaxis.matches == layout.xaxis2.matches == "x3"
    assert layout.xaxis3.title.text == with_unit(PARAM) == "capacity:K14 [m3/day]"
    assert layout.xaxis.title.text is None and layout.xaxis2.title.text is None
    assert layout.title.text == f"Against {PARAM}"


def test_cost_is_drawn_when_some_scenario_has_one():
    assert charted(table()) == ["tap_m3_per_day", "shortage_m3"]
    priced = table(cost=(300.0, NAN, NAN, 250.0))
    assert charted(priced) == ["tap_m3_per_day", "cost_per_day", "shortage_m3"]
    chart = traces(line_chart(priced, PARAM))
    assert list(chart) == [CHARTED[c] for c in charted(priced)] + ["status"]
    assert chart["cost per day"].y == (None, 250.0, 300.0, None)
    # tap and shortage are drawn even when no scenario has them (all infeasible)
    nothing = table().assign(status="infeasible", tap_m3_per_day=NAN, shortage_m3=NAN)
    assert charted(nothing) == ["tap_m3_per_day", "shortage_m3"]


@pytest.mark.parametrize("value,text", [(0.7000000000000001, "0.7"), (20000.0, "20000"),
                                        (1 / 3, "0.3333333333"), (CASE_VALUE, CASE_VALUE)])
def test_a_parameter_value_is_labelled_to_ten_significant_digits(value, text):
    assert label(value) == text


def test_heat_map_cells_are_labelled_as_the_axis_reads_them():
    grid = pd.DataFrame({"scenario": ["a", "b"], "recovery:K14": [0.7000000000000001, 0.8],
                         PARAM: [NAN, NAN], "status": ["optimal", "optimal"],
                         "tap_m3_per_day": [7.0, 6.0], "cost_per_day": [NAN, NAN],
                         "shortage_m3": [0.0, 0.0]})
    heat = heat_map(grid, "recovery:K14", PARAM, "tap_m3_per_day").data[0]
    assert heat.x == ("0.7", "0.8") and heat.y == (CASE_VALUE,)
    assert [list(row) for row in heat.z] == [[7.0, 6.0]]


def test_the_page_explains_the_kind_of_chart_it_draws():
    assert _how(["tap_cap"]).startswith("Each figure against tap_cap;")
    assert _how(["tap_cap", "recovery:K14"]).startswith(
        "Each figure over the grid of tap_cap and recovery:K14,")
    assert _how(["a", "b", "c"]).startswith("More than two parameters: one chart per parameter")


def test_three_parameters_say_the_others_are_held_in_every_title():
    three = table().assign(**{"recovery:K14": 0.7, "demand_factor": 1.0})
    three = three[["scenario", PARAM, "recovery:K14", "demand_factor", "status",
                   "tap_m3_per_day", "cost_per_day", "shortage_m3"]]
    titles = [f.layout.title.text for f in sweep_charts(three)]
    assert titles == [f"Against {p} (other parameters at their first value)"
                      for p in (PARAM, "recovery:K14", "demand_factor")]


def test_the_summary_names_case_parameters_counts_and_seconds_when_timed():
    counts = {"scenarios": 4, "optimal": 2, "infeasible": 1, "other": 1}
    assert sweep_summary("c", table(), counts) == {"case": "c", "parameters": [PARAM],
                                                   "counts": counts}
    assert sweep_summary("c", table(), counts, 1.5)["seconds"] == 1.5


def test_a_heat_map_writes_each_figure_in_its_cell_and_leaves_a_missing_one_blank():
    # three scenarios over a 2 x 2 grid: (0.8, 2000) was not asked for; (0.7, 2000) failed
    grid = pd.DataFrame({"scenario": ["a", "b", "c"], "recovery:K14": [0.7, 0.8, 0.7],
                         PARAM: [1000.0, 1000.0, 2000.0],
                         "status": ["optimal", "optimal", "infeasible"],
                         "tap_m3_per_day": [7000.4, 6000.6, NAN], "cost_per_day": [NAN] * 3,
                         "shortage_m3": [0.0, 0.0, NAN]})
    chart = heat_map(grid, "recovery:K14", PARAM, "tap_m3_per_day", " (note)")
    heat = chart.data[0]
    assert heat.x == ("0.7", "0.8") and heat.y == ("1000", "2000")
    assert [list(r) for r in heat.z] == [[7000.4, 6000.6], [None, None]]
    assert [list(r) for r in heat.text] == [["7,000", "6,001"], ["infeasible", ""]]
    assert heat.texttemplate == "%{text}"          # the figure (or status) written in the cell
    assert heat.hovertemplate == f"recovery:K14 %{{x}}<br>{PARAM} %{{y}}<br>%{{text}}<extra></extra>"
    assert heat.colorbar.title.text == "tap (m3/day)"
    layout = chart.layout
    assert (layout.xaxis.title.text, layout.yaxis.title.text) == (with_unit("recovery:K14"),
                                                                  with_unit(PARAM))
    # parameter values are categories: an even grid whatever their spacing
    assert layout.xaxis.type == layout.yaxis.type == "category"
    assert layout.title.text == f"tap (m3/day) over recovery:K14 and {PARAM} (note)"


def test_the_page_has_the_counts_the_explanation_and_the_table_with_units():
    counts = {"scenarios": 4, "optimal": 2, "infeasible": 1, "other": 1}
    page = sweep_report("c", table(), counts, 1.5)
    for k, v in counts.items():
        assert f'<div class="value">{v:,}</div><div class="label">{k}</div>' in page
    assert f"swept: {PARAM}" in page
    charts, rows = page.split("<h2>")[1:]
    assert charts.startswith("Tap, cost and shortage</h2>")
    explained = html.escape(_how([PARAM]))   # escaped: "scenario's" becomes "scenario&#x27;s"
    assert f"<p>{explained} No figure is shown for a scenario that did not end optimal.</p>" \
        in charts
    assert rows.startswith("Every scenario (sweep.csv)</h2>")
    assert f"<th>{with_unit(PARAM)}</th>" in rows and "<th>tap_m3_per_day [m3/day]</th>" in rows


def test_the_workbook_summary_names_the_case_and_the_seconds():
    book = load_workbook(BytesIO(sweep_workbook("c", table(), {"scenarios": 4}, 1.5)))
    keys = {r[0]: r[1] for r in book["summary"].iter_rows(min_row=2, values_only=True)}
    assert keys["case"] == "c" and keys["seconds"] == 1.5 and keys["parameters"] == PARAM
    assert list(book["sweep"].iter_rows(max_row=1, values_only=True))[0][1] == with_unit(PARAM)


def test_a_two_parameter_sweep_draws_a_heat_map_per_figure_and_names_both_parameters():
    # the page's subtitle lists the swept parameters; each charted figure gets a heat map over
    # the two, titled with nothing after them (the note is for more than two parameters)
    grid = pd.DataFrame({"scenario": ["a", "b"], "recovery:K14": [0.7, 0.8],
                         PARAM: [1000.0, 2000.0], "status": ["optimal", "optimal"],
                         "tap_m3_per_day": [7.0, 6.0], "cost_per_day": [NAN, NAN],
                         "shortage_m3": [0.0, 0.0]})
    titles = [f.layout.title.text for f in sweep_charts(grid)]
    assert titles == [f"{CHARTED[f]} over recovery:K14 and {PARAM}" for f in charted(grid)]
    page = sweep_report("c", grid, {"scenarios": 2, "optimal": 2, "infeasible": 0, "other": 0})
    assert f"<p>swept: recovery:K14, {PARAM}</p>" in page
