"""The options catalogue (options.csv) and the [economics] table: reading, checking, and what
each option does to a case.

| kind       | needs                                              | when chosen                         |
|------------|----------------------------------------------------|-------------------------------------|
| `capacity` | train, capacity_m3_per_day                         | the train gains that capacity       |
| `recovery` | train, recovery (above the train's)                | the train's recovery becomes it     |
| `train`    | train (a new name), capacity_m3_per_day, recovery, | a new treatment train               |
|            | zones, cost_per_m3                                 |                                     |
| `link`     | train, zones (not yet served)                      | the train also serves the zones     |
| `tank`     | train, volume_m3; zones optional (one zone the     | a recycled-water tank, empty at the |
|            | train serves, default its first)                   | start, filled by surplus product    |
| `supply`   | capacity_m3_per_day, cost_per_m3, zones            | outside water, generation 1         |

Every row also has capex, lifetime_years, om_per_year (default 0), excludes and requires. A
train added by a `train` option may be named by another option only if that option requires it.

`apply_options(case, names)` builds chosen options into a case (a plain case, planned like any
other); `candidate_case(case)` is the case the portfolio MILP is built on: every option present
but switched off until its binary says otherwise (model.formulation.options).
"""
from __future__ import annotations

from dataclasses import replace

from model.case.core import Core
from model.case.objects import Case, Economics, Option, OutsideSupply, Tank, Train
from model.case.rows import RESERVED_RULE, RESERVED_SOURCES, CaseSettings, OptionRow
from model.case.tables import CaseFolder, Namespace, Table

DATA_COLUMNS = ("train", "zones", "capacity_m3_per_day", "recovery", "cost_per_m3", "volume_m3")
# kind -> column -> True (needed) or False (optional); every other data column must be blank
KIND_COLUMNS: dict[str, dict[str, bool]] = {
    "capacity": {"train": True, "capacity_m3_per_day": True},
    "recovery": {"train": True, "recovery": True},
    "train": {"train": True, "capacity_m3_per_day": True, "recovery": True, "zones": True,
              "cost_per_m3": True},
    "link": {"train": True, "zones": True},
    "tank": {"train": True, "volume_m3": True, "zones": False},
    "supply": {"capacity_m3_per_day": True, "cost_per_m3": True, "zones": True},
}


def economics_of(settings: CaseSettings | None) -> Economics:
    e = settings.economics if settings is not None else None
    return Economics() if e is None else Economics(e.discount_rate, e.days_per_year, e.currency)


def read_options(folder: CaseFolder, core: Core) -> tuple[Option, ...]:
    """The options of options.csv (none when it is missing), every rule checked. Defines the
    `producer` names (trains, and the new trains and supplies of options), which
    train_quality.csv refers to."""
    table = folder.table(OptionRow)
    trains = {t.name: t for t in core.trains}
    new = {r.train: (line, r) for line, r in table.parsed if r.kind == "train" and r.train}
    supplies = {r.option for _, r in table.parsed if r.kind == "supply"}
    producers = folder.names["train"]
    folder.names["producer"] = Namespace(
        producers.rule + (", nor a train or supply of options.csv" if table.present else ""),
        producers.known | {(n,) for n in list(new) + list(supplies)},
        producers.reported | table.rejected_names(("option",)) | table.rejected_names(("train",)),
        producers.checked and (table.usable or not table.present))
    if not table.present:
        return ()
    for line, r in table.parsed:
        _check_columns(folder, table, line, r)
        _check_train(folder, table, line, r, trains, new)
    _check_links(folder, table)
    if table.parsed:
        _check_prices(folder, core)
    options = tuple(_option(r) for _, r in table.rows)
    if len({o.name for o in options} | {t.name for t in core.trains}) \
            < len(options) + len(core.trains):
        for line, r in table.rows:
            if r.option in trains:
                folder.problems.add(table.file, "an option may not share a train's name", line,
                                    "option", r.option)
    return options


