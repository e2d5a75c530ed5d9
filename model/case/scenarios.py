"""Scenarios of a sweep: what-ifs on one case, read from a CSV file or built from ranges.

A scenarios file has a `scenario` column (a unique name), then one column per parameter changed
from the case; a blank cell keeps the case's value:

    column                 value                   changes
    cut                    fraction in [0, 1)      rations tap water as `--cut` does
    stage                  a rationing stage name  rations tap water as `--stage` does
    baseline               m3/day, >= 0            the rationing baseline a cut is of, given
                                                   (rationing.toml's baseline_m3_per_day)
    capacity:<train>       m3/day, >= 0            the train's capacity (treatment.csv)
    recovery:<train>       fraction in (0, 1]      the train's recovery (treatment.csv)
    demand_factor          >= 0                    every demand, in every period, times this
    demand:<plant>/<use>   m3/day, >= 0            the use's demand (uses.csv)
    tap_cap                m3/day, >= 0            the campus tap cap ([tap] in case.toml)
    option:<name>          0 or 1                  1 builds the option of options.csv in (with
                                                   the options it requires), 0 leaves it out

A blank option cell is the case's default, which is out: `wateralloc solve` plans a case with
options.csv without its options (choosing them is `wateralloc options`). Options are built in
after the other parameters, so `capacity:K14` sets K14's own capacity and a capacity option adds
to it. A scenario may not set to 0 an option that one it sets to 1 requires, nor set to 1 two
options that exclude each other.

Per-period values (trains_by_period.csv, demand.csv, periods.csv) still apply on top of the
case's values, as they do in a solve. A parameter changes numbers, never the model's structure:
trains, zones, uses, reuse limits and periods are the case's (a different structure is a
different case folder). Every problem of a file is reported at once, with its line and column.

A parameter kind is one entry of `KINDS`: the type of its values and the names it refers to
(`Kind`), and how a scenario's value changes the case (`Kind.apply`; the options of a scenario
are applied together, `Scenario.apply`). A new kind is one more entry; `model.solve.warm` maps
each kind to the LP entries it moves.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import numpy as np
from pydantic import BeforeValidator, ValidationError, create_model

from model.case.objects import Case, Rationing
from model.case.options import choice_conflicts, structure_of, with_options
from model.case.problems import explain
from model.case.rows import Cut, Factor, Flow, Name, Recovery, Row
from model.case.tables import CaseFolder, Namespace
from model.errors import CaseError, Problem


def ration(case: Case, cut: float, label: str) -> Case:
    """Rationing with one cut in every period (the `--cut` and `--stage` options)."""
    r = case.rationing or Rationing()
    return replace(case, rationing=replace(r, enabled=True, cut_all=cut, cut_label=label))


def _stage(case: Case, _: str | None, name: str) -> Case:
    return ration(case, (case.rationing or Rationing()).stages[name], name)


def _baseline(case: Case, _: str | None, value: float) -> Case:
    """The rationing baseline, given: a cut is then of this draw in every scenario, whatever
    else the scenario changes (a computed baseline moves with capacity, recovery and demand)."""
    r = case.rationing or Rationing()
    return replace(case, rationing=replace(r, baseline_m3_per_day=value,
                                           baseline_source="given"))


def _train(case: Case, name: str, **change) -> Case:
    return replace(case, trains=tuple(replace(t, **change) if t.name == name else t
                                      for t in case.trains))


def _demand(case: Case, use: str, value: float) -> Case:
    # `<plant>/<use>` matched whole: a plant or use name may hold '/' itself
    return replace(case, uses=tuple(replace(u, demand_m3_per_day=value)
                                    if f"{u.plant}/{u.use}" == use else u
                                    for u in case.uses))


def _demand_factor(case: Case, _: str | None, factor: float) -> Case:
    """Every demand times `factor`: the uses' own and the per-period ones of demand.csv."""
    uses = tuple(replace(u, demand_m3_per_day=u.demand_m3_per_day * factor) for u in case.uses)
    by_period = case.by_period
    if by_period is not None:
        by_period = replace(by_period, demand_m3_per_day={
            k: v * factor for k, v in by_period.demand_m3_per_day.items()})
    return replace(case, uses=uses, by_period=by_period)


CHOICE_RULE = ("must be 0 (out) or 1 (in); a blank cell is the case's default, out, as "
               "`wateralloc solve` plans it")


