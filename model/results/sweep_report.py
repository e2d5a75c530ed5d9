"""`wateralloc sweep --html/--xlsx`: a sweep as a self-contained page and a workbook.

The charts show tap (m3/day), cost (per day, when the case prices its water) and shortage (m3
over the horizon) against the swept parameters, read from the sweep table (`sweep.csv`):

    one parameter     a line chart of each figure against it
    two parameters    a heat map of each figure over the grid of the two, the figure written
                      in each cell
    three or more     a line chart per parameter, the other parameters held at their first
                      value (the first value of the sweep, in the order given); the full
                      table is below the charts

A scenario that did not end optimal (infeasible, stopped by a limit) has no figure: a line has
a gap there, a heat-map cell is blank and reads "infeasible" (or the status), and under each
line chart a status strip marks every scenario with its status. A cell left empty in a
scenarios file (the case's own value) is shown as "case".

The workbook has a summary sheet (case, counts by status, parameters, seconds) and the sweep
table as the sheet `sweep`, as `sweep.csv` holds it.
"""
from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from model.results.excel import summary_rows, tables_workbook
from model.results.html import Section, page, table_html
from model.results.units import with_unit

CHARTED = {"tap_m3_per_day": "tap (m3/day)", "cost_per_day": "cost per day",
           "shortage_m3": "shortage (m3 over the horizon)"}
CASE_VALUE = "case"  # an empty cell of a scenarios file: the case's own value
STATUS_COLOURS = {"optimal": "rgb(44,160,44)", "infeasible": "rgb(214,39,40)"}
OTHER_STATUS = "rgb(255,127,14)"


def parameter_columns(table: pd.DataFrame) -> list[str]:
    """The swept parameters: the columns between `scenario` and `status`."""
    columns = list(table.columns)
    return columns[columns.index("scenario") + 1:columns.index("status")]


def charted(table: pd.DataFrame) -> list[str]:
    """The figures drawn: tap and shortage always, cost when some scenario has one."""
    return [c for c in CHARTED if c != "cost_per_day" or table[c].notna().any()]


def _values(table: pd.DataFrame, column: str) -> pd.Series:
    """A parameter's values as drawn: empty cells as "case"."""
    values = table[column]
    return values.astype(object).where(values.notna(), CASE_VALUE)


def _levels(table: pd.DataFrame, column: str) -> list:
    """A parameter's distinct values in the order drawn: numbers ascending, else as given."""
    values = list(dict.fromkeys(_values(table, column)))
    numbers = [v for v in values if not isinstance(v, str)]
    return sorted(numbers) + [v for v in values if isinstance(v, str)]


def label(value) -> str:
    """A parameter value as an axis label: 0.7, not 0.7000000000000001."""
    return value if isinstance(value, str) else f"{value:.10g}"


def _figure(table: pd.DataFrame, column: str) -> list:
    """A figure per scenario, None where the scenario did not end optimal."""
    ok = table.status == "optimal"
    return [float(v) if good and pd.notna(v) else None for v, good in zip(table[column], ok)]


def held(table: pd.DataFrame, free: list[str]) -> pd.DataFrame:
    """The scenarios whose parameters other than `free` are at their first value."""
    keep = pd.Series(True, index=table.index)
    for c in parameter_columns(table):
        if c not in free:
            values = _values(table, c)
            keep &= values == values.iloc[0]
    return table[keep]


def line_chart(table: pd.DataFrame, column: str, note: str = "") -> go.Figure:
    """Each charted figure against one parameter, and a strip of each scenario's status."""
    rows = held(table, [column])
    x = _values(rows, column)
    order = {v: i for i, v in enumerate(_levels(rows, column))}
    rows = rows.assign(_x=x, _order=x.map(order)).sort_values("_order", kind="stable")
    figures = charted(table)
    chart = make_subplots(rows=len(figures) + 1, cols=1, shared_xaxes=True,
                          vertical_spacing=0.06,
                          row_heights=[1.0] * len(figures) + [0.35],
                          subplot_titles=[CHARTED[f] for f in figures] + ["status"])
    for i, f in enumerate(figures, start=1):
        chart.add_scatter(x=list(rows._x), y=_figure(rows, f), mode="lines+markers",
                          name=CHARTED[f], connectgaps=False, row=i, col=1, showlegend=False,
                          customdata=list(rows.scenario),
                          hovertemplate="%{customdata}: %{y:,.1f}<extra>" + CHARTED[f]
                                        + "</extra>")
    chart.add_scatter(x=list(rows._x), y=list(rows.status), mode="markers", name="status",
                      marker=dict(size=10, symbol="square",
                                  color=[STATUS_COLOURS.get(s, OTHER_STATUS)
                                         for s in rows.status]),
                      customdata=list(rows.scenario), showlegend=False,
                      hovertemplate="%{customdata}: %{y}<extra></extra>",
                      row=len(figures) + 1, col=1)
    chart.update_xaxes(title_text=with_unit(column), row=len(figures) + 1, col=1)
    chart.update_layout(title=f"Against {column}{note}", height=260 * len(figures) + 160,
                        margin=dict(l=10, r=10, t=60, b=10))
    return chart


