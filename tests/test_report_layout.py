"""The frame every chart of the reports shares, and the parts of a chart's look that carry
meaning. Charts stacked on a page line up: every chart on the plan, sweep and options pages has
the same side and bottom margins, and room at the top for its title. Each chart has a height of
its own that grows with what it holds (a Sankey node's label needs about 26 px, a sweep panel
260 px). Drought-stage bands lie under the lines, a heat map's blank cell still answers the
mouse with why it is blank, legend markers can be seen, and the options chart tells its series
apart by marker. The workbook's columns are as wide as their headers.

The charts come from one rationed plan with a tank (the 2023 drought case under a further 20%
cut) and from hand-made sweep and options tables; nothing here is a pinned number of pixels
except the lower bounds the docstring gives."""
from __future__ import annotations

import math
from io import BytesIO

import pandas as pd
import pytest
from openpyxl import load_workbook

from model.bundled import bundled_case
from model.case import load_case
from model.results.charts import plant_bars, tank_chart, time_chart
from model.results.excel import MAX_WIDTH, tables_workbook
from model.results.options import OptionsReport
from model.results.html import plan_report
from model.results.options_report import front_figure, options_report as options_page
from model.results.options_report import options_workbook
from model.results.sankey import sankey_figure
from model.results.sweep_report import charted, heat_map, line_chart, sweep_report
from model.results.units import with_unit
from model.studies import plan, with_cut
from factory import make_case
from report_pages import page_tables, stray_text

NAN = math.nan
PARAM = "capacity:K14"
PX_PER_NODE, PX_PER_PANEL = 26, 260


@pytest.fixture(scope="module")
def drought():
    return plan(with_cut(load_case(bundled_case("kaohsiung-2023-drought")), cut=0.2))


def sweep_table() -> pd.DataFrame:
    """Three scenarios, with a tap, a cost and a shortage figure each: three panels."""
    return pd.DataFrame({"scenario": ["a", "b", "c"], PARAM: [1000.0, 2000.0, 3000.0],
                         "status": ["optimal", "infeasible", "optimal"],
                         "tap_m3_per_day": [30.0, NAN, 20.0], "cost_per_day": [9.0, NAN, 8.0],
                         "shortage_m3": [1.0, NAN, 0.0]})


def sweep_grid() -> pd.DataFrame:
    return pd.DataFrame({"scenario": ["a", "b", "c"], "recovery:K14": [0.7, 0.8, 0.7],
                         PARAM: [1000.0, 1000.0, 2000.0],
                         "status": ["optimal", "optimal", "infeasible"],
                         "tap_m3_per_day": [7.0, 6.0, NAN], "cost_per_day": [NAN] * 3,
                         "shortage_m3": [0.0, 0.0, NAN]})


def options_report() -> OptionsReport:
    return OptionsReport(
        case="c", currency="NT$",
        base={"tap_m3_per_day": 1000.0, "annualized_cost_per_year": 5.0e6},
        options=[{"option": "link", "with": [], "tap_saved_m3_per_day": 100.0,
                  "annualized_cost_per_year": 5.5e6}],
        front=[{"tap_m3_per_day": 1000.0, "annualized_cost_per_year": 5.0e6, "selected": []},
               {"tap_m3_per_day": 900.0, "annualized_cost_per_year": 5.5e6,
                "selected": ["link"]}],
        portfolio={"question": "least cost to at most 900 m3/day of tap",
                   "tap_m3_per_day": 900.0, "annualized_cost_per_year": 5.5e6,
                   "selected": ["link"]})


@pytest.fixture(scope="module")
def charts(drought) -> dict:
    tank = tank_chart(drought)
    assert tank is not None  # the case has a tank: its chart is part of the page
    return {"sankey": sankey_figure(drought), "plant bars": plant_bars(drought),
            "time": time_chart(drought), "tank": tank,
            "sweep lines": line_chart(sweep_table(), PARAM),
            "heat map": heat_map(sweep_grid(), "recovery:K14", PARAM, "tap_m3_per_day"),
            "options": front_figure(options_report())}


def test_every_chart_on_every_page_has_the_same_side_and_bottom_margins(charts):
    # one frame for all, so that charts stacked on a page line up at both edges; a margin left
    # to plotly reads back as None here (and is 80 px on the page)
    frames = {name: (f.layout.margin.l, f.layout.margin.r, f.layout.margin.b)
              for name, f in charts.items()}
    assert len(set(frames.values())) == 1, frames
    left, right, bottom = next(iter(frames.values()))
    assert None not in (left, right, bottom) and left == right


def test_every_chart_leaves_room_at_the_top_for_its_title(charts):
    for name, figure in charts.items():
        assert figure.layout.title.text, name
        assert figure.layout.margin.t is not None and figure.layout.margin.t >= 40, name


def test_every_chart_has_a_height_of_its_own(charts):
    # left to plotly, a chart takes the height of its box on the page, which differs from one
    # browser window to the next
    for name, figure in charts.items():
        assert figure.layout.height is not None and figure.layout.height >= 300, name