def _option(r: OptionRow) -> Option:
    return Option(r.option, r.kind, r.capex, r.lifetime_years, r.om_per_year or 0.0, r.train,
                  r.zones or (), r.capacity_m3_per_day, r.recovery, r.cost_per_m3, r.volume_m3,
                  r.excludes or (), r.requires or ())


def _check_columns(folder: CaseFolder, table: Table, line: int, r: OptionRow) -> None:
    """The data columns a kind needs are given, and the ones it does not use are blank."""
    wanted = KIND_COLUMNS[r.kind]
    for column in DATA_COLUMNS:
        given = getattr(r, column) is not None
        if wanted.get(column) and not given:
            folder.problems.add(table.file, f"a {r.kind} option needs {column}", line, column)
        elif column not in wanted and given:
            value = getattr(r, column)
            folder.problems.add(table.file, f"a {r.kind} option does not use {column}; leave "
                                "it blank", line, column,
                                ";".join(value) if isinstance(value, tuple) else value)


def _check_train(folder: CaseFolder, table: Table, line: int, r: OptionRow,
                 trains: dict[str, Train], new: dict[str, tuple[int, OptionRow]]) -> None:
    """The train an option names: new for a `train` option, else existing (or added by a
    `train` option this one requires); a recovery above the train's; a link to zones it does
    not serve yet; a tank in one zone the train serves, named as no other source is."""
    if r.kind == "tank" and r.option.split(":")[0].strip() in RESERVED_SOURCES:
        # the new tank takes the option's name (a new train its `train`, checked as read)
        folder.problems.add(table.file, f"a tank option's name {RESERVED_RULE}", line,
                            "option", r.option)
    if r.train is None:
        return
    if r.kind == "train":
        if r.train in trains:
            folder.problems.add(table.file, "a train option adds a new train; this one is "
                                "already in treatment.csv", line, "train", r.train)
        elif new[r.train][0] != line:
            folder.problems.add(table.file, f"train is added by the option on line "
                                f"{new[r.train][0]} already", line, "train", r.train)
        return
    if r.train in trains:
        recovery, zones = trains[r.train].recovery, trains[r.train].zones
    elif r.train in new:
        adder = new[r.train][1]
        if adder.option not in (r.requires or ()):
            folder.problems.add(table.file, f"train is added by option {adder.option}: list it "
                                "in requires", line, "train", r.train)
        recovery, zones = adder.recovery or 1.0, adder.zones or ()
    else:
        folder.problems.add(table.file, "train is not in treatment.csv, nor added by a train "
                            "option", line, "train", r.train)
        return
    if r.kind == "recovery" and r.recovery is not None and r.recovery <= recovery:
        folder.problems.add(table.file, f"must be higher than train {r.train}'s recovery "
                            f"({recovery:g})", line, "recovery", r.recovery)
    served = [z for z in r.zones or () if z in zones]
    if r.kind == "link" and served:
        folder.problems.add(table.file, f"train {r.train} already serves this zone", line,
                            "zones", ";".join(served))
    if r.kind == "tank" and r.zones is not None:
        if len(r.zones) > 1:
            folder.problems.add(table.file, "a tank sits in one zone", line, "zones",
                                ";".join(r.zones))
        elif r.zones[0] not in zones:
            folder.problems.add(table.file, f"train {r.train} does not serve this zone", line,
                                "zones", r.zones[0])


def _check_links(folder: CaseFolder, table: Table[OptionRow]) -> None:
    """excludes and requires name other options of the file, not the option itself, not the
    same option twice; requires has no cycle."""
    names = {r.option: line for line, r in table.parsed}
    requires = {}
    for line, r in table.parsed:
        for column in ("excludes", "requires"):
            for name in getattr(r, column) or ():
                if name == r.option:
                    folder.problems.add(table.file, f"an option cannot {column[:-1]} itself",
                                        line, column, name)
                elif name not in names:
                    folder.problems.add(table.file, "option is not in options.csv", line,
                                        column, name)
        both = set(r.excludes or ()) & set(r.requires or ())
        if both:
            folder.problems.add(table.file, "an option cannot both require and exclude another",
                                line, "excludes", ";".join(sorted(both)))
        requires[r.option] = [n for n in r.requires or () if n in names and n != r.option]
    for cycle in _cycles(requires):
        folder.problems.add(table.file, "options require each other in a cycle: "
                            + " -> ".join(cycle + [cycle[0]]), names[cycle[0]], "requires",
                            ";".join(requires[cycle[0]]))


