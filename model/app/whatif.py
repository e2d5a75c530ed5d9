"""What a page can change in a case, and the one function that re-solves after a change.

`resolve(case, what_if, warm)` is the only way the page gets a plan. With the case's
`WarmPlans` (model.studies.whatif, which the page's session keeps per case) it re-solves warm:
the LP is built and loaded once per structure of options, and a change only moves numbers in
HiGHS; without it, it plans the changed case from scratch (model.studies.plan), which is also
the fallback for a change that does not end optimal warm.

A train's capacity and recovery replace the case's base values (a per-period override in
trains_by_period.csv still applies in its period); the demand factor multiplies every use's
demand in every period (a mass-transfer operation's flow is decided by the model, not scaled);
a stage or a cut rations tap water in every period as `--stage` and `--cut` do; the options
switched in are built into the case (with the options they require) as `wateralloc options`
plans a portfolio, and an option left out is not built, as `wateralloc solve` plans the case.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from model.case import Case
from model.case.options import choice_conflicts, with_options
from model.errors import UsageError
from model.results import Results
from model.studies import plan, with_cut
from model.studies.whatif import WarmPlans


@dataclass(frozen=True)
class WhatIf:
    """The page's changes: train -> (capacity m3/day, recovery), stage or cut, demand factor,
    and the options switched in (names of options.csv)."""

    trains: dict[str, tuple[float | None, float | None]] = field(default_factory=dict,
                                                                   hash=False)
    stage: str | None = None
    cut: float | None = None
    demand_factor: float = 1.0
    options: tuple[str, ...] = ()

    def key(self) -> tuple:
        return (tuple(sorted(self.trains.items())), self.stage, self.cut, self.demand_factor,
                tuple(sorted(self.options)))


def _number(option: str, value, low: float, high: float | None, rule: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UsageError(option, value, "must be a number") from None
    if not math.isfinite(number) or number < low or (high is not None and number > high):
        raise UsageError(option, value, rule)
    return number


def checked(what_if: WhatIf) -> WhatIf:
    """The what-if with numbers checked as the case reader checks the same fields."""
    trains = {}
    for name, (capacity, recovery) in what_if.trains.items():
        capacity = _number(f"{name} capacity_m3_per_day", capacity, 0.0, None, "must be >= 0")
        recovery = _number(f"{name} recovery", recovery, 0.0, 1.0, "must be in (0, 1]")
        if recovery == 0.0:
            raise UsageError(f"{name} recovery", recovery, "must be in (0, 1]")
        trains[name] = (capacity, recovery)
    factor = _number("demand factor", what_if.demand_factor, 0.0, None, "must be >= 0")
    if what_if.cut is not None and what_if.stage is not None:
        raise UsageError("cut", what_if.cut, "give a stage or a cut, not both")
    return replace(what_if, trains=trains, demand_factor=1.0 if factor is None else factor,
                   cut=_number("--cut", what_if.cut, 0.0, None, "a cut is a fraction in [0, 1)"))


def _train(train, change: tuple[float | None, float | None]):
    capacity, recovery = change
    return replace(train,
                   capacity_m3_per_day=train.capacity_m3_per_day if capacity is None else capacity,
                   recovery=train.recovery if recovery is None else recovery)


def apply(case: Case, what_if: WhatIf) -> Case:
    """The case with the page's changes."""
    what_if = checked(what_if)
    trains = tuple(_train(t, what_if.trains.get(t.name, (None, None))) for t in case.trains)
    case = replace(case, trains=trains)
    f = what_if.demand_factor
    if f != 1.0:
        by_period = case.by_period
        if by_period is not None:
            by_period = replace(by_period, demand_m3_per_day={
                k: v * f for k, v in by_period.demand_m3_per_day.items()})
        case = replace(case, by_period=by_period, uses=tuple(
            replace(u, demand_m3_per_day=u.demand_m3_per_day * f) for u in case.uses))
    return with_cut(with_options(case, _options(case, what_if.options)), cut=what_if.cut,
                    stage=what_if.stage)


def _options(case: Case, chosen: tuple[str, ...]) -> tuple[str, ...]:
    """The options switched in, checked against the case's catalogue."""
    known = {o.name for o in case.options}
    for name in chosen:
        if name not in known:
            raise UsageError("switch", name, "not an option of the case's options.csv")
    for name, rule in choice_conflicts(case, chosen, ()):
        raise UsageError("switch", name, rule)
    return tuple(chosen)


def resolve(case: Case, what_if: WhatIf, warm: WarmPlans | None = None) -> Results:
    """The plan after the page's changes: warm on `warm` (the WarmPlans of `case`), else from
    scratch. Raises the command line's errors (UsageError, InfeasibleError, SolverError): no
    figure comes from a solve that did not end optimal."""
    changed = apply(case, what_if)
    if warm is None:
        return plan(changed)
    return warm.plan(changed, _options(case, what_if.options))
