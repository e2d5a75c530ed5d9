"""The unit of every result column and summary key, for the headers of reports and workbooks.

Column names carry their unit as a suffix (`tap_m3_per_day`); a header shows the name unchanged,
so it matches the `--out` CSV files, followed by the unit in brackets: `tap_m3_per_day [m3/day]`.
A dotted summary key takes the unit of the first part that names one: its parts are a breakdown
of that figure (`discharge_breakdown_m3_per_day.treatment_reject` is in m3/day,
`solve_seconds.total_tap_m3` in seconds, the time the tap stage took).
"""
from __future__ import annotations

SUFFIXES = (("_m3_per_day", "m3/day"), ("_kg_per_day", "kg/day"), ("_per_m3", "money/m3"),
            ("_per_ppm", "m3/day per ppm"), ("_m3", "m3"), ("_ppm", "ppm"),
            ("_seconds", "s"), ("_per_day", "per day"))
NAMED = {
    "m3_per_day": "m3/day", "cost_per_day": "money/day", "tanker_trucks_per_day": "trucks/day",
    "tanker_truckloads_per_day": "loads/day", "tanker_truckloads": "loads",
    "effective_recovery": "fraction", "boost_recovery": "fraction",
    "days": "d", "days_without_shortage": "d", "recovery": "fraction",
    "return_fraction": "fraction", "utilization": "fraction", "tap_share": "fraction",
    "shortage_fraction": "fraction", "cut": "fraction", "largest_uniform_cut": "fraction",
    "capacity_value": "m3/day of tap per m3/day of capacity",
    "recovery_value": "m3/day of tap per percentage point",
    "tanker_trucks": "trucks", "cost": "money", "generation": "treatment passes",
    "uses_per_drop": "times", "max_recycles": "treatment passes", "priority": "class",
    "lost_value_per_m3": "money/m3",
    # options (money in the case's currency)
    "capex": "money", "annualized_cost_per_year": "money/year", "change_per_year": "money/year",
    "cost_per_m3_saved": "money/m3", "payback_years": "years",
    # sweep parameters (`capacity:<train>`, `demand:<plant>/<use>`, ...)
    "capacity": "m3/day", "demand": "m3/day", "tap_cap": "m3/day", "demand_factor": "factor",
}


def _own_unit(part: str) -> str | None:
    part = part.split(":", 1)[0]  # `recovery_value:K14` is a recovery_value
    if part in NAMED:
        return NAMED[part]
    return next((unit for suffix, unit in SUFFIXES if part.endswith(suffix)), None)


def unit_of(name: str) -> str | None:
    """The unit of a column or (dotted) summary key, None when it has none (a name, a flag):
    that of the first dotted part that names a unit (module docstring)."""
    return next((u for u in map(_own_unit, name.split(".")) if u is not None), None)


def with_unit(name: str) -> str:
    unit = unit_of(name)
    return name if unit is None else f"{name} [{unit}]"
