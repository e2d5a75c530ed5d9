"""`wateralloc options --html/--xlsx`: the options study as a self-contained page and a workbook.

    headline      the plan without options (tap, annualised cost); the chosen portfolio
    cost-tap      each option alone, the plan without options, the trade-off front (or the
                  chosen portfolio) on one chart: tap drawn (m3/day) against annualised cost
    options       the options table (options.csv), best buys first
    plan          when a portfolio was asked for, the chosen portfolio's plan as `solve --html`
                  shows it (its Sankey, bars and tables)
    tables        the summary and every CSV table `--out` writes

The workbook has a summary sheet first, then every CSV table of `--out` as a sheet named as its
file (options, front or portfolio, and the chosen plan's tables). Every figure is read from the
`OptionsReport`, the same object the JSON and CSV files are written from.
"""
from __future__ import annotations

import html
from io import StringIO
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from model.results.excel import summary_rows, tables_workbook
from model.results.html import Section, page, plan_sections, table_html
from model.results.options import OptionsReport, options_files
from model.results.units import with_unit


def options_tables(report: OptionsReport) -> dict[str, pd.DataFrame]:
    """Every CSV table `--out` writes, by sheet name (the file name without `.csv`), read back
    from the very text written to the files so that the sheets and the files agree."""
    return {Path(name).stem: pd.read_csv(StringIO(text), keep_default_na=False,
                                         na_values=[""])
            for name, text in options_files(report).items() if name.endswith(".csv")}


def options_summary(report: OptionsReport) -> dict:
    """The summary sheet: case, currency, the plan without options, the portfolio or the front's
    size, the chosen plan's summary (keys `plan.`), the seconds taken."""
    d = report.to_dict()
    out = {"case": d["case"], "currency": d["currency"], "base": d["base"],
           "options": len(d["options"])}
    if d["portfolio"] is not None:
        out["portfolio"] = d["portfolio"]
    if d["front"] is not None:
        out["front_points"] = len(d["front"])
    if report.plan is not None:
        out["plan"] = report.plan.summary.to_dict()
    out["seconds"] = d["seconds"]
    return out


def options_workbook(report: OptionsReport) -> bytes:
    return tables_workbook(options_summary(report), options_tables(report))


def _selected(names) -> str:
    return ", ".join(names) or "no option"


def front_figure(report: OptionsReport) -> go.Figure:
    """Tap drawn against annualised cost: the plan without options, each option alone (with
    what it requires), and the front (a line through its points) or the chosen portfolio."""
    cur = report.currency
    hover = "%{text}<br>tap %{x:,.1f} m3/day<br>" + cur + " %{y:,.0f} a year<extra></extra>"
    figure = go.Figure()
    base = report.base
    figure.add_scatter(x=[base["tap_m3_per_day"]], y=[base["annualized_cost_per_year"]],
                       mode="markers", name="no option", text=["no option"],
                       marker=dict(symbol="square", size=11, color="rgb(90,90,90)"),
                       hovertemplate=hover)
    alone = report.options
    figure.add_scatter(x=[base["tap_m3_per_day"] - r["tap_saved_m3_per_day"] for r in alone],
                       y=[r["annualized_cost_per_year"] for r in alone], mode="markers",
                       name="each option alone", marker=dict(size=9, color="rgb(31,119,180)"),
                       text=[r["option"] + (f" (+{'+'.join(r['with'])})" if r["with"] else "")
                             for r in alone], hovertemplate=hover)
    if report.front is not None:
        front = sorted(report.front, key=lambda q: q["tap_m3_per_day"])
        figure.add_scatter(x=[q["tap_m3_per_day"] for q in front],
                           y=[q["annualized_cost_per_year"] for q in front],
                           mode="lines+markers", name="trade-off front", line_shape="hv",
                           marker=dict(size=10, color="rgb(214,39,40)"),
                           text=[_selected(q["selected"]) for q in front], hovertemplate=hover)
    if report.portfolio is not None:
        p = report.portfolio
        figure.add_scatter(x=[p["tap_m3_per_day"]], y=[p["annualized_cost_per_year"]],
                           mode="markers", name="chosen portfolio",
                           text=[_selected(p["selected"])], hovertemplate=hover,
                           marker=dict(symbol="star", size=16, color="rgb(214,39,40)"))
    figure.update_layout(title=f"Tap drawn against annualised cost ({cur} a year)",
                         xaxis_title="tap (m3/day)", yaxis_title=f"annualised cost ({cur}/year)",
                         height=480, margin=dict(l=10, r=10, t=40, b=10))
    return figure


def _headline(report: OptionsReport) -> str:
    cur, base = report.currency, report.base
    items = [("tap without options", f"{base['tap_m3_per_day']:,.1f} m3/day"),
             ("annualised cost without options",
              f"{cur} {base['annualized_cost_per_year']:,.0f}/year"),
             ("options", f"{len(report.options)}")]
    if report.portfolio is not None:
        p = report.portfolio
        items += [("chosen portfolio", _selected(p["selected"])),
                  ("its tap", f"{p['tap_m3_per_day']:,.1f} m3/day"),
                  ("its annualised cost", f"{cur} {p['annualized_cost_per_year']:,.0f}/year")]
    cells = "".join(f'<div class="figure"><div class="value">{html.escape(v)}</div>'
                    f'<div class="label">{html.escape(k)}</div></div>' for k, v in items)
    return f'<div class="headline">{cells}</div>'


def _tables_html(report: OptionsReport, tables: dict[str, pd.DataFrame]) -> str:
    summary = pd.DataFrame(summary_rows(options_summary(report)),
                           columns=["key", "value", "unit"]).astype({"value": object})
    parts = [f"<details><summary>summary</summary>"
             f"{summary.to_html(index=False, border=0, na_rep='')}</details>"]
    for name, df in tables.items():
        parts.append(f"<details><summary>{html.escape(name)} ({len(df)} rows)</summary>"
                     f"{table_html(df, [with_unit(c) for c in df.columns])}</details>")
    return "".join(parts)


def options_report(report: OptionsReport) -> str:
    """The whole page."""
    tables = options_tables(report)
    explain = ("<p>Each point is a plan solved exactly: the plan without options, each option "
               "alone (with the options it requires), and "
               + ("the trade-off front: for each tap target, the cheapest portfolio reaching it "
                  "(the step line joins them; hover for the portfolio)." if report.front
                  is not None else "the portfolio chosen for the question asked.") + "</p>")
    sections = [Section("Cost and tap", (front_figure(report),), explain),
                Section("Every option alone, best buys first",
                        html=table_html(tables["options"], [with_unit(c) for c in tables["options"]])
                        + "<p>cost per m3 saved: what each m3 of tap saved costs, to set "
                          "against the tap price; payback: capex over the money saved each "
                          "year; largest cut: of the base tap draw, absorbed with no "
                          "shortage.</p>")]
    if report.front is not None:
        sections.append(Section("Trade-off front", html=table_html(tables["front"], [with_unit(c) for c in tables["front"]])))
    if report.plan is not None:
        sections += [Section(f"Plan of the chosen portfolio: {s.title}", s.figures, s.html)
                     for s in plan_sections(report.plan)[:-1]]
    sections.append(Section("Tables (the --out files)", html=_tables_html(report, tables)))
    subtitle = (f"{len(report.options)} options; money in {report.currency}"
                + (f"; question: {report.portfolio['question']}" if report.portfolio else
                   f"; front of {len(report.front or [])} points"))
    return page(f"wateralloc options: {report.case}", subtitle, sections, _headline(report))
