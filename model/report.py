"""Plain-text report of a plan, for the terminal."""
from __future__ import annotations

import pandas as pd

from model.results import Results


def _num(x, fmt=",.1f") -> str:
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return "-"
    text = format(x, fmt)
    # solver round-off can leave -1e-12 where the answer is zero: do not print "-0.0"
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


def _table(df: pd.DataFrame) -> str:
    """Volumes with one decimal, shares and fractions with three."""
    shares = {c: (lambda v: _num(v, ".3f")) for c in df.columns
              if c.endswith("share") or c.endswith("fraction")}
    return df.to_string(index=False, formatters=shares, float_format=lambda v: _num(v))


def text_report(results: Results) -> str:
    s = results.summary
    b = s["discharge_breakdown_m3_per_day"]
    lines = [
        f"case: {s['case']}   status: {s['status']}",
        *([f"note: the {', '.join(s['stages_not_applied'])} stage could not be solved "
           "(numerical trouble); the plan below is least-tap and least-cost, without it"]
          if s.get("stages_not_applied") else []),
        "",
        "campus water balance (m3/day)",
        f"  demand              {_num(s['demand_m3_per_day']):>12}",
        f"  tap                 {_num(s['tap_m3_per_day']):>12}   tap share "
        f"{_num(s['tap_share'], '.3f')}   uses per drop {_num(s['uses_per_drop'], '.2f')}",
        f"  recycled delivered  {_num(s['recycled_m3_per_day']):>12}",
        f"  treated (feed)      {_num(s['treated_m3_per_day']):>12}",
        f"  discharged          {_num(s['discharged_m3_per_day']):>12}   = untreated "
        f"{_num(b['untreated_wastewater'])} + reject {_num(b['treatment_reject'])} "
        f"+ surplus product {_num(b['surplus_product'])}",
        f"  consumed            {_num(s['consumed_m3_per_day']):>12}",
    ]
    if s.get("tap_cap_m3_per_day") is not None:
        lines.append(f"  tap cap             {_num(s['tap_cap_m3_per_day']):>12}")
    if s.get("cost_per_day") is not None:
        lines.append(f"  cost per day        {_num(s['cost_per_day'], ',.0f'):>12}")
    lines += ["", "treatment trains"]
    if s["trains"]:
        trains = pd.DataFrame(s["trains"])
        lines.append(trains.to_string(index=False, float_format=lambda v: f"{v:,.3f}"))
        lines.append("  capacity_value: tap m3/day saved per extra m3/day of capacity")
        lines.append("  recovery_value: tap m3/day saved per extra percentage point of recovery")
    else:
        lines.append("  (none)")
    lines += quality_lines(s)
    lines += ["", "plants (m3/day)",
              _table(results.plants)]
    return "\n".join(lines)


def quality_lines(s: dict) -> list[str]:
    """Direct reuse and the binding quality limits (the pinch); nothing without a quality layer."""
    if "binding_quality_limits" not in s:
        return []
    lines = ["", f"water quality ({', '.join(s['contaminants']) or 'no contaminants'}; "
             f"direct reuse {s['direct_reuse']}: {_num(s['direct_reuse_m3_per_day'])} m3/day)"]
    if not s["binding_quality_limits"]:
        lines.append("  no quality limit binds")
    for b in s["binding_quality_limits"]:
        where = f"train {b['train']} feed" if b["kind"] == "train feed" else \
            f"{b['plant']}/{b['use']} inlet"
        lines.append(f"  binding: {where}, {b['contaminant']} at {_num(b['limit_ppm'], ',.4g')} ppm"
                     f"   tap saved per ppm relaxed {_num(b['tap_saved_per_ppm'], ',.4g')} m3/day")
    return lines

