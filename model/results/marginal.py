"""Marginal values as sentences an engineer can act on.

The figures are the summary's (duals of the least-tap stage, model.results.tables and
model.results.quality): a train's `recovery_value` is tap m3/day saved per extra percentage
point of recovery, its `capacity_value` tap m3/day saved per extra m3/day of capacity, a binding
quality limit's `tap_saved_per_ppm` tap m3/day saved per ppm of relaxed limit. For a case with
several periods they are averages over the horizon, and the sentence says so.
"""
from __future__ import annotations

from model.results.summary import Summary

NEGLIGIBLE_M3_PER_DAY = 1e-6  # a marginal value below this is no saving at all
MAX_QUALITY_SENTENCES = 5


def volume(m3_per_day: float) -> str:
    """A volume with as many digits as a reader needs: 171, 12.5, 0.302."""
    v = abs(m3_per_day)
    if v < NEGLIGIBLE_M3_PER_DAY:
        return "0"  # solver round-off, not a flow
    return f"{m3_per_day:,.0f}" if v >= 100 else f"{m3_per_day:,.1f}" if v >= 1 else \
        f"{m3_per_day:.3g}"


def _train_sentences(s: Summary, when: str) -> list[str]:
    out = []
    for t in s.trains:
        if t.recovery_value > NEGLIGIBLE_M3_PER_DAY:
            out.append(f"One more percentage point of {t.train} recovery saves "
                       f"{volume(t.recovery_value)} m3/day of tap{when}.")
        used = "" if t.utilization is None else f"{t.utilization:.0%} of "
        if t.capacity_value > NEGLIGIBLE_M3_PER_DAY:
            out.append(f"One more m3/day of {t.train} capacity saves "
                       f"{volume(t.capacity_value)} m3/day of tap{when} ({t.train} runs at "
                       f"{used}its capacity).")
        elif t.capacity_m3_per_day > 0:
            limit = ("the wastewater returned and its recovery limit it"
                     if t.recovery_value > NEGLIGIBLE_M3_PER_DAY else "something else limits it")
            out.append(f"{t.train} runs at {used}its capacity: more capacity saves no tap; "
                       f"{limit}.")
    return out


def _quality_sentences(s: Summary) -> list[str]:
    if s.quality is None:
        return []
    out = []
    for b in s.quality.binding_quality_limits[:MAX_QUALITY_SENTENCES]:
        if b["tap_saved_per_ppm"] <= NEGLIGIBLE_M3_PER_DAY:
            continue
        where = (f"the {b['contaminant']} inlet limit of {b['plant']}/{b['use']}"
                 if b["kind"] == "use inlet" else f"the {b['contaminant']} feed limit of "
                                                  f"{b['train']}")
        period = "" if len(s.periods) == 1 else f" in period {b['period']}"
        out.append(f"Raising {where}{period} by 1 ppm (now {b['limit_ppm']:g} ppm) saves "
                   f"{volume(b['tap_saved_per_ppm'])} m3/day of tap.")
    return out


def marginal_sentences(s: Summary) -> list[str]:
    """What one more unit of each limit is worth, in tap saved; the largest cut the campus
    absorbs; and what a binding limit that is worth nothing means."""
    when = "" if len(s.periods) == 1 else " on average over the horizon"
    out = _train_sentences(s, when) + _quality_sentences(s)
    if s.largest_cut is not None:
        cut = s.largest_cut.largest_uniform_cut
        out.append(f"The campus absorbs a uniform cut of up to {cut:.1%} of its "
                   f"{volume(s.largest_cut.largest_uniform_cut_baseline_m3_per_day)} m3/day tap "
                   "baseline with no shortage." if cut > 0 else
                   "Any cut of tap supply means shortage: the plan already draws the least tap, "
                   "and storage, trucks or a recovery boost would have to make up for it.")
    return out