def heat_map(table: pd.DataFrame, x: str, y: str, figure: str, note: str = "") -> go.Figure:
    """One figure over the grid of two parameters; a cell with no optimal scenario is blank and
    names its status."""
    rows = held(table, [x, y])
    xs, ys = _levels(rows, x), _levels(rows, y)
    cell = {(a, b): (s, v) for a, b, s, v in
            zip(_values(rows, x), _values(rows, y), rows.status, _figure(rows, figure))}
    z = [[cell.get((a, b), ("", None))[1] for a in xs] for b in ys]
    text = [["" if (a, b) not in cell else cell[a, b][0] if cell[a, b][1] is None
             else f"{cell[a, b][1]:,.0f}" for a in xs] for b in ys]
    chart = go.Figure(go.Heatmap(
        x=[label(a) for a in xs], y=[label(b) for b in ys], z=z, text=text,
        texttemplate="%{text}", colorscale="Blues", hoverongaps=True,
        colorbar=dict(title=CHARTED[figure]),
        hovertemplate=f"{x} %{{x}}<br>{y} %{{y}}<br>%{{text}}<extra></extra>"))
    chart.update_layout(title=f"{CHARTED[figure]} over {x} and {y}{note}",
                        xaxis_title=with_unit(x), yaxis_title=with_unit(y), height=460,
                        xaxis_type="category", yaxis_type="category",
                        margin=dict(l=10, r=10, t=50, b=10))
    return chart


def sweep_charts(table: pd.DataFrame) -> list[go.Figure]:
    params = parameter_columns(table)
    if len(params) == 1:
        return [line_chart(table, params[0])]
    if len(params) == 2:
        return [heat_map(table, params[0], params[1], f) for f in charted(table)]
    return [line_chart(table, p, " (other parameters at their first value)") for p in params]


def sweep_summary(case: str, table: pd.DataFrame, counts: dict[str, int],
                  seconds: float | None = None) -> dict:
    out = {"case": case, "parameters": parameter_columns(table), "counts": counts}
    if seconds is not None:
        out["seconds"] = seconds
    return out


def sweep_workbook(case: str, table: pd.DataFrame, counts: dict[str, int],
                   seconds: float | None = None) -> bytes:
    return tables_workbook(sweep_summary(case, table, counts, seconds), {"sweep": table})


def _how(params: list[str]) -> str:
    if len(params) == 1:
        return f"Each figure against {params[0]}; under them, each scenario's status."
    if len(params) == 2:
        return (f"Each figure over the grid of {params[0]} and {params[1]}, written in each "
                "cell; a cell whose scenario did not end optimal is blank and says why.")
    return ("More than two parameters: one chart per parameter, the others held at their first "
            "value; every scenario is in the table below.")


def sweep_report(case: str, table: pd.DataFrame, counts: dict[str, int],
                 seconds: float | None = None) -> str:
    params = parameter_columns(table)
    headline = "".join(
        f'<div class="figure"><div class="value">{counts[k]:,}</div>'
        f'<div class="label">{html.escape(k)}</div></div>'
        for k in ("scenarios", "optimal", "infeasible", "other"))
    sections = [Section("Tap, cost and shortage", tuple(sweep_charts(table)),
                        f"<p>{html.escape(_how(params))} No figure is shown for a scenario "
                        "that did not end optimal.</p>"),
                Section("Every scenario (sweep.csv)",
                        html=table_html(table, [with_unit(c) for c in table.columns]))]
    return page(f"wateralloc sweep: {case}", f"swept: {', '.join(params)}", sections,
                f'<div class="headline">{headline}</div>')
