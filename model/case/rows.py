"""The schema of every file in a case folder: one strict pydantic class per CSV row or TOML file.

A row class says what one line of its file may hold (types, units, bounds) and, as class
variables, how the reader toolkit (`model.case.tables`) treats it:

    FILE        the file it is read from
    KEY         the columns that identify a row; a repeated key is reported, first line kept
    KEY_NAME    what the key names, in messages ("duplicate use; first given on line 3")
    REFERENCES  column(s) -> the namespace of names they must be found in (plant, zone, use,
                train, period, stage, contaminant); a tuple of columns is one compound name
    LISTS       columns holding a `;`-separated list -> what one item is ("zone")

Bounds live here and only here; the rule texts users read are derived from them.

| file                 | row class         | one row per                                     |
|----------------------|-------------------|-------------------------------------------------|
| case.toml            | CaseSettings      | (settings)                                      |
| plants.csv           | PlantRow          | plant                                           |
| uses.csv             | UseRow            | use of water at a plant                         |
| treatment.csv        | TrainRow          | treatment train                                 |
| contaminants.csv     | ContaminantRow    | contaminant (tap concentration)                 |
| use_quality.csv      | UseQualityRow     | (use, contaminant)                              |
| train_quality.csv    | TrainQualityRow   | (train, contaminant)                            |
| reuse_links.csv      | ReuseLinkRow      | (from use, to use) allowed direct reuse         |
| periods.csv          | PeriodRow         | period, in time order                           |
| demand.csv           | DemandRow         | (period, use or plant or campus)                |
| trains_by_period.csv | TrainPeriodRow    | (period, train)                                 |
| tanks.csv            | TankRow           | storage tank                                    |
| tankers.csv          | TankerRow         | tanker service (trucked water)                  |
| boosts.csv           | BoostRow          | train with a temporary higher recovery          |
| stages.csv           | StageRow          | rationing stage                                 |
| curtailment.csv      | CurtailmentRow    | use with a curtailment priority                 |
| rationing.toml       | RationingSettings | (settings)                                      |
| options.csv          | OptionRow         | investment option                               |
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal, Optional

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool,
                      StrictInt, field_validator)


def _plain_number(rule: str):
    """Reject Python's underscore digit grouping ("2_508"), which pydantic accepts in text: a
    spreadsheet never writes it, so it is a typo, not a number. `rule` is the message."""
    def check(value):
        if isinstance(value, str) and "_" in value:
            raise ValueError(rule)  # model.case.problems reports a ValueError's text as the rule
        return value
    return BeforeValidator(check)


Name = Annotated[str, Field(min_length=1)]
# The results name a use's water by its source: a train's or tank's own name, or `tap`,
# `tanker:<name>`, `direct:<plant>/<use>` and `supply:<name>` (model.results.tables). A train or
# tank named after one of those words would have its water counted as tap, trucked, direct or
# outside water.
RESERVED_SOURCES = ("tap", "tanker", "direct", "supply")
RESERVED_RULE = "may not be tap, tanker, direct or supply, alone or before a colon: the " \
    "results name those sources so"


def _not_a_source_word(value: str) -> str:
    if value.split(":")[0].strip() in RESERVED_SOURCES:
        raise ValueError(RESERVED_RULE)
    return value


SourceName = Annotated[Name, AfterValidator(_not_a_source_word)]  # a train or a tank
Names = Annotated[tuple[Name, ...], Field(min_length=1)]   # a `;`-list, parsed by the toolkit
Fraction = Annotated[float, _plain_number("must be a number"), Field(ge=0, le=1)]
Recovery = Annotated[float, _plain_number("must be a number"), Field(gt=0, le=1)]
Cut = Annotated[float, _plain_number("must be a number"), Field(ge=0, lt=1)]
# Magnitudes the solver can resolve (docs/decisions.md, "Bounded inputs"). HiGHS holds every row
# to 1e-7 (absolute, after its scaling) in double precision (2.2e-16 relative): beyond 1e9
# m3/day the round-off of the largest figure would exceed the tolerance at which the smallest
# uses are resolved, and HiGHS ends with vague statuses ("Empty", "Not Set"). A campus draws
# 1e3 to 1e6 m3/day. Volumes in m3 allow 100 days at the largest flow.
MAX_M3_PER_DAY = 1e9
MAX_M3 = 1e11
MAX_PRICE_PER_M3 = 1e6      # money per m3 (the cost stage's coefficients)
MAX_FACTOR = 1e3            # demand factors
MAX_DAYS = 36_600           # a period of at most a century
MAX_RECYCLES = 100          # site limit K; see docs/decisions.md
Flow = Annotated[float, _plain_number("must be a number"), Field(ge=0, le=MAX_M3_PER_DAY)]
Volume = Annotated[float, _plain_number("must be a number"), Field(ge=0, le=MAX_M3)]
Price = Annotated[float, _plain_number("must be a number"), Field(ge=0, le=MAX_PRICE_PER_M3)]
Factor = Annotated[float, _plain_number("must be a number"), Field(ge=0, le=MAX_FACTOR)]
Days = Annotated[float, _plain_number("must be a number"), Field(gt=0, le=MAX_DAYS)]
Ppm = Annotated[float, _plain_number("must be a number"), Field(ge=0, le=1e6)]  # g/m3; 1e6 is pure
MAX_MONEY = 1e13            # capex, O&M: money once or per year (NT$10 trillion)
MAX_LIFETIME_YEARS = 200
Capacity = Annotated[float, _plain_number("must be a number"), Field(gt=0, le=MAX_M3_PER_DAY)]
TankVolume = Annotated[float, _plain_number("must be a number"), Field(gt=0, le=MAX_M3)]
Money = Annotated[float, _plain_number("must be a number"), Field(ge=0, le=MAX_MONEY)]
Lifetime = Annotated[float, _plain_number("must be a number"),
                     Field(gt=0, le=MAX_LIFETIME_YEARS)]
ReuseLimit = Annotated[int, _plain_number("must be a whole number"), Field(ge=0)]
Priority = Annotated[int, _plain_number("must be a whole number"), Field(ge=1)]


class Row(BaseModel):
    """A CSV row: strict, frozen, finite numbers only, whitespace stripped, `notes` allowed."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, str_strip_whitespace=True,
        defer_build=True,  # a schema is built on first use: most cases have a few of the files
    )
    FILE: ClassVar[str]
    KEY: ClassVar[tuple[str, ...]]
    KEY_NAME: ClassVar[str]
    REFERENCES: ClassVar[dict[str | tuple[str, ...], str]] = {}
    LISTS: ClassVar[dict[str, str]] = {}

    notes: Optional[str] = None


