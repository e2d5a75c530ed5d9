"""The options page from a hand-made `OptionsReport` (no solve): the cost-tap chart's points
and their hover text, the front as a staircase, an option drawn with the options it requires,
the axes named with their units, the headline's figures, and the summary table."""
from __future__ import annotations

import pandas as pd
import pytest

from model.results.options import OptionsReport
from model.results.options_report import _headline, front_figure, options_report, options_tables

BASE = {"tap_m3_per_day": 1000.0, "annualized_cost_per_year": 5.0e6}
OPTIONS = [
    {"option": "link", "with": [], "tap_saved_m3_per_day": 100.0,
     "annualized_cost_per_year": 5.5e6},
    {"option": "tank", "with": ["link", "pump"], "tap_saved_m3_per_day": 250.0,
     "annualized_cost_per_year": 6.0e6}]
# given out of order: the chart draws the front by tap, so that its steps climb in cost
FRONT = [{"tap_m3_per_day": 750.0, "annualized_cost_per_year": 6.0e6, "selected": ["tank"]},
         {"tap_m3_per_day": 1000.0, "annualized_cost_per_year": 5.0e6, "selected": []},
         {"tap_m3_per_day": 900.0, "annualized_cost_per_year": 5.5e6, "selected": ["link"]}]
PORTFOLIO = {"tap_m3_per_day": 750.0, "annualized_cost_per_year": 6.0e6,
             "selected": ["link", "tank"]}
HOVER = "%{text}<br>tap %{x:,.1f} m3/day<br>NT$ %{y:,.0f} a year<extra></extra>"


def report(**kw) -> OptionsReport:
    return OptionsReport(case="c", currency="NT$", base=BASE, options=OPTIONS, **kw)


def traces(figure) -> dict:
    return {t.name: t for t in figure.data}


def test_the_front_is_a_staircase_by_tap_and_each_option_names_what_it_requires():
    figure = front_figure(report(front=FRONT))
    drawn = traces(figure)
    assert list(drawn) == ["no option", "each option alone", "trade-off front"]
    front = drawn["trade-off front"]
    assert front.x == (750.0, 900.0, 1000.0) and front.y == (6.0e6, 5.5e6, 5.0e6)
    assert front.text == ("tank", "link", "no option")
    assert front.line.shape == "hv" and front.mode == "lines+markers"
    alone = drawn["each option alone"]
    assert alone.x == (900.0, 750.0)                    # the base tap less the tap saved
    assert alone.text == ("link", "tank (+link+pump)")  # what "tank" cannot be built without
    assert all(t.hovertemplate == HOVER for t in figure.data)


def test_the_axes_and_title_name_their_units_in_the_case_s_currency():
    layout = front_figure(report(front=FRONT)).layout
    assert layout.xaxis.title.text == "tap (m3/day)"
    assert layout.yaxis.title.text == "annualised cost (NT$/year)"
    assert layout.title.text == "Tap drawn against annualised cost (NT$ a year)"


def test_the_chosen_portfolio_is_one_point_with_the_same_hover():
    drawn = traces(front_figure(report(portfolio=PORTFOLIO)))
    assert list(drawn) == ["no option", "each option alone", "chosen portfolio"]
    star = drawn["chosen portfolio"]
    assert (star.x, star.y, star.text) == ((750.0,), (6.0e6,), ("link, tank",))
    assert star.hovertemplate == HOVER


@pytest.mark.parametrize("portfolio", [None, PORTFOLIO])
def test_the_headline_gives_the_base_and_any_chosen_portfolio(portfolio):
    headline = _headline(report(portfolio=portfolio))
    base = ['<div class="value">1,000.0 m3/day</div><div class="label">tap without options',
            '<div class="value">NT$ 5,000,000/year</div><div class="label">annualised cost '
            'without options', '<div class="value">2</div><div class="label">options']
    chosen = ['<div class="value">link, tank</div><div class="label">chosen portfolio',
              '<div class="value">750.0 m3/day</div><div class="label">its tap',
              '<div class="value">NT$ 6,000,000/year</div><div class="label">its annualised cost']
    for item in base + (chosen if portfolio else []):
        assert item in headline
    assert headline.count('<div class="figure">') == (6 if portfolio else 3)


def test_the_page_s_summary_table_has_the_summary_sheet_s_rows():
    page = options_report(report(front=FRONT))
    summary = page[page.index("<summary>summary</summary>"):]
    summary = summary[:summary.index("</details>")]
    for key, value in [("case", "c"), ("currency", "NT$"), ("options", "2"),
                       ("front_points", "3"), ("base.tap_m3_per_day", "1000.0")]:
        assert f"<td>{key}</td>\n      <td>{value}</td>" in summary


def sections(page: str) -> dict[str, str]:
    """Each section's HTML after its <h2> title, up to the next section."""
    parts = page.split("<h2>")[1:]
    return {p.split("</h2>")[0]: p.split("</h2>", 1)[1] for p in parts}


def test_the_page_has_the_headline_the_explanation_and_every_table_with_units():
    page = options_report(report(front=FRONT))
    assert _headline(report(front=FRONT)) in page
    assert "; front of 3 points" in page
    parts = sections(page)
    assert list(parts) == ["Cost and tap", "Every option alone, best buys first",
                           "Trade-off front", "Tables (the --out files)"]
    assert "<p>Each point is a plan solved exactly" in parts["Cost and tap"]
    assert "the trade-off front: for each tap target" in parts["Cost and tap"]
    # figures in the tables carry their units in the headers
    for title in ("Every option alone, best buys first", "Trade-off front"):
        assert "<th>tap_m3_per_day [m3/day]</th>" in parts[title] \
            or "<th>tap_saved_m3_per_day [m3/day]</th>" in parts[title], title
        assert "<th>annualized_cost_per_year [money/year]</th>" in parts[title], title
    assert "<th>annualized_cost_per_year [money/year]</th>" in parts["Tables (the --out files)"]


def test_a_portfolio_page_names_the_question_and_has_no_front():
    page = options_report(report(portfolio={**PORTFOLIO, "question": "max tap 800"}))
    assert "; question: max tap 800" in page
    assert "Trade-off front" not in sections(page)
    assert "the portfolio chosen for the question asked." in sections(page)["Cost and tap"]


def test_an_option_may_be_called_na_or_none():
    # the page's tables are read back from the CSV text of options.csv: only an empty cell is
    # missing, never a name pandas would otherwise take for one
    named = [dict(OPTIONS[0], option="NA"), dict(OPTIONS[1], option="None", **{"with": ["NA"]})]
    tables = options_tables(OptionsReport(case="c", currency="NT$", base=BASE, options=named))
    assert list(tables["options"].option) == ["NA", "None"]


def test_an_empty_figure_is_missing_and_its_column_stays_numeric():
    # an option that saves nothing has no cost per m3 saved and no payback: options.csv leaves
    # those cells empty. Read back for the workbook they are missing, and the columns still
    # hold numbers (read as text, every figure of the column would be a string in the sheet)
    rows = [dict(OPTIONS[0], cost_per_m3_saved=None, payback_years=None),
            dict(OPTIONS[1], cost_per_m3_saved=12.5, payback_years=3.0)]
    table = options_tables(OptionsReport(case="c", currency="NT$", base=BASE,
                                         options=rows))["options"]
    for column, value in (("cost_per_m3_saved", 12.5), ("payback_years", 3.0)):
        assert pd.api.types.is_float_dtype(table[column]), column
        assert pd.isna(table[column][0]) and table[column][1] == value
    assert pd.isna(table["with"][0]) and table["with"][1] == "link;pump"
