"""Quality results: direct-reuse allocation rows, inlet concentrations, and the binding limits
(the pinch) with their marginal values. Plain pandas and dicts; no Pyomo object leaks out.

Direct reuse appears in `allocation.csv` with `source = "direct:<plant>/<use>"` (the use whose
untreated wastewater it is) and the generation it keeps.

Marginal value of a limit, in tap m3/day saved per ppm of relaxed limit. The inlet-limit row is
`sum_sources flow * (c - limit) <= 0`; relaxing the limit by d ppm adds d x inflow to its
right-hand side, so by the envelope theorem

    tap_saved_per_ppm = -dual(inlet_limit[u, j, t]) * inflow[u, t] / days_t

with the dual of the tap-minimising stage (the same convention as a train's capacity_value).
The feed limit is handled the same way with the train's feed in place of the inflow.
"""
from __future__ import annotations

import pandas as pd
import pyomo.environ as pyo

from model import quality as qm

FLOW_EPS = 1e-9       # m3/day: flows below this are solver noise
BINDING_REL_TOL = 1e-6  # an inlet within this share of its limit (or 1e-6 ppm) is at its limit


def direct_reuse_rows(m) -> list[tuple]:
    """Allocation rows (plant, use, zone, period, source, generation, m3_per_day) of direct
    reuse; empty for a case without a quality layer."""
    if not hasattr(m, "direct_reuse_m3_per_day"):
        return []
    return [(tp, tu, m.use_of[tp, tu].zone, t, f"direct:{fp}/{fu}", g, var.value or 0.0)
            for (fp, fu, tp, tu, g, t), var in m.direct_reuse_m3_per_day.items()]


def operation_flow(m, use: tuple[str, str], period: str) -> float:
    """Flow through a mass-transfer operation (its demand, decided by the model); 0 otherwise."""
    if not hasattr(m, "operation_m3_per_day") or (*use, period) not in m.operation_m3_per_day:
        return 0.0
    return float(m.operation_m3_per_day[(*use, period)].value or 0.0)


def _dual(m, con) -> float:
    return float(m.dual.get(con, 0.0)) if hasattr(m, "dual") else 0.0


def _at_limit(value: float, limit: float) -> bool:
    return value >= limit - BINDING_REL_TOL * max(1.0, abs(limit))


def quality_table(m) -> pd.DataFrame | None:
    """Per use, period and contaminant: inflow, inlet concentration, limit, binding, value."""
    q = getattr(m, "quality", None)
    if q is None:
        return None
    rows = []
    for p, u in m.USES:
        for t in m.PERIODS:
            flows = [(pyo.value(var) or 0.0, c) for var, c in qm.inflows(m, (p, u), t)]
            inflow = sum(f for f, _ in flows)
            for j in q.contaminants:
                mass = sum(f * c[j] for f, c in flows)
                inlet = mass / inflow if inflow > FLOW_EPS else None
                limit = q.limit((p, u), j)
                # a limit without a row (every source within it) cannot bind
                has_row = hasattr(m, "inlet_limit") and (p, u, j, t) in m.inlet_limit
                binding = has_row and inlet is not None and _at_limit(inlet, limit)
                value = 0.0
                if has_row:
                    value = -_dual(m, m.inlet_limit[p, u, j, t]) * inflow / m.days[t] + 0.0
                load = q.operations.get((p, u), {}).get(j)
                rows.append((p, u, t, j, inflow, inlet, limit, q.outlet((p, u), j), load,
                             binding, value))
    return pd.DataFrame(rows, columns=[
        "plant", "use", "period", "contaminant", "inflow_m3_per_day", "inlet_ppm",
        "max_inlet_ppm", "outlet_ppm", "load_kg_per_day", "binding", "tap_saved_per_ppm"])


def _feed_limits(m) -> list[dict]:
    """Binding train feed limits, with the same marginal value convention."""
    if not hasattr(m, "feed_limit"):
        return []
    q = m.quality
    out = []
    for s, j, t in m.feed_limit:
        parts = [(m.collected_m3_per_day[p, u, s2, g, t].value or 0.0, q.outlet((p, u), j))
                 for p, u, s2, g in m.COLLECTIONS if s2 == s]
        feed = sum(f for f, _ in parts)
        if feed <= FLOW_EPS:
            continue
        ppm = sum(f * c for f, c in parts) / feed
        limit = q.max_feed_ppm[s, j]
        if _at_limit(ppm, limit):
            out.append({"kind": "train feed", "train": s, "period": t, "contaminant": j,
                        "limit_ppm": limit, "ppm": ppm,
                        "tap_saved_per_ppm": -_dual(m, m.feed_limit[s, j, t]) * feed
                        / m.days[t] + 0.0})
    return out


def quality_summary(m, table: pd.DataFrame | None) -> dict:
    """Summary keys of the quality layer (empty for a case without one)."""
    if table is None:
        return {}
    binding = [{"kind": "use inlet", "plant": r.plant, "use": r.use, "period": r.period,
                "contaminant": r.contaminant, "limit_ppm": r.max_inlet_ppm, "ppm": r.inlet_ppm,
                "tap_saved_per_ppm": r.tap_saved_per_ppm}
               for r in table[table.binding].itertuples()]
    binding += _feed_limits(m)
    binding.sort(key=lambda d: -d["tap_saved_per_ppm"])
    return {"contaminants": list(m.quality.contaminants),
            "direct_reuse": m.quality.direct_reuse,
            "binding_quality_limits": binding}