class Settings(BaseModel):
    """A TOML settings file: strict, frozen, finite numbers only, unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    FILE: ClassVar[str]


# --- the steady-state core: case.toml, plants.csv, uses.csv, treatment.csv -------------------

class TapSettings(BaseModel):
    """The [tap] table of case.toml: an optional cap (m3/day) and price (money per m3)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    cap_m3_per_day: Optional[Flow] = None
    price_per_m3: Optional[Price] = None


class EconomicsSettings(BaseModel):
    """The [economics] table of case.toml: discount rate, days per year, currency label."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    discount_rate: Annotated[float, Field(ge=0, le=1)] = 0.06
    days_per_year: Annotated[float, Field(gt=0, le=366)] = 365.0
    currency: Name = "NT$"


class CaseSettings(Settings):
    """case.toml: the site's reuse limit K (`max_recycles`), tap cap and price, quality options."""

    FILE = "case.toml"
    name: Name
    description: Optional[str] = None
    max_recycles: Annotated[StrictInt, Field(ge=0, le=MAX_RECYCLES)]
    tap: TapSettings = TapSettings()
    direct_reuse: Literal["none", "zone", "listed"] = "none"  # see model.case.quality
    allow_multi_contaminant_loads: bool = False
    economics: EconomicsSettings = EconomicsSettings()  # see model.case.options


class PlantRow(Row):
    FILE, KEY, KEY_NAME = "plants.csv", ("plant",), "plant"
    plant: Name
    zone: Name