def test_a_sankey_gives_each_node_room_for_its_label():
    # twelve plants of two uses each, in two zones with a train each: more nodes than fit the
    # chart's least height (420 px)
    uses = [(f"P{i}", use, str(i % 2), 100.0, 0.9, None)
            for i in range(12) for use in ("rinse", "cooling")]
    figure = sankey_figure(plan(make_case(uses, [("T0", 500.0, 0.7, ("0",), None),
                                                 ("T1", 500.0, 0.7, ("1",), None)])))
    nodes = len(figure.data[0].node.label)
    assert nodes * PX_PER_NODE > 420
    assert figure.layout.height >= nodes * PX_PER_NODE


def test_a_sweep_line_chart_gives_each_panel_its_height_and_the_status_strip_less(charts):
    figure = charts["sweep lines"]
    panels = len(charted(sweep_table()))
    assert panels == 3
    assert figure.layout.height >= PX_PER_PANEL * panels
    domains = [figure.layout[f"yaxis{i if i > 1 else ''}"].domain for i in range(1, panels + 2)]
    heights = [d[1] - d[0] for d in domains]
    assert max(heights[:panels]) - min(heights[:panels]) < 1e-9   # the figures' panels alike
    assert heights[panels] < heights[0] / 2                          # the status strip smaller


def test_drought_stage_bands_lie_under_the_lines(charts):
    bands = charts["time"].layout.shapes
    assert bands  # the 2023 drought's periods carry stages
    assert all(b.layer == "below" for b in bands)


def test_a_heat_map_s_blank_cell_still_answers_the_mouse(charts):
    # the page says a cell whose scenario did not end optimal "is blank and says why": its
    # status is in the hover text, which plotly shows on a gap only when hoverongaps is on
    heat = charts["heat map"].data[0]
    assert heat.hoverongaps is not False
    assert any(v is None for row in heat.z for v in row)


@pytest.mark.parametrize("name", ["time", "sweep lines", "options"])
def test_legend_and_status_markers_are_large_enough_to_see(charts, name):
    # the traces drawn as markers alone: legend squares, the status strip, the options' points
    sizes = [t.marker.size for t in charts[name].data if t.mode == "markers"]
    assert sizes and all(s is not None and s >= 8 for s in sizes), sizes


def test_the_options_chart_tells_its_series_apart_by_marker(charts):
    markers = {t.name: (t.marker.symbol or "circle", t.marker.color) for t in charts["options"].data}
    assert set(markers) == {"no option", "each option alone", "trade-off front",
                            "chosen portfolio"}
    assert None not in {c for _, c in markers.values()}
    assert len(set(markers.values())) == len(markers), markers
    sizes = {t.name: t.marker.size for t in charts["options"].data}
    assert sizes["chosen portfolio"] > sizes["trade-off front"]  # the choice stands out


def test_the_plant_bars_legend_is_titled_with_what_it_lists(charts):
    assert charts["plant bars"].layout.legend.title.text == "supply"


def test_each_workbook_column_is_as_wide_as_its_header():
    table = pd.DataFrame({"recycled_m3_per_day": [1.0], "p": ["x"],
                          "a_very_long_column_name_for_the_width_cap_m3": [2.0]})
    book = load_workbook(BytesIO(tables_workbook({"case": "c"}, {"t": table})))
    sheet = book["t"]
    for cell in sheet[1]:
        width = sheet.column_dimensions[cell.column_letter].width
        assert width >= min(MAX_WIDTH, len(cell.value)), (cell.value, width)
    assert [c.value for c in sheet[1]] == [with_unit(c) for c in table.columns]


def test_every_page_holds_its_text_in_headings_paragraphs_cells_and_figures(drought):
    # nothing shows between a page's blocks (a wrong separator between the headline's figures
    # or the tables' sections would)
    pages = {"plan": plan_report(drought), "options": options_page(options_report()),
             "sweep": sweep_report("c", sweep_table(),
                                   {"scenarios": 3, "optimal": 2, "infeasible": 1, "other": 0})}
    for name, page in pages.items():
        assert stray_text(page) == [], name
        assert stray_text(page.replace("</h1>", "</h1>stray", 1)) == ["stray"], name


def test_the_options_page_s_summary_table_has_the_workbook_s_summary_header():
    report = options_report()
    (summary,) = [rows for title, rows in page_tables(options_page(report)) if title == "summary"]
    sheet = load_workbook(BytesIO(options_workbook(report)))["summary"]
    assert summary[0] == [c.value for c in sheet[1]] == ["key", "value", "unit"]
    assert summary[1] == ["case", "c", ""]           # a key without a unit: a blank cell


def test_the_options_page_defines_the_figures_of_its_table():
    page = options_page(options_report())
    for definition in ("cost per m3 saved: what each m3 of tap saved costs, to set against the "
                       "tap price", "payback: capex over the money saved each year",
                       "largest cut: of the base tap draw, absorbed with no shortage"):
        assert definition in page
