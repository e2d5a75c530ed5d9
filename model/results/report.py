"""Plain-text report of a plan, for the terminal."""
from __future__ import annotations

from dataclasses import asdict

import pandas as pd

from model.results.collect import Results
from model.results.drought import TRUCK_M3
from model.results.summary import Summary


def _num(x, fmt=",.1f") -> str:
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return "-"
    text = format(x, fmt)
    # solver round-off can leave -1e-12 where the answer is zero: do not print "-0.0"
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


def _dashes(df: pd.DataFrame) -> pd.DataFrame:
    """A missing value (a period with no stage, a train with nothing to treat) shows as "-",
    never as "None" or "NaN"."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].where(out[c].notna(), "-")
    return out


def _table(df: pd.DataFrame) -> str:
    """Volumes with one decimal, shares and fractions with three."""
    shares = {c: (lambda v: _num(v, ".3f")) for c in df.columns
              if c.endswith("share") or c.endswith("fraction")}
    return _dashes(df).to_string(index=False, formatters=shares, float_format=lambda v: _num(v),
                        na_rep="-")


def text_report(results: Results) -> str:
    """The plan as the terminal shows it: balance, trains, quality, plants, drought figures."""
    s = results.summary
    return "\n".join(_balance_lines(s) + _train_lines(s) + _quality_lines(s)
                     + ["", "plants (m3/day)", _table(results.plants)]) + _drought_text(results)


def _why_not_applied(s: Summary) -> str:
    """The reasons the stages not applied were left out, each once ("numerical trouble" for a
    summary that does not say)."""
    why = s.stages_not_applied_because
    return "; ".join(dict.fromkeys(why.get(n, "numerical trouble") for n in s.stages_not_applied))


def _balance_lines(s: Summary) -> list[str]:
    b = s.discharge_breakdown_m3_per_day
    lines = [
        f"case: {s.case}   status: {s.status}",
        *([f"note: the {', '.join(s.stages_not_applied)} stage could not be solved "
           f"({_why_not_applied(s)}); the plan below is least-tap and least-cost, without it"]
          if s.stages_not_applied else []),
        "",
        "campus water balance (m3/day)",
        f"  demand              {_num(s.demand_m3_per_day):>12}",
        f"  tap                 {_num(s.tap_m3_per_day):>12}   tap share "
        f"{_num(s.tap_share, '.3f')}   uses per drop {_num(s.uses_per_drop, '.2f')}",
        f"  recycled delivered  {_num(s.recycled_m3_per_day):>12}",
        f"  treated (feed)      {_num(s.treated_m3_per_day):>12}",
        f"  discharged          {_num(s.discharged_m3_per_day):>12}   = untreated "
        f"{_num(b.untreated_wastewater)} + reject {_num(b.treatment_reject)} "
        f"+ surplus product {_num(b.surplus_product)}",
        f"  consumed            {_num(s.consumed_m3_per_day):>12}",
    ]
    if s.tap_cap_m3_per_day is not None:
        lines.append(f"  tap cap             {_num(s.tap_cap_m3_per_day):>12}")
    if s.cost_per_day is not None:
        lines.append(f"  cost per day        {_num(s.cost_per_day, ',.0f'):>12}")
    return lines


# the train figures the text shows; stored product and boosts only where a train has them
TRAIN_TEXT = ["train", "treated_m3_per_day", "capacity_m3_per_day", "utilization",
              "delivered_m3_per_day", "capacity_value", "recovery_value"]
TRAIN_TEXT_IF_ANY = ["stored_m3_per_day", "boosted_feed_m3_per_day"]


def _train_lines(s: Summary) -> list[str]:
    over = (f" (day-weighted means over {s.days:,g} days, capacity included; per period in "
            "trains.csv)" if len(s.periods) > 1 else "")
    lines = ["", "treatment trains" + over]
    if not s.trains:
        return lines + ["  (none)"]
    trains = pd.DataFrame([asdict(t) for t in s.trains])
    extra = [c for c in TRAIN_TEXT_IF_ANY if (trains[c] > 0).any()]
    columns = TRAIN_TEXT + extra + (["effective_recovery"] if extra else [])
    return lines + [
        _dashes(trains[columns]).to_string(index=False, float_format=lambda v: f"{v:,.3f}", na_rep="-"),
        "  capacity_value: tap m3/day saved per extra m3/day of capacity",
        "  recovery_value: tap m3/day saved per extra percentage point of recovery"] + (
           ["  stored: product put into tanks (delivered to uses later); effective_recovery: "
            "product / treated, boosts included"] if extra else [])


def _quality_lines(s: Summary) -> list[str]:
    """Direct reuse and the binding quality limits (the pinch); nothing without a quality layer."""
    q = s.quality
    if q is None:
        return []
    lines = ["", f"water quality ({', '.join(q.contaminants) or 'no contaminants'}; "
             f"direct reuse {q.direct_reuse}: {_num(s.direct_reuse_m3_per_day)} m3/day)"]
    if not q.binding_quality_limits:
        lines.append("  no quality limit binds")
    for b in q.binding_quality_limits:
        where = f"train {b['train']} feed" if b["kind"] == "train feed" else \
            f"{b['plant']}/{b['use']} inlet"
        lines.append(f"  binding: {where}, {b['contaminant']} at {_num(b['limit_ppm'], ',.4g')} ppm"
                     f"   tap saved per ppm relaxed {_num(b['tap_saved_per_ppm'], ',.4g')} m3/day")
    return lines


def _resilience_text(s: Summary) -> str:
    cut = s.largest_cut
    if cut is None:
        return ""
    why = ("" if cut.largest_uniform_cut > 1e-9 else
           "\n  (the plan already draws the least tap: any cut means shortage unless "
           "storage, trucks or a recovery boost make up for it)")
    return (f"\n\ndrought resilience\n  largest uniform cut of tap supply with no shortage: "
            f"{cut.largest_uniform_cut:.4f} of "
            f"{cut.largest_uniform_cut_baseline_m3_per_day:,.1f} m3/day" + why)


def _drought_text(results: Results) -> str:
    """Per-period volumes and rationing, when there is more than one period, rationing or
    tanks; otherwise the drought resilience alone."""
    s = results.summary
    if len(s.periods) == 1 and s.rationing is None and s.tanks is None:
        return _resilience_text(s)
    lines = ["", "over the horizon (m3)",
             f"  tap {s.tap_m3:,.0f}   recycled {s.recycled_m3:,.0f}   "
             f"tanker {s.tanker_m3:,.0f} ({s.tanker_truckloads:,d} truckloads of "
             f"{TRUCK_M3:g} t)   shortage {s.shortage_m3:,.0f}"
             + (f"   cost {s.cost:,.0f}" if s.cost is not None else ""),
             f"  holds {s.days_without_shortage:,.0f} days without shortage"
             + (f"; first shortage in period {s.first_shortage_period}"
                + (f" (from {s.first_shortage_start})" if s.first_shortage_start else "")
                if s.first_shortage_period is not None else " (the whole horizon)")]
    if s.rationing is not None:
        lines.append(f"  rationing baseline {s.rationing.baseline_m3_per_day:,.1f} m3/day "
                     f"({s.rationing.baseline_source})")
    if s.largest_cut is not None:
        cut = s.largest_cut
        lines.append(f"  largest uniform cut with no shortage: {cut.largest_uniform_cut:.4f} of "
                     f"{cut.largest_uniform_cut_baseline_m3_per_day:,.1f} m3/day"
                     + ("" if cut.largest_uniform_cut >= 0 else
                        " (negative: the peak period needs more tap than the baseline even "
                        "before any cut)"))
    if s.shortage_m3_per_day is not None:
        lines.append(f"  shortage {s.shortage_m3_per_day:,.1f} m3/day")
    table = results.periods[["period", "start", "days", "stage", "tap_m3", "recycled_m3",
                             "tanker_m3", "tanker_truckloads_per_day", "shortage_m3"]]
    lines += ["", "periods (m3)",
              _dashes(table).to_string(index=False, float_format=lambda v: f"{v:,.0f}", na_rep="-")]
    return "\n".join(lines)
