"""A sweep's results: one row of figures per scenario, the table, the JSON and the summary line.

Each scenario's figures mean what the plan's summary means (`model.results.summary`), and are
read either from a warm re-solve's arrays (`Figures`, fast: no Pyomo objects are touched) or
from a cold plan's summary (`figures_of_summary`), so that the two can be compared:

    tap_m3_per_day        day-weighted campus tap
    cost_per_day          the cost stage's objective per day (None when trains carry no price)
    shortage_m3           demand not supplied over the horizon
    recycled_m3_per_day   day-weighted recycled water delivered (from trains and tanks)
    capacity_value, recovery_value   per train, day-weighted: the marginal values of
                          `model.results.tables.train_table`, from the tap stage's row duals

A scenario that did not end optimal has only its status and, when it is infeasible, the least
tap (water bought, m3/day) that meets every demand with no cap: `least_tap_m3_per_day`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from model.formulation import Formulation
from model.formulation.objectives import COST
from model.results.output import json_safe
from model.results.summary import Summary
from model.solve.highs import LoadedLP
from model.solve.stages import PlanRun

FIGURES = ("tap_m3_per_day", "cost_per_day", "shortage_m3", "recycled_m3_per_day")
VALUES = ("capacity_value", "recovery_value")
BASELINE = "rationing_baseline_m3_per_day"


@dataclass
class ScenarioRow:
    """One scenario's outcome, as reported."""

    scenario: str
    parameters: dict[str, Any]
    status: str
    figures: dict[str, float | None] = field(default_factory=dict)
    marginal_values: dict[str, dict[str, float]] = field(default_factory=dict)  # per train
    least_tap_m3_per_day: float | None = None
    # a rationed scenario's baseline: its cut is of this draw (given, or the least tap of the
    # scenario's own case, so it moves with capacity, recovery and demand)
    baseline_m3_per_day: float | None = None

    def to_dict(self) -> dict:
        """The JSON object of the scenario."""
        out = {"scenario": self.scenario, "status": self.status}
        out.update({k: self.figures.get(k) for k in FIGURES})
        out["marginal_values"] = self.marginal_values
        out["least_tap_m3_per_day"] = self.least_tap_m3_per_day
        out[BASELINE] = self.baseline_m3_per_day
        out["parameters"] = self.parameters
        return out

    def flat(self) -> dict:
        """The CSV row: parameters, status, figures, the baseline (of a rationed scenario;
        empty otherwise), then `<value>:<train>` columns."""
        out = {"scenario": self.scenario, **self.parameters, "status": self.status}
        out.update({k: self.figures.get(k) for k in FIGURES})
        out["least_tap_m3_per_day"] = self.least_tap_m3_per_day
        out[BASELINE] = self.baseline_m3_per_day
        for train, values in self.marginal_values.items():
            out.update({f"{k}:{train}": v for k, v in values.items()})
        return out

    def numbers(self) -> dict[str, float | None]:
        """Every figure the row reports, flat, for comparisons."""
        out = dict(self.figures)
        out["least_tap_m3_per_day"] = self.least_tap_m3_per_day
        out[BASELINE] = self.baseline_m3_per_day
        for train, values in self.marginal_values.items():
            out.update({f"{k}:{train}": v for k, v in values.items()})
        return out


class Figures:
    """Reads a scenario's figures from the arrays of a warm re-solve of `f` loaded as `lp`."""

    def __init__(self, f: Formulation, lp: LoadedLP):
        m, net = f.model, f.net
        col = {id(v): j for j, v in enumerate(lp.columns)}
        row = lp.row_of
        self.days = f.case.total_days
        self.costed = f.case.costed

        def weighted(var):  # columns of a variable indexed [..., t], and days_t of each
            items = [(col[id(v)], net.days[k[-1]]) for k, v in var.items() if id(v) in col]
            return (np.array([j for j, _ in items], dtype=np.int64),
                    np.array([d for _, d in items], dtype=float))
        self.tap = weighted(m.tap_m3_per_day)
        self.recycled = weighted(m.recycled_m3_per_day)
        self.shortage = weighted(m.shortage_m3_per_day)
        self.capacity = {s: [row[id(m.treatment_capacity[s, t])] for t in net.PERIODS
                             if (s, t) in m.treatment_capacity] for s in net.TRAINS}
        self.recovery = {s: [(row[id(con)], [col[id(m.feed_m3_per_day[s2, z, g, t])]
                                             for z in net.zones_fed[s]])
                             for (s2, g, t), con in m.recovery.items() if s2 == s]
                         for s in net.TRAINS}

    def row(self, scenario: str, parameters: dict, run: PlanRun,
            baseline: float | None = None) -> ScenarioRow:
        x, y = run.x, run.duals
        cost = run.objectives.get(COST)
        figures = {
            "tap_m3_per_day": float(x[self.tap[0]] @ self.tap[1]) / self.days,
            "cost_per_day": cost / self.days if self.costed and cost is not None else None,
            "shortage_m3": float(x[self.shortage[0]] @ self.shortage[1]),
            "recycled_m3_per_day": float(x[self.recycled[0]] @ self.recycled[1]) / self.days}
        values = {}
        for s in self.capacity:
            capacity = -sum(y[r] for r in self.capacity[s]) / self.days
            recovery = -sum(y[r] * x[cols].sum() for r, cols in self.recovery[s]) * 0.01 \
                / self.days
            values[s] = {"capacity_value": float(capacity) + 0.0,
                         "recovery_value": float(recovery) + 0.0}
        return ScenarioRow(scenario, parameters, "optimal", figures, values,
                           baseline_m3_per_day=baseline)