def _zero_or_one(value):
    """An option's cell: 0 or 1 (also as text, or 0.0 and 1.0 from a --vary range)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(CHOICE_RULE) from None
    if isinstance(value, bool) or number not in (0.0, 1.0):
        raise ValueError(CHOICE_RULE)  # model.case.problems reports the text as the rule
    return int(number)


Choice = Annotated[int, BeforeValidator(_zero_or_one)]


@dataclass(frozen=True)
class Kind:
    """A kind of sweep parameter: its value type, what it names after the colon (a train, a
    use, or nothing), and how a value changes a case."""

    name: str
    value: Any                       # the pydantic type of a cell
    apply: Callable[[Case, Optional[str], Any], Case]
    target: str | None = None        # "train", "use" or "option": the column is `<kind>:<name>`


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("cut", Cut, lambda case, _, cut: ration(case, cut, f"cut {cut:g}")),
    Kind("stage", Name, _stage),
    Kind("capacity", Flow, lambda case, t, v: _train(case, t, capacity_m3_per_day=v),
         "train"),
    Kind("recovery", Recovery, lambda case, t, v: _train(case, t, recovery=v), "train"),
    Kind("demand_factor", Factor, _demand_factor),
    Kind("demand", Flow, _demand, "use"),
    Kind("tap_cap", Flow, lambda case, _, v: replace(case, tap_cap_m3_per_day=v)),
    Kind("baseline", Flow, _baseline),
    Kind("option", Choice, lambda case, name, v: with_options(case, [name] if v else []),
         "option"),
)}
KNOWN = ("cut, stage, baseline, capacity:<train>, recovery:<train>, demand_factor, "
         "demand:<plant>/<use>, tap_cap, option:<name>")


@dataclass(frozen=True)
class Parameter:
    """One column of a sweep: a kind and, for train and use kinds, the name it applies to."""

    kind: str
    target: str | None = None

    @property
    def column(self) -> str:
        return self.kind if self.target is None else f"{self.kind}:{self.target}"


@dataclass(frozen=True)
class Scenario:
    """One what-if: its name, and the value of each parameter it changes (blank cells left
    out), in the order of the columns."""

    name: str
    values: tuple[tuple[Parameter, Any], ...]

    def apply(self, case: Case) -> Case:
        """The case this scenario describes (what a cold solve of it reads): every other
        parameter, then the options set to 1 built in together (`with_options`)."""
        for parameter, value in self.values:
            if parameter.kind != "option":
                case = KINDS[parameter.kind].apply(case, parameter.target, value)
        return with_options(case, self.choices()[0])

    def choices(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The options this scenario sets to 1, and those it sets to 0."""
        return (tuple(p.target for p, v in self.values if p.kind == "option" and v == 1),
                tuple(p.target for p, v in self.values if p.kind == "option" and v == 0))

    def structure(self, case: Case) -> tuple[str, ...]:
        """The options built in that change the model's structure (trains, links, tanks,
        supplies): scenarios with the same structure share one warm model."""
        return structure_of(case, self.choices()[0])


@dataclass(frozen=True)
class Sweep:
    """The parameters of a sweep (its columns) and its scenarios, in input order."""

    parameters: tuple[Parameter, ...]
    scenarios: tuple[Scenario, ...]

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(p.kind for p in self.parameters)


def parameter_of(column: str, case: Case) -> Parameter | str:
    """The parameter a column names, or the rule it breaks."""
    kind, _, target = column.partition(":")
    if kind not in KINDS:
        return (f"unknown parameter; sweep parameters are {KNOWN} (a change of structure, such "
                "as max_recycles, zones or trains, needs a case folder of its own)")
    need = KINDS[kind].target
    if need is None:
        return Parameter(kind) if not target else f"{kind} takes no name after ':'"
    if need == "train" and target not in {t.name for t in case.trains}:
        return f"train {target!r} is not in treatment.csv; {kind}:<train>"
    if need == "use":
        named = [u for u in case.uses if f"{u.plant}/{u.use}" == target]
        if not named:
            return f"use {target!r} is not in uses.csv; {kind}:<plant>/<use>"
        if len(named) > 1:
            return (f"{target!r} names {len(named)} uses of uses.csv (" + ", ".join(
                f"plant {u.plant!r} use {u.use!r}" for u in named) + "): rename one of them "
                "so that <plant>/<use> tells them apart")
    if need == "option" and target not in {o.name for o in case.options}:
        return (f"option {target!r} is not in options.csv; option:<name>" if case.options
                else "the case has no options.csv: option:<name> names one of its options")
    return Parameter(kind, target)


def _row_schema(file: str, parameters: list[Parameter]) -> type[Row]:
    """A row class for this file's header: `scenario`, then one optional cell per parameter."""
    fields: dict[str, Any] = {"scenario": (Name, ...)}
    fields.update({p.column: (Optional[KINDS[p.kind].value], None) for p in parameters})
    schema = create_model("ScenarioRow", __base__=Row, **fields)
    schema.FILE, schema.KEY, schema.KEY_NAME = file, ("scenario",), "scenario"
    schema.REFERENCES = {p.column: "stage" for p in parameters if p.kind == "stage"}
    return schema


