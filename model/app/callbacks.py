"""The page's callbacks: choosing a case, re-planning after a change, downloading the plan.

A failure (an invalid upload or value, an infeasible case, a solver that stopped) shows the
command line's message ("wateralloc: ...") and clears every figure, so no figure from a
non-optimal solve is ever on the page; an unexpected error is shown as the command line shows
an internal error, never as a traceback.
"""
from __future__ import annotations

from pathlib import Path

import dash
from dash import ALL, Input, Output, State, ctx, dcc, no_update

from model.app.page import (IN, NO_STAGE, Session, headline, layout, no_plan_figure,
                            option_rows, plants_table, stage_options, train_rows)
from model.app.whatif import WhatIf
from model.bundled import bundled_case, bundled_case_names
from model.errors import WaterallocError
from model.results.excel import plan_workbook
from model.results.sankey import sankey_figure


def message(exc: Exception) -> str:
    """What the command line prints for the same failure."""
    if isinstance(exc, (WaterallocError, ValueError)):
        return f"wateralloc: {exc}"
    return (f"wateralloc: internal error ({type(exc).__name__}: {exc}). Please report it with "
            "the case.")


def what_if(capacities, recoveries, ids, stage, cut, factor, switches=(), switch_ids=()
            ) -> WhatIf:
    trains = {i["train"]: (c, r) for i, c, r in zip(ids, capacities, recoveries)}
    chosen = tuple(i["option"] for i, v in zip(switch_ids, switches) if v == IN)
    return WhatIf(trains, None if stage in (None, NO_STAGE) else stage, cut,
                  1.0 if factor is None else factor, chosen)


def choose_case(session: Session, name, contents, filename):
    """(case reference, train controls, option switches, stage options, stage, cut, message)
    for a choice."""
    try:
        if ctx.triggered_id == "upload" and contents:
            path = session.save_upload(contents, filename)
        else:
            path = bundled_case(name) if name in bundled_case_names() else Path(name)
        case = session.case(str(path))
    except (WaterallocError, ValueError, OSError) as exc:
        return (no_update,) * 6 + (message(exc),)
    ref = {"path": str(path), "name": case.name}
    return ref, train_rows(case), option_rows(case), stage_options(case), NO_STAGE, None, ""


def replan(session: Session, ref, capacities, recoveries, ids, stage, cut, factor,
           switches=(), switch_ids=()):
    """(headline, Sankey, plant table, message, plan key) after any change."""
    if not ref:
        return [], no_plan_figure("no case"), None, "", None
    change = what_if(capacities, recoveries, ids, stage, cut, factor, switches, switch_ids)
    try:
        results = session.plan(ref["path"], change)
    except Exception as exc:  # every failure is a message; no figure survives it
        return [], no_plan_figure("no plan: see the message above"), None, message(exc), None
    return (headline(results), sankey_figure(results, f"{ref['name']}: campus water (m3/day)"),
            plants_table(results), "", {"path": ref["path"], "what_if": [
                capacities, recoveries, ids, stage, cut, factor, switches, switch_ids]})


def download(session: Session, kind: str, key):
    if not key:
        return no_update
    results = session.plan(key["path"], what_if(*key["what_if"]))
    if kind == "download-xlsx":
        return dcc.send_bytes(plan_workbook(results), "plan.xlsx")
    return dcc.send_string(results.allocation.to_csv(index=False), "allocation.csv")


def create_app(default_case: str, session: Session | None = None) -> dash.Dash:
    """The Dash application, its assets served by the process itself (no network), keeping its
    uploads and plans in `session` (a new one if none is given)."""
    session = session if session is not None else Session()
    app = dash.Dash(__name__, title="wateralloc what-if", serve_locally=True)
    app.layout = layout(default_case)
    train = {"capacity": {"type": "capacity", "train": ALL},
             "recovery": {"type": "recovery", "train": ALL}}
    switch = {"type": "option", "option": ALL}
    app.callback(Output("case-ref", "data"), Output("train-controls", "children"),
                 Output("option-controls", "children"),
                 Output("stage", "options"), Output("stage", "value"), Output("cut", "value"),
                 Output("message", "children", allow_duplicate=True),
                 Input("case", "value"), Input("upload", "contents"),
                 State("upload", "filename"), prevent_initial_call="initial_duplicate")(
        lambda *a: choose_case(session, *a))
    app.callback(Output("headline", "children"), Output("sankey", "figure"),
                 Output("plants", "children"), Output("message", "children"),
                 Output("plan-key", "data"),
                 Input("case-ref", "data"), Input(train["capacity"], "value"),
                 Input(train["recovery"], "value"), State(train["capacity"], "id"),
                 Input("stage", "value"), Input("cut", "value"), Input("demand-factor", "value"),
                 Input(switch, "value"), State(switch, "id"))(
        lambda *a: replan(session, *a))
    app.callback(Output("download", "data"), Input("download-xlsx", "n_clicks"),
                 Input("download-csv", "n_clicks"), State("plan-key", "data"),
                 prevent_initial_call=True)(
        lambda *a: download(session, ctx.triggered_id, a[-1]))
    return app