def _cycles(requires: dict[str, list[str]]) -> list[list[str]]:
    """Each cycle of the requires graph once, starting at its first option in file order."""
    found, seen = [], set()
    for start in requires:
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in requires.get(node, ()):
                if nxt == start:
                    key = frozenset(path)
                    if key not in seen:
                        seen.add(key)
                        found.append(path)
                elif nxt not in path and nxt in requires and \
                        list(requires).index(nxt) > list(requires).index(start):
                    stack.append((nxt, path + [nxt]))
    return found


def _check_prices(folder: CaseFolder, core: Core) -> None:
    """Options are compared in money: every train needs cost_per_m3 and the tap a price."""
    if any(t.cost_per_m3 is not None for t in core.trains):
        return_trains = ()  # some trains are priced: the core reader names the others
    else:
        return_trains = core.trains
    for t in return_trains:
        if t.cost_per_m3 is None:
            folder.problems.add("treatment.csv", f"a case with options.csv needs cost_per_m3 for "
                                f"every train; train {t.name} has none",
                                core.train_lines.get(t.name), "cost_per_m3", "")
    if core.settings is not None and core.settings.tap.price_per_m3 is None:
        folder.problems.add("case.toml", "a case with options.csv needs the tap price "
                            "([tap] price_per_m3)", None, "tap.price_per_m3", kind="key")


def check_option_names(folder: CaseFolder, options: tuple[Option, ...],
                       tanks: tuple[Tank, ...], quality) -> None:
    """After tanks.csv and the quality files are read: a new train, tank or supply does not
    reuse a tank's name, and, with a quality layer, every new train and supply has its
    product_ppm for every contaminant in train_quality.csv."""
    tank_names = {k.name for k in tanks}
    for o in options:
        added = o.train if o.kind == "train" else o.name
        if o.kind in ("train", "tank", "supply") and added in tank_names:
            folder.problems.add("options.csv", "a new train, tank or supply may not share a "
                                "tank's name", None, "option", o.name)
        # (no product_ppm at all: train_quality.csv is missing or unreadable, reported already)
        if quality is not None and quality.product_ppm and o.kind in ("train", "supply"):
            missing = [j for j in quality.contaminants if (added, j) not in quality.product_ppm]
            if missing:
                folder.problems.add("train_quality.csv", f"no product_ppm for the {o.kind} of "
                                    f"option {o.name}; missing {', '.join(missing)}", None,
                                    "train", added)


# --- what options do to a case ---------------------------------------------------------------

def option_of(case: Case) -> dict[str, Option]:
    return {o.name: o for o in case.options}


# kinds that add trains, zones served, tanks or supplies: a model of their own. `capacity` and
# `recovery` options only change numbers of the model without them.
STRUCTURAL = ("train", "link", "tank", "supply")


def closure(case: Case, names) -> tuple[str, ...]:
    """The named options and every option they require, in catalogue order."""
    catalogue, wanted, todo = option_of(case), set(), list(names)
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo.extend(catalogue[name].requires)
    return tuple(o.name for o in case.options if o.name in wanted)


def choice_conflicts(case: Case, chosen, refused) -> list[tuple[str, str]]:
    """What is wrong with building `chosen` (and what they require) while leaving `refused`
    out, as (the option whose choice is at fault, the rule): an option a chosen one requires is
    refused; two options built in exclude each other."""
    catalogue, built = option_of(case), closure(case, chosen)
    problems = [(r, f"option {o} requires {r}: set {r} to 1 or {o} to 0") for o in built
                for r in catalogue[o].requires if r in refused]
    problems += [(b, f"options {a} and {b} exclude each other: leave one of them out")
                 for i, a in enumerate(built) for b in built[i + 1:]
                 if b in catalogue[a].excludes or a in catalogue[b].excludes]
    return problems


