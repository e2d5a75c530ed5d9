"""Time-varying data, storage, emergency supply and rationing: the frozen parts of a Case that a
multi-period or drought case adds. `model.read_timeline` fills them from the optional files.

`Case.demand/capacity/recovery/tap_cap(…, period)` consult these objects, so the model builder
never needs to know whether a case is steady or not.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Taiwan Water Corporation drought alert stages: cut for large industrial users (FACTS.md).
# blue/green: no cut; yellow: -7% (Kaohsiung 2021, crisis24); orange: -10% for large users
# (Kaohsiung 2023, txtreport; up to -20% case by case); red: -15% (Taichung 2021, crisis24).
TWC_STAGES: dict[str, float] = {"blue": 0.0, "green": 0.0, "yellow": 0.07, "orange": 0.10,
                                "red": 0.15}


@dataclass(frozen=True)
class PeriodData:
    """Per-period overrides. Keys: (plant, use, period), (train, period) or period."""

    starts: dict[str, date] = field(default_factory=dict, hash=False)
    demand_m3_per_day: dict[tuple[str, str, str], float] = field(default_factory=dict,
                                                                 hash=False)
    demand_factor: dict[tuple[str, str, str], float] = field(default_factory=dict, hash=False)
    capacity_m3_per_day: dict[tuple[str, str], float] = field(default_factory=dict, hash=False)
    recovery: dict[tuple[str, str], float] = field(default_factory=dict, hash=False)
    tap_cap_m3_per_day: dict[str, float] = field(default_factory=dict, hash=False)
    stage: dict[str, str] = field(default_factory=dict, hash=False)

    def demand(self, plant: str, use: str, period: str, base: float) -> float:
        d = self.demand_m3_per_day.get((plant, use, period), base)
        return d * self.demand_factor.get((plant, use, period), 1.0)

    def without_tap_caps(self) -> "PeriodData":
        from dataclasses import replace
        return replace(self, tap_cap_m3_per_day={})


@dataclass(frozen=True)
class Tank:
    """A storage tank in a zone. `holds` is "recycled" (product water between the trains and the
    uses) or "wastewater" (an equalisation basin between the uses and the trains)."""

    name: str
    zone: str
    holds: str
    capacity_m3: float
    initial_m3: float
    min_final_m3: float


@dataclass(frozen=True)
class Tanker:
    """Trucked water: up to `capacity_m3_per_day`, delivered as tap-quality water to `zones`."""

    name: str
    capacity_m3_per_day: float
    price_per_m3: float
    zones: tuple[str, ...]


@dataclass(frozen=True)
class Boost:
    """A train may run at `recovery` instead of its normal recovery, for `extra_cost_per_m3` of
    feed, in `periods` (empty: every period)."""

    train: str
    recovery: float
    extra_cost_per_m3: float
    periods: tuple[str, ...] = ()


@dataclass(frozen=True)
class Emergency:
    tankers: tuple[Tanker, ...] = ()
    boosts: tuple[Boost, ...] = ()


@dataclass(frozen=True)
class Rationing:
    """Drought rationing: tap cap (1 - cut_t) x baseline, and shortage variables when `enabled`.

    `stages` maps stage name -> cut fraction; `stage_by_period` is the schedule; `cut_all` (from
    `--cut`, `--stage` or rationing.toml) applies one cut to every period and overrides the
    schedule. `baseline_m3_per_day` is given, or None until `model.drought.resolve_baseline`
    fills it with the unrestricted minimal tap draw; `baseline_source` says which.
    `priority[(plant, use)]` is the class (1 is cut last, default 1); `lost_value_per_m3` the
    money lost per m3 not supplied.
    """

    enabled: bool = False
    stages: dict[str, float] = field(default_factory=lambda: dict(TWC_STAGES), hash=False)
    stage_by_period: dict[str, str] = field(default_factory=dict, hash=False)
    cut_all: float | None = None
    cut_label: str | None = None
    baseline_m3_per_day: float | None = None
    baseline_source: str = "given"
    fair_share: bool = False
    price_shortage: bool = False
    priority: dict[tuple[str, str], int] = field(default_factory=dict, hash=False)
    lost_value_per_m3: dict[tuple[str, str], float] = field(default_factory=dict, hash=False)

    def cut(self, period: str) -> float | None:
        """The cut fraction in a period, or None when no stage applies."""
        if self.cut_all is not None:
            return self.cut_all
        stage = self.stage_by_period.get(period)
        return None if stage is None else self.stages[stage]

    def stage(self, period: str) -> str | None:
        if self.cut_all is not None:
            return self.cut_label
        return self.stage_by_period.get(period)

    def tap_cap(self, period: str, cap: float | None) -> float | None:
        """min(cap, (1 - cut_t) x baseline) once the baseline is known. A period without a cut
        (no stage, or a stage such as blue or green that cuts nothing) gets no rationing cap: the
        baseline is a day-weighted average, and capping normal periods at it would forbid, for
        instance, refilling a tank after the drought."""
        cut = self.cut(period)
        if not self.enabled or not cut or self.baseline_m3_per_day is None:
            return cap
        rationed = (1.0 - cut) * self.baseline_m3_per_day
        return rationed if cap is None else min(cap, rationed)

    def priority_of(self, plant: str, use: str) -> int:
        return self.priority.get((plant, use), 1)
