"""Strict schemas for the files of a case folder, and the reader that applies them.

Each CSV row is checked against a frozen pydantic model that forbids unknown fields. Nothing
stops at the first problem: every bad header, cell and row is collected as a `Problem` (file,
line, column, value, rule) so that the user sees them all at once.
"""
from __future__ import annotations

import csv
import re
import tomllib
from pathlib import Path
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator
from pydantic.fields import FieldInfo

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


def _field(schema: type[BaseModel], loc: tuple) -> FieldInfo | None:
    """The schema field an error location points at, following nested tables (`tap.cap`)."""
    field = None
    for part in loc:
        fields = getattr(schema, "model_fields", None)
        if not isinstance(part, str) or fields is None or part not in fields:
            return None
        field = fields[part]
        schema = field.annotation
    return field


def _allowed_range(field: FieldInfo | None, error: dict) -> str | None:
    """The allowed values of a bounded number as an interval, e.g. "in (0, 1]" or ">= 0".

    The bounds come from the schema field, so that a value missing one bound is told both;
    an optional field keeps its bounds inside `Optional[...]`, and then the error's own
    context (the bound missed) is used instead.
    """
    bounds: dict[str, float] = {}
    for c in field.metadata if field is not None else ():  # annotated_types Ge(ge=0), ...
        bounds.update({k: getattr(c, k) for k in ("ge", "gt", "le", "lt")
                       if getattr(c, k, None) is not None})
    if not bounds:
        bounds = {k: v for k, v in error.get("ctx", {}).items() if k in ("ge", "gt", "le", "lt")}
    low = (f"[{bounds['ge']:g}" if "ge" in bounds
           else f"({bounds['gt']:g}" if "gt" in bounds else "")
    high = (f"{bounds['le']:g}]" if "le" in bounds
            else f"{bounds['lt']:g})" if "lt" in bounds else "")
    if low and high:
        return f"in {low}, {high}"
    if low:
        return {"[": ">= ", "(": "> "}[low[0]] + low[1:]
    if high:
        return {"]": "<= ", ")": "< "}[high[-1]] + high[:-1]
    return None


# pydantic error types -> the rule broken, in the words of the case format. Bounds are filled in
# from the schema so that the message gives the whole allowed range, not only the bound missed.
_RULES = {
    "missing": "is required",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "finite_number": "must be a finite number (not NaN or infinity)",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_type": "must be a whole number (an integer, not text, a decimal or true/false)",
    "string_too_short": "must not be blank",
    "string_type": "must be text",
    "model_type": "must be a table",
    "dict_type": "must be a table",
}
_RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def _rule(schema: type[BaseModel], error: dict, what: str) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = _field(schema, error["loc"][:-1]) if len(error["loc"]) > 1 else None
        owner = parent.annotation if parent is not None else schema
        return f"unknown {what}; expected {what}s {', '.join(owner.model_fields)}"
    if kind in _RANGE_ERRORS:
        allowed = _allowed_range(_field(schema, error["loc"]), error)
        if allowed:
            return f"must be {allowed}"
    return _RULES.get(kind, error["msg"])


def _pydantic_problems(
    file: str, row: int | None, error: ValidationError, schema: type[BaseModel], what: str
) -> list[Problem]:
    """One Problem per pydantic error. `what` names a field in this file: "column" or "key"."""
    problems = []
    for e in error.errors():
        column = ".".join(str(part) for part in e["loc"]) or None
        value = e.get("input") if e["type"] != "missing" else None
        problems.append(Problem(file, _rule(schema, e, what), row, column, value))
    return problems


def read_settings(folder: Path, problems: list[Problem]) -> CaseSettings | None:
    """Read and validate `case.toml`; append problems and return None if it is unusable."""
    path = folder / "case.toml"
    if not path.is_file():
        problems.append(Problem("case.toml", "file is missing"))
        return None
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        problems.append(Problem("case.toml", f"is not UTF-8 text (byte {exc.start})"))
        return None
    except tomllib.TOMLDecodeError as exc:
        # tomllib gives the position only inside its message: "... (at line 3, column 5)"
        at = re.search(r"at line (\d+)", str(exc))
        problems.append(Problem("case.toml", f"not valid TOML: {exc}",
                                int(at.group(1)) if at else None))
        return None
    try:
        return CaseSettings.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_pydantic_problems("case.toml", None, exc, CaseSettings, "key"))
        return None


def _records(path: Path) -> list[tuple[int, list[str]]]:
    """The CSV records of a file, each with the line it starts on as an editor counts lines.

    A quoted cell may span lines (a note with a line break), so records and lines differ.
    """
    records = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        start = 1
        for cells in reader:
            records.append((start, cells))
            start = reader.line_num + 1
    return records


def read_table(
    folder: Path, file: str, schema: type[Row], problems: list[Problem], required: bool = True,
    rejected: list[dict[str, str]] | None = None,
) -> list[tuple[int, Row]] | None:
    """Read a CSV file into validated rows, as (line number, row) pairs.

    Every cell is read as text, so that "007" stays a name and "1e3" is parsed by the schema,
    not guessed by a CSV sniffer. Blank cells of optional columns mean "not given". Returns None
    when the file is missing (and optional) or its header is unusable. The cells of each row
    that fails are appended to `rejected` (if given), so that cross-references to a name in a
    bad row are not reported a second time as unknown names.
    """
    path = folder / file
    if not path.is_file():
        if required:
            problems.append(Problem(file, "file is missing"))
        return None
    try:
        lines = _records(path)
    except UnicodeDecodeError as exc:
        problems.append(Problem(file, f"is not UTF-8 text (byte {exc.start}): save it as "
                                      "UTF-8 CSV"))
        return None
    except csv.Error as exc:
        problems.append(Problem(file, f"is not readable as CSV: {exc}"))
        return None
    while lines and not any(cell.strip() for cell in lines[-1][1]):
        lines.pop()
    if not lines:
        problems.append(Problem(file, "file is empty: it needs a header row"))
        return None
    header_line, header_cells = lines[0]
    header = [h.strip() for h in header_cells]
    required_cols, optional_cols = _columns(schema)
    expected = (
        f"expected columns {', '.join(required_cols)}"
        + (f" (optional: {', '.join(optional_cols)})" if optional_cols else "")
    )
    header_ok = True
    for name in header:
        if name not in required_cols and name not in optional_cols:
            problems.append(Problem(file, f"unknown column; {expected}", header_line,
                                    name or "(blank)"))
            header_ok = False
    for name in required_cols:
        if name not in header:
            problems.append(Problem(file, f"missing column; {expected}", header_line, name))
            header_ok = False
    for name in sorted({h for h in header if header.count(h) > 1}):
        problems.append(Problem(file, "column appears more than once in the header",
                                header_line, name))
        header_ok = False
    if not header_ok:
        return None
    rows: list[tuple[int, Row]] = []
    for line_no, cells in lines[1:]:
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are not rows
        if len(cells) != len(header):
            problems.append(
                Problem(file, f"has {len(cells)} cells; the header has {len(header)}", line_no)
            )
            if rejected is not None:
                rejected.append({name: cell.strip() for name, cell in zip(header, cells)})
            continue
        raw = {
            name: cell.strip()
            for name, cell in zip(header, cells)
            if not (cell.strip() == "" and name in optional_cols)
        }
        try:
            rows.append((line_no, schema.model_validate(raw)))
        except ValidationError as exc:
            problems.extend(_pydantic_problems(file, line_no, exc, schema, "column"))
            if rejected is not None:
                rejected.append(raw)
    return rows
