"""Read the optional water-quality layer: contaminants.csv, use_quality.csv, train_quality.csv
and reuse_links.csv, with the case.toml keys `direct_reuse` and `allow_multi_contaminant_loads`.

Concentrations are ppm (= g/m3), loads kg/day. A case without these files has no quality layer
(`Case.quality` is None) and behaves exactly as before. Formulation and rules: docs/quality.md.
"""
from __future__ import annotations

from collections import defaultdict

from model.case.core import Core
from model.case.objects import Quality, UseKey, UseQuality
from model.case.rows import ContaminantRow, ReuseLinkRow, TrainQualityRow, UseQualityRow
from model.case.tables import CaseFolder, Namespace, Table

QUALITY_FILES = ("contaminants.csv", "use_quality.csv", "train_quality.csv", "reuse_links.csv")
Link = tuple[UseKey, UseKey]


def read_quality(folder: CaseFolder, core: Core) -> Quality | None:
    """The quality layer, or None when the case has none. Defines the contaminant names."""
    settings = core.settings
    direct = settings.direct_reuse if settings else "none"
    allow_multi = settings.allow_multi_contaminant_loads if settings else False
    present = [f for f in QUALITY_FILES if folder.has(f)]
    if not present and direct == "none":
        _check_demands(folder, core, {}, {})
        return None
    needed = bool({"use_quality.csv", "train_quality.csv"} & set(present))
    declared = folder.table(ContaminantRow, required=needed)
    folder.names["contaminant"] = Namespace.of(
        declared, ("contaminant",), "contaminant is not declared in contaminants.csv")
    tap_ppm = {r.contaminant: r.tap_ppm for _, r in declared.rows}

    use_table = folder.table(UseQualityRow)
    use_quality, loads, load_lines = _use_quality(folder, use_table)
    if declared.usable and tap_ppm:
        _check_every_use_has_every_contaminant(folder, core, use_table, use_quality, tap_ppm)
    _check_demands(folder, core, loads, load_lines)
    if loads and len(tap_ppm) > 1 and not allow_multi:
        folder.problems.add(
            use_table.file, "mass-transfer operations (load_kg_per_day) are exact for one "
            f"contaminant only; this case declares {len(tap_ppm)}. Set "
            "allow_multi_contaminant_loads = true in case.toml to accept a conservative "
            "approximation (every outlet at most its outlet_ppm)", load_lines[next(iter(loads))],
            "load_kg_per_day")

    train_table = folder.table(TrainQualityRow)
    product = {(r.train, r.contaminant): r.product_ppm for _, r in train_table.rows}
    max_feed = {(r.train, r.contaminant): r.max_feed_ppm for _, r in train_table.rows
                if r.max_feed_ppm is not None}
    if declared.usable and (train_table.usable or not train_table.present):
        _check_every_train_has_every_contaminant(folder, core, train_table, product, tap_ppm)

    links = _links(folder, core, direct)
    return Quality(tuple(tap_ppm), tap_ppm, use_quality, product, max_feed, dict(loads), direct,
                   links, allow_multi)


def _use_quality(folder: CaseFolder, table: Table[UseQualityRow]):
    """(limits per (plant, use, contaminant), loads per use, first line of each use's load)."""
    loads: dict[UseKey, dict[str, float]] = defaultdict(dict)
    load_lines: dict[UseKey, int] = {}
    # every valid row, even one naming an unknown use: its load decides whether a blank
    # demand in uses.csv is an error, and its outlet rule is its own
    for line, r in table.parsed:
        if r.load_kg_per_day is None:
            continue
        loads[r.plant, r.use][r.contaminant] = r.load_kg_per_day
        load_lines.setdefault((r.plant, r.use), line)
        if r.max_inlet_ppm is not None and r.outlet_ppm <= r.max_inlet_ppm \
                and r.load_kg_per_day > 0:
            folder.problems.add(table.file, "an operation that picks up a load must have "
                                f"outlet_ppm above max_inlet_ppm ({r.max_inlet_ppm:g})", line,
                                "outlet_ppm", r.outlet_ppm)
    limits = {(r.plant, r.use, r.contaminant): UseQuality(r.max_inlet_ppm, r.outlet_ppm,
                                                          r.load_kg_per_day)
              for _, r in table.rows}
    return limits, loads, load_lines


def _check_every_use_has_every_contaminant(folder: CaseFolder, core: Core,
                                           table: Table[UseQualityRow], limits: dict,
                                           tap_ppm: dict[str, float]) -> None:
    if not table.present:
        folder.problems.add(table.file, "file is missing: every use needs a row for every "
                            "declared contaminant")
        return
    if not table.usable:
        return
    reported = table.rejected_names(UseQualityRow.KEY)
    for u in core.uses:
        for j in tap_ppm:
            if (*u.key, j) not in limits and (*u.key, j) not in reported:
                folder.problems.add(table.file, "every use needs a row for every contaminant; "
                                    f"missing {j!r}", None, "use", "/".join(u.key))


def _check_every_train_has_every_contaminant(folder: CaseFolder, core: Core,
                                             table: Table[TrainQualityRow], product: dict,
                                             tap_ppm: dict[str, float]) -> None:
    reported = table.rejected_names(TrainQualityRow.KEY)
    for t in core.trains:
        missing = [j for j in tap_ppm
                   if (t.name, j) not in product and (t.name, j) not in reported]
        if missing:
            folder.problems.add(table.file, "every train needs a product_ppm for every "
                                f"contaminant; missing {', '.join(missing)}", None, "train",
                                t.name)


def _check_demands(folder: CaseFolder, core: Core, loads: dict[UseKey, dict],
                   load_lines: dict[UseKey, int]) -> None:
    """A use has either a demand (uses.csv) or a load (use_quality.csv), never both or neither."""
    for key, line in core.blank_demand.items():
        if key not in loads:
            folder.problems.add(
                "uses.csv", "demand is required unless use_quality.csv gives the use a "
                "load_kg_per_day (a mass-transfer operation)", line, "demand_m3_per_day", "")
    for u in core.uses:
        if u.key in loads and u.key not in core.blank_demand:
            folder.problems.add(
                "use_quality.csv", "a load is given for a use that also has a demand in "
                "uses.csv; leave demand_m3_per_day blank for a mass-transfer operation",
                load_lines[u.key], "load_kg_per_day", "/".join(u.key))


def _links(folder: CaseFolder, core: Core, direct: str) -> tuple[Link, ...]:
    """Resolve `direct_reuse` into the (from use, to use) pairs that may carry wastewater."""
    if direct != "listed":
        if folder.has(ReuseLinkRow.FILE):
            folder.problems.add(ReuseLinkRow.FILE, 'is only read with direct_reuse = "listed" '
                                f'in case.toml; it is "{direct}"')
        if direct == "zone":
            return tuple((a.key, b.key) for a in core.uses for b in core.uses
                         if a.key != b.key and a.zone == b.zone)
        return ()
    table = folder.table(ReuseLinkRow, required=True)
    for line, r in table.parsed:
        if (r.from_plant, r.from_use) == (r.to_plant, r.to_use):
            folder.problems.add(table.file, "a use cannot send wastewater to itself", line,
                                "to_use", f"{r.to_plant}/{r.to_use}")
    return tuple(((r.from_plant, r.from_use), (r.to_plant, r.to_use)) for _, r in table.rows
                 if (r.from_plant, r.from_use) != (r.to_plant, r.to_use))
