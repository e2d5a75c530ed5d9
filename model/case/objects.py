"""The frozen objects of a case: everything the formulation needs, validated.

A `Case` is built by `model.case.load.load_case` from a case folder, or directly in Python
(tests, notebooks). Objects are frozen; build variants with `dataclasses.replace`. Dicts inside
them are read-only by convention.

    Case ─ Plant, Use, Train, Period            the steady-state core (m3/day)
         ─ Quality, UseQuality                  the optional water-quality layer (ppm, kg/day)
         ─ PeriodData                           per-period overrides of the core
         ─ Tank                                 storage between periods
         ─ Emergency: Tanker, Boost             outside supply and temporary recovery boosts
         ─ Rationing                            drought stages, priorities, baseline
         ─ OutsideSupply                        outside water delivered as generation 1
         ─ Option, Economics                    the options catalogue and how money is counted
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

UseKey = tuple[str, str]
STEADY = "steady"


@dataclass(frozen=True)
class UseQuality:
    """One use and one contaminant. `max_inlet_ppm` None means no limit."""

    max_inlet_ppm: float | None
    outlet_ppm: float
    load_kg_per_day: float | None = None


@dataclass(frozen=True)
class Quality:
    """The validated quality layer. Dicts are read-only by convention (the case is frozen).

    `links` are the (from use, to use) pairs that may carry untreated wastewater, already
    resolved from `direct_reuse`: every ordered pair of distinct uses in a zone for "zone", the
    listed pairs for "listed", none for "none".
    """

    contaminants: tuple[str, ...]
    tap_ppm: dict[str, float]
    uses: dict[tuple[str, str, str], UseQuality]          # (plant, use, contaminant)
    product_ppm: dict[tuple[str, str], float]             # (train, contaminant)
    max_feed_ppm: dict[tuple[str, str], float]            # (train, contaminant), limits only
    operations: dict[UseKey, dict[str, float]] = field(default_factory=dict)  # use -> load kg/day
    direct_reuse: str = "none"
    links: tuple[tuple[UseKey, UseKey], ...] = ()
    allow_multi_contaminant_loads: bool = False

    def limit(self, use: UseKey, contaminant: str) -> float | None:
        return self.uses[(*use, contaminant)].max_inlet_ppm

    def outlet(self, use: UseKey, contaminant: str) -> float:
        return self.uses[(*use, contaminant)].outlet_ppm

    @property
    def exact_operations(self) -> bool:
        """Mass balances are equalities (exact) only with a single contaminant."""
        return len(self.contaminants) <= 1


# Taiwan Water Corporation drought alert stages: cut for large industrial users (sources in
# data/README.md: Taiwan News 4218393, Crisis24 2021-06-01, txtreport 2023-03-29).
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
class OutsideSupply:
    """Outside water (e.g. municipal reclaimed water): up to `capacity_m3_per_day` at
    `price_per_m3`, delivered as generation 1 (treated once) to uses in `zones`."""

    name: str
    capacity_m3_per_day: float
    price_per_m3: float
    zones: tuple[str, ...]


OPTION_KINDS = ("capacity", "recovery", "train", "link", "tank", "supply")


@dataclass(frozen=True)
class Option:
    """One investment of the options catalogue (options.csv); what each kind does when chosen
    is `model.case.options.apply_options`. Money in the case's currency, volumes in m3."""

    name: str
    kind: str
    capex: float
    lifetime_years: float
    om_per_year: float = 0.0
    train: str | None = None
    zones: tuple[str, ...] = ()
    capacity_m3_per_day: float | None = None
    recovery: float | None = None
    cost_per_m3: float | None = None
    volume_m3: float | None = None
    excludes: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Economics:
    """The [economics] table of case.toml: how capital is annualised and money is labelled."""

    discount_rate: float = 0.06
    days_per_year: float = 365.0
    currency: str = "NT$"


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
    fair_share: bool = True
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


@dataclass(frozen=True)
class Plant:
    name: str
    zone: str


@dataclass(frozen=True)
class Use:
    """One use of water at one plant.

    `max_recycles` is the effective reuse limit: the most treatment passes the water it
    receives may have had, already capped at the site limit.
    """

    plant: str
    use: str
    zone: str
    demand_m3_per_day: float
    return_fraction: float
    max_recycles: int

    @property
    def key(self) -> tuple[str, str]:
        return (self.plant, self.use)


@dataclass(frozen=True)
class Train:
    """A treatment train: takes wastewater from, and delivers recycled water to, `zones`."""

    name: str
    capacity_m3_per_day: float
    recovery: float
    zones: tuple[str, ...]
    cost_per_m3: float | None = None


@dataclass(frozen=True)
class Period:
    name: str
    days: float = 1.0


@dataclass(frozen=True)
class Case:
    """Everything the model needs, validated. Build variants with `dataclasses.replace`."""

    name: str
    max_recycles: int
    plants: tuple[Plant, ...]
    uses: tuple[Use, ...]
    trains: tuple[Train, ...]
    periods: tuple[Period, ...] = (Period(STEADY, 1.0),)
    tap_cap_m3_per_day: float | None = None
    tap_price_per_m3: float | None = None
    description: str = ""
    source: str = field(default="", compare=False)
    quality: Quality | None = field(default=None, hash=False)  # see model.case.quality
    # multi-period, storage and drought additions (model.case.periods, storage, supply,
    # drought); None/() is steady state
    by_period: PeriodData | None = None
    tanks: tuple[Tank, ...] = ()
    emergency: Emergency = Emergency()
    rationing: Rationing | None = None
    # options (model.case.options): outside supplies built in, the catalogue, the options the
    # model may choose (a candidate case: model.case.options.candidate_case), the economics,
    # and whether the cost stage comes before the tap stage (a plan at a tap target)
    supplies: tuple[OutsideSupply, ...] = ()
    options: tuple[Option, ...] = ()
    candidates: tuple[str, ...] = ()
    economics: Economics = Economics()
    cost_first: bool = False

    @property
    def zones(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.zone for p in self.plants))

    @property
    def total_days(self) -> float:
        return sum(p.days for p in self.periods)

    @property
    def demand_m3_per_day(self) -> float:
        return sum(u.demand_m3_per_day for u in self.uses)

    @property
    def costed(self) -> bool:
        """True when every train has a cost, so the second stage minimises money."""
        return bool(self.trains) and all(t.cost_per_m3 is not None for t in self.trains)

    def demand(self, use: Use, period: str) -> float:
        if self.by_period is not None:
            return self.by_period.demand(use.plant, use.use, period, use.demand_m3_per_day)
        return use.demand_m3_per_day

    def capacity(self, train: Train, period: str) -> float:
        if self.by_period is not None:
            return self.by_period.capacity_m3_per_day.get((train.name, period),
                                                          train.capacity_m3_per_day)
        return train.capacity_m3_per_day

    def recovery(self, train: Train, period: str) -> float:
        if self.by_period is not None:
            return self.by_period.recovery.get((train.name, period), train.recovery)
        return train.recovery

    def tap_cap(self, period: str) -> float | None:
        cap = self.tap_cap_m3_per_day
        if self.by_period is not None:
            cap = self.by_period.tap_cap_m3_per_day.get(period, cap)
        if self.rationing is not None:
            cap = self.rationing.tap_cap(period, cap)
        return cap
