"""Strict schemas for the files of a case folder, and the reader that applies them.

Each CSV row is checked against a frozen pydantic model that forbids unknown fields. Nothing
stops at the first problem: every bad header, cell and row is collected as a `Problem` (file,
line, column, value, rule) so that the user sees them all at once.
"""
from __future__ import annotations

import csv
import tomllib
from pathlib import Path
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator

from model.errors import Problem

NOTES = "notes"

Name = Annotated[str, Field(min_length=1)]
NonNegative = Annotated[float, Field(ge=0)]
Fraction = Annotated[float, Field(ge=0, le=1)]
Recovery = Annotated[float, Field(gt=0, le=1)]
ReuseLimit = Annotated[int, Field(ge=0)]


class Row(BaseModel):
    """A CSV row: strict, frozen, finite numbers only, whitespace stripped, `notes` allowed."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, str_strip_whitespace=True
    )
    notes: Optional[str] = None


class PlantRow(Row):
    plant: Name
    zone: Name


class UseRow(Row):
    plant: Name
    use: Name
    demand_m3_per_day: Optional[NonNegative]  # blank only for a mass-transfer operation
    return_fraction: Fraction
    max_recycles: Optional[ReuseLimit] = None

    @field_validator("demand_m3_per_day", mode="before")
    @classmethod
    def _blank_demand(cls, value):
        # the column is required, but a load-driven use (model.quality_schema) leaves it blank
        return None if value == "" else value


class TrainRow(Row):
    train: Name
    capacity_m3_per_day: NonNegative
    recovery: Recovery
    zones: Name
    cost_per_m3: Optional[NonNegative] = None


class TapSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    cap_m3_per_day: Optional[NonNegative] = None
    price_per_m3: Optional[NonNegative] = None


class CaseSettings(BaseModel):
    """`case.toml`."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    name: Name
    description: Optional[str] = None
    max_recycles: Annotated[StrictInt, Field(ge=0)]
    tap: TapSettings = TapSettings()
    direct_reuse: Literal["none", "zone", "listed"] = "none"  # see model.quality_schema
    allow_multi_contaminant_loads: bool = False


def _columns(schema: type[Row]) -> tuple[list[str], list[str]]:
    """(required, optional) column names of a row schema, in declaration order."""
    required, optional = [], []
    for name, field in schema.model_fields.items():
        (required if field.is_required() else optional).append(name)
    return required, optional


def _pydantic_problems(file: str, row: int | None, error: ValidationError) -> list[Problem]:
    problems = []
    for e in error.errors():
        column = ".".join(str(part) for part in e["loc"]) or None
        value = e.get("input") if e["type"] != "missing" else None
        rule = "required" if e["type"] == "missing" else e["msg"]
        if e["type"] == "extra_forbidden":
            rule = "unknown key"
        problems.append(Problem(file, rule, row, column, value))
    return problems


def read_settings(folder: Path, problems: list[Problem]) -> CaseSettings | None:
    """Read and validate `case.toml`; append problems and return None if it is unusable."""
    path = folder / "case.toml"
    if not path.is_file():
        problems.append(Problem("case.toml", "file is missing"))
        return None
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem("case.toml", f"not valid TOML: {exc}"))
        return None
    try:
        return CaseSettings.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_pydantic_problems("case.toml", None, exc))
        return None


def read_table(
    folder: Path, file: str, schema: type[Row], problems: list[Problem], required: bool = True
) -> list[tuple[int, Row]] | None:
    """Read a CSV file into validated rows, as (line number, row) pairs.

    Every cell is read as text, so that "007" stays a name and "1e3" is parsed by the schema,
    not guessed by a CSV sniffer. Blank cells of optional columns mean "not given". Returns None
    when the file is missing (and optional) or its header is unusable.
    """
    path = folder / file
    if not path.is_file():
        if required:
            problems.append(Problem(file, "file is missing"))
        return None
    with path.open(newline="", encoding="utf-8-sig") as handle:
        lines = list(csv.reader(handle))
    while lines and not any(cell.strip() for cell in lines[-1]):
        lines.pop()
    if not lines:
        problems.append(Problem(file, "file is empty: it needs a header row"))
        return None
    header = [h.strip() for h in lines[0]]
    required_cols, optional_cols = _columns(schema)
    expected = (
        f"expected columns {', '.join(required_cols)}"
        + (f" (optional: {', '.join(optional_cols)})" if optional_cols else "")
    )
    header_ok = True
    for name in header:
        if name not in required_cols and name not in optional_cols:
            problems.append(Problem(file, f"unknown column; {expected}", 1, name or "(blank)"))
            header_ok = False
    for name in required_cols:
        if name not in header:
            problems.append(Problem(file, f"missing column; {expected}", 1, name))
            header_ok = False
    if len(set(header)) != len(header):
        problems.append(Problem(file, "a column name appears twice", 1))
        header_ok = False
    if not header_ok:
        return None
    rows: list[tuple[int, Row]] = []
    for line_no, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are not rows
        if len(cells) != len(header):
            problems.append(
                Problem(file, f"has {len(cells)} cells; the header has {len(header)}", line_no)
            )
            continue
        raw = {
            name: cell.strip()
            for name, cell in zip(header, cells)
            if not (cell.strip() == "" and name in optional_cols)
        }
        try:
            rows.append((line_no, schema.model_validate(raw)))
        except ValidationError as exc:
            problems.extend(_pydantic_problems(file, line_no, exc))
    return rows
