"""A plan as one self-contained HTML file (`--html FILE`): it opens offline, since plotly.js is
written into the page once and nothing is fetched.

    headline      tap, tap share, recycled, shortage, cost
    marginal values, as sentences (model.results.marginal)
    Sankey        the campus water (model.results.sankey)
    per plant     supply by kind and generation, shortage (model.results.charts)
    over time     cases with several periods: volumes by period on the drought stages, tanks
    tables        the summary and every `--out` table, with units in the headers

`page(title, sections)` assembles any report from `Section`s; `plan_report(results)` is the plan's.
A later report (option studies, sweeps) is its own list of sections given to `page`.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from model.results.charts import plant_bars, tank_chart, time_chart
from model.results.collect import Results
from model.results.excel import plan_tables, summary_rows
from model.results.marginal import NEGLIGIBLE_M3_PER_DAY, marginal_sentences, volume
from model.results.sankey import sankey_figure
from model.results.units import with_unit

STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 1.5em auto;
       max-width: 1200px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
.headline { display: flex; flex-wrap: wrap; gap: 0.8em; margin: 1em 0; }
.figure { border: 1px solid #ddd; border-radius: 6px; padding: 0.5em 1em; min-width: 9em; }
.figure .value { font-size: 1.4em; font-weight: 600; } .figure .label { color: #666; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0 1.2em; }
th, td { border: 1px solid #ddd; padding: 2px 6px; } td { text-align: right; }
th { background: #f4f4f4; position: sticky; top: 0; }
details { margin: 0.4em 0; } summary { cursor: pointer; font-weight: 600; }
"""


@dataclass(frozen=True)
class Section:
    """One part of a report: a title, plotly figures, and HTML built from escaped text."""

    title: str
    figures: tuple[go.Figure, ...] = ()
    html: str = ""


def figure_html(figure: go.Figure) -> str:
    return figure.to_html(full_html=False, include_plotlyjs=False,
                          config={"displaylogo": False, "responsive": True})


def table_html(df: pd.DataFrame, headers: list[str] | None = None) -> str:
    """A table with its figures to three decimals and thousands separated."""
    shown = df.copy()
    if headers is not None:
        shown.columns = headers
    return shown.to_html(index=False, na_rep="", border=0, float_format=lambda v: f"{v:,.3f}")


def page(title: str, subtitle: str, sections: list[Section], headline: str = "") -> str:
    """The whole HTML document: plotly.js inline once, then each section."""
    body = []
    for section in sections:
        body.append(f"<h2>{html.escape(section.title)}</h2>")
        body.append(section.html)
        body += [f'<div class="plot">{figure_html(f)}</div>' for f in section.figures]
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style>"
            f"<script type=\"text/javascript\">{get_plotlyjs()}</script></head><body>"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p>{headline}"
            + "\n".join(body) + "</body></html>\n")


def headline_figures(results: Results) -> list[tuple[str, str]]:
    """(label, value) of the figures an engineer looks at first."""
    s = results.summary
    shares = [("tap", f"{volume(s.tap_m3_per_day)} m3/day"),
              ("tap share", "-" if s.tap_share is None else f"{s.tap_share:.3f}"),
              ("recycled", f"{volume(s.recycled_m3_per_day)} m3/day"),
              ("shortage", f"{volume(s.shortage_m3 / s.days)} m3/day")]
    if s.tanker_m3 / s.days > NEGLIGIBLE_M3_PER_DAY:
        shares.append(("trucked", f"{volume(s.tanker_m3 / s.days)} m3/day"))
        shares.append(("truckloads", f"{s.tanker_truckloads:,d} of 20 t"))
    if s.cost_per_day is not None:
        shares.append(("cost", f"{s.cost_per_day:,.0f} per day"))
    return shares


def _headline(results: Results) -> str:
    items = "".join(f'<div class="figure"><div class="value">{html.escape(v)}</div>'
                    f'<div class="label">{html.escape(k)}</div></div>'
                    for k, v in headline_figures(results))
    return f'<div class="headline">{items}</div>'


def _tables_html(results: Results) -> str:
    summary = pd.DataFrame(summary_rows(results.summary.to_dict()),
                           columns=["key", "value", "unit"]).astype({"value": object})
    parts = [f"<details open><summary>summary</summary>"
             f"{summary.to_html(index=False, border=0, na_rep='')}</details>"]
    for name, df in plan_tables(results).items():
        parts.append(f"<details><summary>{html.escape(name)} ({len(df)} rows)</summary>"
                     f"{table_html(df, [with_unit(c) for c in df.columns])}</details>")
    return "".join(parts)


def plan_sections(results: Results) -> list[Section]:
    """The sections of a plan's report, in reading order."""
    sentences = "".join(f"<li>{html.escape(s)}</li>" for s in
                        marginal_sentences(results.summary))
    sections = [Section("What more capacity, recovery or a looser limit is worth",
                        html=f"<ul>{sentences}</ul>"),
                Section("Where the water goes", (sankey_figure(results),),
                        "<p>Flows in m3/day (averaged over the horizon); hover on a flow for "
                        "its volume, kind and generation (treatment passes).</p>"),
                Section("Each plant", (plant_bars(results),))]
    if len(results.periods) > 1:
        charts = (time_chart(results),) + tuple(
            c for c in (tank_chart(results),) if c is not None)
        sections.append(Section("Over time", charts))
    sections.append(Section("Tables (the --out files)", html=_tables_html(results)))
    return sections


def plan_report(results: Results) -> str:
    s = results.summary
    subtitle = (f"status: {s.status}; {len(s.periods)} period{'s' if len(s.periods) > 1 else ''}"
                f" over {s.days:g} day{'s' if s.days != 1 else ''}")
    return page(f"wateralloc plan: {s.case}", subtitle, plan_sections(results),
                _headline(results))