def structure_of(case: Case, chosen) -> tuple[str, ...]:
    """The options among `chosen` (and what they require) that change the model's structure."""
    catalogue = option_of(case)
    return tuple(o for o in closure(case, chosen) if catalogue[o].kind in STRUCTURAL)


def with_options(case: Case, chosen) -> Case:
    """`case` with `chosen` and what they require built in; with none, `case` as it is (the
    catalogue kept), which is how `wateralloc solve` plans a case with options.csv."""
    return apply_options(case, closure(case, chosen)) if chosen else case


def _built(case: Case, options: list[Option], new_capacity: bool) -> Case:
    """`case` with the trains, links, tanks and supplies of `options` added; new trains get
    their capacity, or none (`new_capacity` False: the MILP adds it x chosen)."""
    trains = {t.name: t for t in case.trains}
    tanks, supplies = list(case.tanks), list(case.supplies)
    for o in (o for o in options if o.kind == "train"):
        trains[o.train] = Train(o.train, o.capacity_m3_per_day if new_capacity else 0.0,
                                o.recovery, o.zones, o.cost_per_m3)
    for o in options:
        if o.kind == "link":
            t = trains[o.train]
            trains[o.train] = replace(t, zones=t.zones + tuple(z for z in o.zones
                                                               if z not in t.zones))
        elif o.kind == "tank":
            tanks.append(Tank(o.name, tank_zone(case, o), "recycled", o.volume_m3, 0.0, 0.0))
        elif o.kind == "supply":
            supplies.append(OutsideSupply(o.name, o.capacity_m3_per_day, o.cost_per_m3, o.zones))
    return replace(case, trains=tuple(trains.values()), tanks=tuple(tanks),
                   supplies=tuple(supplies))


def apply_options(case: Case, names) -> Case:
    """`case` with the named options built in: a plain case (no catalogue left), planned like
    any other. Capacity and recovery apply in every period (a period's own capacity gains the
    same amount; its recovery is raised to the option's if lower)."""
    chosen = [option_of(case)[n] for n in names]
    out = _built(case, chosen, new_capacity=True)
    trains = {t.name: t for t in out.trains}
    for o in chosen:
        t = trains.get(o.train)
        if o.kind == "capacity":
            trains[o.train] = replace(t, capacity_m3_per_day=t.capacity_m3_per_day
                                      + o.capacity_m3_per_day)
        elif o.kind == "recovery":
            trains[o.train] = replace(t, recovery=max(t.recovery, o.recovery))
    by_period = None if case.by_period is None else _period_overrides(case.by_period, chosen)
    return replace(out, trains=tuple(trains.values()), by_period=by_period, options=(),
                   candidates=())


def _period_overrides(by_period, chosen):
    capacity = dict(by_period.capacity_m3_per_day)
    recovery = dict(by_period.recovery)
    for o in chosen:
        for (s, t) in list(capacity):
            if o.kind == "capacity" and s == o.train:
                capacity[s, t] += o.capacity_m3_per_day
        for (s, t) in list(recovery):
            if o.kind == "recovery" and s == o.train:
                recovery[s, t] = max(recovery[s, t], o.recovery)
    return replace(by_period, capacity_m3_per_day=capacity, recovery=recovery)


def tank_zone(case: Case, o: Option) -> str:
    """The zone an option's tank sits in: its own, or the first zone its train serves."""
    if o.zones:
        return o.zones[0]
    trains = {t.name: t for t in case.trains}
    train = trains.get(o.train)
    if train is None:
        train = next(x for x in case.options if x.kind == "train" and x.train == o.train)
    return train.zones[0]


def candidate_case(case: Case) -> Case:
    """The case the portfolio MILP is built on: every option present, to be switched on by its
    binary. New trains have no capacity of their own (the MILP adds capacity x chosen), links
    add their zones, tanks and supplies are listed (the MILP bounds them by volume or capacity x
    chosen); capacity and recovery options leave the case as it is."""
    return replace(_built(case, list(case.options), new_capacity=False),
                   candidates=tuple(o.name for o in case.options))
