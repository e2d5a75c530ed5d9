"""Quality results: inlet concentrations, and the binding limits (the pinch) with their value.

Marginal value of a limit, in tap m3/day saved per ppm of relaxed limit. The inlet-limit row is
`sum_sources flow * (c - limit) <= 0`; relaxing the limit by d ppm adds d x inflow to its
right-hand side, so by the envelope theorem

    tap_saved_per_ppm = -dual(inlet_limit[u, j, t]) * inflow[u, t] / days_t

with the dual of the tap-minimising stage (the same convention as a train's capacity_value).
The feed limit is handled the same way with the train's feed in place of the inflow.
"""
from __future__ import annotations

import pandas as pd
import pyomo.core as pyo

from model.formulation import Formulation
from model.formulation.quality import inflows
from model.results.tables import FLOW_EPS, value
from model.solve import SolveReport

BINDING_REL_TOL = 1e-6  # an inlet within this share of its limit (or 1e-6 ppm) is at its limit
QUALITY_COLUMNS = ["plant", "use", "period", "contaminant", "inflow_m3_per_day", "inlet_ppm",
                   "max_inlet_ppm", "outlet_ppm", "load_kg_per_day", "binding",
                   "tap_saved_per_ppm"]


def _at_limit(concentration: float, limit: float) -> bool:
    return concentration >= limit - BINDING_REL_TOL * max(1.0, abs(limit))


def quality_table(f: Formulation, report: SolveReport) -> pd.DataFrame | None:
    """Per use, period and contaminant: inflow, inlet concentration, limit, binding, value.
    None for a case without a quality layer."""
    q, m = f.case.quality, f.model
    if q is None:
        return None
    rows = []
    for p, u in f.net.USES:
        for t in f.net.PERIODS:
            flows = [(pyo.value(flow) or 0.0, c) for flow, c in inflows(f.net, f.terms, (p, u), t)]
            inflow = sum(v for v, _ in flows)
            for j in q.contaminants:
                inlet = sum(v * c[j] for v, c in flows) / inflow if inflow > FLOW_EPS else None
                limit = q.limit((p, u), j)
                # a limit without a row (every source within it) cannot bind
                has_row = (p, u, j, t) in m.inlet_limit
                binding = has_row and inlet is not None and _at_limit(inlet, limit)
                tap_saved = (-report.dual(m.inlet_limit[p, u, j, t]) * inflow / f.net.days[t]
                             + 0.0) if has_row else 0.0
                rows.append((p, u, t, j, inflow, inlet, limit, q.outlet((p, u), j),
                             q.operations.get((p, u), {}).get(j), binding, tap_saved))
    return pd.DataFrame(rows, columns=QUALITY_COLUMNS)


def binding_feed_limits(f: Formulation, report: SolveReport) -> list[dict]:
    """Binding train feed limits, with the same marginal value convention."""
    q, m = f.case.quality, f.model
    out = []
    for s, j, t in m.feed_limit:
        parts = [(value(m.collected_m3_per_day[p, u, s2, g, t]), q.outlet((p, u), j))
                 for p, u, s2, g in f.net.COLLECTIONS if s2 == s]
        feed = sum(v for v, _ in parts)
        if feed <= FLOW_EPS:
            continue
        ppm = sum(v * c for v, c in parts) / feed
        limit = q.max_feed_ppm[s, j]
        if _at_limit(ppm, limit):
            out.append({"kind": "train feed", "train": s, "period": t, "contaminant": j,
                        "limit_ppm": limit, "ppm": ppm,
                        "tap_saved_per_ppm": -report.dual(m.feed_limit[s, j, t]) * feed
                        / f.net.days[t] + 0.0})
    return out


def binding_limits(f: Formulation, report: SolveReport, table: pd.DataFrame) -> list[dict]:
    """Every binding quality limit, the most valuable first."""
    binding = [{"kind": "use inlet", "plant": r.plant, "use": r.use, "period": r.period,
                "contaminant": r.contaminant, "limit_ppm": r.max_inlet_ppm, "ppm": r.inlet_ppm,
                "tap_saved_per_ppm": r.tap_saved_per_ppm}
               for r in table[table.binding].itertuples()]
    binding += binding_feed_limits(f, report)
    binding.sort(key=lambda d: -d["tap_saved_per_ppm"])
    return binding