def _scenario(row: Row, parameters: list[Parameter]) -> Scenario:
    return Scenario(row.scenario, tuple((p, getattr(row, p.column)) for p in parameters
                                        if getattr(row, p.column) is not None))


def _header(folder: CaseFolder, file: str, case: Case) -> list[Parameter]:
    """The parameters the header names; every unknown one is a problem on line 1."""
    records = folder.source.records(file, folder.problems) if folder.has(file) else None
    if not records:
        return []  # unreadable or empty: the table's own reading reports it
    parameters = []
    for cell in (c.strip() for c in records[0][1]):
        if cell in ("scenario", "notes"):
            continue
        found = parameter_of(cell, case)
        if isinstance(found, str):
            folder.problems.add(file, found, records[0][0], cell or "(blank)")
        else:
            parameters.append(found)
    return parameters


def read_scenarios(path: str | Path, case: Case) -> Sweep:
    """Read and check a scenarios file against `case`. Raises `CaseError` with every problem."""
    path = Path(path)
    if not path.is_file():
        raise CaseError([Problem(str(path), "scenarios file does not exist")])
    folder = CaseFolder(path.parent)
    stages = (case.rationing or Rationing()).stages
    folder.names["stage"] = Namespace.fixed(stages, "stage is not a rationing stage of the "
                                            f"case (known: {', '.join(stages)})")
    parameters = _header(folder, path.name, case)
    if folder.problems:
        raise CaseError(folder.problems)
    schema = _row_schema(path.name, parameters)
    table = folder.table(schema, required=True)
    scenarios = []
    for line, row in table.rows:
        scenario = _scenario(row, parameters)
        kinds = {p.kind for p, _ in scenario.values}
        if {"cut", "stage"} <= kinds:
            folder.problems.add(path.name, "give a cut or a stage, not both", line, "stage")
        for name, rule in choice_conflicts(case, *scenario.choices()):
            folder.problems.add(path.name, rule, line, f"option:{name}",
                                dict(scenario.values).get(Parameter("option", name)))
        scenarios.append(scenario)
    if table.usable and not table.data_lines:
        folder.problems.add(path.name, "has no scenario: add a row per scenario", 1)
    if folder.problems:
        raise CaseError(folder.problems)
    return Sweep(tuple(parameters), tuple(scenarios))


def vary_scenarios(ranges: list[str], case: Case) -> Sweep:
    """The Cartesian product of `PARAM=START:STOP:N` ranges (N evenly spaced values, both ends
    included), in the order given: the last range varies fastest."""
    problems, parameters, values = [], [], []
    for text in ranges:
        column, _, spec = text.partition("=")
        found = parameter_of(column.strip(), case)
        parts = spec.split(":")
        if isinstance(found, str):
            problems.append(Problem("--vary", found, column=column.strip(), value=text))
            continue
        try:
            start, stop, n = float(parts[0]), float(parts[1]), int(parts[2])
            assert len(parts) == 3 and n >= 1 and np.isfinite([start, stop]).all()
        except (ValueError, IndexError, AssertionError):
            problems.append(Problem("--vary", "expected PARAM=START:STOP:N (N >= 1 values)",
                                    column=column.strip(), value=text))
            continue
        if found.kind == "stage":
            problems.append(Problem("--vary", "stage names cannot be a range: use a scenarios "
                                    "file", column="stage", value=text))
            continue
        parameters.append(found)
        values.append(np.linspace(start, stop, n))
    schema = _row_schema("--vary", parameters)
    for p, points in zip(parameters, values):  # every value must be one the file would accept
        # a range is monotone: its ends are its extremes; every 0/1 choice is checked
        for v in sorted(set(points) if p.kind == "option" else {points[0], points[-1]}):
            if (rule := _rule(schema, p, v)) is not None:
                problems.append(Problem("--vary", rule, column=p.column, value=float(v)))
    if problems:
        raise CaseError(problems)
    grid = np.array(np.meshgrid(*values, indexing="ij")).reshape(len(values), -1).T
    scenarios = tuple(Scenario(f"v{i + 1:0{len(str(len(grid)))}d}",
                               tuple((p, int(v) if p.kind == "option" else float(v))
                                     for p, v in zip(parameters, point)))
                      for i, point in enumerate(grid))
    conflicts = dict.fromkeys(c for s in scenarios for c in choice_conflicts(case, *s.choices()))
    if conflicts:
        raise CaseError([Problem("--vary", f"{rule}; the grid has scenarios that break this: "
                                 "use a scenarios file", column=f"option:{name}")
                         for name, rule in conflicts])
    return Sweep(tuple(parameters), scenarios)


def _rule(schema: type[Row], p: Parameter, value: float) -> str | None:
    """The rule `value` breaks as a cell of column `p`, or None."""
    try:
        schema.model_validate({"scenario": "x", p.column: value})
    except ValidationError as exc:
        return explain(schema, exc.errors()[0], "column")[1]
    return None