class UseRow(Row):
    """A use's demand (m3/day) and the fraction of it returned as wastewater."""

    FILE, KEY, KEY_NAME = "uses.csv", ("plant", "use"), "use"
    REFERENCES = {"plant": "plant"}
    plant: Name
    use: Name
    demand_m3_per_day: Optional[Flow]  # blank only for a mass-transfer operation
    return_fraction: Fraction
    max_recycles: Optional[ReuseLimit] = None

    @field_validator("demand_m3_per_day", mode="before")
    @classmethod
    def _blank_demand(cls, value):
        # the column is required, but a load-driven use (model.case.quality) leaves it blank
        return None if value == "" else value


class TrainRow(Row):
    """A treatment train: capacity (m3/day of feed), recovery (product / feed), zones served."""

    FILE, KEY, KEY_NAME = "treatment.csv", ("train",), "train"
    REFERENCES = {"zones": "zone"}
    LISTS = {"zones": "zone"}
    train: SourceName
    capacity_m3_per_day: Flow
    recovery: Recovery
    zones: Names
    cost_per_m3: Optional[Price] = None


# --- water quality: contaminants.csv, use_quality.csv, train_quality.csv, reuse_links.csv -----

class ContaminantRow(Row):
    FILE, KEY, KEY_NAME = "contaminants.csv", ("contaminant",), "contaminant"
    contaminant: Name
    tap_ppm: Ppm


class UseQualityRow(Row):
    """A use's inlet limit (blank: none) and outlet concentration; a load makes it a
    mass-transfer operation."""

    FILE = "use_quality.csv"
    KEY, KEY_NAME = ("plant", "use", "contaminant"), "use and contaminant"
    REFERENCES = {("plant", "use"): "use", "contaminant": "contaminant"}
    plant: Name
    use: Name
    contaminant: Name
    max_inlet_ppm: Optional[Ppm] = None
    outlet_ppm: Ppm
    load_kg_per_day: Optional[Flow] = None


class TrainQualityRow(Row):
    FILE = "train_quality.csv"
    KEY, KEY_NAME = ("train", "contaminant"), "train and contaminant"
    REFERENCES = {"train": "producer", "contaminant": "contaminant"}  # trains, new trains
    train: Name                                                         # and supplies
    contaminant: Name
    product_ppm: Ppm
    max_feed_ppm: Optional[Ppm] = None


class ReuseLinkRow(Row):
    FILE = "reuse_links.csv"
    KEY, KEY_NAME = ("from_plant", "from_use", "to_plant", "to_use"), "link"
    REFERENCES = {("from_plant", "from_use"): "use", ("to_plant", "to_use"): "use"}
    from_plant: Name
    from_use: Name
    to_plant: Name
    to_use: Name


# --- periods: periods.csv, demand.csv, trains_by_period.csv ----------------------------------

class PeriodRow(Row):
    """periods.csv: rows in time order. `start` is an ISO date (YYYY-MM-DD); when given for every
    period, each period must start the day the previous one ends."""

    FILE, KEY, KEY_NAME = "periods.csv", ("period",), "period"
    REFERENCES = {"stage": "stage"}
    period: Name
    days: Days
    start: Optional[date] = None
    stage: Optional[Name] = None
    tap_cap_m3_per_day: Optional[Flow] = None
    demand_factor: Optional[Factor] = None


class DemandRow(Row):
    """demand.csv, long format. With plant and use: that use's demand (m3/day) or a factor on its
    base demand; with a plant only: a factor on all its uses; with neither: a campus factor."""

    FILE, KEY, KEY_NAME = "demand.csv", ("period", "plant", "use"), "period/plant/use"
    REFERENCES = {"period": "period", "plant": "plant", ("plant", "use"): "use"}
    period: Name
    plant: Optional[Name] = None
    use: Optional[Name] = None
    demand_m3_per_day: Optional[Flow] = None
    factor: Optional[Factor] = None


