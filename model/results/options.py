"""What `wateralloc options` reports: every option alone, the chosen portfolio or the front, in
money and m3; as JSON, CSV tables and text.

JSON keys:
    options     one object per option: option, kind, with (options it requires),
                tap_saved_m3_per_day, capex, annualized_cost_per_year, change_per_year,
                cost_per_m3_saved, payback_years, largest_uniform_cut, and, for a case with a
                drought schedule, shortage_m3 and tanker_m3
    portfolio   selected, capex, annualized_cost_per_year, tap_m3_per_day, shortage_m3,
                tanker_m3, question, status (null when the front was asked for)
    front       objects with max_tap_m3_per_day (a target in every period), selected,
                annualized_cost_per_year, tap_m3_per_day (day-weighted), shortage_m3 (over the
                horizon) (null when a portfolio was asked for)
Money is in `currency` (per year unless said); `base` is the plan without options.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from model.results.collect import Results
from model.results.output import json_safe, output_files
from model.results.report import text_report

OPTION_KEYS = ("option", "kind", "with", "tap_saved_m3_per_day", "capex",
               "annualized_cost_per_year", "change_per_year", "cost_per_m3_saved",
               "payback_years", "largest_uniform_cut", "shortage_m3", "tanker_m3")


@dataclass(frozen=True)
class OptionsReport:
    case: str
    currency: str
    base: dict            # tap_m3_per_day, annualized_cost_per_year of the plan without options
    options: list[dict]
    portfolio: dict | None = None
    front: list[dict] | None = None
    plan: Results | None = None   # the chosen portfolio's plan
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"case": self.case, "currency": self.currency, "base": self.base,
                "options": [{k: r[k] for k in OPTION_KEYS if k in r} for r in self.options],
                "portfolio": self.portfolio, "front": self.front,
                "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}


def options_json(report: OptionsReport) -> str:
    return json.dumps(json_safe(report.to_dict()), indent=2) + "\n"


def _listed(rows: list[dict]) -> pd.DataFrame:
    """Rows as a table, lists of names written `;`-separated as in options.csv."""
    df = pd.DataFrame(rows)
    for c in ("with", "selected"):
        if c in df:
            df[c] = df[c].map(lambda names: ";".join(names))
    return df


def options_files(report: OptionsReport) -> dict[str, str]:
    """--out, file name -> text: options.csv, portfolio.csv or front.csv, options.json, and the
    chosen portfolio's plan tables (allocation.csv, ... as `wateralloc solve --out` writes them)."""
    d = report.to_dict()
    files = {"options.csv": _listed(d["options"]).to_csv(index=False),
             "options.json": options_json(report)}
    if report.portfolio is not None:
        files["portfolio.csv"] = _listed([report.portfolio]).to_csv(index=False)
    if report.front is not None:
        files["front.csv"] = _listed(report.front).to_csv(index=False)
    if report.plan is not None:
        files.update(output_files(report.plan))
    return files


def _money(x: float, currency: str) -> str:
    """An amount in millions, to 0.1 million: NT$1.1M (every amount of a report is a number)."""
    return f"{currency}{x / 1e6:,.1f}M"


def _option_lines(report: OptionsReport) -> list[str]:
    cur = report.currency
    rows = []
    for r in report.options:
        rows.append({
            "option": r["option"] + (f" (+{'+'.join(r['with'])})" if r["with"] else ""),
            "tap saved m3/d": f"{r['tap_saved_m3_per_day']:,.0f}",
            "capex": _money(r["capex"], cur),
            "annualised/yr": _money(r["annualized_cost_per_year"], cur),
            "change/yr": _money(r["change_per_year"], cur),
            f"{cur}/m3 saved": "-" if r["cost_per_m3_saved"] is None
            else f"{r['cost_per_m3_saved']:,.2f}",
            "payback yr": "never" if r["payback_years"] is None else f"{r['payback_years']:,.1f}",
            # + 0.0: a cut of -1e-6 prints 0.000, not -0.000
            "largest cut": f"{round(r['largest_uniform_cut'], 3) + 0.0:.3f}",
            **({"shortage m3": f"{r['shortage_m3']:,.0f}", "tanker m3": f"{r['tanker_m3']:,.0f}"}
               if "shortage_m3" in r else {})})
    return ["", f"every option alone (against the plan without options: tap "
            f"{report.base['tap_m3_per_day']:,.1f} m3/day, annualised "
            f"{_money(report.base['annualized_cost_per_year'], cur)}); best buys first",
            pd.DataFrame(rows).to_string(index=False) if rows else "  (none)",
            f"  {cur}/m3 saved: what each m3 of tap saved costs, to set against the tap price; "
            "payback: capex over the money saved each year; largest cut: of the base tap draw, "
            "absorbed with no shortage"]


def options_text(report: OptionsReport) -> str:
    cur = report.currency
    lines = [f"case: {report.case}   options: {len(report.options)}"] + _option_lines(report)
    p = report.portfolio
    if p is not None:
        lines += ["", f"best portfolio ({p['question']}; {p['status']}, MILP gap 1e-9)",
                  f"  selected      {', '.join(p['selected']) or 'no option'}",
                  f"  capex         {_money(p['capex'], cur)}",
                  f"  annualised    {_money(p['annualized_cost_per_year'], cur)} per year",
                  f"  tap           {p['tap_m3_per_day']:,.1f} m3/day",
                  f"  shortage      {p['shortage_m3']:,.1f} m3 over the horizon"]
    if report.plan is not None:
        lines += ["", "plan of the chosen portfolio " + "-" * 60, text_report(report.plan)]
    if report.front is not None:
        front = pd.DataFrame([{"max tap m3/d": f"{q['max_tap_m3_per_day']:,.1f}",
                               "tap m3/d": f"{q['tap_m3_per_day']:,.1f}",
                               "shortage m3": f"{q['shortage_m3']:,.0f}",
                               "annualised/yr": _money(q["annualized_cost_per_year"], cur),
                               "portfolio": ", ".join(q["selected"]) or "no option"}
                              for q in report.front])
        lines += ["", "trade-off front (each point: the cheapest portfolio drawing at most its "
                  "tap target in every period, solved exactly; under a drought schedule, after "
                  "the least shortage)", front.to_string(index=False)]
    return "\n".join(lines)
