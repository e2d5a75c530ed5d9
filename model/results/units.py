"""The unit of every result column and summary key, for the headers of reports and workbooks.

Column names carry their unit as a suffix (`tap_m3_per_day`); a header shows the name unchanged,
so it matches the `--out` CSV files, followed by the unit in brackets: `tap_m3_per_day [m3/day]`.
"""
from __future__ import annotations

SUFFIXES = (("_m3_per_day", "m3/day"), ("_kg_per_day", "kg/day"), ("_per_m3", "money/m3"),
            ("_per_ppm", "m3/day per ppm"), ("_m3", "m3"), ("_ppm", "ppm"),
            ("_seconds", "s"), ("_per_day", "per day"))
NAMED = {
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


def unit_of(name: str) -> str | None:
    """The unit of a column or (dotted) summary key, None when it has none (a name, a flag)."""
    last = name.rsplit(".", 1)[-1].split(":", 1)[0]  # `recovery_value:K14` is a recovery_value
    if last in NAMED:
        return NAMED[last]
    return next((unit for suffix, unit in SUFFIXES if last.endswith(suffix)), None)


def with_unit(name: str) -> str:
    unit = unit_of(name)
    return name if unit is None else f"{name} [{unit}]"