def figures_of_summary(summary: Summary) -> tuple[dict, dict]:
    """The same figures, from a cold plan's summary."""
    figures = {k: getattr(summary, k) for k in FIGURES}
    values = {t.train: {k: getattr(t, k) for k in VALUES} for t in summary.trains}
    return figures, values


def sweep_table(rows: list[ScenarioRow], parameters: list[str] | None = None) -> pd.DataFrame:
    """One row per scenario: `scenario`, the swept parameters (in the order given, else as
    they first appear), `status`, then the figures. A scenario leaves out a parameter it keeps
    at the case's value (a blank cell), so the columns are put in place here: left to the rows,
    a parameter blank in the first scenario came after the figures."""
    table = pd.DataFrame([r.flat() for r in rows])
    if table.empty:
        return table
    if parameters is None:
        parameters = list(dict.fromkeys(k for r in rows for k in r.parameters))
    for column in parameters:
        if column not in table:
            table[column] = None
    figures = ["status", *FIGURES, "least_tap_m3_per_day", BASELINE]
    for column in figures[1:]:  # numbers, empty where none (not objects: Parquet keeps them)
        table[column] = pd.to_numeric(table[column], errors="coerce").astype(float)
    rest = [c for c in table.columns if c not in parameters and c not in figures
            and c != "scenario"]
    return table[["scenario", *parameters, *figures, *rest]]


def printed_table(table: pd.DataFrame) -> str:
    """The sweep table as the terminal shows it, in the figures' own precision, as `solve`
    prints a plan: volumes in m3 to 0.1, cost per day to 1, marginal values to 0.001, the
    parameters as given ("case" for a blank cell of a scenarios file); "-" where a scenario
    has no figure; the rationing baseline only when some scenario rations. `sweep.csv` keeps
    every digit (a shortage of 3e-9 m3, within the stage holds, prints as 0.0)."""
    def fixed(digits: int):
        def text(v) -> str:
            if v is None or pd.isna(v):
                return "-"
            return f"{round(float(v), digits) + 0.0:,.{digits}f}"  # + 0.0: never "-0.0"
        return text
    columns = list(table.columns)
    swept = columns[columns.index("scenario") + 1:columns.index("status")]
    formats = {}
    for column in table.columns:
        if column in swept:  # a blank cell of a scenarios file keeps the case's own value
            formats[column] = lambda v: "case" if v is None or (
                not isinstance(v, str) and pd.isna(v)) else v if isinstance(v, str) \
                else f"{v:.10g}"
        elif column.endswith(("_m3_per_day", "_m3")):
            formats[column] = fixed(1)
        elif column == "cost_per_day":
            formats[column] = fixed(0)
        elif column.startswith(tuple(f"{v}:" for v in VALUES)):
            formats[column] = fixed(3)
    if BASELINE in table and table[BASELINE].isna().all():  # no scenario rations
        table = table.drop(columns=BASELINE)
    shown = table.astype({c: object for c in formats if c in table})
    for column, form in formats.items():
        if column in table:
            shown[column] = [form(v) for v in table[column]]
    return shown.to_string(index=False)


def sweep_json(case: str, rows: list[ScenarioRow], counts: dict[str, int]) -> str:
    return json.dumps(json_safe({"case": case, "counts": counts,
                              "scenarios": [r.to_dict() for r in rows]}), indent=2) + "\n"


def counts_of(rows: list[ScenarioRow]) -> dict[str, int]:
    """Scenarios by status: optimal, infeasible, and any other ending."""
    counts = {"scenarios": len(rows), "optimal": 0, "infeasible": 0, "other": 0}
    for r in rows:
        counts[r.status if r.status in ("optimal", "infeasible") else "other"] += 1
    return counts


def summary_line(counts: dict[str, int], seconds: float) -> str:
    return (f"sweep: {counts['scenarios']} scenarios in {seconds:,.1f} s: {counts['optimal']} "
            f"optimal, {counts['infeasible']} infeasible, {counts['other']} other")
