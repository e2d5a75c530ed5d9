"""The optional water-quality layer of a case: its files, their schemas and their cross-checks.

Files (all optional; a case without them behaves exactly as before):

    contaminants.csv     contaminant, tap_ppm
    use_quality.csv      plant, use, contaminant, max_inlet_ppm (blank = no limit), outlet_ppm,
                         load_kg_per_day (optional: makes the use a mass-transfer operation)
    train_quality.csv    train, contaminant, product_ppm, max_feed_ppm (optional)
    reuse_links.csv      from_plant, from_use, to_plant, to_use   (with direct_reuse = "listed")

and two `case.toml` keys: `direct_reuse` ("none", "zone" or "listed") and
`allow_multi_contaminant_loads` (false unless set). Concentrations are ppm = g/m3, loads kg/day.

`load_quality(...)` is called by `model.case.load_case` with what it has already read, and appends
every problem it finds (file, line, column, value, rule) to the same list, so that the user sees
all problems of the case at once.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Annotated, Optional

from pydantic import Field

from model.case.objects import Quality, UseQuality
from model.errors import Problem
from model.schema import Name, NonNegative, Row, read_table

UseKey = tuple[str, str]
Ppm = Annotated[float, Field(ge=0)]
QUALITY_FILES = ("contaminants.csv", "use_quality.csv", "train_quality.csv", "reuse_links.csv")


class ContaminantRow(Row):
    contaminant: Name
    tap_ppm: Ppm


class UseQualityRow(Row):
    plant: Name
    use: Name
    contaminant: Name
    max_inlet_ppm: Optional[Ppm] = None
    outlet_ppm: Ppm
    load_kg_per_day: Optional[NonNegative] = None


class TrainQualityRow(Row):
    train: Name
    contaminant: Name
    product_ppm: Ppm
    max_feed_ppm: Optional[Ppm] = None


class ReuseLinkRow(Row):
    from_plant: Name
    from_use: Name
    to_plant: Name
    to_use: Name


def _check_demands(uses, blank_demand: dict[UseKey, int], loads: dict[UseKey, dict],
                   load_lines: dict[UseKey, int], problems: list[Problem]) -> None:
    """A use has either a demand (uses.csv) or a load (use_quality.csv), never both or neither."""
    for key, line in blank_demand.items():
        if key not in loads:
            problems.append(Problem(
                "uses.csv", "demand is required unless use_quality.csv gives the use a "
                "load_kg_per_day (a mass-transfer operation)", line, "demand_m3_per_day", ""))
    for u in uses:
        if u.key in loads and u.key not in blank_demand:
            problems.append(Problem(
                "use_quality.csv", "a load is given for a use that also has a demand in "
                "uses.csv; leave demand_m3_per_day blank for a mass-transfer operation",
                load_lines[u.key], "load_kg_per_day", "/".join(u.key)))


def load_quality(folder: Path, settings, plants: dict, uses: list, trains: list,
                 blank_demand: dict[UseKey, int], problems: list[Problem]) -> Quality | None:
    """Read and cross-check the quality layer. Returns None when the case has none.

    `uses` and `trains` are the case's validated objects (`model.case.Use`, `Train`);
    `blank_demand` maps each use whose demand cell was blank to its line in uses.csv.
    """
    from model.case.load import _duplicates as _dups  # model.case.load imports this module
    direct = getattr(settings, "direct_reuse", "none") if settings else "none"
    allow_multi = bool(getattr(settings, "allow_multi_contaminant_loads", False)) if settings \
        else False
    present = [f for f in QUALITY_FILES if (folder / f).is_file()]
    if not present and direct == "none":
        _check_demands(uses, blank_demand, {}, {}, problems)
        return None

    # Rows rejected by their schema are already reported: names in them are not reported again
    # as undeclared contaminants or as missing rows.
    bad_c: list[dict[str, str]] = []
    bad_u: list[dict[str, str]] = []
    bad_t: list[dict[str, str]] = []
    c_rows = read_table(folder, "contaminants.csv", ContaminantRow, problems,
                        required=bool(set(present) & {"use_quality.csv", "train_quality.csv"}),
                        rejected=bad_c)
    u_rows = read_table(folder, "use_quality.csv", UseQualityRow, problems, required=False,
                        rejected=bad_u)
    t_rows = read_table(folder, "train_quality.csv", TrainQualityRow, problems, required=False,
                        rejected=bad_t)
    reported_contaminants = {r.get("contaminant") for r in bad_c}
    reported_uses = {(r.get("plant"), r.get("use"), r.get("contaminant")) for r in bad_u}
    reported_trains = {(r.get("train"), r.get("contaminant")) for r in bad_t}
    l_rows = read_table(folder, "reuse_links.csv", ReuseLinkRow, problems,
                        required=direct == "listed")
    use_of = {u.key: u for u in uses}
    train_names = {t.name for t in trains}

    tap_ppm: dict[str, float] = {}
    if c_rows:
        _dups(c_rows, lambda r: (r.contaminant,), "contaminants.csv", "contaminant", problems)
        for _, r in c_rows:
            tap_ppm.setdefault(r.contaminant, r.tap_ppm)
    contaminants = tuple(tap_ppm)
    known = c_rows is not None  # only cross-check names when contaminants.csv could be read

    use_q: dict[tuple[str, str, str], UseQuality] = {}
    loads: dict[UseKey, dict[str, float]] = defaultdict(dict)
    load_lines: dict[UseKey, int] = {}
    for line, r in u_rows or ():
        ok = True
        if (r.plant, r.use) not in use_of:
            problems.append(Problem("use_quality.csv", "use is not in uses.csv", line, "use",
                                    f"{r.plant}/{r.use}"))
            ok = False
        if known and r.contaminant not in tap_ppm and r.contaminant not in reported_contaminants:
            problems.append(Problem("use_quality.csv", "contaminant is not declared in "
                                    "contaminants.csv", line, "contaminant", r.contaminant))
            ok = False
        if r.load_kg_per_day is not None:
            loads[r.plant, r.use][r.contaminant] = r.load_kg_per_day
            load_lines.setdefault((r.plant, r.use), line)
            if r.max_inlet_ppm is not None and r.outlet_ppm <= r.max_inlet_ppm \
                    and r.load_kg_per_day > 0:
                problems.append(Problem(
                    "use_quality.csv", "an operation that picks up a load must have outlet_ppm "
                    f"above max_inlet_ppm ({r.max_inlet_ppm:g})", line, "outlet_ppm",
                    r.outlet_ppm))
        if ok:
            use_q.setdefault((r.plant, r.use, r.contaminant),
                             UseQuality(r.max_inlet_ppm, r.outlet_ppm, r.load_kg_per_day))
    if u_rows:
        _dups(u_rows, lambda r: (r.plant, r.use, r.contaminant), "use_quality.csv",
              "use and contaminant", problems)
    if known and contaminants and u_rows is None:
        problems.append(Problem("use_quality.csv", "file is missing: every use needs a row "
                                "for every declared contaminant"))
    elif known and u_rows is not None:
        for u in uses:
            for j in contaminants:
                if (*u.key, j) not in use_q and (*u.key, j) not in reported_uses:
                    problems.append(Problem("use_quality.csv", "every use needs a row for "
                                            f"every contaminant; missing {j!r}", None, "use",
                                            "/".join(u.key)))
    _check_demands(uses, blank_demand, loads, load_lines, problems)
    if loads and len(contaminants) > 1 and not allow_multi:
        problems.append(Problem(
            "use_quality.csv", "mass-transfer operations (load_kg_per_day) are exact for one "
            f"contaminant only; this case declares {len(contaminants)}. Set "
            "allow_multi_contaminant_loads = true in case.toml to accept a conservative "
            "approximation (every outlet at most its outlet_ppm)", load_lines[next(iter(loads))],
            "load_kg_per_day"))

    product: dict[tuple[str, str], float] = {}
    max_feed: dict[tuple[str, str], float] = {}
    for line, r in t_rows or ():
        ok = True
        if r.train not in train_names:
            problems.append(Problem("train_quality.csv", "train is not in treatment.csv", line,
                                    "train", r.train))
            ok = False
        if known and r.contaminant not in tap_ppm and r.contaminant not in reported_contaminants:
            problems.append(Problem("train_quality.csv", "contaminant is not declared in "
                                    "contaminants.csv", line, "contaminant", r.contaminant))
            ok = False
        if ok:
            product.setdefault((r.train, r.contaminant), r.product_ppm)
            if r.max_feed_ppm is not None:
                max_feed.setdefault((r.train, r.contaminant), r.max_feed_ppm)
    if t_rows:
        _dups(t_rows, lambda r: (r.train, r.contaminant), "train_quality.csv",
              "train and contaminant", problems)
    if known:
        for t in trains:
            missing = [j for j in contaminants
                       if (t.name, j) not in product and (t.name, j) not in reported_trains]
            if missing:
                problems.append(Problem("train_quality.csv", "every train needs a product_ppm "
                                        f"for every contaminant; missing {', '.join(missing)}",
                                        None, "train", t.name))

    links = _links(direct, uses, l_rows, use_of, problems)
    return Quality(contaminants, tap_ppm, use_q, product, max_feed, dict(loads), direct, links,
                   allow_multi)


def _links(direct: str, uses, l_rows, use_of, problems: list[Problem]):
    """Resolve `direct_reuse` into the (from use, to use) pairs that may carry wastewater."""
    from model.case.load import _duplicates as _dups
    if direct == "zone":
        if l_rows is not None:
            problems.append(Problem("reuse_links.csv", 'is only read with direct_reuse = '
                                    '"listed" in case.toml; it is "zone"'))
        return tuple((a.key, b.key) for a in uses for b in uses
                     if a.key != b.key and a.zone == b.zone)
    if direct != "listed":
        if l_rows is not None:
            problems.append(Problem("reuse_links.csv", 'is only read with direct_reuse = '
                                    f'"listed" in case.toml; it is "{direct}"'))
        return ()
    links = []
    for line, r in l_rows or ():
        a, b = (r.from_plant, r.from_use), (r.to_plant, r.to_use)
        ok = True
        for key, col in ((a, "from_use"), (b, "to_use")):
            if key not in use_of:
                problems.append(Problem("reuse_links.csv", "use is not in uses.csv", line,
                                        col, "/".join(key)))
                ok = False
        if a == b:
            problems.append(Problem("reuse_links.csv", "a use cannot send wastewater to itself",
                                    line, "to_use", "/".join(b)))
            ok = False
        if ok:
            links.append((a, b))
    if l_rows:
        _dups(l_rows, lambda r: (r.from_plant, r.from_use, r.to_plant, r.to_use),
              "reuse_links.csv", "link", problems)
    return tuple(dict.fromkeys(links))
