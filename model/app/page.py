"""The what-if page (Dash): its layout, the session it keeps, and the pieces callbacks fill in.

    case         a bundled case, or an uploaded case workbook (.xlsx)
    trains       capacity (m3/day) and recovery of each train
    drought      a stage of the case's stage table, or a cut fraction, in every period
    demand       a factor on every use's demand
    options      each option of the case's options.csv, in or out (out: as `wateralloc solve`)
    ->           tap, tap share, shortage, cost; the Sankey; the per-plant table;
                 the plan as Excel (every table) or CSV (allocation.csv)

Every plan comes from `model.app.whatif.resolve` (through `Session.plan`, which keeps each
case's warm models and recent plans for the downloads); the callbacks are in
model.app.callbacks.
"""
from __future__ import annotations

import base64
import binascii
import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

import plotly.graph_objects as go
from dash import dcc, html

from model.app.whatif import WhatIf, resolve
from model.bundled import bundled_case_names
from model.case import TWC_STAGES, Case, load_case
from model.case.workbook import is_workbook
from model.results import Results
from model.results.html import headline_figures
from model.studies.whatif import WarmPlans

CACHE_SIZE = 32
CASES = 4  # cases whose warm models a session keeps
OUT, IN = "out", "in"
NO_STAGE = "(none)"
NUMBER = {"width": "10em"}
CELL = {"padding": "2px 8px", "borderBottom": "1px solid #ddd", "textAlign": "right"}


class Session:
    """Uploaded workbooks (in a private temporary folder), loaded cases with their warm models,
    and recent plans. `close` removes the folder and the workbooks in it: the server calls it
    when it stops (model/app/serve.py)."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="wateralloc-app-"))
        self.plans: OrderedDict[tuple, Results] = OrderedDict()
        self.cases: OrderedDict[str, WarmPlans] = OrderedDict()
        self.lock = threading.Lock()
        self.uploads = 0

    def close(self) -> None:
        """Remove the uploads' folder (the uploaded workbooks are copies; nothing else is in it)."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def warm(self, path: str) -> WarmPlans:
        """The case at `path`, read once, with its warm models."""
        with self.lock:
            if path in self.cases:
                self.cases.move_to_end(path)
                return self.cases[path]
        plans = WarmPlans(load_case(Path(path)))
        with self.lock:
            self.cases[path] = plans
            while len(self.cases) > CASES:
                self.cases.popitem(last=False)
        return plans

    def case(self, path: str) -> Case:
        return self.warm(path).case

    def plan(self, path: str, what_if: WhatIf) -> Results:
        key = (path, what_if.key())
        with self.lock:
            if key in self.plans:
                self.plans.move_to_end(key)
                return self.plans[key]
        plans = self.warm(path)
        results = resolve(plans.case, what_if, plans)
        with self.lock:
            self.plans[key] = results
            while len(self.plans) > CACHE_SIZE:
                self.plans.popitem(last=False)
        return results

    def save_upload(self, contents: str, filename: str) -> Path:
        """Write an uploaded workbook under its own name (so messages name the user's file)."""
        if not is_workbook(Path(filename or "")):
            raise ValueError("upload a case workbook (.xlsx); convert a case folder with "
                             "`wateralloc convert FOLDER case.xlsx`")
        self.uploads += 1
        folder = self.folder / str(self.uploads)
        folder.mkdir()
        path = folder / Path(filename).name
        try:
            path.write_bytes(base64.b64decode(contents.split(",", 1)[1], validate=True))
        except (IndexError, binascii.Error):
            raise ValueError(f"{filename}: the upload could not be read") from None
        return path


def train_rows(case: Case) -> list:
    header = html.Tr([html.Th("train"), html.Th("capacity (m3/day)"), html.Th("recovery")])
    rows = [html.Tr([html.Td(t.name),
                     html.Td(dcc.Input(id={"type": "capacity", "train": t.name}, type="number",
                                       value=t.capacity_m3_per_day, debounce=True,
                                       style=NUMBER)),
                     html.Td(dcc.Input(id={"type": "recovery", "train": t.name}, type="number",
                                       value=t.recovery, step="any",
                                       debounce=True, style=NUMBER))])
            for t in case.trains]
    return [html.Table([header] + rows)]