class TrainPeriodRow(Row):
    """trains_by_period.csv: a train's capacity (0 for an outage) or recovery in one period."""

    FILE, KEY, KEY_NAME = "trains_by_period.csv", ("period", "train"), "period/train"
    REFERENCES = {"period": "period", "train": "train"}
    period: Name
    train: Name
    capacity_m3_per_day: Optional[Flow] = None
    recovery: Optional[Recovery] = None


# --- storage: tanks.csv ------------------------------------------------------------------------

class TankRow(Row):
    """tanks.csv: `holds` is `recycled` (product water, after the trains) or `wastewater`
    (an equalisation basin, before the trains)."""

    FILE, KEY, KEY_NAME = "tanks.csv", ("tank",), "tank"
    REFERENCES = {"zone": "zone"}
    tank: SourceName
    zone: Name
    holds: Literal["recycled", "wastewater"]
    capacity_m3: Volume
    initial_m3: Volume
    min_final_m3: Volume


# --- outside supply: tankers.csv, boosts.csv ---------------------------------------------------

class TankerRow(Row):
    """tankers.csv: trucked water, delivered as tap-quality water to uses in `zones` (blank
    means every zone)."""

    FILE, KEY, KEY_NAME = "tankers.csv", ("tanker",), "tanker"
    REFERENCES = {"zones": "zone"}
    LISTS = {"zones": "zone"}
    tanker: Name
    capacity_m3_per_day: Flow
    price_per_m3: Price
    zones: Optional[Names] = None


class BoostRow(Row):
    """boosts.csv: a train may run at a higher `recovery` for an extra cost per m3 of feed, in the
    listed `periods` (blank means every period)."""

    FILE, KEY, KEY_NAME = "boosts.csv", ("train",), "train"
    REFERENCES = {"train": "train", "periods": "period"}
    LISTS = {"periods": "period"}
    train: Name
    recovery: Recovery
    extra_cost_per_m3: Price
    periods: Optional[Names] = None


# --- drought rationing: stages.csv, curtailment.csv, rationing.toml ----------------------------

class StageRow(Row):
    """stages.csv: a rationing stage and the fraction of the baseline tap supply it cuts."""

    FILE, KEY, KEY_NAME = "stages.csv", ("stage",), "stage"
    stage: Name
    cut: Cut


class CurtailmentRow(Row):
    """curtailment.csv: priority class 1 is cut last; `lost_value_per_m3` is the money lost per
    m3 of demand not supplied (used when shortage is priced against cost)."""

    FILE, KEY, KEY_NAME = "curtailment.csv", ("plant", "use"), "use"
    REFERENCES = {("plant", "use"): "use"}
    plant: Name
    use: Name
    priority: Priority
    lost_value_per_m3: Optional[Price] = None


class RationingSettings(Settings):
    """rationing.toml. Its presence enables rationing (shortage variables)."""

    FILE = "rationing.toml"
    baseline_m3_per_day: Optional[Flow] = None
    fair_share: StrictBool = True  # identical uses get identical cuts; false: least shortage only
    price_shortage: StrictBool = False
    cut: Optional[Cut] = None


# --- options: options.csv ---------------------------------------------------------------------

class OptionRow(Row):
    """options.csv: one investment option. Which of `train`, `zones`, `capacity_m3_per_day`,
    `recovery`, `cost_per_m3` and `volume_m3` a row needs depends on its `kind`
    (model.case.options.KIND_COLUMNS); the others must be blank. `excludes` and `requires`
    name other options."""

    FILE, KEY, KEY_NAME = "options.csv", ("option",), "option"
    REFERENCES = {"zones": "zone"}
    LISTS = {"zones": "zone", "excludes": "option", "requires": "option"}
    option: Name
    kind: Literal["capacity", "recovery", "train", "link", "tank", "supply"]
    train: Optional[SourceName] = None
    zones: Optional[Names] = None
    capacity_m3_per_day: Optional[Capacity] = None
    recovery: Optional[Recovery] = None
    cost_per_m3: Optional[Price] = None
    volume_m3: Optional[TankVolume] = None
    capex: Money
    lifetime_years: Lifetime
    om_per_year: Optional[Money] = None
    excludes: Optional[Names] = None
    requires: Optional[Names] = None
