"""Charts of a plan (plotly figures), each drawn from the result tables alone:

- per-plant bars: tap, trucked water, direct reuse and recycled water by generation, stacked,
  with the plant's shortage beside them where there is some (m3/day over the horizon);
- over time (cases with several periods): tap, recycled, trucked water and shortage per
  period, with the drought stage of each period as a coloured band;
- tank levels at the end of each period (cases with tanks).
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from model.results.collect import Results
from model.results.sankey import GENERATION_COLOURS
from model.results.tables import source_kind

# Taiwan Water Corporation's stage colours; other stage names get grey
STAGE_COLOURS = {"blue": "rgba(31,119,180,0.12)", "green": "rgba(44,160,44,0.12)",
                 "yellow": "rgba(255,221,0,0.25)", "orange": "rgba(255,127,14,0.25)",
                 "red": "rgba(214,39,40,0.25)"}
OTHER_STAGE = "rgba(127,127,127,0.15)"
SERIES = {"tap_m3_per_day": "tap", "recycled_m3_per_day": "recycled",
          "tanker_m3_per_day": "trucked", "shortage_m3_per_day": "shortage"}


def plant_supply(results: Results) -> pd.DataFrame:
    """Per plant (rows, in table order) and kind of supply (columns: tap, tanker, direct
    g, recycled g), m3/day weighted over the horizon; `shortage` last."""
    days = results.periods.set_index("period").days
    a = results.allocation.assign(
        flow=lambda d: d.m3_per_day * d.period.map(days).astype(float) / days.sum(),
        kind=lambda d: source_kind(d.source))
    a["series"] = [k if k in ("tap", "tanker") else f"{k} generation {g}"
                   for k, g in zip(a.kind, a.generation)]
    table = a.pivot_table(index="plant", columns="series", values="flow", aggfunc="sum",
                          sort=False).fillna(0.0)
    plants = list(results.plants.plant)
    table = table.reindex(plants).fillna(0.0)
    order = [c for c in ("tap", "tanker") if c in table] + sorted(
        c for c in table if c not in ("tap", "tanker"))
    table = table[order]
    if "shortage_m3_per_day" in results.plants:
        table["shortage"] = results.plants.set_index("plant").shortage_m3_per_day.reindex(
            plants).to_numpy()
    return table


def _bar_colour(series: str) -> str:
    """The Sankey's colours: tap blue, trucked water red, generation g its link colour."""
    if series in ("tap", "tanker", "shortage"):
        return {"tap": "rgb(31,119,180)", "tanker": "rgb(214,39,40)",
                "shortage": "rgb(120,0,0)"}[series]
    g = int(series.rsplit(" ", 1)[-1])
    return GENERATION_COLOURS[(g - 1) % len(GENERATION_COLOURS)].replace("0.45)", "0.9)")


def plant_bars(results: Results) -> go.Figure:
    table = plant_supply(results)
    figure = go.Figure()
    for column in table:
        shortage = column == "shortage"
        figure.add_bar(x=table.index, y=table[column], name=column,
                       offsetgroup="shortage" if shortage else "supply",
                       marker_color=_bar_colour(column),
                       hovertemplate="%{x}: %{y:,.1f} m3/day<extra>" + column + "</extra>")
    figure.update_layout(barmode="relative", title="Water to each plant (m3/day)",
                         yaxis_title="m3/day", height=420, legend_title_text="supply",
                         margin=dict(l=10, r=10, t=40, b=10))
    return figure


def _x(periods: pd.DataFrame) -> tuple[list, list]:
    """Each period's start and end on the time axis: dates when every period has one, else
    the running day count."""
    if periods.start.notna().all():
        start = pd.to_datetime(periods.start)
        return list(start), list(start + pd.to_timedelta(periods.days, unit="D"))
    end = periods.days.cumsum()
    return list(end - periods.days), list(end)


def time_chart(results: Results) -> go.Figure:
    """Campus volumes per period (step lines) over the drought stages (bands)."""
    periods = results.periods
    starts, ends = _x(periods)
    figure = go.Figure()
    for column, name in SERIES.items():
        if column == "tanker_m3_per_day" and not (periods[column] > 0).any():
            continue
        if column == "shortage_m3_per_day" and not (periods[column] > 0).any():
            continue
        figure.add_scatter(x=starts + ends[-1:], y=list(periods[column]) + [periods[column].iloc[-1]],
                           mode="lines", line_shape="hv", name=name,
                           hovertemplate="%{y:,.1f} m3/day<extra>" + name + "</extra>")
    for stage, x0, x1 in zip(periods.stage, starts, ends):
        if isinstance(stage, str):
            figure.add_vrect(x0=x0, x1=x1, fillcolor=STAGE_COLOURS.get(stage, OTHER_STAGE),
                             line_width=0, layer="below")
    for stage in dict.fromkeys(s for s in periods.stage if isinstance(s, str)):
        figure.add_scatter(x=[None], y=[None], mode="markers", name=f"stage {stage}",
                           marker=dict(symbol="square", size=12,
                                       color=STAGE_COLOURS.get(stage, OTHER_STAGE)))
    figure.update_layout(title="Campus water by period (m3/day); bands: drought stage",
                         yaxis_title="m3/day", height=420, margin=dict(l=10, r=10, t=40, b=10))
    return figure


def tank_chart(results: Results) -> go.Figure | None:
    levels = results.tank_levels
    if levels is None:
        return None
    starts, ends = _x(results.periods)
    end_of = dict(zip(results.periods.period, ends))
    figure = go.Figure()
    for tank, rows in levels.groupby("tank", sort=False):
        figure.add_scatter(x=[starts[0]] + [end_of[p] for p in rows.period],
                           y=[rows.initial_m3.iloc[0]] + list(rows.end_level_m3), name=tank,
                           mode="lines+markers",
                           hovertemplate="%{y:,.0f} m3<extra>" + tank + "</extra>")
        figure.add_hline(y=rows.capacity_m3.iloc[0], line_dash="dot",
                         annotation_text=f"{tank} capacity")
    figure.update_layout(title="Tank levels at the end of each period (m3)", yaxis_title="m3",
                         height=360, margin=dict(l=10, r=10, t=40, b=10))
    return figure