def option_rows(case: Case) -> list:
    """A switch per option of options.csv: out (the default, as `wateralloc solve` plans the
    case) or in (built in with the options it requires)."""
    if not case.options:
        return []
    header = html.Tr([html.Th("option"), html.Th("kind"), html.Th("capex"), html.Th("")])
    rows = [html.Tr([html.Td(o.name), html.Td(o.kind), html.Td(f"{o.capex:,.0f}", style=CELL),
                     html.Td(dcc.RadioItems([OUT, IN], OUT, id={"type": "option",
                                                                 "option": o.name},
                                            inline=True))])
            for o in case.options]
    return [html.Table([header] + rows, id="options-table")]


def stage_options(case: Case) -> list[str]:
    stages = case.rationing.stages if case.rationing is not None else TWC_STAGES
    return [NO_STAGE] + list(stages)


def layout(default: str) -> html.Div:
    """The page; `default` is a bundled case's name or the path of a case folder or workbook."""
    names = bundled_case_names() + ([] if default in bundled_case_names() else [default])
    return html.Div(style={"fontFamily": "system-ui, sans-serif", "margin": "1em 2em"}, children=[
        html.H2("wateralloc: what if?"),
        dcc.Store(id="case-ref"), dcc.Store(id="plan-key"),
        html.Div([html.Label("case "), dcc.Dropdown(names, default, id="case", clearable=False,
                                                     style={"width": "22em"}),
                  dcc.Upload(id="upload", accept=".xlsx", children=html.Button(
                      "upload a case workbook (.xlsx)"))],
                 style={"display": "flex", "gap": "1em", "alignItems": "center"}),
        html.Pre(id="message", style={"color": "#b00", "whiteSpace": "pre-wrap"}),
        html.Div(id="train-controls"), html.Div(id="option-controls"),
        html.Div([html.Label("drought stage "), dcc.Dropdown(id="stage", clearable=False,
                                                             style={"width": "12em"}),
                  html.Label("or cut (fraction) "), dcc.Input(id="cut", type="number",
                                                              step="any", debounce=True,
                                                              style=NUMBER),
                  html.Label("demand factor "), dcc.Input(id="demand-factor", type="number",
                                                          value=1, step="any",
                                                          debounce=True, style=NUMBER)],
                 style={"display": "flex", "gap": "0.8em", "alignItems": "center",
                        "margin": "0.8em 0"}),
        html.Div(id="headline", style={"display": "flex", "gap": "1.5em", "margin": "1em 0"}),
        html.Div([html.Button("download the plan (Excel)", id="download-xlsx"),
                  html.Button("download allocation.csv", id="download-csv"),
                  dcc.Download(id="download")], style={"display": "flex", "gap": "1em"}),
        dcc.Graph(id="sankey"), html.Div(id="plants")])


def no_plan_figure(why: str) -> go.Figure:
    figure = go.Figure()
    figure.add_annotation(text=why, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    figure.update_layout(xaxis_visible=False, yaxis_visible=False, height=200)
    return figure


def headline(results: Results) -> list:
    s = results.summary
    exact = {"tap": s.tap_m3_per_day, "tap share": s.tap_share,
             "shortage": s.shortage_m3 / s.days, "cost": s.cost_per_day}
    return [html.Div([html.Div(text, id=label.replace(" ", "-"), **{
        "data-value": repr(exact.get(label))}, style={"fontSize": "1.4em", "fontWeight": 600}),
        html.Div(label, style={"color": "#666"})]) for label, text in headline_figures(results)]


def plants_table(results: Results) -> html.Table:
    df = results.plants
    head = html.Tr([html.Th(c) for c in df.columns])
    body = [html.Tr([html.Td(v if isinstance(v, str) else f"{v:,.1f}" if not c.endswith(
        "share") else f"{v:.3f}", style=CELL) for c, v in zip(df.columns, row)])
        for row in df.itertuples(index=False)]
    return html.Table([head] + body, id="plants-table")
